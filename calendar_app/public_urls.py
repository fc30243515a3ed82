"""The public agenda, under /agenda/ (namespace "agenda"), and the feeds calendar apps poll."""

from django.urls import path

from calendar_app import feed_views, public_views

app_name = "agenda"

urlpatterns = [
    path("", public_views.public_agenda, name="index"),
    path("evenements/<int:pk>/", public_views.public_event, name="event"),
    path("evenements/<int:pk>/evenement.ics", feed_views.public_event_ics, name="event-ics"),
    # Public feeds of public events: the network, a territory, a venue.
    path("reseau.ics", feed_views.network_feed, name="network-feed"),
    path("territoires/<slug:slug>.ics", feed_views.territory_feed, name="territory-feed"),
    path("lieux/<slug:slug>.ics", feed_views.venue_feed, name="venue-feed"),
    # A member's private feed ("Mon agenda", or one calendar): the token is the secret.
    path("flux/<str:token>.ics", feed_views.private_feed, name="private-feed"),
]
