"""`seed_demo` also fills the chat, through the services, idempotently."""

import io

import pytest
from django.core.management import call_command

from chat import permissions, selectors
from chat.models import Message, Room
from core.models import Notification
from members.models import User

pytestmark = pytest.mark.django_db


def user(local):
    return User.objects.get(email=f"{local}@maillage.test")


def test_the_demo_chat_spans_the_network_a_territory_a_private_group_and_a_conversation():
    call_command("seed_demo", stdout=io.StringIO())
    per_room = {}
    for room_id, kind in Message.objects.values_list("room_id", "room__kind"):
        per_room.setdefault((room_id, kind), 0)
        per_room[(room_id, kind)] += 1
    assert sorted(per_room.values()) == [2, 2, 2, 3]
    assert sorted(kind for _room, kind in per_room) == ["direct", "space", "space", "space"]
    linux = Room.objects.get(space__workgroup__name="Réemploi et Linux")
    assert not permissions.can_read_room(user("animateur"), linux)
    assert permissions.can_read_room(user("youssef.amrani"), linux)
    # The mention in the territory's room reached Thomas Vidal; the conversation notified him once.
    verbs = list(Notification.objects.filter(recipient=user("thomas.vidal"), verb__startswith="chat.")
                 .values_list("verb", flat=True))
    assert sorted(verbs) == ["chat.direct_message", "chat.mentioned"]
    labels = [room.label for room in selectors.rooms_for(user("animateur")) if room.is_direct]
    assert labels == ["Thomas Vidal"]

    call_command("seed_demo", stdout=io.StringIO())  # again: nothing added
    assert Message.objects.count() == 9
