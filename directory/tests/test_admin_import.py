"""The Wagtail admin: the venue import page, and the venue viewset saving through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from directory.models import Venue, VenueRevision
from directory.tests.test_opendata import EXAMPLE_CSV, csv_bytes, valid_row
from extranet.testing.factories import UserFactory, VenueFactory, grant_admin
from extranet.testing.pages import soup, text_of

IMPORT_URL = reverse("venues:import")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def client_for(user):
    """A client for `user`, whose Wagtail admin speaks English (the assertions read the source strings)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(db):
    return client_for(UserFactory(is_superuser=True, is_staff=True))


def upload(content, name="lieux.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def admin_referent(territory):
    """A local admin of the territory who reaches /cms/ (Wagtail's admin access permission)."""
    user = UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech")
    return grant_admin(user)


def result_rows(response):
    page = soup(response)
    return [[text_of(cell) for cell in row.find_all("td")] for row in page.select("tr.import-row")]


# --- Who reaches the page -----------------------------------------------------------------------


def test_a_coordinator_gets_the_form(coordinator, territory, other_territory):
    response = client_for(coordinator).get(IMPORT_URL)
    assert response.status_code == 200
    page = soup(response)
    form = page.find("form", attrs={"action": IMPORT_URL})
    assert form["enctype"] == "multipart/form-data"
    assert form.find("input", attrs={"type": "file", "name": "file"}) is not None
    assert form.find("input", attrs={"type": "checkbox", "name": "dry_run", "checked": True}) is not None
    options = [text_of(option) for option in form.find("select", attrs={"name": "territory"}).find_all("option")]
    assert options == ["Pays des Causses", "Vallée du Lys"]


def test_the_menu_and_the_venue_list_link_to_the_import_for_a_coordinator(coordinator):
    client = client_for(coordinator)
    assert IMPORT_URL in client.get(reverse("wagtailadmin_home")).content.decode()
    listing = soup(client.get(reverse("venues:index")))
    assert listing.find("a", attrs={"href": IMPORT_URL}) is not None


def test_a_local_admin_reaching_the_admin_chooses_among_their_territories_only(admin_referent, other_territory):
    client = client_for(admin_referent)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    options = [
        text_of(option) for option in soup(response).find("select", attrs={"name": "territory"}).find_all("option")
    ]
    assert options == ["Pays des Causses"]
    # Another territory is not a valid choice: nothing is imported.
    response = client.post(IMPORT_URL, {"file": upload(csv_bytes([valid_row()])), "territory": other_territory.pk})
    assert response.status_code == 200
    assert soup(response).select("tr.import-row") == []
    assert "territory" in soup(response).find("form", attrs={"action": IMPORT_URL}).decode()
    assert not Venue.objects.exists()


def test_a_plain_member_is_kept_out(member_client, territory):
    # No admin access at all: Wagtail sends to the login page (allauth's, here).
    response = member_client.get(IMPORT_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={IMPORT_URL}"
    response = member_client.post(IMPORT_URL, {"file": upload(csv_bytes([valid_row()])), "territory": territory.pk})
    assert response.status_code == 302
    assert not Venue.objects.filter(identifier="lieu-import-1").exists()


def test_a_site_editor_in_the_admin_but_not_a_local_admin_is_refused(editor, territory):
    client = client_for(editor)
    home = reverse("wagtailadmin_home")
    assert client.get(home).status_code == 200  # reaches the admin
    assert IMPORT_URL not in client.get(home).content.decode()
    # Wagtail turns PermissionDenied into a redirection to its home page, with a message.
    response = client.get(IMPORT_URL)
    assert (response.status_code, response["Location"]) == (302, home)
    response = client.post(IMPORT_URL, {"file": upload(csv_bytes([valid_row()])), "territory": territory.pk})
    assert (response.status_code, response["Location"]) == (302, home)
    assert not Venue.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- Importing -------------------------------------------------------------------------------------


def test_a_dry_run_shows_what_would_happen_and_saves_nothing(coordinator, territory, venue):
    file = csv_bytes([valid_row(id=venue.identifier, nom="Renommé"), valid_row(id="lieu-neuf", code_postal="46")])
    response = client_for(coordinator).post(
        IMPORT_URL, {"file": upload(file), "territory": territory.pk, "dry_run": "on"}
    )
    assert response.status_code == 200
    rows = result_rows(response)
    assert rows[0] == ["2", venue.identifier, "Renommé", "would be updated"]
    assert rows[1][:3] == ["3", "lieu-neuf", "EPM de Limogne"]
    assert rows[1][3].startswith("Not imported: code_postal: ")
    page = soup(response)
    assert "Dry run: nothing was saved" in text_of(page.find(id="import-report-title"))
    assert "1 would be updated" in text_of(page.select_one(".import-totals"))
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"
    assert Venue.objects.count() == 1 and not VenueRevision.objects.exists()


def test_an_import_creates_and_reports_each_row(coordinator, territory):
    response = client_for(coordinator).post(IMPORT_URL, {"file": upload(EXAMPLE_CSV), "territory": territory.pk})
    assert response.status_code == 200
    assert result_rows(response) == [["2", "structure-1", "Anonymal", "created"]]
    venue = Venue.objects.get(identifier="structure-1")
    assert venue.territory == territory
    assert venue.revisions.get().author == coordinator
    # The form comes back for the next file, territory kept, dry run off as just used.
    form = soup(response).find("form", attrs={"action": IMPORT_URL})
    assert form.find("option", attrs={"value": str(territory.pk), "selected": True}) is not None
    assert form.find("input", attrs={"name": "dry_run", "checked": True}) is None


def test_a_local_admin_imports_into_their_territory_not_over_others(admin_referent, territory, other_territory):
    VenueFactory(territory=other_territory, identifier="lieu-ailleurs", name="Cyber-base d'ailleurs")
    file = csv_bytes([valid_row(id="lieu-ailleurs", nom="Piraté"), valid_row(id="lieu-ici")])
    response = client_for(admin_referent).post(IMPORT_URL, {"file": upload(file), "territory": territory.pk})
    rows = result_rows(response)
    assert rows[0][3] == "Not imported: You cannot edit this venue."
    assert rows[1][3] == "created"
    assert Venue.objects.get(identifier="lieu-ailleurs").name == "Cyber-base d'ailleurs"
    assert Venue.objects.get(identifier="lieu-ici").territory == territory


def test_a_file_level_error_is_shown_and_nothing_imported(coordinator, territory):
    response = client_for(coordinator).post(
        IMPORT_URL, {"file": upload("id,nom\nx,é".encode("latin-1")), "territory": territory.pk}
    )
    page = soup(response)
    alert = page.select_one("#import-report-title ~ .help-critical")
    assert alert is not None and "not encoded in UTF-8" in text_of(alert)
    assert not Venue.objects.exists()


def test_a_script_in_the_file_is_escaped_on_the_result_page(coordinator, territory):
    name = '<script>alert("x")</script>'
    response = client_for(coordinator).post(
        IMPORT_URL, {"file": upload(csv_bytes([valid_row(nom=name)])), "territory": territory.pk}
    )
    html = response.content.decode()
    assert name not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert result_rows(response)[0][2] == name
    assert Venue.objects.get().name == name


def test_the_file_is_required(coordinator, territory):
    response = client_for(coordinator).post(IMPORT_URL, {"territory": territory.pk})
    assert response.status_code == 200
    assert soup(response).find(id="import-report-title") is None
    assert "This field is required." in response.content.decode()


# --- The venue viewset saves through the services -------------------------------------------------


def venue_form_data(territory, **values):
    data = {
        "name": "Fablab du Causse",
        "territory": territory.pk,
        "address": "2 rue du Four",
        "postal_code": "46260",
        "city": "Limogne-en-Quercy",
        "phone": "05 65 24 32 10",
    }
    data.update(values)
    return data


def test_creating_in_the_admin_records_a_revision(superuser_client, territory):
    response = superuser_client.post(
        reverse("venues:add"),
        venue_form_data(territory, identifier="lieu-fablab", services=["Loisirs et créations numériques"]),
    )
    assert response.status_code == 302
    venue = Venue.objects.get(identifier="lieu-fablab")
    assert venue.slug == "fablab-du-causse-limogne-en-quercy"
    assert venue.phone == "+33565243210"  # normalised by the service
    revision = venue.revisions.get()
    assert revision.kind == VenueRevision.Kind.CREATED
    assert revision.author.is_superuser
    # Wagtail's own history of the object still records the creation.
    assert ModelLogEntry.objects.filter(object_id=str(venue.pk), action="wagtail.create").count() == 1


def test_editing_in_the_admin_records_a_revision_and_keeps_the_identifier(coordinator, venue):
    client = client_for(coordinator)
    url = reverse("venues:edit", args=[venue.pk])
    form = soup(client.get(url)).find("form", attrs={"id": "w-editor-form"})
    assert form.find(attrs={"name": "identifier"}) is None
    assert form.find(attrs={"name": "slug"}) is None
    data = venue_form_data(venue.territory, name="EPM de Limogne-en-Quercy", identifier="vole")
    response = client.post(url, data)
    assert response.status_code == 302
    venue_after = Venue.objects.get(pk=venue.pk)
    assert venue_after.name == "EPM de Limogne-en-Quercy"
    assert venue_after.identifier == venue.identifier
    assert venue_after.slug == venue.slug
    revision = venue_after.revisions.get()
    assert (revision.kind, revision.author) == (VenueRevision.Kind.EDITED, coordinator)
    assert {change["field"] for change in revision.changes} >= {"name", "city", "postal_code"}


def test_invalid_data_in_the_admin_form_saves_nothing(superuser_client, venue):
    response = superuser_client.post(
        reverse("venues:edit", args=[venue.pk]),
        venue_form_data(venue.territory, latitude="40.7128", longitude="-74.0060"),
    )
    assert response.status_code == 200
    assert "outside France" in response.content.decode()
    assert not venue.revisions.exists()
    assert Venue.objects.get(pk=venue.pk).latitude is None


def test_the_service_refusal_comes_back_on_the_form(territory, other_territory):
    """Django permissions open the viewset, the service still checks the territory."""
    user = UserFactory(territory=territory, referent_of=[territory])
    grant_admin(user, model_permissions=[("directory", "_venue")])
    elsewhere = VenueFactory(territory=other_territory, name="Cyber-base d'ailleurs")
    client = client_for(user)

    response = client.post(reverse("venues:edit", args=[elsewhere.pk]), venue_form_data(other_territory, name="Piraté"))
    assert response.status_code == 200
    assert "You cannot edit this venue." in response.content.decode()
    assert Venue.objects.get(pk=elsewhere.pk).name == "Cyber-base d'ailleurs"

    # Nor by moving it into their own territory in the same edit.
    response = client.post(reverse("venues:edit", args=[elsewhere.pk]), venue_form_data(territory, name="Piraté"))
    assert response.status_code == 200
    assert "You cannot edit this venue." in response.content.decode()
    assert Venue.objects.filter(pk=elsewhere.pk).values_list("name", "territory").get() == (
        "Cyber-base d'ailleurs",
        other_territory.pk,
    )

    response = client.post(reverse("venues:add"), venue_form_data(other_territory, identifier="lieu-intrus"))
    assert response.status_code == 200
    assert "You cannot add a venue in this territory." in response.content.decode()
    assert not Venue.objects.filter(identifier="lieu-intrus").exists()

    # Moving one of their own venues to a territory they do not administer is refused too.
    mine = VenueFactory(territory=territory, name="EPM de chez moi")
    response = client.post(
        reverse("venues:edit", args=[mine.pk]), venue_form_data(other_territory, name="EPM de chez moi")
    )
    assert response.status_code == 200
    assert Venue.objects.get(pk=mine.pk).territory == territory
