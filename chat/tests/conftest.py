"""Fixtures of the chat tests: uploads in a temporary folder (the root conftest empties the
cache before each test), the rooms of the network, of a territory and of
groups, and a few people.

Who is who (the root conftest gives `territory`, `member`, `referent`, `coordinator`...):
- `member` (Karim Benali), `colleague` (Inès Garcia) and `people` (four more) live in
  `territory`; `outsider` lives in `other_territory`.
- `private_group` (room: `private_room`): managed by `group_manager`, with `group_member`;
  `member` is not in it. `secret_group` (`secret_room`): `group_manager` and `group_member`.
  `public_group` (`public_room`): managed by `group_manager`, with `member`.
- `direct_room`: `member` and `colleague`.

Messages are French by default: use the `english` fixture (or `translation.override("en")`)
to compare the English source strings.
"""

import pytest
from django.utils import translation

from chat import services
from extranet.testing.factories import UserFactory, WorkgroupFactory
from members import spaces as member_spaces


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def english():
    """Messages in their English source."""
    with translation.override("en"):
        yield


def room_of(space):
    return services.room_for_space(space)


@pytest.fixture
def network_space(db):
    return member_spaces.network_space()


@pytest.fixture
def network_room(network_space):
    return room_of(network_space)


@pytest.fixture
def territory_room(territory):
    return room_of(territory.space)


@pytest.fixture
def other_territory_room(other_territory):
    return room_of(other_territory.space)


@pytest.fixture
def colleague(territory, venue):
    """Another approved member of `member`'s territory."""
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Garcia")


@pytest.fixture
def people(territory):
    """Four more approved members of `territory`."""
    return [UserFactory(territory=territory, display_name=name)
            for name in ("Bruno Vidal", "Chloé Bernard", "Denis Lopez", "Élise Martin")]


@pytest.fixture
def outsider(other_territory):
    """An approved member of another territory, in no group."""
    return UserFactory(territory=other_territory, display_name="Hugo Petit")


@pytest.fixture
def group_manager(territory):
    return UserFactory(territory=territory, display_name="Aline Roux")


@pytest.fixture
def group_member(territory):
    return UserFactory(territory=territory, display_name="Youssef Amrani")


@pytest.fixture
def private_group(territory, group_manager, group_member):
    return WorkgroupFactory(name="Logiciels libres", visibility="private", join_policy="request",
                            territory=territory, created_by=group_manager, managers=[group_manager],
                            members=[group_member])


@pytest.fixture
def private_room(private_group):
    return room_of(private_group.space)


@pytest.fixture
def secret_group(territory, group_manager, group_member):
    return WorkgroupFactory(name="Cellule discrète", visibility="secret", territory=territory,
                            created_by=group_manager, managers=[group_manager], members=[group_member])


@pytest.fixture
def secret_room(secret_group):
    return room_of(secret_group.space)


@pytest.fixture
def public_group(territory, group_manager, member):
    return WorkgroupFactory(name="Fablab ouvert", visibility="public", territory=territory,
                            created_by=group_manager, managers=[group_manager], members=[member])


@pytest.fixture
def public_room(public_group):
    return room_of(public_group.space)


@pytest.fixture
def direct_room(member, colleague):
    """The direct conversation of `member` and `colleague`."""
    return services.direct_room_open(actor=member, others=[colleague])
