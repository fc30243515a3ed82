"""Mentions as the writer reads them: `@Thomas Vidal` typed (or inserted by the autocomplete)
is stored `@**Thomas Vidal|id**` and shown `@Thomas Vidal` again in the edit form.

core.markdown.canonical_mentions / editable_mentions, through the forum's services and pages.
Expected HTML written by hand.
"""

import pytest

from core import markdown
from core.models import Notification
from extranet.testing.factories import PendingUserFactory, UserFactory
from extranet.testing.pages import english_client, soup
from forum import services
from forum.models import Post, PostRevision
from members.permissions import approved_members


@pytest.fixture
def thomas(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Thomas Vidal")


@pytest.fixture
def topic(category, member):
    return services.topic_create(actor=member, category=category, title="Imprimante en panne", body="Une idée ?")


def textarea(page, selector="textarea[name=body]"):
    """The text of a textarea as a browser shows it (HTML drops the newline after <textarea>)."""
    return page.select_one(selector).get_text().removeprefix("\n")


def mentioned():
    return sorted(Notification.objects.filter(verb="forum.mentioned").values_list("recipient_id", flat=True))


def test_at_full_name_is_stored_canonical_rendered_as_a_link_and_notified(topic, member, thomas):
    post = services.post_create(actor=member, topic=topic, body="Merci @Thomas Vidal, c'est réparé.")
    assert post.body == f"Merci @**Thomas Vidal|{thomas.pk}**, c'est réparé."
    assert post.html == (f'<p>Merci <a href="/bureau/membres/{thomas.pk}/" rel="nofollow ugc noopener">'
                         "@Thomas Vidal</a>, c'est réparé.</p>\n")
    assert mentioned() == [thomas.pk]


def test_the_name_is_matched_without_case_and_stored_as_the_member_writes_it(topic, member, thomas):
    post = services.post_create(actor=member, topic=topic, body="@thomas vidal tu as la clé ?")
    assert post.body == f"@**Thomas Vidal|{thomas.pk}** tu as la clé ?"
    assert mentioned() == [thomas.pk]


def test_the_longest_name_wins(topic, member, territory, thomas):
    junior = UserFactory(territory=territory, display_name="Thomas Vidal Junior")
    lea = UserFactory(territory=territory, display_name="Léa")
    post = services.post_create(actor=member, topic=topic,
                                body="@Thomas Vidal Junior et @Thomas Vidal et @Léa Fournier")
    assert post.body == (f"@**Thomas Vidal Junior|{junior.pk}** et @**Thomas Vidal|{thomas.pk}** "
                         f"et @**Léa|{lea.pk}** Fournier")
    assert mentioned() == sorted([junior.pk, thomas.pk, lea.pk])


def test_accents_are_kept(topic, member, territory):
    UserFactory(territory=territory, display_name="Ines Garcia")
    accented = UserFactory(territory=territory, display_name="Inès Garçia")
    post = services.post_create(actor=member, topic=topic, body="Bonjour @Inès Garçia")
    assert post.body == f"Bonjour @**Inès Garçia|{accented.pk}**"
    assert mentioned() == [accented.pk]


def test_an_unknown_name_stays_text_and_tells_nobody(topic, member, thomas):
    post = services.post_create(actor=member, topic=topic, body="Bonjour @Nobody Here !")
    assert post.body == "Bonjour @Nobody Here !"
    assert post.html == "<p>Bonjour @Nobody Here !</p>\n"
    assert mentioned() == []


def test_a_pending_member_is_not_mentioned(topic, member, territory):
    PendingUserFactory(territory=territory, display_name="Romain Attente")
    post = services.post_create(actor=member, topic=topic, body="Salut @Romain Attente")
    assert post.body == "Salut @Romain Attente"
    assert mentioned() == []


def test_an_email_address_is_not_a_mention(topic, member, territory):
    UserFactory(territory=territory, display_name="exemple")
    post = services.post_create(actor=member, topic=topic, body="Écris à thomas@exemple pour la clé.")
    assert post.body == "Écris à thomas@exemple pour la clé."
    assert post.html == "<p>Écris à thomas@exemple pour la clé.</p>\n"
    assert mentioned() == []


def test_code_is_not_looked_into(topic, member, thomas):
    body = "Tape `@Thomas Vidal` puis\n\n```\n@Thomas Vidal\n```\n"
    post = services.post_create(actor=member, topic=topic, body=body)
    assert post.body == body
    assert mentioned() == []


def test_two_members_of_one_name_make_plain_text_and_the_id_form_picks_one(topic, member, territory, thomas):
    homonym = UserFactory(territory=territory, display_name="Thomas Vidal")
    post = services.post_create(actor=member, topic=topic, body="Salut @Thomas Vidal")
    assert post.body == "Salut @Thomas Vidal"
    assert post.html == "<p>Salut @Thomas Vidal</p>\n"
    assert mentioned() == []
    post = services.post_create(actor=member, topic=topic, body=f"Salut @**Thomas Vidal|{homonym.pk}**")
    assert post.html == (f'<p>Salut <a href="/bureau/membres/{homonym.pk}/" rel="nofollow ugc noopener">'
                         "@Thomas Vidal</a></p>\n")
    assert mentioned() == [homonym.pk]


def test_the_old_syntax_typed_by_hand_keeps_working(topic, member, thomas):
    post = services.post_create(actor=member, topic=topic, body="Salut @**Thomas Vidal**")
    assert post.body == "Salut @**Thomas Vidal**"
    assert post.html == (f'<p>Salut <a href="/bureau/membres/{thomas.pk}/" rel="nofollow ugc noopener">'
                         "@Thomas Vidal</a></p>\n")
    assert mentioned() == [thomas.pk]


def test_the_preview_links_a_plain_mention(member, thomas):
    response = english_client(member).post("/bureau/forum/apercu/", {"body": "Merci @Thomas Vidal"})
    assert response.json() == {"html": f'<p>Merci <a href="/bureau/membres/{thomas.pk}/" '
                                       'rel="nofollow ugc noopener">@Thomas Vidal</a></p>\n'}


# --- Editing: the stored form reads "@Thomas Vidal" again ------------------------------------


def test_the_edit_form_shows_at_full_name_and_saving_it_unchanged_changes_nothing(topic, member, thomas):
    post = services.post_create(actor=member, topic=topic, body="Merci @Thomas Vidal !")
    client = english_client(member)
    page = soup(client.get(f"/bureau/forum/message/{post.pk}/modifier/"))
    assert textarea(page) == "Merci @Thomas Vidal !"

    response = client.post(f"/bureau/forum/message/{post.pk}/modifier/", {"body": "Merci @Thomas Vidal !"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == f"Merci @**Thomas Vidal|{thomas.pk}** !"
    assert post.edited_at is None and not PostRevision.objects.exists()
    assert mentioned() == [thomas.pk]  # once, when first posted


def test_an_edit_from_the_old_syntax_does_not_notify_again(topic, member, thomas):
    post = services.post_create(actor=member, topic=topic, body="Salut @**Thomas Vidal**")
    services.post_update(actor=member, post=post, body="Salut @Thomas Vidal, ça va ?")
    post.refresh_from_db()
    assert post.body == f"Salut @**Thomas Vidal|{thomas.pk}**, ça va ?"
    assert mentioned() == [thomas.pk]


def test_an_edit_that_adds_a_mention_notifies_the_new_one_only(topic, member, thomas, colleague):
    post = services.post_create(actor=member, topic=topic, body="Salut @Thomas Vidal")
    services.post_update(actor=member, post=post, body="Salut @Thomas Vidal et @Inès Garcia")
    assert mentioned() == sorted([thomas.pk, colleague.pk])


def test_the_quote_of_a_post_shows_at_full_name(topic, member, thomas, colleague):
    post = services.post_create(actor=thomas, topic=topic, body="Demande à @Inès Garcia")
    page = soup(english_client(member).get(f"/bureau/forum/sujet/{topic.pk}/?citer={post.pk}"))
    assert textarea(page, "#repondre textarea[name=body]") == (
        "> **Thomas Vidal** :\n>\n> Demande à @Inès Garcia\n\n")


@pytest.mark.parametrize(("stored", "shown"), [
    ("Merci @**Thomas Vidal|{thomas}**", "Merci @Thomas Vidal"),
    ("Merci @**thomas vidal**", "Merci @thomas vidal"),
    # Two members named so: the id form stays (the only way to name one of them).
    ("Merci @**Thomas Vidal|{homonym}**", "Merci @**Thomas Vidal|{homonym}**"),
    # "@Thomas Vidal Junior" would name someone else.
    ("@**Léa Fournier|{lea}** Junior", "@Léa Fournier Junior"),
    ("@**Thomas Martin|{martin}** Junior", "@**Thomas Martin|{martin}** Junior"),
    # A mention that names nobody, one glued to a word, one in code: as stored.
    ("@**Nobody Here|1** et a@**Léa Fournier|{lea}** et `@**Léa Fournier|{lea}**`",
     "@**Nobody Here|1** et a@**Léa Fournier|{lea}** et `@**Léa Fournier|{lea}**`"),
])
def test_editable_mentions(territory, thomas, stored, shown):
    ids = {
        "thomas": thomas.pk,
        "homonym": UserFactory(territory=territory, display_name="Thomas Vidal").pk,
        "lea": UserFactory(territory=territory, display_name="Léa Fournier").pk,
        "martin": UserFactory(territory=territory, display_name="Thomas Martin").pk,
    }
    UserFactory(territory=territory, display_name="Thomas Martin Junior")
    if "{homonym}" not in stored:
        from members.models import User
        User.objects.filter(pk=ids["homonym"]).update(display_name="Autre Personne")
    body = stored.format(**ids)
    assert markdown.editable_mentions(body, among=approved_members()) == shown.format(**ids)


def test_the_autocomplete_marks_homonyms_so_it_inserts_their_id(category, member, thomas, territory):
    homonym = UserFactory(territory=territory, display_name="Thomas Vidal")
    response = english_client(member).get(f"/bureau/forum/espace/{category.space_id}/mentions/", {"q": "Thomas V"})
    assert sorted((r["pk"], r["ambiguous"]) for r in response.json()["results"]) == [
        (thomas.pk, True), (homonym.pk, True)]


def test_the_body_stored_for_a_new_topic_is_canonical(category, member, thomas):
    topic = services.topic_create(actor=member, category=category, title="Clés", body="@Thomas Vidal les clés ?")
    assert Post.objects.get(topic=topic).body == f"@**Thomas Vidal|{thomas.pk}** les clés ?"
    assert mentioned() == [thomas.pk]
