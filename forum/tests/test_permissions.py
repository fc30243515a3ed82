"""Every forum rule (`forum.permissions`): allowed, or refused with the exact reason the
member reads, and what `.check()` raises (PermissionDenied, or ValidationError for a
refusal due to the content's state).

The forum is built once for the module (`world`, extranet.testing.shared) through the
services: the network's categories (one of announcements), a territory's category, a
private group's category, topics open, locked, deleted and without replies, posts hidden
and deleted, one open report. Each test reloads what it reads (`w`), so that nothing a
test caches on a user object is seen by another.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from core import spaces
from core.permissions import Conflict
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
)
from extranet.testing.shared import building, shared_transaction
from forum import permissions, services
from forum.models import Category, Post, Report, Topic
from members.models import User
from members.spaces import network_space

pytestmark = pytest.mark.django_db

CANNOT_SEE_CATEGORY = "You cannot see this category."
CANNOT_SEE_TOPIC = "You cannot see this topic."
MODERATORS_ONLY = "Only the moderators of this space do that."
CANNOT_START = "You cannot start a topic in this category."
ANNOUNCEMENTS = "In this category only moderators start topics; you can reply to them."
CANNOT_REPLY = "You cannot reply in this topic."
LOCKED = "This topic is locked: it takes no more replies."
DELETED = "This topic was deleted: it takes no more replies."
CANNOT_EDIT = "You cannot edit this post."
CANNOT_DELETE_POST = "You cannot delete this post."
CANNOT_DELETE_TOPIC = "You cannot delete this topic."
OTHERS_REPLIED = ("Others have replied: only a moderator can delete the whole topic now. "
                  "You can edit your message.")
CANNOT_REPORT = "You cannot report this post."

PEOPLE = ("author", "colleague", "outsider", "pending", "referent", "coordinator", "group_member")


def _build():
    territory = TerritoryFactory(name="Pays des Causses")
    elsewhere = TerritoryFactory(name="Vallée du Lys")
    people = {
        "author": UserFactory(territory=territory, display_name="Karim Benali"),
        "colleague": UserFactory(territory=territory, display_name="Inès Garcia"),
        "outsider": UserFactory(territory=elsewhere, display_name="Paul Inesta"),
        "pending": PendingUserFactory(territory=territory, display_name="Romain Espitalier"),
        "referent": UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech"),
        "coordinator": CoordinatorFactory(territory=elsewhere, display_name="Claire Dumas"),
        "group_member": UserFactory(territory=territory, display_name="Youssef Amrani"),
    }
    p = SimpleNamespace(**people)
    group = WorkgroupFactory(visibility="private", join_policy="request", territory=territory,
                             created_by=p.group_member, managers=[p.group_member], name="Logiciels libres")
    network = network_space()
    help_desk = services.category_create(actor=p.coordinator, space=network, name="Entraide")
    news = services.category_create(actor=p.coordinator, space=network, name="Annonces", managers_only_topics=True)
    local = services.category_create(actor=p.referent, space=territory.space, name="Vie locale")
    inside = services.category_create(actor=p.group_member, space=group.space, name="Distributions")

    def topic(category, author, title):
        return services.topic_create(actor=author, category=category, title=title, body="Le premier message")

    replied = topic(help_desk, p.author, "Imprimante en panne")
    reply = services.post_create(actor=p.colleague, topic=replied, body="Redémarre-la.")
    hidden = services.post_create(actor=p.colleague, topic=replied, body="Hors sujet.")
    services.post_hide(actor=p.coordinator, post=hidden)
    deleted = services.post_create(actor=p.colleague, topic=replied, body="Oups.")
    services.post_delete(actor=p.colleague, post=deleted)
    report = services.report_create(actor=p.author, post=reply, reason="Propos déplacés")
    alone = topic(help_desk, p.author, "Personne n'a répondu")
    locked = topic(help_desk, p.author, "Sujet clos")
    locked_reply = services.post_create(actor=p.colleague, topic=locked, body="Dernier mot.")
    services.topic_set_flag(actor=p.coordinator, topic=locked, flag="locked", value=True)
    gone = topic(help_desk, p.author, "Sujet supprimé")
    services.topic_delete(actor=p.coordinator, topic=gone)
    local_alone = topic(local, p.author, "Vie locale sans réponse")
    private = topic(inside, p.group_member, "Entre nous")
    return {
        "people": {name: user.pk for name, user in people.items()},
        "categories": {"help_desk": help_desk.pk, "news": news.pk, "local": local.pk, "inside": inside.pk},
        "topics": {"replied": replied.pk, "alone": alone.pk, "locked": locked.pk, "gone": gone.pk,
                   "local_alone": local_alone.pk, "private": private.pk},
        "posts": {"opening": replied.posts.get(number=1).pk, "reply": reply.pk, "hidden": hidden.pk,
                  "deleted": deleted.pk, "alone_opening": alone.posts.get().pk, "locked_reply": locked_reply.pk,
                  "local_alone_opening": local_alone.posts.get().pk, "private_opening": private.posts.get().pk},
        "report": report.pk,
        "spaces": {"network": network.pk, "territory": territory.space.pk, "elsewhere": elsewhere.space.pk,
                   "group": group.space.pk},
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            ids = _build()
        yield ids


def _rules(prefix):
    return [prefix, *spaces.related_for_rules(prefix)]


@pytest.fixture
def w(world, db):
    """The world reloaded for the test: people by name, categories, topics, posts, the report."""
    from core.models import Space

    return SimpleNamespace(
        **{name: User.objects.get(pk=pk) for name, pk in world["people"].items()},
        anonymous=AnonymousUser(),
        category={name: Category.objects.select_related(*_rules("space")).get(pk=pk)
                  for name, pk in world["categories"].items()},
        topic={name: Topic.objects.select_related(*_rules("category__space")).get(pk=pk)
               for name, pk in world["topics"].items()},
        post={name: Post.objects.select_related(*_rules("topic__category__space")).get(pk=pk)
              for name, pk in world["posts"].items()},
        report=Report.objects.select_related(*_rules("post__topic__category__space")).get(pk=world["report"]),
        space={name: Space.objects.select_related(*spaces.related_for_rules()).get(pk=pk)
               for name, pk in world["spaces"].items()},
    )


def allowed(decision):
    assert (decision.allowed, decision.reason, bool(decision)) == (True, "", True), decision
    decision.check()  # raises nothing
    return True


def refused(decision, reason, exception=PermissionDenied):
    assert (decision.allowed, decision.reason, bool(decision)) == (False, reason, False), decision
    with pytest.raises(exception) as excinfo:
        decision.check()
    if exception is ValidationError:
        assert excinfo.value.messages == [reason]
    else:
        assert str(excinfo.value) == reason
    return True


# --- Seeing -----------------------------------------------------------------------------------


def test_can_view_category(w):
    assert allowed(permissions.can_view_category(w.author, w.category["help_desk"]))
    assert allowed(permissions.can_view_category(w.group_member, w.category["inside"]))
    assert allowed(permissions.can_view_category(w.coordinator, w.category["inside"]))
    for user in (w.author, w.pending, w.anonymous):
        assert refused(permissions.can_view_category(user, w.category["inside"]), CANNOT_SEE_CATEGORY)
    assert refused(permissions.can_view_category(w.outsider, w.category["local"]), CANNOT_SEE_CATEGORY)


def test_can_view_topic(w):
    assert allowed(permissions.can_view_topic(w.outsider, w.topic["replied"]))
    assert allowed(permissions.can_view_topic(w.group_member, w.topic["private"]))
    assert refused(permissions.can_view_topic(w.author, w.topic["private"]), CANNOT_SEE_TOPIC)
    assert refused(permissions.can_view_topic(w.pending, w.topic["replied"]), CANNOT_SEE_TOPIC)
    assert refused(permissions.can_view_topic(w.outsider, w.topic["local_alone"]), CANNOT_SEE_TOPIC)


def test_a_deleted_topic_is_seen_by_the_moderators_only(w):
    assert allowed(permissions.can_view_topic(w.coordinator, w.topic["gone"]))
    for user in (w.author, w.colleague, w.referent):  # the referent does not moderate the network
        assert refused(permissions.can_view_topic(user, w.topic["gone"]), CANNOT_SEE_TOPIC)


def test_can_see_post_body(w):
    assert permissions.can_see_post_body(w.outsider, w.post["reply"]) is True
    hidden, deleted = w.post["hidden"], w.post["deleted"]
    assert (permissions.can_see_post_body(w.colleague, hidden), permissions.can_see_post_body(w.author, hidden),
            permissions.can_see_post_body(w.coordinator, hidden)) == (True, False, True)  # colleague: its author
    assert (permissions.can_see_post_body(w.colleague, deleted),
            permissions.can_see_post_body(w.coordinator, deleted)) == (False, True)


# --- Moderating -------------------------------------------------------------------------------


def test_can_moderate(w):
    assert allowed(permissions.can_moderate(w.coordinator, w.space["network"]))
    assert allowed(permissions.can_moderate(w.referent, w.space["territory"]))
    assert allowed(permissions.can_moderate(w.group_member, w.space["group"]))  # its manager
    assert refused(permissions.can_moderate(w.referent, w.space["network"]), MODERATORS_ONLY)
    for user in (w.author, w.pending, w.anonymous):
        assert refused(permissions.can_moderate(user, w.space["territory"]), MODERATORS_ONLY)


def test_can_create_category(w):
    assert allowed(permissions.can_create_category(w.coordinator, w.space["network"]))
    assert allowed(permissions.can_create_category(w.referent, w.space["territory"]))
    for user in (w.author, w.referent, w.pending):
        assert refused(permissions.can_create_category(user, w.space["network"]),
                       "Only the moderators of this space create categories.")


def test_can_edit_category(w):
    assert allowed(permissions.can_edit_category(w.referent, w.category["local"]))
    assert allowed(permissions.can_edit_category(w.coordinator, w.category["inside"]))
    for user in (w.author, w.outsider):
        assert refused(permissions.can_edit_category(user, w.category["local"]),
                       "Only the moderators of this space edit its categories.")


def test_can_moderate_topic(w):
    assert allowed(permissions.can_moderate_topic(w.coordinator, w.topic["replied"]))
    assert allowed(permissions.can_moderate_topic(w.referent, w.topic["local_alone"]))
    for user in (w.author, w.referent):
        assert refused(permissions.can_moderate_topic(user, w.topic["replied"]), MODERATORS_ONLY)


def test_can_move_topic_asks_for_both_categories(w):
    assert allowed(permissions.can_move_topic(w.coordinator, w.topic["replied"], w.category["local"]))
    assert refused(permissions.can_move_topic(w.referent, w.topic["local_alone"], w.category["help_desk"]),
                   "You do not moderate the destination category.")
    assert refused(permissions.can_move_topic(w.referent, w.topic["replied"], w.category["local"]), MODERATORS_ONLY)
    assert refused(permissions.can_move_topic(w.author, w.topic["replied"], w.category["news"]), MODERATORS_ONLY)


def test_can_hide_restore_and_read_the_history_of_a_post(w):
    for rule, reason in ((permissions.can_hide_post, "Only moderators hide posts."),
                         (permissions.can_restore_post, "Only moderators restore posts."),
                         (permissions.can_read_post_history, "Only moderators read the history of a post.")):
        assert allowed(rule(w.coordinator, w.post["reply"]))
        for user in (w.author, w.colleague, w.referent):
            assert refused(rule(user, w.post["reply"]), reason)


def test_can_resolve_report(w):
    assert allowed(permissions.can_resolve_report(w.coordinator, w.report))
    for user in (w.author, w.colleague, w.referent):
        assert refused(permissions.can_resolve_report(user, w.report),
                       "Only the moderators of this space handle its reports.")


def test_can_open_moderation(w):
    for user in (w.coordinator, w.referent, w.group_member):
        assert allowed(permissions.can_open_moderation(user))
    for user in (w.author, w.outsider, w.pending, w.anonymous):
        assert refused(permissions.can_open_moderation(user), "You moderate no space of the forum.")
    # The ids the caller already has are used as they are.
    assert refused(permissions.can_open_moderation(w.coordinator, []), "You moderate no space of the forum.")
    assert allowed(permissions.can_open_moderation(w.author, [w.space["network"].pk]))


def test_moderated_space_ids(w):
    every_space = [w.space[name].pk for name in ("network", "territory", "elsewhere", "group")]
    assert sorted(permissions.moderated_space_ids(w.coordinator)) == sorted(every_space)
    assert permissions.moderated_space_ids(w.referent) == [w.space["territory"].pk]
    assert permissions.moderated_space_ids(w.group_member) == [w.space["group"].pk]
    assert permissions.moderated_space_ids(w.author) == []
    assert permissions.moderated_space_ids(w.pending) == []


# --- Writing ----------------------------------------------------------------------------------


def test_can_start_topic(w):
    assert allowed(permissions.can_start_topic(w.author, w.category["help_desk"]))
    assert allowed(permissions.can_start_topic(w.coordinator, w.category["news"]))
    assert refused(permissions.can_start_topic(w.author, w.category["news"]), ANNOUNCEMENTS)
    assert refused(permissions.can_start_topic(w.outsider, w.category["local"]), CANNOT_START)
    assert refused(permissions.can_start_topic(w.pending, w.category["help_desk"]), CANNOT_START)
    # The coordinator moderates the group but does not post in it.
    assert refused(permissions.can_start_topic(w.coordinator, w.category["inside"]), CANNOT_START)


def test_can_reply(w):
    assert allowed(permissions.can_reply(w.outsider, w.topic["replied"]))
    assert refused(permissions.can_reply(w.colleague, w.topic["locked"]), LOCKED)
    assert allowed(permissions.can_reply(w.coordinator, w.topic["locked"]))  # moderators reply in a locked topic
    assert refused(permissions.can_reply(w.outsider, w.topic["local_alone"]), CANNOT_REPLY)
    assert refused(permissions.can_reply(w.author, w.topic["private"]), CANNOT_REPLY)


def test_a_deleted_topic_takes_no_reply_a_refusal_that_is_a_validation_error(w):
    for user in (w.author, w.coordinator):
        decision = permissions.can_reply(user, w.topic["gone"])
        assert isinstance(decision, Conflict)
        assert refused(decision, DELETED, ValidationError)


def test_can_quote_post(w):
    assert permissions.can_quote_post(w.outsider, w.post["reply"]) is True
    assert permissions.can_quote_post(w.outsider, w.post["hidden"]) is False
    assert permissions.can_quote_post(w.coordinator, w.post["deleted"]) is False
    assert permissions.can_quote_post(w.colleague, w.post["locked_reply"]) is False
    assert permissions.can_quote_post(w.coordinator, w.post["locked_reply"]) is True


def test_can_edit_post(w):
    assert allowed(permissions.can_edit_post(w.colleague, w.post["reply"]))
    assert allowed(permissions.can_edit_post(w.coordinator, w.post["reply"]))
    assert allowed(permissions.can_edit_post(w.coordinator, w.post["hidden"]))
    assert refused(permissions.can_edit_post(w.author, w.post["reply"]), CANNOT_EDIT)
    assert refused(permissions.can_edit_post(w.referent, w.post["reply"]), CANNOT_EDIT)
    assert refused(permissions.can_edit_post(w.colleague, w.post["hidden"]), CANNOT_EDIT)  # hidden by a moderator
    assert refused(permissions.can_edit_post(w.colleague, w.post["locked_reply"]), CANNOT_EDIT)
    for user in (w.colleague, w.coordinator):
        assert refused(permissions.can_edit_post(user, w.post["deleted"]), CANNOT_EDIT)


def test_an_author_who_may_no_longer_post_there_does_not_edit(w):
    w.author.territory_id = w.outsider.territory_id  # moved to another territory
    assert refused(permissions.can_edit_post(w.author, w.post["local_alone_opening"]), CANNOT_EDIT)


def test_can_delete_post(w):
    assert allowed(permissions.can_delete_post(w.colleague, w.post["reply"]))
    assert allowed(permissions.can_delete_post(w.coordinator, w.post["reply"]))
    assert allowed(permissions.can_delete_post(w.colleague, w.post["hidden"]))
    for user in (w.author, w.referent, w.outsider):
        assert refused(permissions.can_delete_post(user, w.post["reply"]), CANNOT_DELETE_POST)
    for user in (w.colleague, w.coordinator):
        assert refused(permissions.can_delete_post(user, w.post["deleted"]), CANNOT_DELETE_POST)


def test_deleting_the_opening_post_deletes_the_topic_its_author_only_while_nobody_replied(w):
    assert allowed(permissions.can_delete_post(w.author, w.post["alone_opening"]))
    assert allowed(permissions.can_delete_post(w.coordinator, w.post["opening"]))
    decision = permissions.can_delete_post(w.author, w.post["opening"])
    assert isinstance(decision, Conflict)
    assert refused(decision, OTHERS_REPLIED, ValidationError)
    assert refused(permissions.can_delete_post(w.colleague, w.post["alone_opening"]), CANNOT_DELETE_POST)


def test_an_author_who_may_no_longer_post_there_does_not_delete_their_topic(w):
    w.author.territory_id = w.outsider.territory_id
    assert refused(permissions.can_delete_post(w.author, w.post["local_alone_opening"]), CANNOT_DELETE_TOPIC)
    assert refused(permissions.can_delete_topic(w.author, w.topic["local_alone"]), CANNOT_DELETE_TOPIC)


def test_can_delete_topic(w):
    assert allowed(permissions.can_delete_topic(w.author, w.topic["alone"]))
    assert allowed(permissions.can_delete_topic(w.coordinator, w.topic["replied"]))
    assert allowed(permissions.can_delete_topic(w.referent, w.topic["local_alone"]))
    assert refused(permissions.can_delete_topic(w.author, w.topic["replied"]), CANNOT_DELETE_TOPIC)
    for user in (w.colleague, w.referent, w.anonymous):
        assert refused(permissions.can_delete_topic(user, w.topic["alone"]), CANNOT_DELETE_TOPIC)


def test_is_own_deletable_topic_tells_an_author_from_a_moderator(w):
    assert permissions.is_own_deletable_topic(w.author, w.topic["alone"]) is True
    assert permissions.is_own_deletable_topic(w.author, w.topic["replied"]) is False
    assert permissions.is_own_deletable_topic(w.coordinator, w.topic["alone"]) is False


def test_can_report(w):
    assert allowed(permissions.can_report(w.author, w.post["hidden"]))
    assert allowed(permissions.can_report(w.outsider, w.post["reply"]))
    assert refused(permissions.can_report(w.colleague, w.post["reply"]), CANNOT_REPORT)  # their own
    assert refused(permissions.can_report(w.author, w.post["deleted"]), CANNOT_REPORT)
    assert refused(permissions.can_report(w.pending, w.post["reply"]), CANNOT_REPORT)
    assert refused(permissions.can_report(w.author, w.post["private_opening"]), CANNOT_REPORT)
    assert refused(permissions.can_report(w.anonymous, w.post["reply"]), CANNOT_REPORT)


def test_reasons_are_in_the_language_of_the_request(w):
    from django.utils import translation

    with translation.override("fr"):
        decision = permissions.can_reply(w.colleague, w.topic["locked"])
    assert decision.reason == "Ce sujet est verrouillé\u00a0: il n'accepte plus de réponses."
