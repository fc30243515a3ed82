"""The library's desk pages through the client: writing a resource (a real PNG and a PDF, kit
steps and equipment), refused input kept, publishing, the detail page, ratings, reports,
workshop links, the list's search and filters, and its query count pinned with 5,000 resources."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from extranet.testing.assertions import png
from extranet.testing.factories import (
    EquipmentCategoryFactory,
    ItemFactory,
    KitFactory,
    ResourceFactory,
    ResourceTagFactory,
    UserFactory,
    WorkshopFactory,
    resource_file_make,
)
from extranet.testing.pages import english_client, messages_of, soup, text_of
from resources.models import KitStep, Rating, Report, Resource, ResourceAuthor, ResourceFile, Tag, WorkshopKit

pytestmark = pytest.mark.django_db


def pdf(name="deroule.pdf"):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def management(total, initial=0):
    return {"steps-TOTAL_FORMS": str(total), "steps-INITIAL_FORMS": str(initial),
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "50"}


@pytest.fixture
def author(territory):
    return UserFactory(territory=territory, display_name="Awa Diallo")


@pytest.fixture
def colleague(territory):
    return UserFactory(territory=territory, display_name="Bruno Le Goff")


@pytest.fixture
def equipment():
    category = EquipmentCategoryFactory(name="Tablettes")
    tablet = ItemFactory(name="Tablette Android", category=category)
    broken = ItemFactory(name="Tablette cassée", category=category, status="repair")
    kit = KitFactory(name="Kit visio")
    return {"tablet": tablet, "broken": broken, "kit": kit}


def create_data(colleague, equipment, theme, **extra):
    data = {
        "title": "Atelier « Premiers pas sur tablette »", "summary": "Un atelier de deux heures pour débuter.",
        "body": "## Objectif\n\nAllumer, déverrouiller, **toucher**.", "licence": "cc-by-sa-4.0",
        "visibility": "public", "themes": [str(theme.pk)], "new_themes": "Tablette, Seniors",
        "new_publics": "Retraités", "authors": [str(colleague.pk)],
        "equipment_items": [str(equipment["tablet"].pk)], "equipment_kits": [str(equipment["kit"].pk)],
        **management(3),
        "steps-0-title": "Accueil", "steps-0-body": "Un café, les prénoms.", "steps-0-duration_minutes": "15",
        "steps-1-title": "Prise en main", "steps-1-body": "Les gestes de base.", "steps-1-duration_minutes": "75",
        "steps-2-title": "", "steps-2-body": "", "steps-2-duration_minutes": "",
    }
    data.update(extra)
    return data


# --- Writing ------------------------------------------------------------------------------------


def test_create_publish_and_edit_a_workshop_kit(author, colleague, equipment):
    theme = ResourceTagFactory(name="Autonomie numérique")
    client = english_client(author)
    page = client.get(reverse("ressources:create"))
    html = soup(page)
    default = html.select_one("#id_licence_0")
    assert default["value"] == "etalab-2.0" and default.has_attr("checked")
    assert html.select_one("input[name='steps-TOTAL_FORMS']")["value"] == "3"  # three empty steps without JS
    assert html.select_one("template#step-template") is not None
    authors = [o.text for o in html.select("#id_authors option")]
    assert "Bruno Le Goff" in authors and "Awa Diallo" not in authors  # the writer is an author anyway
    options = {o.text: o.get("value") for o in html.select("#id_equipment_items option")}
    assert f"Tablette Android ({equipment['tablet'].inventory_number})" in options
    assert not any("cassée" in label for label in options)  # in repair: not offered

    response = client.post(reverse("ressources:create"), {
        **create_data(colleague, equipment, theme), "files": [png("affiche.png"), pdf()]})
    resource = Resource.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ressources:detail", args=[resource.pk])
    assert resource.status == "draft" and resource.licence == "cc-by-sa-4.0" and resource.visibility == "public"
    assert list(ResourceAuthor.objects.filter(resource=resource).values_list("user__display_name", flat=True)) == [
        "Awa Diallo", "Bruno Le Goff"]
    assert sorted(resource.tags.values_list("name", flat=True)) == ["Autonomie numérique", "Retraités", "Seniors",
                                                                  "Tablette"]
    assert list(KitStep.objects.filter(resource=resource).values_list("title", "duration_minutes")) == [
        ("Accueil", 15), ("Prise en main", 75)]
    assert list(resource.equipment_items.all()) == [equipment["tablet"]]
    assert list(resource.equipment_kits.all()) == [equipment["kit"]]
    files = {file.name: file for file in ResourceFile.objects.filter(resource=resource)}
    assert sorted(files) == ["affiche.png", "deroule.pdf"]
    assert files["affiche.png"].thumbnail

    detail = client.get(response["Location"])
    page = soup(detail)
    assert "Draft" in text_of(page.select_one(".res-card__marks"))
    steps = [text_of(li.select_one(".res-step__title")) for li in page.select("ol.res-steps > li")]
    assert steps == ["Accueil 15 min", "Prise en main 1 h 15"]
    assert "1 h 30 in all" in text_of(page.select_one(".res-kit"))
    equipment_text = text_of(page.select_one(".res-equipment"))
    assert "Tablette Android" in equipment_text and "Kit visio" in equipment_text
    assert page.select_one(f"a[href='{reverse('materiel:reserve-item', args=[equipment['tablet'].pk])}']")
    assert page.select_one(f"a[href='{reverse('materiel:reserve-kit', args=[equipment['kit'].pk])}']")
    assert page.select_one(f"a[href='{reverse('members:profile', args=[colleague.pk])}']").text == "Bruno Le Goff"
    thumb = page.select_one("img.res-file__thumb")
    assert thumb["src"] == reverse("ressources:file-thumbnail", args=[resource.pk, files["affiche.png"].pk])
    thumbnail = client.get(thumb["src"])
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] in ("image/webp", "image/png")
    preview = reverse("ressources:file-preview", args=[resource.pk, files["deroule.pdf"].pk])
    assert page.select_one(f"a[href='{preview}']")

    response = client.post(reverse("ressources:publish", args=[resource.pk]))
    resource.refresh_from_db()
    assert resource.status == "published" and resource.published_at is not None
    assert messages_of(client.get(response["Location"]))[0] == f"« {resource.title} » is published."

    edit = soup(client.get(reverse("ressources:edit", args=[resource.pk])))
    assert edit.select_one("#id_title")["value"] == resource.title
    assert edit.select_one("input[name='steps-TOTAL_FORMS']")["value"] == "5"  # two steps + three empty
    assert edit.select_one("#id_steps-1-title")["value"] == "Prise en main"
    assert [o.text for o in edit.select("#id_authors option[selected]")] == ["Awa Diallo", "Bruno Le Goff"]
    data = create_data(colleague, equipment, theme, title="Premiers pas sur tablette", new_themes="",
                       new_publics="", **management(5, 2))
    data.update({"steps-1-DELETE": "on", "steps-2-title": "Bilan", "steps-2-duration_minutes": "10",
                 "steps-3-title": "", "steps-4-title": "", "remove_files": [str(files["deroule.pdf"].pk)],
                 "authors": [str(colleague.pk), str(author.pk)]})
    response = client.post(reverse("ressources:edit", args=[resource.pk]), data)
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Premiers pas sur tablette"
    assert list(resource.steps.values_list("title", flat=True)) == ["Accueil", "Bilan"]
    assert list(resource.files.values_list("name", flat=True)) == ["affiche.png"]
    assert list(ResourceAuthor.objects.filter(resource=resource).values_list("user__display_name", flat=True)) == [
        "Awa Diallo", "Bruno Le Goff"]  # their order kept


def test_a_refused_form_keeps_what_was_typed_and_saves_nothing(author, colleague, equipment):
    theme = ResourceTagFactory(name="Démarches")
    client = english_client(author)
    data = create_data(colleague, equipment, theme, title="", **{"steps-1-title": "", "steps-2-title": "Bilan"})
    response = client.post(reverse("ressources:create"), {**data, "files": [png("affiche.png")]})
    assert response.status_code == 200
    assert Resource.objects.count() == 0 and ResourceFile.objects.count() == 0
    page = soup(response)
    summary = page.select_one("[data-error-summary]")
    assert summary.has_attr("autofocus")
    errors = [text_of(li) for li in summary.select("li")]
    assert "The files you chose were not kept: choose them again before saving." in errors
    assert "Title: This field is required." in errors
    assert any(error.startswith("Step 2, step title:") for error in errors)  # a body and a duration, no title
    assert page.select_one("#id_summary").text.strip() == "Un atelier de deux heures pour débuter."
    assert page.select_one("#id_body").text.strip().startswith("## Objectif")
    assert page.select_one("#id_new_themes")["value"] == "Tablette, Seniors"
    assert page.select_one("#id_licence_1").has_attr("checked")  # cc-by-sa-4.0
    assert page.select_one(f"#id_themes input[value='{theme.pk}']").has_attr("checked")
    assert page.select_one("#id_steps-0-title")["value"] == "Accueil"
    assert page.select_one("#id_steps-2-title")["value"] == "Bilan"
    assert page.select_one(f"#id_equipment_items option[value='{equipment['tablet'].pk}']").has_attr("selected")


def test_the_services_refusals_land_on_their_fields(author, colleague, equipment):
    theme = ResourceTagFactory(name="Démarches")
    tags_before = Tag.objects.count()
    client = english_client(author)
    data = create_data(colleague, equipment, theme, new_themes="x" * 81)
    response = client.post(reverse("ressources:create"), {**data, "files": [
        SimpleUploadedFile("outil.exe", b"MZ\x90\x00" + b"\x00" * 60, content_type="application/octet-stream")]})
    assert response.status_code == 200
    assert Resource.objects.count() == 0 and Tag.objects.count() == tags_before
    page = soup(response)
    new_themes_errors = text_of(page.select_one("#id_new_themes_error"))
    assert "is too long for a tag" in new_themes_errors
    assert "outil.exe" in text_of(page.select_one("#id_files_error"))
    links = [a["href"] for a in page.select("[data-error-summary] a")]
    assert "#id_new_themes" in links and "#id_files" in links


def test_a_file_over_the_limit_is_stopped_before_it_is_stored(author, colleague, equipment, settings):
    settings.FILES_MAX_SIZE = 200
    theme = ResourceTagFactory(name="Démarches")
    client = english_client(author)
    big = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * 5000, content_type="application/pdf")
    response = client.post(reverse("ressources:create"), {**create_data(colleague, equipment, theme), "files": [big]})
    assert response.status_code == 200
    assert Resource.objects.count() == 0
    page = soup(response)
    assert "« gros.pdf » is larger than 200" in text_of(page.select_one("#id_files_error"))
    assert page.select_one("#id_steps-1-title")["value"] == "Prise en main"  # fields before the files are kept


def test_malformed_posts_are_refused_never_a_500(author, colleague):
    resource = ResourceFactory(created_by=author, title="Fiche")
    client = english_client(author)
    for data in ({"title": "Sans formulaire d'étapes"},  # no management form
                 {"title": "T", "licence": "gpl", "visibility": "secret", "authors": ["x"], "themes": ["999999"],
                  "equipment_items": ["0"], **management(2), "steps-0-duration_minutes": "deux"},
                 {"title": "T" * 500, **management(1000)}):
        for url in (reverse("ressources:create"), reverse("ressources:edit", args=[resource.pk])):
            response = client.post(url, data)
            assert response.status_code == 200, (url, data)
            assert soup(response).select_one("[data-error-summary]") is not None
    assert Resource.objects.count() == 1
    other = english_client(colleague)
    for url, data in ((reverse("ressources:rate", args=[resource.pk]), {"score": "9"}),
                      (reverse("ressources:report", args=[resource.pk]), {"reason": "boring"}),
                      (reverse("ressources:save", args=[resource.pk]), {"collection": "abc"})):
        assert other.post(url, data).status_code in (200, 302), url
    assert english_client(author).get(reverse("ressources:index") + "?page=abc&licence=zzz").status_code == 200
    assert Rating.objects.count() == 0 and Report.objects.count() == 0


def test_an_outsider_cannot_edit_and_a_moderator_can(author, colleague, coordinator):
    resource = ResourceFactory(created_by=author, title="Fiche")
    assert english_client(colleague).get(reverse("ressources:edit", args=[resource.pk])).status_code == 403
    response = english_client(coordinator).post(reverse("ressources:edit", args=[resource.pk]), {
        "title": "Fiche relue", "summary": "Relue.", "body": "", "licence": "etalab-2.0", "visibility": "members",
        "authors": [str(author.pk)], **management(0)})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Fiche relue"


def test_unpublish_with_a_reason_and_delete(author, coordinator):
    resource = ResourceFactory(created_by=author, title="Fiche ancienne")
    client = english_client(coordinator)
    page = soup(client.get(reverse("ressources:detail", args=[resource.pk])))
    assert page.select_one("form[action$='/depublier/'] textarea[name='reason']") is not None
    client.post(reverse("ressources:unpublish", args=[resource.pk]), {"reason": "Les captures datent de 2019."})
    resource.refresh_from_db()
    assert resource.status == "draft"
    confirm = client.get(reverse("ressources:delete", args=[resource.pk]))
    assert "deleted for good" in text_of(soup(confirm))
    response = client.post(reverse("ressources:delete", args=[resource.pk]))
    assert response["Location"] == reverse("ressources:index")
    assert not Resource.objects.filter(pk=resource.pk).exists()


def test_publishing_without_a_summary_says_why(author):
    resource = ResourceFactory(created_by=author, status="draft", summary="", published_at=None)
    client = english_client(author)
    response = client.post(reverse("ressources:publish", args=[resource.pk]), follow=True)
    assert messages_of(response) == ["Write a summary before publishing the resource."]
    resource.refresh_from_db()
    assert resource.status == "draft"


# --- Detail: views, downloads, ratings, reports, workshops --------------------------------------


def test_views_and_downloads_are_counted(author, colleague):
    resource = ResourceFactory(created_by=author)
    file = resource_file_make(resource=resource)
    english_client(colleague).get(reverse("ressources:detail", args=[resource.pk]))
    english_client(author).get(reverse("ressources:detail", args=[resource.pk]))  # its author: not counted
    english_client(colleague).get(reverse("ressources:file", args=[resource.pk, file.pk]))
    resource.refresh_from_db()
    file.refresh_from_db()
    assert (resource.views, resource.downloads, file.downloads) == (1, 1, 1)


def test_rating_flow(author, colleague):
    resource = ResourceFactory(created_by=author, title="Fiche")
    url = reverse("ressources:detail", args=[resource.pk])
    own = soup(english_client(author).get(url))
    assert own.select_one("form[action$='/noter/']") is None
    assert "You cannot rate your own resource." in text_of(own.select_one("#avis"))

    client = english_client(colleague)
    page = soup(client.get(url))
    labels = [text_of(label) for label in page.select("#id_score label")]
    assert labels == ["Highly recommended", "Recommended", "Little recommended", "Not recommended"]
    refused = client.post(reverse("ressources:rate", args=[resource.pk]), {"comment": "Très clair."})
    assert refused.status_code == 200
    assert soup(refused).select_one("#id_comment").text.strip() == "Très clair."
    assert Rating.objects.count() == 0
    response = client.post(reverse("ressources:rate", args=[resource.pk]), {"score": "4", "comment": "Très clair."})
    assert response["Location"] == url + "#avis"
    page = soup(client.get(url))
    assert page.select_one("#id_score input[value='4']").has_attr("checked")
    assert page.select_one("#id_comment").text.strip() == "Très clair."
    assert "Highly recommended (1 opinion)" in text_of(page.select_one(".res-badge"))
    assert "Très clair." in text_of(page.select_one(".res-ratings"))
    client.post(reverse("ressources:rate", args=[resource.pk]), {"delete": "1"})
    assert Rating.objects.count() == 0


def test_report_flow(author, colleague, coordinator):
    resource = ResourceFactory(created_by=author, title="Fiche")
    client = english_client(colleague)
    form = soup(client.get(reverse("ressources:report", args=[resource.pk])))
    assert [i["value"] for i in form.select("input[name='reason']")] == ["outdated", "wrong", "inappropriate",
                                                                         "duplicate"]
    refused = client.post(reverse("ressources:report", args=[resource.pk]), {"comment": "Les écrans ont changé."})
    assert refused.status_code == 200
    assert soup(refused).select_one("#id_comment").text.strip() == "Les écrans ont changé."
    client.post(reverse("ressources:report", args=[resource.pk]), {"reason": "outdated",
                                                                   "comment": "Les écrans ont changé."})
    report = Report.objects.get()
    assert (report.reporter, report.reason, report.status) == (colleague, "outdated", "open")

    moderator = english_client(coordinator)
    queue = soup(moderator.get(reverse("ressources:reports")))
    assert "Les écrans ont changé." in text_of(queue.select_one(f"#signalement-{report.pk}"))
    response = moderator.post(reverse("ressources:report-handle", args=[report.pk]),
                              {f"r{report.pk}-status": "resolved", f"r{report.pk}-note": "Captures refaites."})
    assert response["Location"] == reverse("ressources:reports")
    report.refresh_from_db()
    assert (report.status, report.handled_by, report.handled_note) == ("resolved", coordinator, "Captures refaites.")
    assert "No open report" in text_of(soup(moderator.get(reverse("ressources:reports"))))


def test_workshop_link_and_unlink(author):
    resource = ResourceFactory(created_by=author, title="Kit tablette")
    workshop = WorkshopFactory(proposed_by=author, status="proposed", title="Tablette pour tous")
    client = english_client(author)
    page = soup(client.get(reverse("ressources:detail", args=[resource.pk])))
    assert [o.text for o in page.select("#link-workshop option")] == ["Tablette pour tous"]
    client.post(reverse("ressources:workshop-link", args=[resource.pk]), {"workshop": str(workshop.pk)})
    assert WorkshopKit.objects.filter(resource=resource, workshop=workshop).exists()
    page = soup(client.get(reverse("ressources:detail", args=[resource.pk])))
    assert "Tablette pour tous" in text_of(page.select_one(".res-workshops"))
    client.post(reverse("ressources:workshop-unlink", args=[resource.pk, workshop.pk]))
    assert not WorkshopKit.objects.exists()


def test_a_member_cannot_link_a_workshop_of_others(author, colleague):
    resource = ResourceFactory(created_by=author)
    workshop = WorkshopFactory(proposed_by=author, status="proposed")
    response = english_client(colleague).post(reverse("ressources:workshop-link", args=[resource.pk]),
                                              {"workshop": str(workshop.pk)})
    assert response.status_code == 403
    assert not WorkshopKit.objects.exists()


# --- The library --------------------------------------------------------------------------------


def test_search_filters_and_cards(author, colleague):
    theme = ResourceTagFactory(name="Démarches en ligne")
    audience = ResourceTagFactory(kind="public", name="Seniors")
    fiche = ResourceFactory(title="Déclarer ses impôts", created_by=author, licence="cc-by-4.0", rating_count=2,
                            rating_sum=8, views=12, downloads=3, search_text="déclarer ses impôts en ligne")
    fiche.tags.set([theme, audience])
    kit = ResourceFactory(title="Kit tablette", created_by=colleague, search_text="kit tablette")
    KitStep.objects.create(resource=kit, title="Accueil")
    ResourceFactory(title="Mon brouillon", created_by=author, status="draft", published_at=None,
                    search_text="mon brouillon")
    client = english_client(author)

    page = soup(client.get(reverse("ressources:index")))
    titles = [text_of(h) for h in page.select(".res-card__title")]
    assert sorted(titles) == ["Déclarer ses impôts", "Kit tablette"]  # no draft in the library
    card = page.select_one(f".res-card:has(a[href='{fiche.get_absolute_url()}'])")
    text = text_of(card)
    assert "Highly recommended (2 opinions)" in text and "Licence: CC BY 4.0" in text
    assert "12 views" in text and "3 downloads" in text and "By Awa Diallo" in text
    assert [text_of(t) for t in card.select(".res-chips .tag")] == ["Démarches en ligne", "Public: Seniors"]
    kit_card = page.select_one(f".res-card:has(a[href='{kit.get_absolute_url()}'])")
    assert "Workshop kit" in text_of(kit_card)

    def found(query):
        return [text_of(h) for h in soup(client.get(reverse("ressources:index") + query)).select(".res-card__title")]

    assert found("?q=impôts") == ["Déclarer ses impôts"]
    assert found(f"?theme={theme.slug}") == ["Déclarer ses impôts"]
    assert found(f"?public={audience.slug}&licence=cc-by-4.0") == ["Déclarer ses impôts"]
    assert found("?licence=etalab-2.0") == ["Kit tablette"]
    assert found("?kits=on") == ["Kit tablette"]
    assert sorted(found("?miennes=on")) == ["Déclarer ses impôts", "Mon brouillon"]
    mine = soup(client.get(reverse("ressources:index") + "?miennes=on"))
    assert "Draft" in text_of(mine.select_one(".res-card:has(.res-tag--draft)"))
    unknown = soup(client.get(reverse("ressources:index") + "?theme=inconnu"))
    assert unknown.select_one(".res-filters .form-errors") is not None


def test_the_search_also_looks_into_the_files_of_my_spaces(author):
    from extranet.testing.factories import drive_of, file_make, root_of
    from members.spaces import ensure_network_space

    network = ensure_network_space() if callable(ensure_network_space) else None
    from core.models import Space

    space = network or Space.objects.get(kind="network")
    file_make(folder=root_of(drive_of(space)), name="impots-2026.txt", text="déclaration")
    page = soup(english_client(author).get(reverse("ressources:index") + "?q=impots"))
    section = page.select_one(".res-files")
    assert "In the files of my spaces" in text_of(section)
    link = section.select_one("a")
    assert link.text == "impots-2026.txt" and link["href"].startswith("/bureau/fichiers/")


def _bulk(count, author, tags, start=0):
    """`count` published resources with two tags and an author each, written in bulk."""
    from django.utils import timezone

    rows = Resource.objects.bulk_create([
        Resource(title=f"Fiche {start + n}", summary="Résumé", status="published", visibility="members",
                 created_by=author, published_at=timezone.now(), search_text=f"fiche {start + n}")
        for n in range(count)])
    Resource.tags.through.objects.bulk_create(
        [Resource.tags.through(resource_id=row.pk, tag_id=tag.pk) for row in rows for tag in tags])
    ResourceAuthor.objects.bulk_create([ResourceAuthor(resource=row, user=author) for row in rows])


def test_the_library_pages_in_a_constant_number_of_queries(author):
    tags = [ResourceTagFactory(name="Mobilité"), ResourceTagFactory(kind="public", name="Jeunes")]
    client = english_client(author)
    url = reverse("ressources:index")
    _bulk(5, author, tags)
    client.get(url)  # warm the per-process caches

    def count(query=""):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url + query)
        assert response.status_code == 200
        return len(ctx.captured_queries), soup(response)

    small, _page = count()
    _bulk(4995, author, tags, start=5)
    assert Resource.objects.count() == 5000
    first, page = count()
    second, page_two = count("?page=2")
    assert len(page.select(".res-card")) == 20 and len(page_two.select(".res-card")) == 20
    assert "5000 resources" in text_of(page.select_one("#resultats")).replace(",", "").replace("\u202f", "")
    assert small == first == second
    assert first == LIBRARY_QUERIES


# Pinned: the session and the member (2), the tags of the filters (1), the count (1), the page's
# rows (1), their tags (1) and their authors with their user (1), the desk's navigation (the
# member's referent territories, 1) and header (unread notifications, 1).
LIBRARY_QUERIES = 9


def _references_resolve(page):
    """Every aria-describedby / aria-labelledby / label[for] names an element; ids are unique."""
    for template in page.select("template"):
        template.decompose()
    ids = [node["id"] for node in page.select("[id]")]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    known = set(ids)
    missing = []
    for node in page.select("[aria-describedby], [aria-labelledby]"):
        for attribute in ("aria-describedby", "aria-labelledby"):
            missing += [ref for ref in (node.get(attribute) or "").split() if ref not in known]
    missing += [label["for"] for label in page.select("label[for]") if label["for"] not in known]
    assert missing == []
    assert not page.select("[style]") and not page.select("script:not([src])")
    assert "---------" not in str(page)


def test_the_pages_reference_only_what_exists(author, colleague, coordinator, equipment):
    theme = ResourceTagFactory(name="Démarches")
    resource = ResourceFactory(created_by=author, title="Kit")
    resource.tags.set([theme])
    KitStep.objects.create(resource=resource, title="Accueil", duration_minutes=10)
    resource.equipment_items.set([equipment["tablet"]])
    resource_file_make(resource=resource)
    Report.objects.create(resource=resource, reporter=colleague, reason="wrong")
    Report.objects.create(resource=ResourceFactory(), reporter=colleague, reason="outdated")
    WorkshopFactory(proposed_by=colleague, status="proposed")
    urls = [reverse("ressources:index") + "?q=kit&theme=inconnu", reverse("ressources:create"),
            reverse("ressources:edit", args=[resource.pk]), reverse("ressources:detail", args=[resource.pk]),
            reverse("ressources:report", args=[resource.pk]), reverse("ressources:collections"),
            reverse("ressources:collection-create")]
    for url in urls:
        _references_resolve(soup(english_client(colleague if "signaler" in url else author).get(url)))
    for url in (reverse("ressources:detail", args=[resource.pk]), reverse("ressources:reports")):
        _references_resolve(soup(english_client(coordinator).get(url)))
    # A refused form too.
    refused = english_client(author).post(reverse("ressources:create"), {"title": "", **management(3)})
    _references_resolve(soup(refused))
    refused = english_client(colleague).post(reverse("ressources:rate", args=[resource.pk]), {"comment": "?"})
    _references_resolve(soup(refused))


def test_the_resource_page_costs_the_same_with_ten_times_more(author, colleague):
    from extranet.testing.pages import queries_flat
    from resources.models import Collection

    resource = ResourceFactory(created_by=author, title="Kit")
    category = EquipmentCategoryFactory(name="Ordinateurs")

    def grow(factor):
        for _n in range(factor):
            rater = UserFactory()
            Rating.objects.create(resource=resource, user=rater, score=3, comment="Utile.")
            resource_file_make(resource=resource, name=f"fiche-{Rating.objects.count()}.pdf")
            KitStep.objects.create(resource=resource, title="Étape", duration_minutes=5)
            resource.equipment_items.add(ItemFactory(category=category))
            resource.equipment_kits.add(KitFactory())
            WorkshopKit.objects.create(resource=resource, workshop=WorkshopFactory(proposed_by=colleague,
                                                                                   status="proposed"))
            collection = Collection.objects.create(owner=colleague, name=f"Collection {Collection.objects.count()}")
            collection.resources.add(resource)

    queries, page = queries_flat(english_client(colleague), reverse("ressources:detail", args=[resource.pk]), grow)
    assert len(page.select("ol.res-steps > li")) == 10 and len(page.select(".res-workshops > li")) == 10
    assert queries == DETAIL_QUERIES - 1  # a later visit: the view was counted at the first


# Pinned: the session and the member (2); the resource, its author links and their users, tags,
# files, steps, items and kits (8); the view counted (1, on the first visit of the member only: the
# measures below are later visits, one fewer); the member's rating (1) and the comments
# (1); the workshops pointing to it (1); the member's territories (1: the role cache, also read by
# the desk's navigation) and the workshops they may link (1); the member's collections (1) and
# those holding it (1); the forum topics citing it (1); the header's unread notifications (1).
DETAIL_QUERIES = 20


# --- In a browser: the steps' "Add a step" button, the error summary's focus, 320 px ----------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_adding_steps_with_javascript_at_320_px(new_context):
    from playwright.sync_api import expect

    from extranet.testing.browser import NARROW, log_in

    author = UserFactory(display_name="Awa Diallo")
    page = log_in(new_context(viewport=NARROW), author)
    page.goto(reverse("ressources:create"))
    no_sideways_scroll(page)
    page.locator("#id_summary").fill("Un déroulé en quatre temps.")
    page.locator(".res-kit-form > button").click()  # « Ajouter une étape »
    expect(page.locator("#id_steps-3-title")).to_be_focused()
    assert page.locator("#id_steps-TOTAL_FORMS").input_value() == "4"
    page.locator("#id_steps-3-title").fill("Bilan")
    page.locator("#id_steps-3-duration_minutes").fill("10")
    page.locator(".res-form__submit button[type='submit']").click()  # no title yet: refused
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("#id_steps-3-title")).to_have_value("Bilan")  # kept
    page.locator("#id_title").fill("Atelier bilan")
    page.locator(".res-form__submit button[type='submit']").click()
    page.wait_for_url("**/bureau/ressources/*/")
    resource = Resource.objects.get()
    assert list(resource.steps.values_list("title", "duration_minutes")) == [("Bilan", 10)]
    no_sideways_scroll(page)  # its page
    page.goto(reverse("ressources:index") + "?miennes=on")
    expect(page.locator(".res-card__title")).to_have_text(["Atelier bilan"])
    no_sideways_scroll(page)


def no_sideways_scroll(page):
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways: {widths}"
