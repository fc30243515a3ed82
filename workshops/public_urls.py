"""The public workshops, under /ateliers/ (namespace "ateliers"): the agenda, its feeds, a
workshop's page, registration without an account and the personal link of a registration."""

from django.urls import path

from workshops import evaluation_views, public_views

app_name = "ateliers"

urlpatterns = [
    path("", public_views.agenda, name="index"),
    path("flux.rss", public_views.rss_feed, name="rss"),
    path("ateliers.ics", public_views.ics_feed, name="ics"),
    path("<int:pk>-<slug:slug>/", public_views.workshop_page, name="workshop"),
    path("<int:pk>/", public_views.workshop_redirect, name="workshop-short"),
    path("sessions/<int:pk>/inscription/", public_views.register, name="register"),
    path("sessions/<int:pk>/session.ics", public_views.session_ics, name="session-ics"),
    # The personal link of a registration (no account): confirm, cancel, accept or decline an offer.
    path("inscription/<str:token>/", public_views.registration_page, name="registration"),
    path("inscription/<str:token>/evaluation/", evaluation_views.evaluate_by_token, name="evaluate"),
]
