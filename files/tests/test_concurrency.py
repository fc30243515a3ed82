"""Real parallel uploads into one drive: the drive's row lock settles them, nothing is lost
and the quota is exact.

Each attempt runs in its own thread with its own database connection, released at a barrier
together (extranet.testing.concurrency). Runs on SQLite (IMMEDIATE transactions) and on
PostgreSQL (SELECT ... FOR UPDATE on the drive's row).
"""

import os

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from extranet.testing import concurrency
from extranet.testing.concurrency import outcomes
from extranet.testing.factories import TerritoryFactory, UserFactory, drive_of, root_of
from files import services
from files.models import Drive, File, FileVersion
from files.tests.test_services import private_storage  # noqa: F401 (autouse)
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(attempts):
    return concurrency.run_together(attempts, language="en")


def blobs():
    root = storages["files"].location
    found = []
    for folder, _dirs, names in os.walk(root):
        found.extend(os.path.relpath(os.path.join(folder, name), root) for name in names)
    return set(found)


def upload(user_pk, folder_pk, name, data):
    return {
        "prepare": lambda: User.objects.get(pk=user_pk),
        "act": lambda user: services.files_upload(
            actor=user, folder_id=folder_pk, uploads=[SimpleUploadedFile(name, data, content_type="text/plain")]),
    }


def test_two_members_upload_the_same_name_at_once_and_both_are_kept():
    territory = TerritoryFactory()
    first, second = UserFactory(territory=territory), UserFactory(territory=territory)
    drive = drive_of(territory.space)
    root = root_of(drive)

    results = run_together([
        upload(first.pk, root.pk, "notes.txt", b"Version de Aline\n"),
        upload(second.pk, root.pk, "notes.txt", b"Version de Bruno, plus longue\n"),
    ])

    assert outcomes(results) == ["ok", "ok"]
    [file] = File.objects.filter(folder=root)
    versions = list(FileVersion.objects.filter(file=file).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert sorted(v.size for v in versions) == [17, 30]
    assert file.current_id == versions[1].pk and file.size == versions[1].size
    assert Drive.objects.get(pk=drive.pk).used == 17 + 30
    contents = sorted(storages["files"].open(v.blob.name).read() for v in versions)
    assert contents == [b"Version de Aline\n", b"Version de Bruno, plus longue\n"]


def test_two_uploads_that_together_pass_the_quota_one_is_refused():
    territory = TerritoryFactory()
    first, second = UserFactory(territory=territory), UserFactory(territory=territory)
    drive = drive_of(territory.space)
    Drive.objects.filter(pk=drive.pk).update(quota=100, used=40)
    root = root_of(drive)
    before = blobs()

    results = run_together([
        upload(first.pk, root.pk, "a.txt", b"a" * 35),
        upload(second.pk, root.pk, "b.txt", b"b" * 35),
    ])

    assert outcomes(results) == ["invalid", "ok"]
    [error] = [value for outcome, value in results if outcome == "invalid"]
    assert error.message_dict == {"files": ["This file (35 bytes) does not fit: 25 bytes of 100 bytes left in "
                                            "this space."]}
    assert Drive.objects.get(pk=drive.pk).used == 75
    [file] = File.objects.filter(folder=root)
    assert blobs() - before == {file.current.blob.name}  # the refused upload's blob was deleted
    assert storages["files"].exists(file.current.blob.name)
