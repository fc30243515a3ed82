"""Every space has its drive and root folder, made with the space (core.spaces.space_created)."""

import pytest

from core.models import Space
from extranet.testing.factories import (
    ResourceFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
    drive_of,
    file_make,
    root_of,
)
from files.models import Drive, Folder

pytestmark = pytest.mark.django_db


def test_the_network_space_has_its_drive():
    network = Space.objects.get(kind="network")
    drive = drive_of(network)
    assert drive.owner_id is None
    assert Folder.objects.filter(drive=drive, parent=None).count() == 1


def test_a_new_territory_and_a_new_workgroup_get_a_drive_each():
    before = Drive.objects.count()
    territory = TerritoryFactory()
    group = WorkgroupFactory()
    assert Drive.objects.count() == before + 2
    assert root_of(drive_of(territory.space)).name == ""
    assert root_of(drive_of(group.space)).files.count() == 0


def test_the_factories_write_a_file_and_a_resource():
    drive = drive_of(TerritoryFactory().space)
    file = file_make(folder=root_of(drive), versions=2)
    drive.refresh_from_db()
    assert file.versions.count() == 2
    assert file.current.number == 2
    assert drive.used == len(b"Compte rendu de la reunion.\n") * 2 + 1
    author = UserFactory()
    resource = ResourceFactory(created_by=author)
    assert list(resource.authors.all()) == [author]
