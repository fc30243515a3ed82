"""django.contrib.staticfiles, configured for the packages Maillage installs.

In its own module: a second AppConfig in extranet/apps.py would stop Django from
picking ExtranetConfig as the app's default configuration.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig


class MaillageStaticFilesConfig(StaticFilesConfig):
    # XStatic-Leaflet-MarkerCluster ships the minified script with a source-map comment
    # but without the map, which the manifest storage of `collectstatic` refuses; the
    # pages use leaflet.markercluster-src.js instead.
    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "leaflet.markercluster.js"]
