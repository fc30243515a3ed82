"""The usage statistics of the equipment (materiel:stats) and their CSV (materiel:stats-csv).

Thin: the filters are parsed by `stats_forms`, the figures computed by `stats.usage`. Who
manages no equipment gets a 403 with the reason; the others see the equipment they manage
(`permissions.managed_q`: the coordinators, everything)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from core import spreadsheets
from lending import permissions
from lending import stats as usage_stats
from lending.navigation import lending_tabs
from lending.stats_forms import CENTRE, Choice, StatsFilterForm
from members import permissions as member_permissions

VIEW_PARAM = "vue"
VIEWS = ("summary", "categories", "items", "requested", "venues")
# The bars' widths go by steps of 5 %; a chart shows at most this many rows (its table all).
STEP = 5
CHART_ROWS = 20


def _allowed(request: HttpRequest) -> Any:
    user = request.user
    if not permissions.can_view_stats(user):
        raise PermissionDenied(_("Only the people who manage equipment see its usage statistics."))
    return user


def _owners(user: Any) -> list[tuple[str, str]]:
    """The owners whose equipment `user` manages, to choose from (one query)."""
    owners = [(str(venue.pk), venue.name) for venue in usage_stats.owners_lending(permissions.managed_q(user))]
    if member_permissions.is_coordinator(user):
        owners.insert(0, (CENTRE, _("The resource centre")))
    return owners


def _filters(request: HttpRequest, user: Any) -> tuple[StatsFilterForm, Choice, list[tuple[str, str]]]:
    owners = _owners(user)
    form = StatsFilterForm(request.GET or None, today=timezone.localdate(), owners=owners)
    return form, form.choice(), owners


def _items_q(user: Any, choice: Choice) -> Q:
    items_q = permissions.managed_q(user)
    owner_q = choice.owner_q()
    return items_q & owner_q if owner_q is not None else items_q


def _day(day: date) -> str:
    return formats.date_format(day, "j F Y")


def period_text(choice: Choice) -> str:
    return _("from %(start)s to %(end)s") % {"start": _day(choice.start), "end": _day(choice.end)}


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}\u00a0%"


# --- Charts: each one drawn from its table ---------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    step: int  # the width, in steps of STEP % of the largest value


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    legend: str
    columns: list[str]
    rows: list[list[Any]]  # the first cell names the row; `links` gives its URL when there is one
    value_column: int
    links: list[str | None]

    @property
    def bars(self) -> list[Bar]:
        shown = self.rows[:CHART_ROWS]
        largest = max((row[self.value_column] for row in shown), default=0)
        return [Bar(str(row[0]), row[self.value_column], _step(row[self.value_column], largest)) for row in shown]

    @property
    def cut(self) -> bool:
        return len(self.rows) > CHART_ROWS

    @property
    def table(self) -> list[tuple[str | None, list[Any]]]:
        return list(zip(self.links, self.rows, strict=True))


def _step(value: int, largest: int) -> int:
    if not value or not largest:
        return 0
    return int((Decimal(value) * 100 / largest / STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * STEP


def _summary_rows(usage: usage_stats.Usage) -> list[list[Any]]:
    return [
        [_("Loans"), usage.loans],
        [_("Days lent"), usage.days],
        [_("Items lent"), usage.items],
        [_("Borrowing venues"), usage.venues],
        [_("Requests made"), usage.requests],
        [_("Requests refused"), usage.refused],
        [_("Requests put on the waiting list"), usage.waiting],
        [_("Loans due back"), usage.due],
        [_("Back late or still out past their return date"), usage.overdue],
        [_("Overdue rate"), _percent(usage.overdue_rate)],
    ]


def charts(usage: usage_stats.Usage) -> list[Chart]:
    category, loans, days = pgettext("equipment", "Category"), _("Loans"), _("Days lent")
    item_url = "materiel:item"
    return [
        Chart("categories", _("Days lent by category"),
              _("A kit counts for each of its items: its categories may add up to more loans than the total."),
              days, [category, loans, days, _("Items lent"), _("Share of the days lent")],
              [[row.name, row.loans, row.days, row.items, _percent(row.share)] for row in usage.by_category], 2,
              [None] * len(usage.by_category)),
        Chart("items", _("The items lent the most"),
              _("The %(count)d items with the most days lent.") % {"count": usage_stats.TOP},
              days, [_("Item"), _("Inventory number"), category, loans, days],
              [[row.name, row.inventory_number, row.category, row.loans, row.days] for row in usage.top_items], 4,
              [reverse(item_url, args=[row.pk]) for row in usage.top_items]),
        Chart("requested", _("The items requested the most"),
              _("The requests made in the period, whatever became of them; a kit's request counts for each of "
                "its items."),
              _("Requests"), [_("Item"), _("Inventory number"), category, _("Requests"),
                              pgettext("equipment requests", "Refused"), _("Put on the waiting list")],
              [[row.name, row.inventory_number, row.category, row.requests, row.refused, row.waiting]
               for row in usage.most_requested], 3,
              [reverse(item_url, args=[row.pk]) for row in usage.most_requested]),
        Chart("venues", _("Borrowing venues"), _("The venues the loans were for."),
              days, [_("Venue"), loans, days],
              [[row.name, row.loans, row.days] for row in usage.by_venue], 2,
              [reverse("materiel:venue-history", args=[row.pk]) for row in usage.by_venue]),
    ]


# --- Views ---------------------------------------------------------------------------------


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    user = _allowed(request)
    form, choice, owners = _filters(request, user)
    if not (form.is_bound and form.errors):
        # Shown as the period chosen, with its dates (and the same dates, hidden, to tell
        # whether they are changed by hand).
        form = StatsFilterForm(choice.form_data(), today=form.today, owners=owners)
    usage = usage_stats.usage(items_q=_items_q(user, choice), start=choice.start, end=choice.end)
    all_charts = charts(usage)
    csv_url = reverse("materiel:stats-csv")
    return render(request, "lending/stats/index.html", {
        "tabs": lending_tabs(user),
        "form": form,
        "choice": choice,
        "period": period_text(choice),
        "owner_name": dict(owners).get(choice.owner, "") if choice.owner else "",
        "coordinator": member_permissions.is_coordinator(user),
        "usage": usage,
        "overdue_rate": _percent(usage.overdue_rate),
        "charts": all_charts,
        "csv_url": f"{csv_url}?{urlencode(choice.query())}",
        "downloads": [(chart.title, f"{csv_url}?{urlencode({**choice.query(), VIEW_PARAM: chart.key})}")
                      for chart in all_charts],
    })


class _PlainWriter:
    """Ordinary spaces in the cells (a spreadsheet reads "63 %" better than with U+00A0)."""

    def __init__(self, writer: spreadsheets.Writer) -> None:
        self._writer = writer

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow([cell.replace("\u00a0", " ") if isinstance(cell, str) else cell for cell in row])

    def writerows(self, rows: list[list[Any]]) -> None:
        for row in rows:
            self.writerow(row)


@require_GET
def stats_csv(request: HttpRequest) -> HttpResponse:
    """Every table one after another, each under its title (or one: `?vue=`), for the same
    filters as the page; every item, not only the first 20. Filters with errors: back to the
    page, which shows them."""
    user = _allowed(request)
    form, choice, owners = _filters(request, user)
    if form.is_bound and form.errors:
        return HttpResponseRedirect(f"{reverse('materiel:stats')}?{request.GET.urlencode()}")
    key = request.GET.get(VIEW_PARAM) or None
    if key is not None and key not in VIEWS:
        raise Http404
    usage = usage_stats.usage(items_q=_items_q(user, choice), start=choice.start, end=choice.end, top=None)
    sections: list[tuple[str, list[str], list[list[Any]]]] = [
        (_("Key figures"), [pgettext("report", "Figure"), period_text(choice)], _summary_rows(usage)),
    ] + [(chart.title, chart.columns, chart.rows) for chart in charts(usage)]
    keyed = dict(zip(VIEWS, sections, strict=True))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = _PlainWriter(spreadsheets.writer(buffer))
    if key is None:
        owner = dict(owners).get(choice.owner, "") if choice.owner else ""
        writer.writerow([_("Equipment usage statistics"), period_text(choice), *([owner] if owner else [])])
        for title, columns, rows in sections:
            writer.writerow([])
            writer.writerow([title])
            writer.writerow(columns)
            writer.writerows(rows)
    else:
        _title, columns, rows = keyed[key]
        writer.writerow(columns)
        writer.writerows(rows)
    name = f"statistiques-materiel-{choice.start.isoformat()}-{choice.end.isoformat()}" + (f"-{key}" if key else "")
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
