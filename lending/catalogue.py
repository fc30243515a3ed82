"""Adding and changing the equipment: items, kits, categories, repairs and retirement.

Every service takes `actor=`, asks `lending.permissions` (PermissionDenied with the reason,
ValidationError for a Conflict), validates its input (ValidationError naming the field, in
French) and writes inside one transaction: a refusal saves nothing. Every change of an item
writes a line of its history (`ItemEvent`).

Decisions worth knowing:
- An empty inventory number is given one, "MAT-" and five digits (the item's id, or the next
  free number); a typed one must be free (compared without case).
- Accessories are given as the full ordered list of their names. A row whose name is
  unchanged is kept (with its hand-over and return checks); a new name is a new row. A name
  taken out of the list is deleted, checks included (the model has no "removed" flag; the
  EDITED event keeps the removed names), except while the item is out on a loan that ticked it
  at the hand-over: then it is refused (the return must be able to tick it).
- Changing buffers does not move the days already held by existing bookings: new loans use
  the new buffers.
- An item that may not leave its venue must have a home venue (otherwise nobody could book it).
- Sending to repair does not cancel the loans to come: it returns them so that the page warns.
- The items of a kit with loans to come cannot be changed (the bookings of those loans hold the
  old items' days): wait for them, or make another kit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core import uploads
from core.permissions import conflict
from lending import permissions, reservations
from lending.dates import period_text
from lending.models import (
    MAX_BUFFER_DAYS,
    Accessory,
    AccessoryCheck,
    Category,
    Condition,
    Item,
    ItemEvent,
    ItemPhoto,
    Kit,
    Reservation,
)

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue

NAME_MAX = 120
CATEGORY_NAME_MAX = 80
INVENTORY_MAX = 40
ACCESSORY_MAX = 120
NOTE_MAX = 2000
PHOTOS_MAX = 10
PHOTO_SIZE_MAX = 10 * 1024 * 1024
INVENTORY_PREFIX = "MAT-"
# The owner choice that means the resource centre (no owner venue).
RESOURCE_CENTRE = "centre"
# The statuses of a reservation that hold its days and are still to come (OUT is separate).
TO_COME = (Reservation.Status.PENDING, Reservation.Status.OFFERED, Reservation.Status.APPROVED)

# What `item_update` may change (the accessories and photos have their own arguments).
ITEM_FIELDS = ("name", "category", "description", "owner_venue", "home_venue", "inventory_number", "condition",
               "notes", "may_leave_venue", "auto_approve", "buffer_before", "buffer_after")
KIT_FIELDS = ("name", "description", "owner_venue", "items", "auto_approve", "is_active")


def _field_labels() -> dict[str, str]:
    """The fields' names as the history shows them ("Modifié : nom, description")."""
    return {
        "name": pgettext("item field", "name"),
        "category": pgettext("item field", "category"),
        "description": pgettext("item field", "description"),
        "owner_venue": pgettext("item field", "owner"),
        "home_venue": pgettext("item field", "place where it is kept"),
        "inventory_number": pgettext("item field", "inventory number"),
        "notes": pgettext("item field", "notes"),
        "may_leave_venue": pgettext("item field", "may leave its venue"),
        "auto_approve": pgettext("item field", "automatic approval"),
        "buffer_before": pgettext("item field", "days kept free before a loan"),
        "buffer_after": pgettext("item field", "days kept free after a loan"),
        "accessories": pgettext("item field", "accessories"),
        "photos": pgettext("item field", "photos"),
    }


def condition_label(value: str) -> str:
    return str(Condition(value).label)


# --- Reading what the pages need --------------------------------------------------------------


def future_loans(item: Item, *, include_out: bool = True) -> list[Reservation]:
    """The reservations holding `item`'s days that are not over: to come (pending, offered,
    approved, ending today or later) and, with `include_out`, the one under way. One query."""
    statuses: tuple[str, ...] = TO_COME + ((Reservation.Status.OUT,) if include_out else ())
    today = timezone.localdate()
    rows = (Reservation.objects.filter(bookings__item=item, bookings__holds=True, status__in=statuses)
            .filter(Q(return_date__gte=today) | Q(status=Reservation.Status.OUT))
            .select_related("venue", "item", "kit", "requester").order_by("pickup_date", "pk").distinct())
    return list(rows)


def owner_choices(user: AnyUser) -> list[tuple[str, str]]:
    """The owners `user` may give equipment to: ("centre", "Centre de ressources") for the
    coordinators, then the venues they manage, by name. One query."""
    from directory.models import Venue

    choices: list[tuple[str, str]] = []
    if permissions.manages_owner(user, None):
        choices.append((RESOURCE_CENTRE, _("Resource centre")))
    if not permissions.manages_any(user):
        return choices
    venues = Venue.objects.order_by("name", "pk").only("pk", "name")
    scope = permissions.borrowing_venues_q(user)
    if scope is not None:
        venues = venues.filter(scope)
    choices += [(str(venue.pk), venue.name) for venue in venues]
    return choices


def describe_loan(reservation: Reservation) -> str:
    """"Médiathèque X, du 3 au 7 mars 2026"."""
    return _("%(venue)s, %(period)s") % {
        "venue": reservation.venue.name,
        "period": period_text(reservation.pickup_date, reservation.return_date),
    }


# --- Validation helpers -----------------------------------------------------------------------


def _clean_name(value: str, field: str, maximum: int) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({field: _("Give a name.")}, code="required")
    if len(name) > maximum:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": maximum}}, code="max_length")
    return name


def _clean_text(value: str | None, field: str, maximum: int = NOTE_MAX) -> str:
    text = (value or "").strip()
    if len(text) > maximum:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": maximum}}, code="max_length")
    return text


def _clean_buffer(value: Any, field: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 0 <= days <= MAX_BUFFER_DAYS:
        raise ValidationError({field: _("A number of days from 0 to %(max)d.") % {"max": MAX_BUFFER_DAYS}},
                              code="invalid")
    return days


def _clean_condition(value: Any, field: str = "condition") -> str:
    if value not in Condition.values:
        raise ValidationError({field: _("Choose the condition of the equipment.")}, code="invalid")
    return str(value)


def _clean_accessories(names: Iterable[str]) -> list[str]:
    cleaned = [" ".join((name or "").split()) for name in names]
    cleaned = [name for name in cleaned if name]
    for name in cleaned:
        if len(name) > ACCESSORY_MAX:
            message = _("« %(name)s… »: an accessory's name has at most %(max)d characters.")
            raise ValidationError({"accessories": message % {"name": name[:30], "max": ACCESSORY_MAX}},
                                  code="max_length")
    return cleaned


def _clean_inventory(value: str, *, exclude_pk: int | None = None) -> str:
    number = "".join((value or "").split())
    if len(number) > INVENTORY_MAX:
        raise ValidationError({"inventory_number": _("At most %(max)d characters.") % {"max": INVENTORY_MAX}},
                              code="max_length")
    if number:
        taken = Item.objects.filter(inventory_number__iexact=number)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        holder = taken.only("name").first()
        if holder is not None:
            raise _inventory_taken(number, holder.name)
    return number


def _inventory_taken(number: str, holder: str | None = None) -> ValidationError:
    if holder:
        message = _("The inventory number %(number)s is already given to « %(name)s ».") % {
            "number": number, "name": holder}
    else:
        message = _("The inventory number %(number)s is already given to another item.") % {"number": number}
    return ValidationError({"inventory_number": message}, code="unique")


def _check_stays(may_leave_venue: bool, home_venue: Venue | None) -> None:
    if not may_leave_venue and home_venue is None:
        raise ValidationError({"may_leave_venue": _(
            "Equipment that does not leave its venue must be kept at a venue: choose where it is kept.")},
            code="invalid")


def _photo_checked(photos: Iterable[UploadedFile], already: int) -> list[tuple[Any, ...]]:
    """The photos `core.uploads.validate` accepts, images only."""
    files = [f for f in photos if f]
    if not files:
        return []
    errors = []
    for upload in files:
        name = uploads.clean_file_name(upload.name)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in uploads.IMAGE_TYPES:
            errors.append(_("« %(name)s » is not a photo: add images (JPEG, PNG, GIF or WebP).") % {"name": name})
    if errors:
        raise ValidationError({"photos": errors}, code="invalid")
    room = PHOTOS_MAX - already
    if len(files) > room:
        raise ValidationError({"photos": _("At most %(n)d photos per item.") % {"n": PHOTOS_MAX}}, code="too_many")
    return uploads.validate(files, max_count=PHOTOS_MAX, max_size=PHOTO_SIZE_MAX,
                            too_many=_("At most %(n)d photos per item."), field="photos")


def _event(item: Item, kind: str, actor: AnyUser, *, condition: str = "", note: str = "",
           reservation: Reservation | None = None) -> ItemEvent:
    return ItemEvent.objects.create(item=item, kind=kind, actor=_actor(actor), condition=condition, note=note,
                                    reservation=reservation)


def _actor(actor: AnyUser) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


def _locked(item: Item) -> Item:
    return (Item.objects.select_for_update(of=("self",)).select_related("owner_venue", "home_venue", "category")
            .get(pk=item.pk))


def _copy_state(target: Item, source: Item) -> None:
    """Refresh the caller's object with what was saved."""
    for field in ITEM_FIELDS + ("status", "updated_at"):
        setattr(target, field, getattr(source, field))


# --- Items ------------------------------------------------------------------------------------


def _next_inventory_number(item: Item) -> str:
    number = item.pk
    while True:
        candidate = f"{INVENTORY_PREFIX}{number:05d}"
        if not Item.objects.filter(inventory_number__iexact=candidate).exclude(pk=item.pk).exists():
            return candidate
        number += 1


def item_create(*, actor: AnyUser, name: str, category: Category, owner_venue: Venue | None,
                home_venue: Venue | None, condition: str, inventory_number: str = "", description: str = "",
                notes: str = "", may_leave_venue: bool = True, auto_approve: bool = False,
                buffer_before: int = 0, buffer_after: int = 0, accessories: Iterable[str] = (),
                photos: Iterable[UploadedFile] = ()) -> Item:
    """Add an item to the catalogue (its photos and accessories with it); event CREATED."""
    permissions.can_add_equipment(actor, owner_venue).check()
    name = _clean_name(name, "name", NAME_MAX)
    if not isinstance(category, Category) or category.pk is None:
        raise ValidationError({"category": _("Choose a category.")}, code="required")
    condition = _clean_condition(condition)
    description = _clean_text(description, "description")
    notes = _clean_text(notes, "notes")
    before = _clean_buffer(buffer_before, "buffer_before")
    after = _clean_buffer(buffer_after, "buffer_after")
    _check_stays(bool(may_leave_venue), home_venue)
    names = _clean_accessories(accessories)
    checked = _photo_checked(photos, 0)
    with transaction.atomic():
        number = _clean_inventory(inventory_number)
        item = Item(name=name, category=category, description=description, owner_venue=owner_venue,
                    home_venue=home_venue, inventory_number=number or f"tmp-{uuid.uuid4().hex}",
                    condition=condition, notes=notes, may_leave_venue=bool(may_leave_venue),
                    auto_approve=bool(auto_approve), buffer_before=before, buffer_after=after,
                    created_by=_actor(actor))
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as error:  # typed meanwhile by someone else
            raise _inventory_taken(number) from error
        if not number:
            item.inventory_number = _next_inventory_number(item)
            Item.objects.filter(pk=item.pk).update(inventory_number=item.inventory_number)
        Accessory.objects.bulk_create([Accessory(item=item, name=n, position=i) for i, n in enumerate(names)])
        uploads.save_files(ItemPhoto, checked, item=item)
        _event(item, ItemEvent.Kind.CREATED, actor, condition=condition)
    return item


def _sync_accessories(item: Item, names: list[str]) -> tuple[bool, list[str]]:
    """Make the item's accessories `names`, in order. (changed, removed names)."""
    existing = list(item.accessories.all())
    unused = list(existing)
    plan: list[tuple[Accessory | None, str]] = []
    for name in names:
        match = next((row for row in unused if row.name == name), None)
        if match is not None:
            unused.remove(match)
        plan.append((match, name))
    if unused:
        out_now = (AccessoryCheck.objects.filter(accessory__in=unused, moment=AccessoryCheck.Moment.OUT,
                                                 reservation__status=Reservation.Status.OUT)
                   .select_related("accessory").order_by("accessory__position"))
        gone_out = [check.accessory.name for check in out_now]
        if gone_out:
            raise ValidationError({"accessories": _(
                "« %(name)s » went out with the current loan: take it out of the list after the return.")
                % {"name": gone_out[0]}}, code="out")
    changed = bool(unused)
    Accessory.objects.filter(pk__in=[row.pk for row in unused]).delete()
    for position, (row, name) in enumerate(plan):
        if row is None:
            Accessory.objects.create(item=item, name=name, position=position)
            changed = True
        elif row.position != position:
            Accessory.objects.filter(pk=row.pk).update(position=position)
            changed = True
    return changed, [row.name for row in unused]


def item_update(*, actor: AnyUser, item: Item, accessories: Sequence[str] | None = None,
                photos_add: Iterable[UploadedFile] = (), photos_remove: Iterable[int | ItemPhoto] = (),
                **changes: Any) -> Item:
    """Change an item's details (`changes`: any of ITEM_FIELDS), its accessories (the full
    ordered list of names, None: unchanged), add photos, remove photos (ids or rows of this
    item). A condition change writes a CONDITION event, other changes an EDITED event naming
    them; nothing changed, nothing written. Giving the item to another owner requires managing
    both, and the item out of every kit."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"item_update: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        fresh = _locked(item)
        permissions.can_edit_item(actor, fresh).check()
        new: dict[str, Any] = {}
        if "name" in changes:
            new["name"] = _clean_name(changes["name"], "name", NAME_MAX)
        if "category" in changes:
            if not isinstance(changes["category"], Category) or changes["category"].pk is None:
                raise ValidationError({"category": _("Choose a category.")}, code="required")
            new["category"] = changes["category"]
        for field in ("description", "notes"):
            if field in changes:
                new[field] = _clean_text(changes[field], field)
        if "condition" in changes:
            new["condition"] = _clean_condition(changes["condition"])
        for field in ("buffer_before", "buffer_after"):
            if field in changes:
                new[field] = _clean_buffer(changes[field], field)
        for field in ("may_leave_venue", "auto_approve"):
            if field in changes:
                new[field] = bool(changes[field])
        for field in ("owner_venue", "home_venue"):
            if field in changes:
                new[field] = changes[field]
        if "inventory_number" in changes:
            number = _clean_inventory(changes["inventory_number"], exclude_pk=fresh.pk)
            # Emptied: keep the current number (every item has one).
            new["inventory_number"] = number or fresh.inventory_number
        changed = [field for field, value in new.items() if _differs(fresh, field, value)]
        if "may_leave_venue" in changed or "home_venue" in changed:
            _check_stays(new.get("may_leave_venue", fresh.may_leave_venue),
                         new["home_venue"] if "home_venue" in new else fresh.home_venue)
        if "owner_venue" in changed:
            owner = new["owner_venue"]
            if not permissions.manages_owner(actor, owner):
                raise PermissionDenied(_("You may give this equipment only to an owner whose equipment you manage."))
            kit = fresh.kits.order_by("name").first()
            if kit is not None:
                raise ValidationError({"owner_venue": _(
                    "This item is part of the kit « %(kit)s », which has one owner: take it out of the kit first.")
                    % {"kit": kit.name}}, code="in_kit")
        old_condition = fresh.condition
        for field in changed:
            setattr(fresh, field, new[field])

        labels = []
        if accessories is not None:
            accessory_changed, removed = _sync_accessories(fresh, _clean_accessories(accessories))
            if accessory_changed:
                labels.append("accessories")
        else:
            removed = []
        to_remove = [p.pk if isinstance(p, ItemPhoto) else int(p) for p in photos_remove]
        photos = list(fresh.photos.filter(pk__in=to_remove)) if to_remove else []
        if len(photos) != len(set(to_remove)):
            raise ValidationError({"photos": _("A photo to remove is not one of this item's.")}, code="invalid")
        already = fresh.photos.count() - len(photos)
        checked = _photo_checked(photos_add, already)
        if photos or checked:
            labels.append("photos")
        if changed:
            try:
                with transaction.atomic():
                    fresh.save(update_fields=[*changed, "updated_at"])
            except IntegrityError as error:
                raise _inventory_taken(new.get("inventory_number", "")) from error
        for photo in photos:
            photo.delete()
            transaction.on_commit(partial(_delete_file, photo.file))
        uploads.save_files(ItemPhoto, checked, item=fresh)

        if "condition" in changed:
            _event(fresh, ItemEvent.Kind.CONDITION, actor, condition=fresh.condition,
                   note=_("%(old)s → %(new)s") % {"old": condition_label(old_condition),
                                                  "new": condition_label(fresh.condition)})
        labels = [field for field in changed if field != "condition"] + labels
        if labels:
            names = _field_labels()
            note = _("Changed: %(fields)s.") % {"fields": ", ".join(names[field] for field in labels)}
            if removed:
                note += " " + _("Accessories removed: %(names)s.") % {"names": ", ".join(removed)}
            _event(fresh, ItemEvent.Kind.EDITED, actor, note=note)
    _copy_state(item, fresh)
    return item


def _delete_file(stored: Any) -> None:
    stored.delete(save=False)


def _differs(item: Item, field: str, value: Any) -> bool:
    if field in ("owner_venue", "home_venue", "category"):
        return getattr(item, f"{field}_id") != (value.pk if value is not None else None)
    return bool(getattr(item, field) != value)


def _clean_note(note: str, *, required: str) -> str:
    text = (note or "").strip()
    if not text:
        raise ValidationError({"note": required}, code="required")
    return _clean_text(text, "note")


def item_send_to_repair(*, actor: AnyUser, item: Item, note: str) -> list[Reservation]:
    """The item goes to repair (not bookable until it is back); event REPAIR_START. Returns the
    loans still to come that hold its days (they are not cancelled: the page warns)."""
    with transaction.atomic():
        fresh = _locked(item)
        permissions.can_send_to_repair(actor, fresh).check()
        text = _clean_note(note, required=_("Say what is wrong with it."))
        if not Item.objects.filter(pk=fresh.pk, status=Item.Status.AVAILABLE).update(
                status=Item.Status.REPAIR, updated_at=timezone.now()):
            conflict(_("This equipment is no longer in service.")).check()
        _event(fresh, ItemEvent.Kind.REPAIR_START, actor, condition=fresh.condition, note=text)
        affected = future_loans(fresh, include_out=False)
    item.status = Item.Status.REPAIR
    return affected


def item_end_repair(*, actor: AnyUser, item: Item, condition: str, note: str = "") -> Item:
    """The item is back in service, in `condition`; event REPAIR_END."""
    with transaction.atomic():
        fresh = _locked(item)
        permissions.can_end_repair(actor, fresh).check()
        condition = _clean_condition(condition)
        text = _clean_text(note, "note")
        if not Item.objects.filter(pk=fresh.pk, status=Item.Status.REPAIR).update(
                status=Item.Status.AVAILABLE, condition=condition, updated_at=timezone.now()):
            conflict(_("This equipment is not in repair.")).check()
        _event(fresh, ItemEvent.Kind.REPAIR_END, actor, condition=condition, note=text)
    item.status = Item.Status.AVAILABLE
    item.condition = condition
    # Bookable again: its free periods go to the waiting list (after the item's lock is let
    # go: `offer_freed` locks every item concerned in id order).
    reservations.offer_freed([item])
    return item


def item_retire(*, actor: AnyUser, item: Item, note: str) -> Item:
    """The item leaves the catalogue for good (kept for its history); event RETIRED. Refused
    while it is out, or while loans to come hold its days (named: cancel them first)."""
    with transaction.atomic():
        fresh = _locked(item)
        permissions.can_edit_item(actor, fresh).check()
        if fresh.status == Item.Status.RETIRED:
            conflict(_("This equipment is already retired.")).check()
        loans = future_loans(fresh)
        out = [loan for loan in loans if loan.status == Reservation.Status.OUT]
        if out:
            conflict(_("This equipment is out on loan (%(loan)s): record its return first.")
                     % {"loan": describe_loan(out[0])}).check()
        if loans:
            conflict(ngettext(
                "A loan to come holds this equipment: %(loans)s. Cancel it first.",
                "Loans to come hold this equipment: %(loans)s. Cancel them first.", len(loans))
                % {"loans": "; ".join(describe_loan(loan) for loan in loans)}).check()
        text = _clean_note(note, required=_("Say why it is retired."))
        if not Item.objects.filter(pk=fresh.pk).exclude(status=Item.Status.RETIRED).update(
                status=Item.Status.RETIRED, updated_at=timezone.now()):
            conflict(_("This equipment is already retired.")).check()
        _event(fresh, ItemEvent.Kind.RETIRED, actor, condition=fresh.condition, note=text)
    item.status = Item.Status.RETIRED
    return item


# --- Kits -------------------------------------------------------------------------------------


def _clean_kit_items(items: Iterable[Item], owner_venue: Venue | None) -> list[Item]:
    chosen = list({item.pk: item for item in items}.values())
    owner_id = owner_venue.pk if owner_venue is not None else None
    if chosen:
        # Read them again: their owner and status as saved.
        fresh = {i.pk: i for i in Item.objects.filter(pk__in=[i.pk for i in chosen]).select_related("owner_venue")}
        chosen = [fresh[i.pk] for i in chosen if i.pk in fresh]
    for item in chosen:
        if item.owner_venue_id != owner_id:
            raise ValidationError({"items": _("« %(name)s » does not belong to the kit's owner: a kit gathers "
                                              "the equipment of one owner.") % {"name": item.name}}, code="owner")
        if item.status == Item.Status.RETIRED:
            raise ValidationError({"items": _("« %(name)s » is retired: it cannot be part of a kit.")
                                   % {"name": item.name}}, code="retired")
    if len(chosen) < 2:
        raise ValidationError({"items": _("Choose at least two items: a kit lends several items together.")},
                              code="too_few")
    return chosen


def kit_loans_to_come(kit: Kit) -> list[Reservation]:
    """The kit's reservations holding days or waiting for them (`Reservation.OPEN`) that are
    not over (under way included): a waiting request was made for these items. One query."""
    today = timezone.localdate()
    return list(Reservation.objects.filter(kit=kit, status__in=Reservation.OPEN)
                .filter(Q(return_date__gte=today) | Q(status=Reservation.Status.OUT))
                .select_related("venue").order_by("pickup_date", "pk"))


def kit_create(*, actor: AnyUser, name: str, owner_venue: Venue | None, items: Iterable[Item],
               description: str = "", auto_approve: bool = False) -> Kit:
    """A kit of at least two items of `owner_venue` (None: the resource centre), none retired."""
    permissions.can_add_equipment(actor, owner_venue).check()
    name = _clean_name(name, "name", NAME_MAX)
    description = _clean_text(description, "description")
    with transaction.atomic():
        chosen = _clean_kit_items(items, owner_venue)
        kit = Kit.objects.create(name=name, description=description, owner_venue=owner_venue,
                                 auto_approve=bool(auto_approve))
        kit.items.set(chosen)
    return kit


def kit_update(*, actor: AnyUser, kit: Kit, **changes: Any) -> Kit:
    """Change a kit (`changes`: any of KIT_FIELDS). Its items follow the same rules as at
    creation, and cannot change while loans of the kit are to come."""
    unknown = set(changes) - set(KIT_FIELDS)
    if unknown:
        raise TypeError(f"kit_update: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        fresh = Kit.objects.select_for_update(of=("self",)).select_related("owner_venue").get(pk=kit.pk)
        permissions.can_edit_item(actor, fresh).check()
        new: dict[str, Any] = {}
        if "name" in changes:
            new["name"] = _clean_name(changes["name"], "name", NAME_MAX)
        if "description" in changes:
            new["description"] = _clean_text(changes["description"], "description")
        for field in ("auto_approve", "is_active"):
            if field in changes:
                new[field] = bool(changes[field])
        owner = changes.get("owner_venue", fresh.owner_venue)
        if (owner.pk if owner else None) != fresh.owner_venue_id:
            if not permissions.manages_owner(actor, owner):
                raise PermissionDenied(_("You may give this kit only to an owner whose equipment you manage."))
            new["owner_venue"] = owner
        current = list(fresh.items.all())
        items = changes.get("items")
        chosen = _clean_kit_items(items if items is not None else current, owner)
        items_changed = {i.pk for i in chosen} != {i.pk for i in current}
        if items_changed or new.get("is_active") is False and fresh.is_active:
            loans = kit_loans_to_come(fresh)
            if loans:
                conflict(_("Loans of this kit are to come (%(loans)s): its items cannot change, nor can it be "
                           "withdrawn, before they are over.")
                         % {"loans": "; ".join(describe_loan(loan) for loan in loans)}).check()
        for field, value in new.items():
            setattr(fresh, field, value)
        if new:
            fresh.save(update_fields=list(new))
        if items_changed:
            fresh.items.set(chosen)
    for field, value in new.items():
        setattr(kit, field, value)
    return kit


# --- Categories -------------------------------------------------------------------------------


def _clean_category_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = _clean_name(name, "name", CATEGORY_NAME_MAX)
    # Compared in Python: SQLite folds the case of ASCII letters only ("Écrans", "écrans").
    for pk, other in Category.objects.values_list("pk", "name"):
        if pk != exclude_pk and other.casefold() == name.casefold():
            raise ValidationError({"name": _("A category « %(name)s » already exists.") % {"name": other}},
                                  code="unique")
    return name


def category_create(*, actor: AnyUser, name: str) -> Category:
    permissions.can_manage_categories(actor).check()
    with transaction.atomic():
        name = _clean_category_name(name)
        try:
            with transaction.atomic():
                return Category.objects.create(name=name)
        except IntegrityError as error:
            raise ValidationError({"name": _("A category « %(name)s » already exists.") % {"name": name}},
                                  code="unique") from error


def category_rename(*, actor: AnyUser, category: Category, name: str) -> Category:
    permissions.can_manage_categories(actor).check()
    with transaction.atomic():
        name = _clean_category_name(name, exclude_pk=category.pk)
        try:
            with transaction.atomic():
                Category.objects.filter(pk=category.pk).update(name=name)
        except IntegrityError as error:
            raise ValidationError({"name": _("A category « %(name)s » already exists.") % {"name": name}},
                                  code="unique") from error
    category.name = name
    return category


def category_delete(*, actor: AnyUser, category: Category) -> None:
    """Refused while items (retired ones included) are in it."""
    permissions.can_manage_categories(actor).check()
    with transaction.atomic():
        used = Item.objects.filter(category=category).count()
        if used:
            conflict(ngettext(
                "« %(name)s » holds %(count)d item: move it to another category first.",
                "« %(name)s » holds %(count)d items: move them to another category first.", used)
                % {"name": category.name, "count": used}).check()
        Category.objects.filter(pk=category.pk).delete()


def categories_with_counts() -> QuerySet[Category]:
    """Every category with `item_count` (items not retired) and `retired_count`; one query."""
    return Category.objects.annotate(
        item_count=Count("items", filter=~Q(items__status=Item.Status.RETIRED)),
        retired_count=Count("items", filter=Q(items__status=Item.Status.RETIRED)),
    ).order_by("position", "name")
