import pytest

from website.models import HomePage


@pytest.fixture
def home(db):
    # Created by the data migration website.0002_create_homepage.
    return HomePage.objects.get()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads (images, documents) in a temporary folder (the root conftest empties the cache)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
