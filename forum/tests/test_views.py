"""Forum pages through HTTP: what each person sees and can do, bad input, query counts.

Pages are read in English (language cookie), so messages are compared with their source.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from extranet.testing.factories import MembershipFactory, UserFactory, WorkgroupFactory
from extranet.testing.pages import english_client, measure_queries, messages_of, queries_flat, soup, text_of
from forum import services
from forum.models import Category, Post, Topic, TopicRead
from members.spaces import network_space


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def category(coordinator):
    return services.category_create(actor=coordinator, space=network_space(), name="Entraide",
                                    description="Questions and answers")


@pytest.fixture
def colleague(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Garcia")


@pytest.fixture
def topic(category, member):
    return services.topic_create(actor=member, category=category, title="Imprimante en panne",
                                 body="Qui a une **idée** ?")


def test_a_member_starts_a_topic_and_a_colleague_replies(category, member, colleague):
    author = english_client(member)
    response = author.post(f"/bureau/forum/categorie/{category.pk}/nouveau-sujet/",
                           {"title": "Ateliers seniors", "body": "Vos *retours* ?", "submission": "t-1"})
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bureau/forum/sujet/{topic.pk}/"
    page = soup(english_client(colleague).get(f"/bureau/forum/sujet/{topic.pk}/"))
    assert page.select_one("h1").get_text() == "Ateliers seniors"
    assert page.select_one(".post-body em").get_text() == "retours"
    response = english_client(colleague).post(f"/bureau/forum/sujet/{topic.pk}/repondre/",
                                              {"body": "Très bien", "submission": "r-1"})
    assert response.status_code == 302 and response["Location"].endswith("#message-2")
    assert list(Post.objects.filter(topic=topic).values_list("number", "body")) == [
        (1, "Vos *retours* ?"), (2, "Très bien")]


def test_the_same_reply_submitted_twice_makes_one_post(topic, colleague):
    client = english_client(colleague)
    data = {"body": "Une seule fois", "submission": "same-token"}
    first = client.post(f"/bureau/forum/sujet/{topic.pk}/repondre/", data)
    second = client.post(f"/bureau/forum/sujet/{topic.pk}/repondre/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Post.objects.filter(topic=topic).count() == 2


def test_a_1_mb_post_is_refused_with_a_clear_message_and_nothing_is_saved(topic, colleague):
    response = english_client(colleague).post(f"/bureau/forum/sujet/{topic.pk}/repondre/",
                                              {"body": "a" * 1_000_000, "submission": "big"})
    assert response.status_code == 400
    errors = [li.get_text().strip() for li in soup(response).select("#repondre .errorlist li")]
    assert errors == ["The message has 1\u202f000\u202f000 characters; the limit is 50\u202f000. Split it in several "
                      "posts or attach a document."]
    assert Post.objects.filter(topic=topic).count() == 1


def test_posting_in_a_locked_topic_is_refused_with_a_message(topic, member, colleague, coordinator):
    services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=True)
    client = english_client(colleague)
    page = soup(client.get(f"/bureau/forum/sujet/{topic.pk}/"))
    assert page.select_one("#repondre") is None
    assert "locked" in text_of(page.select_one(".message--info"))
    response = client.post(f"/bureau/forum/sujet/{topic.pk}/repondre/", {"body": "Encore", "submission": "l"})
    assert response.status_code == 403
    assert "This topic is locked" in response.content.decode()
    assert Post.objects.filter(topic=topic).count() == 1
    # A moderator still replies.
    response = english_client(coordinator).post(f"/bureau/forum/sujet/{topic.pk}/repondre/",
                                                {"body": "Clos.", "submission": "m"})
    assert response.status_code == 302 and response["Location"] == f"/bureau/forum/sujet/{topic.pk}/#message-2"
    assert list(Post.objects.filter(topic=topic).values_list("number", "author", "body")) == [
        (1, member.pk, "Qui a une **idée** ?"), (2, coordinator.pk, "Clos.")]


def test_an_announcements_category_refuses_topics_from_members(coordinator, member):
    announcements = services.category_create(actor=coordinator, space=network_space(), name="Annonces",
                                             managers_only_topics=True)
    client = english_client(member)
    assert client.get(f"/bureau/forum/categorie/{announcements.pk}/nouveau-sujet/").status_code == 403
    response = client.post(f"/bureau/forum/categorie/{announcements.pk}/nouveau-sujet/",
                           {"title": "Pas possible", "body": "x"})
    assert response.status_code == 403 and not Topic.objects.exists()


def test_a_deleted_topic_answers_410_with_a_message(topic, member, colleague, coordinator):
    services.topic_delete(actor=member, topic=topic)
    response = english_client(colleague).get(f"/bureau/forum/sujet/{topic.pk}/")
    assert response.status_code == 410
    assert "This topic was deleted" in text_of(soup(response).select_one("h1"))
    # Moderators still read it, marked deleted, and may restore it.
    page = soup(english_client(coordinator).get(f"/bureau/forum/sujet/{topic.pk}/"))
    assert "deleted" in [text_of(t) for t in page.select(".tag")]
    # A topic that never existed is a plain 404.
    assert english_client(colleague).get("/bureau/forum/sujet/999999/").status_code == 404


def test_a_private_group_topic_is_a_404_for_outsiders(coordinator, member, colleague):
    group = WorkgroupFactory(visibility="private", join_policy="request")
    MembershipFactory(workgroup=group, user=colleague, role="manager")
    inside = services.category_create(actor=colleague, space=group.space, name="Coulisses")
    topic = services.topic_create(actor=colleague, category=inside, title="Secret de groupe", body="Entre nous")
    outsider = english_client(member)
    for url in (f"/bureau/forum/categorie/{inside.pk}/", f"/bureau/forum/sujet/{topic.pk}/",
                f"/bureau/forum/message/{topic.posts.get().pk}/fragment/"):
        assert outsider.get(url).status_code == 404, url
    index = outsider.get("/bureau/forum/")
    assert "Coulisses" not in index.content.decode()
    search = outsider.get("/bureau/forum/recherche/", {"q": "Entre"})
    assert "Secret de groupe" not in search.content.decode()
    inside_search = english_client(colleague).get("/bureau/forum/recherche/", {"q": "Entre"})
    assert "Secret de groupe" in inside_search.content.decode()


def test_titles_and_bodies_are_escaped_in_the_pages(category, member, colleague):
    payload = '<img src=x onerror="alert(1)">'
    topic = services.topic_create(actor=member, category=category, title=f"Titre {payload}", body=payload)
    for url in (f"/bureau/forum/sujet/{topic.pk}/", f"/bureau/forum/categorie/{category.pk}/", "/bureau/"):
        page = soup(english_client(colleague).get(url))
        assert not page.select("img[onerror]"), url
        assert all(not tag.get("onerror") for tag in page.find_all(True)), url


def test_preview_without_javascript_shows_the_rendered_text_and_saves_nothing(topic, colleague):
    response = english_client(colleague).post(f"/bureau/forum/sujet/{topic.pk}/repondre/",
                                              {"body": "**gras**", "preview": "1", "submission": "p"})
    page = soup(response)
    assert page.select_one(".forum-preview strong").get_text() == "gras"
    assert page.select_one("#repondre textarea").get_text().strip() == "**gras**"
    assert Post.objects.filter(topic=topic).count() == 1


def test_preview_endpoint_returns_sanitised_html(colleague):
    client = english_client(colleague)
    response = client.post("/bureau/forum/apercu/", {"body": "[x](javascript:alert(1)) **b**"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>b</strong>" in html and "<a" not in html  # the javascript: link stays text
    response = client.post("/bureau/forum/apercu/", {"body": "  "})
    assert response.status_code == 400 and response.json() == {"error": "The message is empty."}


def test_quote_prefills_the_reply(topic, colleague):
    post = topic.posts.get()
    page = soup(english_client(colleague).get(f"/bureau/forum/sujet/{topic.pk}/", {"citer": post.pk}))
    body = page.select_one("#repondre textarea").get_text().strip()
    assert body.startswith("> **Karim Benali**") and "> Qui a une **idée** ?" in body
    assert page.select_one("#repondre input[name=reply_to]")["value"] == str(post.pk)


def test_jump_to_first_unread_goes_to_the_right_page_and_post(topic, member, colleague):
    for n in range(25):
        services.post_create(actor=colleague, topic=topic, body=f"Réponse {n}")
    client = english_client(member)
    TopicRead.objects.filter(user=member, topic=topic).update(last_read_number=21)
    response = client.get(f"/bureau/forum/sujet/{topic.pk}/non-lu/")
    assert response["Location"] == f"/bureau/forum/sujet/{topic.pk}/?page=2#message-22"
    client.get(f"/bureau/forum/sujet/{topic.pk}/?page=2")
    assert TopicRead.objects.get(user=member, topic=topic).last_read_number == 26


def test_mark_category_read_clears_the_unread_marks(colleague, topic):
    client = english_client(colleague)
    page = soup(client.get(f"/bureau/forum/categorie/{topic.category_id}/"))
    assert page.select(f'li[data-topic="{topic.pk}"].is-unread')
    client.post(f"/bureau/forum/categorie/{topic.category_id}/tout-lu/")
    page = soup(client.get(f"/bureau/forum/categorie/{topic.category_id}/"))
    assert not page.select(f'li[data-topic="{topic.pk}"].is-unread')


def test_the_dashboard_widget_lists_unread_topics(colleague, topic):
    client = english_client(colleague)
    widget = soup(client.get("/bureau/")).find("a", string="Imprimante en panne")
    assert widget is not None and widget["href"] == f"/bureau/forum/sujet/{topic.pk}/non-lu/"
    client.get(f"/bureau/forum/sujet/{topic.pk}/")
    assert soup(client.get("/bureau/")).find("a", string="Imprimante en panne") is None


def test_an_attachment_is_served_only_to_who_may_read_the_topic(category, member, colleague, coordinator):
    group = WorkgroupFactory(visibility="private", join_policy="request")
    MembershipFactory(workgroup=group, user=colleague, role="manager")
    inside = services.category_create(actor=colleague, space=group.space, name="Docs")
    pdf = SimpleUploadedFile("compte-rendu <b>.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    topic = services.topic_create(actor=colleague, category=inside, title="Compte rendu", body="Ci-joint",
                                  files=[pdf])
    attachment = topic.posts.get().attachments.get()
    assert attachment.name == "compte-rendu b.pdf"
    url = f"/bureau/forum/fichier/{attachment.pk}/{attachment.stored_name}"
    response = english_client(colleague).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert english_client(member).get(url).status_code == 404


def test_an_invalid_attachment_is_refused_and_the_text_is_kept(topic, colleague):
    fake = SimpleUploadedFile("photo.png", b"not a png at all")
    response = english_client(colleague).post(f"/bureau/forum/sujet/{topic.pk}/repondre/",
                                              {"body": "Voici la photo", "attachments": [fake], "submission": "f"})
    assert response.status_code == 400
    page = soup(response)
    assert "is not really a .png file" in text_of(page.select_one("#repondre"))
    assert page.select_one("#repondre textarea").get_text().strip() == "Voici la photo"
    assert Post.objects.filter(topic=topic).count() == 1


def test_report_then_moderator_hides_the_post(topic, colleague, coordinator, member):
    reply = services.post_create(actor=colleague, topic=topic, body="Message déplacé")
    response = english_client(member).post(f"/bureau/forum/message/{reply.pk}/signaler/",
                                           {"reason": "Hors sujet, agressif"})
    assert response.status_code == 302
    moderator = english_client(coordinator)
    queue = soup(moderator.get("/bureau/forum/moderation/"))
    assert "Hors sujet, agressif" in text_of(queue.select_one("main"))
    report = reply.reports.get()
    moderator.post(f"/bureau/forum/moderation/signalements/{report.pk}/", {"decision": "hide"})
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    page = soup(english_client(member).get(f"/bureau/forum/sujet/{topic.pk}/"))
    article = page.select_one(f'[data-post="{reply.pk}"]')
    assert "hidden by a moderator" in text_of(article) and "Message déplacé" not in text_of(article)
    assert english_client(member).get("/bureau/forum/moderation/").status_code == 403


def test_the_history_of_an_edited_post_is_for_moderators(topic, member, coordinator, colleague):
    post = topic.posts.get()
    english_client(member).post(f"/bureau/forum/message/{post.pk}/modifier/",
                                {"title": topic.title, "body": "Nouvelle version"})
    post.refresh_from_db()
    assert post.body == "Nouvelle version" and post.edited_at is not None
    page = soup(english_client(colleague).get(f"/bureau/forum/sujet/{topic.pk}/"))
    assert "edited" in text_of(page.select_one(".forum-post__head"))
    assert english_client(colleague).get(f"/bureau/forum/message/{post.pk}/historique/").status_code == 403
    history = english_client(coordinator).get(f"/bureau/forum/message/{post.pk}/historique/")
    assert "Qui a une **idée** ?" in text_of(soup(history).select_one("main"))


def test_search_filters_by_author_and_category(category, member, colleague, coordinator):
    other = services.category_create(actor=coordinator, space=network_space(), name="Matériel")
    services.topic_create(actor=member, category=category, title="Linux au quotidien", body="Debian partout")
    services.topic_create(actor=colleague, category=other, title="Linux et tablettes", body="Debian aussi")
    client = english_client(colleague)

    def titles(**params):
        page = soup(client.get("/bureau/forum/recherche/", params))
        return sorted(a.get_text() for a in page.select("ol h2 a"))

    assert titles(q="debian") == ["Linux au quotidien", "Linux et tablettes"]
    assert titles(q="debian", auteur="Inès") == ["Linux et tablettes"]
    assert titles(q="debian", categorie=category.pk) == ["Linux au quotidien"]
    assert titles(q="debian", du=(timezone.localdate() + timezone.timedelta(days=1)).isoformat()) == []


def test_mention_autocomplete_lists_members_of_the_space(category, member, colleague):
    response = english_client(member).get(f"/bureau/forum/espace/{category.space_id}/mentions/", {"q": "Inè"})
    assert [r["display_name"] for r in response.json()["results"]] == ["Inès Garcia"]


# --- What one may do: the buttons and the reasons come from forum.permissions ----------------


def _actions(client, topic, post):
    page = soup(client.get(f"/bureau/forum/sujet/{topic.pk}/"))
    footer = page.select_one(f'[data-post="{post.pk}"] .forum-post__actions')
    return [text_of(node) for node in footer.select("a, button")]


def test_the_author_deletes_their_topic_only_while_nobody_replied(topic, member, colleague, coordinator):
    opening = topic.posts.get()
    author = english_client(member)
    assert _actions(author, topic, opening) == ["Quote", "Edit", "Delete the topic"]
    assert _actions(english_client(colleague), topic, opening) == ["Quote", "Report"]
    services.post_create(actor=colleague, topic=topic, body="Une réponse")
    assert _actions(author, topic, opening) == ["Quote", "Edit"]
    assert _actions(english_client(coordinator), topic, opening) == [
        "Quote", "Edit", "Report", "Delete the topic", "Hide"]
    # Sent all the same (a page opened before the reply): the reason, as a message.
    response = author.post(f"/bureau/forum/message/{opening.pk}/supprimer/", follow=True)
    assert messages_of(response) == ["Others have replied: only a moderator can delete the whole topic now. "
                                     "You can edit your message."]
    assert Topic.objects.get(pk=topic.pk).deleted_at is None


def test_an_announcements_category_tells_members_why_they_do_not_start_topics(coordinator, member):
    announcements = services.category_create(actor=coordinator, space=network_space(), name="Annonces",
                                             managers_only_topics=True)
    page = soup(english_client(member).get(f"/bureau/forum/categorie/{announcements.pk}/"))
    assert page.find("a", string="New topic") is None
    assert text_of(page.select_one("main p.muted")) == (
        "In this category only moderators start topics; you can reply to them.")
    page = soup(english_client(coordinator).get(f"/bureau/forum/categorie/{announcements.pk}/"))
    assert page.find("a", string="New topic") is not None
    assert "only moderators start topics" not in text_of(page.select_one("main"))


def test_a_topic_tells_who_may_not_reply_why(coordinator, colleague, member):
    group = WorkgroupFactory(visibility="public")
    MembershipFactory(workgroup=group, user=colleague, role="manager")
    inside = services.category_create(actor=colleague, space=group.space, name="Coulisses")
    topic = services.topic_create(actor=colleague, category=inside, title="Ouvert à la lecture", body="Bonjour")
    page = soup(english_client(member).get(f"/bureau/forum/sujet/{topic.pk}/"))  # reads, is not a member
    assert page.select_one("#repondre") is None
    assert text_of(page.select_one(".message--info")) == "You cannot reply in this topic."
    services.topic_delete(actor=coordinator, topic=topic)
    page = soup(english_client(coordinator).get(f"/bureau/forum/sujet/{topic.pk}/"))
    assert page.select_one("#repondre") is None
    assert text_of(page.select_one(".message--info")) == "This topic was deleted: it takes no more replies."


def test_a_moderator_moves_a_topic_and_is_told_where(topic, coordinator, referent, territory, member):
    local = services.category_create(actor=referent, space=territory.space, name="Vie locale")
    moderator = english_client(coordinator)
    page = soup(moderator.get(f"/bureau/forum/sujet/{topic.pk}/deplacer/"))
    assert [text_of(option) for option in page.select("select[name=category] option")] == [
        "Pays des Causses — Vie locale"]
    response = moderator.post(f"/bureau/forum/sujet/{topic.pk}/deplacer/", {"category": local.pk}, follow=True)
    assert messages_of(response) == ["The topic is moved to « Vie locale »."]
    assert Topic.objects.get(pk=topic.pk).category == local
    response = english_client(member).get(f"/bureau/forum/sujet/{topic.pk}/deplacer/")
    assert response.status_code == 403 and "Only the moderators of this space do that." in response.content.decode()


def test_a_reply_to_a_post_of_another_topic_is_refused_on_the_form(topic, category, member, colleague):
    other = services.topic_create(actor=member, category=category, title="Autre", body="Ailleurs")
    response = english_client(colleague).post(f"/bureau/forum/sujet/{topic.pk}/repondre/", {
        "body": "Réponse", "reply_to": other.posts.get().pk, "submission": "x"})
    assert response.status_code == 400
    assert "You can only reply to a post of the same topic." in text_of(soup(response).select_one("#repondre"))
    assert Post.objects.filter(topic=topic).count() == 1


# --- Query counts ---------------------------------------------------------------------------


def _grow_posts(topic, author):
    def grow(factor):
        last = Topic.objects.get(pk=topic.pk).last_number
        now = timezone.now()
        Post.objects.bulk_create([
            Post(topic=topic, number=last + i + 1, author=author, body=f"Réponse {i}", html=f"<p>Réponse {i}</p>",
                 created_at=now) for i in range(50 * factor)
        ])
        Topic.objects.filter(pk=topic.pk).update(last_number=last + 50 * factor, reply_count=last + 50 * factor - 1)
    return grow


def test_a_topic_page_keeps_its_query_count_from_50_to_500_posts(topic, colleague):
    client = english_client(colleague)
    for page in ("1", "last"):
        grow = _grow_posts(topic, colleague)
        if page == "last":
            grow(0)
        queries, html = queries_flat(client, f"/bureau/forum/sujet/{topic.pk}/?page={page}", grow)
        assert len(html.select("[data-post]")) == 20
        assert queries == 11, queries  # pinned: session, user, roles, topic, posts+count, attachments, read...


def test_a_category_keeps_its_query_count_from_500_to_5000_topics(category, member, colleague):
    def grow(factor):
        now = timezone.now()
        Topic.objects.bulk_create([
            Topic(category=category, title=f"Sujet {i}", author=member, last_author=member, last_number=1,
                  last_post_at=now) for i in range(500 * factor)
        ])

    client = english_client(colleague)
    queries, page = queries_flat(client, f"/bureau/forum/categorie/{category.pk}/", grow)
    assert len(page.select("[data-topic]")) == 30
    assert queries == 8, queries
    # The index: categories (2) and their latest topics (1), latest and active topics (1 each), the
    # moderation link's decision (1); a space: its categories' latest topics (1).
    # The dashboard: extranet/tests/test_views.py MAX_QUERIES, less one: with no resource in the
    # library, "Ressources récentes" has no authors to fetch.
    pinned = {"/bureau/forum/": 10, f"/bureau/forum/espace/{category.space_id}/": 8, "/bureau/": 23}
    for url, expected in pinned.items():
        count, _page = measure_queries(client, url)
        assert count == expected, (url, count)


def test_the_index_query_count_does_not_grow_with_categories(coordinator, colleague):
    def grow(factor):
        for i in range(3 * factor):
            Category.objects.create(space=network_space(), name=f"Catégorie {Category.objects.count()} {i}")

    queries, page = queries_flat(english_client(colleague), "/bureau/forum/", grow)
    assert len(page.select("[data-forum-category]")) == 30


@pytest.mark.parametrize(("action", "french"), [
    ("pin", "Le sujet est épinglé en tête de sa catégorie."),
    ("lock", "Le sujet est verrouillé\u00a0: plus de réponses possibles."),
])
def test_the_moderation_messages_are_in_french(client, topic, coordinator, action, french):
    client.force_login(coordinator)
    response = client.post(f"/bureau/forum/sujet/{topic.pk}/moderer/", {"action": action}, follow=True)
    assert french in response.content.decode()  # with its non-breaking space (messages_of folds spaces)
    assert len(messages_of(response)) == 1
