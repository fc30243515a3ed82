"""Production's `collectstatic` (manifest storage) succeeds with every installed static file."""

import io

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_manifest_storage(tmp_path, settings):
    storages = dict(settings.STORAGES, staticfiles={
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"})
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0, stdout=io.StringIO())
    assert (tmp_path / "leaflet" / "leaflet.js").exists()
    assert (tmp_path / "leaflet-markercluster" / "leaflet.markercluster-src.js").exists()
    assert (tmp_path / "staticfiles.json").exists()
