"""The catalogue, read side: the searchable list, an item's page with its availability
calendar, its printable label and QR code, its photos, the kits.

Thin: they parse, call `lending.selectors` (and `availability` for the calendar) and render.
A retired item or an inactive kit reads as missing (404) except for its managers; what one
sees but may not do (the label) is a 403 with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext
from django.views.decorators.http import require_GET

from core.qr import qr_svg_response
from core.services import absolute_url
from core.uploads import file_response
from directory.models import Venue
from lending import availability, permissions, selectors
from lending.catalogue_forms import CatalogueFilterForm, RepairForm, RetireForm, repair_label
from lending.models import Item, ItemPhoto, Kit, Reservation
from lending.navigation import lending_tabs

PAGE_SIZE = 25
FILTERS = ("q", "categorie", "proprietaire", "territoire", "du", "au", "tous")


@dataclass
class Card:
    """An item of a list, with where it is now and, when dates are asked, whether it is free."""

    item: Item
    loan: Reservation | None
    free: bool | None
    reserve_url: str
    item_url: str = ""


def _carried(request: HttpRequest, period: tuple[date, date] | None = None) -> dict[str, str]:
    """What a page passes on to the item, kit and reserve pages: the dates asked for (`du`,
    `au`) and the workshop session (`seance`), so the reserve form is filled in."""
    carried: dict[str, str] = {}
    if period is not None:
        carried = {"du": period[0].isoformat(), "au": period[1].isoformat()}
    else:
        for key in ("du", "au"):
            try:
                carried[key] = date.fromisoformat(request.GET.get(key, "")).isoformat()
            except ValueError:
                continue
    seance = request.GET.get("seance", "")
    if seance.isdecimal() and seance.isascii():
        carried["seance"] = seance
    return carried


def _with(url: str, carried: dict[str, str]) -> str:
    return f"{url}?{urlencode(carried)}" if carried else url


def _reserve_url(name: str, pk: int, period: tuple[date, date] | None, carried: dict[str, str] | None = None) -> str:
    if carried is None:
        carried = {"du": period[0].isoformat(), "au": period[1].isoformat()} if period is not None else {}
    return _with(reverse(name, args=[pk]), carried)


def _owner_choices() -> list[tuple[int, str]]:
    """The venues that own equipment, for the owner filter; one query."""
    return list(Venue.objects.filter(owned_equipment__isnull=False).distinct().order_by("name", "pk")
                .values_list("pk", "name"))


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CatalogueFilterForm(request.GET or None, owners=_owner_choices())
    chosen = form.filters()
    period: tuple[date, date] | None = chosen.pop("available", None)
    show_all = form.show_unavailable
    unavailable: set[int] = set()
    if period is not None and show_all:
        items = selectors.catalogue(user, **chosen)
        unavailable = selectors.unavailable_among(selectors.catalogue_q(user, **chosen), period)
    else:
        items = selectors.catalogue(user, **chosen, available=period)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Item] = list(page.object_list)
    loans = selectors.current_loans(item.pk for item in rows)
    carried = _carried(request, period)
    cards = [Card(item, loans.get(item.pk), None if period is None else item.pk not in unavailable,
                  _reserve_url("materiel:reserve-item", item.pk, period, carried),
                  _with(item.get_absolute_url(), carried)) for item in rows]
    query = {key: request.GET[key] for key in FILTERS if request.GET.get(key)}
    manager = permissions.manages_any(user)
    return render(request, "lending/catalogue/index.html", {
        "tabs": lending_tabs(user), "filters": form, "page": page, "cards": cards, "period": period,
        "show_all": show_all, "extra_query": urlencode(query), "filtered": bool(query),
        "show_all_url": "?" + urlencode({**query, "tous": "on"}),
        "free_only_url": "?" + urlencode({key: value for key, value in query.items() if key != "tous"}),
        "can_add": manager, "today": timezone.localdate(),
    })


def _days(count: int) -> str:
    return npgettext("duration", "%(count)d day", "%(count)d days", count) % {"count": count}


def buffers_text(item: Item) -> str:
    """"Allow 1 day before and 2 days after each loan for transport.", or "" without buffers."""
    before, after = item.buffer_before, item.buffer_after
    if before and after:
        return _("Allow %(before)s before and %(after)s after each loan for transport.") % {
            "before": _days(before), "after": _days(after)}
    if before:
        return _("Allow %(before)s before each loan for transport.") % {"before": _days(before)}
    if after:
        return _("Allow %(after)s after each loan for transport.") % {"after": _days(after)}
    return ""


def _calendar_context(request: HttpRequest, items: list[Item], *, single: Item | None) -> dict[str, Any]:
    today = timezone.localdate()
    carried = _carried(request)
    # The month asked for, else the one of the dates carried from the catalogue.
    first = selectors.parse_month(request.GET.get("mois") or carried.get("du", "")[:7] or None, today)
    _first, last = selectors.month_bounds(first)
    if single is not None:
        busy = availability.calendar(single, first, last)
    else:
        busy = selectors.kit_calendar(items, first, last)
    month = selectors.month_grid(first, busy, today)
    return {"month": month, "today": today,
            "previous_month": "?" + urlencode({"mois": f"{month.previous:%Y-%m}", **carried}),
            "next_month": "?" + urlencode({"mois": f"{month.next:%Y-%m}", **carried}),
            "this_month": today.replace(day=1) != first}


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.item_get_for_user(user, pk)
    manager = permissions.is_manager(user, item)
    context = _calendar_context(request, [item], single=item)
    upcoming = selectors.upcoming_reservations([item], context["today"])
    return render(request, "lending/catalogue/item.html", {
        **context, "tabs": lending_tabs(user), "item": item, "is_manager": manager,
        "photos": list(item.photos.filter(is_image=True).order_by("pk")),
        "accessories": list(item.accessories.all()), "kits": selectors.kits_of(item, user),
        "loan": selectors.current_loans([item.pk]).get(item.pk), "upcoming": upcoming,
        "buffers": buffers_text(item),
        "reserve_url": _reserve_url("materiel:reserve-item", item.pk, None, _carried(request)),
        "repair_form": RepairForm(auto_id="repair_%s"), "retire_form": RetireForm(auto_id="retire_%s"),
        "repair_label": repair_label(item), "repair_action": "end" if item.status == Item.Status.REPAIR else "start",
    })


def _labelled(request: HttpRequest, pk: int) -> Item:
    """The item (404 if unseen), for its managers (403 with the reason)."""
    item = selectors.item_get_for_user(request.user, pk)
    permissions.can_edit_item(request.user, item).check()
    return item


@require_GET
def item_label(request: HttpRequest, pk: int) -> HttpResponse:
    item = _labelled(request, pk)
    owner = item.owner_venue
    contact = ""
    if owner is not None:
        parts = [owner.phone, *(owner.emails or [])[:1]]
        contact = (" · ".join(str(part) for part in parts if part)
                   or f"{owner.address}, {owner.postal_code} {owner.city}")
    return render(request, "lending/catalogue/label.html", {
        "item": item, "owner": owner, "contact": contact,
        "page_url": absolute_url(item.get_absolute_url()),
    })


@require_GET
def item_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The label's QR code: the absolute address of the item's page."""
    item = selectors.item_get_for_user(request.user, pk)
    return qr_svg_response(absolute_url(item.get_absolute_url()))


@require_GET
def item_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    item = selectors.item_get_for_user(request.user, pk)
    photo = ItemPhoto.objects.filter(pk=photo_pk, item=item).first()
    if photo is None:
        raise Http404
    return file_response(photo)


@dataclass
class KitCard:
    kit: Kit
    items: list[Item]
    not_lendable: list[Item]
    # Not in service but hidden from the reader (retired): the kit cannot be booked either.
    hidden_unbookable: int = 0


@require_GET
def kit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.kits_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    cards = []
    for kit in page.object_list:
        members: list[Item] = kit.members  # type: ignore[attr-defined]
        blocked = [item for item in members if not item.is_bookable]
        hidden = max(0, kit.unbookable_count - len(blocked))  # type: ignore[attr-defined]
        cards.append(KitCard(kit, members, blocked, hidden))
    return render(request, "lending/catalogue/kits.html", {
        "tabs": lending_tabs(user), "page": page, "cards": cards, "can_add": permissions.manages_any(user),
    })


@require_GET
def kit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    kit = selectors.kit_get_for_user(user, pk)
    items = selectors.kit_items(kit)
    visible = {item.pk for item in items
               if item.status != Item.Status.RETIRED or permissions.is_manager(user, item)}
    context = _calendar_context(request, items, single=None)
    loans = selectors.current_loans(item.pk for item in items)
    blocked = [item for item in items if not item.is_bookable]
    return render(request, "lending/catalogue/kit.html", {
        **context, "tabs": lending_tabs(user), "kit": kit, "is_manager": permissions.is_manager(user, kit),
        "rows": [{"item": item, "visible": item.pk in visible, "loan": loans.get(item.pk)} for item in items],
        "blocked": blocked, "lendable": kit.is_active and bool(items) and not blocked,
        "upcoming": selectors.upcoming_reservations(items, context["today"]),
        "reserve_url": _reserve_url("materiel:reserve-kit", kit.pk, None, _carried(request)),
        "items_count": ngettext("%(count)d item", "%(count)d items", len(items)) % {"count": len(items)},
    })
