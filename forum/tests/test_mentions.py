"""Mentions (`@**Name**`, `@**Name|id**`) and the notifications of new posts.

Nobody is ever told of a topic they may not see; a muted topic tells nothing; the
author is never notified of their own post.
"""

import pytest
from django.urls import reverse

from core.models import Notification
from extranet.testing.factories import UserFactory
from forum import services
from forum.models import Level, Post, TopicSubscription
from workgroups.models import Membership


def profile(user):
    return reverse("members:profile", args=[user.pk])


def notified(verb=None):
    """(recipient pk, verb) of every notification, sorted."""
    found = Notification.objects.all()
    if verb:
        found = found.filter(verb=verb)
    return sorted(found.values_list("recipient_id", "verb"))


@pytest.fixture
def topic(category, member):
    return services.topic_create(actor=member, category=category, title="Imprimante en panne", body="Une idée ?")


def test_a_mentioned_member_is_notified_with_a_link_to_the_post(category, member, colleague):
    topic = services.topic_create(actor=member, category=category, title="Ateliers",
                                  body="Tu en penses quoi @**Inès Garcia** ?")
    post = Post.objects.get(topic=topic)
    assert notified() == [(colleague.pk, "forum.mentioned")]
    notification = Notification.objects.get()
    assert (notification.actor, notification.target, notification.url) == (
        member, topic, reverse("forum:post", args=[post.pk]))
    assert post.html == (f'<p>Tu en penses quoi <a href="{profile(colleague)}" rel="nofollow ugc noopener">'
                         f'@Inès Garcia</a> ?</p>\n')


def test_mentions_ignore_case_and_are_notified_once(topic, member, colleague):
    services.post_create(actor=member, topic=topic, body="@**inès garcia** et encore @**Inès Garcia**")
    assert notified() == [(colleague.pk, "forum.mentioned")]


def test_the_id_picks_one_of_two_homonyms_and_a_bare_ambiguous_name_tells_nobody(topic, member, colleague):
    homonym = UserFactory(display_name="Inès Garcia")
    services.post_create(actor=member, topic=topic, body="Salut @**Inès Garcia**")
    assert notified() == []
    post = services.post_create(actor=member, topic=topic, body=f"Salut @**Inès Garcia|{homonym.pk}**")
    assert notified() == [(homonym.pk, "forum.mentioned")]
    assert f'href="{profile(homonym)}"' in post.html and profile(colleague) not in post.html


def test_a_wrong_id_resolves_nobody(topic, member, colleague):
    post = services.post_create(actor=member, topic=topic, body=f"@**Inès Garcia|{member.pk}**")
    assert notified() == [] and "href" not in post.html


def test_a_mention_in_a_private_group_tells_only_those_who_can_read_it(
        private_category, group_member, member, group_manager):
    topic = services.topic_create(actor=group_member, category=private_category, title="Debian 13",
                                  body="Avis de @**Karim Benali** et @**Aline Roux** ?")
    assert notified() == [(group_manager.pk, "forum.mentioned")]
    assert Notification.objects.filter(recipient=member).count() == 0
    # The post shows links to both profiles, and nothing else about Karim.
    html = Post.objects.get(topic=topic).html
    assert html == (f'<p>Avis de <a href="{profile(member)}" rel="nofollow ugc noopener">@Karim Benali</a> et '
                    f'<a href="{profile(group_manager)}" rel="nofollow ugc noopener">@Aline Roux</a> ?</p>\n')
    # A reply mentioning him does not tell him either, nor does an edit.
    reply = services.post_create(actor=group_member, topic=topic, body="@**Karim Benali** ?")
    services.post_update(actor=group_member, post=reply, body=f"@**Karim Benali** ?? @**Karim Benali|{member.pk}**")
    assert Notification.objects.filter(recipient=member).count() == 0


def test_a_mention_in_a_secret_group_tells_no_outsider(make_private_group, group_member, member, group_manager):
    secret = make_private_group(members=[group_member], visibility="secret", name="Cellule")
    category = services.category_create(actor=group_manager, space=secret.space, name="Discussions")
    services.topic_create(actor=group_member, category=category, title="Secret", body="@**Karim Benali**")
    assert Notification.objects.filter(recipient=member).count() == 0


def test_a_pending_user_is_not_resolved(topic, member, pending_user):
    post = services.post_create(actor=member, topic=topic, body="Bienvenue @**Romain Espitalier**")
    assert notified() == []
    assert post.html == "<p>Bienvenue @<strong>Romain Espitalier</strong></p>\n"


def test_a_deactivated_member_is_not_resolved(topic, member, colleague):
    colleague.is_active = False
    colleague.save()
    post = services.post_create(actor=member, topic=topic, body="@**Inès Garcia**")
    assert notified() == [] and "href" not in post.html


@pytest.mark.parametrize("where", ["topic", "category"])
def test_a_muted_topic_or_category_tells_nothing(where, topic, category, member, colleague):
    target = {"topic": topic} if where == "topic" else {"category": category}
    services.subscription_set(user=colleague, level=Level.MUTED, **target)
    services.post_create(actor=member, topic=topic, body="@**Inès Garcia** tu es là ?")
    assert notified() == []


def test_a_topic_level_overrides_the_category_level(topic, category, member, colleague):
    services.subscription_set(user=colleague, category=category, level=Level.MUTED)
    services.subscription_set(user=colleague, topic=topic, level=Level.WATCHING)
    services.post_create(actor=member, topic=topic, body="Nouvelles")
    assert notified() == [(colleague.pk, "forum.new_reply")]


def test_watchers_of_a_category_hear_of_new_topics(category, member, colleague):
    services.subscription_set(user=colleague, category=category, level=Level.WATCHING)
    topic = services.topic_create(actor=member, category=category, title="Nouveau", body="Bonjour")
    assert notified() == [(colleague.pk, "forum.new_topic")]
    services.post_create(actor=member, topic=topic, body="Une précision")
    assert notified() == [(colleague.pk, "forum.new_reply"), (colleague.pk, "forum.new_topic")]


def test_watchers_of_a_topic_hear_of_replies_tracking_does_not(topic, member, colleague, territory):
    tracker = UserFactory(territory=territory)
    services.subscription_set(user=colleague, topic=topic, level=Level.WATCHING)
    services.subscription_set(user=tracker, topic=topic, level=Level.TRACKING)
    services.post_create(actor=member, topic=topic, body="Résolu")
    assert notified() == [(colleague.pk, "forum.new_reply")]


def test_the_topic_author_watches_their_topic(topic, member, colleague, territory):
    assert TopicSubscription.objects.get(user=member, topic=topic).level == Level.WATCHING
    services.post_create(actor=colleague, topic=topic, body="Essaie ceci")
    assert notified() == [(member.pk, "forum.new_reply")]
    # The one who replied watches it now too.
    services.post_create(actor=UserFactory(territory=territory), topic=topic, body="Ou cela")
    assert notified() == [(member.pk, "forum.new_reply"), (member.pk, "forum.new_reply"),
                          (colleague.pk, "forum.new_reply")]


def test_a_reply_to_someones_post_tells_them_once(topic, member, colleague):
    opening = Post.objects.get(topic=topic, number=1)
    services.post_create(actor=colleague, topic=topic, body="Oui", reply_to=opening)
    assert notified() == [(member.pk, "forum.replied_to_you")]


def test_a_mention_of_a_watcher_is_one_notification(topic, member, colleague):
    services.subscription_set(user=colleague, topic=topic, level=Level.WATCHING)
    services.post_create(actor=member, topic=topic, body="@**Inès Garcia** regarde")
    assert notified() == [(colleague.pk, "forum.mentioned")]


def test_the_author_hears_nothing_of_their_own_post(category, member):
    topic = services.topic_create(actor=member, category=category, title="Moi", body="C'est @**Karim Benali**")
    services.subscription_set(user=member, category=category, level=Level.WATCHING)
    services.post_create(actor=member, topic=topic, body="Encore @**Karim Benali**",
                         reply_to=Post.objects.get(topic=topic, number=1))
    assert notified() == []


def test_an_edit_tells_only_the_newly_mentioned(topic, member, colleague, territory):
    other = UserFactory(territory=territory, display_name="Paul Issaly")
    reply = services.post_create(actor=member, topic=topic, body="@**Inès Garcia**")
    services.post_update(actor=member, post=reply, body="@**Inès Garcia** et @**Paul Issaly**")
    assert notified() == sorted([(colleague.pk, "forum.mentioned"), (other.pk, "forum.mentioned")])


def test_a_watcher_who_left_a_private_group_hears_nothing_more(private_category, group_member, group_manager):
    services.subscription_set(user=group_member, category=private_category, level=Level.WATCHING)
    Membership.objects.filter(user=group_member).delete()
    services.topic_create(actor=group_manager, category=private_category, title="Après ton départ",
                          body="@**Youssef Amrani** ?")
    assert Notification.objects.filter(recipient=group_member).count() == 0


def test_a_deleted_topic_is_seen_by_moderators_only(topic, member, colleague, coordinator):
    services.subscription_set(user=colleague, topic=topic, level=Level.WATCHING)
    services.topic_delete(actor=coordinator, topic=topic)
    services.topic_restore(actor=coordinator, topic=topic)
    services.post_create(actor=member, topic=topic, body="@**Claire Dumas** merci")
    assert notified() == sorted([(colleague.pk, "forum.new_reply"), (coordinator.pk, "forum.mentioned")])
