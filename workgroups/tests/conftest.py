"""Fixtures of the workgroup tests: fast passwords, English messages, uploads in a temporary folder."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English source, whatever French the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
