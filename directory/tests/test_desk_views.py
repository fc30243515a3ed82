"""The desk's venue pages: my venues, add, edit (with conflicts), history, a version, restore."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from directory import services
from directory.models import Venue, VenueRevision
from extranet.testing.factories import UserFactory, VenueFactory
from extranet.testing.pages import measure_queries, soup, text_of

pytestmark = pytest.mark.django_db

REQUIRED = {"name": "EPM de Limogne", "address": "1 place de la Mairie", "postal_code": "46000", "city": "Cahors"}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def animator(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Carrère")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def png(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def test_an_animator_sees_their_venue_and_no_add_button(animator, venue, territory):
    other = VenueFactory(territory=territory, name="Cyber-base voisine")
    page = soup(client_for(animator).get(reverse("directory:venues")))
    assert [a.get_text() for a in page.select("tbody td:first-child a")] == ["EPM de Limogne"]
    assert other.name not in page.get_text()
    assert page.find("a", href=reverse("directory:venue-create")) is None


def test_a_local_admin_sees_the_territory_s_venues_and_may_add(referent, venue, other_territory):
    elsewhere = VenueFactory(territory=other_territory, name="Cyber-base d'ailleurs")
    client = client_for(referent)
    page = soup(client.get(reverse("directory:venues")))
    assert [a.get_text() for a in page.select("tbody td:first-child a")] == ["EPM de Limogne"]
    assert page.find("a", href=reverse("directory:venue-create")) is not None
    assert client.get(reverse("directory:venue-edit", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("directory:venue-history", args=[elsewhere.pk])).status_code == 404


def test_a_member_without_venue_is_told_how_to_get_one(territory):
    page = client_for(UserFactory(territory=territory)).get(reverse("directory:venues"))
    assert "Say which venue you work in on your profile" in text_of(soup(page))


def test_adding_a_venue_through_the_form(referent, territory):
    client = client_for(referent)
    assert client.get(reverse("directory:venue-create")).status_code == 200
    response = client.post(
        reverse("directory:venue-create"),
        dict(
            REQUIRED,
            name="Tiers-lieu du Causse",
            territory=territory.pk,
            services=["Loisirs et créations numériques"],
            emails="contact@causse.fr\nanimation@causse.fr",
            opening_hours="Mo-Fr 09:00-12:00",
        ),
    )
    venue = Venue.objects.get(name="Tiers-lieu du Causse")
    assert response.status_code == 302 and response["Location"] == reverse("directory:venue-history", args=[venue.pk])
    assert venue.emails == ["contact@causse.fr", "animation@causse.fr"]
    assert venue.services == ["Loisirs et créations numériques"]


def test_a_member_cannot_open_the_add_form(member):
    assert client_for(member).get(reverse("directory:venue-create")).status_code == 403
    assert client_for(member).post(reverse("directory:venue-create"), REQUIRED).status_code == 403
    assert not Venue.objects.exclude(name="EPM de Limogne").exists()


def test_the_territory_list_of_the_add_form_is_the_admin_s(referent, territory, other_territory):
    page = soup(client_for(referent).get(reverse("directory:venue-create")))
    assert [o.get_text() for o in page.select("select[name=territory] option")] == [territory.name]
    response = client_for(referent).post(
        reverse("directory:venue-create"), dict(REQUIRED, territory=other_territory.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text_of(soup(response))


def test_editing_keeps_what_was_typed_and_says_why_when_wrong(animator, venue):
    client = client_for(animator)
    url = reverse("directory:venue-edit", args=[venue.pk])
    response = client.post(url, dict(REQUIRED, name="Nouveau nom", postal_code="4600", opening_hours="Lu 9h"))
    assert response.status_code == 200
    page = soup(response)
    assert page.find("input", attrs={"name": "name"})["value"] == "Nouveau nom"
    assert page.find("input", attrs={"name": "opening_hours"})["value"] == "Lu 9h"
    errors = text_of(soup(response))
    assert "A postal code has five digits" in errors
    assert "These opening hours cannot be read" in errors
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"


def test_editing_through_the_form_records_a_revision_and_shows_it_in_the_history(animator, venue):
    client = client_for(animator)
    response = client.post(
        reverse("directory:venue-edit", args=[venue.pk]),
        dict(
            REQUIRED,
            summary="Accès libre le mercredi.",
            websites="www.limogne.fr",
            fees=["Gratuit"],
            phone="05 65 22 33 44",
        ),
    )
    assert response.status_code == 302
    fresh = Venue.objects.get(pk=venue.pk)
    assert (fresh.websites, fresh.phone) == (["https://www.limogne.fr"], "+33565223344")
    history = client.get(reverse("directory:venue-history", args=[venue.pk]))
    text = text_of(soup(history))
    assert "Edit by Inès Carrère" in text
    assert "Accès libre le mercredi." in text and "+33565223344" in text


def test_saving_the_form_unchanged_says_so_and_records_nothing(animator, venue):
    client = client_for(animator)
    response = client.post(reverse("directory:venue-edit", args=[venue.pk]), REQUIRED, follow=True)
    assert "Nothing changed" in text_of(soup(response))
    assert not VenueRevision.objects.exists()


def test_a_conflicting_edit_is_shown_on_the_form_with_the_typed_text(animator, referent, venue):
    services.venue_update(actor=referent, venue=venue, data={"summary": "v1"})
    client = client_for(animator)
    page = soup(client.get(reverse("directory:venue-edit", args=[venue.pk])))
    base = page.find("input", attrs={"name": "base_revision"})["value"]
    services.venue_update(actor=referent, venue=venue, data={"summary": "v2 by Marc"})
    response = client.post(
        reverse("directory:venue-edit", args=[venue.pk]), dict(REQUIRED, summary="v2 by Inès", base_revision=base)
    )
    assert response.status_code == 200
    assert "Marc Delpech saved this venue while you were editing it" in text_of(soup(response))
    assert "v2 by Inès" in response.content.decode()
    assert Venue.objects.get(pk=venue.pk).summary == "v2 by Marc"


def test_a_photo_is_uploaded_and_removed(animator, venue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(animator)
    url = reverse("directory:venue-edit", args=[venue.pk])
    assert client.post(url, dict(REQUIRED, photo=png())).status_code == 302
    fresh = Venue.objects.get(pk=venue.pk)
    assert fresh.photo.name.startswith("venues/photo")
    assert client.post(url, dict(REQUIRED, remove_photo="on")).status_code == 302
    assert Venue.objects.get(pk=venue.pk).photo.name == ""
    assert VenueRevision.objects.count() == 2


def test_a_file_that_is_not_an_image_is_refused(animator, venue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client_for(animator).post(reverse("directory:venue-edit", args=[venue.pk]), dict(REQUIRED, photo=fake))
    assert response.status_code == 200
    assert "Upload a valid image" in text_of(soup(response))


def test_a_version_page_and_restoring_it(animator, referent, venue):
    services.venue_update(actor=animator, venue=venue, data={"summary": "Le bon texte"})
    good = VenueRevision.objects.get()
    services.venue_update(actor=referent, venue=venue, data={"summary": "<script>alert('x')</script>"})
    client = client_for(animator)
    history = client.get(reverse("directory:venue-history", args=[venue.pk]))
    assert "<script>alert" not in history.content.decode()
    assert "&lt;script&gt;alert" in history.content.decode()
    version = client.get(reverse("directory:revision-detail", args=[venue.pk, good.pk]))
    assert "Restore this version" in text_of(soup(version))
    response = client.post(reverse("directory:revision-restore", args=[venue.pk, good.pk]))
    assert response.status_code == 302
    assert Venue.objects.get(pk=venue.pk).summary == "Le bon texte"
    latest = VenueRevision.objects.first()
    assert "current version" in text_of(soup(client.get(reverse("directory:venue-history", args=[venue.pk]))))
    assert "This is the current version" in text_of(
        soup(client.get(reverse("directory:revision-detail", args=[venue.pk, latest.pk])))
    )


def test_restore_is_post_only_and_refused_to_others(animator, venue, territory):
    services.venue_update(actor=animator, venue=venue, data={"summary": "v1"})
    revision = VenueRevision.objects.get()
    url = reverse("directory:revision-restore", args=[venue.pk, revision.pk])
    assert client_for(animator).get(url).status_code == 405
    outsider = UserFactory(territory=territory)
    assert client_for(outsider).post(url).status_code == 404
    other = VenueFactory(territory=territory)
    admin = UserFactory(territory=territory, referent_of=[territory])
    assert (
        client_for(admin).get(reverse("directory:revision-detail", args=[other.pk, revision.pk])).status_code == 404
    )
    assert VenueRevision.objects.count() == 1


def test_the_list_and_history_query_counts_are_flat(referent, venue, animator):
    client = client_for(referent)
    list_url = reverse("directory:venues")
    history_url = reverse("directory:venue-history", args=[venue.pk])
    services.venue_update(actor=animator, venue=venue, data={"summary": "v0"})
    # A first visit warms the per-site caches (footer pages...), counted once only.
    measure_queries(client, list_url), measure_queries(client, history_url)
    small_list, small_history = measure_queries(client, list_url)[0], measure_queries(client, history_url)[0]
    VenueFactory.create_batch(25, territory=venue.territory)
    for n in range(15):
        services.venue_update(actor=animator if n % 2 else referent, venue=venue, data={"summary": f"v{n + 1}"})
    assert measure_queries(client, list_url)[0] == small_list
    assert measure_queries(client, history_url)[0] == small_history
    assert small_list <= 9 and small_history <= 10, (small_list, small_history)


# --- Issue 14: hours by day, coordinates from the address, labelled types, history, errors -----

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def hours_post(initial="", raw=None, holidays="off", **days):
    """What the browser sends from the hours editor without JavaScript (see HoursWidget)."""
    data = {
        "opening_hours__editor": "1",
        "opening_hours__initial": initial,
        "opening_hours": initial if raw is None else raw,
        "opening_hours__PH": holidays,
    }
    for code in DAYS:
        ranges = days.get(code) or [("", "")]
        if not days.get(code):
            data[f"opening_hours__{code}__closed"] = "1"
        data[f"opening_hours__{code}__start"] = [start for start, _end in ranges]
        data[f"opening_hours__{code}__end"] = [end for _start, end in ranges]
    return data


def test_a_referent_saves_hours_typed_day_by_day(referent, venue):
    client = client_for(referent)
    url = reverse("directory:venue-edit", args=[venue.pk])
    two_ranges = [("09:00", "12:00"), ("14:00", "18:00"), ("", "")]
    response = client.post(url, dict(REQUIRED, **hours_post(Mo=two_ranges, We=two_ranges)))
    assert response.status_code == 302
    assert Venue.objects.get(pk=venue.pk).opening_hours == "Mo,We 09:00-12:00,14:00-18:00; PH off"
    # Reloaded, the form shows them back in the rows.
    page = soup(client.get(url))
    assert [i["value"] for i in page.select("input[name=opening_hours__We__start]")] == ["09:00", "14:00", ""]
    assert [i["value"] for i in page.select("input[name=opening_hours__We__end]")] == ["12:00", "18:00", ""]
    assert page.find("input", attrs={"name": "opening_hours__Tu__closed"}).has_attr("checked")
    assert not page.find("input", attrs={"name": "opening_hours__Mo__closed"}).has_attr("checked")
    assert page.find("input", attrs={"name": "opening_hours__PH", "value": "off"}).has_attr("checked")
    assert [label.get_text() for label in page.select(".hours-day__name")][:2] == ["Monday", "Tuesday"]


def test_hours_typed_in_french_in_the_advanced_entry_are_saved_in_the_osm_format(animator, venue):
    client = client_for(animator)
    data = dict(REQUIRED, **hours_post(raw="du lundi au vendredi 9h-12h et 14h-18h30; samedi 9 h 30 - 12 h"))
    assert client.post(reverse("directory:venue-edit", args=[venue.pk]), data).status_code == 302
    assert Venue.objects.get(pk=venue.pk).opening_hours == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:30-12:00"


def test_a_failed_post_shows_an_error_summary_linking_to_each_field(animator, venue):
    client = client_for(animator)
    data = dict(REQUIRED, postal_code="46", **hours_post(Mo=[("14:00", "12:00")]))
    response = client.post(reverse("directory:venue-edit", args=[venue.pk]), data)
    assert response.status_code == 200
    page = soup(response)
    summary = page.select_one("[data-error-summary]")
    assert summary["tabindex"] == "-1" and summary.has_attr("autofocus")
    assert summary.h2.get_text() == "The form contains 2 errors"
    links = [(a["href"], a.get_text()) for a in summary.select("a")]
    assert links == [
        ("#id_postal_code", "Postal code: A postal code has five digits, for example 46000."),
        ("#id_opening_hours_editor", "Opening hours: Monday: the range 14:00 – 12:00 ends before it starts."),
    ]
    assert page.find(id="id_postal_code") is not None and page.find(id="id_opening_hours_editor") is not None
    assert page.title.get_text().startswith("Error")
    # What was typed comes back in the rows; nothing saved.
    assert [i["value"] for i in page.select("input[name=opening_hours__Mo__start]")] == ["14:00", ""]
    assert Venue.objects.get(pk=venue.pk).postal_code == "46000"
    assert page.find("script", src=lambda src: src and src.endswith("js/hours_editor.js")) is not None


def test_the_form_offers_labelled_structure_types_and_stores_codes(referent, venue):
    services.venue_update(actor=referent, venue=venue, data={"typology": ["ASSO", "VIEUX_CODE"]})
    client = client_for(referent)
    url = reverse("directory:venue-edit", args=[venue.pk])
    page = soup(client.get(url))
    asso = page.find("input", attrs={"name": "typology", "value": "ASSO"})
    assert asso.has_attr("checked")
    assert page.find("label", attrs={"for": asso["id"]}).get_text() == "Association"
    # A code outside the vocabulary (an import) stays a choice, ticked, so an edit keeps it.
    old = page.find("input", attrs={"name": "typology", "value": "VIEUX_CODE"})
    assert old.has_attr("checked")
    assert "---------" not in page.get_text()
    response = client.post(url, dict(REQUIRED, typology=["BIB", "ASSO"]))
    assert response.status_code == 302
    assert Venue.objects.get(pk=venue.pk).typology == ["BIB", "ASSO"]


def test_the_add_form_prompts_for_a_territory_instead_of_dashes(coordinator, territory, other_territory):
    page = soup(client_for(coordinator).get(reverse("directory:venue-create")))
    options = [o.get_text() for o in page.select("select[name=territory] option")]
    assert options[0] == "Choose a territory" and "---------" not in options
    assert "---------" not in page.get_text()


def test_reordering_a_list_alone_is_not_a_change(animator, venue):
    services.venue_update(actor=animator, venue=venue, data={
        "services": ["Aide aux démarches administratives", "Loisirs et créations numériques"]})
    client = client_for(animator)
    response = client.post(
        reverse("directory:venue-edit", args=[venue.pk]),
        dict(REQUIRED, services=["Loisirs et créations numériques", "Aide aux démarches administratives"]),
        follow=True,
    )
    assert "Nothing changed" in text_of(soup(response))
    assert VenueRevision.objects.count() == 1


def test_the_history_names_edits_and_capitalised_fields_and_hides_reorderings(animator, venue):
    services.venue_update(actor=animator, venue=venue, data={"summary": "Ateliers le mercredi", "typology": ["ASSO"]})
    # An older revision that recorded a reordering only (before lists were compared as sets).
    VenueRevision.objects.create(venue=venue, author=animator, kind=VenueRevision.Kind.EDITED, data={}, changes=[
        {"field": "services", "before": ["A", "B"], "after": ["B", "A"]}])
    client = client_for(animator)
    page = soup(client.get(reverse("directory:venue-history", args=[venue.pk])))
    first, second = page.select(".revision")[:2]
    assert text_of(first).startswith("Edit by Inès Carrère")
    assert "No field changed." in text_of(first)
    rows = [[cell.get_text() for cell in row.select("th, td")] for row in second.select("tbody tr")]
    assert rows == [["Types of structure", "—", "Association"], ["Summary", "—", "Ateliers le mercredi"]]


def fake_geocoder(monkeypatch, settings, payload):
    from directory import geocoding

    settings.GEOCODER_URL = "https://api-adresse.data.gouv.fr/search/"
    calls = []

    class Response:
        def raise_for_status(self):
            pass

        def json(self):
            return payload

    def fake_get(url, **kwargs):
        calls.append(kwargs["params"]["q"])
        return Response()

    monkeypatch.setattr(geocoding.requests, "get", fake_get)
    return calls


FOUND = {"features": [{"geometry": {"coordinates": [1.6372, 44.3553]},
                       "properties": {"label": "3 Place de la Mairie 46260 Limogne-en-Quercy", "score": 0.91}}]}


def test_find_the_coordinates_without_javascript_fills_the_form_and_saves_nothing(
    animator, venue, monkeypatch, settings
):
    calls = fake_geocoder(monkeypatch, settings, FOUND)
    client = client_for(animator)
    url = reverse("directory:venue-edit", args=[venue.pk])
    data = dict(REQUIRED, address="3 place de la Mairie", postal_code="46260", city="Limogne-en-Quercy",
                summary="Typed before looking", locate="1")
    response = client.post(url, data)
    assert response.status_code == 200
    assert calls == ["3 place de la Mairie 46260 Limogne-en-Quercy"]
    page = soup(response)
    assert page.find("input", attrs={"name": "latitude"})["value"] == "44.355300"
    assert page.find("input", attrs={"name": "longitude"})["value"] == "1.637200"
    assert "Typed before looking" in page.find("textarea", attrs={"name": "summary"}).get_text()
    assert page.select_one("[data-locate-status]").get_text() == (
        "Coordinates found for « 3 Place de la Mairie 46260 Limogne-en-Quercy »: check the pin on the map, then save."
    )
    assert page.select_one("[data-error-summary]") is None
    assert not VenueRevision.objects.exists()


def test_find_the_coordinates_answers_json_to_the_page_script(animator, venue, monkeypatch, settings):
    fake_geocoder(monkeypatch, settings, FOUND)
    response = client_for(animator).post(
        reverse("directory:venue-edit", args=[venue.pk]),
        dict(REQUIRED, locate="1"), HTTP_ACCEPT="application/json",
    )
    assert response.json() == {
        "found": True, "latitude": "44.355300", "longitude": "1.637200",
        "message": "Coordinates found for « 3 Place de la Mairie 46260 Limogne-en-Quercy »: "
                   "check the pin on the map, then save.",
    }


def test_find_the_coordinates_when_nothing_is_found_or_no_service(animator, venue, monkeypatch, settings):
    fake_geocoder(monkeypatch, settings, {"features": []})
    client = client_for(animator)
    url = reverse("directory:venue-edit", args=[venue.pk])
    response = client.post(url, dict(REQUIRED, locate="1"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["found"] is False
    settings.GEOCODER_URL = ""
    page = soup(client.get(url))
    assert page.find("button", attrs={"name": "locate"}) is None
    assert page.find("input", attrs={"name": "latitude"}) is not None


def test_find_the_coordinates_is_refused_to_who_cannot_edit(member, territory, monkeypatch, settings):
    calls = fake_geocoder(monkeypatch, settings, FOUND)
    other = VenueFactory(territory=territory, name="Cyber-base voisine")
    response = client_for(member).post(reverse("directory:venue-edit", args=[other.pk]), dict(REQUIRED, locate="1"))
    assert response.status_code == 404
    assert calls == []


def test_hours_richer_than_the_rows_open_the_advanced_entry_and_survive_a_save(animator, venue):
    value = 'We 13:30-18:00; Sa 09:00-12:00 "sur rendez-vous"; PH off'
    services.venue_update(actor=animator, venue=venue, data={"opening_hours": value})
    client = client_for(animator)
    url = reverse("directory:venue-edit", args=[venue.pk])
    page = soup(client.get(url))
    assert page.select_one(".hours-editor__raw").has_attr("open")
    assert page.find("input", attrs={"name": "opening_hours"})["value"] == value
    assert "the editor by day cannot show" in text_of(page)
    # Saved with the rows left empty and another field changed: the hours stay as they were.
    response = client.post(url, dict(REQUIRED, summary="Nouveau résumé", **hours_post(initial=value)))
    assert response.status_code == 302
    fresh = Venue.objects.get(pk=venue.pk)
    assert (fresh.opening_hours, fresh.summary) == (value, "Nouveau résumé")
