"""Forum in real time and under concurrency.

Websockets through the whole ASGI stack (extranet.asgi), with the helpers of
extranet/testing/sockets.py (what must not arrive is checked with a barrier, not a wait);
parallel replies in real threads, each with its own database connection.
"""

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async

from extranet.testing import concurrency
from extranet.testing.factories import MembershipFactory, UserFactory, WorkgroupFactory
from extranet.testing.sockets import ARRIVES, Tabs, assert_nothing_before_barrier, subscribe
from forum import services
from forum.models import Post, Topic
from members.models import User
from members.spaces import network_space

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(territory, venue, coordinator):
    reader = UserFactory(territory=territory, venues=[venue], display_name="Léa Fournier")
    writer = UserFactory(territory=territory, venues=[venue], display_name="Thomas Vidal")
    category = services.category_create(actor=coordinator, space=network_space(), name="Entraide")
    topic = services.topic_create(actor=reader, category=category, title="Wi-Fi public", body="Des idées ?")
    return reader, writer, category, topic


@pytest_asyncio.fixture
async def tabs():
    """tabs(user): an open socket of `user`, past session.ready; all closed afterwards."""
    async with Tabs() as opened:
        yield opened


@pytest.mark.asyncio
async def test_a_reader_of_the_topic_receives_the_new_reply_live(tabs, people):
    reader, writer, category, topic = people
    ws = await tabs(reader)
    assert (await subscribe(ws, f"topic.{topic.pk}"))["type"] == "session.subscribed"
    assert (await subscribe(ws, f"forumcategory.{category.pk}"))["type"] == "session.subscribed"

    post = await database_sync_to_async(services.post_create)(actor=writer, topic=topic, body="Un portail captif")

    received = {}
    for _ in range(3):  # the reply, the category's activity and the notification (the author watches)
        event = await ws.receive_json_from(timeout=ARRIVES)
        received[event["type"]] = event
    assert received["forum.post_created"] == {
        "type": "forum.post_created", "id": post.pk,
        "data": {"topic": topic.pk, "number": 2, "replies": 1,
                 "fragment": f"/bureau/forum/message/{post.pk}/fragment/"},
    }
    assert received["forum.topic_activity"]["data"] == {"category": category.pk, "last_number": 2, "new_topic": False,
                                                        "replies": 1}
    assert received["notification.new"]["data"]["url"] == f"/bureau/forum/message/{post.pk}/"
    await assert_nothing_before_barrier(ws, reader.pk)  # nothing more (post_create has returned)


@pytest.mark.asyncio
async def test_an_outsider_cannot_follow_a_private_group_topic_and_hears_nothing(tabs, people, member):
    _reader, writer, _category, _topic = people

    def private_topic():
        group = WorkgroupFactory(visibility="private", join_policy="request")
        MembershipFactory(workgroup=group, user=writer, role="manager")
        inside = services.category_create(actor=User.objects.get(pk=writer.pk), space=group.space, name="Coulisses")
        return inside, services.topic_create(actor=writer, category=inside, title="Entre nous", body="Privé")

    inside, topic = await database_sync_to_async(private_topic)()
    ws = await tabs(member)
    assert await subscribe(ws, f"topic.{topic.pk}") == {
        "type": "session.denied", "id": None, "data": {"group": f"topic.{topic.pk}"}}
    assert (await subscribe(ws, f"forumcategory.{inside.pk}"))["type"] == "session.denied"
    await database_sync_to_async(services.post_create)(actor=writer, topic=topic, body="Toujours privé")
    await assert_nothing_before_barrier(ws, member.pk)


@pytest.mark.asyncio
async def test_moving_a_topic_out_of_sight_drops_the_subscription(tabs, people, coordinator):
    reader, _writer, _category, topic = people

    def private_category():
        group = WorkgroupFactory(visibility="private", join_policy="request")
        MembershipFactory(workgroup=group, user=coordinator, role="manager")
        return services.category_create(actor=User.objects.get(pk=coordinator.pk), space=group.space, name="Archives")

    destination = await database_sync_to_async(private_category)()
    ws = await tabs(reader)
    assert (await subscribe(ws, f"topic.{topic.pk}"))["type"] == "session.subscribed"
    await database_sync_to_async(services.topic_move)(actor=coordinator, topic=topic, category=destination)
    event = await ws.receive_json_from(timeout=ARRIVES)
    assert event == {"type": "session.unsubscribed", "id": None, "data": {"group": f"topic.{topic.pk}"}}


def test_parallel_replies_get_distinct_consecutive_numbers(people, territory, venue):
    _reader, _writer, _category, topic = people
    repliers = [UserFactory(territory=territory, venues=[venue]) for _ in range(4)]
    results = concurrency.run_together([
        {"prepare": lambda pk=person.pk: (User.objects.get(pk=pk), Topic.objects.get(pk=topic.pk)),
         "act": lambda p: services.post_create(actor=p[0], topic=p[1], body=f"Réponse de {p[0].pk}").number}
        for person in repliers
    ], language="en")
    assert concurrency.outcomes(results) == ["ok"] * 4
    assert sorted(value for _outcome, value in results) == [2, 3, 4, 5]
    topic.refresh_from_db()
    assert (topic.last_number, topic.reply_count) == (5, 4)
    assert sorted(Post.objects.filter(topic=topic).values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_the_same_reply_sent_twice_at_once_makes_one_post(people):
    _reader, writer, _category, topic = people
    results = concurrency.run_together([
        {"prepare": lambda: (User.objects.get(pk=writer.pk), Topic.objects.get(pk=topic.pk)),
         "act": lambda p: services.post_create(actor=p[0], topic=p[1], body="Une fois", submission="tok-1").pk}
        for _ in range(2)
    ], language="en")
    assert concurrency.outcomes(results) == ["ok", "ok"]
    assert results[0][1] == results[1][1]
    assert Post.objects.filter(topic=topic, author=writer).count() == 1
    topic.refresh_from_db()
    assert topic.last_number == 2
