"""The public directory of venues (/annuaire/) and its open data."""

from django.urls import path

from directory import opendata_views, public_views

app_name = "public_directory"
urlpatterns = [
    path("", public_views.venue_directory, name="list"),
    path("carte.json", public_views.venue_map_data, name="map-data"),
    path("export.csv", opendata_views.export_csv, name="export-csv"),
    path("export.json", opendata_views.export_json, name="export-json"),
    path("<slug:slug>/", public_views.venue_detail, name="detail"),
]
