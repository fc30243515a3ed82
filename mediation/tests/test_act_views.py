"""Activity record pages: the list (filters, totals, flat queries), the one-screen record
(defaults, errors keeping every input, "save and record another"), the record's page,
change and deletion (404 / 403), and the CSV export in the Coop's shape."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from extranet.testing.factories import (
    ActivityRecordFactory,
    CoordinatorFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from mediation import coop
from mediation.models import ActivityBeneficiary, ActivityRecord

pytestmark = pytest.mark.django_db

INDEX = reverse("activites:index")
CREATE = reverse("activites:create")
EXPORT = reverse("activites:export")


@pytest.fixture
def lot():
    territory = TerritoryFactory(name="Lot")
    venue = VenueFactory(name="Médiathèque de Figeac", territory=territory, city="Figeac", insee_code="46102")
    animator = UserFactory(territory=territory, display_name="Camille Martin")
    animator.venues.add(venue)
    return {"territory": territory, "venue": venue, "animator": animator}


def _post(**changes):
    data = {"kind": "Individuel", "date": timezone.localdate().isoformat(), "duration_minutes": "30",
            "place_type": "LieuActivite", "themes": ["Email"]}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Create ------------------------------------------------------------------------------------


def test_create_form_defaults(lot):
    html = soup(english_client(lot["animator"]).get(CREATE))
    form = html.select_one("form[data-activity-form]")
    assert form.select_one("input[name=kind][value=Individuel]").has_attr("checked")
    assert form.select_one("input[name=date]")["value"] == timezone.localdate().isoformat()
    assert form.select_one("input[name=place_type][value=LieuActivite]").has_attr("checked")
    assert form.select_one("select[name=venue] option[selected]")["value"] == str(lot["venue"].pk)
    assert [i["value"] for i in form.select("input[name=duration_minutes]")] == [
        "15", "30", "45", "60", "90", "120", "other"]
    assert not form.select("input[name=duration_minutes][checked]")
    assert form.select_one("input[name=b_gender][value=NonCommunique]").has_attr("checked")
    # Two groups of themes; the procedures under "Help with administrative procedures".
    groups = form.select("fieldset fieldset")
    procedures = next(group for group in groups if "administrative procedures" in text_of(group.legend))
    assert [i["value"] for i in procedures.select("input[name=themes]")][:2] == [
        "AideAuxDemarchesAdministratives", "PapiersElectionsCitoyennete"]
    assert len(form.select("input[name=themes]")) == len(coop.Theme.values)
    # Without JavaScript, both parts are shown under their headings.
    assert [text_of(h) for h in form.select("section h2")] == ["Individual accompaniment", "Collective workshop"]
    assert [text_of(b) for b in form.select("button[type=submit]")] == ["Save", "Save and record another"]


def test_create_an_individual_help_in_few_fields(lot):
    client = english_client(lot["animator"])
    response = client.post(CREATE, _post(autonomy="Autonome"))
    record = ActivityRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert (record.venue, record.duration_minutes, record.autonomy, record.recorded_by) == (
        lot["venue"], 30, "Autonome", lot["animator"])
    assert not record.beneficiaries.exists()
    assert messages_of(client.get(response["Location"])) == ["The accompaniment is recorded."]


def test_create_with_the_person_and_another_duration_then_again(lot):
    client = english_client(lot["animator"])
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(CREATE, _post(
        date=day.isoformat(), duration_minutes="other", duration_other="50", b_first_name="Josette",
        b_gender="Feminin", b_age_bracket="SoixanteDixPlus", b_situation="Retraite", again="1"))
    record = ActivityRecord.objects.get()
    assert record.duration_minutes == 50
    assert list(record.beneficiaries.values_list("first_name", "gender")) == [("Josette", "Feminin")]
    assert response.status_code == 302
    assert response["Location"] == (f"{CREATE}?date={day.isoformat()}&place_type=LieuActivite"
                                    f"&venue={lot['venue'].pk}")
    html = soup(client.get(response["Location"]))
    assert html.select_one("input[name=date]")["value"] == day.isoformat()


def test_create_collective_without_js_ignores_the_person(lot):
    client = english_client(lot["animator"])
    client.post(CREATE, _post(kind="Collectif", title="Tablette", participants="6", level="Debutant",
                              b_first_name="Ignored", autonomy="Autonome"))
    record = ActivityRecord.objects.get()
    assert (record.kind, record.participants, record.title, record.autonomy) == ("Collectif", 6, "Tablette", "")
    assert not ActivityBeneficiary.objects.exists()


def test_create_invalid_keeps_every_input(lot):
    client = english_client(lot["animator"])
    response = client.post(CREATE, _post(
        themes=["Logement"], duration_minutes="45", place_type="Domicile", commune="Cajarc", commune_insee="4604",
        equipment=["Telephone"], b_first_name="Ali", b_age_bracket="DixHuitVingtQuatre", notes="Revenir jeudi",
        kind="Collectif", title="", participants="3"))
    assert response.status_code == 200
    assert not ActivityRecord.objects.exists()
    html = soup(response)
    assert html.select_one(".form-errors")
    errors = [text_of(node) for node in html.select(".errorlist li")]
    assert "Give the workshop's title." in " ".join(errors)
    assert "Give the commune's INSEE code in 5 characters (e.g. 46042, 2A004)." in " ".join(errors)
    # A procedure ticked brings help with procedures with it.
    assert "Tick “Help with administrative procedures” to choose a procedure." not in " ".join(errors)
    assert html.select_one("input[name=themes][value=AideAuxDemarchesAdministratives]").has_attr("checked")
    assert html.select_one("details").has_attr("open")
    assert html.select_one("input[name=themes][value=Logement]").has_attr("checked")
    assert html.select_one("input[name=duration_minutes][value='45']").has_attr("checked")
    assert html.select_one("input[name=place_type][value=Domicile]").has_attr("checked")
    assert html.select_one("input[name=commune]")["value"] == "Cajarc"
    assert html.select_one("input[name=equipment][value=Telephone]").has_attr("checked")
    assert html.select_one("input[name=b_first_name]")["value"] == "Ali"
    assert html.select_one("select[name=b_age_bracket] option[selected]")["value"] == "DixHuitVingtQuatre"
    assert html.select_one("textarea[name=notes]").text.strip() == "Revenir jeudi"
    assert html.select_one("input[name=kind][value=Collectif]").has_attr("checked")
    assert html.select_one("input[name=participants]")["value"] == "3"


def test_create_without_duration(lot):
    response = english_client(lot["animator"]).post(CREATE, _post(duration_minutes=None))
    form = soup(response).select_one("form[data-activity-form]")
    assert "Give a duration between 1 and 600 minutes." in text_of(form)
    assert not ActivityRecord.objects.exists()


# --- List --------------------------------------------------------------------------------------


def test_list_lines_and_totals(lot):
    today = timezone.localdate()
    ActivityRecordFactory(venue=lot["venue"], recorded_by=lot["animator"], duration_minutes=90, date=today,
                          themes=["Email", "Sante"])
    ActivityRecordFactory(venue=None, territory=None, place_type="Domicile", commune="Cajarc", kind="Collectif",
                          title="Tablette", participants=6, duration_minutes=45, recorded_by=lot["animator"],
                          date=today - timedelta(days=1))
    ActivityRecordFactory(recorded_by=UserFactory())  # someone else's
    html = soup(english_client(lot["animator"]).get(INDEX))
    totals = {node["data-total"]: text_of(node) for node in html.select("[data-total]")}
    assert totals == {"records": "2 accompaniments", "people": "7 people accompanied",
                      "hours": "2 h 15 of accompaniment"}  # text_of: no-break spaces read as spaces
    rows = [[text_of(cell) for cell in row.select("td")] for row in html.select("table.activity-records tbody tr")]
    assert rows == [
        [today.strftime("%d/%m/%Y"), "Individual", "1 h 30", "Médiathèque de Figeac",
         "E-mail Health", "1", "Camille Martin"],
        [(today - timedelta(days=1)).strftime("%d/%m/%Y"), "Collective (workshop) Tablette", "45 min",
         "At the person's home (Cajarc)", "E-mail", "6", "Camille Martin"],
    ]


def test_list_filters(lot):
    coordinator = CoordinatorFactory()
    ActivityRecordFactory(venue=lot["venue"], recorded_by=lot["animator"], date=date.today() - timedelta(days=40))
    ActivityRecordFactory(venue=lot["venue"], recorded_by=lot["animator"], kind="Collectif", title="T",
                          participants=4)
    client = english_client(coordinator)
    html = soup(client.get(INDEX))
    assert not html.select("table.activity-records")
    assert [o["value"] for o in html.select("select[name=scope] option")] == ["mine", "all"]
    start = (date.today() - timedelta(days=10)).isoformat()
    html = soup(client.get(INDEX, {"scope": "all", "start": start}))
    assert len(html.select("table.activity-records tbody tr")) == 1
    html = soup(client.get(INDEX, {"scope": "all", "kind": "Individuel"}))
    assert len(html.select("table.activity-records tbody tr")) == 1
    assert html.select_one("a[download]")["href"] == f"{EXPORT}?scope=all&kind=Individuel"


def test_list_queries_flat_and_paginated(lot):
    colleague = UserFactory()
    colleague.venues.add(lot["venue"])

    def grow(factor):
        for _ in range(factor * 3):
            record = ActivityRecordFactory(venue=lot["venue"], recorded_by=UserFactory(), themes=["Email", "Sante"])
            ActivityBeneficiary.objects.create(record=record, first_name="A")

    queries, page = queries_flat(english_client(colleague), f"{INDEX}?scope=venues", grow)
    assert queries == 9, queries
    assert len(page.select("table.activity-records tbody tr")) == 25
    assert "Page 1 of 2" in text_of(page.select_one(".pagination"))


# --- Detail, edit, delete ----------------------------------------------------------------------


def test_detail_edit_delete(lot):
    record = ActivityRecordFactory(venue=lot["venue"], recorded_by=lot["animator"], duration_minutes=30)
    ActivityBeneficiary.objects.create(record=record, first_name="Ali", gender="Masculin")
    client = english_client(lot["animator"])
    html = soup(client.get(record.get_absolute_url()))
    assert "Ali" in text_of(html.select_one("main") or html)
    assert html.select_one(f"a[href='{reverse('activites:edit', args=[record.pk])}']")
    edit = reverse("activites:edit", args=[record.pk])
    html = soup(client.get(edit))
    assert html.select_one("input[name=duration_minutes][value='30']").has_attr("checked")
    assert html.select_one("input[name=b_first_name]")["value"] == "Ali"
    assert not html.select("button[name=again]")
    response = client.post(edit, _post(duration_minutes="other", duration_other="75", b_first_name="Ali"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.duration_minutes == 75
    response = client.post(edit, _post(duration_minutes="other", duration_other="700", b_first_name="Ali"))
    assert response.status_code == 200
    assert soup(response).select_one("input[name=duration_other]")["value"] == "700"
    delete = reverse("activites:delete", args=[record.pk])
    assert "Delete this accompaniment" in text_of(soup(client.get(delete)).select_one("main form.card"))
    assert ActivityRecord.objects.filter(pk=record.pk).exists()
    assert client.post(delete)["Location"] == INDEX
    assert not ActivityRecord.objects.filter(pk=record.pk).exists()


def test_not_visible_is_404_visible_not_editable_is_403(lot):
    record = ActivityRecordFactory(venue=lot["venue"], recorded_by=lot["animator"])
    outsider = english_client(UserFactory())
    for name in ("record", "edit", "delete"):
        assert outsider.get(reverse(f"activites:{name}", args=[record.pk])).status_code == 404
    colleague = UserFactory()
    colleague.venues.add(lot["venue"])
    client = english_client(colleague)
    html = soup(client.get(record.get_absolute_url()))
    assert not html.select(f"a[href='{reverse('activites:edit', args=[record.pk])}']")
    assert client.get(reverse("activites:edit", args=[record.pk])).status_code == 403
    assert client.post(reverse("activites:delete", args=[record.pk])).status_code == 403
    assert ActivityRecord.objects.filter(pk=record.pk).exists()


def test_session_record_says_where_to_change_it(lot):
    session = SessionFactory(venue=lot["venue"])
    day = session.dates.get()
    record = ActivityRecordFactory(venue=lot["venue"], recorded_by=lot["animator"], source="workshop",
                                   session_date=day)
    client = english_client(lot["animator"])
    html = soup(client.get(record.get_absolute_url()))
    assert "This record follows its session or its voucher: change it there." in text_of(html)
    assert html.select_one(f"a[href='{reverse('workshops:attendance', args=[session.pk, day.pk])}']")
    assert client.get(reverse("activites:edit", args=[record.pk])).status_code == 403


# --- Export ------------------------------------------------------------------------------------


def _rows(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:], newline=""), delimiter=";"))


def test_export_in_the_coops_shape(lot):
    day = date(2026, 11, 5)
    individual = ActivityRecordFactory(
        venue=lot["venue"], recorded_by=lot["animator"], date=day, duration_minutes=45,
        themes=["AideAuxDemarchesAdministratives", "SocialSante"], autonomy="PartiellementAutonome",
        equipment=["Telephone", "Ordinateur"])
    ActivityBeneficiary.objects.create(record=individual, first_name="Josette", gender="Feminin",
                                       age_bracket="SoixanteDixPlus", situation="Retraite")
    workshop = ActivityRecordFactory(
        kind="Collectif", venue=None, territory=None, place_type="Autre", commune="Cajarc", commune_insee="46042",
        recorded_by=lot["animator"], date=day - timedelta(days=1), duration_minutes=120, themes=["SecuriteNumerique"],
        level="Debutant", title="Arnaques", participants=5)
    ActivityBeneficiary.objects.create(record=workshop, gender="Masculin", age_bracket="QuaranteCinquanteNeuf")
    ActivityBeneficiary.objects.create(record=workshop, first_name="Léa", gender="Feminin", situation="EnEmploi")
    response = english_client(lot["animator"]).get(EXPORT)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="accompagnements.csv"'
    rows = _rows(response)
    assert rows == [
        ["Type", "Date", "Durée (minutes)", "Type de lieu", "Lieu (nom)", "Commune", "Code INSEE", "Thématiques",
         "Niveau", "Autonomie", "Matériel", "Titre de l'atelier", "Participants", "Bénéficiaires anonymes",
         "Genres", "Tranches d'âge", "Statuts", "Médiateur", "Source"],
        ["Individuel", "2026-11-05", "45", "LieuActivite", "Médiathèque de Figeac", "Figeac", "46102",
         "AideAuxDemarchesAdministratives|SocialSante", "", "PartiellementAutonome", "Telephone|Ordinateur", "",
         "1", "0", "Feminin", "SoixanteDixPlus", "Retraite", "Camille Martin", "manual"],
        ["Collectif", "2026-11-04", "120", "Autre", "", "Cajarc", "46042", "SecuriteNumerique", "Debutant", "", "",
         "Arnaques", "5", "4", "Masculin|Feminin", "QuaranteCinquanteNeuf|NonCommunique",
         "NonCommunique|EnEmploi", "Camille Martin", "manual"],
    ]
    # The list's filters.
    rows = _rows(english_client(lot["animator"]).get(EXPORT, {"kind": "Collectif"}))
    assert [row[0] for row in rows[1:]] == ["Collectif"]
    assert _rows(english_client(UserFactory()).get(EXPORT))[1:] == []


def test_export_queries_do_not_grow(lot):
    client = english_client(lot["animator"])

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            lines = _rows(client.get(EXPORT, {"scope": "venues"}))
        return len(ctx.captured_queries), len(lines)

    def grow(count):
        for _ in range(count):
            record = ActivityRecordFactory(venue=lot["venue"], recorded_by=UserFactory())
            ActivityBeneficiary.objects.create(record=record)

    grow(3)
    small, lines = measure()
    assert lines == 4
    grow(27)
    large, lines = measure()
    assert lines == 31
    assert small == large


def test_a_procedure_brings_help_with_procedures(lot):
    english_client(lot["animator"]).post(CREATE, _post(themes=["Logement", "Email"]))
    assert ActivityRecord.objects.get().themes == ["AideAuxDemarchesAdministratives", "Logement", "Email"]
