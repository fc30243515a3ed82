"""The desk pages of the files (/bureau/fichiers/) through the test client: my drives, a
folder's list (paginated, flat query count), uploads as a plain form and as JSON, versions,
rename / move / trash / restore, the trash page, the quota form, search. The permission of
every route across spaces is in test_routes.py."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from extranet.testing.assertions import png
from extranet.testing.factories import (
    CoordinatorFactory,
    TerritoryFactory,
    UserFactory,
    drive_of,
    file_make,
    folder_make,
    root_of,
)
from extranet.testing.pages import english_client, messages_of, soup, text_of
from files import services
from files.models import Drive, File, FileVersion, Folder

pytestmark = pytest.mark.django_db

# The queries of a folder page, whatever the number of files: session, user, the folder with its drive
# and space, the count, the page of files, the subfolders, the breadcrumbs, the member's territories
# (space rules), the unread notifications.
FOLDER_QUERIES = 9
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"PE\x00\x00"


def text_file(name="notes.txt", content=b"Ordre du jour de la reunion.\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def place(db):
    territory = TerritoryFactory(name="Pays des Causses")
    jeanne = UserFactory(territory=territory, display_name="Jeanne Martin")
    drive = drive_of(territory.space)
    return territory, jeanne, drive, root_of(drive)


@pytest.fixture
def logged(place):
    """Jeanne's client, in English: the source strings (the French ones are in the .po)."""
    return english_client(place[1])


@pytest.fixture
def coordinator_client(db):
    return english_client(CoordinatorFactory())


# --- My drives ----------------------------------------------------------------------------------


def test_index_lists_my_documents_and_my_spaces_drives_with_their_use(logged, place, settings):
    settings.FILES_QUOTA_SPACE = 2 * 1024**3
    territory, jeanne, drive, root = place
    Drive.objects.filter(pk=drive.pk).update(used=int(1.2 * 1024**3))
    page = soup(logged.get(reverse("fichiers:index")))
    titles = [text_of(node) for node in page.select(".files-drive__title")]
    assert titles[0] == "My documents"
    assert "Pays des Causses" in titles
    usage = [text_of(node) for node in page.select(".files-usage__text")]
    assert "1.2 GB of 2 GB used" in usage
    meter = page.select_one("meter")
    assert meter["max"] == str(2 * 1024**3)
    assert page.select_one("form[role=search]")["action"] == reverse("fichiers:search")


def test_my_documents_before_the_first_file_show_an_upload_form_and_make_nothing(logged, place):
    response = logged.get(reverse("fichiers:personal"))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("form[data-files-upload]")["action"] == reverse("fichiers:personal-upload")
    assert page.select_one("input[type=file][multiple][name=files]") is not None
    assert not Drive.objects.filter(owner=place[1]).exists()


def test_the_first_personal_upload_makes_the_drive(logged, place):
    response = logged.post(reverse("fichiers:personal-upload"), {"files": [text_file()]}, follow=True)
    drive = Drive.objects.get(owner=place[1])
    assert list(File.objects.filter(drive=drive).values_list("name", flat=True)) == ["notes.txt"]
    assert "1 file uploaded." in messages_of(response)
    page = soup(response)
    assert text_of(page.select_one("h1")) == "My documents"
    assert "notes.txt" in text_of(page.select_one(".files-table"))


def test_a_personal_folder_is_made_on_post_only(logged, place):
    assert logged.get(reverse("fichiers:personal-folder-create")).status_code == 405
    assert not Drive.objects.filter(owner=place[1]).exists()
    response = logged.post(reverse("fichiers:personal-folder-create"), {"name": "Factures"})
    folder = Folder.objects.get(drive__owner=place[1], name="Factures")
    assert response.status_code == 302
    assert response.url == reverse("fichiers:folder", args=[folder.pk])


# --- A folder -----------------------------------------------------------------------------------


def test_a_folder_lists_subfolders_then_files_with_sizes_and_who_changed_them(logged, place):
    territory, jeanne, drive, root = place
    folder_make(parent=root, name="Comptes rendus", user=jeanne)
    file_make(folder=root, name="affiche.txt", content=b"x" * 2560, user=jeanne, versions=3)
    response = logged.get(reverse("fichiers:folder", args=[root.pk]))
    page = soup(response)
    rows = page.select(".files-table tbody tr")
    assert [text_of(row.select_one("th a")) for row in rows] == ["Comptes rendus", "affiche.txt"]
    cells = [text_of(cell) for cell in rows[1].select("td")]
    assert cells[0] == "2.5 KB"
    assert cells[1] == "just now by Jeanne Martin"
    assert cells[2] == "3"
    assert text_of(page.select_one("h1")) == "Files of Pays des Causses"
    crumbs = page.select(".breadcrumb a")
    assert crumbs[-1]["aria-current"] == "page"
    assert page.select_one(".breadcrumb")["aria-label"]
    assert page.select_one("form[data-files-upload]")["action"] == reverse("fichiers:upload", args=[root.pk])
    assert page.select_one("form[data-files-upload]")["data-remaining"].isdigit()


def _folder_queries(client, folder, page=1):
    url = reverse("fichiers:folder", args=[folder.pk]) + (f"?page={page}" if page > 1 else "")
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), soup(response)


def test_a_folder_of_5000_files_lists_in_as_many_queries_as_one_of_5(logged, place):
    territory, jeanne, drive, root = place
    small = folder_make(parent=root, name="Petit")
    large = folder_make(parent=root, name="Grand")
    for folder, count in ((small, 5), (large, 5000)):
        File.objects.bulk_create([
            File(drive=drive, folder=folder, name=f"scan-{number:05d}.pdf", size=1000 + number,
                 content_type="application/pdf", updated_by=jeanne) for number in range(count)])
    queries_small, _page = _folder_queries(logged, small)
    queries_large, page_one = _folder_queries(logged, large)
    queries_page_two, page_two = _folder_queries(logged, large, page=2)
    assert queries_small == queries_large == queries_page_two
    assert queries_small == FOLDER_QUERIES
    assert len(page_one.select(".files-table tbody tr")) == 50
    assert text_of(page_two.select_one(".files-table tbody tr th a")) == "scan-00050.pdf"
    assert "Page 2 of 100" in text_of(page_two.select_one(".pagination"))


def test_an_archived_space_reads_but_offers_no_change(place):
    from django.utils import timezone

    from extranet.testing.factories import WorkgroupFactory

    jeanne = place[1]
    group = WorkgroupFactory(name="Ancien groupe", members=[jeanne])
    group.archived_at = timezone.now()
    group.save(update_fields=["archived_at"])
    root = root_of(drive_of(group.space))
    file_make(folder=root, name="bilan.txt")
    page = soup(english_client(jeanne).get(reverse("fichiers:folder", args=[root.pk])))
    assert text_of(page.select_one(".files-readonly")) == "This space is archived: its files can be read, not changed."
    assert page.select_one("form[data-files-upload]") is None
    assert [text_of(a) for a in page.select(".files-table .files-actions a")] == ["Download bilan.txt"]


def test_a_new_folder_through_the_form_and_a_taken_name(logged, place):
    territory, jeanne, drive, root = place
    response = logged.post(reverse("fichiers:folder-create", args=[root.pk]), {"name": "Photos"})
    photos = Folder.objects.get(parent=root, name="Photos")
    assert response.url == reverse("fichiers:folder", args=[photos.pk])
    again = logged.post(reverse("fichiers:folder-create", args=[root.pk]), {"name": "Photos"})
    assert again.status_code == 400
    errors = text_of(soup(again).select_one("form.files-new-folder"))
    assert "Photos" in errors
    assert Folder.objects.filter(parent=root, name="Photos").count() == 1


# --- Uploads ------------------------------------------------------------------------------------


def test_a_plain_form_upload_of_two_files_stores_both(logged, place):
    root = place[3]
    response = logged.post(reverse("fichiers:upload", args=[root.pk]),
                           {"files": [text_file("a.txt"), text_file("b.txt")]}, follow=True)
    assert sorted(File.objects.filter(folder=root).values_list("name", flat=True)) == ["a.txt", "b.txt"]
    assert "2 files uploaded." in messages_of(response)


def test_a_plain_form_upload_with_one_bad_file_stores_nothing_and_says_why(logged, place):
    territory, jeanne, drive, root = place
    response = logged.post(reverse("fichiers:upload", args=[root.pk]), {
        "files": [text_file("ordre-du-jour.txt"), SimpleUploadedFile("outil.exe", EXE)]}, follow=True)
    assert not File.objects.filter(drive=drive).exists()
    assert not FileVersion.objects.filter(file__drive=drive).exists()
    shown = messages_of(response)
    assert any("outil.exe" in message for message in shown)
    assert "Nothing was stored: choose the files again, without the refused ones." in shown
    drive.refresh_from_db()
    assert drive.used == 0


def test_an_empty_upload_asks_for_a_file(logged, place):
    response = logged.post(reverse("fichiers:upload", args=[place[3].pk]), {}, follow=True)
    assert "Choose at least one file." in messages_of(response)


def test_a_json_upload_answers_the_files(logged, place):
    root = place[3]
    response = logged.post(reverse("fichiers:upload", args=[root.pk]), {"files": [text_file("notes.txt")]},
                           headers={"accept": "application/json"})
    assert response.status_code == 200
    body = response.json()
    file = File.objects.get(folder=root, name="notes.txt")
    assert body == {"ok": True, "files": [{"id": file.pk, "name": "notes.txt", "version": 1, "size": 29,
                                           "url": reverse("fichiers:file", args=[file.pk])}]}


def test_a_json_upload_of_a_bad_file_answers_400_with_the_errors(logged, place):
    response = logged.post(reverse("fichiers:upload", args=[place[3].pk]),
                           {"files": [SimpleUploadedFile("outil.exe", EXE)]},
                           headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert len(body["errors"]) == 1 and "outil.exe" in body["errors"][0]


def test_a_file_over_the_size_limit_is_stopped_while_read(logged, place, settings):
    settings.FILES_MAX_SIZE = 1000
    response = logged.post(reverse("fichiers:upload", args=[place[3].pk]),
                           {"files": [text_file("image-disque.iso", b"x" * 5000)]},
                           headers={"accept": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"ok": False,
                               "errors": ["« image-disque.iso » is larger than the maximum size of 1000 bytes."]}
    assert not File.objects.filter(drive=place[2]).exists()


def test_a_file_over_the_space_left_is_refused(logged, place, settings):
    settings.FILES_QUOTA_SPACE = 100
    response = logged.post(reverse("fichiers:upload", args=[place[3].pk]),
                           {"files": [text_file("gros.txt", b"y" * 500)]}, follow=True)
    assert "« gros.txt » is larger than the space left here (100 bytes)." in messages_of(response)
    assert not File.objects.filter(drive=place[2]).exists()


def test_the_upload_form_tells_the_limits_to_the_script(logged, place, settings):
    settings.FILES_MAX_SIZE = 500 * 1024**2
    settings.FILES_QUOTA_SPACE = 2 * 1024**3
    form = soup(logged.get(reverse("fichiers:folder", args=[place[3].pk]))).select_one("form[data-files-upload]")
    assert form["data-max-size"] == str(500 * 1024**2)
    assert form["data-remaining"] == str(2 * 1024**3)
    assert form["enctype"] == "multipart/form-data"
    assert form["data-msg-done"] == "{name}: uploaded"
    live = form.select_one("[aria-live=polite]")
    assert live is not None


def test_uploads_are_post_only_and_csrf_protected(place):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(place[1])
    url = reverse("fichiers:upload", args=[place[3].pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"files": [text_file()]}).status_code == 403
    assert not File.objects.filter(drive=place[2]).exists()


# --- A file: versions, preview ------------------------------------------------------------------


def test_a_same_name_upload_makes_version_2_and_version_1_comes_back(logged, place):
    root = place[3]
    url = reverse("fichiers:upload", args=[root.pk])
    logged.post(url, {"files": [text_file("notes.txt", b"premier jet\n")]})
    logged.post(url, {"files": [text_file("notes.txt", b"second jet, plus long\n")]})
    file = File.objects.get(folder=root, name="notes.txt")
    assert file.versions.count() == 2
    assert file.current.number == 2
    page = soup(logged.get(reverse("fichiers:file", args=[file.pk])))
    rows = page.select(".files-versions tbody tr")
    assert [text_of(row.select_one("th")) for row in rows] == ["Version 2 current", "Version 1"]
    first = file.versions.get(number=1)
    restore = rows[1].select_one("form")
    assert restore["action"] == reverse("fichiers:version-restore", args=[first.pk])
    assert rows[0].select_one("form") is None
    response = logged.post(restore["action"], follow=True)
    assert "Version 1 is restored: it is now version 3." in messages_of(response)
    file.refresh_from_db()
    assert file.current.number == 3
    assert file.current.restored_from_id == first.pk
    download = logged.get(reverse("fichiers:download", args=[file.pk]))
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == b"premier jet\n"
    old = logged.get(reverse("fichiers:version-download", args=[file.versions.get(number=2).pk]))
    assert b"".join(old.streaming_content if old.streaming else [old.content]) == b"second jet, plus long\n"


def test_restoring_a_version_is_post_only(logged, place):
    file = file_make(folder=place[3], versions=2)
    url = reverse("fichiers:version-restore", args=[file.versions.get(number=1).pk])
    assert logged.get(url).status_code == 405


def test_an_image_is_previewed_inline_with_its_name_as_alt(logged, place):
    root = place[3]
    services.files_upload(actor=place[1], folder_id=root.pk, uploads=[png("affiche.png", size=(32, 32))])
    file = File.objects.get(folder=root, name="affiche.png")
    page = soup(logged.get(reverse("fichiers:file", args=[file.pk])))
    image = page.select_one(".files-preview img")
    assert image["src"] == reverse("fichiers:preview", args=[file.pk])
    assert image["alt"] == "affiche.png"
    preview = logged.get(image["src"])
    assert preview.status_code == 200
    assert preview["Content-Type"] == "image/png"
    assert preview["Content-Disposition"].startswith("inline")
    thumbnail = logged.get(reverse("fichiers:thumbnail", args=[file.pk]))
    assert thumbnail.status_code == 200
    listing = soup(logged.get(reverse("fichiers:folder", args=[root.pk])))
    assert listing.select_one(".files-table img.files-thumb")["src"] == reverse("fichiers:thumbnail", args=[file.pk])


def test_a_pdf_is_previewed_in_a_titled_frame_and_other_types_offer_the_download(logged, place):
    root = place[3]
    pdf = file_make(folder=root, name="guide.pdf", content=b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    frame = soup(logged.get(reverse("fichiers:file", args=[pdf.pk]))).select_one("iframe")
    assert frame["src"] == reverse("fichiers:preview", args=[pdf.pk])
    assert frame["title"] == "Preview of guide.pdf"
    framed = logged.get(frame["src"])  # may be framed by the file's page, by no other site
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    page = soup(logged.get(reverse("fichiers:file", args=[file_make(folder=root, name="liste.csv",
                                                                    content_type="text/csv").pk])))
    assert page.select_one(".files-preview iframe, .files-preview img") is None
    assert "Download liste.csv" in text_of(page.select_one(".files-preview"))
    assert "Spreadsheet" in text_of(page.select_one(".summary"))


# --- Rename, move, trash, restore ---------------------------------------------------------------


def test_rename_and_move_a_file_through_the_forms(logged, place):
    territory, jeanne, drive, root = place
    target = folder_make(parent=root, name="Archives")
    file = file_make(folder=root, name="brouillon.txt")
    form = soup(logged.get(reverse("fichiers:file-rename", args=[file.pk]))).select_one("form.form")
    assert form.select_one("input[name=name]")["value"] == "brouillon.txt"
    logged.post(reverse("fichiers:file-rename", args=[file.pk]), {"name": "final.txt"})
    page = soup(logged.get(reverse("fichiers:file-move", args=[file.pk])))
    options = [text_of(option) for option in page.select("select[name=target] option")]
    assert options == ["All files", "Archives"]
    response = logged.post(reverse("fichiers:file-move", args=[file.pk]), {"target": target.pk})
    assert response.status_code == 302
    file.refresh_from_db()
    assert (file.name, file.folder_id) == ("final.txt", target.pk)


def test_a_taken_name_is_a_form_error(logged, place):
    root = place[3]
    file_make(folder=root, name="a.txt")
    other = file_make(folder=root, name="b.txt")
    response = logged.post(reverse("fichiers:file-rename", args=[other.pk]), {"name": "a.txt"})
    assert response.status_code == 400
    assert "a.txt" in text_of(soup(response).select_one("form.form .errorlist"))
    other.refresh_from_db()
    assert other.name == "b.txt"


def test_a_folder_cannot_move_into_itself(logged, place):
    root = place[3]
    parent = folder_make(parent=root, name="Parent")
    child = folder_make(parent=parent, name="Enfant")
    page = soup(logged.get(reverse("fichiers:folder-move", args=[parent.pk])))
    assert [text_of(o) for o in page.select("select[name=target] option")] == ["All files", "Parent / Enfant"]
    response = logged.post(reverse("fichiers:folder-move", args=[parent.pk]), {"target": child.pk})
    assert response.status_code == 400
    parent.refresh_from_db()
    assert parent.parent_id == root.pk


def test_delete_asks_first_then_the_trash_restores(logged, place):
    territory, jeanne, drive, root = place
    file = file_make(folder=root, name="vieux.txt")
    confirm = logged.get(reverse("fichiers:file-trash", args=[file.pk]))
    assert "restored from there for 30 days" in text_of(soup(confirm).select_one("main"))
    file.refresh_from_db()
    assert file.deleted_at is None
    response = logged.post(reverse("fichiers:file-trash", args=[file.pk]), follow=True)
    assert "« vieux.txt » is in the trash: it can be restored for 30 days." in messages_of(response)
    assert logged.get(reverse("fichiers:file", args=[file.pk])).status_code == 404
    trash = soup(logged.get(reverse("fichiers:trash", args=[drive.pk])))
    row = trash.select_one(".files-table tbody tr")
    assert "vieux.txt" in text_of(row.select_one("th"))
    assert text_of(row.select("td")[0]) == "just now by Jeanne Martin"
    assert text_of(row.select("td")[1]) == "30 days"
    download = logged.get(row.select_one("th a")["href"])
    assert download.status_code == 200
    restore = row.select_one(f"form[action='{reverse('fichiers:trash-restore-file', args=[file.pk])}']")
    assert restore is not None
    # A plain member of the territory may restore, not delete for good.
    assert row.select_one(f"form[action='{reverse('fichiers:trash-delete-file', args=[file.pk])}']") is None
    logged.post(restore["action"])
    file.refresh_from_db()
    assert file.is_live


def test_a_folder_goes_to_the_trash_and_comes_back(logged, place):
    territory, jeanne, drive, root = place
    folder = folder_make(parent=root, name="Projet")
    inner = file_make(folder=folder, name="plan.txt")
    response = logged.post(reverse("fichiers:folder-trash", args=[folder.pk]))
    assert response.url == reverse("fichiers:folder", args=[root.pk])
    assert logged.get(reverse("fichiers:file", args=[inner.pk])).status_code == 404
    logged.post(reverse("fichiers:trash-restore-folder", args=[folder.pk]))
    assert logged.get(reverse("fichiers:file", args=[inner.pk])).status_code == 200


def test_the_root_folder_cannot_be_renamed_moved_or_deleted(logged, place):
    root = place[3]
    for name in ("folder-rename", "folder-move", "folder-trash"):
        assert logged.get(reverse(f"fichiers:{name}", args=[root.pk])).status_code == 404


def test_a_manager_deletes_for_good_and_empties_the_trash(place):
    territory, jeanne, drive, root = place
    one = file_make(folder=root, name="un.txt")
    two = file_make(folder=root, name="deux.txt")
    services.file_trash(actor=jeanne, file_id=one.pk)
    services.file_trash(actor=jeanne, file_id=two.pk)
    client = english_client(CoordinatorFactory())
    client.post(reverse("fichiers:trash-delete-file", args=[one.pk]))
    assert not File.objects.filter(pk=one.pk).exists()
    page = soup(client.get(reverse("fichiers:trash-empty", args=[drive.pk])))
    assert page.select_one("form button.button--danger") is not None
    response = client.post(reverse("fichiers:trash-empty", args=[drive.pk]), follow=True)
    assert "The trash is empty: 1 item deleted for good." in messages_of(response)
    assert not File.objects.filter(drive=drive).exists()
    drive.refresh_from_db()
    assert drive.used == 0


def test_a_member_may_not_empty_the_trash(logged, place):
    response = logged.get(reverse("fichiers:trash-empty", args=[place[2].pk]))
    assert response.status_code == 403
    assert "Only the managers of this space may delete files for good." in response.content.decode()


# --- Quota ---------------------------------------------------------------------------------------


def test_a_coordinator_sets_a_quota_in_mb_or_gb(coordinator_client, place):
    client = coordinator_client
    drive = place[2]
    page = soup(client.get(reverse("fichiers:quota", args=[drive.pk])))
    assert [o["value"] for o in page.select("select[name=unit] option")] == ["MB", "GB"]
    assert [text_of(o) for o in page.select("select[name=unit] option")] == ["MB", "GB"]
    response = client.post(reverse("fichiers:quota", args=[drive.pk]), {"amount": "1.5", "unit": "GB"}, follow=True)
    drive.refresh_from_db()
    assert drive.quota == int(1.5 * 1024**3)
    assert "The quota of « Pays des Causses » is now 1.5 GB." in messages_of(response)
    client.post(reverse("fichiers:quota", args=[drive.pk]), {"amount": "", "unit": "GB"})
    drive.refresh_from_db()
    assert drive.quota is None


def test_a_bad_quota_is_a_form_error(coordinator_client, place):
    client = coordinator_client
    drive = place[2]
    response = client.post(reverse("fichiers:quota", args=[drive.pk]), {"amount": "-3", "unit": "GB"})
    assert response.status_code == 400
    drive.refresh_from_db()
    assert drive.quota is None


@pytest.mark.parametrize("amount, unit", [("99999999999.9", "GB"), ("1048577", "MB"), ("2000", "GB")])
def test_an_absurd_quota_is_a_form_error_not_a_crash(coordinator_client, place, amount, unit):
    drive = place[2]
    response = coordinator_client.post(reverse("fichiers:quota", args=[drive.pk]), {"amount": amount, "unit": unit})
    assert response.status_code == 400
    drive.refresh_from_db()
    assert drive.quota is None


def test_a_member_may_not_set_a_quota(logged, place):
    response = logged.get(reverse("fichiers:quota", args=[place[2].pk]))
    assert response.status_code == 403
    assert "Only coordinators may change a quota." in response.content.decode()


# --- Search --------------------------------------------------------------------------------------


def test_search_finds_by_name_and_text_with_the_folder_path_and_only_what_i_may_read(logged, place):
    territory, jeanne, drive, root = place
    minutes = folder_make(parent=root, name="Réunions")
    file_make(folder=minutes, name="compte-rendu-mars.txt", text="budget imprimante")
    file_make(folder=root, name="budget.ods", content_type="application/vnd.oasis.opendocument.spreadsheet")
    elsewhere = TerritoryFactory(name="Vallée du Lys")
    file_make(folder=root_of(drive_of(elsewhere.space)), name="budget-secret.txt")
    page = soup(logged.get(reverse("fichiers:search"), {"q": "budget"}))
    results = [text_of(node) for node in page.select(".files-result")]
    assert len(results) == 2
    assert any("compte-rendu-mars.txt" in r and "Pays des Causses / Réunions" in r for r in results)
    assert not any("budget-secret" in r for r in results)
    assert text_of(page.select_one(".results-count")) == "2 files found"


def test_space_redirects_to_its_root_folder(logged, place):
    territory, jeanne, drive, root = place
    response = logged.get(reverse("fichiers:space", args=[territory.space.pk]))
    assert response.url == reverse("fichiers:folder", args=[root.pk])


def test_a_json_upload_by_a_reader_who_may_not_write_answers_403_with_the_reason(place):
    from django.utils import timezone

    from extranet.testing.factories import WorkgroupFactory

    jeanne = place[1]
    group = WorkgroupFactory(name="Ancien groupe", members=[jeanne])
    group.archived_at = timezone.now()
    group.save(update_fields=["archived_at"])
    response = english_client(jeanne).post(reverse("fichiers:upload", args=[root_of(drive_of(group.space)).pk]),
                           {"files": [text_file()]}, headers={"accept": "application/json"})
    assert response.status_code == 403
    assert response.json() == {"ok": False, "errors": [
        "This space is archived: its files can be read, not changed."]}


def test_uploads_and_new_folders_read_in_the_activity_log(logged, place):
    from django.utils import translation

    from core.activity import STREAM_VERBS, render_activity
    from core.models import Activity

    root = place[3]
    logged.post(reverse("fichiers:upload", args=[root.pk]), {"files": [text_file("notes.txt")]})
    logged.post(reverse("fichiers:upload", args=[root.pk]), {"files": [text_file("notes.txt", b"autre\n")]})
    logged.post(reverse("fichiers:folder-create", args=[root.pk]), {"name": "Photos"})
    with translation.override("en"):
        lines = [render_activity(a) for a in Activity.objects.filter(space=place[0].space).order_by("pk")]
    assert lines == ["Jeanne Martin added the file notes.txt", "Jeanne Martin uploaded a new version of notes.txt",
                     "Jeanne Martin created the folder Photos"]
    assert "files.uploaded" in STREAM_VERBS
    assert "files.version" not in STREAM_VERBS


# --- With JavaScript (a real browser) -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_script_uploads_each_file_with_its_progress_and_refuses_a_too_large_one_before_sending(new_context):
    """At 320 px: two files chosen, one over the space left: it is refused in the page (nothing
    sent), the other is sent with its progress bar and announced; then the list shows it."""
    import re

    from playwright.sync_api import expect

    from extranet.testing.browser import in_thread, log_in, scroll_width

    def build():
        territory = TerritoryFactory(name="Pays des Causses")
        user = UserFactory(email="jeanne@exemple.test", territory=territory, display_name="Jeanne Martin")
        drive = drive_of(territory.space)
        Drive.objects.filter(pk=drive.pk).update(quota=2000)
        return user, root_of(drive)

    user, root = in_thread(build)
    context = new_context(viewport={"width": 320, "height": 800})
    page = log_in(context, user)
    page.goto(reverse("fichiers:folder", args=[root.pk]))
    assert scroll_width(page) <= 320
    page.locator("#files-input").set_input_files([
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Ordre du jour\n"},
        {"name": "gros.txt", "mimeType": "text/plain", "buffer": b"z" * 5000},
    ])
    page.locator("form[data-files-upload] button[type=submit]").click()
    progress = page.locator("[data-files-progress]")
    expect(progress.locator(".files-progress__item--error")).to_contain_text("gros.txt")
    expect(progress.locator(".files-progress__item--done")).to_contain_text("notes.txt")
    expect(progress.locator(".files-progress__item--done progress")).to_have_attribute("value", "100")
    expect(page.locator("[data-files-live]")).not_to_be_empty()
    assert in_thread(lambda: list(File.objects.filter(folder=root).values_list("name", flat=True))) == ["notes.txt"]
    # The refusal stays on screen; a link reloads the list, which shows the new file.
    progress.get_by_role("link").click()
    expect(page.locator(".files-table")).to_contain_text("notes.txt")
    assert scroll_width(page) <= 320
    # All sent well: the page reloads by itself and says so; the same name made version 2.
    page.locator("#files-input").set_input_files([
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Ordre du jour, version 2\n"}])
    page.locator("form[data-files-upload] button[type=submit]").click()
    expect(page.locator("main .message--success")).to_have_text(re.compile(r"^(1 fichier déposé\.|1 file uploaded\.)$"))
    expect(page.locator(".files-table tbody tr td").nth(2)).to_have_text("2")


def test_my_drives_and_the_trash_list_in_a_fixed_number_of_queries(logged, place):
    from django.utils import timezone

    from extranet.testing.factories import WorkgroupFactory
    from extranet.testing.pages import queries_flat

    territory, jeanne, drive, root = place
    services.personal_drive_ensure(user=jeanne)

    def more_groups(factor):
        for _ in range(factor):
            WorkgroupFactory(members=[jeanne], visibility="private", join_policy="request")

    queries_flat(logged, reverse("fichiers:index"), more_groups)

    def more_trash(factor):
        now = timezone.now()
        File.objects.bulk_create([File(drive=drive, folder=root, name=f"jete-{File.objects.count()}-{n}.txt",
                                       deleted_at=now, deleted_by=jeanne) for n in range(3 * factor)])
        for _ in range(factor):
            Folder.objects.create(drive=drive, parent=root, name=f"vieux-{Folder.objects.count()}", deleted_at=now,
                                  deleted_by=jeanne)

    queries, page = queries_flat(logged, reverse("fichiers:trash", args=[drive.pk]), more_trash)
    assert len(page.select(".files-table tbody tr")) == 40
