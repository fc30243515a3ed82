"""Files services: for each one, what is allowed, what is denied, what is invalid.

Allowed: what is saved (rows, bytes in the private storage, the drive's `used`, the
activity). Denied: PermissionDenied with the reason of files/permissions.py. Invalid:
ValidationError with the French message's English msgid, on the form's field. After a
refusal nothing is half-saved: `refused` compares the files tables, the activity log and
the blobs of the private storage before and after.
"""

import os
from contextlib import contextmanager
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.models import Activity, Space
from extranet.testing import assertions
from extranet.testing.assertions import png
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
    drive_of,
    file_make,
    folder_make,
    root_of,
)
from extranet.testing.shared import building, shared_transaction
from files import content, services
from files.models import Drive, File, FileVersion, Folder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world", "english")]

NOT_VIEW = "Only the members of this space see its files."
NOT_WRITE = "Only the members of this space may add or change its files."
ARCHIVED = "This space is archived: its files can be read, not changed."
OTHERS = "These files are someone else's."
NOT_MEMBER = "Log in as a member of the network to see these files."
NOT_PURGE = "Only the managers of this space may delete files for good."
NOT_QUOTA = "Only coordinators may change a quota."
IN_TRASH_FILE = "This file is in the trash."
IN_TRASH_FOLDER = "This folder is in the trash."


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """The private storage of this test alone (under tmp_path): what a refused action leaves
    there is seen, whatever other test runs write into the worker's folder meanwhile."""
    storage = FileSystemStorage(location=tmp_path / "files", base_url=None)
    monkeypatch.setitem(storages._storages, "files", storage)
    for name in ("blob", "thumbnail"):
        monkeypatch.setattr(FileVersion._meta.get_field(name), "storage", storage)
    return storage


def blobs():
    """Every file of the private storage (relative paths), sorted."""
    root = storages["files"].location
    found = []
    for folder, _dirs, names in os.walk(root):
        found.extend(os.path.relpath(os.path.join(folder, name), root) for name in names)
    return sorted(found)


def stored(name):
    return bool(name) and storages["files"].exists(name)


def state():
    return {
        "drives": list(Drive.objects.order_by("pk").values()),
        "folders": list(Folder.objects.order_by("pk").values()),
        "files": list(File.objects.order_by("pk").values()),
        "versions": list(FileVersion.objects.order_by("pk").values()),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "verb")),
        "blobs": blobs(),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


def text(name="notes.txt", data=b"Ordre du jour\n"):
    return SimpleUploadedFile(name, data, content_type="text/plain")


@contextmanager
def no_activity():
    before = list(Activity.objects.values_list("pk", flat=True))
    yield
    assert list(Activity.objects.values_list("pk", flat=True)) == before


def used(drive):
    return Drive.objects.get(pk=drive.pk).used


def build_world():
    """Two territories, groups of every kind, the people around them (shared by the files tests)."""
    territory = TerritoryFactory(name="Causses")
    other = TerritoryFactory(name="Vallée du Lys")
    alice = UserFactory(territory=territory, display_name="Alice Martin")
    bob = UserFactory(territory=territory, display_name="Bob Durand")
    carol = UserFactory(territory=other, display_name="Carol Petit")
    referent = UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech")
    coordinator = CoordinatorFactory(territory=other, display_name="Claire Dumas")
    pending = PendingUserFactory(territory=territory)
    public = WorkgroupFactory(name="Public", managers=[referent], members=[alice])
    private = WorkgroupFactory(name="Privé", visibility="private", members=[alice])
    secret = WorkgroupFactory(name="Secret", visibility="secret", members=[alice])
    archived = WorkgroupFactory(name="Archivé", members=[alice])
    archived.archived_at = archived.created_at
    archived.save(update_fields=["archived_at"])
    personal = services.personal_drive_ensure(user=alice)
    return {
        "territory": territory, "other": other, "alice": alice, "bob": bob, "carol": carol, "referent": referent,
        "coordinator": coordinator, "pending": pending, "public": public, "private": private, "secret": secret,
        "archived": archived, "drive": drive_of(territory.space), "personal": personal,
        "network": drive_of(Space.objects.get(kind="network")),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world()
        yield data


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def w(world):
    return world


# Who may not write in which drive, and why: (drive key or group key, person, exception, message).
DENIED = [
    ("drive", "carol", PermissionDenied, NOT_VIEW),  # a member of another territory
    ("drive", "pending", PermissionDenied, NOT_MEMBER),
    ("private", "bob", PermissionDenied, NOT_VIEW),
    ("secret", "bob", PermissionDenied, NOT_VIEW),
    ("public", "bob", PermissionDenied, NOT_WRITE),  # reads a public group's files, is not a member
    ("archived", "alice", PermissionDenied, ARCHIVED),
    ("personal", "bob", PermissionDenied, OTHERS),
    ("personal", "coordinator", PermissionDenied, OTHERS),
]
DENIED_IDS = ["other-territory", "pending", "private-outsider", "secret-outsider", "public-non-member",
              "archived", "personal-other", "personal-coordinator"]


def drive_for(w, key):
    if key in ("drive", "personal", "network"):
        return w[key]
    return drive_of(w[key].space)


# --- Drives ------------------------------------------------------------------------------------


def test_a_personal_drive_is_made_once_with_its_root(w):
    drive = services.personal_drive_ensure(user=w["bob"])
    again = services.personal_drive_ensure(user=w["bob"])
    assert drive.pk == again.pk
    assert drive.owner_id == w["bob"].pk and drive.space_id is None
    assert Folder.objects.filter(drive=drive).count() == 1
    assert root_of(drive).name == ""


def test_a_pending_member_gets_no_drive(w):
    with refused(PermissionDenied, NOT_MEMBER):
        services.personal_drive_ensure(user=w["pending"])


def test_a_coordinator_sets_and_resets_a_quota(w):
    drive = services.drive_quota_set(actor=w["coordinator"], drive_id=w["drive"].pk, quota=5 * 1024**3)
    assert Drive.objects.get(pk=w["drive"].pk).quota == 5 * 1024**3
    assert drive.quota_bytes == 5 * 1024**3
    drive = services.drive_quota_set(actor=w["coordinator"], drive_id=w["drive"].pk, quota=None)
    assert Drive.objects.get(pk=w["drive"].pk).quota is None
    assert drive.quota_bytes == 2 * 1024**3


@pytest.mark.parametrize("who", ["referent", "alice"])
def test_only_coordinators_set_quotas(w, who):
    with refused(PermissionDenied, NOT_QUOTA):
        services.drive_quota_set(actor=w[who], drive_id=w["drive"].pk, quota=1024)


def test_a_quota_is_more_than_zero(w):
    with refused(ValidationError, "The quota must be greater than zero."):
        services.drive_quota_set(actor=w["coordinator"], drive_id=w["drive"].pk, quota=0)


def test_size_labels():
    assert services.size_label(0) == "0 bytes"
    assert services.size_label(1) == "1 byte"
    assert services.size_label(1023) == "1023 bytes"
    assert services.size_label(1024) == "1 KB"
    assert services.size_label(12 * 1024**2) == "12 MB"
    assert services.size_label(3 * 1024**3 // 2) == "1.5 GB"
    assert services.size_label(2 * 1024**3) == "2 GB"
    with translation.override("fr"):
        assert services.size_label(3 * 1024**3 // 2) == "1,5\u00a0Go"


# --- Folders ------------------------------------------------------------------------------------


def test_a_member_creates_a_folder_and_it_is_in_the_activity(w):
    root = root_of(w["drive"])
    folder = services.folder_create(actor=w["alice"], parent_id=root.pk, name="  Comptes rendus/2024 ")
    assert (folder.name, folder.parent_id, folder.drive_id, folder.created_by_id) == (
        "2024", root.pk, w["drive"].pk, w["alice"].pk)
    activity = Activity.objects.get(verb="files.folder_created")
    assert (activity.actor_id, activity.space_id, activity.target_id) == (
        w["alice"].pk, w["territory"].space_id, str(folder.pk))
    assert activity.url == f"/bureau/fichiers/dossiers/{folder.pk}/"


def test_a_folder_of_ones_own_drive_is_not_in_the_activity(w):
    with no_activity():
        folder = services.folder_create(actor=w["alice"], parent_id=root_of(w["personal"]).pk, name="Perso")
    assert folder.drive_id == w["personal"].pk


@pytest.mark.parametrize(("key", "who", "exception", "message"), DENIED, ids=DENIED_IDS)
def test_who_may_not_create_a_folder(w, key, who, exception, message):
    root = root_of(drive_for(w, key))
    with refused(exception, message):
        services.folder_create(actor=w[who], parent_id=root.pk, name="Réunions")


@pytest.mark.parametrize(("name", "message"), [
    ("../..", "« ../.. » is not a usable name: choose one with letters or digits."),
    ("Réunions", "A folder named « Réunions » is already there."),
])
def test_a_folder_needs_a_free_usable_name(w, name, message):
    root = root_of(w["drive"])
    folder_make(parent=root, name="Réunions")
    with refused(ValidationError, message, "name"):
        services.folder_create(actor=w["alice"], parent_id=root.pk, name=name)


def test_no_folder_in_a_trashed_folder(w):
    folder = folder_make(parent=root_of(w["drive"]), name="Archives")
    services.folder_trash(actor=w["alice"], folder_id=folder.pk)
    with refused(ValidationError, IN_TRASH_FOLDER):
        services.folder_create(actor=w["alice"], parent_id=folder.pk, name="2023")


def test_rename_a_folder(w):
    root = root_of(w["drive"])
    folder = folder_make(parent=root, name="Brouillons")
    folder_make(parent=root, name="Prêts")
    renamed = services.folder_rename(actor=w["alice"], folder_id=folder.pk, name="Définitifs")
    assert Folder.objects.get(pk=folder.pk).name == "Définitifs" == renamed.name
    with nothing_saved():  # the same name: nothing to do
        services.folder_rename(actor=w["alice"], folder_id=folder.pk, name="Définitifs")
    with refused(ValidationError, "A folder named « Prêts » is already there.", "name"):
        services.folder_rename(actor=w["alice"], folder_id=folder.pk, name="Prêts")
    with refused(ValidationError, "The root folder cannot be renamed."):
        services.folder_rename(actor=w["alice"], folder_id=root.pk, name="Racine")


@pytest.mark.parametrize(("key", "who", "exception", "message"), DENIED, ids=DENIED_IDS)
def test_who_may_not_rename_a_folder(w, key, who, exception, message):
    folder = folder_make(parent=root_of(drive_for(w, key)), name="Brouillons")
    with refused(exception, message):
        services.folder_rename(actor=w[who], folder_id=folder.pk, name="Définitifs")


def test_move_a_folder(w):
    root = root_of(w["drive"])
    a = folder_make(parent=root, name="A")
    b = folder_make(parent=root, name="B")
    a_child = folder_make(parent=a, name="Enfant")
    file = file_make(folder=a_child, name="dedans.txt")
    services.folder_move(actor=w["alice"], folder_id=a.pk, parent_id=b.pk)
    assert Folder.objects.get(pk=a.pk).parent_id == b.pk
    assert Folder.objects.get(pk=a_child.pk).parent_id == a.pk
    assert File.objects.get(pk=file.pk).folder_id == a_child.pk
    with nothing_saved():  # already there
        services.folder_move(actor=w["alice"], folder_id=a.pk, parent_id=b.pk)


def test_a_folder_cannot_go_into_itself_or_below(w):
    root = root_of(w["drive"])
    a = folder_make(parent=root, name="A")
    child = folder_make(parent=a, name="Enfant")
    grandchild = folder_make(parent=child, name="Petit-enfant")
    for target in (a, child, grandchild):
        with refused(ValidationError, "A folder cannot go into itself or one of its subfolders.", "target"):
            services.folder_move(actor=w["alice"], folder_id=a.pk, parent_id=target.pk)


def test_a_folder_move_is_refused_when_the_name_is_taken_or_the_drive_other(w):
    root = root_of(w["drive"])
    a = folder_make(parent=root, name="Photos")
    b = folder_make(parent=root, name="B")
    folder_make(parent=b, name="Photos")
    with refused(ValidationError, "A folder named « Photos » is already there.", "target"):
        services.folder_move(actor=w["alice"], folder_id=a.pk, parent_id=b.pk)
    with refused(ValidationError, "Files can only be moved within the same space.", "target"):
        services.folder_move(actor=w["alice"], folder_id=a.pk, parent_id=root_of(w["personal"]).pk)
    with refused(ValidationError, "The root folder cannot be moved."):
        services.folder_move(actor=w["alice"], folder_id=root.pk, parent_id=b.pk)
    services.folder_trash(actor=w["alice"], folder_id=b.pk)
    with refused(ValidationError, IN_TRASH_FOLDER, "target"):
        services.folder_move(actor=w["alice"], folder_id=a.pk, parent_id=b.pk)


@pytest.mark.parametrize(("key", "who", "exception", "message"), DENIED, ids=DENIED_IDS)
def test_who_may_not_move_or_trash_a_folder(w, key, who, exception, message):
    root = root_of(drive_for(w, key))
    folder = folder_make(parent=root, name="A")
    target = folder_make(parent=root, name="B")
    with refused(exception, message):
        services.folder_move(actor=w[who], folder_id=folder.pk, parent_id=target.pk)
    with refused(exception, message):
        services.folder_trash(actor=w[who], folder_id=folder.pk)


def test_the_root_folder_cannot_be_trashed(w):
    with refused(ValidationError, "The root folder cannot be deleted."):
        services.folder_trash(actor=w["alice"], folder_id=root_of(w["drive"]).pk)


def test_a_folder_gone_meanwhile(w):
    with refused(ValidationError, "This folder no longer exists."):
        services.folder_rename(actor=w["alice"], folder_id=987654, name="X")


# --- Uploads and versions ------------------------------------------------------------------------


def test_upload_two_files_stores_them_and_counts_their_bytes(w):
    root = root_of(w["drive"])
    versions = services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[
        text("notes.txt", b"Ordre du jour : budget\n"), png("photo.png", size=(600, 300))])
    notes, photo = (File.objects.get(pk=v.file_id) for v in versions)
    assert [(f.name, f.folder_id, f.current_id, f.size) for f in (notes, photo)] == [
        ("notes.txt", root.pk, versions[0].pk, 23), ("photo.png", root.pk, versions[1].pk, versions[1].size)]
    assert [v.number for v in versions] == [1, 1]
    assert notes.content_type == "text/plain" and not notes.is_image
    assert photo.content_type == "image/png" and photo.is_image
    assert notes.text == "Ordre du jour : budget"
    assert notes.created_by_id == notes.updated_by_id == w["alice"].pk
    assert stored(versions[0].blob.name) and stored(versions[1].blob.name)
    assert stored(versions[1].thumbnail.name) and not versions[0].thumbnail
    assert storages["files"].open(versions[0].blob.name).read() == b"Ordre du jour : budget\n"
    assert used(w["drive"]) == 23 + versions[1].size
    [activity] = Activity.objects.filter(verb="files.uploaded")
    assert (activity.space_id, activity.target_id, activity.data, activity.url) == (
        w["territory"].space_id, str(notes.pk), {"count": 2}, f"/bureau/fichiers/{notes.pk}/")


def test_the_same_name_in_the_same_folder_is_a_new_version(w):
    root = root_of(w["drive"])
    [first] = services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[text("notes.txt", b"Version 1\n")])
    [second] = services.files_upload(actor=w["bob"], folder_id=root.pk, uploads=[text("notes.txt", b"Version deux\n")])
    assert second.file_id == first.file_id and second.number == 2
    file = File.objects.get(pk=first.file_id)
    assert (file.current_id, file.size, file.updated_by_id, file.created_by_id, file.text) == (
        second.pk, 13, w["bob"].pk, w["alice"].pk, "Version deux")
    assert stored(first.blob.name) and stored(second.blob.name)
    assert used(w["drive"]) == 10 + 13
    assert list(Activity.objects.order_by("pk").values_list("verb", "target_id", "data")) == [
        ("files.uploaded", str(file.pk), {}), ("files.version", str(file.pk), {})]


def test_names_differing_by_case_are_two_files(w):
    root = root_of(w["drive"])
    services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[text("Notes.txt")])
    services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[text("notes.txt")])
    assert sorted(File.objects.filter(folder=root).values_list("name", flat=True)) == ["Notes.txt", "notes.txt"]


def test_the_same_name_twice_in_one_upload_is_two_versions(w):
    root = root_of(w["drive"])
    versions = services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[
        text("notes.txt", b"un\n"), text("notes.txt", b"deux\n")])
    assert [v.number for v in versions] == [1, 2]
    assert File.objects.filter(folder=root).count() == 1


def test_an_upload_to_ones_own_drive(w):
    with no_activity():
        [version] = services.personal_upload(actor=w["bob"], uploads=[text("cv.txt", b"Bob\n")])
    drive = Drive.objects.get(owner=w["bob"])
    assert version.file.folder_id == root_of(drive).pk
    assert drive.used == 4


def test_a_file_name_with_path_parts_is_cleaned(w):
    root = root_of(w["drive"])
    [version] = services.files_upload(actor=w["alice"], folder_id=root.pk,
                                      uploads=[text("../../etc/pass\x07wd.txt")])
    assert version.file.name == "passwd.txt"


def test_a_bad_type_is_refused_and_nothing_stored(w):
    root = root_of(w["drive"])
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[
            text("notes.txt"), SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)])
    [message] = excinfo.value.message_dict["files"]
    assert message.startswith("« setup.exe »: this type of file is not accepted")


def test_nothing_to_upload(w):
    with refused(ValidationError, "Choose at least one file.", "files"):
        services.files_upload(actor=w["alice"], folder_id=root_of(w["drive"]).pk, uploads=[])


def test_over_the_quota_is_refused_with_what_is_left(w):
    drive = w["drive"]
    Drive.objects.filter(pk=drive.pk).update(used=2 * 1024**3 - 10)
    with refused(ValidationError, "This file (20 bytes) does not fit: 10 bytes of 2 GB left in this space.", "files"):
        services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk, uploads=[text("a.txt", b"x" * 20)])
    with refused(ValidationError,
                 "These 2 files (12 bytes) do not fit: 10 bytes of 2 GB left in this space.", "files"):
        services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk,
                              uploads=[text("a.txt", b"x" * 6), text("b.txt", b"y" * 6)])
    services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk, uploads=[text("a.txt", b"x" * 10)])
    assert used(drive) == 2 * 1024**3


def test_the_quota_of_a_drive_set_by_a_coordinator(w):
    drive = w["drive"]
    services.drive_quota_set(actor=w["coordinator"], drive_id=drive.pk, quota=12 * 1024**2)
    Drive.objects.filter(pk=drive.pk).update(used=12 * 1024**2 - 10)
    with refused(ValidationError, "This file (11 bytes) does not fit: 10 bytes of 12 MB left in this space.",
                 "files"):
        services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk, uploads=[text("a.txt", b"x" * 11)])


def test_a_quota_filled_while_storing_is_checked_again_and_the_blobs_deleted(w, monkeypatch):
    """Another upload filled the drive while these bytes were written: refused under the
    drive's lock, and the blobs already written (the image and its thumbnail) are deleted."""
    drive = w["drive"]
    real_store = content.store

    def store_while_another_upload_lands(checked):
        blob = real_store(checked)
        Drive.objects.filter(pk=drive.pk).update(used=2 * 1024**3 - 5)
        return blob

    monkeypatch.setattr(content, "store", store_while_another_upload_lands)
    before = blobs()
    with pytest.raises(ValidationError) as excinfo:
        services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk,
                              uploads=[png("photo.png", size=(600, 300))])
    [message] = excinfo.value.message_dict["files"]
    assert message.startswith("This file (")  # the PNG's size, as Pillow wrote it
    assert message.endswith(" KB) does not fit: 5 bytes of 2 GB left in this space.")
    assert blobs() == before
    assert File.objects.filter(drive=drive).count() == 0


def test_a_database_failure_after_storing_deletes_the_blobs(w, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_make_current", broken)
    before = blobs()
    with pytest.raises(RuntimeError):
        services.files_upload(actor=w["alice"], folder_id=root_of(w["drive"]).pk,
                              uploads=[text("a.txt"), png("b.png")])
    assert blobs() == before
    assert File.objects.filter(drive=w["drive"]).count() == 0
    assert used(w["drive"]) == 0


@pytest.mark.parametrize(("key", "who", "exception", "message"), DENIED, ids=DENIED_IDS)
def test_who_may_not_upload(w, key, who, exception, message):
    with refused(exception, message):
        services.files_upload(actor=w[who], folder_id=root_of(drive_for(w, key)).pk, uploads=[text()])


def test_members_of_a_group_and_the_network_upload(w):
    for drive in (drive_of(w["private"].space), drive_of(w["secret"].space), w["network"]):
        [version] = services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk, uploads=[text()])
        assert version.file.drive_id == drive.pk
    assert Activity.objects.filter(verb="files.uploaded").count() == 3


def test_no_upload_into_a_trashed_folder(w):
    folder = folder_make(parent=root_of(w["drive"]), name="Vieux")
    services.folder_trash(actor=w["alice"], folder_id=folder.pk)
    with refused(ValidationError, IN_TRASH_FOLDER):
        services.files_upload(actor=w["alice"], folder_id=folder.pk, uploads=[text()])


def test_restore_a_version_shares_its_bytes(w):
    file = file_make(folder=root_of(w["drive"]), name="notes.txt", content=b"Premier jet\n", versions=2)
    first = file.versions.get(number=1)
    before = used(w["drive"])
    restored = services.version_restore(actor=w["bob"], version_id=first.pk)
    assert (restored.number, restored.blob.name, restored.size, restored.restored_from_id) == (
        3, first.blob.name, 12, first.pk)
    file.refresh_from_db()
    assert (file.current_id, file.size, file.updated_by_id, file.text) == (restored.pk, 12, w["bob"].pk, "Premier jet")
    assert used(w["drive"]) == before  # no byte added
    activity = Activity.objects.get(verb="files.version")
    assert (activity.target_id, activity.data) == (str(file.pk), {"restored": 1})
    with refused(ValidationError, "This version is already the current one."):
        services.version_restore(actor=w["bob"], version_id=restored.pk)


@pytest.mark.parametrize(("key", "who", "exception", "message"), DENIED, ids=DENIED_IDS)
def test_who_may_not_restore_a_version(w, key, who, exception, message):
    file = file_make(folder=root_of(drive_for(w, key)), versions=2)
    with refused(exception, message):
        services.version_restore(actor=w[who], version_id=file.versions.get(number=1).pk)


def test_no_version_restored_in_the_trash(w):
    file = file_make(folder=root_of(w["drive"]), versions=2)
    services.file_trash(actor=w["alice"], file_id=file.pk)
    with refused(ValidationError, IN_TRASH_FILE):
        services.version_restore(actor=w["alice"], version_id=file.versions.get(number=1).pk)


# --- Rename, move, trash a file -----------------------------------------------------------------


def test_rename_a_file(w):
    root = root_of(w["drive"])
    file = file_make(folder=root, name="brouillon.txt")
    file_make(folder=root, name="final.txt")
    services.file_rename(actor=w["alice"], file_id=file.pk, name="C:\\docs\\compte-rendu.txt")
    assert File.objects.get(pk=file.pk).name == "compte-rendu.txt"
    with nothing_saved():
        services.file_rename(actor=w["alice"], file_id=file.pk, name="compte-rendu.txt")
    with refused(ValidationError, "A file named « final.txt » is already in this folder.", "name"):
        services.file_rename(actor=w["alice"], file_id=file.pk, name="final.txt")
    with refused(ValidationError, "« .. » is not a usable name: choose one with letters or digits.", "name"):
        services.file_rename(actor=w["alice"], file_id=file.pk, name="..")


def test_a_trashed_name_is_free_again(w):
    root = root_of(w["drive"])
    old = file_make(folder=root, name="final.txt")
    file = file_make(folder=root, name="brouillon.txt")
    services.file_trash(actor=w["alice"], file_id=old.pk)
    services.file_rename(actor=w["alice"], file_id=file.pk, name="final.txt")
    assert File.objects.get(pk=file.pk).name == "final.txt"


def test_move_a_file(w):
    root = root_of(w["drive"])
    target = folder_make(parent=root, name="Archives")
    file = file_make(folder=root, name="notes.txt")
    services.file_move(actor=w["alice"], file_id=file.pk, folder_id=target.pk)
    assert File.objects.get(pk=file.pk).folder_id == target.pk
    other = file_make(folder=root, name="notes.txt")
    with refused(ValidationError, "A file named « notes.txt » is already in this folder.", "target"):
        services.file_move(actor=w["alice"], file_id=other.pk, folder_id=target.pk)
    with refused(ValidationError, "Files can only be moved within the same space.", "target"):
        services.file_move(actor=w["alice"], file_id=other.pk, folder_id=root_of(w["network"]).pk)


@pytest.mark.parametrize(("key", "who", "exception", "message"), DENIED, ids=DENIED_IDS)
def test_who_may_not_rename_move_or_trash_a_file(w, key, who, exception, message):
    root = root_of(drive_for(w, key))
    file = file_make(folder=root)
    target = folder_make(parent=root, name="Ailleurs")
    with refused(exception, message):
        services.file_rename(actor=w[who], file_id=file.pk, name="autre.txt")
    with refused(exception, message):
        services.file_move(actor=w[who], file_id=file.pk, folder_id=target.pk)
    with refused(exception, message):
        services.file_trash(actor=w[who], file_id=file.pk)


def test_a_trashed_file_is_not_renamed_moved_or_trashed_again(w):
    root = root_of(w["drive"])
    file = file_make(folder=root)
    target = folder_make(parent=root, name="Ailleurs")
    services.file_trash(actor=w["alice"], file_id=file.pk)
    with refused(ValidationError, IN_TRASH_FILE):
        services.file_rename(actor=w["alice"], file_id=file.pk, name="autre.txt")
    with refused(ValidationError, IN_TRASH_FILE):
        services.file_move(actor=w["alice"], file_id=file.pk, folder_id=target.pk)
    with refused(ValidationError, IN_TRASH_FILE):
        services.file_trash(actor=w["alice"], file_id=file.pk)
    with refused(ValidationError, "This file no longer exists."):
        services.file_trash(actor=w["alice"], file_id=987654)


def test_the_owner_of_a_personal_drive_does_everything_there(w, django_capture_on_commit_callbacks):
    root = root_of(w["personal"])
    with no_activity():
        [version] = services.files_upload(actor=w["alice"], folder_id=root.pk, uploads=[text("perso.txt", b"abc")])
        folder = services.folder_create(actor=w["alice"], parent_id=root.pk, name="Privé")
        services.file_move(actor=w["alice"], file_id=version.file_id, folder_id=folder.pk)
        services.folder_trash(actor=w["alice"], folder_id=folder.pk)
        assert used(w["personal"]) == 3
        with django_capture_on_commit_callbacks(execute=True):
            services.folder_delete(actor=w["alice"], folder_id=folder.pk)
    assert not stored(version.blob.name)
    assert used(w["personal"]) == 0
    assert not File.objects.filter(drive=w["personal"]).exists()
