from django.urls import path

from forum import views

app_name = "forum"
urlpatterns = [
    path("", views.index, name="index"),
    path("recherche/", views.search, name="search"),
    path("non-lus.json", views.unread_counts, name="unread-counts"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/signalements/<int:pk>/", views.report_resolve, name="report-resolve"),
    path("apercu/", views.preview, name="preview"),
    path("espace/<int:pk>/", views.space_categories, name="space"),
    path("espace/<int:pk>/nouvelle-categorie/", views.category_create, name="category-create"),
    path("espace/<int:pk>/mentions/", views.mention_autocomplete, name="mentions"),
    path("categorie/<int:pk>/", views.category_detail, name="category"),
    path("categorie/<int:pk>/modifier/", views.category_edit, name="category-edit"),
    path("categorie/<int:pk>/nouveau-sujet/", views.topic_create, name="topic-create"),
    path("categorie/<int:pk>/tout-lu/", views.category_mark_read, name="category-read"),
    path("categorie/<int:pk>/abonnement/", views.category_subscription, name="category-subscription"),
    path("sujet/<int:pk>/", views.topic_detail, name="topic"),
    path("sujet/<int:pk>/non-lu/", views.topic_first_unread, name="topic-unread"),
    path("sujet/<int:pk>/repondre/", views.reply, name="reply"),
    path("sujet/<int:pk>/abonnement/", views.topic_subscription, name="topic-subscription"),
    path("sujet/<int:pk>/moderer/", views.topic_moderate, name="topic-moderate"),
    path("sujet/<int:pk>/deplacer/", views.topic_move, name="topic-move"),
    path("message/<int:pk>/", views.post_redirect, name="post"),
    path("message/<int:pk>/fragment/", views.post_fragment, name="post-fragment"),
    path("message/<int:pk>/modifier/", views.post_edit, name="post-edit"),
    path("message/<int:pk>/supprimer/", views.post_delete, name="post-delete"),
    path("message/<int:pk>/historique/", views.post_history, name="post-history"),
    path("message/<int:pk>/signaler/", views.post_report, name="post-report"),
    path("message/<int:pk>/masquer/", views.post_hide, name="post-hide"),
    path("fichier/<int:pk>/<str:name>", views.attachment, name="attachment"),
]
