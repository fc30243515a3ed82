"""The desk's calendar, under /bureau/agenda/ (namespace "calendar")."""

from django.urls import path

from calendar_app import event_views, feed_views, import_views, invitation_views, views

app_name = "calendar"

urlpatterns = [
    # Views of "Mon agenda" (or of the calendars chosen with ?agenda=ID, repeatable).
    path("", views.agenda_home, name="index"),
    path("mois/<int:year>/<int:month>/", views.month, name="month"),
    path("semaine/<int:year>/<int:month>/<int:day>/", views.week, name="week"),
    path("liste/", views.agenda_list, name="list"),
    # Calendars: which ones, shown or hidden; one calendar's page; a space's calendar.
    path("agendas/", views.calendar_list, name="calendars"),
    path("agendas/<int:pk>/", views.calendar_detail, name="calendar"),
    path("agendas/<int:pk>/masquer/", views.calendar_toggle, name="calendar-toggle"),
    path("agendas/<int:pk>/importer/", import_views.calendar_import, name="import"),
    path("espace/<int:space_pk>/", views.space_calendar, name="space"),
    # Events.
    path("evenements/nouveau/", event_views.event_create, name="event-create"),
    path("evenements/<int:pk>/", event_views.event_detail, name="event"),
    path("evenements/<int:pk>/modifier/", event_views.event_edit, name="event-edit"),
    path("evenements/<int:pk>/annuler/", event_views.event_cancel, name="event-cancel"),
    path("evenements/<int:pk>/supprimer/", event_views.event_delete, name="event-delete"),
    path("evenements/<int:pk>/pieces-jointes/<int:attachment_pk>/", event_views.event_attachment,
         name="event-attachment"),
    path("evenements/<int:pk>/evenement.ics", feed_views.event_ics, name="event-ics"),
    # Invitations and answers.
    path("evenements/<int:pk>/reponse/", invitation_views.event_answer, name="event-answer"),
    path("evenements/<int:pk>/inviter/", invitation_views.event_invite, name="event-invite"),
    path("evenements/<int:pk>/reponses/", invitation_views.event_answers, name="event-answers"),
    path("evenements/<int:pk>/reponses.csv", invitation_views.event_answers_csv, name="event-answers-csv"),
    # Private feeds (their secret links).
    path("abonnements/", feed_views.feed_list, name="feeds"),
    path("abonnements/creer/", feed_views.feed_create, name="feed-create"),
    path("abonnements/<int:pk>/revoquer/", feed_views.feed_revoke, name="feed-revoke"),
    path("abonnements/<int:pk>/regenerer/", feed_views.feed_regenerate, name="feed-regenerate"),
]
