from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.index, name="index"),
    path("non-lus.json", views.unread_counts, name="unread-counts"),
    path("espace/<int:pk>/", views.space_room, name="space"),
    path("salon/<int:pk>/", views.room, name="room"),
    path("salon/<int:pk>/envoyer/", views.send, name="send"),
    path("salon/<int:pk>/messages.json", views.messages_json, name="messages"),
    path("salon/<int:pk>/lu/", views.mark_read, name="mark-read"),
    path("salon/<int:pk>/mentions/", views.mentions, name="mentions"),
    path("message/<int:pk>/modifier/", views.message_edit, name="message-edit"),
    path("message/<int:pk>/supprimer/", views.message_delete, name="message-delete"),
    path("message/<int:pk>/reaction/", views.reaction, name="reaction"),
    path("fichier/<int:pk>/<str:name>", views.attachment, name="attachment"),
    path("direct/", views.direct_new, name="direct-new"),
    path("direct/personnes/", views.direct_candidates, name="direct-candidates"),
    path("recherche/", views.search, name="search"),
    path("preferences/", views.preferences, name="preferences"),
]
