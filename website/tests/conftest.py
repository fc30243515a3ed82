import pytest
from django.core.cache import cache

from website.models import HomePage


@pytest.fixture
def home(db):
    # Created by the data migration website.0002_create_homepage.
    return HomePage.objects.get()


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Uploads (images, documents) in a temporary folder; rate limits counted afresh;
    factories hash passwords fast."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()
