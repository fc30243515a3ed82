"""Venue services: create, edit, restore a revision. Every change is a `VenueRevision`.

Wiki-style upkeep: the animators attached to a venue, the local admins of its territory
and the coordinators edit it (`members.permissions.can_edit_venue`); each edit records who,
when, what changed and the whole record, and any revision can be restored (which is itself
a new revision). `updated_at` is the national `date_maj`: it follows the last edit.
"""

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from core.services import activity_record
from directory import schema
from directory.models import Venue, VenueRevision
from members import permissions

if TYPE_CHECKING:
    from core.models import Space
    from members.models import Territory, User

    # Who asks: a member (whom the permission rules may refuse); None is the command line.
    Actor = User | None

# What an edit may change (identifier, slug and dates are the application's).
EDITABLE_FIELDS = (
    "name",
    "pivot",
    "address",
    "address_complement",
    "postal_code",
    "insee_code",
    "city",
    "latitude",
    "longitude",
    "typology",
    "phone",
    "emails",
    "websites",
    "opening_hours",
    "summary",
    "description",
    "source",
    "itinerance",
    "parent_structure",
    "services",
    "publics",
    "specific_support",
    "fees",
    "national_programmes",
    "training_labels",
    "other_labels",
    "access_modes",
    "support_modes",
    "accessibility_url",
    "appointment_url",
    "equipment",
    "photo",
)
# Kept in each revision, so that any of them can be restored.
REVISIONED_FIELDS = ("territory",) + EDITABLE_FIELDS


ACTIVITY_VERBS: dict[str, str] = {
    VenueRevision.Kind.CREATED: "venue.created",
    VenueRevision.Kind.EDITED: "venue.updated",
    VenueRevision.Kind.IMPORTED: "venue.imported",
    VenueRevision.Kind.RESTORED: "venue.restored",
}


class EditConflict(ValidationError):
    """Someone saved the venue after the form was opened, changing a field this edit changes too."""


def snapshot(venue: Venue) -> dict[str, Any]:
    """The revisioned fields as JSON-ready values (decimals as strings, lists as lists)."""
    data: dict[str, Any] = {}
    for field in REVISIONED_FIELDS:
        if field == "territory":
            data[field] = venue.territory_id
            continue
        value = getattr(venue, field)
        if field in ("latitude", "longitude"):
            value = _decimal_text(value)
        elif field == "photo":
            value = value.name or ""
        data[field] = list(value) if isinstance(value, list) else value
    return data


def _decimal_text(value: decimal.Decimal | float | str | None) -> str | None:
    return None if value is None else f"{decimal.Decimal(value).quantize(decimal.Decimal('0.000001'))}"


def _comparable(field: str, value: Any) -> Any:
    if field in ("latitude", "longitude"):
        return None if value in (None, "") else _decimal_text(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list | tuple):
        # A list whose order alone changed (services ticked in another order) is the same list.
        return sorted(str(item).strip() for item in value)
    return value


def meaningful_changes(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recorded changes minus those that only reordered a list (older revisions may hold some)."""
    def real(change: dict[str, Any]) -> bool:
        field = change.get("field", "")
        return _comparable(field, change.get("before")) != _comparable(field, change.get("after"))

    return [change for change in changes if real(change)]


def normalize_phone(value: object) -> str:
    """`05 65 12 34 56` or `0033 5 65...` -> `+33565123456` (the schema's format); anything else as typed."""
    compact = "".join(ch for ch in str(value or "") if ch not in " .-/()\t")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if len(compact) == 10 and compact.startswith("0") and compact.isdigit():
        compact = "+33" + compact[1:]
    return compact if compact.startswith("+") and compact[1:].isdigit() else str(value or "").strip()


def _apply(venue: Venue, data: Mapping[str, Any]) -> None:
    for field, value in data.items():
        if field == "territory":
            venue.territory_id = value.pk if hasattr(value, "pk") else value
        elif field == "phone":
            venue.phone = normalize_phone(value)
        elif field == "photo":
            venue.photo = value or ""
        else:
            setattr(venue, field, value.strip() if isinstance(value, str) else value)


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    changes = [
        {"field": field, "before": before.get(field), "after": after.get(field)}
        for field in REVISIONED_FIELDS
        if _comparable(field, before.get(field)) != _comparable(field, after.get(field))
    ]
    for change in changes:
        if change["field"] == "territory":
            # Shown to people: names, not ids (the full record keeps the id, for restoring).
            from members.models import Territory

            territories = Territory.objects.filter(pk__in=[change["before"], change["after"]])
            names: dict[Any, str] = dict(territories.values_list("pk", "name"))
            change["before"], change["after"] = names.get(change["before"]), names.get(change["after"])
    return changes


def _check_fields(data: Mapping[str, Any], *, allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown venue fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def unique_slug(name: str, city: str) -> str:
    base = slugify(f"{name} {city}")[:180] or "lieu"
    slug, n = base, 1
    while Venue.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _territory_space(venue: Venue) -> "Space | None":
    from core.models import Space

    return Space.objects.filter(territory__pk=venue.territory_id).first()


def _record(
    *,
    actor: "Actor",
    venue: Venue,
    kind: str,
    changes: list[dict[str, Any]],
    restored_from: VenueRevision | None = None,
    comment: str = "",
) -> VenueRevision:
    revision = VenueRevision.objects.create(
        venue=venue,
        author=actor,
        kind=kind,
        data=snapshot(venue),
        changes=changes,
        restored_from=restored_from,
        comment=comment[:300],
    )
    verb = ACTIVITY_VERBS[kind]
    activity_record(actor=actor, verb=verb, target=venue, space=_territory_space(venue), url=venue.get_absolute_url())
    return revision


def venue_create(
    *,
    actor: "Actor",
    territory: "Territory",
    data: Mapping[str, Any],
    identifier: str | None = None,
    updated_at: datetime.datetime | None = None,
    kind: str = VenueRevision.Kind.CREATED,
) -> Venue:
    """A new venue in `territory` (local admins of it and coordinators; `actor=None` is the command line)."""
    if actor is not None and not permissions.can_create_venue(actor, territory):
        raise PermissionDenied(_("You cannot add a venue in this territory."))
    _check_fields(data, allowed=EDITABLE_FIELDS)
    venue = Venue(territory=territory)
    if identifier:
        venue.identifier = identifier.strip()
    _apply(venue, data)
    venue.updated_at = updated_at or timezone.now()
    venue.slug = unique_slug(venue.name, venue.city)
    venue.full_clean()
    with transaction.atomic():
        venue.save()
        _record(actor=actor, venue=venue, kind=kind, changes=_diff({}, snapshot(venue)))
    return venue


def venue_update(
    *,
    actor: "Actor",
    venue: Venue,
    data: Mapping[str, Any],
    base_revision_id: int | None = None,
    updated_at: datetime.datetime | None = None,
    kind: str = VenueRevision.Kind.EDITED,
    restored_from: VenueRevision | None = None,
    comment: str = "",
) -> Venue:
    """Apply `data` to `venue`; a revision records the change. Nothing changed: nothing saved, returns the venue.

    `base_revision_id` is the latest revision when the form was opened: if someone saved
    since and changed one of the fields this edit changes, `EditConflict` is raised and
    nothing is saved (edits to other fields merge, as in a wiki).
    """
    if actor is not None and not permissions.can_edit_venue(actor, venue):
        raise PermissionDenied(_("You cannot edit this venue."))
    _check_fields(data, allowed=REVISIONED_FIELDS)
    if "territory" in data and actor is not None:
        new_id = getattr(data["territory"], "pk", data["territory"])
        if new_id != venue.territory_id and not permissions.can_create_venue(actor, new_id):
            raise PermissionDenied(_("You cannot move this venue to that territory."))
    with transaction.atomic():
        # Lock the row: two saves of one venue are applied one after the other, each
        # against the record the other left.
        fresh = Venue.objects.select_for_update().get(pk=venue.pk)
        before = snapshot(fresh)
        _apply(fresh, data)
        after = snapshot(fresh)
        changes = _diff(before, after)
        if not changes:
            return fresh
        if base_revision_id is not None:
            _check_conflict(fresh, base_revision_id, changes)
        # The slug stays as it was, even after a change of name: links to the venue keep working.
        fresh.updated_at = updated_at or timezone.now()
        fresh.full_clean()
        fresh.save()
        _record(actor=actor, venue=fresh, kind=kind, changes=changes, restored_from=restored_from, comment=comment)
    return fresh


def _check_conflict(venue: Venue, base_revision_id: int, changes: list[dict[str, Any]]) -> None:
    later = list(
        VenueRevision.objects.filter(venue=venue, pk__gt=base_revision_id).select_related("author").order_by("pk")
    )
    if not later:
        return
    touched = {change["field"] for revision in later for change in revision.changes}
    clashing = sorted(touched & {change["field"] for change in changes})
    if clashing:
        author = later[-1].author.display_name if later[-1].author else _("an import")
        labels = ", ".join(_label(field) for field in clashing)
        raise EditConflict(
            _(
                "%(author)s saved this venue while you were editing it and changed the same fields (%(fields)s). "
                "Your changes are kept below: check the venue's current record, then save again."
            )
            % {"author": author, "fields": labels},
            code="conflict",
        )


def venue_restore(*, actor: "Actor", venue: Venue, revision: VenueRevision) -> Venue:
    """Bring the venue back to the record of `revision` (a new revision, so it can be undone too)."""
    if actor is not None and not permissions.can_edit_venue(actor, venue):
        raise PermissionDenied(_("You cannot edit this venue."))
    if revision.venue_id != venue.pk:
        raise ValidationError(_("This revision belongs to another venue."))
    data = {field: revision.data[field] for field in REVISIONED_FIELDS if field in revision.data}
    if "territory" in data and data["territory"] != venue.territory_id:
        from members.models import Territory

        if not Territory.objects.filter(pk=data["territory"]).exists():
            data.pop("territory")
    for field in ("latitude", "longitude"):
        if data.get(field) is not None:
            data[field] = decimal.Decimal(data[field])
    updated = venue_update(
        actor=actor,
        venue=venue,
        data=data,
        kind=VenueRevision.Kind.RESTORED,
        restored_from=revision,
        comment=_("Restored the version of %(date)s") % {"date": revision_date(revision)},
    )
    return updated


def venue_delete(*, actor: "User", venue: Venue) -> None:
    """Remove `venue` from the directory (local admins of its territory, coordinators).

    Its revisions go with it (they belong to the venue), so the activity keeps what was
    removed: the identifier and the last record (`data["record"]`, as a revision holds
    it), in the log of the venue's territory. The row is locked first: a venue already
    deleted, or deleted meanwhile, is a ValidationError and nothing is recorded.
    """
    permissions.can_delete_venue(actor, venue).check()
    with transaction.atomic():
        fresh = Venue.objects.select_for_update().filter(pk=venue.pk).first()
        if fresh is None:
            raise ValidationError(_("This venue no longer exists."), code="gone")
        if fresh.territory_id != venue.territory_id:
            permissions.can_delete_venue(actor, fresh).check()  # moved meanwhile: ask again
        activity_record(
            actor=actor,
            verb="venue.deleted",
            target=fresh,
            space=_territory_space(fresh),
            data={"identifier": fresh.identifier, "record": snapshot(fresh)},
            url="",  # the public page is gone with the venue
        )
        fresh.delete()


def local_noon(day: datetime.date) -> datetime.datetime:
    """A date_maj read from a file, as the venue's update time (noon, Paris time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def _label(field: str) -> str:
    """A field's label as people read it: « Types de structure », capitalised."""
    return capfirst(str(getattr(Venue._meta.get_field(field), "verbose_name", field)))


def field_labels() -> dict[str, str]:
    """Field name -> its label, for history pages."""
    labels = {field: _label(field) for field in REVISIONED_FIELDS}
    return labels


def revision_date(revision: VenueRevision) -> str:
    return timezone.localtime(revision.created_at).strftime("%d/%m/%Y %H:%M")


def revision_record(revision: VenueRevision) -> list[tuple[str, Any]]:
    """The record kept by `revision`, as (label, value) pairs for display (lists joined)."""
    from members.models import Territory

    labels = field_labels()
    rows = []
    for field in REVISIONED_FIELDS:
        value = revision.data.get(field)
        if field == "territory":
            value = Territory.objects.filter(pk=value).values_list("name", flat=True).first() or value
        if field == "typology" and isinstance(value, list):
            value = schema.structure_type_labels(value)
        if isinstance(value, list):
            value = ", ".join(value)
        rows.append((labels[field], "" if value is None else value))
    return rows
