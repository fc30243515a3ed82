"""Reports for funders: the figures of a scope (the network, a territory, a venue) over a
period, beside those of the same period a year before, read from the records everything
else writes (workshops, vouchers, activity records): nothing is typed twice.

What each figure counts (for a period, from its first day 00:00 to its last day 24:00, Paris
time):

- **Workshops.** A session is *held* in the period when its first date falls in it, it is not
  cancelled and it has ended (`Session.end` past). Its *registrations* are the confirmed ones;
  the *attendance rate* is present / (present + excused + no-show) over the marks recorded
  on its dates (confirmed registrations only: those an attendance sheet lists). *Satisfaction*
  is read from the scale questions (1 to 5) of the anonymous evaluations of the sessions
  held: the average score and the share of 4 and 5. Scope: a session at a venue belongs to
  that venue and to the venue's territory; an online session (no venue) belongs to its
  workshop's territory only.
- **Vouchers.** *Issued* by `Voucher.issued_at`, *completed* by `completed_at`, *modules
  attended* by `VoucherUse.date`. Scope: a venue's vouchers are those with at least one
  module attended at that venue (at any time, so a voucher shared by two venues counts in
  both: the venues of a territory may add up to more than the territory); a territory's are
  those with a module at one of its venues or issued by an organisation of that territory;
  the network's are all. *Statements* drawn up by `Settlement.created_at`, *paid* by
  `paid_at`, with their totals in €, by the venue they pay.
- **Accompaniments** (`ActivityRecord`, by its `date`): how many, the people (the sum of
  `participants`), the hours. By theme a record with three themes counts once in each; by
  age bracket the people described (`ActivityBeneficiary`), the others of each record
  (participants beyond those described) counting as "Not given"; by place, by kind and by
  duration bucket (`coop.DURATION_BUCKETS`). Scope: the record's venue; the record's
  territory (`ActivityRecord.territory`: the venue's, else its mediator's); all.
- **Equipment loans** (`lending.stats.loan_summary`, whose docstring says how they count):
  the loans handed over with days lent in the period, their days lent (the days inside the
  period only, from the hand-over to the return, buffers excluded; a kit counting for each
  of its items), and both by category. Scope: the borrowing venue; the venues of the
  territory; all.

Everything is aggregated in SQL: `build` makes the same number of queries (11 per period,
22 in all) whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lending import stats as lending_stats
from mediation import coop
from mediation.models import ActivityBeneficiary, ActivityRecord, Settlement, Voucher, VoucherUse
from mediation.scopes import Period, Scope
from workshops.models import Answer, Attendance, Question, Registration, Session

SCORES = (1, 2, 3, 4, 5)
# The CSS width classes of the bars go by steps of 5 %.
STEP = 5
ZERO = Decimal("0")


# --- Typed values: how a cell is shown and exported --------------------------------------------


class Euros(Decimal):
    """An amount in euros (shown "1 250,00 €")."""


class Percent(float):
    """A share between 0 and 1 (shown "63 %")."""


class Hours(Decimal):
    """Hours with one decimal (shown "12,5 h")."""


class Score(Decimal):
    """An average score from 1 to 5 with one decimal (shown "4,2")."""


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _french_decimal(value: Decimal, places: int, *, grouping: bool = True) -> str:
    """"1\u202f250,5": rounded half up, a decimal comma, thin spaces between thousands (none
    without `grouping`)."""
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:,.{places}f}" if grouping else f"{value:.{places}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def cell_text(value: Any, *, plain: bool = False) -> str:
    """A cell as the page shows it ("1\u202f250,00\u00a0€", "63\u00a0%", "—" for a rate over
    nothing); `plain` for a spreadsheet to read (the CSV): ordinary spaces, no thousands
    separator ("1250,00 €")."""
    return _cell_text(value, plain=plain).replace("\u00a0", " ") if plain else _cell_text(value, plain=plain)


def _cell_text(value: Any, *, plain: bool) -> str:
    grouping = not plain
    if value is None:
        return "—"
    if isinstance(value, Percent):
        return f"{_french_decimal(Decimal(str(value)) * 100, 0, grouping=grouping)}\u00a0%"
    if isinstance(value, Euros):
        return f"{_french_decimal(value, 2, grouping=grouping)}\u00a0€"
    if isinstance(value, Hours):
        return f"{_french_decimal(value, 1, grouping=grouping)}\u00a0h"
    if isinstance(value, Score):
        return _french_decimal(value, 1)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return _french_decimal(Decimal(value), 0, grouping=grouping)
    return str(value)


def change_text(current: Any, previous: Any) -> str:
    """The change from the previous year: "+12 %" for counts and amounts, "+5 pts" for a
    rate, "+0,3" for a score; "—" when there is nothing to compare with."""
    if current is None or previous is None:
        return "—"
    if isinstance(current, Percent):
        points = round((float(current) - float(previous)) * 100)
        return f"{points:+d}\u00a0pts" if points else "="
    if isinstance(current, Score):
        difference = _one_decimal(Decimal(current) - Decimal(previous))
        return ("+" if difference > 0 else "") + _french_decimal(difference, 1) if difference else "="
    if not previous:
        return "—"
    percent = round((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous))
    return f"{percent:+d}\u00a0%" if percent else "="


# --- The figures of one period -----------------------------------------------------------------


@dataclass
class Figures:
    """The figures of one scope over one period."""

    period: Period
    sessions: int = 0
    registrations: int = 0
    present: int = 0
    excused: int = 0
    no_show: int = 0
    scores: list[int] = field(default_factory=lambda: [0] * len(SCORES))  # answers scoring 1..5
    vouchers_issued: int = 0
    vouchers_completed: int = 0
    modules_attended: int = 0
    settlements: int = 0
    settled_amount: Decimal = ZERO
    settlements_paid: int = 0
    paid_amount: Decimal = ZERO
    records: int = 0
    people: int = 0
    minutes: int = 0
    by_theme: dict[str, tuple[int, int]] = field(default_factory=dict)  # theme: (records, people)
    by_age: dict[str, int] = field(default_factory=dict)  # bracket: people
    by_place: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_duration: list[int] = field(default_factory=list)  # records per coop.DURATION_BUCKETS
    loans: int = 0  # equipment loans
    loan_days: int = 0  # days of items lent
    loans_by_category: dict[str, tuple[int, int]] = field(default_factory=dict)  # category: (loans, days lent)

    @property
    def marked(self) -> int:
        return self.present + self.excused + self.no_show

    @property
    def attendance_rate(self) -> Percent | None:
        return Percent(self.present / self.marked) if self.marked else None

    @property
    def answers(self) -> int:
        return sum(self.scores)

    @property
    def satisfaction(self) -> Score | None:
        if not self.answers:
            return None
        total = sum(score * n for score, n in zip(SCORES, self.scores, strict=True))
        return Score(_one_decimal(Decimal(total) / Decimal(self.answers)))

    @property
    def satisfied_share(self) -> Percent | None:
        return Percent((self.scores[3] + self.scores[4]) / self.answers) if self.answers else None

    @property
    def hours(self) -> Hours:
        return Hours(_one_decimal(Decimal(self.minutes) / 60))


def _bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as [start, end) aware datetimes in the current time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _dates(period: Period) -> tuple[date, date]:
    return period.start, period.end


def _pk(value: int | None) -> int:
    """A scope's id (0, which matches nothing, if it lacks it)."""
    return value if value is not None else 0


def _sessions_held(scope: Scope, period: Period, now: datetime) -> QuerySet[Session]:
    start, end = _bounds(period)
    sessions = Session.objects.filter(start__gte=start, start__lt=end, end__lte=now).exclude(
        status=Session.Status.CANCELLED
    )
    if scope.kind == "venue":
        sessions = sessions.filter(venue_id=_pk(scope.venue_id))
    elif scope.kind == "territory":
        territory_id = _pk(scope.territory_id)
        sessions = sessions.filter(
            Q(venue__territory_id=territory_id) | Q(venue__isnull=True, workshop__territory_id=territory_id)
        )
    return sessions


def _vouchers(scope: Scope) -> QuerySet[Voucher]:
    vouchers = Voucher.objects.all()
    if scope.kind == "venue":
        used_here = VoucherUse.objects.filter(voucher=OuterRef("pk"), venue_id=_pk(scope.venue_id))
        vouchers = vouchers.filter(Exists(used_here))
    elif scope.kind == "territory":
        vouchers = vouchers.filter(
            Exists(VoucherUse.objects.filter(voucher=OuterRef("pk"), venue__territory_id=_pk(scope.territory_id)))
            | Q(organisation__territory_id=_pk(scope.territory_id))
        )
    return vouchers


def _by_venue(scope: Scope, prefix: str = "") -> Q:
    if scope.kind == "venue":
        return Q(**{f"{prefix}venue_id": _pk(scope.venue_id)})
    if scope.kind == "territory":
        return Q(**{f"{prefix}venue__territory_id": _pk(scope.territory_id)})
    return Q()


def _records(scope: Scope, period: Period) -> QuerySet[ActivityRecord]:
    first, last = _dates(period)
    records = ActivityRecord.objects.filter(date__gte=first, date__lte=last)
    if scope.kind == "venue":
        records = records.filter(venue_id=_pk(scope.venue_id))
    elif scope.kind == "territory":
        records = records.filter(territory_id=_pk(scope.territory_id))
    return records


def _duration_bucket() -> Case:
    """The index of a record's bucket in `coop.DURATION_BUCKETS`."""
    whens = [When(duration_minutes__lt=high, then=Value(index))
             for index, (_label, _low, high) in enumerate(coop.DURATION_BUCKETS) if high is not None]
    return Case(*whens, default=Value(len(coop.DURATION_BUCKETS) - 1), output_field=IntegerField())


def _borrowers(scope: Scope) -> Q | None:
    """A filter on Venue for the borrowing venues of `scope` (None: every one)."""
    if scope.kind == "venue":
        return Q(pk=_pk(scope.venue_id))
    if scope.kind == "territory":
        return Q(territory_id=_pk(scope.territory_id))
    return None


def figures(*, scope: Scope, period: Period, now: datetime | None = None) -> Figures:
    """The figures of `scope` over `period`: eleven queries, whatever the data."""
    now = now or timezone.now()
    result = Figures(period=period)
    start, end = _bounds(period)
    first, last = _dates(period)

    # Workshops (3 queries).
    held = _sessions_held(scope, period, now)
    row = held.aggregate(
        sessions=Count("pk", distinct=True),
        registrations=Count(
            "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED), distinct=True
        ),
    )
    result.sessions, result.registrations = row["sessions"] or 0, row["registrations"] or 0
    held_ids = held.values("pk")
    row = Attendance.objects.filter(
        registration__status=Registration.Status.CONFIRMED, registration__session__in=held_ids
    ).aggregate(**{
        status: Count("pk", filter=Q(status=status))
        for status in (Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.NO_SHOW)
    })
    result.present = row[Attendance.Status.PRESENT] or 0
    result.excused = row[Attendance.Status.EXCUSED] or 0
    result.no_show = row[Attendance.Status.NO_SHOW] or 0
    row = Answer.objects.filter(
        question__kind=Question.Kind.SCALE, response__session__in=held_ids, score__in=SCORES
    ).aggregate(**{f"s{score}": Count("pk", filter=Q(score=score)) for score in SCORES})
    result.scores = [row[f"s{score}"] or 0 for score in SCORES]

    # Vouchers (3 queries).
    row = _vouchers(scope).aggregate(
        issued=Count("pk", filter=Q(issued_at__gte=start, issued_at__lt=end)),
        completed=Count("pk", filter=Q(completed_at__gte=start, completed_at__lt=end)),
    )
    result.vouchers_issued, result.vouchers_completed = row["issued"] or 0, row["completed"] or 0
    result.modules_attended = VoucherUse.objects.filter(_by_venue(scope), date__gte=first, date__lte=last).count()
    drawn = Q(created_at__gte=start, created_at__lt=end)
    paid = Q(paid_at__gte=start, paid_at__lt=end)
    row = Settlement.objects.filter(_by_venue(scope)).filter(drawn | paid).aggregate(
        drawn=Count("pk", filter=drawn), drawn_total=Sum("total", filter=drawn),
        paid=Count("pk", filter=paid), paid_total=Sum("total", filter=paid),
    )
    result.settlements, result.settled_amount = row["drawn"] or 0, row["drawn_total"] or ZERO
    result.settlements_paid, result.paid_amount = row["paid"] or 0, row["paid_total"] or ZERO

    # Accompaniments (3 queries): grouped by place, kind and duration bucket (32 groups at
    # most), by the list of themes (one row per combination of themes in use), by age.
    records = _records(scope, period)
    result.by_place = {place: (0, 0) for place in coop.PlaceType}
    result.by_kind = {kind: (0, 0) for kind in coop.Kind}
    result.by_duration = [0] * len(coop.DURATION_BUCKETS)
    groups = (
        records.annotate(bucket=_duration_bucket()).values("place_type", "kind", "bucket")
        .annotate(n=Count("pk"), people=Sum("participants"), minutes=Sum("duration_minutes")).order_by()
    )
    for group in groups:
        n, people = group["n"], group["people"] or 0
        result.records += n
        result.people += people
        result.minutes += group["minutes"] or 0
        for table, key in ((result.by_place, group["place_type"]), (result.by_kind, group["kind"])):
            count, total = table.get(key, (0, 0))
            table[key] = (count + n, total + people)
        result.by_duration[group["bucket"]] += n
    by_theme = {theme: [0, 0] for theme in coop.Theme}
    combinations = records.values_list("themes").annotate(n=Count("pk"), people=Sum("participants")).order_by()
    for themes, n, people in combinations:
        for theme in themes:
            if theme in by_theme:
                by_theme[theme][0] += n
                by_theme[theme][1] += people or 0
    result.by_theme = {theme: (n, people) for theme, (n, people) in by_theme.items()}
    described = dict(
        ActivityBeneficiary.objects.filter(record__in=records.values("pk"))
        .values_list("age_bracket").annotate(n=Count("pk")).order_by()
    )
    ages: dict[str, int] = {str(bracket): described.get(bracket, 0) for bracket in coop.AgeBracket}
    # The people of each record beyond those described: "Not given".
    ages[str(coop.AgeBracket.UNKNOWN)] += max(0, result.people - sum(described.values()))
    result.by_age = ages

    # Equipment loans (2 queries).
    loans = lending_stats.loan_summary(start=first, end=last, borrowers_q=_borrowers(scope),
                                       today=timezone.localdate(now))
    result.loans, result.loan_days, result.loans_by_category = loans.loans, loans.days, loans.by_category
    return result


# --- The report: headline figures and views ----------------------------------------------------


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: Any
    previous: Any

    @property
    def text(self) -> str:
        return cell_text(self.value)

    @property
    def previous_text(self) -> str:
        return cell_text(self.previous)

    @property
    def change(self) -> str:
        return change_text(self.value, self.previous)


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    step: int  # the width, in steps of 5 % of the largest value charted
    previous: str | None = None
    previous_step: int | None = None


def _step(value: Any, largest: Decimal) -> int:
    if not value or not largest:
        return 0
    return int((Decimal(value) * 100 / largest / STEP).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) * STEP


@dataclass
class View:
    """A table (its first column names each row); its chart is drawn from column `chart`,
    beside the previous year's column `compare`."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: int | None = 1
    compare: int | None = 2
    description: str = ""

    @property
    def bars(self) -> list[Bar]:
        if self.chart is None:
            return []
        indexes = [self.chart] + ([self.compare] if self.compare is not None else [])
        largest = max((Decimal(row[i] or 0) for row in self.rows for i in indexes), default=ZERO)
        bars = []
        for row in self.rows:
            current = row[self.chart]
            previous = row[self.compare] if self.compare is not None else None
            bars.append(Bar(
                label=str(row[0]), value=cell_text(current), step=_step(current, largest),
                previous=cell_text(previous) if self.compare is not None else None,
                previous_step=_step(previous, largest) if self.compare is not None else None,
            ))
        return bars

    @property
    def chart_label(self) -> str:
        return self.columns[self.chart] if self.chart is not None else ""

    @property
    def compare_label(self) -> str:
        return self.columns[self.compare] if self.compare is not None else ""

    @property
    def text_rows(self) -> list[list[str]]:
        return [[cell_text(value) for value in row] for row in self.rows]


@dataclass
class Report:
    scope: Scope
    period: Period
    figures: Figures  # the period's
    previous: Figures  # the same period a year before
    headline: list[Headline]
    views: list[View]

    @property
    def title(self) -> str:
        return _("Report: %(scope)s, %(period)s") % {"scope": self.scope.name, "period": self.period.label}

    def view(self, key: str) -> View | None:
        return next((view for view in self.views if view.key == key), None)

    @property
    def slug(self) -> str:
        """"reseau-2026-s1", "lieu-12-2026-03": the exports' file names."""
        period = self.period
        suffix = {"month": f"-{period.number:02d}", "quarter": f"-t{period.number}",
                  "semester": f"-s{period.number}", "year": ""}[period.kind]
        return f"{self.scope.key}-{period.year}{suffix}"


def _headline(current: Figures, previous: Figures) -> list[Headline]:
    pairs: list[tuple[str, str, str]] = [
        ("sessions", _("Workshop sessions held"), "sessions"),
        ("registrations", _("Registrations"), "registrations"),
        ("attendance_rate", _("Attendance rate"), "attendance_rate"),
        ("satisfaction", _("Satisfaction (average, 1 to 5)"), "satisfaction"),
        ("satisfied_share", _("Satisfied (4 or 5)"), "satisfied_share"),
        ("vouchers_issued", _("Vouchers issued"), "vouchers_issued"),
        ("vouchers_completed", _("Vouchers completed"), "vouchers_completed"),
        ("paid_amount", _("Amount paid to venues"), "paid_amount"),
        ("records", _("Accompaniments"), "records"),
        ("people", _("People accompanied"), "people"),
        ("hours", _("Hours of accompaniment"), "hours"),
        ("loans", _("Equipment loans"), "loans"),
        ("loan_days", _("Days of equipment lent"), "loan_days"),
    ]
    headline = []
    for key, label, attribute in pairs:
        value, before = getattr(current, attribute), getattr(previous, attribute)
        if attribute == "paid_amount":
            value, before = Euros(value), Euros(before)
        headline.append(Headline(key, label, value, before))
    return headline


def _loan_rows(current: Figures, previous: Figures) -> list[list[Any]]:
    """One row per category lent in either period: the loans, then the days lent."""
    names = set(current.loans_by_category) | set(previous.loans_by_category)
    rows = []
    for name in names:
        now_loans, now_days = current.loans_by_category.get(name, (0, 0))
        before_loans, before_days = previous.loans_by_category.get(name, (0, 0))
        rows.append([name, now_loans, before_loans, now_days, before_days])
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def _views(current: Figures, previous: Figures) -> list[View]:
    now_label, before_label = current.period.label, previous.period.label
    two = [now_label, before_label]
    headline = _headline(current, previous)
    views = [
        View("summary", _("Key figures"), [pgettext("report", "Figure"), *two, pgettext("report", "Change")],
             [[h.label, h.value, h.previous, h.change] for h in headline], chart=None, compare=None),
        View("workshops", _("Workshops"), [pgettext("report", "Figure"), *two], [
            [_("Sessions held"), current.sessions, previous.sessions],
            [_("Confirmed registrations"), current.registrations, previous.registrations],
            [pgettext("attendance", "Present"), current.present, previous.present],
            [pgettext("attendance", "Excused absence"), current.excused, previous.excused],
            [pgettext("attendance", "No-show"), current.no_show, previous.no_show],
        ], description=_("Sessions whose first date falls in the period, not cancelled and ended; the attendance "
                         "marked on their dates.")),
        View("satisfaction", _("Satisfaction"), [pgettext("report", "Score"), *two], [
            [str(score), current.scores[score - 1], previous.scores[score - 1]] for score in reversed(SCORES)
        ], description=_("Answers to the scale questions (1 to 5) of the evaluations of the sessions held.")),
        View("vouchers", _("Vouchers"), [pgettext("report", "Figure"), *two], [
            [_("Vouchers issued"), current.vouchers_issued, previous.vouchers_issued],
            [_("Vouchers completed"), current.vouchers_completed, previous.vouchers_completed],
            [_("Modules attended"), current.modules_attended, previous.modules_attended],
        ]),
        View("settlements", _("Statements and payments"), [
            pgettext("report", "Figure"), _("Amount, %(period)s") % {"period": now_label},
            _("Amount, %(period)s") % {"period": before_label},
            _("Statements, %(period)s") % {"period": now_label}, _("Statements, %(period)s") % {"period": before_label},
        ], [
            [pgettext("report", "Drawn up"), Euros(current.settled_amount), Euros(previous.settled_amount),
             current.settlements, previous.settlements],
            [pgettext("report", "Paid"), Euros(current.paid_amount), Euros(previous.paid_amount),
             current.settlements_paid, previous.settlements_paid],
        ]),
        View("themes", _("Accompaniments by theme"), [pgettext("report", "Theme"), *two, _("People, %(period)s") % {
            "period": now_label}, _("People, %(period)s") % {"period": before_label}], sorted(
            ([str(theme.label), current.by_theme[theme][0], previous.by_theme[theme][0],
              current.by_theme[theme][1], previous.by_theme[theme][1]]
             for theme in coop.Theme if current.by_theme[theme][0] or previous.by_theme[theme][0]),
            key=lambda row: (-row[1], -row[2], row[0]),
        ), description=_("A record with several themes counts once in each: the rows add up to more than the "
                         "accompaniments.")),
        View("ages", _("People accompanied by age"), [pgettext("report", "Age"), *two], [
            [str(bracket.label), current.by_age[bracket], previous.by_age[bracket]] for bracket in coop.AgeBracket
        ], description=_("The people described in the records; the other participants of a record count as "
                         "“not given”.")),
        View("places", _("Accompaniments by place"), [
            pgettext("report", "Place"), *two, _("People, %(period)s") % {"period": now_label},
            _("People, %(period)s") % {"period": before_label},
        ], [
            [str(place.label), current.by_place[place][0], previous.by_place[place][0],
             current.by_place[place][1], previous.by_place[place][1]] for place in coop.PlaceType
        ]),
        View("kinds", _("Accompaniments by kind"), [
            pgettext("accompaniment", "Kind"), *two, _("People, %(period)s") % {"period": now_label},
            _("People, %(period)s") % {"period": before_label},
        ], [
            [str(kind.label), current.by_kind[kind][0], previous.by_kind[kind][0],
             current.by_kind[kind][1], previous.by_kind[kind][1]] for kind in coop.Kind
        ]),
        View("durations", _("Accompaniments by duration"), [pgettext("report", "Duration"), *two], [
            [str(label), current.by_duration[i], previous.by_duration[i]]
            for i, (label, _low, _high) in enumerate(coop.DURATION_BUCKETS)
        ]),
        View("loans", _("Equipment loans"), [
            pgettext("equipment", "Category"), *two, _("Days lent, %(period)s") % {"period": now_label},
            _("Days lent, %(period)s") % {"period": before_label},
        ], _loan_rows(current, previous), description=_(
            "The loans of equipment handed over to the venues, by category. Days lent: from the hand-over to the "
            "return, the days inside the period only, the days kept free for transport excluded; a kit counts for "
            "each of its items, so the categories may add up to more loans than the total.")),
    ]
    return views


def build(*, scope: Scope, period: Period, now: datetime | None = None) -> Report:
    """The report of `scope` over `period`, beside the same period a year before: twenty-two
    queries, whatever the data; zeros (and no rate) over an empty period."""
    now = now or timezone.now()
    current = figures(scope=scope, period=period, now=now)
    previous = figures(scope=scope, period=period.previous_year(), now=now)
    return Report(scope=scope, period=period, figures=current, previous=previous,
                  headline=_headline(current, previous), views=_views(current, previous))
