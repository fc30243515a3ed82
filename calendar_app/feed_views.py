"""(being written)"""

from django.http import Http404


def event_ics(request, *args, **kwargs):
    raise Http404


def feed_list(request, *args, **kwargs):
    raise Http404


def feed_create(request, *args, **kwargs):
    raise Http404


def feed_revoke(request, *args, **kwargs):
    raise Http404


def feed_regenerate(request, *args, **kwargs):
    raise Http404


def public_event_ics(request, *args, **kwargs):
    raise Http404


def network_feed(request, *args, **kwargs):
    raise Http404


def territory_feed(request, *args, **kwargs):
    raise Http404


def venue_feed(request, *args, **kwargs):
    raise Http404


def private_feed(request, *args, **kwargs):
    raise Http404

