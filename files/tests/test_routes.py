"""The permission of every route of /bureau/fichiers/ across spaces.

One world for the module (`extranet.testing.shared`): five drives (a territory's, a private
group's, a secret group's, an archived group's, Jeanne's own), each with a subfolder, a file of
two versions, an image (with its thumbnail), a file in the trash and a folder in the trash; and
five people: Jeanne (of the territory, member of the three groups), Karim (of the same
territory, in no group), Paul (another territory), Claire (coordinator), and a visitor.

What one may not read answers 404 (folders, files, versions, thumbnails, previews, the trash);
what one reads but may not change answers 403; a visitor is sent to the login page. Expected
answers are written by hand, one table per kind of route.
"""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from extranet.testing.assertions import png
from extranet.testing.factories import (
    CoordinatorFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
    drive_of,
    file_make,
    folder_make,
    root_of,
)
from extranet.testing.shared import building, shared_transaction
from files import services
from files.models import File, FileVersion, Folder

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

PEOPLE = ("jeanne", "karim", "paul", "claire")
DRIVES = ("territory", "private", "secret", "archived", "personal")


def _build():
    territory = TerritoryFactory(name="Pays des Causses")
    elsewhere = TerritoryFactory(name="Vallée du Lys")
    jeanne = UserFactory(territory=territory, display_name="Jeanne Martin")
    karim = UserFactory(territory=territory, display_name="Karim Benali")
    paul = UserFactory(territory=elsewhere, display_name="Paul Inesta")
    claire = CoordinatorFactory(territory=elsewhere, display_name="Claire Dumas")
    private = WorkgroupFactory(name="Logiciels libres", visibility="private", join_policy="request", members=[jeanne])
    secret = WorkgroupFactory(name="Cellule discrète", visibility="secret", members=[jeanne])
    archived = WorkgroupFactory(name="Ancien projet", visibility="private", join_policy="request", members=[jeanne])
    services.personal_drive_ensure(user=jeanne)
    drives = {
        "territory": drive_of(territory.space), "private": drive_of(private.space), "secret": drive_of(secret.space),
        "archived": drive_of(archived.space), "personal": jeanne.drive,
    }
    objects = {}
    for key, drive in drives.items():
        root = root_of(drive)
        sub = folder_make(parent=root, name="Comptes rendus", user=jeanne)
        file = file_make(folder=sub, name="compte-rendu.txt", versions=2, user=jeanne)
        [image] = services.files_upload(actor=jeanne, folder_id=root.pk, uploads=[png("affiche.png", size=(40, 40))])
        assert image.thumbnail, "the upload made a thumbnail"
        gone = file_make(folder=root, name="ancien.txt", versions=2, user=jeanne)
        services.file_trash(actor=jeanne, file_id=gone.pk)
        gone_folder = folder_make(parent=root, name="Vieux dossier", user=jeanne)
        services.folder_trash(actor=jeanne, folder_id=gone_folder.pk)
        objects[key] = {
            "drive": drive.pk, "space": drive.space_id, "root": root.pk, "sub": sub.pk, "file": file.pk,
            "v1": file.versions.get(number=1).pk, "image": image.file_id, "gone": gone.pk,
            "gone_v1": gone.versions.get(number=1).pk, "gone_folder": gone_folder.pk,
        }
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    return {"people": {"jeanne": jeanne.pk, "karim": karim.pk, "paul": paul.pk, "claire": claire.pk},
            "objects": objects}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = _build()
        yield data


@pytest.fixture
def w(world, db):
    from members.models import User

    return SimpleNamespace(people={name: User.objects.get(pk=pk) for name, pk in world["people"].items()},
                           objects=world["objects"])


def client_of(w, person):
    client = Client()
    if person is not None:
        client.force_login(w.people[person])
    return client


# Who reads (R), writes (W), empties the trash (P) and sets the quota (Q) of each drive, by hand.
RIGHTS = {
    "jeanne": {"territory": "RW", "private": "RW", "secret": "RW", "archived": "R", "personal": "RWP"},
    "karim": {"territory": "RW"},
    "paul": {},
    "claire": {"territory": "RWPQ", "private": "RPQ", "secret": "RPQ", "archived": "RPQ"},
}

CASES = [(person, drive) for person in PEOPLE for drive in DRIVES]


def _status(rights, need):
    if "R" not in rights:
        return 404
    return 200 if need in rights else 403


def _answers(client, urls):
    return {name: client.get(url).status_code for name, url in urls.items()}


@pytest.mark.parametrize(("person", "drive"), CASES)
def test_reading(w, person, drive):
    o = w.objects[drive]
    rights = RIGHTS[person].get(drive, "")
    urls = {
        "folder": reverse("fichiers:folder", args=[o["sub"]]),
        "file": reverse("fichiers:file", args=[o["file"]]),
        "download": reverse("fichiers:download", args=[o["file"]]),
        "preview": reverse("fichiers:preview", args=[o["image"]]),
        "thumbnail": reverse("fichiers:thumbnail", args=[o["image"]]),
        "version": reverse("fichiers:version-download", args=[o["v1"]]),
        "trash": reverse("fichiers:trash", args=[o["drive"]]),
        "trashed download": reverse("fichiers:download", args=[o["gone"]]) + "?corbeille=1",
    }
    expected = dict.fromkeys(urls, _status(rights, "R"))
    assert _answers(client_of(w, person), urls) == expected


@pytest.mark.parametrize(("person", "drive"), CASES)
def test_what_is_in_the_trash_reads_as_missing_outside_it(w, person, drive):
    o = w.objects[drive]
    urls = {
        "file": reverse("fichiers:file", args=[o["gone"]]),
        "download": reverse("fichiers:download", args=[o["gone"]]),
        "preview": reverse("fichiers:preview", args=[o["gone"]]),
        "thumbnail": reverse("fichiers:thumbnail", args=[o["gone"]]),
        "version": reverse("fichiers:version-download", args=[o["gone_v1"]]),
        "folder": reverse("fichiers:folder", args=[o["gone_folder"]]),
        "folder rename": reverse("fichiers:folder-rename", args=[o["gone_folder"]]),
        "file rename": reverse("fichiers:file-rename", args=[o["gone"]]),
    }
    assert _answers(client_of(w, person), urls) == dict.fromkeys(urls, 404)


@pytest.mark.parametrize(("person", "drive"), CASES)
def test_change_forms(w, person, drive):
    o = w.objects[drive]
    rights = RIGHTS[person].get(drive, "")
    urls = {
        "folder rename": reverse("fichiers:folder-rename", args=[o["sub"]]),
        "folder move": reverse("fichiers:folder-move", args=[o["sub"]]),
        "folder trash": reverse("fichiers:folder-trash", args=[o["sub"]]),
        "file rename": reverse("fichiers:file-rename", args=[o["file"]]),
        "file move": reverse("fichiers:file-move", args=[o["file"]]),
        "file trash": reverse("fichiers:file-trash", args=[o["file"]]),
    }
    expected = dict.fromkeys(urls, _status(rights, "W"))
    assert _answers(client_of(w, person), urls) == expected


@pytest.mark.parametrize(("person", "drive"), CASES)
def test_trash_emptying_and_quota(w, person, drive):
    o = w.objects[drive]
    rights = RIGHTS[person].get(drive, "")
    urls = {"empty": reverse("fichiers:trash-empty", args=[o["drive"]]),
            "quota": reverse("fichiers:quota", args=[o["drive"]])}
    expected = {"empty": _status(rights, "P"), "quota": _status(rights, "Q")}
    assert _answers(client_of(w, person), urls) == expected


@pytest.mark.parametrize(("person", "drive"), CASES)
def test_posting_changes(w, person, drive):
    """Each POST of a writer succeeds (302); a reader gets 403, others 404; nothing changes then."""
    o = w.objects[drive]
    rights = RIGHTS[person].get(drive, "")
    client = client_of(w, person)
    write = _status(rights, "W")
    expected_write = 302 if write == 200 else write
    answers = {
        "rename": client.post(reverse("fichiers:file-rename", args=[o["file"]]), {"name": "nouveau.txt"}).status_code,
        "new folder": client.post(reverse("fichiers:folder-create", args=[o["sub"]]), {"name": "Neuf"}).status_code,
        "restore version": client.post(reverse("fichiers:version-restore", args=[o["v1"]])).status_code,
        "restore from trash": client.post(reverse("fichiers:trash-restore-file", args=[o["gone"]])).status_code,
        "restore folder": client.post(reverse("fichiers:trash-restore-folder", args=[o["gone_folder"]])).status_code,
        "upload": client.post(reverse("fichiers:upload", args=[o["sub"]]),
                              {"files": [png("photo.png")]}).status_code,
    }
    assert answers == dict.fromkeys(answers, expected_write)
    changed = File.objects.filter(pk=o["file"], name="nouveau.txt").exists()
    assert changed is (expected_write == 302)
    assert Folder.objects.filter(parent_id=o["sub"], name="Neuf").exists() is (expected_write == 302)
    assert FileVersion.objects.filter(file_id=o["file"]).count() == (3 if expected_write == 302 else 2)


@pytest.mark.parametrize(("person", "drive"), CASES)
def test_deleting_for_good(w, person, drive):
    o = w.objects[drive]
    rights = RIGHTS[person].get(drive, "")
    client = client_of(w, person)
    purge = _status(rights, "P")
    expected = 302 if purge == 200 else purge
    answers = {
        "file": client.post(reverse("fichiers:trash-delete-file", args=[o["gone"]])).status_code,
        "folder": client.post(reverse("fichiers:trash-delete-folder", args=[o["gone_folder"]])).status_code,
        "empty": client.post(reverse("fichiers:trash-empty", args=[o["drive"]])).status_code,
    }
    assert answers == dict.fromkeys(answers, expected)
    assert File.objects.filter(pk=o["gone"]).exists() is (expected != 302)


@pytest.mark.parametrize("person", PEOPLE)
def test_a_space_drive_link(w, person):
    client = client_of(w, person)
    answers = {drive: client.get(reverse("fichiers:space", args=[w.objects[drive]["space"]])).status_code
               for drive in DRIVES if drive != "personal"}
    expected = {drive: 302 if "R" in RIGHTS[person].get(drive, "") else 404 for drive in answers}
    assert answers == expected


def test_my_documents_are_mine_alone(w):
    """Another member reaching Jeanne's root folder gets 404; Jeanne is sent to « My documents »."""
    root = reverse("fichiers:folder", args=[w.objects["personal"]["root"]])
    assert client_of(w, "jeanne").get(root).url == reverse("fichiers:personal")
    for person in ("karim", "paul", "claire"):
        assert client_of(w, person).get(root).status_code == 404
    page = client_of(w, "karim").get(reverse("fichiers:personal"))
    assert page.status_code == 200
    assert b"compte-rendu.txt" not in page.content


def test_search_finds_only_what_one_may_read(w):
    url = reverse("fichiers:search") + "?q=affiche"

    def count(person):
        return client_of(w, person).get(url).content.count(b'class="card files-result"')

    assert {person: count(person) for person in PEOPLE} == {"jeanne": 5, "karim": 1, "paul": 0, "claire": 4}


def _every_route(o):
    return [
        reverse("fichiers:index"), reverse("fichiers:search"), reverse("fichiers:personal"),
        reverse("fichiers:personal-upload"), reverse("fichiers:personal-folder-create"),
        reverse("fichiers:space", args=[o["space"]]),
        reverse("fichiers:folder", args=[o["sub"]]), reverse("fichiers:upload", args=[o["sub"]]),
        reverse("fichiers:folder-create", args=[o["sub"]]), reverse("fichiers:folder-rename", args=[o["sub"]]),
        reverse("fichiers:folder-move", args=[o["sub"]]), reverse("fichiers:folder-trash", args=[o["sub"]]),
        reverse("fichiers:file", args=[o["file"]]), reverse("fichiers:download", args=[o["file"]]),
        reverse("fichiers:preview", args=[o["image"]]), reverse("fichiers:thumbnail", args=[o["image"]]),
        reverse("fichiers:file-rename", args=[o["file"]]), reverse("fichiers:file-move", args=[o["file"]]),
        reverse("fichiers:file-trash", args=[o["file"]]),
        reverse("fichiers:version-download", args=[o["v1"]]), reverse("fichiers:version-restore", args=[o["v1"]]),
        reverse("fichiers:trash", args=[o["drive"]]), reverse("fichiers:trash-empty", args=[o["drive"]]),
        reverse("fichiers:trash-restore-file", args=[o["gone"]]),
        reverse("fichiers:trash-restore-folder", args=[o["gone_folder"]]),
        reverse("fichiers:trash-delete-file", args=[o["gone"]]),
        reverse("fichiers:trash-delete-folder", args=[o["gone_folder"]]),
        reverse("fichiers:quota", args=[o["drive"]]),
    ]


def test_a_visitor_is_sent_to_the_login_page_from_every_route(w):
    client = Client()
    login = reverse("account_login")
    for url in _every_route(w.objects["territory"]):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(login), url


POST_ONLY = ("personal-upload", "personal-folder-create", "upload", "folder-create", "version-restore",
             "trash-restore-file", "trash-restore-folder", "trash-delete-file", "trash-delete-folder")


def test_post_only_routes_answer_405_to_a_get(w):
    o = w.objects["territory"]
    client = client_of(w, "jeanne")
    args = {"upload": o["sub"], "folder-create": o["sub"], "version-restore": o["v1"], "trash-restore-file": o["gone"],
            "trash-restore-folder": o["gone_folder"], "trash-delete-file": o["gone"],
            "trash-delete-folder": o["gone_folder"]}
    answers = {name: client.get(reverse(f"fichiers:{name}", args=[args[name]] if name in args else [])).status_code
               for name in POST_ONLY}
    assert answers == dict.fromkeys(POST_ONLY, 405)
