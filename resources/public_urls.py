"""/ressources/ (namespace "public-resources"): the public resources, with their licence and authors."""

from django.urls import path

from resources import public_views

app_name = "public-resources"

urlpatterns = [
    path("", public_views.library, name="index"),
    path("<int:pk>/<slug:slug>/", public_views.resource_detail, name="detail"),
    path("<int:pk>/fichiers/<int:file_pk>/", public_views.resource_file_download, name="file"),
    path("<int:pk>/fichiers/<int:file_pk>/vignette/", public_views.resource_file_thumbnail, name="file-thumbnail"),
]
