"""/bureau/ressources/ (namespace "ressources")."""

from django.urls import path

from resources import collection_views, views

app_name = "ressources"

urlpatterns = [
    # The library (views.py): list with search (also the files of my spaces) and filters.
    path("", views.library, name="index"),
    path("nouvelle/", views.resource_create, name="create"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/modifier/", views.resource_edit, name="edit"),  # fields, tags, authors, files, steps, equipment
    path("<int:pk>/publier/", views.resource_publish, name="publish"),  # POST
    path("<int:pk>/depublier/", views.resource_unpublish, name="unpublish"),  # POST
    path("<int:pk>/supprimer/", views.resource_delete, name="delete"),  # GET confirm / POST
    path("<int:pk>/fichiers/<int:file_pk>/", views.resource_file_download, name="file"),
    path("<int:pk>/fichiers/<int:file_pk>/apercu/", views.resource_file_preview, name="file-preview"),
    path("<int:pk>/fichiers/<int:file_pk>/vignette/", views.resource_file_thumbnail, name="file-thumbnail"),
    path("<int:pk>/noter/", views.resource_rate, name="rate"),  # POST
    path("<int:pk>/signaler/", views.resource_report, name="report"),  # GET form / POST
    path("<int:pk>/ateliers/", views.resource_workshop_link, name="workshop-link"),  # POST workshop
    path("<int:pk>/ateliers/<int:workshop_pk>/retirer/", views.resource_workshop_unlink,
         name="workshop-unlink"),  # POST
    path("signalements/", views.reports, name="reports"),  # moderators
    path("signalements/<int:pk>/", views.report_handle, name="report-handle"),  # POST resolve / dismiss
    # Collections (collection_views.py)
    path("<int:pk>/enregistrer/", collection_views.resource_save, name="save"),  # POST into a collection
    path("collections/", collection_views.collection_list, name="collections"),
    path("collections/nouvelle/", collection_views.collection_create, name="collection-create"),
    path("collections/<int:pk>/", collection_views.collection_detail, name="collection"),
    path("collections/<int:pk>/modifier/", collection_views.collection_edit, name="collection-edit"),
    path("collections/<int:pk>/supprimer/", collection_views.collection_delete, name="collection-delete"),
    path("collections/<int:pk>/retirer/<int:resource_pk>/", collection_views.collection_remove,
         name="collection-remove"),  # POST
]
