"""Every space gets its calendar when it is made (core.spaces.space_created), in the same
transaction: the network (migrations), a new territory, a new workgroup."""

import pytest
from django.core.exceptions import PermissionDenied

from calendar_app import services
from calendar_app.models import Calendar
from core.models import Space
from extranet.testing.factories import CoordinatorFactory, TerritoryFactory, UserFactory, WorkgroupFactory
from members import services as member_services
from members.spaces import network_space
from workgroups import services as workgroup_services

pytestmark = pytest.mark.django_db


def test_the_network_has_its_calendar():
    calendar = Calendar.objects.get(space=network_space())
    assert calendar.owner_id is None
    assert calendar.is_personal is False


def test_a_territory_created_by_a_coordinator_gets_its_calendar():
    coordinator = CoordinatorFactory()
    before = Calendar.objects.count()
    territory = member_services.territory_create(actor=coordinator, name="Lozère", slug="lozere")
    calendar = Calendar.objects.get(space=territory.space)
    assert calendar.name == "Lozère"
    assert territory.space.calendar == calendar
    assert Calendar.objects.count() == before + 1


def test_a_territory_refused_makes_no_calendar():
    member = UserFactory()
    before = (Space.objects.count(), Calendar.objects.count())
    with pytest.raises(PermissionDenied):
        member_services.territory_create(actor=member, name="Lozère", slug="lozere")
    assert (Space.objects.count(), Calendar.objects.count()) == before


def test_a_territory_of_the_factory_gets_its_calendar():
    territory = TerritoryFactory(name="Haute-Loire")
    assert territory.space.calendar.space_id == territory.space_id


def test_a_workgroup_created_by_a_member_gets_its_calendar():
    workgroup = workgroup_services.workgroup_create(actor=UserFactory(), name="Inclusion numérique",
                                                    purpose="Partager nos ateliers.")
    calendar = Calendar.objects.get(space=workgroup.space)
    assert calendar.name == workgroup.space.name


def test_a_workgroup_of_the_factory_gets_its_calendar():
    workgroup = WorkgroupFactory(name="Fablabs")
    assert Calendar.objects.filter(space=workgroup.space).count() == 1


def test_space_calendar_create_is_idempotent():
    workgroup = WorkgroupFactory()
    first = workgroup.space.calendar
    assert services.space_calendar_create(space=workgroup.space) == first
    assert Calendar.objects.filter(space=workgroup.space).count() == 1


def test_personal_calendar_made_once():
    member = UserFactory()
    calendar = services.personal_calendar(member)
    assert calendar.owner == member
    assert calendar.space_id is None
    assert services.personal_calendar(member) == calendar
    assert Calendar.objects.filter(owner=member).count() == 1
