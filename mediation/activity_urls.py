"""Activity records (accompaniments, in the Coop's shape), under /bureau/activites/
(namespace "activites")."""

from django.urls import path

from mediation import activity_views

app_name = "activites"

urlpatterns = [
    path("", activity_views.record_list, name="index"),
    path("nouvelle/", activity_views.record_create, name="create"),
    path("export.csv", activity_views.export_csv, name="export"),
    path("<int:pk>/", activity_views.record_detail, name="record"),
    path("<int:pk>/modifier/", activity_views.record_edit, name="edit"),
    path("<int:pk>/supprimer/", activity_views.record_delete, name="delete"),
]
