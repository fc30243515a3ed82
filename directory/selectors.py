from django.http import Http404

from directory.models import Venue
from members import permissions


def venues_editable_by(*, user):
    ids = permissions.administered_territory_ids(user)
    venues = Venue.objects.select_related("territory").order_by("territory__name", "name")
    return venues if ids is None else venues.filter(territory_id__in=ids)


def venue_get_for_edit(user, pk):
    """A venue `user` may edit (404 otherwise)."""
    venue = Venue.objects.select_related("territory").filter(pk=pk).first()
    if venue is None or not permissions.can_edit_venue(user, venue):
        raise Http404
    return venue
