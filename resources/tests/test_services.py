"""The library's writing services (resources/services.py): allowed, denied, invalid, and what
each one stores, notifies and logs. People, a workshop and equipment are built once."""

import os
from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import translation

from core.models import Activity, Notification
from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    PendingUserFactory,
    ResourceFactory,
    ResourceTagFactory,
    UserFactory,
    WorkshopFactory,
    resource_file_make,
)
from extranet.testing.shared import building, shared_transaction
from members.models import User
from resources import services
from resources.models import (
    Collection,
    CollectionItem,
    KitStep,
    Rating,
    Report,
    Resource,
    ResourceAuthor,
    ResourceFile,
    Tag,
    WorkshopKit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Blobs of this test under its own folder; messages in English."""
    root = tmp_path / "files"
    root.mkdir()
    settings.STORAGES = {**settings.STORAGES, "files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root, "base_url": None}}}
    with translation.override("en"):
        yield root


def blobs(root):
    found = []
    for folder, _dirs, names in os.walk(root):
        found += [os.path.relpath(os.path.join(folder, name), root) for name in names]
    return sorted(found)


def state():
    return {
        "resources": sorted(Resource.objects.values_list("pk", "title", "status", "summary", "visibility",
                                                         "rating_count", "rating_sum")),
        "authors": sorted(ResourceAuthor.objects.values_list("resource_id", "user_id", "position")),
        "tags": sorted(Tag.objects.values_list("kind", "slug")),
        "resource_tags": sorted(Resource.tags.through.objects.values_list("resource_id", "tag_id")),
        "files": sorted(ResourceFile.objects.values_list("pk", "name")),
        "steps": KitStep.objects.count(),
        "ratings": sorted(Rating.objects.values_list("resource_id", "user_id", "score")),
        "reports": sorted(Report.objects.values_list("pk", "status")),
        "collections": sorted(Collection.objects.values_list("pk", "name", "is_shared", "is_default")),
        "items": CollectionItem.objects.count(),
        "kits": WorkshopKit.objects.count(),
        "notifications": assertions.notifications(),
        "activities": Activity.objects.count(),
    }


refused = partial(assertions.refused, state)
nothing_saved = partial(assertions.nothing_saved, state)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = {
                "coordinator": CoordinatorFactory(display_name="Claire Coordination"),
                "author": UserFactory(display_name="Aïcha Durand"),
                "coauthor": UserFactory(display_name="Bruno Petit"),
                "member": UserFactory(display_name="Marc Lenoir"),
                "pending": PendingUserFactory(display_name="Paula Attente"),
                "theme": ResourceTagFactory(kind="theme", name="Smartphone"),
                "public": ResourceTagFactory(kind="public", name="Seniors", slug="seniors"),
                "item": ItemFactory(name="Tablette A"),
                "retired": ItemFactory(name="Vieille tablette", status="retired"),
            }
            data["kit"] = KitFactory(name="Kit visio")
            data["workshop"] = WorkshopFactory(title="Atelier smartphone")
        yield data


@pytest.fixture
def w(world):
    fresh = dict(world)
    for key in ("coordinator", "author", "coauthor", "member", "pending"):
        fresh[key] = User.objects.get(pk=world[key].pk)
    return fresh


def txt(name="notes.txt", data=b"Pas a pas pour installer une application.\n"):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def exe(name="outil.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, content_type="application/pdf")


def create(w, actor=None, **fields):
    arguments = {"title": "Installer une application", "summary": "Pas à pas sur Android."}
    arguments.update(fields)
    return services.resource_create(actor=actor or w["author"], **arguments)


def published(w, **fields):
    fields.setdefault("created_by", w["author"])
    return ResourceFactory(**fields)


# --- resource_create --------------------------------------------------------------------------


def test_create_makes_a_draft_with_everything(w, private_files):
    resource = create(
        w, body="## Étapes\n\n1. Ouvrir le **Play Store**\n<script>alert(1)</script>",
        licence="cc-by-sa-4.0", visibility="public", tag_ids=[w["public"].pk, w["theme"].pk],
        new_themes="Applications, applications ,\n Sécurité\n\n", new_publics="Jeunes",
        author_ids=[w["coauthor"].pk, w["author"].pk], uploads=[txt(), assertions.png("capture.png")],
        steps=[{"title": "Accueil", "body": "Se présenter", "duration_minutes": "10"},
               {"title": "", "body": "", "duration_minutes": None},
               {"title": "Pratique", "body": "", "duration_minutes": None}],
        equipment_item_ids=[w["item"].pk], equipment_kit_ids=[w["kit"].pk],
    )
    resource.refresh_from_db()
    assert (resource.status, resource.visibility, resource.licence, resource.slug, resource.published_at) == (
        "draft", "public", "cc-by-sa-4.0", "installer-une-application", None)
    # "## Étapes", the body's highest heading, is an h3 under the page's h2 (markdown.render's top_level).
    assert "<strong>Play Store</strong>" in resource.body_html and "<h3>Étapes</h3>" in resource.body_html
    assert "<script>" not in resource.body_html
    assert list(resource.author_links.values_list("user__display_name", "position")) == [
        ("Aïcha Durand", 0), ("Bruno Petit", 1)]
    assert sorted(resource.tags.values_list("kind", "name")) == [
        ("public", "Jeunes"), ("public", "Seniors"), ("theme", "Applications"), ("theme", "Smartphone"),
        ("theme", "Sécurité")]
    assert list(resource.steps.values_list("title", "duration_minutes", "position")) == [
        ("Accueil", 10, 0), ("Pratique", None, 1)]
    assert list(resource.equipment_items.all()) == [w["item"]]
    assert list(resource.equipment_kits.all()) == [w["kit"]]
    files = list(resource.files.order_by("position"))
    assert [(f.name, f.position, f.content_type, f.is_image, f.uploaded_by_id) for f in files] == [
        ("notes.txt", 0, "text/plain", False, w["author"].pk), ("capture.png", 1, "image/png", True, w["author"].pk)]
    assert "installer une application" in files[0].text.lower()
    assert files[1].thumbnail.name
    assert len(blobs(private_files)) == 3  # two files and a thumbnail
    text = resource.search_text
    for words in ("installer une application", "pas à pas sur android", "play store", "sécurité", "seniors",
                  "bruno petit", "aïcha durand", "notes.txt", "pas a pas pour installer", "accueil", "securite",
                  "aicha"):
        assert words in text, words
    assert text == text.lower()
    # The co-author is told; the actor is not.
    assert assertions.notifications() == [(w["coauthor"].pk, "resources.author_added")]


def test_create_reuses_tags_of_the_same_slug(w):
    resource = create(w, new_themes="smartphone, SMARTPHONE", new_publics="seniors")
    assert sorted(resource.tags.values_list("pk", flat=True)) == sorted([w["theme"].pk, w["public"].pk])
    assert Tag.objects.filter(slug="smartphone").count() == 1


@pytest.mark.parametrize("who", ["pending", "anonymous"])
def test_create_denied(w, who, private_files):
    actor = AnonymousUser() if who == "anonymous" else w[who]
    with refused(PermissionDenied, "Only the network's members may write resources."):
        create(w, actor, uploads=[txt()])
    assert blobs(private_files) == []


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"title": "   "}, "title", "Give the resource a title."),
    ({"title": "x" * 201}, "title", "The title is too long (200 characters at most)."),
    ({"summary": "x" * 601}, "summary", "The summary is too long (600 characters at most)."),
    ({"licence": "wtfpl"}, "licence", "Choose a licence from the list."),
    ({"visibility": "world"}, "visibility", "Choose who may read the resource."),
    ({"tag_ids": [999999]}, "tag_ids", "Choose the themes and publics from the list."),
    ({"new_themes": "Bien, !!!"}, "new_themes", "“!!!” cannot be a tag: use letters or digits."),
    ({"new_publics": "y" * 81}, "new_publics",
     f"“{'y' * 40}…” is too long for a tag (80 characters at most)."),
    ({"new_themes": ", ".join(f"Thème neuf {n}" for n in range(11))}, "new_themes", "At most 10 new tags at once."),
    ({"author_ids": [999999]}, "author_ids", "One of the chosen authors is not a member of the network."),
    ({"author_ids": ["x"]}, "author_ids", "Choose the authors among the network's members."),
    ({"steps": [{"title": "", "body": "Sans titre", "duration_minutes": None}]}, "steps",
     "Step 1 needs a title."),
    ({"steps": [{"title": "Long", "body": "", "duration_minutes": "0"}]}, "steps",
     "Step 1: the duration is a number of minutes from 1 to 1440."),
    ({"equipment_item_ids": [999999]}, "equipment_item_ids", "This equipment is not in the catalogue."),
])
def test_create_invalid(w, fields, field, message):
    with refused(ValidationError, message, field=field):
        create(w, **fields)


def test_an_author_must_be_approved(w):
    with refused(ValidationError, "Paula Attente is not an approved member of the network: only members can be "
                                  "authors.", field="author_ids"):
        create(w, author_ids=[w["pending"].pk])


def test_retired_equipment_cannot_be_added(w):
    with refused(ValidationError, "Vieille tablette is retired and can no longer be borrowed.",
                 field="equipment_item_ids"):
        create(w, equipment_item_ids=[w["retired"].pk])


def test_a_bad_file_saves_nothing_and_stores_nothing(w, private_files):
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        create(w, uploads=[txt(), exe()])
    assert list(excinfo.value.message_dict) == ["uploads"]
    assert len(excinfo.value.message_dict["uploads"]) == 1
    assert "outil.pdf" in excinfo.value.message_dict["uploads"][0]
    assert blobs(private_files) == []


def test_several_errors_at_once(w):
    with pytest.raises(ValidationError) as excinfo:
        create(w, title="", uploads=[exe()], author_ids=[999999])
    assert sorted(excinfo.value.message_dict) == ["author_ids", "title", "uploads"]


def test_a_failure_after_storing_deletes_the_blobs(w, private_files, monkeypatch):
    def broken(resource):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "search_text_rebuild", broken)
    with nothing_saved(), pytest.raises(RuntimeError):
        create(w, uploads=[txt(), assertions.png()])
    assert blobs(private_files) == []


# --- resource_update --------------------------------------------------------------------------


def test_update_changes_what_is_given_and_keeps_the_rest(w, private_files, django_capture_on_commit_callbacks):
    resource = create(w, body="Avant", tag_ids=[w["theme"].pk], uploads=[txt("a.txt"), txt("b.txt")],
                      steps=[{"title": "Un", "body": "", "duration_minutes": None}])
    first, second = resource.files.order_by("position")
    assert len(blobs(private_files)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.resource_update(
            actor=w["author"], resource_id=str(resource.pk), title="Installer WhatsApp",
            author_ids=[w["author"].pk, w["member"].pk], remove_file_ids=[first.pk, 999999],
            uploads=[txt("c.txt", b"Nouvelle version du guide\n")], new_publics="Familles")
    updated.refresh_from_db()
    assert (updated.title, updated.slug, updated.body, updated.summary) == (
        "Installer WhatsApp", "installer-whatsapp", "Avant", "Pas à pas sur Android.")
    assert sorted(updated.tags.values_list("name", flat=True)) == ["Familles", "Smartphone"]
    assert updated.steps.count() == 1
    assert list(updated.files.order_by("position").values_list("name", "position")) == [("b.txt", 1), ("c.txt", 2)]
    assert len(blobs(private_files)) == 2  # a.txt's blob went on commit
    assert first.blob.name not in blobs(private_files) and second.blob.name in blobs(private_files)
    assert "nouvelle version du guide" in updated.search_text and "whatsapp" in updated.search_text
    assert "a.txt" not in updated.search_text
    assert assertions.notifications() == [(w["member"].pk, "resources.author_added")]
    assert not Activity.objects.filter(verb="resources.updated").exists()  # a draft: no log


def test_update_by_a_moderator_of_a_published_resource_is_logged(w):
    resource = published(w, title="Guide")
    services.resource_update(actor=w["coordinator"], resource_id=resource.pk, title="Guide revu", body="Texte")
    assert list(Activity.objects.filter(verb="resources.updated").values_list("actor_id", "target_label")) == [
        (w["coordinator"].pk, "Guide revu")]


def test_update_denied_to_a_member_who_is_not_an_author(w):
    resource = published(w)
    with refused(PermissionDenied, "Only its authors and the moderators may change this resource."):
        services.resource_update(actor=w["member"], resource_id=resource.pk, title="Volé")


def test_a_draft_is_a_404_to_an_outsider(w):
    resource = create(w)
    with nothing_saved(), pytest.raises(Http404):
        services.resource_update(actor=w["member"], resource_id=resource.pk, title="Volé")
    with nothing_saved(), pytest.raises(Http404):
        services.resource_publish(actor=w["member"], resource_id=resource.pk)
    with nothing_saved(), pytest.raises(Http404):
        services.resource_update(actor=w["member"], resource_id="abc", title="Volé")


def test_update_keeps_one_author(w):
    resource = create(w)
    with refused(ValidationError, "A resource keeps at least one author.", field="author_ids"):
        services.resource_update(actor=w["author"], resource_id=resource.pk, title="T", author_ids=[])


def test_a_published_resource_keeps_its_summary(w):
    resource = published(w)
    with refused(ValidationError, "A published resource needs a summary.", field="summary"):
        services.resource_update(actor=w["author"], resource_id=resource.pk, title="T", summary=" ")


def test_update_with_a_bad_file_stores_nothing(w, private_files):
    resource = create(w)
    with nothing_saved(), pytest.raises(ValidationError):
        services.resource_update(actor=w["author"], resource_id=resource.pk, title="T", uploads=[exe()])
    assert blobs(private_files) == []


# --- publish / unpublish / delete --------------------------------------------------------------


def test_publish_needs_a_summary(w):
    resource = create(w, summary="")
    with refused(ValidationError, "Write a summary before publishing the resource.", field="summary"):
        services.resource_publish(actor=w["author"], resource_id=resource.pk)


def test_publish_then_unpublish_by_a_moderator(w):
    resource = create(w, author_ids=[w["coauthor"].pk])
    Notification.objects.all().delete()
    done = services.resource_publish(actor=w["author"], resource_id=resource.pk)
    assert done.status == "published" and done.published_at is not None
    first_published = done.published_at
    assert list(Activity.objects.filter(verb="resources.published").values_list(
        "actor_id", "target_label", "space__kind")) == [(w["author"].pk, "Installer une application", "network")]
    again = services.resource_publish(actor=w["author"], resource_id=resource.pk)
    assert again.published_at == first_published
    assert Activity.objects.filter(verb="resources.published").count() == 1

    services.resource_unpublish(actor=w["coordinator"], resource_id=resource.pk, reason="Liens morts")
    resource.refresh_from_db()
    assert resource.status == "draft" and resource.published_at == first_published
    assert assertions.notifications() == sorted([(w["author"].pk, "resources.unpublished"),
                                                 (w["coauthor"].pk, "resources.unpublished")])
    assert set(Notification.objects.values_list("target_label", flat=True)) == {
        "Installer une application (Liens morts)"}
    services.resource_publish(actor=w["author"], resource_id=resource.pk)
    resource.refresh_from_db()
    assert resource.published_at == first_published


def test_an_author_unpublishing_tells_nobody(w):
    resource = published(w)
    services.resource_unpublish(actor=w["author"], resource_id=resource.pk)
    assert assertions.notifications() == []


def test_publish_denied(w):
    resource = published(w, status="draft", published_at=None, authors=[w["author"], w["coauthor"]])
    public = published(w, visibility="public")
    with refused(PermissionDenied, "Only the network's members may write resources."):
        services.resource_publish(actor=w["pending"], resource_id=public.pk)
    other = published(w)
    with refused(PermissionDenied, "Only its authors and the moderators may change this resource."):
        services.resource_unpublish(actor=w["member"], resource_id=other.pk)
    assert services.resource_publish(actor=w["coauthor"], resource_id=resource.pk).status == "published"


def test_delete_removes_the_blobs_on_commit(w, private_files, django_capture_on_commit_callbacks):
    resource = create(w, uploads=[txt(), assertions.png()])
    assert len(blobs(private_files)) == 3
    someone_else = published(w)
    with refused(PermissionDenied, "Only its authors and the moderators may change this resource."):
        services.resource_delete(actor=w["member"], resource_id=someone_else.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_delete(actor=w["author"], resource_id=resource.pk)
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert blobs(private_files) == []


# --- counters ---------------------------------------------------------------------------------


def test_views_are_not_counted_for_authors(w):
    resource = Resource.objects.prefetch_related("authors").get(pk=published(w).pk)
    services.resource_viewed(resource=resource, user=w["author"])
    services.resource_viewed(resource=resource, user=w["member"])
    services.resource_viewed(resource=resource, user=AnonymousUser(), viewer="192.0.2.1")
    resource.refresh_from_db()
    assert resource.views == 2


def test_a_reader_coming_back_is_counted_once(w):
    resource = Resource.objects.prefetch_related("authors").get(pk=published(w).pk)
    for _ in range(3):  # the page shown again after rating, saving...
        services.resource_viewed(resource=resource, user=w["member"])
        services.resource_viewed(resource=resource, user=AnonymousUser(), viewer="192.0.2.1")
    services.resource_viewed(resource=resource, user=AnonymousUser(), viewer="192.0.2.2")
    resource.refresh_from_db()
    assert resource.views == 3  # the member, and two visitors' addresses


def test_a_download_counts_for_the_file_and_the_resource(w):
    resource = published(w)
    file = resource_file_make(resource=resource)
    services.resource_file_downloaded(file=file)
    services.resource_file_downloaded(file=file)
    file.refresh_from_db()
    resource.refresh_from_db()
    assert (file.downloads, resource.downloads) == (2, 2)


# --- ratings ----------------------------------------------------------------------------------


def test_rating_is_saved_then_changed_then_withdrawn(w):
    resource = published(w)
    rating = services.rating_save(actor=w["member"], resource_id=resource.pk, score="4", comment=" Très clair ")
    assert (rating.score, rating.comment) == (4, "Très clair")
    services.rating_save(actor=w["coauthor"], resource_id=resource.pk, score=1)
    resource.refresh_from_db()
    assert (resource.rating_count, resource.rating_sum) == (2, 5)
    services.rating_save(actor=w["member"], resource_id=resource.pk, score=2)
    resource.refresh_from_db()
    assert (resource.rating_count, resource.rating_sum) == (2, 3)
    services.rating_delete(actor=w["member"], resource_id=resource.pk)
    services.rating_delete(actor=w["member"], resource_id=resource.pk)  # nothing left: nothing happens
    resource.refresh_from_db()
    assert (resource.rating_count, resource.rating_sum) == (1, 1)


@pytest.mark.parametrize(("who", "kind", "message"), [
    ("author", "published", "You cannot rate your own resource."),
    ("coordinator", "draft", "A draft cannot be rated."),
    ("pending", "public", "Log in as a member of the network to rate this resource."),
])
def test_rating_denied(w, who, kind, message):
    fields = {"draft": {"status": "draft"}, "public": {"visibility": "public"}, "published": {}}[kind]
    resource = published(w, **fields)
    with refused(PermissionDenied, message):
        services.rating_save(actor=w[who], resource_id=resource.pk, score=3)


@pytest.mark.parametrize(("score", "comment", "field", "message"), [
    (5, "", "score", "Choose a rating from 1 to 4."),
    ("trois", "", "score", "Choose a rating from 1 to 4."),
    (3, "x" * 2001, "comment", "The comment is too long (2,000 characters at most)."),
])
def test_rating_invalid(w, score, comment, field, message):
    resource = published(w)
    with refused(ValidationError, message, field=field):
        services.rating_save(actor=w["member"], resource_id=resource.pk, score=score, comment=comment)


# --- reports ----------------------------------------------------------------------------------


def test_report_tells_the_coordinators_and_handling_tells_the_reporter(w):
    resource = published(w)
    report = services.report_create(actor=w["member"], resource_id=resource.pk, reason="outdated",
                                    comment="Android 9")
    assert (report.status, report.reason, report.comment, report.reporter) == (
        "open", "outdated", "Android 9", w["member"])
    assert (w["coordinator"].pk, "resources.reported") in assertions.notifications()
    assert Notification.objects.get(recipient=w["coordinator"]).url == "/bureau/ressources/signalements/"
    with refused(ValidationError, "You have already reported this resource."):
        services.report_create(actor=w["member"], resource_id=resource.pk, reason="wrong")
    with refused(PermissionDenied, "Only the moderators handle reports."):
        services.report_handle(actor=w["author"], report_id=report.pk, status="resolved")
    with refused(ValidationError, "Choose whether the report is resolved or dismissed.", field="status"):
        services.report_handle(actor=w["coordinator"], report_id=report.pk, status="open")
    handled = services.report_handle(actor=w["coordinator"], report_id=report.pk, status="resolved",
                                     note="Mis à jour")
    assert (handled.status, handled.handled_by, handled.handled_note) == ("resolved", w["coordinator"], "Mis à jour")
    assert (w["member"].pk, "resources.report_handled") in assertions.notifications()
    with refused(ValidationError, "This report was already handled."):
        services.report_handle(actor=w["coordinator"], report_id=report.pk, status="dismissed")
    # Handled: the member may report it again.
    services.report_create(actor=w["member"], resource_id=resource.pk, reason="duplicate")


@pytest.mark.parametrize(("who", "kind", "exception", "message"), [
    ("member", "draft", Http404, None),
    ("author", "draft", PermissionDenied, "A draft cannot be reported."),
    ("pending", "public", PermissionDenied, "Log in as a member of the network to report this resource."),
])
def test_report_denied(w, who, kind, exception, message):
    resource = published(w, **({"status": "draft"} if kind == "draft" else {"visibility": "public"}))
    if message is None:
        with nothing_saved(), pytest.raises(exception):
            services.report_create(actor=w[who], resource_id=resource.pk, reason="wrong")
    else:
        with refused(exception, message):
            services.report_create(actor=w[who], resource_id=resource.pk, reason="wrong")


def test_report_invalid_reason(w):
    resource = published(w)
    with refused(ValidationError, "Choose a reason from the list.", field="reason"):
        services.report_create(actor=w["member"], resource_id=resource.pk, reason="boring")


# --- collections ------------------------------------------------------------------------------


def test_favourites_are_made_on_first_save_and_saving_twice_is_once(w):
    resource, other = published(w), published(w)
    favourites = services.collection_add(actor=w["member"], resource_id=resource.pk)
    assert (favourites.name, favourites.is_default, favourites.owner) == ("Favoris", True, w["member"])
    assert services.collection_add(actor=w["member"], resource_id=resource.pk).pk == favourites.pk
    services.collection_add(actor=w["member"], resource_id=other.pk, collection_id=favourites.pk)
    assert list(CollectionItem.objects.filter(collection=favourites).values_list("resource_id", "position")) == [
        (resource.pk, 1), (other.pk, 2)]
    services.collection_remove(actor=w["member"], collection_id=favourites.pk, resource_id=resource.pk)
    assert list(favourites.resources.all()) == [other]


def test_collections_create_update_delete(w):
    mine = services.collection_create(actor=w["member"], name="  Ateliers   seniors ", description="Pour mars")
    assert (mine.name, mine.is_shared, mine.is_default) == ("Ateliers seniors", False, False)
    with refused(ValidationError, "You already have a collection with this name.", field="name"):
        services.collection_create(actor=w["member"], name="ateliers SENIORS")
    with refused(ValidationError, "Give the collection a name.", field="name"):
        services.collection_create(actor=w["member"], name=" ")
    shared = services.collection_update(actor=w["member"], collection_id=mine.pk, name="Seniors",
                                        is_shared=True)
    assert (shared.name, shared.description, shared.is_shared) == ("Seniors", "", True)
    with refused(PermissionDenied, "Only its owner changes this collection."):
        services.collection_delete(actor=w["coauthor"], collection_id=mine.pk)
    services.collection_delete(actor=w["member"], collection_id=mine.pk)
    assert not Collection.objects.filter(pk=mine.pk).exists()


def test_the_default_collection_is_shared_but_never_renamed_or_deleted(w):
    favourites = services.collection_add(actor=w["member"], resource_id=published(w).pk)
    with refused(ValidationError, "Your favourites keep their name.", field="name"):
        services.collection_update(actor=w["member"], collection_id=favourites.pk, name="Mes trucs")
    with refused(ValidationError, "Your favourites cannot be deleted."):
        services.collection_delete(actor=w["member"], collection_id=favourites.pk)
    assert services.collection_update(actor=w["member"], collection_id=favourites.pk, name="Favoris",
                                      is_shared=True).is_shared


def test_collections_denied(w):
    private = services.collection_create(actor=w["member"], name="Privée")
    with refused(PermissionDenied, "Only the network's members keep collections."):
        services.collection_create(actor=w["pending"], name="Moi")
    resource = published(w)
    with nothing_saved(), pytest.raises(Http404):  # someone else's private collection
        services.collection_add(actor=w["coauthor"], resource_id=resource.pk, collection_id=private.pk)
    draft = published(w, status="draft")
    with nothing_saved(), pytest.raises(Http404):  # a draft one may not read
        services.collection_add(actor=w["member"], resource_id=draft.pk)


# --- workshop kits ----------------------------------------------------------------------------


def test_a_workshop_manager_links_a_kit_once(w):
    resource = published(w)
    link = services.workshop_kit_link(actor=w["coordinator"], resource_id=resource.pk, workshop_id=w["workshop"].pk)
    assert (link.workshop, link.resource, link.added_by) == (w["workshop"], resource, w["coordinator"])
    again = services.workshop_kit_link(actor=w["coordinator"], resource_id=resource.pk,
                                       workshop_id=w["workshop"].pk)
    assert again.pk == link.pk
    services.workshop_kit_unlink(actor=w["coordinator"], resource_id=resource.pk, workshop_id=w["workshop"].pk)
    assert not WorkshopKit.objects.exists()


def test_workshop_kit_link_refused(w):
    resource = published(w)
    with refused(PermissionDenied,
                 "Only the coordination and the local admins of its territory can change this workshop."):
        services.workshop_kit_link(actor=w["author"], resource_id=resource.pk, workshop_id=w["workshop"].pk)
    draft = published(w, status="draft")
    with refused(ValidationError, "Publish this resource before pointing a workshop to it."):
        services.workshop_kit_link(actor=w["coordinator"], resource_id=draft.pk, workshop_id=w["workshop"].pk)
    closed = WorkshopFactory(status="closed")
    with refused(ValidationError, "This workshop is closed: it can no longer change."):
        services.workshop_kit_link(actor=w["coordinator"], resource_id=resource.pk, workshop_id=closed.pk)


def test_a_proposer_links_their_own_draft_to_their_proposal(w):
    proposal = WorkshopFactory(status="proposed", proposed_by=w["author"])
    draft = create(w)
    link = services.workshop_kit_link(actor=w["author"], resource_id=draft.pk, workshop_id=proposal.pk)
    assert link.resource_id == draft.pk


def test_unlink_and_remove_denied(w):
    resource = published(w)
    services.workshop_kit_link(actor=w["coordinator"], resource_id=resource.pk, workshop_id=w["workshop"].pk)
    with refused(PermissionDenied,
                 "Only the coordination and the local admins of its territory can change this workshop."):
        services.workshop_kit_unlink(actor=w["member"], resource_id=resource.pk, workshop_id=w["workshop"].pk)
    shared = services.collection_create(actor=w["member"], name="Partagée", is_shared=True)
    services.collection_add(actor=w["member"], resource_id=resource.pk, collection_id=shared.pk)
    with refused(PermissionDenied, "Only its owner changes this collection."):
        services.collection_remove(actor=w["coauthor"], collection_id=shared.pk, resource_id=resource.pk)
    with refused(PermissionDenied, "Only its owner changes this collection."):
        services.collection_add(actor=w["coauthor"], resource_id=resource.pk, collection_id=shared.pk)


def test_rating_delete_denied_to_a_pending_account(w):
    resource = published(w, visibility="public")
    services.rating_save(actor=w["member"], resource_id=resource.pk, score=4)
    with refused(PermissionDenied, "Log in as a member of the network to rate this resource."):
        services.rating_delete(actor=w["pending"], resource_id=resource.pk)
