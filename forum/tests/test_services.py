"""Forum services: for each one, what is allowed, what is denied, what is invalid.

Allowed: what is saved (and logged). Denied: PermissionDenied with a clear message.
Invalid: ValidationError with a clear message, on the right field when there is one.
After a refusal nothing is half-saved (`refused` compares every forum table, the activity
log, the notifications and the uploaded files before and after).
"""

import os

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads
from core.models import Activity, Notification
from extranet.testing.assertions import media_files, notifications, png
from extranet.testing.factories import UserFactory
from forum import services
from forum.models import (
    Attachment,
    Category,
    CategoryRead,
    CategorySubscription,
    Level,
    ModerationLog,
    Post,
    PostRevision,
    Report,
    Topic,
    TopicRead,
    TopicSubscription,
)
from forum.tests.helpers import log_actions, nothing_saved, refused

ACCEPTED = "csv, docx, gif, jpeg, jpg, odp, ods, odt, pdf, png, pptx, txt, webp, xlsx, zip"


@pytest.fixture
def topic(category, member):
    return services.topic_create(actor=member, category=category, title="Imprimante en panne",
                                 body="Qui a une **idée** ?")


@pytest.fixture
def reply(topic, colleague):
    return services.post_create(actor=colleague, topic=topic, body="Redémarre-la.")


@pytest.fixture
def territory_category(referent, territory):
    return services.category_create(actor=referent, space=territory.space, name="Vie du territoire")


@pytest.fixture
def other_territory_category(coordinator, other_territory):
    return services.category_create(actor=coordinator, space=other_territory.space, name="Vie du Lys")


def fresh_topic(topic):
    return Topic.objects.get(pk=topic.pk)


def fresh_post(post):
    return Post.objects.get(pk=post.pk)


# --- category_create ------------------------------------------------------------------------


def test_a_coordinator_creates_categories_of_the_network_in_order(coordinator, network_space):
    first = services.category_create(actor=coordinator, space=network_space, name="  Entraide   technique ",
                                     description=" Vos questions ")
    second = services.category_create(actor=coordinator, space=network_space, name="Annonces",
                                      managers_only_topics=True)
    assert (first.name, first.description, first.position) == ("Entraide technique", "Vos questions", 10)
    assert (second.position, second.managers_only_topics) == (20, True)
    assert log_actions(network_space, categories=True) == [("category_created", coordinator.pk, None, None)] * 2


def test_a_local_admin_creates_categories_in_their_territory_space(referent, territory):
    category = services.category_create(actor=referent, space=territory.space, name="Vie locale")
    assert category.space == territory.space


@pytest.mark.parametrize("who", ["member", "referent", "pending_user", "colleague"])
def test_only_moderators_create_categories_of_the_network(request, who, network_space):
    actor = request.getfixturevalue(who)
    with refused(PermissionDenied, "Only the moderators of this space create categories."):
        services.category_create(actor=actor, space=network_space, name="Hors sujet")


def test_a_local_admin_does_not_create_categories_in_another_territory(referent, other_territory):
    with refused(PermissionDenied, "Only the moderators of this space create categories."):
        services.category_create(actor=referent, space=other_territory.space, name="Ailleurs")


def test_a_plain_group_member_does_not_create_categories_but_its_manager_does(
        private_group, group_member, group_manager):
    with refused(PermissionDenied, "Only the moderators of this space create categories."):
        services.category_create(actor=group_member, space=private_group.space, name="Nouveautés")
    assert services.category_create(actor=group_manager, space=private_group.space, name="Nouveautés").pk


@pytest.mark.parametrize("values, field, message", [
    ({"name": "   "}, "name", "Give the category a name."),
    ({"name": "x" * 101}, "name", "The name is limited to 100 characters."),
    ({"name": "Longue", "description": "d" * 1001}, "description",
     "The description is limited to 1,000 characters."),
    ({"name": "entraide"}, "name", "This space already has a category with that name."),
])
def test_invalid_categories_are_refused(category, coordinator, network_space, values, field, message):
    with refused(ValidationError, message, field):
        services.category_create(actor=coordinator, space=network_space, **values)


def test_the_same_name_is_allowed_in_another_space(category, referent, territory):
    assert services.category_create(actor=referent, space=territory.space, name="Entraide").pk != category.pk


# --- category_update ------------------------------------------------------------------------


def test_a_moderator_updates_a_category(category, coordinator):
    services.category_update(actor=coordinator, category=category, name="Entraide", description="Nouvelle",
                             position=3, managers_only_topics=True)
    category = Category.objects.get(pk=category.pk)
    assert (category.name, category.description, category.position, category.managers_only_topics) == (
        "Entraide", "Nouvelle", 3, True)
    assert log_actions(categories=True)[-1] == ("category_updated", coordinator.pk, None, None)


def test_a_member_does_not_update_a_category(category, member):
    with refused(PermissionDenied, "Only the moderators of this space edit its categories."):
        services.category_update(actor=member, category=category, name="Piratée")


def test_a_category_cannot_take_the_name_of_another_one(category, coordinator, network_space):
    other = services.category_create(actor=coordinator, space=network_space, name="Annonces")
    with refused(ValidationError, "This space already has a category with that name.", "name"):
        services.category_update(actor=coordinator, category=Category.objects.get(pk=other.pk), name="ENTRAIDE")
    with refused(ValidationError, "Give the category a name.", "name"):
        services.category_update(actor=coordinator, category=Category.objects.get(pk=other.pk), name="")


# --- topic_create ---------------------------------------------------------------------------


def test_a_member_starts_a_topic(category, member):
    topic = services.topic_create(actor=member, category=category, title="  Ateliers   seniors ",
                                  body="Vos *retours* ?")
    post = Post.objects.get(topic=topic)
    assert topic.title == "Ateliers seniors"
    assert (topic.author, topic.last_author, topic.last_number, topic.reply_count) == (member, member, 1, 0)
    assert (post.number, post.author, post.body) == (1, member, "Vos *retours* ?")
    assert post.html == "<p>Vos <em>retours</em> ?</p>\n"
    assert TopicSubscription.objects.get(topic=topic, user=member).level == Level.WATCHING
    assert TopicRead.objects.get(topic=topic, user=member).last_read_number == 1
    assert list(Activity.objects.values_list("verb", "actor_id", "space_id")) == [
        ("forum.topic_created", member.pk, category.space_id)]


@pytest.mark.parametrize("who", ["pending_user", "group_member"])
def test_people_outside_a_space_do_not_start_topics_there(request, who, territory_category, other_territory):
    actor = request.getfixturevalue(who)
    if who == "group_member":  # lives in `territory`: not in the other territory's space
        actor.territory = other_territory
        actor.save()
        category = territory_category
    else:
        category = territory_category
    with refused(PermissionDenied, "You cannot start a topic in this category."):
        services.topic_create(actor=actor, category=category, title="Bonjour", body="Salut")


def test_a_member_of_another_territory_does_not_start_a_topic_in_this_one(other_territory_category, member):
    with refused(PermissionDenied, "You cannot start a topic in this category."):
        services.topic_create(actor=member, category=other_territory_category, title="Bonjour", body="Salut")


def test_an_outsider_does_not_start_a_topic_in_a_private_group(private_category, member):
    with refused(PermissionDenied, "You cannot start a topic in this category."):
        services.topic_create(actor=member, category=private_category, title="Bonjour", body="Salut")


def test_in_an_announcements_category_members_reply_but_do_not_start_topics(
        coordinator, network_space, member):
    announcements = services.category_create(actor=coordinator, space=network_space, name="Annonces",
                                             managers_only_topics=True)
    with refused(PermissionDenied, "In this category only moderators start topics; you can reply to them."):
        services.topic_create(actor=member, category=announcements, title="Mon annonce", body="Lisez-moi")
    topic = services.topic_create(actor=coordinator, category=announcements, title="Rentrée", body="Programme")
    reply = services.post_create(actor=member, topic=topic, body="Merci !")
    assert (reply.number, fresh_topic(topic).reply_count) == (2, 1)


@pytest.mark.parametrize("title, message", [
    ("ab", "The title needs at least 3 characters."),
    ("   a  \t  ", "The title needs at least 3 characters."),
    ("", "The title needs at least 3 characters."),
    ("t" * 201, "The title is limited to 200 characters."),
])
def test_bad_titles_are_refused(category, member, title, message):
    with refused(ValidationError, message, "title"):
        services.topic_create(actor=member, category=category, title=title, body="Le message")


@pytest.mark.parametrize("body", ["", "   \n\t  ", "\x00\x00"])
def test_an_empty_message_is_refused(category, member, body):
    with refused(ValidationError, "The message is empty.", "body"):
        services.topic_create(actor=member, category=category, title="Un titre", body=body)


def test_a_one_megabyte_message_is_refused_with_the_limit_and_nothing_is_saved(category, member, topic):
    body = "a" * (1024 * 1024)
    message = ("The message has 1\u202f048\u202f576 characters; the limit is 50\u202f000. Split it in several "
               "posts or attach a document.")
    with refused(ValidationError, message, "body"):
        services.topic_create(actor=member, category=category, title="Un roman", body=body)
    with refused(ValidationError, message, "body"):
        services.post_create(actor=member, topic=topic, body=body)


def test_a_message_at_the_limit_is_accepted_and_one_character_more_is_refused(category, member):
    topic = services.topic_create(actor=member, category=category, title="Long", body="a" * 50_000)
    assert len(Post.objects.get(topic=topic).body) == 50_000
    with refused(ValidationError, "The message has 50\u202f001 characters; the limit is 50\u202f000. Split it in "
                                  "several posts or attach a document.", "body"):
        services.topic_create(actor=member, category=category, title="Plus long", body="a" * 50_001)


def test_the_same_new_topic_submitted_twice_makes_one_topic(category, member):
    first = services.topic_create(actor=member, category=category, title="Doublon", body="Une fois",
                                  submission="tok-1")
    with nothing_saved():
        second = services.topic_create(actor=member, category=category, title="Doublon", body="Une fois",
                                       submission="tok-1")
    assert second.pk == first.pk
    assert Topic.objects.count() == 1


# --- post_create ----------------------------------------------------------------------------


def test_a_colleague_replies(topic, colleague, member):
    first = Post.objects.get(topic=topic, number=1)
    post = services.post_create(actor=colleague, topic=topic, body="Essaie **ça**", reply_to=first)
    topic = fresh_topic(topic)
    assert (post.number, post.author, post.reply_to) == (2, colleague, first)
    assert (topic.last_number, topic.reply_count, topic.last_author, topic.last_post_at) == (
        2, 1, colleague, post.created_at)
    assert TopicRead.objects.get(topic=topic, user=colleague).last_read_number == 2
    assert TopicSubscription.objects.get(topic=topic, user=colleague).level == Level.WATCHING
    assert notifications() == [(member.pk, "forum.replied_to_you")]


def test_replies_are_numbered_in_order(topic, member, colleague):
    numbers = [services.post_create(actor=who, topic=topic, body=f"n° {i}").number
               for i, who in enumerate([colleague, member, colleague])]
    assert numbers == [2, 3, 4]
    assert fresh_topic(topic).reply_count == 3


def test_the_same_reply_submitted_twice_makes_one_post(topic, colleague):
    first = services.post_create(actor=colleague, topic=topic, body="Une seule fois", submission="abc123")
    with nothing_saved():
        second = services.post_create(actor=colleague, topic=topic, body="Une seule fois", submission="abc123")
    assert second.pk == first.pk
    assert Post.objects.filter(topic=topic).count() == 2
    assert fresh_topic(topic).reply_count == 1


def test_two_people_may_use_the_same_submission_token(topic, colleague, member):
    a = services.post_create(actor=colleague, topic=topic, body="Un", submission="same")
    b = services.post_create(actor=member, topic=topic, body="Deux", submission="same")
    assert a.pk != b.pk


def test_a_locked_topic_takes_replies_from_moderators_only(topic, coordinator, colleague):
    services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=True)
    with refused(PermissionDenied, "This topic is locked: it takes no more replies."):
        services.post_create(actor=colleague, topic=topic, body="Encore un mot")
    post = services.post_create(actor=coordinator, topic=topic, body="Le mot de la fin")
    assert post.number == 2


def test_a_deleted_topic_takes_no_reply(topic, coordinator, colleague):
    services.topic_delete(actor=coordinator, topic=topic)
    with refused(ValidationError, "This topic was deleted: it takes no more replies."):
        services.post_create(actor=colleague, topic=topic, body="Il y a quelqu'un ?")
    with refused(ValidationError, "This topic was deleted: it takes no more replies."):
        services.post_create(actor=coordinator, topic=topic, body="Même moi")


def test_outsiders_do_not_reply(private_category, group_member, member, pending_user):
    topic = services.topic_create(actor=group_member, category=private_category, title="Debian 13",
                                  body="Des retours ?")
    for outsider in (member, pending_user):
        with refused(PermissionDenied, "You cannot reply in this topic."):
            services.post_create(actor=outsider, topic=topic, body="Je m'invite")


def test_a_reply_to_a_post_of_another_topic_is_refused(topic, category, member, colleague):
    other = services.topic_create(actor=member, category=category, title="Autre sujet", body="Autre")
    with refused(ValidationError, "You can only reply to a post of the same topic."):
        services.post_create(actor=colleague, topic=topic, body="Réponse", reply_to=Post.objects.get(topic=other))


def test_an_empty_reply_is_refused(topic, colleague):
    with refused(ValidationError, "The message is empty.", "body"):
        services.post_create(actor=colleague, topic=topic, body=" \r\n ")


# --- attachments ----------------------------------------------------------------------------


def test_a_real_png_is_attached(topic, colleague):
    post = services.post_create(actor=colleague, topic=topic, body="Voici la capture", files=[png()])
    attachment = Attachment.objects.get(post=post)
    assert (attachment.name, attachment.content_type, attachment.is_image) == ("capture.png", "image/png", True)
    assert attachment.stored_name.endswith(".png") and len(attachment.stored_name) == 36
    assert attachment.size == png().size
    assert os.path.isfile(os.path.join(settings.MEDIA_ROOT, attachment.file.name))
    assert attachment.file.name.startswith("forum/") and attachment.file.name.endswith(attachment.stored_name)


def test_documents_are_attached_and_not_taken_for_images(topic, colleague):
    post = services.post_create(actor=colleague, topic=topic, body="Le compte rendu", files=[
        SimpleUploadedFile("compte-rendu.txt", b"Bonjour", content_type="text/plain")])
    assert list(Attachment.objects.filter(post=post).values_list("name", "content_type", "is_image")) == [
        ("compte-rendu.txt", "text/plain", False)]


def test_an_executable_is_refused(topic, colleague):
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/octet-stream")
    message = f"« setup.exe »: this type of file is not accepted (accepted: {ACCEPTED})."
    with refused(ValidationError, message, "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Installe ça", files=[exe])


def test_a_file_without_extension_is_refused(topic, colleague):
    with refused(ValidationError, f"« Makefile »: this type of file is not accepted (accepted: {ACCEPTED}).",
                 "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Tiens",
                             files=[SimpleUploadedFile("Makefile", b"all:")])


def test_a_text_file_named_png_is_refused(topic, colleague, category, member):
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with refused(ValidationError, "« photo.png » is not really a .png file.", "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Ma photo", files=[fake])
    fake.seek(0)
    with refused(ValidationError, "« photo.png » is not really a .png file.", "attachments"):
        services.topic_create(actor=member, category=category, title="Photo", body="Ma photo", files=[fake])


def test_a_jpeg_named_png_is_refused(topic, colleague):
    jpeg = png(name="photo.png", image_format="JPEG")
    with refused(ValidationError, "« photo.png » is not really a .png file.", "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Ma photo", files=[jpeg])


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/<script>alert(1)</script>.png", "script.png"),
    ("<script>alert(1)<script>.png", "scriptalert(1)script.png"),
    ("C:\\Users\\karim\\Bureau\\capture.png", "capture.png"),
    ('ca"p\'t`u|r*e?.png', "capture.png"),
    ("..png", "fichier.png"),
    ('">.png', "fichier.png"),
    ("   ", "fichier"),
    ("../..", "fichier"),
    ("a\x00b\x1fc\x7f.png", "abc.png"),
    ("x" * 300 + ".png", "x" * 180 + ".png"),  # the extension is kept
])
def test_file_names_are_cleaned(raw, clean):
    """Path parts, quotes, angle brackets and control characters go; the extension stays."""
    assert uploads.clean_file_name(raw) == clean


def test_an_attachment_named_with_html_and_a_path_is_stored_under_a_clean_name(topic, colleague):
    upload = png(name="../../<img src=x onerror=alert(1)>.png")
    post = services.post_create(actor=colleague, topic=topic, body="Capture", files=[upload])
    attachment = Attachment.objects.get(post=post)
    assert attachment.name == "img src=x onerror=alert(1).png"
    assert not set(attachment.name) & set("<>\"'/\\")
    assert "/" not in attachment.stored_name and ".." not in attachment.file.name


def test_five_files_are_accepted_six_are_refused(topic, colleague):
    post = services.post_create(actor=colleague, topic=topic, body="Cinq", files=[png(f"{i}.png") for i in range(5)])
    assert post.attachments.count() == 5
    with refused(ValidationError, "At most 5 files per post.", "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Six", files=[png(f"{i}.png") for i in range(6)])


def test_a_file_over_ten_megabytes_is_refused(topic, colleague):
    big = SimpleUploadedFile("archive.zip", b"\0" * (10 * 1024 * 1024 + 1), content_type="application/zip")
    with refused(ValidationError, "« archive.zip » is larger than 10 MB.", "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Le gros fichier", files=[big])


def test_an_empty_file_is_refused_and_every_bad_file_is_named(topic, colleague):
    files = [SimpleUploadedFile("vide.txt", b""), png("bon.png"),
             SimpleUploadedFile("virus.bat", b"echo")]
    with refused(ValidationError, [
        "« vide.txt » is empty.",
        f"« virus.bat »: this type of file is not accepted (accepted: {ACCEPTED}).",
    ], "attachments"):
        services.post_create(actor=colleague, topic=topic, body="Trois fichiers", files=files)
    assert media_files() == []


# --- post_update ----------------------------------------------------------------------------


def test_the_author_edits_their_post_and_a_revision_keeps_the_old_text(reply, colleague):
    services.post_update(actor=colleague, post=reply, body="Redémarre-la **deux fois**.")
    post = fresh_post(reply)
    assert post.body == "Redémarre-la **deux fois**."
    assert post.html == "<p>Redémarre-la <strong>deux fois</strong>.</p>\n"
    assert post.edited_at is not None
    assert list(PostRevision.objects.values_list("post_id", "body", "title", "editor_id")) == [
        (reply.pk, "Redémarre-la.", "", colleague.pk)]
    assert ModerationLog.objects.filter(action="post_edited").count() == 0


def test_an_unchanged_text_makes_no_revision(reply, colleague):
    with nothing_saved():
        services.post_update(actor=colleague, post=reply, body="Redémarre-la.")
    assert fresh_post(reply).edited_at is None


def test_editing_the_opening_post_can_change_the_title(topic, member):
    opening = Post.objects.get(topic=topic, number=1)
    services.post_update(actor=member, post=opening, body="Qui a une **idée** ?", title="Imprimante HS")
    assert fresh_topic(topic).title == "Imprimante HS"
    assert list(PostRevision.objects.values_list("body", "title")) == [("Qui a une **idée** ?", "Imprimante en panne")]


def test_the_title_of_a_reply_is_ignored(reply, colleague, topic):
    services.post_update(actor=colleague, post=reply, body="Autre texte", title="x")
    assert fresh_topic(topic).title == "Imprimante en panne"


def test_someone_else_does_not_edit_a_post(reply, member, pending_user):
    for actor in (member, pending_user):
        with refused(PermissionDenied, "You cannot edit this post."):
            services.post_update(actor=actor, post=reply, body="Piraté")


def test_a_moderator_edits_someone_elses_post_and_it_is_logged(reply, coordinator, colleague):
    services.post_update(actor=coordinator, post=reply, body="[modéré]")
    post = fresh_post(reply)
    assert post.body == "[modéré]" and post.edited_at is not None
    assert PostRevision.objects.get().editor == coordinator
    assert log_actions() == [("post_edited", coordinator.pk, reply.topic_id, reply.pk)]


def test_the_author_does_not_edit_in_a_locked_topic_nor_a_hidden_post(reply, colleague, coordinator, topic):
    services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=True)
    with refused(PermissionDenied, "You cannot edit this post."):
        services.post_update(actor=colleague, post=reply, body="Changé")
    services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=False)
    services.post_hide(actor=coordinator, post=reply)
    with refused(PermissionDenied, "You cannot edit this post."):
        services.post_update(actor=colleague, post=reply, body="Changé")


def test_a_deleted_post_is_not_edited(reply, colleague, coordinator):
    services.post_delete(actor=colleague, post=reply)
    for actor in (colleague, coordinator):
        with refused(PermissionDenied, "You cannot edit this post."):
            services.post_update(actor=actor, post=reply, body="Changé")


def test_invalid_edits_are_refused(topic, member):
    opening = Post.objects.get(topic=topic, number=1)
    with refused(ValidationError, "The message is empty.", "body"):
        services.post_update(actor=member, post=opening, body="  ")
    with refused(ValidationError, "The title needs at least 3 characters.", "title"):
        services.post_update(actor=member, post=opening, body="Nouveau texte", title="no")
    with refused(ValidationError, "The message has 50\u202f001 characters; the limit is 50\u202f000. Split it in "
                                  "several posts or attach a document.", "body"):
        services.post_update(actor=member, post=opening, body="b" * 50_001)


# --- post_delete / post_restore / post_hide -------------------------------------------------


def test_the_author_deletes_their_reply(reply, colleague):
    services.post_delete(actor=colleague, post=reply)
    post = fresh_post(reply)
    assert post.deleted_at is not None and post.deleted_by == colleague
    assert log_actions() == []


def test_someone_else_does_not_delete_a_post(reply, member):
    with refused(PermissionDenied, "You cannot delete this post."):
        services.post_delete(actor=member, post=reply)


def test_a_moderator_deletes_a_post_and_restores_it(reply, coordinator):
    services.post_delete(actor=coordinator, post=reply)
    assert fresh_post(reply).deleted_by == coordinator
    services.post_restore(actor=coordinator, post=reply)
    post = fresh_post(reply)
    assert (post.deleted_at, post.deleted_by) == (None, None)
    assert [a for a, *_ in log_actions()] == ["post_deleted", "post_restored"]


def test_a_deleted_post_is_not_deleted_twice(reply, colleague):
    services.post_delete(actor=colleague, post=reply)
    with refused(PermissionDenied, "You cannot delete this post."):
        services.post_delete(actor=colleague, post=reply)


def test_only_moderators_restore(reply, colleague):
    services.post_delete(actor=colleague, post=reply)
    with refused(PermissionDenied, "Only moderators restore posts."):
        services.post_restore(actor=colleague, post=reply)


def test_the_author_does_not_delete_an_opening_post_others_replied_to(topic, reply, member):
    opening = Post.objects.get(topic=topic, number=1)
    with refused(ValidationError, "Others have replied: only a moderator can delete the whole topic now. "
                                  "You can edit your message."):
        services.post_delete(actor=member, post=opening)


def test_the_author_deletes_their_topic_by_its_opening_post_while_nobody_replied(topic, member):
    services.post_delete(actor=member, post=Post.objects.get(topic=topic, number=1))
    assert fresh_topic(topic).deleted_at is not None
    assert fresh_topic(topic).deleted_by == member


def test_a_moderator_deletes_a_topic_with_replies_by_its_opening_post(topic, reply, coordinator):
    services.post_delete(actor=coordinator, post=Post.objects.get(topic=topic, number=1))
    assert fresh_topic(topic).deleted_by == coordinator
    assert log_actions() == [("topic_deleted", coordinator.pk, topic.pk, None)]


def test_a_moderator_hides_and_shows_a_post(reply, coordinator):
    post = services.post_hide(actor=coordinator, post=reply)
    assert post.hidden_at is not None and not post.is_visible
    post = services.post_hide(actor=coordinator, post=reply, hidden=False)
    assert post.hidden_at is None
    assert [a for a, *_ in log_actions()] == ["post_hidden", "post_unhidden"]


@pytest.mark.parametrize("who", ["member", "colleague", "referent"])
def test_only_moderators_hide_posts(request, who, reply):
    with refused(PermissionDenied, "Only moderators hide posts."):
        services.post_hide(actor=request.getfixturevalue(who), post=reply)


# --- topic_set_flag / topic_delete / topic_restore ------------------------------------------


def test_a_moderator_pins_and_locks_a_topic(topic, coordinator):
    services.topic_set_flag(actor=coordinator, topic=topic, flag="pinned", value=True)
    services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=True)
    with nothing_saved():  # already locked: nothing to log
        services.topic_set_flag(actor=coordinator, topic=topic, flag="locked", value=True)
    services.topic_set_flag(actor=coordinator, topic=topic, flag="pinned", value=False)
    assert (fresh_topic(topic).pinned, fresh_topic(topic).locked) == (False, True)
    assert [a for a, *_ in log_actions()] == ["topic_pinned", "topic_locked", "topic_unpinned"]


def test_a_member_does_not_pin_nor_lock(topic, member):
    for flag in ("pinned", "locked"):
        with refused(PermissionDenied, "Only the moderators of this space do that."):
            services.topic_set_flag(actor=member, topic=topic, flag=flag, value=True)


def test_an_unknown_flag_is_a_programming_error(topic, coordinator):
    with nothing_saved(), pytest.raises(ValueError):
        services.topic_set_flag(actor=coordinator, topic=topic, flag="deleted_at", value=True)


def test_the_author_deletes_their_topic_without_replies(topic, member):
    services.topic_delete(actor=member, topic=topic)
    assert fresh_topic(topic).deleted_at is not None
    assert log_actions() == []


def test_the_author_does_not_delete_a_topic_with_replies(topic, reply, member, colleague):
    for actor in (member, colleague):
        with refused(PermissionDenied, "You cannot delete this topic."):
            services.topic_delete(actor=actor, topic=topic)


def test_a_moderator_deletes_and_restores_a_topic(topic, reply, coordinator, member):
    services.topic_delete(actor=coordinator, topic=topic)
    assert fresh_topic(topic).is_deleted
    with refused(PermissionDenied, "Only the moderators of this space do that."):
        services.topic_restore(actor=member, topic=topic)
    services.topic_restore(actor=coordinator, topic=topic)
    assert not fresh_topic(topic).is_deleted
    assert [a for a, *_ in log_actions()] == ["topic_deleted", "topic_restored"]


# --- topic_move -----------------------------------------------------------------------------


def test_a_coordinator_moves_a_topic_between_spaces_logged_in_both(topic, category, coordinator, territory_category):
    services.topic_move(actor=coordinator, topic=topic, category=territory_category)
    assert fresh_topic(topic).category == territory_category
    assert log_actions(category.space) == [("topic_moved", coordinator.pk, topic.pk, None)]
    assert log_actions(territory_category.space) == [("topic_moved", coordinator.pk, topic.pk, None)]
    assert ModerationLog.objects.filter(action="topic_moved").first().details == {
        "from": "Entraide", "to": "Vie du territoire"}


def test_a_local_admin_moves_topics_within_their_territory(referent, territory, territory_category, member):
    other = services.category_create(actor=referent, space=territory.space, name="Matériel")
    topic = services.topic_create(actor=member, category=territory_category, title="Ordinateurs", body="Dons")
    services.topic_move(actor=referent, topic=topic, category=other)
    assert fresh_topic(topic).category == other
    assert log_actions()[-1] == ("topic_moved", referent.pk, topic.pk, None)


def test_a_local_admin_does_not_move_a_topic_to_another_territory(
        referent, territory_category, other_territory_category, member):
    topic = services.topic_create(actor=member, category=territory_category, title="Ordinateurs", body="Dons")
    with refused(PermissionDenied, "You do not moderate the destination category."):
        services.topic_move(actor=referent, topic=topic, category=other_territory_category)


def test_a_local_admin_does_not_move_a_topic_out_of_the_network(referent, topic, territory_category):
    with refused(PermissionDenied, "Only the moderators of this space do that."):
        services.topic_move(actor=referent, topic=topic, category=territory_category)


def test_a_member_does_not_move_topics(member, topic, coordinator, network_space):
    other = services.category_create(actor=coordinator, space=network_space, name="Divers")
    with refused(PermissionDenied, "Only the moderators of this space do that."):
        services.topic_move(actor=member, topic=topic, category=other)


def test_moving_to_the_same_category_changes_nothing(coordinator, topic, category):
    with nothing_saved():
        services.topic_move(actor=coordinator, topic=topic, category=category)


# --- report_create / report_resolve ---------------------------------------------------------


def test_a_member_reports_a_post_and_the_moderators_are_told(reply, member, coordinator):
    report = services.report_create(actor=member, post=reply, reason="  Propos   déplacés ")
    assert (report.reporter, report.reason, report.status) == (member, "Propos déplacés", Report.Status.OPEN)
    assert (coordinator.pk, "forum.reported") in notifications()
    assert Notification.objects.get(verb="forum.reported").recipient == coordinator


def test_the_local_admins_of_a_territory_are_told_of_its_reports(territory_category, member, colleague, referent,
                                                                  coordinator):
    topic = services.topic_create(actor=member, category=territory_category, title="Un sujet", body="Texte")
    post = services.post_create(actor=colleague, topic=topic, body="Insulte")
    services.report_create(actor=member, post=post, reason="Propos injurieux")
    assert sorted(Notification.objects.filter(verb="forum.reported").values_list("recipient_id", flat=True)) == sorted(
        [referent.pk, coordinator.pk])


def test_a_post_is_not_reported_twice_by_the_same_person(reply, member):
    services.report_create(actor=member, post=reply, reason="Propos déplacés")
    with refused(ValidationError, "You have already reported this post; the moderators will look at it."):
        services.report_create(actor=member, post=reply, reason="Encore une fois")


def test_one_does_not_report_their_own_post_nor_a_post_they_cannot_see(
        reply, colleague, private_category, group_member, member, pending_user):
    with refused(PermissionDenied, "You cannot report this post."):
        services.report_create(actor=colleague, post=reply, reason="Je me dénonce")
    with refused(PermissionDenied, "You cannot report this post."):
        services.report_create(actor=pending_user, post=reply, reason="Pas encore membre")
    topic = services.topic_create(actor=group_member, category=private_category, title="Privé", body="Entre nous")
    with refused(PermissionDenied, "You cannot report this post."):
        services.report_create(actor=member, post=Post.objects.get(topic=topic), reason="Je ne devrais pas voir")


@pytest.mark.parametrize("reason, message", [
    ("  nul ", "Say in a few words what is wrong with this post."),
    ("r" * 1001, "The reason is limited to 1,000 characters."),
])
def test_a_report_needs_a_reason(reply, member, reason, message):
    with refused(ValidationError, message, "reason"):
        services.report_create(actor=member, post=reply, reason=reason)


def test_upholding_a_report_hides_the_post_and_closes_every_report_of_it(reply, member, coordinator, territory):
    third = UserFactory(territory=territory)
    first = services.report_create(actor=member, post=reply, reason="Propos déplacés")
    services.report_create(actor=third, post=reply, reason="Hors charte")
    report = services.report_resolve(actor=coordinator, report=first, uphold=True)
    assert report.status == Report.Status.UPHELD and report.resolved_by == coordinator
    assert list(Report.objects.values_list("status", "resolved_by_id")) == [
        ("upheld", coordinator.pk), ("upheld", coordinator.pk)]
    assert fresh_post(reply).hidden_at is not None
    assert log_actions() == [("report_upheld", coordinator.pk, reply.topic_id, reply.pk)]
    with refused(ValidationError, "This report was already handled."):
        services.report_resolve(actor=coordinator, report=first, uphold=False)


def test_dismissing_a_report_leaves_the_post_visible(reply, member, coordinator):
    report = services.report_create(actor=member, post=reply, reason="Propos déplacés")
    services.report_resolve(actor=coordinator, report=report, uphold=False)
    assert Report.objects.get().status == Report.Status.DISMISSED
    assert fresh_post(reply).hidden_at is None
    # Once handled, the same person may report the post again.
    assert services.report_create(actor=member, post=reply, reason="Il recommence").pk != report.pk


@pytest.mark.parametrize("who", ["colleague", "member", "referent"])
def test_only_moderators_resolve_reports(request, who, reply, member):
    report = services.report_create(actor=member, post=reply, reason="Propos déplacés")
    with refused(PermissionDenied, "Only the moderators of this space handle its reports."):
        services.report_resolve(actor=request.getfixturevalue(who), report=report, uphold=True)


# --- topic_mark_read / category_mark_read / subscription_set --------------------------------


def test_marking_a_topic_read_never_goes_backwards_and_stops_at_the_last_post(topic, reply, colleague, member):
    topic = fresh_topic(topic)
    services.topic_mark_read(user=member, topic=topic, number=2)
    assert TopicRead.objects.get(user=member, topic=topic).last_read_number == 2
    services.topic_mark_read(user=member, topic=topic, number=1)
    assert TopicRead.objects.get(user=member, topic=topic).last_read_number == 2
    third = UserFactory()
    services.topic_mark_read(user=third, topic=topic, number=99)
    assert TopicRead.objects.get(user=third, topic=topic).last_read_number == 2
    services.topic_mark_read(user=UserFactory(), topic=topic, number=-5)
    assert TopicRead.objects.filter(last_read_number=0).count() == 1


def test_a_pending_user_marks_nothing_read(topic, pending_user):
    with refused(PermissionDenied, "You cannot see this topic."):
        services.topic_mark_read(user=pending_user, topic=topic, number=1)


def test_an_outsider_does_not_mark_a_private_topic_read(private_category, group_member, member):
    """Every other service checks that the user may see what they act on (category_mark_read,
    subscription_set): marking read a topic one may not see must save nothing either."""
    topic = services.topic_create(actor=group_member, category=private_category, title="Privé", body="Entre nous")
    with refused(PermissionDenied, "You cannot see this topic."):
        services.topic_mark_read(user=member, topic=topic, number=1)


def test_marking_a_category_read(category, member):
    services.category_mark_read(user=member, category=category)
    first = CategoryRead.objects.get(user=member, category=category).read_at
    services.category_mark_read(user=member, category=category)
    assert CategoryRead.objects.filter(user=member).count() == 1
    assert CategoryRead.objects.get(user=member).read_at >= first


def test_an_outsider_does_not_mark_a_private_category_read(private_category, member, pending_user):
    for user in (member, pending_user):
        with refused(PermissionDenied, "You cannot see this category."):
            services.category_mark_read(user=user, category=private_category)


def test_setting_notification_levels(topic, category, colleague):
    assert services.subscription_set(user=colleague, topic=topic, level=Level.MUTED) == Level.MUTED
    services.subscription_set(user=colleague, topic=topic, level=str(Level.TRACKING))
    services.subscription_set(user=colleague, category=category, level=Level.WATCHING)
    assert list(TopicSubscription.objects.filter(user=colleague).values_list("topic_id", "level")) == [
        (topic.pk, Level.TRACKING)]
    assert list(CategorySubscription.objects.filter(user=colleague).values_list("category_id", "level")) == [
        (category.pk, Level.WATCHING)]


def test_an_unknown_level_is_refused(topic, colleague):
    with refused(ValidationError, "Unknown notification level."):
        services.subscription_set(user=colleague, topic=topic, level=7)


def test_a_subscription_needs_a_topic_or_a_category(colleague):
    with nothing_saved(), pytest.raises(ValueError):
        services.subscription_set(user=colleague, level=Level.WATCHING)


def test_outsiders_do_not_subscribe_to_what_they_cannot_see(private_category, group_member, member, pending_user,
                                                            coordinator, topic):
    topic_in_group = services.topic_create(actor=group_member, category=private_category, title="Privé",
                                           body="Entre nous")
    for user in (member, pending_user):
        with refused(PermissionDenied, "You cannot see this topic."):
            services.subscription_set(user=user, topic=topic_in_group, level=Level.WATCHING)
        with refused(PermissionDenied, "You cannot see this category."):
            services.subscription_set(user=user, category=private_category, level=Level.WATCHING)
    services.topic_delete(actor=coordinator, topic=topic)
    with refused(PermissionDenied, "You cannot see this topic."):  # deleted: for moderators only
        services.subscription_set(user=member, topic=Topic.objects.get(pk=topic.pk), level=Level.WATCHING)


def test_a_report_in_a_private_group_tells_its_managers_and_the_coordinators(
        private_category, group_member, group_manager, coordinator, member, territory):
    other_member = UserFactory(territory=territory)
    from workgroups.models import Membership
    Membership.objects.create(workgroup=private_category.space.workgroup, user=other_member, role="member")
    topic = services.topic_create(actor=group_member, category=private_category, title="Groupe", body="Texte")
    reply = services.post_create(actor=other_member, topic=topic, body="Insulte")
    services.report_create(actor=group_member, post=reply, reason="Propos injurieux")
    assert sorted(Notification.objects.filter(verb="forum.reported").values_list("recipient_id", flat=True)) == sorted(
        [group_manager.pk, coordinator.pk])


# --- what the adapters receive: ids and raw input -------------------------------------------


def test_services_take_the_ids_the_views_receive(category, topic, member, colleague, coordinator, territory_category):
    opening = Post.objects.get(topic=topic, number=1)
    reply = services.post_create(actor=colleague, topic=topic.pk, body="Par son id", reply_to=str(opening.pk))
    assert (reply.topic_id, reply.number, reply.reply_to_id) == (topic.pk, 2, opening.pk)
    services.post_update(actor=colleague, post=reply.pk, body="Modifié par son id")
    assert fresh_post(reply).body == "Modifié par son id"
    report = services.report_create(actor=member, post=reply.pk, reason="Propos déplacés")
    services.report_resolve(actor=coordinator, report=report.pk, uphold=False)
    assert Report.objects.get().status == Report.Status.DISMISSED
    moved = services.topic_move(actor=coordinator, topic=topic.pk, category=territory_category.pk)
    assert moved.category == territory_category
    services.topic_set_flag(actor=coordinator, topic=topic.pk, flag="pinned", value=True)
    services.subscription_set(user=colleague, topic=topic.pk, level="0")
    services.topic_mark_read(user=member, topic=topic.pk, number="2")
    assert (fresh_topic(topic).pinned, TopicSubscription.objects.get(user=colleague, topic=topic).level,
            TopicRead.objects.get(user=member, topic=topic).last_read_number) == (True, Level.MUTED, 2)
    renamed = services.category_update(actor=coordinator, category=category.pk, name="Entraide et conseils")
    assert renamed.name == "Entraide et conseils"


@pytest.mark.parametrize("reply_to", ["999999", "abc", "other topic"])
def test_a_reply_to_an_unknown_post_is_refused(topic, category, member, colleague, reply_to):
    if reply_to == "other topic":
        other = services.topic_create(actor=member, category=category, title="Autre sujet", body="Autre")
        reply_to = str(Post.objects.get(topic=other).pk)
    with refused(ValidationError, "You can only reply to a post of the same topic."):
        services.post_create(actor=colleague, topic=topic.pk, body="Réponse", reply_to=reply_to)


def test_an_empty_reply_to_is_no_reply_to(topic, colleague):
    for empty in (None, ""):
        assert services.post_create(actor=colleague, topic=topic.pk, body=f"Réponse {empty!r}",
                                    reply_to=empty).reply_to is None


def test_the_preview_validates_and_renders_the_text(member):
    assert services.body_preview("**gras**") == "<p><strong>gras</strong></p>\n"
    with pytest.raises(ValidationError) as error:
        services.body_preview(" \r\n ")
    assert error.value.message_dict == {"body": ["The message is empty."]}


def test_deleting_an_opening_post_as_its_author_is_not_logged_as_moderation(topic, member, coordinator, category):
    services.post_delete(actor=member, post=Post.objects.get(topic=topic, number=1).pk)
    own = services.topic_create(actor=coordinator, category=category, title="Le mien", body="Texte")
    services.topic_delete(actor=coordinator, topic=own.pk)  # a moderator deleting their own topic, alone
    assert (fresh_topic(topic).deleted_by, fresh_topic(own).deleted_by) == (member, coordinator)
    assert log_actions() == []
