"""What a report covers: a `Scope` (the network, a territory or a venue) and a `Period`
(a month, quarter, semester or year), read from and written to the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

if TYPE_CHECKING:
    from directory.models import Venue
    from members.models import Territory

PERIOD_KINDS = ("month", "quarter", "semester", "year")
# The years a query string may choose (its period's previous year and neighbours stay Periods).
YEARS = range(2000, 2101)
MONTHS_IN = {"month": 1, "quarter": 3, "semester": 6, "year": 12}
COUNT_IN_YEAR = {"month": 12, "quarter": 4, "semester": 2, "year": 1}


@dataclass(frozen=True)
class Period:
    kind: str  # one of PERIOD_KINDS
    year: int
    number: int = 1  # month 1-12, quarter 1-4, semester 1-2; 1 for a year

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS or not 1 <= self.number <= COUNT_IN_YEAR[self.kind]:
            raise ValueError(f"not a period: {self.kind} {self.number}")
        if not 1900 <= self.year <= 2999:  # wide: the year before or after a chosen one is a Period too
            raise ValueError(f"not a year: {self.year}")

    @property
    def start(self) -> date:
        return date(self.year, (self.number - 1) * MONTHS_IN[self.kind] + 1, 1)

    @property
    def end(self) -> date:
        """The last day, included."""
        month = self.number * MONTHS_IN[self.kind]
        following = date(self.year + 1, 1, 1) if month == 12 else date(self.year, month + 1, 1)
        return following - timedelta(days=1)

    def previous_year(self) -> Period:
        return Period(self.kind, self.year - 1, self.number)

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.kind, self.year, self.number - 1)
        return Period(self.kind, self.year - 1, COUNT_IN_YEAR[self.kind])

    def next(self) -> Period:
        if self.number < COUNT_IN_YEAR[self.kind]:
            return Period(self.kind, self.year, self.number + 1)
        return Period(self.kind, self.year + 1, 1)

    @property
    def label(self) -> str:
        """"novembre 2026", "4e trimestre 2026", "1er semestre 2026", "2026"."""
        if self.kind == "month":
            return formats.date_format(self.start, "F Y")
        if self.kind == "quarter":
            return [
                pgettext("period", "first quarter %(year)d"), pgettext("period", "second quarter %(year)d"),
                pgettext("period", "third quarter %(year)d"), pgettext("period", "fourth quarter %(year)d"),
            ][self.number - 1] % {"year": self.year}
        if self.kind == "semester":
            if self.number == 1:
                return pgettext("period", "first semester %(year)d") % {"year": self.year}
            return pgettext("period", "second semester %(year)d") % {"year": self.year}
        return str(self.year)

    @property
    def key(self) -> str:
        """As the query string writes it: "semester-2026-2", "month-2026-11", "year-2026-1"."""
        return f"{self.kind}-{self.year}-{self.number}"

    @classmethod
    def from_key(cls, key: Any) -> Period | None:
        """The period `key` names ("semester-2026-2"), None when it names none."""
        if not isinstance(key, str) or len(key) > 20:
            return None
        kind, _sep, rest = key.partition("-")
        year, _sep, number = rest.partition("-")
        if not (year.isdigit() and number.isdigit() and year.isascii() and number.isascii()):
            return None
        if int(year) not in YEARS:
            return None
        try:
            return cls(kind, int(year), int(number))
        except ValueError:
            return None

    def as_query(self) -> dict[str, Any]:
        return {"periode": self.key}

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        return cls(kind, day.year, (day.month - 1) // MONTHS_IN[kind] + 1)

    @classmethod
    def from_query(cls, data: Any, today: date) -> Period:
        """From `?periode=semester-2026-1` (or the older `?periode=semester&annee=2026&numero=1`);
        what is missing or wrong falls back to the period (of that kind, else a semester)
        containing `today`."""
        period = cls.from_key(data.get("periode"))
        if period is not None:
            return period
        kind = data.get("periode") if data.get("periode") in PERIOD_KINDS else "semester"
        try:
            year = int(data.get("annee"))
            if year not in YEARS:
                raise ValueError(year)
            return cls(kind, year, int(data.get("numero") or 1))
        except (TypeError, ValueError):
            return cls.containing(kind, today)


# How many periods of each kind the period select offers, the current one first.
CHOICE_COUNTS = (("semester", 6), ("quarter", 8), ("month", 24), ("year", 5))


def period_choices(today: date, selected: Period | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods one may choose, grouped by kind for `<optgroup>`s: the semester containing
    `today` and the 5 before, 8 quarters, 24 months, 5 years; `selected`, when none of those,
    is added to its group in date order. Each option is (key, label)."""
    group_labels = {"semester": _("Semesters"), "quarter": _("Quarters"), "month": _("Months"), "year": _("Years")}
    groups = []
    for kind, count in CHOICE_COUNTS:
        periods = [Period.containing(kind, today)]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        if selected is not None and selected.kind == kind and selected not in periods:
            periods.append(selected)
            periods.sort(key=lambda period: period.start, reverse=True)
        groups.append((group_labels[kind], [(period.key, period.label) for period in periods]))
    return groups


@dataclass(frozen=True)
class Scope:
    """The network (no ids), a territory, or a venue (with its territory)."""

    kind: str  # "network" | "territory" | "venue"
    territory_id: int | None = None
    venue_id: int | None = None
    name: str = ""

    @classmethod
    def network(cls) -> Scope:
        return cls("network", name=_("the whole network"))

    @classmethod
    def of_territory(cls, territory: Territory) -> Scope:
        return cls("territory", territory_id=territory.pk, name=territory.name)

    @classmethod
    def of_venue(cls, venue: Venue) -> Scope:
        return cls("venue", territory_id=venue.territory_id, venue_id=venue.pk, name=venue.name)

    @property
    def key(self) -> str:
        """As the query string writes it: "reseau", "territoire-3", "lieu-12"."""
        if self.kind == "territory":
            return f"territoire-{self.territory_id}"
        if self.kind == "venue":
            return f"lieu-{self.venue_id}"
        return "reseau"


def scope_from_key(key: str | None) -> Scope | None:
    """The scope a query string names ("reseau", "territoire-3", "lieu-12"), reading the
    territory or the venue (one query); None when it names nothing that exists."""
    if key == "reseau":
        return Scope.network()
    if not key or "-" not in key:
        return None
    prefix, _sep, number = key.partition("-")
    if not number.isdigit() or len(number) > 12:
        return None
    if prefix == "territoire":
        from members.models import Territory

        territory = Territory.objects.filter(pk=int(number)).only("pk", "name").first()
        return Scope.of_territory(territory) if territory is not None else None
    if prefix == "lieu":
        from directory.models import Venue

        venue = Venue.objects.filter(pk=int(number)).only("pk", "name", "territory_id").first()
        return Scope.of_venue(venue) if venue is not None else None
    return None


def available_scopes(user: Any) -> list[Scope]:
    """The scopes `user` may read a report on (as `permissions.can_view_report` decides), the
    network first, then territories and venues by name: coordinators every one; local admins
    their territories and the venues in them; animators their venues. Two queries at most
    (beyond the roles read once per request)."""
    from directory.models import Venue
    from members import permissions as member_permissions
    from members.models import Territory

    if not member_permissions.is_approved(user):
        return []
    if member_permissions.is_coordinator(user):
        territories = list(Territory.objects.order_by("name", "pk").only("pk", "name"))
        venues = list(Venue.objects.order_by("name", "pk").only("pk", "name", "territory_id"))
        return [Scope.network(), *map(Scope.of_territory, territories), *map(Scope.of_venue, venues)]
    territory_ids = member_permissions.referent_territory_ids(user)
    venue_ids = member_permissions.attached_venue_ids(user)
    scopes: list[Scope] = []
    if territory_ids:
        territories = list(Territory.objects.filter(pk__in=territory_ids).order_by("name", "pk").only("pk", "name"))
        scopes += map(Scope.of_territory, territories)
    if territory_ids or venue_ids:
        from django.db.models import Q

        venues = list(
            Venue.objects.filter(Q(pk__in=venue_ids) | Q(territory_id__in=territory_ids))
            .order_by("name", "pk").only("pk", "name", "territory_id")
        )
        scopes += map(Scope.of_venue, venues)
    return scopes
