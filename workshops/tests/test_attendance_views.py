"""The attendance sheet's pages (workshops.attendance_views): the on-screen form, saving it,
"Everybody present", the read-only sheet before the start, who gets 403 or 404, the
printable page, and a query count that does not grow with the registrations."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from extranet.testing.factories import (
    CoordinatorFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction
from workshops.models import Attendance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _past(days, hour=10):
    start = (timezone.now() - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=2)


def _url(session, date, name="workshops:attendance"):
    return reverse(name, args=[session.pk, date.pk])


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A held session at a venue: four confirmed registrations (two members, a visitor, a
    person registered at the venue with a phone and a note), a cancelled one; Zoé missed two
    earlier sessions. An upcoming session; a proposal nobody but its author and the
    coordination sees."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            territory = TerritoryFactory(name="Quercy")
            venue = VenueFactory(territory=territory, name="Médiathèque de Cahors")
            animator = UserFactory(display_name="Anim Session")
            workshop = WorkshopFactory(title="Tablette pas à pas", territory=territory, status="scheduled",
                                       audience="public")
            session = SessionFactory(workshop=workshop, venue=venue, location="Salle 2", dates=[_past(1)],
                                     animators=[animator])
            date = session.dates.get()
            zoe = UserFactory(display_name="Zoé Martin")
            registrations = {
                "zoe": RegistrationFactory(session=session, user=zoe, note="Vient avec sa tablette"),
                "anne": RegistrationFactory(session=session, user=UserFactory(display_name="Anne Roux")),
                "bernard": RegistrationFactory(session=session, user=None, kind="visitor", name="bernard Petit",
                                               email="bernard@exemple.test", phone="07 00 00 00 00"),
                "emile": RegistrationFactory(session=session, user=None, kind="on_site", name="Émile Durand",
                                             phone="06 12 34 56 78", note="Besoin d'un grand écran"),
                "gone": RegistrationFactory(session=session, user=UserFactory(display_name="Annulé Parti"),
                                            status="cancelled"),
            }
            for days in (30, 20):
                earlier = SessionFactory(workshop=workshop, dates=[_past(days)])
                Attendance.objects.create(registration=RegistrationFactory(session=earlier, user=zoe),
                                          date=earlier.dates.get(), status="no_show")
            upcoming = SessionFactory(workshop=workshop, venue=venue, animators=[animator])
            RegistrationFactory(session=upcoming, user=UserFactory(display_name="Futur Inscrit"))
            proposal = WorkshopFactory(status="proposed", territory=territory)
            hidden = SessionFactory(workshop=proposal, dates=[_past(1)], animators=[animator])
            other_session = SessionFactory(workshop=workshop, dates=[_past(5)])
            data = {
                "session": session, "date": date, "venue": venue, "workshop": workshop,
                "animator": animator, "coordinator": CoordinatorFactory(),
                "member": UserFactory(), "other_animator": UserFactory(venues=[VenueFactory()]),
                "upcoming": upcoming, "upcoming_date": upcoming.dates.get(),
                "hidden": hidden, "hidden_date": hidden.dates.get(),
                "other_date": other_session.dates.get(),
                **registrations,
            }
        yield data


def _nothing_recorded(world):
    """No attendance on the sheets under test (the earlier sessions' no-shows are the world's)."""
    return not Attendance.objects.filter(date__in=[world["date"], world["upcoming_date"]]).exists()


def _names(page):
    return [text_of(node) for node in page.select(".attendance-row__name")]


# --- The on-screen sheet ---------------------------------------------------------------------


def test_sheet_lists_the_confirmed_registrations_alphabetically(world):
    response = english_client(world["animator"]).get(_url(world["session"], world["date"]))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.h1) == "Attendance sheet"
    assert _names(page) == ["Anne Roux", "bernard Petit", "Émile Durand", "Zoé Martin"]
    # One fieldset per person, its legend their name, three choices and a reason.
    fieldsets = page.select("fieldset.attendance-row__fieldset")
    assert [text_of(fieldset.legend) for fieldset in fieldsets] == _names(page)
    emile = world["emile"]
    choices = [text_of(label) for label in fieldsets[2].select(".attendance-choice")]
    assert choices == ["Present", "Excused absence", "Absent without excuse"]
    radios = fieldsets[2].select("input[type=radio]")
    assert {radio["name"] for radio in radios} == {f"status-{emile.pk}"}
    assert [radio["value"] for radio in radios] == ["present", "excused", "no_show"]
    assert not any(radio.has_attr("checked") for radio in radios)
    reason = page.select_one(f"#id_reason-{emile.pk}")
    assert reason["maxlength"] == "300"
    assert text_of(page.select_one(f"label[for=id_reason-{emile.pk}]")) == "Reason (Émile Durand)"


def test_sheet_shows_kind_phone_note_and_no_shows(world):
    page = soup(english_client(world["animator"]).get(_url(world["session"], world["date"])))
    details = [text_of(node) for node in page.select(".attendance-row__details")]
    assert details == [
        "Member",
        # A visitor's phone is not shown: only the on-site person's.
        "Registered online",
        "Registered at the venue · Phone: 06 12 34 56 78 · Besoin d'un grand écran",
        "Member · Vient avec sa tablette · 2 unexcused absences",
    ]
    summary = [text_of(node) for node in page.select(".attendance-summary__figures > div")]
    assert summary == ["Present 0", "Excused absences 0", "Absent without excuse 0", "Not recorded 4"]
    assert page.select_one("button[name=all_present]") is not None


def test_sheet_post_saves_and_redirects(world):
    session, date = world["session"], world["date"]
    client = english_client(world["animator"])
    url = _url(session, date)
    response = client.post(url, {
        f"status-{world['anne'].pk}": "present",
        f"status-{world['bernard'].pk}": "no_show", f"reason-{world['bernard'].pk}": "Pas prévenu",
        f"status-{world['emile'].pk}": "excused", f"reason-{world['emile'].pk}": "Rendez-vous médical",
    })
    assert response.status_code == 302
    assert response["Location"] == url
    assert dict(Attendance.objects.filter(date=date).values_list("registration_id", "status")) == {
        world["anne"].pk: "present", world["bernard"].pk: "no_show", world["emile"].pk: "excused",
    }
    page_response = client.get(url)
    assert messages_of(page_response) == ["The attendance sheet is saved (3 changes)."]
    page = soup(page_response)
    assert page.select_one(f"#id_status-{world['bernard'].pk}_2").has_attr("checked")
    assert page.select_one(f"#id_reason-{world['emile'].pk}")["value"] == "Rendez-vous médical"
    summary = [text_of(node) for node in page.select(".attendance-summary__figures > div")]
    assert summary == ["Present 1", "Excused absences 1", "Absent without excuse 1", "Not recorded 1"]
    # Saved again unchanged: nothing changed.
    client.post(url, {f"status-{world['anne'].pk}": "present"})
    assert messages_of(client.get(url)) == ["Nothing changed on the attendance sheet."]


def test_everybody_present_marks_those_without_a_status(world):
    session, date = world["session"], world["date"]
    Attendance.objects.create(registration=world["zoe"], date=date, status="no_show", reason="Injoignable")
    client = english_client(world["coordinator"])
    response = client.post(_url(session, date), {
        f"status-{world['emile'].pk}": "excused", "all_present": "1",
    })
    assert response.status_code == 302
    assert dict(Attendance.objects.filter(date=date).values_list("registration_id", "status")) == {
        world["anne"].pk: "present", world["bernard"].pk: "present",
        world["emile"].pk: "excused", world["zoe"].pk: "no_show",
    }
    assert Attendance.objects.get(registration=world["zoe"]).reason == "Injoignable"
    page = soup(client.get(_url(session, date)))
    # Everybody has a status now: the button is gone.
    assert page.select_one("button[name=all_present]") is None


def test_sheet_post_with_an_unknown_status_shows_the_error(world):
    response = english_client(world["animator"]).post(_url(world["session"], world["date"]), {
        f"status-{world['anne'].pk}": "late", f"status-{world['zoe'].pk}": "present",
    })
    assert response.status_code == 200
    page = soup(response)
    assert [text_of(node) for node in page.select(".errorlist li")] == [
        "Select a valid choice. late is not one of the available choices."
    ]
    assert _nothing_recorded(world)


def test_sheet_post_with_a_reason_too_long(world):
    response = english_client(world["animator"]).post(_url(world["session"], world["date"]), {
        f"status-{world['anne'].pk}": "excused", f"reason-{world['anne'].pk}": "x" * 301,
    })
    assert response.status_code == 200
    assert soup(response).select_one(".attendance-row__reason.field--error") is not None
    assert _nothing_recorded(world)


def test_cycle_links_its_other_dates():
    animator = UserFactory()
    cycle = SessionFactory(dates=[_past(14), _past(7)], animators=[animator])
    first, second = cycle.dates.order_by("start")
    page = soup(english_client(animator).get(_url(cycle, second)))
    links = [link["href"] for link in page.select(".attendance-dates a")]
    assert links == [_url(cycle, first)]
    assert "(date 2 of 2)" in text_of(page.select_one(".attendance-when"))


def test_sheet_before_the_start_is_read_only(world):
    upcoming, date = world["upcoming"], world["upcoming_date"]
    client = english_client(world["animator"])
    response = client.get(_url(upcoming, date))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("form.attendance-form") is None
    assert text_of(page.select_one(".attendance-readonly")) == (
        "The attendance sheet is filled in once the session has started.")
    assert _names(page) == ["Futur Inscrit"]
    response = client.post(_url(upcoming, date), {"all_present": "1"})
    assert response.status_code == 302
    assert messages_of(client.get(_url(upcoming, date))) == [
        "The attendance sheet is filled in once the session has started."]
    assert _nothing_recorded(world)


# --- Who may open it -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["workshops:attendance", "workshops:attendance-print"])
@pytest.mark.parametrize("who", ["member", "other_animator"])
def test_who_sees_the_workshop_but_does_not_host_gets_403(world, who, name):
    client = english_client(world[who])
    url = _url(world["session"], world["date"], name)
    response = client.get(url)
    assert response.status_code == 403
    assert ("The list of people registered is seen by the session's animators and the coordination."
            in text_of(soup(response)))
    if name == "workshops:attendance":
        assert client.post(url, {"all_present": "1"}).status_code == 403
        assert _nothing_recorded(world)


@pytest.mark.parametrize("name", ["workshops:attendance", "workshops:attendance-print"])
def test_who_may_not_see_the_workshop_gets_404(world, name):
    client = english_client(world["member"])
    assert client.get(_url(world["hidden"], world["hidden_date"], name)).status_code == 404


def test_a_date_of_another_session_is_404(world):
    client = english_client(world["animator"])
    assert client.get(_url(world["session"], world["other_date"])).status_code == 404


# --- The printable sheet ---------------------------------------------------------------------


def test_print_page(world):
    response = english_client(world["animator"]).get(_url(world["session"], world["date"],
                                                          "workshops:attendance-print"))
    assert response.status_code == 200
    html = response.content.decode()
    page = soup(response)
    assert page.select_one("form.attendance-form") is None
    assert text_of(page.h1) == "Attendance sheet"
    facts = [text_of(node) for node in page.select(".attendance-print__facts dt")]
    assert facts == ["Workshop", "Date", "Place", "Animators"]
    place = text_of(page.select(".attendance-print__facts dd")[2])
    assert place == "Médiathèque de Cahors, 1 place de la Mairie, 46000 Cahors · Salle 2"
    assert text_of(page.select(".attendance-print__facts dd")[3]) == "Anim Session"
    assert text_of(page.select(".attendance-print__facts dd")[0]) == "Tablette pas à pas"
    table = page.select_one("table.attendance-print__table")
    assert [text_of(th) for th in table.select("thead th")] == [
        "No.", "Name", "Present", "Excused", "Absent", "Signature"]
    rows = table.select("tbody tr:not(.attendance-print__blank)")
    assert [text_of(row.th) for row in rows] == ["Anne Roux", "bernard Petit", "Émile Durand", "Zoé Martin"]
    assert all(len(row.select(".attendance-print__square")) == 3 for row in rows)
    assert len(table.select("tbody tr.attendance-print__blank")) == 3
    # Nothing private on a sheet that goes from hand to hand.
    assert "06 12 34 56 78" not in html
    assert "unexcused" not in html
    # Printing: the sentence without JavaScript, a button shown by a static script; the A4 rules.
    assert "Print this page (Ctrl+P)" in text_of(page.select_one(".attendance-print__screen"))
    assert page.select_one("button[data-attendance-print][hidden]") is not None
    assert page.select_one("script[src$='js/workshops_attendance.js'][defer]") is not None
    assert page.select_one("link[href$='css/workshops_attendance.css']") is not None
    assert " onclick" not in html
    assert "style=" not in html


def test_print_page_of_an_upcoming_session_works(world):
    """The paper sheet is printed before the session."""
    response = english_client(world["animator"]).get(_url(world["upcoming"], world["upcoming_date"],
                                                          "workshops:attendance-print"))
    assert response.status_code == 200
    assert [text_of(row.th) for row in soup(response).select("tbody tr:not(.attendance-print__blank)")] == [
        "Futur Inscrit"]


def test_print_stylesheet_has_the_a4_print_rules():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "workshops_attendance.css").read_text()
    assert "size: A4 portrait" in css
    assert "@media print" in css


# --- Queries ---------------------------------------------------------------------------------


def test_sheet_queries_do_not_grow():
    animator = UserFactory()
    workshop = WorkshopFactory()
    session = SessionFactory(workshop=workshop, venue=VenueFactory(), dates=[_past(1)], animators=[animator])
    date = session.dates.get()
    earlier = SessionFactory(workshop=workshop, dates=[_past(10)])
    earlier_date = earlier.dates.get()
    counter = iter(range(10_000))

    def grow(factor):
        for _ in range(factor):
            n = next(counter)
            member = UserFactory()
            Attendance.objects.create(registration=RegistrationFactory(session=earlier, user=member),
                                      date=earlier_date, status="no_show")
            Attendance.objects.create(registration=RegistrationFactory(session=session, user=member),
                                      date=date, status="present")
            RegistrationFactory(session=session, user=None, kind="visitor", name=f"Visiteur {n}",
                                email=f"visiteur{n}@exemple.test")
            RegistrationFactory(session=session, user=None, kind="on_site", name=f"Sur place {n}",
                                phone=f"06 00 00 00 {n:02d}")

    client = english_client(animator)
    queries, page = queries_flat(client, _url(session, date), grow)
    assert len(page.select(".attendance-row")) == 30
    assert queries == 10

    print_queries, print_page = queries_flat(client, _url(session, date, "workshops:attendance-print"),
                                             grow)
    assert len(print_page.select("tbody tr:not(.attendance-print__blank)")) == 60
    assert print_queries == 8
