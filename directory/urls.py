from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.venue_list, name="venues"),
    path("nouveau/", views.venue_create, name="venue-create"),
    path("<int:pk>/modifier/", views.venue_edit, name="venue-edit"),
    path("<int:pk>/historique/", views.venue_history, name="venue-history"),
    path("<int:pk>/historique/<int:revision_pk>/", views.revision_detail, name="revision-detail"),
    path("<int:pk>/historique/<int:revision_pk>/restaurer/", views.revision_restore, name="revision-restore"),
]
