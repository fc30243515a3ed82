"""The files' journeys, in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

1. With JavaScript, at 1280 px: a workgroup's member opens the group's files from the group's
   page, uploads two files through the upload control (one request each, a progress bar,
   announced in the live region) and a third one dropped on the form; uploads notes.txt again
   with other bytes (two versions), restores version 1 (a third version, whose download gives
   version 1's bytes), deletes the file, finds it in the trash and restores it.
2. Without JavaScript, at 320 px: the plain form uploads a file into her own documents;
   the page does not scroll sideways.
3. With JavaScript: a file larger than the space left is refused in the page, before any
   request reaches the upload URL; nothing is stored.

Screenshots of the main pages go to $MAILLAGE_SHOTS when it is set (for a person to look at).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from extranet.testing.assertions import png
from extranet.testing.browser import NARROW, log_in
from extranet.testing.factories import UserFactory, WorkgroupFactory, drive_of
from files.models import Drive, File

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
GROUP = "Inclusion numérique en Quercy"
NOTES_V1 = b"Notes de la reunion du 12 mars.\n"
NOTES_V2 = b"Notes de la reunion du 12 mars, relues et completees par Lea.\n"
AGENDA = b"Ordre du jour : bilan des ateliers, prochaines dates.\n"


def fr(text: str, *, whole: bool = True) -> re.Pattern:
    """A French text as a regular expression: its non-breaking spaces match any white space."""
    body = re.escape(text).replace("\xa0", r"\s")
    return re.compile(rf"^\s*{body}\s*$" if whole else body)


def shot(page, name: str) -> None:
    """A full-page screenshot into $MAILLAGE_SHOTS (not in the repository), when it is set."""
    folder = os.environ.get("MAILLAGE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px: {scroll} px wide"


def file_row(page, name: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def test_upload_two_versions_restore_the_first_then_trash_and_restore(new_context, territory, venue, tmp_path):
    from playwright.sync_api import expect

    member = UserFactory(territory=territory, venues=[venue], display_name="Léa Marty")
    group = WorkgroupFactory(name=GROUP, members=[member])
    drive = drive_of(group.space)

    # The group's page → its files (the space's module "Fichiers").
    page = log_in(new_context(viewport=WIDE), member)
    page.goto(f"/bureau/groupes/{group.pk}/")
    page.get_by_role("region", name="Outils du groupe").get_by_role("link", name="Fichiers", exact=True).click()
    page.wait_for_url(re.compile(r"/bureau/fichiers/dossiers/\d+/$"))
    folder_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fichiers · {GROUP}")
    shot(page, "files-folder-empty-1280")

    # Two files chosen at once: each sent in its own request, the page reloaded with the summary,
    # announced in the live region.
    (tmp_path / "notes.txt").write_bytes(NOTES_V1)
    (tmp_path / "affiche.png").write_bytes(png("affiche.png").read())
    page.get_by_label("Choisir des fichiers").set_input_files([str(tmp_path / "notes.txt"),
                                                               str(tmp_path / "affiche.png")])
    page.get_by_role("button", name="Déposer", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="2 fichiers déposés.")).to_be_visible()
    expect(page.locator("[data-files-live]")).to_have_text("2 fichiers déposés.")
    expect(file_row(page, "notes.txt")).to_be_visible()
    expect(file_row(page, "affiche.png")).to_be_visible()
    assert page.url == folder_url

    # A third one dropped on the form (a synthetic drop event carrying a file).
    transfer = page.evaluate_handle("""([name, text]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, {type: "text/plain"}));
        return transfer;
    }""", ["ordre-du-jour.txt", AGENDA.decode()])
    page.locator("[data-files-drop]").dispatch_event("drop", {"dataTransfer": transfer})
    expect(file_row(page, "ordre-du-jour.txt")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="1 fichier déposé.")).to_be_visible()

    # notes.txt again, other bytes: its second version.
    page.get_by_label("Choisir des fichiers").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": NOTES_V2})
    page.get_by_role("button", name="Déposer", exact=True).click()
    expect(file_row(page, "notes.txt").locator('td[data-label="Versions"]')).to_have_text("2")
    assert sorted(File.objects.filter(drive=drive).values_list("name", flat=True)) == [
        "affiche.png", "notes.txt", "ordre-du-jour.txt"]
    shot(page, "files-folder-1280")

    # Its page: two versions, the second current; restore the first.
    file_row(page, "notes.txt").get_by_role("link", name="notes.txt", exact=True).click()
    page.wait_for_url(re.compile(r"/bureau/fichiers/\d+/$"))
    file_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("notes.txt")
    versions = page.get_by_role("region", name="Versions").get_by_role("rowheader")  # the newest first
    expect(versions).to_have_text([re.compile(r"^Version 2\s+actuelle$"), "Version 1"])
    page.get_by_role("button", name="Restaurer cette version (1)").click()
    expect(page.get_by_text(fr("La version 1 est restaurée\xa0: c’est maintenant la version 3."))).to_be_visible()
    assert page.url == file_url
    expect(versions).to_have_text([re.compile(r"^Version 3\s+actuelle\s+\(restaurée\)$"), "Version 2", "Version 1"])
    shot(page, "files-file-1280")

    # Its download: version 1's bytes.
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger", exact=True).click()
    download = info.value
    assert download.suggested_filename == "notes.txt"
    assert Path(download.path()).read_bytes() == NOTES_V1
    notes = File.objects.get(drive=drive, name="notes.txt")
    assert (notes.current.number, notes.current.size) == (3, len(NOTES_V1))

    # Delete it: confirmed, into the trash.
    page.get_by_role("link", name="Supprimer", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Supprimer «\xa0notes.txt\xa0»\xa0?"))
    page.get_by_role("button", name="Mettre à la corbeille").click()
    page.wait_for_url(folder_url)
    expect(page.get_by_text(fr("«\xa0notes.txt\xa0» est dans la corbeille\xa0: il peut être restauré "
                               "pendant 30 jours."))).to_be_visible()
    expect(file_row(page, "notes.txt")).to_have_count(0)
    assert File.objects.get(pk=notes.pk).deleted_at is not None

    # The trash lists it; restored, it is back in the folder.
    page.get_by_role("link", name="Corbeille", exact=True).click()
    page.wait_for_url(re.compile(rf"/bureau/fichiers/corbeille/{drive.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Corbeille · {GROUP}")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and notes.txt
    shot(page, "files-trash-1280")
    page.get_by_role("button", name="Restaurer notes.txt").click()
    expect(page.get_by_text(fr("«\xa0notes.txt\xa0» est restauré."))).to_be_visible()
    expect(page.get_by_text("La corbeille est vide.")).to_be_visible()
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name=GROUP).click()
    page.wait_for_url(folder_url)
    expect(file_row(page, "notes.txt").locator('td[data-label="Versions"]')).to_have_text("3")
    assert File.objects.get(pk=notes.pk).deleted_at is None


def test_plain_form_upload_into_my_documents_without_javascript_at_320_px(new_context, member, tmp_path):
    from playwright.sync_api import expect

    page = log_in(new_context(viewport=NARROW, java_script_enabled=False), member)
    page.goto("/bureau/fichiers/")
    page.get_by_role("link", name="Mes documents", exact=True).click()
    page.wait_for_url(re.compile(r"/bureau/fichiers/moi/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes documents")
    no_sideways_scroll(page, NARROW["width"])
    shot(page, "files-personal-empty-320")

    (tmp_path / "attestation.txt").write_bytes(b"Attestation de formation.\n")
    page.get_by_label("Choisir des fichiers").set_input_files(str(tmp_path / "attestation.txt"))
    page.get_by_role("button", name="Déposer", exact=True).click()
    page.wait_for_url(re.compile(r"/bureau/fichiers/moi/$"))
    expect(page.get_by_text("1 fichier déposé.")).to_be_visible()
    expect(page.get_by_role("link", name="attestation.txt", exact=True)).to_be_visible()
    no_sideways_scroll(page, NARROW["width"])
    shot(page, "files-personal-320")

    drive = Drive.objects.get(owner=member)
    assert list(File.objects.filter(drive=drive).values_list("name", "size")) == [("attestation.txt", 26)]


def test_a_file_larger_than_the_space_left_is_refused_before_it_is_sent(new_context, member, tmp_path):
    from playwright.sync_api import expect

    group = WorkgroupFactory(name=GROUP, members=[member])
    drive = drive_of(group.space)
    Drive.objects.filter(pk=drive.pk).update(quota=10, used=0)  # 10 bytes left

    page = log_in(new_context(viewport=WIDE), member)
    page.goto(f"/bureau/fichiers/espaces/{group.space.pk}/")
    page.wait_for_url(re.compile(r"/bureau/fichiers/dossiers/\d+/$"))
    upload_url = page.locator("form[data-files-upload]").get_attribute("action")
    posted = []
    page.on("request", lambda request: posted.append(request.url) if upload_url in request.url else None)

    page.get_by_label("Choisir des fichiers").set_input_files(
        {"name": "rapport.txt", "mimeType": "text/plain", "buffer": b"x" * 1024})
    page.get_by_role("button", name="Déposer", exact=True).click()
    refusal = fr("«\xa0rapport.txt\xa0» ne tient pas dans l’espace restant (10\xa0octets)\xa0: "
                 "il n’a pas été envoyé.", whole=False)
    expect(page.locator("[data-files-progress]")).to_contain_text(refusal)
    expect(page.locator("[data-files-live]")).to_have_text(refusal)
    shot(page, "files-quota-refused-1280")

    assert posted == []
    assert not File.objects.filter(drive=drive).exists()
    assert Drive.objects.get(pk=drive.pk).used == 0
