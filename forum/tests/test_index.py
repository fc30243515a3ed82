"""The forum looks alive: latest and active topics on the index (last poster, avatar, time,
replies, unread mark), the same on a category, avatars on posts, the formatting toolbar,
the "Moderation" link for moderators only. Pages through the test client."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from extranet.testing.factories import UserFactory
from extranet.testing.pages import english_client, measure_queries, queries_flat, soup, text_of
from forum import services
from forum.models import Topic


@pytest.fixture
def thomas(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Thomas Vidal")


@pytest.fixture
def topics(category, member, thomas, colleague):
    """Three topics: "Ancien" (2 replies, the last by Inès), "Récent" (1 reply by Thomas),
    "Neuf" (no reply), created in that order."""
    now = timezone.now()
    old = services.topic_create(actor=member, category=category, title="Ancien", body="Premier")
    services.post_create(actor=thomas, topic=old, body="Une réponse")
    services.post_create(actor=colleague, topic=old, body="Une autre")
    recent = services.topic_create(actor=member, category=category, title="Récent", body="Deuxième")
    services.post_create(actor=thomas, topic=recent, body="Moi aussi")
    new = services.topic_create(actor=thomas, category=category, title="Neuf", body="Troisième")
    # Times apart, in the order they were written.
    Topic.objects.filter(pk=old.pk).update(created_at=now - timedelta(hours=5), last_post_at=now - timedelta(minutes=9))
    Topic.objects.filter(pk=recent.pk).update(created_at=now - timedelta(hours=3),
                                              last_post_at=now - timedelta(hours=2))
    Topic.objects.filter(pk=new.pk).update(created_at=now - timedelta(hours=1), last_post_at=now - timedelta(hours=1))
    return old, recent, new


def _rows(page, title):
    """[(title, category, replies, last poster, time text)] of the index's list headed `title`."""
    section = next(s for s in page.select("section") if s.h2 and text_of(s.h2) == title)
    return [(text_of(li.select_one(".forum-topic__title > a")), text_of(li.select_one(".forum-topic__category")),
             text_of(li.select_one("[data-reply-count]")), text_of(li.select_one(".forum-topic__poster")),
             text_of(li.select_one("time")))
            for li in section.select("li[data-topic]")]


def test_the_index_lists_the_latest_and_the_active_topics(topics, colleague):
    page = soup(english_client(colleague).get("/bureau/forum/"))
    assert _rows(page, "Latest topics") == [
        ("Neuf", "Entraide", "0 replies", "Thomas Vidal", "1 hour ago"),
        ("Récent", "Entraide", "1 reply", "Thomas Vidal", "2 hours ago"),
        ("Ancien", "Entraide", "2 replies", "Inès Garcia", "9 minutes ago"),
    ]
    assert _rows(page, "Active topics") == [
        ("Ancien", "Entraide", "2 replies", "Inès Garcia", "9 minutes ago"),
        ("Récent", "Entraide", "1 reply", "Thomas Vidal", "2 hours ago"),
    ]


def test_the_index_speaks_french_with_avatars_and_unread_marks(topics, colleague, thomas):
    old, recent, new = topics
    # Inès joined before these topics (older ones count as read for a newcomer).
    type(colleague).objects.filter(pk=colleague.pk).update(date_joined=timezone.now() - timedelta(days=1))
    client = Client()
    client.force_login(colleague)
    page = soup(client.get("/bureau/forum/"))
    latest = page.select_one("section[aria-labelledby=latest-title]")
    rows = {int(li["data-topic"]): li for li in latest.select("li[data-topic]")}
    assert text_of(rows[new.pk].select_one("[data-reply-count]")) == "0 réponse"
    assert text_of(rows[recent.pk].select_one("[data-reply-count]")) == "1 réponse"
    assert text_of(rows[old.pk].select_one("[data-reply-count]")) == "2 réponses"
    # The last poster's initials (no photo), beside the name.
    assert text_of(rows[new.pk].select_one(".forum-topic__last .avatar")) == "TV"
    assert text_of(rows[old.pk].select_one(".forum-topic__last .avatar")) == "IG"
    # Inès wrote the last post of "Ancien": read; the other two are new to her.
    assert "is-unread" not in rows[old.pk]["class"]
    assert text_of(rows[new.pk].select_one("[data-topic-unread]")) == "nouveau"
    assert rows[recent.pk].select_one("[data-topic-unread] a")["href"] == f"/bureau/forum/sujet/{recent.pk}/non-lu/"
    # The forms the live count uses.
    holder = page.select_one("[data-forum-topic-lists]")
    assert (holder["data-reply-one"], holder["data-reply-other"]) == ("1 réponse", "2 réponses")


def test_the_index_query_count_is_the_same_for_3_and_30_topics(category, member, thomas, colleague):
    def grow(factor):
        now = timezone.now()
        for i in range(3 * factor):
            author = (member, thomas, colleague)[i % 3]
            Topic.objects.create(category=category, title=f"Sujet {i}", author=author, last_author=author,
                                 last_number=2, reply_count=1, last_post_at=now - timedelta(minutes=i))

    client = english_client(colleague)
    queries, page = queries_flat(client, "/bureau/forum/", grow)
    assert len(page.select("section[aria-labelledby=latest-title] li[data-topic]")) == 8
    assert len(page.select("section[aria-labelledby=active-title] li[data-topic]")) == 8
    assert queries == 10, queries


def test_each_category_shows_its_latest_activity(topics, colleague, category, coordinator):
    old, _recent, _new = topics
    services.category_create(actor=coordinator, space=category.space, name="Vide")
    for url in ("/bureau/forum/", f"/bureau/forum/espace/{category.space_id}/"):
        page = soup(english_client(colleague).get(url))
        rows = {text_of(li.select_one(".forum-category__name")): li.select_one(".forum-category__last")
                for li in page.select("[data-forum-category]")}
        assert text_of(rows["Entraide"]) == "IG Last post: Ancien · Inès Garcia · 9 minutes ago"
        assert rows["Entraide"].a["href"] == f"/bureau/forum/sujet/{old.pk}/"
        assert rows["Vide"] is None


def test_a_category_lists_its_topics_with_the_last_poster_and_replies(topics, colleague):
    old, recent, new = topics
    page = soup(english_client(colleague).get(f"/bureau/forum/categorie/{old.category_id}/"))
    rows = [(text_of(li.select_one(".forum-topic__title > a")), text_of(li.select_one(".forum-topic__meta")),
             text_of(li.select_one(".forum-topic__last"))) for li in page.select("li[data-topic]")]
    assert rows == [
        ("Ancien", "by Karim Benali 2 replies", "IG Last post: Inès Garcia 9 minutes ago"),
        ("Neuf", "by Thomas Vidal 0 replies", "TV Last post: Thomas Vidal 1 hour ago"),
        ("Récent", "by Karim Benali 1 reply", "TV Last post: Thomas Vidal 2 hours ago"),
    ]


def test_each_post_shows_its_authors_avatar(topics, colleague):
    old, _recent, _new = topics
    page = soup(english_client(colleague).get(f"/bureau/forum/sujet/{old.pk}/"))
    assert [text_of(a.select_one(".forum-post__avatar .avatar")) for a in page.select("[data-post]")] == [
        "KB", "TV", "IG"]
    assert [a.select_one(".forum-post__avatar .avatar")["aria-hidden"] for a in page.select("[data-post]")] == [
        "true"] * 3


def test_the_topic_page_counts_its_replies(topics, colleague):
    old, recent, _new = topics
    client = Client()
    client.force_login(colleague)
    for topic, expected in ((old, "2 réponses"), (recent, "1 réponse")):
        count = soup(client.get(f"/bureau/forum/sujet/{topic.pk}/")).select_one("h1 ~ p [data-reply-count]")
        assert text_of(count) == expected


@pytest.mark.parametrize("url", ["/bureau/forum/sujet/{topic}/", "/bureau/forum/categorie/{category}/nouveau-sujet/",
                                 "/bureau/forum/message/{post}/modifier/"])
def test_the_composers_carry_the_formatting_toolbar(topics, member, url):
    old, _recent, _new = topics
    post = old.posts.get(number=1)
    page = soup(english_client(member).get(url.format(topic=old.pk, category=old.category_id, post=post.pk)))
    textarea = page.select_one("form[data-forum-editor] textarea[name=body]")
    assert json.loads(textarea["data-md-toolbar"]) == {
        "toolbar": "Formatting", "bold": "Bold", "italic": "Italic", "link": "Link", "list": "List",
        "quote": "Quote", "code": "Code", "link_text": "link text"}
    assert textarea.find_parent("form").has_attr("data-mentions-plain")
    assert page.select_one('script[src="/static/js/md_toolbar.js"]').has_attr("defer")


def test_the_moderation_link_is_for_moderators_only(category, member, coordinator):
    # An animator (a plain approved member) moderates no space: no link (the page would answer 403).
    page = soup(english_client(member).get("/bureau/forum/"))
    assert page.select('a[href="/bureau/forum/moderation/"]') == []
    assert english_client(member).get("/bureau/forum/moderation/").status_code == 403
    page = soup(english_client(coordinator).get("/bureau/forum/"))
    assert text_of(page.select_one('a[href="/bureau/forum/moderation/"]')) == "Moderation"


def test_a_group_manager_sees_the_moderation_link(private_group, group_manager, group_member):
    page = soup(english_client(group_manager).get("/bureau/forum/"))
    assert len(page.select('a[href="/bureau/forum/moderation/"]')) == 1
    page = soup(english_client(group_member).get("/bureau/forum/"))
    assert page.select('a[href="/bureau/forum/moderation/"]') == []


def test_an_empty_forum_says_so(member, network_space):
    page = soup(english_client(member).get("/bureau/forum/"))
    assert text_of(page.select_one("section[aria-labelledby=latest-title] .empty")) == "No topic yet."
    count, _page = measure_queries(english_client(member), "/bureau/forum/")
    assert count == 9
