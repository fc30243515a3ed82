"""Hand-over and return of lent equipment, and what they leave in the items' history.

- `hand_over`: an approved reservation goes out. Under the reservation's and the items'
  row locks the service refuses an item already out in another reservation, in repair or
  retired, and a day before the first blocked day (pick-up minus the buffer) or after the
  return date; it writes an `AccessoryCheck` (moment out) for every accessory, the items'
  conditions (a CONDITION event when one changed) and a HANDED_OVER event per item. The
  status moves approved → out by a conditional UPDATE: of two hand-overs at once, one wins.
- `take_back`: out → returned by a conditional UPDATE (a second recording is refused),
  accessory checks (moment back), RETURNED events, damage photos, repairs, then the days are
  released and offered to the waiting list.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import uploads
from core.services import notify
from lending import availability, people, permissions
from lending.models import Accessory, AccessoryCheck, Booking, Condition, DamagePhoto, Item, ItemEvent, Reservation

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from members.models import User

Status = Reservation.Status
HANDED_TO_MAX = 150
NOTE_MAX = 2000
PHOTOS_MAX = 10
PHOTO_SIZE_MAX = 10 * 1024 * 1024
# From the best to the worst.
CONDITION_ORDER = [str(value) for value in Condition.values]
DAMAGED = {str(Condition.DAMAGED), str(Condition.BROKEN)}


# --- Reading ---------------------------------------------------------------------------------


def reservation_items(reservation: Reservation) -> list[Item]:
    """The items a reservation lends (its bookings: the item, or the kit's items as booked),
    with their accessories, each with `handed_out` (recorded present at the hand-over of this
    reservation); two queries."""
    handed = AccessoryCheck.objects.filter(reservation=reservation, accessory=OuterRef("pk"),
                                           moment=AccessoryCheck.Moment.OUT, present=True)
    accessories = Accessory.objects.annotate(handed_out=Exists(handed))
    return list(Item.objects.filter(bookings__reservation=reservation).select_related("owner_venue")
                .prefetch_related(Prefetch("accessories", queryset=accessories)).order_by("name", "pk"))


def handed_out(item: Item) -> list[Accessory]:
    """The accessories of `item` (from `reservation_items`) that left with it: the ones
    checked at the return."""
    return [accessory for accessory in item.accessories.all() if getattr(accessory, "handed_out", False)]


def worst(conditions: Collection[str]) -> str:
    """The worst of `conditions` ("" when there is none)."""
    ranked = [CONDITION_ORDER.index(value) for value in conditions if value in CONDITION_ORDER]
    return CONDITION_ORDER[max(ranked)] if ranked else ""


def days_late(reservation: Reservation, today: date | None = None) -> int:
    """Days after the return date: when it was returned, or today while it is still out."""
    if reservation.returned_at is not None:
        end = timezone.localdate(reservation.returned_at)
    elif reservation.status == Status.OUT:
        end = today or timezone.localdate()
    else:
        return 0
    return max(0, (end - reservation.return_date).days)


def first_handover_day(reservation: Reservation, items: Sequence[Item]) -> date:
    """The first day the equipment may leave: the pick-up date minus the buffer (the latest
    of the items' first blocked days, so that each one's is reached)."""
    if not items:
        return reservation.pickup_date
    return max(item.blocked_range(reservation.pickup_date, reservation.return_date)[0] for item in items)


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


# --- Validating ------------------------------------------------------------------------------


def _clean_conditions(items: Sequence[Item], conditions: Mapping[int, str]) -> dict[int, str]:
    """A valid condition for each item (ValidationError on `conditions` otherwise)."""
    errors = []
    cleaned: dict[int, str] = {}
    wanted = {int(key): str(value) for key, value in conditions.items()}
    unknown = set(wanted) - {item.pk for item in items}
    if unknown:
        errors.append(_("A condition was given for equipment that is not part of this loan."))
    for item in items:
        value = wanted.get(item.pk, "")
        if value not in CONDITION_ORDER:
            errors.append(_("Choose the condition of « %(name)s ».") % {"name": item.name})
        else:
            cleaned[item.pk] = value
    if errors:
        raise ValidationError({"conditions": errors})
    return cleaned


def _clean_accessories(items: Sequence[Item], accessories_present: Collection[int],
                       only: Collection[int] | None = None) -> set[int]:
    """The accessories ticked, among those of `items` (and of `only` when given)."""
    present = {int(pk) for pk in accessories_present}
    known = {accessory.pk for item in items for accessory in item.accessories.all()
             if only is None or accessory.pk in only}
    if present - known:
        raise ValidationError({"accessories": _("An accessory ticked is not one of this loan's equipment.")})
    return present


def _clean_text(value: str, field: str, maximum: int) -> str:
    text = (value or "").strip()
    if len(text) > maximum:
        raise ValidationError({field: _("Keep this text under %(max)d characters.") % {"max": maximum}})
    return text


def _lock_items_then(reservation: Reservation) -> tuple[Reservation, list[Item]]:
    """The reservation's items' rows locked first (from its bookings), then its own row: the
    order of every reservation service (`lending.reservations`), so that none waits for the
    other in a circle. Returns the reservation read fresh and its locked items (with their
    accessories, `reservation_items`)."""
    ids = list(Booking.objects.filter(reservation=reservation).values_list("item_id", flat=True))
    fresh = availability.lock_items([Item(pk=pk) for pk in ids])
    locked = _lock(reservation)
    return locked, _with_accessories(fresh, reservation_items(locked))


def _lock(reservation: Reservation) -> Reservation:
    """The reservation's row, locked until the end of the transaction, read fresh."""
    return (Reservation.objects.select_for_update(of=("self",))
            .select_related("item__owner_venue", "kit__owner_venue", "venue").get(pk=reservation.pk))


def _write_checks(reservation: Reservation, items: Sequence[Item], present: set[int], moment: str,
                  only: Collection[int] | None = None) -> list[Accessory]:
    """An AccessoryCheck for every accessory of `items` (of `only` when given: at the return,
    the ones that left); returns the missing ones."""
    missing = []
    rows = []
    for item in items:
        for accessory in item.accessories.all():
            if only is not None and accessory.pk not in only:
                continue
            rows.append(AccessoryCheck(reservation=reservation, accessory=accessory, moment=moment,
                                       present=accessory.pk in present))
            if accessory.pk not in present:
                missing.append(accessory)
    AccessoryCheck.objects.bulk_create(rows)
    return missing


def _with_accessories(locked: Sequence[Item], items: Sequence[Item]) -> list[Item]:
    """The locked (fresh) rows, with the accessories already read for `items`."""
    by_id = {item.pk: item for item in items}
    for item in locked:
        item._prefetched_objects_cache = by_id[item.pk]._prefetched_objects_cache  # type: ignore[attr-defined]
    return list(locked)


def _set_conditions(items: Sequence[Item], conditions: Mapping[int, str], *, actor: User,
                    reservation: Reservation, now: datetime, events: list[ItemEvent]) -> None:
    for item in items:
        value = conditions[item.pk]
        if value != item.condition:
            Item.objects.filter(pk=item.pk).update(condition=value, updated_at=now)
            item.condition = value
            events.append(ItemEvent(item=item, kind=ItemEvent.Kind.CONDITION, at=now, actor=actor,
                                    reservation=reservation, condition=value))


# --- Hand-over -------------------------------------------------------------------------------


def hand_over(*, actor: User, reservation: Reservation, handed_to: str, conditions: Mapping[int, str],
              accessories_present: Collection[int], note: str = "", now: datetime | None = None) -> Reservation:
    """Record that the equipment of an approved reservation left with `handed_to`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    permissions.can_hand_over(actor, reservation, today).check()
    handed_to = " ".join((handed_to or "").split())
    if not handed_to:
        raise ValidationError({"handed_to": _("Write the name of the person who takes the equipment.")})
    if len(handed_to) > HANDED_TO_MAX:
        raise ValidationError({"handed_to": _("Keep this text under %(max)d characters.") % {"max": HANDED_TO_MAX}})
    note = _clean_text(note, "note", NOTE_MAX)
    with transaction.atomic():
        locked, items = _lock_items_then(reservation)
        permissions.can_hand_over(actor, locked, today).check()
        cleaned = _clean_conditions(items, conditions)
        present = _clean_accessories(items, accessories_present)
        for item in items:
            if item.status == Item.Status.REPAIR:
                raise ValidationError(_("« %(name)s » is in repair: it cannot be handed over.") % {"name": item.name})
            if item.status == Item.Status.RETIRED:
                raise ValidationError(_("« %(name)s » is not lent any more.") % {"name": item.name})
        elsewhere = (Booking.objects.filter(item__in=items, reservation__status=Status.OUT)
                     .exclude(reservation=locked).select_related("item", "reservation__venue")
                     .order_by("item__name", "pk").first())
        if elsewhere is not None:
            raise ValidationError(_("« %(name)s » is already out: lent to %(venue)s until %(date)s.") % {
                "name": elsewhere.item.name, "venue": elsewhere.reservation.venue.name,
                "date": _day(elsewhere.reservation.return_date)})
        first = first_handover_day(locked, items)
        if today < first:
            raise ValidationError(_("Too early: this equipment may be handed over from %(date)s.")
                                  % {"date": _day(first)})
        if today > locked.return_date:
            raise ValidationError(_("The return date (%(date)s) has passed: this reservation can no longer "
                                    "be handed over.") % {"date": _day(locked.return_date)})
        updated = Reservation.objects.filter(pk=locked.pk, status=Status.APPROVED).update(
            status=Status.OUT, handed_over_at=now, handed_over_by=actor, handed_to=handed_to,
            handover_condition=worst(cleaned.values()), handover_note=note, updated_at=now)
        if not updated:
            raise ValidationError(_("This equipment has already been handed over."))
        _write_checks(locked, items, present, AccessoryCheck.Moment.OUT)
        events: list[ItemEvent] = []
        _set_conditions(items, cleaned, actor=actor, reservation=locked, now=now, events=events)
        for item in items:
            events.append(ItemEvent(item=item, kind=ItemEvent.Kind.HANDED_OVER, at=now, actor=actor,
                                    reservation=locked, condition=cleaned[item.pk], note=note))
        ItemEvent.objects.bulk_create(events)
    return _fresh(locked)


def _fresh(reservation: Reservation) -> Reservation:
    return (Reservation.objects.select_related("item__owner_venue", "kit__owner_venue", "venue", "requester")
            .get(pk=reservation.pk))


# --- Return ----------------------------------------------------------------------------------


PhotoInput = Sequence["UploadedFile"] | Mapping[int, Sequence["UploadedFile"]]


def _check_photos(items: Sequence[Item], photos: PhotoInput) -> list[tuple[Item, list[Any]]]:
    """The photos validated (images only), each with its item. A plain sequence goes to the
    first item whose condition is worst (the only item, for a loan of one item)."""
    if isinstance(photos, Mapping):
        by_item = {int(key): list(value) for key, value in photos.items() if value}
        if set(by_item) - {item.pk for item in items}:
            raise ValidationError({"photos": _("A photo was given for equipment that is not part of this loan.")})
    else:
        by_item = {items[0].pk: list(photos)} if items and photos else {}
    checked = []
    total = sum(len(files) for files in by_item.values())
    if total > PHOTOS_MAX:
        raise ValidationError({"photos": _("Add at most %(n)d photos.") % {"n": PHOTOS_MAX}})
    for item in items:
        files = by_item.get(item.pk)
        if not files:
            continue
        accepted = uploads.validate(files, max_count=PHOTOS_MAX, max_size=PHOTO_SIZE_MAX,
                                    too_many=_("Add at most %(n)d photos."), field="photos")
        not_images = [name for _upload, name, _ext, _type, is_image in accepted if not is_image]
        if not_images:
            raise ValidationError({"photos": [_("« %(name)s » is not a photo (accepted: JPEG, PNG, GIF, WebP).")
                                              % {"name": name} for name in not_images]})
        checked.append((item, accepted))
    return checked


def take_back(*, actor: User, reservation: Reservation, conditions: Mapping[int, str],
              accessories_present: Collection[int], damage_note: str = "", photos: PhotoInput = (),
              send_to_repair: Collection[int] = frozenset(), now: datetime | None = None) -> Reservation:
    """Record the return of the equipment of a reservation that is out (with its real date)."""
    from lending.reservations import offer_freed

    now = now or timezone.now()
    permissions.can_take_back(actor, reservation).check()
    damage_note = _clean_text(damage_note, "damage_note", NOTE_MAX)
    with transaction.atomic():
        locked, items = _lock_items_then(reservation)
        permissions.can_take_back(actor, locked).check()
        # Only what left at the hand-over comes back (or goes missing).
        gone = {accessory.pk for item in items for accessory in handed_out(item)}
        cleaned = _clean_conditions(items, conditions)
        present = _clean_accessories(items, accessories_present, only=gone)
        repair = {int(pk) for pk in send_to_repair}
        if repair - {item.pk for item in items}:
            raise ValidationError({"send_to_repair": _("Only the equipment of this loan can be sent to repair.")})
        checked = _check_photos(items, photos)
        updated = Reservation.objects.filter(pk=locked.pk, status=Status.OUT).update(
            status=Status.RETURNED, returned_at=now, returned_by=actor,
            return_condition=worst(cleaned.values()), damage_note=damage_note, updated_at=now)
        if not updated:
            raise ValidationError(_("This return has already been recorded."))
        missing = _write_checks(locked, items, present, AccessoryCheck.Moment.BACK, only=gone)
        events: list[ItemEvent] = []
        _set_conditions(items, cleaned, actor=actor, reservation=locked, now=now, events=events)
        missing_note = ""
        if missing:
            missing_note = ngettext("Missing accessory: %(names)s.", "Missing accessories: %(names)s.",
                                    len(missing)) % {"names": ", ".join(a.name for a in missing)}
        for item in items:
            mine = [a.name for a in missing if a.item_id == item.pk]
            lines = [damage_note] if damage_note else []
            if mine:
                lines.append(ngettext("Missing accessory: %(names)s.", "Missing accessories: %(names)s.",
                                      len(mine)) % {"names": ", ".join(mine)})
            events.append(ItemEvent(item=item, kind=ItemEvent.Kind.RETURNED, at=now, actor=actor,
                                    reservation=locked, condition=cleaned[item.pk], note="\n".join(lines)))
        for item in items:
            if item.pk in repair and item.status == Item.Status.AVAILABLE:
                Item.objects.filter(pk=item.pk).update(status=Item.Status.REPAIR, updated_at=now)
                item.status = Item.Status.REPAIR
                events.append(ItemEvent(item=item, kind=ItemEvent.Kind.REPAIR_START, at=now, actor=actor,
                                        reservation=locked, condition=cleaned[item.pk], note=damage_note))
        ItemEvent.objects.bulk_create(events)
        for item, accepted in checked:
            uploads.save_files(DamagePhoto, accepted, reservation=locked, item=item)
        damaged = bool(damage_note or missing or DAMAGED & set(cleaned.values()))
        if damaged:
            for manager in people.managers_of(locked.subject.owner_venue):
                notify(recipient=manager, verb="lending.damaged", target=locked, actor=actor,
                       url=locked.get_absolute_url())
        availability.release(locked)
        offer_freed(items, now=now)
    fresh = _fresh(locked)
    fresh.missing_accessories = missing  # type: ignore[attr-defined]
    fresh.missing_note = missing_note  # type: ignore[attr-defined]
    return fresh
