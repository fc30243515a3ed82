"""/bureau/fichiers/ (namespace "fichiers")."""

from django.urls import path

from files import views

app_name = "fichiers"

urlpatterns = [
    path("", views.index, name="index"),  # my drives (personal + my spaces'), usage; search box
    path("recherche/", views.search, name="search"),
    path("espaces/<int:space_pk>/", views.space_drive, name="space"),  # redirect to the space drive's root folder
    path("moi/", views.personal, name="personal"),  # my own drive's root (an empty page before my first upload)
    path("moi/deposer/", views.personal_upload, name="personal-upload"),  # POST: makes the drive, uploads to its root
    path("moi/nouveau-dossier/", views.personal_folder_create, name="personal-folder-create"),  # POST
    # Folders
    path("dossiers/<int:pk>/", views.folder, name="folder"),
    path("dossiers/<int:pk>/deposer/", views.upload, name="upload"),  # POST multipart (plain form, or XHR → JSON)
    path("dossiers/<int:pk>/nouveau-dossier/", views.folder_create, name="folder-create"),  # POST
    path("dossiers/<int:pk>/renommer/", views.folder_rename, name="folder-rename"),  # GET form / POST
    path("dossiers/<int:pk>/deplacer/", views.folder_move, name="folder-move"),  # GET form / POST
    path("dossiers/<int:pk>/supprimer/", views.folder_trash, name="folder-trash"),  # GET confirm / POST
    # Files
    path("<int:pk>/", views.file_detail, name="file"),  # preview, versions, actions
    path("<int:pk>/telecharger/", views.file_download, name="download"),  # attachment
    path("<int:pk>/apercu/", views.file_preview, name="preview"),  # inline: images, PDF (SVG: never inline)
    path("<int:pk>/vignette/", views.file_thumbnail, name="thumbnail"),
    path("<int:pk>/renommer/", views.file_rename, name="file-rename"),
    path("<int:pk>/deplacer/", views.file_move, name="file-move"),
    path("<int:pk>/supprimer/", views.file_trash, name="file-trash"),
    path("versions/<int:pk>/telecharger/", views.version_download, name="version-download"),
    path("versions/<int:pk>/restaurer/", views.version_restore, name="version-restore"),  # POST
    # Trash and quota of a drive
    path("corbeille/<int:drive_pk>/", views.trash, name="trash"),
    path("corbeille/<int:drive_pk>/vider/", views.trash_empty, name="trash-empty"),  # GET confirm / POST
    path("corbeille/fichiers/<int:pk>/restaurer/", views.trash_restore_file, name="trash-restore-file"),  # POST
    path("corbeille/dossiers/<int:pk>/restaurer/", views.trash_restore_folder, name="trash-restore-folder"),  # POST
    path("corbeille/fichiers/<int:pk>/supprimer/", views.trash_delete_file, name="trash-delete-file"),  # POST
    path("corbeille/dossiers/<int:pk>/supprimer/", views.trash_delete_folder, name="trash-delete-folder"),  # POST
    path("quota/<int:drive_pk>/", views.quota, name="quota"),  # GET form / POST (coordinators)
]
