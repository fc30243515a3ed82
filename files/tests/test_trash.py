"""The trash: files and folders (with their whole subtree) go there and come back, names
taken meanwhile get "(restored)", deleting for good frees exactly what was counted and the
blobs no longer referenced, and what is older than FILES_TRASH_DAYS is purged (the
purge_file_trash command)."""

import io
from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import drive_of, file_make, folder_make, root_of
from extranet.testing.shared import building, shared_transaction
from files import selectors, services, tasks
from files.models import Drive, File, Folder
from files.tests.test_services import NOT_PURGE, build_world, private_storage, state, text  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world", "english")]

refused = partial(assertions.refused, state)


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


def used(drive):
    return Drive.objects.get(pk=drive.pk).used


def stored(name):
    return storages["files"].exists(name)


def live_names(folder):
    return sorted(File.objects.filter(folder=folder, deleted_at__isnull=True, trash_root__isnull=True)
                  .values_list("name", flat=True))


def tree(w):
    """root / Projets / (plan.txt, Photos / (a.txt), Vieux [trashed before] / (b.txt)), root / notes.txt"""
    root = root_of(w["drive"])
    projets = folder_make(parent=root, name="Projets")
    photos = folder_make(parent=projets, name="Photos")
    vieux = folder_make(parent=projets, name="Vieux")
    files = {
        "plan": file_make(folder=projets, name="plan.txt", content=b"plan"),
        "a": file_make(folder=photos, name="a.txt", content=b"aaaa"),
        "b": file_make(folder=vieux, name="b.txt", content=b"bbbbbb"),
        "notes": file_make(folder=root, name="notes.txt", content=b"notes"),
    }
    services.folder_trash(actor=w["alice"], folder_id=vieux.pk)
    return root, projets, photos, vieux, files


def test_a_file_goes_to_the_trash_and_comes_back(w):
    root = root_of(w["drive"])
    file = file_make(folder=root, name="notes.txt")
    services.file_trash(actor=w["bob"], file_id=file.pk)
    file.refresh_from_db()
    assert file.deleted_at is not None and file.deleted_by_id == w["bob"].pk
    assert list(selectors.folder_files(root)) == []
    folders, files = selectors.trash_of(w["drive"])
    assert (list(folders), list(files)) == ([], [file])
    services.file_restore(actor=w["alice"], file_id=file.pk)
    file.refresh_from_db()
    assert (file.deleted_at, file.deleted_by_id, file.name) == (None, None, "notes.txt")
    assert list(selectors.folder_files(root)) == [file]


def test_a_restored_file_whose_name_was_taken_is_renamed(w):
    root = root_of(w["drive"])
    first = file_make(folder=root, name="notes.txt")
    services.file_trash(actor=w["alice"], file_id=first.pk)
    second = file_make(folder=root, name="notes.txt")
    services.file_trash(actor=w["alice"], file_id=second.pk)
    file_make(folder=root, name="notes.txt")
    assert services.file_restore(actor=w["alice"], file_id=first.pk).name == "notes (restored).txt"
    assert services.file_restore(actor=w["alice"], file_id=second.pk).name == "notes (restored 2).txt"
    assert live_names(root) == ["notes (restored 2).txt", "notes (restored).txt", "notes.txt"]


def test_a_restored_file_whose_folder_is_gone_lands_at_the_root(w):
    root = root_of(w["drive"])
    folder = folder_make(parent=root, name="Dossier")
    file = file_make(folder=folder, name="notes.txt")
    services.file_trash(actor=w["alice"], file_id=file.pk)
    # A folder trashed outside the services (older data): its content did not follow it.
    Folder.objects.filter(pk=folder.pk).update(deleted_at=timezone.now())
    restored = services.file_restore(actor=w["alice"], file_id=file.pk)
    assert (restored.folder_id, restored.name) == (root.pk, "notes.txt")
    assert File.objects.get(pk=file.pk).folder_id == root.pk


def test_a_folder_takes_its_subtree_to_the_trash_and_back(w):
    root, projets, photos, vieux, files = tree(w)
    services.folder_trash(actor=w["bob"], folder_id=projets.pk)
    projets.refresh_from_db()
    assert (projets.deleted_by_id, projets.trash_root_id) == (w["bob"].pk, None)
    assert Folder.objects.get(pk=photos.pk).trash_root_id == projets.pk
    assert Folder.objects.get(pk=vieux.pk).trash_root_id == projets.pk  # already trashed: follows too
    assert File.objects.get(pk=files["plan"].pk).trash_root_id == projets.pk
    assert File.objects.get(pk=files["a"].pk).trash_root_id == projets.pk
    assert File.objects.get(pk=files["b"].pk).trash_root_id == vieux.pk  # keeps its own root
    assert list(selectors.folder_children(root)) == []
    folders, trashed_files = selectors.trash_of(w["drive"])
    assert (list(folders), list(trashed_files)) == ([projets], [])  # only what was deleted itself
    assert [f.name for f in selectors.search_files(w["alice"], "txt")] == ["notes.txt"]

    services.folder_restore(actor=w["alice"], folder_id=projets.pk)
    assert list(selectors.folder_children(root)) == [projets]
    assert list(selectors.folder_children(projets)) == [photos]  # Vieux is still in the trash
    assert sorted(f.name for f in selectors.search_files(w["alice"], "txt")) == ["a.txt", "notes.txt", "plan.txt"]
    folders, trashed_files = selectors.trash_of(w["drive"])
    assert list(folders) == [vieux]
    assert Folder.objects.get(pk=vieux.pk).trash_root_id is None
    assert File.objects.get(pk=files["b"].pk).trash_root_id == vieux.pk


def test_trashing_a_folder_costs_one_update_per_level(w, django_assert_num_queries):
    root = root_of(w["drive"])
    level1 = folder_make(parent=root, name="1")
    level2 = [folder_make(parent=level1, name=f"2-{n}") for n in range(3)]
    for folder in level2:
        for n in range(3):
            file_make(folder=folder, name=f"{n}.txt")
    # Savepoint, lookup, lock, reload, save; then per level (two: "1", then the three "2-n"):
    # the files' UPDATE, the subfolders' SELECT and their UPDATE (none found below the last);
    # the savepoint's release. Three times as many files or folders per level: the same.
    with django_assert_num_queries(5 + 3 + 2 + 1):
        services.folder_trash(actor=w["alice"], folder_id=level1.pk)
    assert File.objects.filter(trash_root=level1).count() == 9


def test_a_restored_folder_whose_name_was_taken_is_renamed(w):
    root = root_of(w["drive"])
    folder = folder_make(parent=root, name="Photos")
    services.folder_trash(actor=w["alice"], folder_id=folder.pk)
    folder_make(parent=root, name="Photos")
    assert services.folder_restore(actor=w["alice"], folder_id=folder.pk).name == "Photos (restored)"


def test_what_went_with_a_folder_is_restored_with_it_only(w):
    _root, projets, photos, _vieux, files = tree(w)
    services.folder_trash(actor=w["alice"], folder_id=projets.pk)
    message = "This folder went to the trash with the folder that holds it: restore that one."
    with refused(ValidationError, message):
        services.folder_restore(actor=w["alice"], folder_id=photos.pk)
    message = "This file went to the trash with the folder that holds it: restore that one."
    with refused(ValidationError, message):
        services.file_restore(actor=w["alice"], file_id=files["a"].pk)
    with refused(ValidationError, "This file is not in the trash."):
        services.file_restore(actor=w["alice"], file_id=files["notes"].pk)
    with refused(ValidationError, "This folder is not in the trash."):
        services.folder_restore(actor=w["alice"], folder_id=root_of(w["drive"]).pk)


def test_outsiders_restore_nothing(w):
    file = file_make(folder=root_of(w["drive"]))
    services.file_trash(actor=w["alice"], file_id=file.pk)
    with refused(PermissionDenied, "Only the members of this space see its files."):
        services.file_restore(actor=w["carol"], file_id=file.pk)


def test_deleting_a_file_for_good_frees_its_bytes_and_blobs(w, django_capture_on_commit_callbacks):
    root = root_of(w["drive"])
    file = file_make(folder=root, name="notes.txt", content=b"12345", versions=2)  # 5 + 6 bytes
    other = file_make(folder=root, name="reste.txt", content=b"abc")
    first = file.versions.get(number=1)
    services.version_restore(actor=w["alice"], version_id=first.pk)  # shares the first blob
    names = sorted(set(file.versions.values_list("blob", flat=True)))
    assert len(names) == 2 and used(w["drive"]) == 14
    services.file_trash(actor=w["alice"], file_id=file.pk)
    assert used(w["drive"]) == 14  # the trash still counts
    with refused(PermissionDenied, NOT_PURGE):
        services.file_delete(actor=w["alice"], file_id=file.pk)
    with refused(ValidationError, "Only what is in the trash can be deleted for good."):
        services.file_delete(actor=w["referent"], file_id=other.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.file_delete(actor=w["referent"], file_id=file.pk)
    assert not File.objects.filter(pk=file.pk).exists()
    assert used(w["drive"]) == 3
    assert [stored(name) for name in names] == [False, False]
    assert stored(other.current.blob.name)


def test_deleting_a_folder_for_good_takes_everything_under_it(w, django_capture_on_commit_callbacks):
    _root, projets, photos, vieux, files = tree(w)
    assert used(w["drive"]) == 4 + 4 + 6 + 5
    services.folder_trash(actor=w["alice"], folder_id=projets.pk)
    blobs = [files[key].current.blob.name for key in ("plan", "a", "b")]
    with django_capture_on_commit_callbacks(execute=True):
        services.folder_delete(actor=w["referent"], folder_id=projets.pk)
    assert not Folder.objects.filter(pk__in=[projets.pk, photos.pk, vieux.pk]).exists()
    assert list(File.objects.filter(drive=w["drive"])) == [files["notes"]]
    assert used(w["drive"]) == 5
    assert [stored(name) for name in blobs] == [False, False, False]
    assert stored(files["notes"].current.blob.name)


def test_emptying_the_trash(w, django_capture_on_commit_callbacks):
    _root, projets, _photos, _vieux, files = tree(w)
    services.file_trash(actor=w["alice"], file_id=files["notes"].pk)
    with refused(PermissionDenied, NOT_PURGE):
        services.trash_empty(actor=w["bob"], drive_id=w["drive"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.trash_empty(actor=w["referent"], drive_id=w["drive"].pk)
    assert count == 2  # "Vieux" and notes.txt; Projets is live
    assert used(w["drive"]) == 4 + 4
    assert not stored(files["b"].current.blob.name) and not stored(files["notes"].current.blob.name)
    assert sorted(Folder.objects.filter(drive=w["drive"]).values_list("name", flat=True)) == [
        "", "Photos", "Projets"]
    assert selectors.trash_of(w["drive"])[1].count() == 0


def test_a_group_manager_and_the_owner_of_a_personal_drive_purge(w):
    group_drive = drive_of(w["public"].space)
    file = file_make(folder=root_of(group_drive))
    services.file_trash(actor=w["alice"], file_id=file.pk)
    assert services.trash_empty(actor=w["referent"], drive_id=group_drive.pk) == 1  # the group's manager
    mine = file_make(folder=root_of(w["personal"]))
    services.file_trash(actor=w["alice"], file_id=mine.pk)
    assert services.trash_empty(actor=w["alice"], drive_id=w["personal"].pk) == 1
    with refused(PermissionDenied, "These files are someone else's."):
        services.trash_empty(actor=w["coordinator"], drive_id=w["personal"].pk)


def _trashed_days_ago(model, pk, days):
    model.objects.filter(pk=pk).update(deleted_at=timezone.now() - timedelta(days=days))


def test_what_was_trashed_more_than_30_days_ago_is_purged(w, django_capture_on_commit_callbacks):
    root = root_of(w["drive"])
    old = file_make(folder=root, name="vieux.txt", content=b"0123456789")
    recent = file_make(folder=root, name="recent.txt", content=b"abc")
    folder = folder_make(parent=root, name="Ancien")
    inside = file_make(folder=folder, name="dedans.txt", content=b"xy")
    personal = file_make(folder=root_of(w["personal"]), name="perso.txt", content=b"perso")
    for file in (old, recent, personal):
        services.file_trash(actor=w["alice"], file_id=file.pk)
    services.folder_trash(actor=w["alice"], folder_id=folder.pk)
    _trashed_days_ago(File, old.pk, 31)
    _trashed_days_ago(File, recent.pk, 29)
    _trashed_days_ago(Folder, folder.pk, 40)
    _trashed_days_ago(File, personal.pk, 30.5)
    blobs = [f.current.blob.name for f in (old, inside, personal)]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.trash_purge_expired() == 3
    assert list(File.objects.filter(drive=w["drive"])) == [recent]
    assert not Folder.objects.filter(pk=folder.pk).exists()
    assert used(w["drive"]) == 3 and used(w["personal"]) == 0
    assert [stored(name) for name in blobs] == [False, False, False]
    assert stored(recent.current.blob.name)
    assert services.trash_purge_expired() == 0
    assert services.trash_purge_expired(now=timezone.now() + timedelta(days=2)) == 1


def test_the_purge_is_a_task_and_a_command(w):
    file = file_make(folder=root_of(w["drive"]))
    services.file_trash(actor=w["alice"], file_id=file.pk)
    _trashed_days_ago(File, file.pk, 31)
    out = io.StringIO()
    call_command("purge_file_trash", stdout=out)
    assert out.getvalue() == "Files deleted for good from the trash: 1\n"
    assert not File.objects.filter(pk=file.pk).exists()
    assert tasks.run() == {"trash_purged": 0}


def test_an_upload_after_emptying_the_trash_fits_again(w):
    drive = w["drive"]
    services.drive_quota_set(actor=w["coordinator"], drive_id=drive.pk, quota=30)
    [version] = services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk,
                                      uploads=[text("a.txt", b"x" * 20)])
    services.file_trash(actor=w["alice"], file_id=version.file_id)
    with pytest.raises(ValidationError):
        services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk, uploads=[text("b.txt", b"y" * 20)])
    services.trash_empty(actor=w["referent"], drive_id=drive.pk)
    services.files_upload(actor=w["alice"], folder_id=root_of(drive).pk, uploads=[text("b.txt", b"y" * 20)])
    assert used(drive) == 20
