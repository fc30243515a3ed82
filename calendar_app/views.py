"""The desk's agenda: month, week and list views of "Mon agenda" (or of the calendars chosen
with ?agenda=ID, repeatable), the calendars a member sees, one calendar's page.

Views stay thin: the items come from `agenda` below (`selectors.agenda_items` with the
calendars already loaded: a fixed number of queries whatever the data), the calendars from
`selectors.calendars_visible_to` (one query, which also tells which ones the member hid).
Bad query values answer 404 or fall back to the default, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendar_app import permissions, selectors, services
from calendar_app.models import Calendar

if TYPE_CHECKING:
    from calendar_app.registry import Item

MIN_YEAR = 1900
MAX_YEAR = 2999
GRID_WEEKS = 6
ITEMS_PER_DAY = 4  # in a cell of the month grid; "+N autres" beyond
LIST_WEEKS = 4  # one page of the list view
DETAIL_WEEKS = 8  # one page of a calendar's upcoming events
# Headings of the groups of calendars (the kinds of space, in this order; others after).
GROUP_ORDER = ("network", "territory", "workgroup")


# --- Items of an agenda ---------------------------------------------------------------------------
def _zone():
    return timezone.get_current_timezone()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), _zone())


def _checked_day(year: int, month: int, day: int = 1) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    try:
        return date(year, month, day)
    except ValueError:
        raise Http404 from None


def _parse_day(value: str | None) -> date | None:
    """A YYYY-MM-DD within the years the views show, or None."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


@dataclass
class Selection:
    """The calendars the member sees, those shown, and the ?agenda= ids asked for."""

    visible: list[Calendar]
    shown: list[Calendar]
    ids: list[int]

    @property
    def query(self) -> str:
        """"agenda=3&agenda=7" (or "") to keep the filter on the views' links."""
        return urlencode([("agenda", pk) for pk in self.ids])

    @property
    def shown_ids(self) -> set[int]:
        return {calendar.pk for calendar in self.shown}


def _selection(request) -> Selection:
    """?agenda=ID (repeatable) among the calendars the member sees (404 otherwise); without
    it, "Mon agenda": every calendar they see and did not hide. One query."""
    visible = list(selectors.calendars_visible_to(request.user))
    by_pk = {calendar.pk: calendar for calendar in visible}
    ids: list[int] = []
    for value in request.GET.getlist("agenda"):
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise Http404 from None
        if pk not in by_pk:
            raise Http404
        if pk not in ids:
            ids.append(pk)
    if ids:
        shown = [calendar for calendar in visible if calendar.pk in ids]
    else:
        shown = [calendar for calendar in visible if not calendar.hidden]
    return Selection(visible=visible, shown=shown, ids=ids)


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def _item_days(item: Item) -> tuple[date, date]:
    """First and last day (inclusive) an item is on: an all-day item in its own dates, a timed
    one in the site's zone; an end at midnight does not put it on the next day."""
    if item.all_day:
        start, end = item.start, item.end
    else:
        start, end = timezone.localtime(item.start), timezone.localtime(item.end)
    first, last = start.date(), end.date()
    if last > first and end.time() == time(0):
        last -= timedelta(days=1)
    return first, max(first, last)


def _sort_key(item: Item):
    return (not item.all_day, item.start.astimezone(_zone()), item.title, item.key)


@dataclass
class Day:
    day: date
    items: list[Item] = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False

    @property
    def shown(self) -> list[Item]:
        return self.items[:ITEMS_PER_DAY]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - ITEMS_PER_DAY)

    @property
    def anchor(self) -> str:
        return f"jour-{self.day.isoformat()}"


def _days(first: date, count: int, items: list[Item], *, month: int | None = None) -> list[Day]:
    """`count` days from `first`, each with its items (an item spanning days on each of them;
    all-day items first, then by time)."""
    today = timezone.localdate()
    days = [Day(day=first + timedelta(days=n)) for n in range(count)]
    last = days[-1].day
    for item in items:
        start, end = _item_days(item)
        if end < first or start > last:
            continue
        day = max(start, first)
        while day <= min(end, last):
            days[(day - first).days].items.append(item)
            day += timedelta(days=1)
    for entry in days:
        entry.items.sort(key=_sort_key)
        entry.in_month = month is None or entry.day.month == month
        entry.is_today = entry.day == today
    return days


def _can_add(user, selection: Selection):
    """Whether the day links lead to the "new event" form, and the calendar it preselects.

    Every approved member may add to their personal calendar; when one calendar is chosen,
    its own rule decides."""
    if len(selection.ids) == 1:
        calendar = selection.shown[0]
        return bool(permissions.can_add_event(user, calendar)), calendar.pk
    return True, None


def _common(request, selection: Selection, view: str, **extra) -> dict:
    query = selection.query
    today = timezone.localdate()
    switch = {
        "mois": _with_query(reverse("calendar:month", args=[today.year, today.month]), query),
        "semaine": _with_query(reverse("calendar:week", args=[today.year, today.month, today.day]), query),
        "liste": _with_query(reverse("calendar:list"), query),
    }
    return {
        "view": view, "switch": switch, "selection": selection, "agenda_query": query,
        "today": today, "filtered": bool(selection.ids), **extra,
    }


# --- Agenda views --------------------------------------------------------------------------------


def agenda_home(request):
    """This month's grid; ?vue=semaine or ?vue=liste for the week or the list."""
    today = timezone.localdate()
    view = request.GET.get("vue")
    if view == "semaine":
        return _week(request, today)
    if view == "liste":
        return _list(request, today)
    return _month(request, today.year, today.month)


def month(request, year, month):
    _checked_day(year, month)
    return _month(request, year, month)


def _month(request, year: int, month_number: int):
    selection = _selection(request)
    first_of_month = _checked_day(year, month_number)
    grid_start = first_of_month - timedelta(days=first_of_month.weekday())
    count = GRID_WEEKS * 7
    items = selectors.agenda_items(request.user, _midnight(grid_start),
                                   _midnight(grid_start + timedelta(days=count)), calendars=selection.shown)
    days = _days(grid_start, count, items, month=month_number)
    weeks = [days[n:n + 7] for n in range(0, count, 7)]
    previous = (first_of_month - timedelta(days=1)).replace(day=1)
    following = (first_of_month + timedelta(days=31)).replace(day=1)
    can_add, add_calendar = _can_add(request.user, selection)
    query = selection.query

    def month_url(day: date) -> str | None:
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            return None
        return _with_query(reverse("calendar:month", args=[day.year, day.month]), query)

    context = _common(
        request, selection, "mois", first=first_of_month, weeks=weeks, weekdays=[d.day for d in weeks[0]],
        previous_url=month_url(previous), next_url=month_url(following),
        today_url=month_url(timezone.localdate()), previous=previous, following=following,
        can_add=can_add, add_query=urlencode({"agenda": add_calendar} if add_calendar else {}),
        days_with_items=[d for d in days if d.items and d.in_month],
        form_action=reverse("calendar:month", args=[year, month_number]),
    )
    return render(request, "calendar_app/month.html", context)


def week(request, year, month, day):
    return _week(request, _checked_day(year, month, day))


def _week(request, day: date):
    selection = _selection(request)
    monday = day - timedelta(days=day.weekday())
    if monday.year < MIN_YEAR or (monday + timedelta(days=7)).year > MAX_YEAR:
        raise Http404
    items = selectors.agenda_items(request.user, _midnight(monday), _midnight(monday + timedelta(days=7)),
                                   calendars=selection.shown)
    days = _days(monday, 7, items)
    query = selection.query

    def week_url(target: date) -> str | None:
        if not MIN_YEAR <= target.year <= MAX_YEAR:
            return None
        return _with_query(reverse("calendar:week", args=[target.year, target.month, target.day]), query)

    today = timezone.localdate()
    can_add, add_calendar = _can_add(request.user, selection)
    context = _common(
        request, selection, "semaine", monday=monday, sunday=monday + timedelta(days=6), days=days,
        previous_url=week_url(monday - timedelta(days=7)), next_url=week_url(monday + timedelta(days=7)),
        today_url=week_url(today - timedelta(days=today.weekday())),
        month_url=_with_query(reverse("calendar:month", args=[monday.year, monday.month]), query),
        can_add=can_add, add_query=urlencode({"agenda": add_calendar} if add_calendar else {}),
        form_action=reverse("calendar:week", args=[day.year, day.month, day.day]),
    )
    return render(request, "calendar_app/week.html", context)


def agenda_list(request):
    start = _parse_day(request.GET.get("depuis")) or timezone.localdate()
    return _list(request, start)


def _later_url(path: str, start: date, weeks: int, query: str, *, back: bool = False) -> str | None:
    target = start + timedelta(weeks=-weeks if back else weeks)
    if not MIN_YEAR <= target.year <= MAX_YEAR:
        return None
    parts = f"depuis={target.isoformat()}"
    return f"{path}?{parts}&{query}" if query else f"{path}?{parts}"


def _list(request, start: date):
    selection = _selection(request)
    end = start + timedelta(weeks=LIST_WEEKS)
    items = selectors.agenda_items(request.user, _midnight(start), _midnight(end), calendars=selection.shown)
    days = [d for d in _days(start, LIST_WEEKS * 7, items) if d.items]
    path = reverse("calendar:list")
    context = _common(
        request, selection, "liste", start=start, end=end - timedelta(days=1), days=days,
        later_url=_later_url(path, start, LIST_WEEKS, selection.query),
        earlier_url=_later_url(path, start, LIST_WEEKS, selection.query, back=True),
        form_action=path,
    )
    return render(request, "calendar_app/list.html", context)


# --- Calendars -----------------------------------------------------------------------------------


def _visible_calendar(user, **lookup) -> Calendar:
    calendar = selectors.calendars_visible_to(user).filter(**lookup).first()
    if calendar is None:
        raise Http404
    return calendar


def calendar_list(request):
    """The calendars the member sees, grouped (personal, network, territories, workgroups),
    each with its "shown in Mon agenda" switch."""
    calendars = list(selectors.calendars_visible_to(request.user))
    headings = {"network": _("Network"), "territory": _("Territories"), "workgroup": _("Workgroups")}
    personal = [calendar for calendar in calendars if calendar.is_personal]
    groups: dict[str, list[Calendar]] = {}
    for calendar in calendars:
        if not calendar.is_personal:
            groups.setdefault(calendar.space.kind, []).append(calendar)
    order = [kind for kind in GROUP_ORDER if kind in groups] + sorted(set(groups) - set(GROUP_ORDER))
    grouped = []
    if personal:
        grouped.append(("personal", _("Personal"), personal))
    for kind in order:
        label = headings.get(kind) or groups[kind][0].space.kind_label
        grouped.append((kind, label, groups[kind]))
    return render(request, "calendar_app/calendars.html", {"groups": grouped, "count": len(calendars)})


def calendar_detail(request, pk):
    calendar = _visible_calendar(request.user, pk=pk)
    start = _parse_day(request.GET.get("depuis")) or timezone.localdate()
    end = start + timedelta(weeks=DETAIL_WEEKS)
    items = selectors.agenda_items(request.user, _midnight(start), _midnight(end), calendars=[calendar],
                                   with_sources=False, with_invitations=False)
    days = [d for d in _days(start, DETAIL_WEEKS * 7, items) if d.items]
    path = reverse("calendar:calendar", args=[calendar.pk])
    context = {
        "calendar": calendar, "days": days, "start": start, "end": end - timedelta(days=1),
        "can_add": permissions.can_add_event(request.user, calendar),
        "can_manage": permissions.can_manage_calendar(request.user, calendar),
        "later_url": _later_url(path, start, DETAIL_WEEKS, ""),
        "month_url": _with_query(reverse("calendar:index"), urlencode({"agenda": calendar.pk})),
    }
    return render(request, "calendar_app/calendar_detail.html", context)


@require_POST
def calendar_toggle(request, pk):
    """Show (checkbox "shown" ticked) or hide a calendar in "Mon agenda", then back."""
    calendar = _visible_calendar(request.user, pk=pk)
    shown = request.POST.get("shown") in ("1", "on", "true")
    services.calendar_set_hidden(actor=request.user, calendar=calendar, hidden=not shown)
    if shown:
        messages.success(request, _("“%(name)s” is shown in My calendar.") % {"name": calendar.name})
    else:
        messages.success(request, _("“%(name)s” is hidden from My calendar.") % {"name": calendar.name})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("calendar:calendars")
    return redirect(back)


def space_calendar(request, space_pk):
    calendar = _visible_calendar(request.user, space_id=space_pk)
    return redirect("calendar:calendar", calendar.pk)
