"""Venue services. The directory issue adds creation, import and export."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Venue
from extranet.services import activity_record
from members import permissions

EDITABLE_FIELDS = (
    "name", "address", "address_complement", "postal_code", "insee_code", "city", "latitude", "longitude",
    "phone", "email", "website", "summary",
)


def venue_update(*, actor, venue, data):
    """Local admins of the venue's territory (and coordinators) keep its record up to date."""
    if not permissions.can_edit_venue(actor, venue):
        raise PermissionDenied(_("You cannot edit this venue."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown venue fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    # Validate a fresh copy: on error the caller's object is untouched.
    fresh = Venue.objects.get(pk=venue.pk)
    for field, value in data.items():
        setattr(fresh, field, value.strip() if isinstance(value, str) else value)
    fresh.updated_at = timezone.now()
    fresh.full_clean()
    with transaction.atomic():
        fresh.save()
        activity_record(actor=actor, verb="venue.updated", target=fresh, space=_territory_space(fresh))
    return fresh


def _territory_space(venue):
    from extranet.models import Space

    return Space.objects.filter(territory_id=venue.territory_id).first()
