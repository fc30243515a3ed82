"""What the review of the vouchers, records and reports found, pinned: a programme's modules
fixed once vouchers exist, records following their session's changes, the voucher records'
beneficiary reduced to an age bracket, the closing statement listing cancelled vouchers, the
validity of short months, formula-like CSV cells, and the expiry e-mail without names."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from core import spreadsheets
from extranet.testing.assertions import refused
from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    RegistrationFactory,
    SessionFactory,
    VenueFactory,
    VoucherFactory,
)
from extranet.testing.pages import english_client
from mediation import activity, programmes, settlement, tasks, validity
from mediation.models import ActivityRecord, Voucher, VoucherUse
from workshops import attendance, sessions

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def rows_of(programme):
    return [programmes.ModuleRow(pk=m.pk, position=m.position, title=m.title, objectives=m.objectives,
                                 duration_minutes=m.duration_minutes) for m in programme.modules.all()]


# --- Modules are fixed once a voucher exists ----------------------------------------------------------

RESHAPED = ("Vouchers were already issued for this programme: its modules can no longer be added, removed or "
            "renumbered. Change their titles, objectives or durations, or create a new programme.")


@pytest.mark.parametrize("change", ["add", "remove", "renumber"])
def test_with_a_voucher_the_modules_cannot_be_added_removed_or_renumbered(change):
    coordinator = CoordinatorFactory()
    programme = ProgrammeFactory(modules=3)
    VoucherFactory(programme=programme)
    rows = rows_of(programme)
    if change == "add":
        rows.append(programmes.ModuleRow(pk=None, position=4, title="En plus"))
    elif change == "remove":
        rows[2].delete = True
    else:
        rows[0].position, rows[1].position = 2, 1
    def state():
        return {"modules": sorted(programme.modules.values_list("position", "title"))}

    with translation.override("en"), refused(state, ValidationError, RESHAPED, "modules"):
        programmes.modules_save(actor=coordinator, programme=programme, rows=rows)


def test_with_a_voucher_titles_objectives_and_durations_still_change():
    coordinator = CoordinatorFactory()
    programme = ProgrammeFactory(modules=2)
    VoucherFactory(programme=programme)
    rows = rows_of(programme)
    rows[0].title, rows[0].objectives, rows[0].duration_minutes = "Allumer l'ordinateur", "Démarrer", 90
    programmes.modules_save(actor=coordinator, programme=programme, rows=rows)
    assert list(programme.modules.values_list("position", "title", "objectives", "duration_minutes")) == [
        (1, "Allumer l'ordinateur", "Démarrer", 90), (2, "Module 2", "", 120)]


def test_without_a_voucher_modules_are_added_freely():
    coordinator = CoordinatorFactory()
    programme = ProgrammeFactory(modules=1)
    rows = [*rows_of(programme), programmes.ModuleRow(pk=None, position=2, title="La messagerie")]
    programmes.modules_save(actor=coordinator, programme=programme, rows=rows)
    assert list(programme.modules.values_list("position", flat=True)) == [1, 2]


# --- Records follow their session -----------------------------------------------------------------


@pytest.fixture
def held_cycle():
    venue, other = VenueFactory(name="Médiathèque"), VenueFactory(name="Cyber-base")
    coordinator = CoordinatorFactory()
    day = timezone.localdate() - timedelta(days=10)
    first = datetime(day.year, day.month, day.day, 14, tzinfo=PARIS)
    second = first + timedelta(days=7)
    session = SessionFactory(venue=venue, dates=[(first, first + timedelta(hours=2)),
                                                 (second, second + timedelta(hours=2))])
    registration = RegistrationFactory(session=session)
    return {"session": session, "venue": venue, "other": other, "coordinator": coordinator,
            "registration": registration, "first": first, "second": second}


def _present_on_both(w, callbacks):
    for date_row in w["session"].dates.order_by("start"):
        with callbacks(execute=True):
            attendance.attendance_record(actor=w["coordinator"], date=date_row,
                                         marks={w["registration"].pk: "present"})


def test_a_date_removed_from_its_session_takes_its_record_with_it(held_cycle, django_capture_on_commit_callbacks):
    w = held_cycle
    _present_on_both(w, django_capture_on_commit_callbacks)
    assert ActivityRecord.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_update(actor=w["coordinator"], session=w["session"],
                                dates=[(w["first"], w["first"] + timedelta(hours=2))], confirm_conflicts=True)
    assert list(ActivityRecord.objects.values_list("date", flat=True)) == [w["first"].date()]


def test_a_session_moved_to_another_venue_moves_its_records(held_cycle, django_capture_on_commit_callbacks):
    w = held_cycle
    _present_on_both(w, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_update(actor=w["coordinator"], session=w["session"], venue=w["other"],
                                confirm_conflicts=True)
    assert sorted(ActivityRecord.objects.values_list("venue__name", "participants")) == [
        ("Cyber-base", 1), ("Cyber-base", 1)]


# --- A voucher module's record describes the person by their age bracket only ----------------------


def test_a_voucher_modules_record_keeps_only_the_age_bracket():
    venue = VenueFactory()
    programme = ProgrammeFactory(modules=2, venues=[venue])
    voucher = VoucherFactory(programme=programme, age_bracket="SoixanteSoixanteNeuf", situation="Retraite",
                             commune="Gramat", commune_insee="46128")
    use = VoucherUse.objects.create(voucher=voucher, module=programme.modules.get(position=1), venue=venue,
                                    date=timezone.localdate(), duration_minutes=120)
    record = activity.record_from_use(use)
    assert list(record.beneficiaries.values_list("first_name", "age_bracket", "situation", "commune",
                                                 "commune_insee")) == [
        ("", "SoixanteSoixanteNeuf", "NonCommunique", "", "")]


# --- The closing statement lists cancelled vouchers; it is a 404 for others -------------------------


def test_the_closing_statement_lists_a_cancelled_voucher():
    programme = ProgrammeFactory(modules=2)
    cancelled = VoucherFactory(programme=programme, status=Voucher.Status.CANCELLED)
    VoucherFactory(programme=programme)  # still valid: not in it
    assert list(settlement.closing_vouchers(programme, today=timezone.localdate())) == [cancelled]


def test_the_closing_statement_is_a_404_for_a_prescriber():
    programme = ProgrammeFactory(modules=1)
    prescriber = PrescriberSeatFactory(organisation=OrganisationFactory(programmes=[programme])).user
    response = english_client(prescriber).get(reverse("tickets:closing", args=[programme.pk]))
    assert response.status_code == 404


# --- Validity of short months ------------------------------------------------------------------------


@pytest.mark.parametrize(("months", "start", "end"), [
    (12, date(2026, 3, 1), date(2027, 2, 28)),
    (1, date(2026, 1, 31), date(2026, 2, 28)),
    (12, date(2028, 2, 29), date(2029, 2, 28)),
    (1, date(2026, 3, 31), date(2026, 4, 30)),
    (12, date(2026, 1, 1), date(2026, 12, 31)),
])
def test_validity_ends_the_day_before_the_same_day_months_later(months, start, end):
    assert validity.valid_until(ProgrammeFactory.build(validity_months=months), start) == end


# --- CSV cells a spreadsheet would run as a formula -----------------------------------------------------


@pytest.mark.parametrize(("value", "written"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3+cmd", "'-2+3+cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-33 pts", "-33 pts"), ("+12 %", "+12 %"), ("+33 6 12 34 56 78", "+33 6 12 34 56 78"), ("-1", "-1"),
    ("Camille", "Camille"), (-1, -1), (3, 3),
])
def test_formula_like_cells_are_written_as_text(value, written):
    assert spreadsheets.cell(value) == written


def test_a_first_name_typed_as_a_formula_is_text_in_the_vouchers_csv():
    seat = PrescriberSeatFactory()
    programme = ProgrammeFactory(modules=1)
    VoucherFactory(programme=programme, organisation=seat.organisation, first_name="=1+2")
    body = english_client(seat.user).get(reverse("tickets:list-csv")).content.decode("utf-8-sig")
    assert ";'=1+2;" in body
    assert ";=1+2;" not in body


# --- The expiry e-mail names no one ----------------------------------------------------------------------


def test_the_expiry_email_gives_codes_not_names(django_capture_on_commit_callbacks):
    seat = PrescriberSeatFactory(user__email="anne@ml.test")
    programme = ProgrammeFactory(modules=2)
    today = timezone.localdate()
    voucher = VoucherFactory(programme=programme, organisation=seat.organisation, first_name="Bernadette",
                             valid_from=today - timedelta(days=300), valid_until=today + timedelta(days=10))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expiry_warnings_send() == 1
    (message,) = mail.outbox
    assert voucher.display_code in message.body
    assert "Bernadette" not in message.body


# --- Periods at the edges of the years a link may choose ----------------------------------------------


@pytest.mark.parametrize("query", ["?periode=year-2000-1", "?periode=year&annee=2000", "?periode=month-2100-12",
                                   "?periode=semester&annee=2100&numero=2", "?periode=year-1999-1"])
def test_a_report_at_the_edge_of_the_years_is_no_error(query):
    response = english_client(CoordinatorFactory()).get(reverse("rapports:index") + query)
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["?periode=month-2100-12", "?periode=month&annee=2100&numero=12",
                                   "?periode=month-2000-1"])
def test_the_statements_page_at_the_edge_of_the_years_is_no_error(query):
    ProgrammeFactory(modules=1)
    response = english_client(CoordinatorFactory()).get(reverse("tickets:settlements") + query)
    assert response.status_code == 200


def test_the_statements_page_reads_the_period_of_its_own_links():
    ProgrammeFactory(modules=1)
    client = english_client(CoordinatorFactory())
    page = client.get(reverse("tickets:settlements") + "?periode=quarter-2026-1").content.decode()
    assert "?periode=quarter-2025-4" in page.replace("&amp;", "&") or "periode=quarter-2025-4" in page
