"""Forum reads: unread counts, listings, visibility, search, the moderation queue, mentions."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from extranet.testing.assertions import png
from extranet.testing.factories import PendingUserFactory, UserFactory
from forum import selectors, services
from forum.models import Level, Post, Topic


@pytest.fixture
def topic(category, member, colleague):  # the colleague joined before the topic was posted
    return services.topic_create(actor=member, category=category, title="Imprimante en panne",
                                 body="Qui a une idée pour l'imprimante ?")


def unread(user, category):
    return {c.pk: c.unread_count for c in selectors.categories_overview(user)}[category.pk]


def fresh(topic):
    return Topic.objects.get(pk=topic.pk)


# --- unread counts ------------------------------------------------------------------------


def test_a_new_topic_by_someone_else_is_unread_until_read(topic, category, member, colleague):
    assert unread(colleague, category) == 1
    assert unread(member, category) == 0  # their own
    services.topic_mark_read(user=colleague, topic=fresh(topic), number=1)
    assert unread(colleague, category) == 0
    services.post_create(actor=member, topic=topic, body="Personne ?")
    assert unread(colleague, category) == 1
    services.topic_mark_read(user=colleague, topic=fresh(topic), number=1)
    assert unread(colleague, category) == 1  # not up to the last post
    services.topic_mark_read(user=colleague, topic=fresh(topic), number=2)
    assert unread(colleague, category) == 0


def test_marking_the_category_read_clears_it_until_the_next_post(topic, category, member, colleague):
    services.topic_create(actor=member, category=category, title="Deuxième", body="Encore")
    assert unread(colleague, category) == 2
    services.category_mark_read(user=colleague, category=category)
    assert unread(colleague, category) == 0
    services.post_create(actor=member, topic=topic, body="Du nouveau")
    assert unread(colleague, category) == 1


def test_a_muted_topic_does_not_count(topic, category, member, colleague):
    services.subscription_set(user=colleague, topic=topic, level=Level.MUTED)
    assert unread(colleague, category) == 0
    services.post_create(actor=member, topic=topic, body="Toujours muet")
    assert unread(colleague, category) == 0
    assert list(selectors.unread_topics(colleague)) == []


def test_deleted_topics_do_not_count(topic, category, coordinator, colleague):
    services.topic_delete(actor=coordinator, topic=topic)
    assert unread(colleague, category) == 0
    assert [c.topic_count for c in selectors.categories_overview(colleague)] == [0]


def test_topics_posted_before_someone_joined_are_not_unread_for_them(topic, category, territory):
    newcomer = UserFactory(territory=territory)
    assert unread(newcomer, category) == 0


def test_the_overview_counts_topics_and_unread_per_category(topic, category, coordinator, network_space, member,
                                                            colleague):
    other = services.category_create(actor=coordinator, space=network_space, name="Annonces")
    services.topic_create(actor=member, category=other, title="Rentrée", body="Programme")
    services.topic_create(actor=member, category=other, title="Agenda", body="Dates")
    overview = {c.name: (c.topic_count, c.unread_count) for c in selectors.categories_overview(colleague)}
    assert overview == {"Entraide": (1, 1), "Annonces": (2, 2)}


# --- listings -----------------------------------------------------------------------------


def test_topics_for_category_with_unread_state(topic, category, member, colleague, coordinator):
    read = services.topic_create(actor=member, category=category, title="Déjà lu", body="Déjà lu")
    services.post_create(actor=member, topic=read, body="Suite")
    services.post_create(actor=member, topic=read, body="Fin")
    services.topic_mark_read(user=colleague, topic=fresh(read), number=1)
    pinned = services.topic_create(actor=member, category=category, title="Épinglé", body="Règles")
    services.topic_set_flag(actor=coordinator, topic=pinned, flag="pinned", value=True)
    gone = services.topic_create(actor=member, category=category, title="Supprimé", body="Oups")
    services.topic_delete(actor=member, topic=gone)
    topics = selectors.annotate_unread(list(selectors.topics_for_category(colleague, category)), colleague)
    assert [(t.title, t.is_new, t.unread_posts) for t in topics] == [
        ("Épinglé", True, 1), ("Déjà lu", False, 2), ("Imprimante en panne", True, 1)]
    mine = selectors.annotate_unread(list(selectors.topics_for_category(member, category)), member)
    assert [(t.is_new, t.unread_posts) for t in mine] == [(False, 0)] * 3


def test_annotate_unread_after_marking_the_category_read_or_muting(topic, category, colleague, member):
    services.subscription_set(user=colleague, topic=topic, level=Level.MUTED)
    other = services.topic_create(actor=member, category=category, title="Autre", body="Texte")
    topics = selectors.annotate_unread(list(selectors.topics_for_category(colleague, category)), colleague)
    assert {t.title: (t.is_new, t.unread_posts) for t in topics} == {
        "Autre": (True, 1), "Imprimante en panne": (False, 0)}
    services.category_mark_read(user=colleague, category=category)
    topics = selectors.annotate_unread(list(selectors.topics_for_category(colleague, category)), colleague)
    assert [(t.is_new, t.unread_posts) for t in topics] == [(False, 0), (False, 0)]
    assert other.pk in [t.pk for t in topics]


def test_first_unread_number(topic, member, colleague):
    assert selectors.first_unread_number(colleague, fresh(topic)) == 1
    services.post_create(actor=member, topic=topic, body="2")
    services.post_create(actor=member, topic=topic, body="3")
    services.topic_mark_read(user=colleague, topic=fresh(topic), number=1)
    assert selectors.first_unread_number(colleague, fresh(topic)) == 2
    services.topic_mark_read(user=colleague, topic=fresh(topic), number=3)
    assert selectors.first_unread_number(colleague, fresh(topic)) == 3  # the last one, all read


# --- visibility ---------------------------------------------------------------------------


def test_a_private_groups_categories_are_for_its_members_and_the_coordinators(
        private_category, category, member, group_member, group_manager, coordinator, pending_user):
    assert list(selectors.categories_visible_to(member)) == [category]
    assert set(selectors.categories_visible_to(group_member)) == {category, private_category}
    assert set(selectors.categories_visible_to(group_manager)) == {category, private_category}
    assert set(selectors.categories_visible_to(coordinator)) == {category, private_category}
    assert list(selectors.categories_visible_to(pending_user)) == []
    assert private_category.pk not in [c.pk for c in selectors.categories_overview(member)]


def test_a_territorys_categories_are_for_its_people(referent, territory, other_territory, member, coordinator):
    local = services.category_create(actor=referent, space=territory.space, name="Vie locale")
    elsewhere = UserFactory(territory=other_territory)
    assert list(selectors.categories_visible_to(member)) == [local]
    assert list(selectors.categories_visible_to(referent)) == [local]
    assert list(selectors.categories_visible_to(coordinator)) == [local]
    assert list(selectors.categories_visible_to(elsewhere)) == []


def test_a_private_topic_is_not_in_an_outsiders_unread_list(private_category, group_member, member, group_manager):
    services.topic_create(actor=group_member, category=private_category, title="Entre nous", body="Privé")
    assert list(selectors.unread_topics(member)) == []
    assert [t.title for t in selectors.unread_topics(group_manager)] == ["Entre nous"]


# --- search -------------------------------------------------------------------------------


@pytest.fixture
def corpus(topic, category, member, colleague, coordinator, network_space, private_category, group_member):
    other = services.category_create(actor=coordinator, space=network_space, name="Matériel")
    second = services.topic_create(actor=colleague, category=other, title="Scanner", body="Une imprimante laser")
    reply = services.post_create(actor=member, topic=second, body="Imprimante laser Brother, très bien")
    hidden = services.post_create(actor=colleague, topic=second, body="Imprimante cachée")
    services.post_hide(actor=coordinator, post=hidden)
    deleted = services.post_create(actor=colleague, topic=second, body="Imprimante supprimée")
    services.post_delete(actor=colleague, post=deleted)
    gone = services.topic_create(actor=member, category=category, title="Sujet supprimé", body="Imprimante")
    services.topic_delete(actor=member, topic=gone)
    private = services.topic_create(actor=group_member, category=private_category, title="Secrets",
                                    body="Imprimante du groupe")
    return {"other": other, "second": second, "reply": reply, "private": private}


def found(user, **filters):
    return [p.body for p in selectors.search_posts(user, **filters)]


def test_search_finds_only_visible_live_posts(corpus, member, group_member, coordinator):
    assert sorted(found(member, query="imprimante")) == sorted([
        "Qui a une idée pour l'imprimante ?", "Une imprimante laser", "Imprimante laser Brother, très bien"])
    assert "Imprimante du groupe" in found(group_member, query="imprimante")
    assert "Imprimante du groupe" in found(coordinator, query="imprimante")
    assert "Imprimante cachée" not in found(coordinator, query="imprimante")


def test_search_needs_every_word_and_looks_in_titles(corpus, member):
    assert found(member, query="imprimante  laser") == ["Imprimante laser Brother, très bien", "Une imprimante laser"]
    assert sorted(found(member, query="scanner")) == ["Imprimante laser Brother, très bien", "Une imprimante laser"]
    assert found(member, query="groupe") == []


def test_search_filters(corpus, member, colleague, topic):
    assert found(member, query="imprimante", category=corpus["other"]) == [
        "Imprimante laser Brother, très bien", "Une imprimante laser"]
    assert found(member, query="imprimante", author=colleague) == ["Une imprimante laser"]
    today = timezone.localdate()
    assert len(found(member, date_from=today)) == 3
    assert found(member, date_to=today - timedelta(days=1)) == []
    Post.objects.filter(pk=corpus["reply"].pk).update(created_at=timezone.now() - timedelta(days=10))
    assert found(member, query="imprimante", date_to=today - timedelta(days=5)) == [
        "Imprimante laser Brother, très bien"]
    assert "Imprimante laser Brother, très bien" not in found(member, query="imprimante", date_from=today)


def test_a_pending_user_finds_nothing(corpus, pending_user):
    assert found(pending_user, query="imprimante") == []


# --- moderation queue ---------------------------------------------------------------------


def test_the_moderation_queue_shows_reports_to_the_moderators_of_their_space(
        private_category, group_member, group_manager, member, coordinator, referent, territory,
        other_territory, colleague):
    in_group = services.topic_create(actor=group_member, category=private_category, title="Groupe", body="Texte")
    reply = services.post_create(actor=group_manager, topic=in_group, body="Réponse")
    group_report = services.report_create(actor=group_member, post=reply, reason="Hors sujet complet")
    local = services.category_create(actor=referent, space=territory.space, name="Vie locale")
    local_topic = services.topic_create(actor=member, category=local, title="Local", body="Texte")
    local_reply = services.post_create(actor=colleague, topic=local_topic, body="Réponse")
    local_report = services.report_create(actor=member, post=local_reply, reason="Propos déplacés")
    other_referent = UserFactory(territory=other_territory, referent_of=[other_territory])

    assert list(selectors.moderation_queue(coordinator)) == [group_report, local_report]
    assert list(selectors.moderation_queue(group_manager)) == [group_report]
    assert list(selectors.moderation_queue(referent)) == [local_report]
    for nobody in (group_member, member, other_referent, PendingUserFactory()):
        assert list(selectors.moderation_queue(nobody)) == []
    services.report_resolve(actor=coordinator, report=local_report, uphold=False)
    assert list(selectors.moderation_queue(referent)) == []
    assert [entry.action for entry in selectors.moderation_log(referent)] == ["report_dismissed", "category_created"]
    assert "report_dismissed" not in [entry.action for entry in selectors.moderation_log(group_manager)]


# --- mention candidates -------------------------------------------------------------------


def test_mention_candidates_in_the_network(network_space, member, colleague, territory):
    UserFactory(territory=territory, display_name="Paul Inesta")
    PendingUserFactory(territory=territory, display_name="Inès Attente")
    assert selectors.mention_candidates(member, network_space, "in") == [
        {"pk": colleague.pk, "display_name": "Inès Garcia", "ambiguous": False},
        {"pk": colleague.pk + 1, "display_name": "Paul Inesta", "ambiguous": False}]
    assert [c["display_name"] for c in selectors.mention_candidates(member, network_space, "gar")] == ["Inès Garcia"]
    assert selectors.mention_candidates(member, network_space, "arc") == []  # not the start of a word
    assert selectors.mention_candidates(member, network_space, "   ") == []


def test_a_mention_candidate_sharing_their_name_is_marked_ambiguous(network_space, member, colleague, territory):
    homonym = UserFactory(territory=territory, display_name="inès garcia")
    assert selectors.mention_candidates(member, network_space, "Inès") == [
        {"pk": colleague.pk, "display_name": "Inès Garcia", "ambiguous": True},
        {"pk": homonym.pk, "display_name": "inès garcia", "ambiguous": True}]


def test_mention_candidates_in_a_private_group_are_its_members_for_those_who_see_it(
        private_group, group_member, group_manager, member):
    space = private_group.space
    assert [c["display_name"] for c in selectors.mention_candidates(group_member, space, "a")] == [
        "Aline Roux", "Youssef Amrani"]
    assert selectors.mention_candidates(group_member, space, "Karim") == []  # not a member
    assert selectors.mention_candidates(member, space, "Aline") == []  # cannot see the group


def test_mention_candidates_are_limited(network_space, member, territory):
    for i in range(12):
        UserFactory(territory=territory, display_name=f"Zoé {i:02d}")
    assert len(selectors.mention_candidates(member, network_space, "zoé")) == 8
    assert len(selectors.mention_candidates(member, network_space, "zoé", limit=3)) == 3


# --- fetched and authorised in one step (404 when not allowed) -----------------------------


def test_space_get_for_user(private_group, group_member, member, network_space):
    assert selectors.space_get_for_user(member, network_space.pk) == network_space
    assert selectors.space_get_for_user(group_member, private_group.space.pk) == private_group.space
    for pk in (private_group.space.pk, 999_999):
        with pytest.raises(Http404):
            selectors.space_get_for_user(member, pk)


def test_an_attachment_is_for_who_may_read_its_post(topic, category, member, colleague, coordinator, territory):
    post = services.post_create(actor=colleague, topic=topic, body="Ci-joint", files=[png()])
    attachment = post.attachments.get()
    for reader in (member, colleague, coordinator):
        assert selectors.attachment_get_for_user(reader, attachment.pk) == attachment
    services.post_hide(actor=coordinator, post=post)
    assert selectors.attachment_get_for_user(colleague, attachment.pk) == attachment  # its author
    assert selectors.attachment_get_for_user(coordinator, attachment.pk) == attachment
    for outsider in (member, PendingUserFactory(territory=territory)):
        with pytest.raises(Http404):
            selectors.attachment_get_for_user(outsider, attachment.pk)
    with pytest.raises(Http404):
        selectors.attachment_get_for_user(coordinator, 999_999)


def test_a_private_groups_attachment_is_a_404_for_outsiders(private_category, group_member, member):
    private = services.topic_create(actor=group_member, category=private_category, title="Privé", body="Texte",
                                    files=[png()])
    attachment = Post.objects.get(topic=private).attachments.get()
    assert selectors.attachment_get_for_user(group_member, attachment.pk) == attachment
    with pytest.raises(Http404):
        selectors.attachment_get_for_user(member, attachment.pk)


def test_a_report_is_for_the_moderators_of_its_space(topic, member, colleague, coordinator, referent):
    reply = services.post_create(actor=colleague, topic=topic, body="Déplacé")
    report = services.report_create(actor=member, post=reply, reason="Propos déplacés")
    assert selectors.report_get_for_user(coordinator, report.pk) == report
    for nobody in (member, colleague, referent):  # the referent does not moderate the network
        with pytest.raises(Http404):
            selectors.report_get_for_user(nobody, report.pk)
    with pytest.raises(Http404):
        selectors.report_get_for_user(coordinator, 999_999)


def test_the_post_to_quote(topic, category, member, colleague, coordinator):
    reply = services.post_create(actor=colleague, topic=topic, body="À citer")
    other = services.topic_create(actor=member, category=category, title="Autre", body="Ailleurs")
    assert selectors.post_to_quote(member, fresh(topic), str(reply.pk)) == reply
    for raw in ("", "abc", "-1", str(Post.objects.get(topic=other).pk), "999999"):
        assert selectors.post_to_quote(member, fresh(topic), raw) is None, raw
    services.post_hide(actor=coordinator, post=reply)
    assert selectors.post_to_quote(member, fresh(topic), str(reply.pk)) is None
    services.post_hide(actor=coordinator, post=reply, hidden=False)
    services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=True)
    assert selectors.post_to_quote(member, fresh(topic), str(reply.pk)) is None  # no reply possible
    assert selectors.post_to_quote(coordinator, fresh(topic), str(reply.pk)) == reply


def test_the_moderation_page_is_for_who_moderates_a_space(topic, member, colleague, coordinator, referent):
    reply = services.post_create(actor=colleague, topic=topic, body="Déplacé")
    report = services.report_create(actor=member, post=reply, reason="Propos déplacés")
    queue, log = selectors.moderation_for_user(coordinator)
    assert list(queue) == [report]
    assert [entry.action for entry in log] == ["category_created"]
    queue, log = selectors.moderation_for_user(referent)  # their territory's space: nothing yet
    assert (list(queue), list(log)) == ([], [])
    for nobody in (member, PendingUserFactory()):
        with pytest.raises(PermissionDenied) as refused:
            selectors.moderation_for_user(nobody)
        assert str(refused.value) == "You moderate no space of the forum."


def test_move_destinations_are_the_other_categories_one_moderates(topic, category, coordinator, referent, territory,
                                                                 network_space, member):
    other = services.category_create(actor=coordinator, space=network_space, name="Matériel")
    local = services.category_create(actor=referent, space=territory.space, name="Vie locale")
    assert list(selectors.move_destinations(coordinator, topic)) == [other, local]
    local_topic = services.topic_create(actor=member, category=local, title="Local", body="Texte")
    assert list(selectors.move_destinations(referent, local_topic)) == []
    for nobody in (referent, member):
        with pytest.raises(PermissionDenied) as refused:
            selectors.move_destinations(nobody, topic)
        assert str(refused.value) == "Only the moderators of this space do that."


def test_categories_for_search_and_the_author_filter(category, private_category, member, group_member, colleague,
                                                     pending_user):
    assert selectors.categories_for_search(member) == [category]
    assert selectors.categories_for_search(group_member) == [category, private_category]
    assert selectors.author_named("inès") == colleague
    assert selectors.author_named("Personne de ce nom") is None
    assert selectors.author_named("Romain") is None  # pending members are not authors
