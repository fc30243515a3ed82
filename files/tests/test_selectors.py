"""Files selectors: 404 for whatever the user may not read (drives, folders, files, versions,
the trash's items), the trash hidden everywhere else, search over names and text with only
what the searcher may read, and lists with a fixed number of queries."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from extranet.testing.factories import drive_of, file_make, folder_make, root_of
from extranet.testing.shared import building, shared_transaction
from files import selectors, services
from files.models import File
from files.tests.test_services import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world()
            # One file (two versions) in a folder of each drive.
            data["items"] = {}
            for key in ("drive", "personal", "network", "public", "private", "secret", "archived"):
                drive = data[key] if key in ("drive", "personal", "network") else drive_of(data[key].space)
                folder = folder_make(parent=root_of(drive), name=f"Dossier {key}")
                file = file_make(folder=folder, name=f"compte-rendu {key}.txt", versions=2, user=data["alice"],
                                 text=f"réunion budget {key}")
                data["items"][key] = (drive, folder, file, file.versions.get(number=1))
        yield data


@pytest.fixture
def w(world):
    return world


# (drive key, person): who may not read which drive's files (everything answers 404).
HIDDEN = [
    ("drive", "carol"), ("drive", "pending"), ("private", "bob"), ("secret", "bob"), ("secret", "carol"),
    ("personal", "bob"), ("personal", "coordinator"), ("network", "pending"),
]
HIDDEN_IDS = ["other-territory", "pending", "private-outsider", "secret-outsider", "secret-other-territory",
              "personal-other", "personal-coordinator", "network-pending"]
# Who may read them (members, a public group's non-members, coordinators, an archived group's members).
SHOWN = [
    ("drive", "bob"), ("drive", "referent"), ("drive", "coordinator"), ("public", "bob"), ("private", "alice"),
    ("private", "coordinator"), ("secret", "coordinator"), ("archived", "alice"), ("personal", "alice"),
    ("network", "carol"),
]


@pytest.mark.parametrize(("key", "who"), HIDDEN, ids=HIDDEN_IDS)
def test_what_one_may_not_read_is_missing(w, key, who):
    drive, folder, file, version = w["items"][key]
    user = w[who]
    calls = [
        lambda: selectors.drive_get_for_user(user, drive.pk),
        lambda: selectors.folder_get_for_user(user, folder.pk),
        lambda: selectors.folder_get_for_user(user, root_of(drive).pk),
        lambda: selectors.folder_get_for_user(user, folder.pk, live=False),
        lambda: selectors.file_get_for_user(user, file.pk),
        lambda: selectors.file_get_for_user(user, file.pk, live=False),
        lambda: selectors.version_get_for_user(user, version.pk),
    ]
    if drive.space_id:
        calls.append(lambda: selectors.space_drive_get_for_user(user, drive.space_id))
    for call in calls:
        with pytest.raises(Http404):
            call()


@pytest.mark.parametrize(("key", "who"), SHOWN)
def test_what_one_may_read_is_found(w, key, who):
    drive, folder, file, version = w["items"][key]
    user = w[who]
    assert selectors.drive_get_for_user(user, drive.pk) == drive
    assert selectors.folder_get_for_user(user, folder.pk) == folder
    assert selectors.file_get_for_user(user, file.pk) == file
    assert selectors.version_get_for_user(user, version.pk) == version
    if drive.space_id:
        assert selectors.space_drive_get_for_user(user, drive.space_id) == drive


def test_unknown_ids_are_missing(w):
    for call in (selectors.drive_get_for_user, selectors.folder_get_for_user, selectors.file_get_for_user,
                 selectors.version_get_for_user, selectors.space_drive_get_for_user):
        with pytest.raises(Http404):
            call(w["alice"], 987654)


def test_the_trash_is_missing_except_on_its_own_pages(w):
    drive, folder, file, version = w["items"]["drive"]
    services.file_trash(actor=w["alice"], file_id=file.pk)
    with pytest.raises(Http404):
        selectors.file_get_for_user(w["alice"], file.pk)
    with pytest.raises(Http404):
        selectors.version_get_for_user(w["alice"], version.pk)
    assert selectors.file_get_for_user(w["alice"], file.pk, live=False) == file
    assert list(selectors.folder_files(folder)) == []
    assert list(selectors.search_files(w["alice"], "budget drive")) == []

    inner = folder_make(parent=folder, name="Dedans")
    inside = file_make(folder=inner, name="dedans.txt")
    services.folder_trash(actor=w["alice"], folder_id=folder.pk)
    for call in (lambda: selectors.folder_get_for_user(w["alice"], folder.pk),
                 lambda: selectors.folder_get_for_user(w["alice"], inner.pk),
                 lambda: selectors.file_get_for_user(w["alice"], inside.pk)):
        with pytest.raises(Http404):
            call()
    assert selectors.file_get_for_user(w["alice"], inside.pk, live=False) == inside
    assert selectors.folder_get_for_user(w["alice"], folder.pk, live=False) == folder
    assert selectors.folder_get_for_user(w["alice"], inner.pk, live=False) == inner
    assert list(selectors.folder_children(root_of(drive))) == []
    folders, files = selectors.trash_of(drive)
    assert (list(folders), list(files)) == ([folder], [])  # the file went with its folder
    assert File.objects.get(pk=file.pk).trash_root_id == folder.pk
    assert folders[0].deleted_by == w["alice"]


def test_search_every_word_in_the_name_or_the_text(w):
    names = [f.name for f in selectors.search_files(w["alice"], "BUDGET compte")]
    # Alice's own drive, the network's, her territory's and every group she belongs to.
    assert sorted(names) == sorted(f"compte-rendu {key}.txt" for key in (
        "drive", "personal", "network", "public", "private", "secret", "archived"))
    assert [f.name for f in selectors.search_files(w["alice"], "budget privat")] == ["compte-rendu private.txt"]
    assert list(selectors.search_files(w["alice"], "budget nulle-part")) == []
    assert list(selectors.search_files(w["alice"], "   ")) == []


def test_search_shows_only_what_the_searcher_may_read(w):
    assert sorted(f.name for f in selectors.search_files(w["bob"], "compte")) == [
        "compte-rendu archived.txt", "compte-rendu drive.txt", "compte-rendu network.txt",
        "compte-rendu public.txt"]
    assert sorted(f.name for f in selectors.search_files(w["carol"], "compte")) == [
        "compte-rendu archived.txt", "compte-rendu network.txt", "compte-rendu public.txt"]
    assert list(selectors.search_files(w["pending"], "compte")) == []


def test_search_costs_one_query(w, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = list(selectors.search_files(w["alice"], "compte"))
        labels = [(f.folder.name, f.drive.space.name if f.drive.space else "") for f in found]
    assert len(labels) == 7


def test_drives_of_a_member_in_one_query(w, django_assert_num_queries):
    with django_assert_num_queries(1):
        drives = selectors.drives_of(w["alice"])
        labels = [(d.owner_id, d.space.kind if d.space else None, d.space.name if d.space else "", d.used)
                  for d in drives]
    assert [label[:3] for label in labels] == [
        (w["alice"].pk, None, ""),
        (None, "network", "Tout le réseau"),
        (None, "territory", "Causses"),
        (None, "workgroup", "Archivé"),
        (None, "workgroup", "Privé"),
        (None, "workgroup", "Public"),
        (None, "workgroup", "Secret"),
    ]


def test_drives_of_others(w):
    assert [d.space.kind for d in selectors.drives_of(w["carol"])] == ["network", "territory"]
    assert selectors.drives_of(w["pending"]) == []
    assert selectors.personal_drive(w["alice"]) == w["personal"]
    assert selectors.personal_drive(w["bob"]) is None


def test_a_folder_lists_in_fixed_queries(w, django_assert_num_queries):
    folder = folder_make(parent=root_of(w["drive"]), name="Beaucoup")

    def listing():
        return ([f.name for f in selectors.folder_children(folder)],
                [(f.name, f.updated_by.display_name if f.updated_by else "") for f in selectors.folder_files(folder)])

    for count in (2, 20):
        for n in range(count - File.objects.filter(folder=folder).count()):
            file_make(folder=folder, name=f"f{count}-{n}.txt", user=w["bob"])
            folder_make(parent=folder, name=f"d{count}-{n}")
        with django_assert_num_queries(2):
            children, files = listing()
        assert len(files) == count and len(children) == count


def test_breadcrumbs_and_choices(w, django_assert_num_queries):
    root = root_of(w["drive"])
    a = folder_make(parent=root, name="Actions")
    b = folder_make(parent=a, name="2024")
    z = folder_make(parent=root, name="Zèbre")
    trashed = folder_make(parent=root, name="Corbeille")
    services.folder_trash(actor=w["alice"], folder_id=trashed.pk)
    existing = w["items"]["drive"][1]
    with django_assert_num_queries(1):
        assert selectors.breadcrumbs(b) == [root, a, b]
    assert selectors.breadcrumbs(root) == [root]
    with django_assert_num_queries(1):
        choices = selectors.folder_choices(w["drive"])
    assert choices == [(root.pk, "Tous les fichiers"), (a.pk, "Actions"), (b.pk, "Actions / 2024"),
                       (existing.pk, "Dossier drive"), (z.pk, "Zèbre")]


def test_recent_files_of_my_spaces(w):
    now = timezone.now()
    File.objects.update(updated_at=now - timedelta(days=1))
    for index, key in enumerate(("drive", "network", "public", "private", "personal")):
        file = w["items"][key][2]
        File.objects.filter(pk=file.pk).update(updated_at=now - timedelta(minutes=index))
    assert [f.name for f in selectors.recent_files(w["alice"], limit=3)] == [
        "compte-rendu drive.txt", "compte-rendu network.txt", "compte-rendu public.txt"]
    # Bob belongs to his territory and the network; the public group's files are not "his".
    assert [f.name for f in selectors.recent_files(w["bob"])] == [
        "compte-rendu drive.txt", "compte-rendu network.txt"]
    services.file_trash(actor=w["alice"], file_id=w["items"]["drive"][2].pk)
    assert [f.name for f in selectors.recent_files(w["bob"])] == ["compte-rendu network.txt"]
    assert selectors.recent_files(w["pending"]) == []
