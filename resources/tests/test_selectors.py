"""The library's reads (resources/selectors.py): who sees what, search and filters, badges,
collections, workshop kits, forum topics citing a resource, and flat query counts."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.models import Space
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    PendingUserFactory,
    ResourceFactory,
    ResourceTagFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
    WorkshopFactory,
    resource_file_make,
)
from extranet.testing.shared import building, shared_transaction
from forum.models import Category, Post, Topic
from members.models import User
from members.spaces import network_space
from resources import permissions, selectors, services
from resources.models import Collection, CollectionItem, KitStep, Resource, ResourceAuthor, WorkshopKit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

PEOPLE = ("coordinator", "author", "member", "pending", "anonymous")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            author = UserFactory(display_name="Aïcha Durand")
            data = {
                "coordinator": CoordinatorFactory(), "author": author, "member": UserFactory(),
                "pending": PendingUserFactory(),
                "draft": ResourceFactory(title="Brouillon secret", status="draft", published_at=None,
                                         created_by=author),
                "members": ResourceFactory(title="Fiche des membres", created_by=author),
                "public": ResourceFactory(title="Fiche publique", visibility="public", created_by=author),
                "public_draft": ResourceFactory(title="Brouillon public", visibility="public", status="draft",
                                                published_at=None, created_by=author),
            }
        yield data


@pytest.fixture
def w(world):
    fresh = dict(world)
    for key in ("coordinator", "author", "member", "pending"):
        fresh[key] = User.objects.get(pk=world[key].pk)
    fresh["anonymous"] = AnonymousUser()
    return fresh


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Visibility -------------------------------------------------------------------------------

# Which of the world's resources each person reads (written from the rules in permissions.py).
SEES = {
    "coordinator": {"draft", "members", "public", "public_draft"},
    "author": {"draft", "members", "public", "public_draft"},
    "member": {"members", "public"},
    "pending": {"public"},
    "anonymous": {"public"},
}
NAMES = ("draft", "members", "public", "public_draft")


@pytest.mark.parametrize("who", PEOPLE)
def test_resource_get_for_user_matrix(w, who):
    for name in NAMES:
        if name in SEES[who]:
            assert selectors.resource_get_for_user(w[who], w[name].pk).pk == w[name].pk
        else:
            with pytest.raises(Http404):
                selectors.resource_get_for_user(w[who], w[name].pk)


@pytest.mark.parametrize("who", PEOPLE)
def test_library_lists_what_each_one_reads(w, who):
    titles = {"draft": "Brouillon secret", "members": "Fiche des membres", "public": "Fiche publique",
              "public_draft": "Brouillon public"}
    published = {titles[name] for name in SEES[who] if name in ("members", "public")}
    drafts = {titles[name] for name in SEES[who] if name in ("draft", "public_draft")}
    assert {r.title for r in selectors.library(w[who])} == published
    assert {r.title for r in selectors.library(w[who], drafts=True)} == drafts


def test_mine_includes_drafts_and_coauthored_resources(w):
    coauthored = ResourceFactory(title="Écrite à deux", created_by=w["member"], authors=[w["member"], w["author"]])
    assert {r.title for r in selectors.library(w["author"], mine=True)} == {
        "Brouillon secret", "Fiche des membres", "Fiche publique", "Brouillon public", "Écrite à deux"}
    assert {r.title for r in selectors.library(w["member"], mine=True)} == {"Écrite à deux"}
    assert coauthored in selectors.library(w["author"], mine=True)


def test_public_reads(w):
    assert selectors.public_resource_get(w["public"].pk).title == "Fiche publique"
    for name in ("draft", "members", "public_draft"):
        with pytest.raises(Http404):
            selectors.public_resource_get(w[name].pk)
    with pytest.raises(Http404):
        selectors.public_resource_get("abc")
    assert [r.title for r in selectors.public_library()] == ["Fiche publique"]


def test_authors_come_in_their_order(w):
    second = UserFactory(display_name="Zoé Martin")
    resource = ResourceFactory(created_by=w["member"], authors=[second, w["member"]])
    got = selectors.resource_get_for_user(w["member"], resource.pk)
    assert [link.user.display_name for link in got.author_links.all()] == ["Zoé Martin", w["member"].display_name]


# --- Search and filters -----------------------------------------------------------------------


def test_search_every_word_across_title_and_a_pdfs_text(w):
    guide = ResourceFactory(title="Guide de la tablette", created_by=w["author"])
    resource_file_make(resource=guide, name="courriel.pdf", text="Configurer Thunderbird avec IMAP")
    services.search_text_rebuild(guide)
    other = ResourceFactory(title="Tablette numérique", created_by=w["author"])
    services.search_text_rebuild(other)
    assert [r.title for r in selectors.library(w["member"], q="tablette THUNDERBIRD")] == ["Guide de la tablette"]
    assert {r.title for r in selectors.library(w["member"], q="  Tablette ")} == {
        "Guide de la tablette", "Tablette numérique"}
    assert [r.title for r in selectors.library(w["member"], q="numerique")] == ["Tablette numérique"]
    assert [r.title for r in selectors.library(w["member"], q="NUMÉRIQUE")] == ["Tablette numérique"]
    assert [r.title for r in selectors.library(w["member"], q="courriel.pdf")] == ["Guide de la tablette"]
    assert list(selectors.library(w["member"], q="thunderbird outlook")) == []
    # A draft's words are found only by whoever reads the draft.
    assert list(selectors.library(w["member"], q="secret", drafts=True)) == []
    assert [r.title for r in selectors.library(w["author"], q="secret", drafts=True)] == ["Brouillon secret"]


def test_filters_by_tags_licence_and_kits(w):
    theme = ResourceTagFactory(kind="theme", name="Démarches")
    public = ResourceTagFactory(kind="public", name="Seniors", slug="seniors")
    both = ResourceFactory(title="Les deux", created_by=w["author"], licence="cc-by-4.0")
    both.tags.set([theme, public])
    only_theme = ResourceFactory(title="Thème seul", created_by=w["author"])
    only_theme.tags.set([theme])
    kit = ResourceFactory(title="Un kit", created_by=w["author"])
    KitStep.objects.create(resource=kit, title="Accueil")
    equipped = ResourceFactory(title="Du matériel", created_by=w["author"])
    equipped.equipment_items.add(ItemFactory())
    assert {r.title for r in selectors.library(w["member"], tag_slugs=["demarches"])} == {"Les deux", "Thème seul"}
    assert [r.title for r in selectors.library(w["member"], tag_slugs=["demarches", "seniors"])] == ["Les deux"]
    assert [r.title for r in selectors.library(w["member"], licence="cc-by-4.0")] == ["Les deux"]
    assert {r.title for r in selectors.library(w["member"], kits=True)} == {"Un kit", "Du matériel"}
    assert selectors.library(w["member"], licence="nonsense").count() == selectors.library(w["member"]).count()


def test_order_is_latest_published_first(w):
    now = timezone.now()
    old = ResourceFactory(title="Ancienne", created_by=w["author"], published_at=now - timezone.timedelta(days=9))
    new = ResourceFactory(title="Récente", created_by=w["author"], published_at=now + timezone.timedelta(days=1))
    titles = [r.title for r in selectors.library(w["member"])]
    assert titles[0] == "Récente" and titles[-1] == "Ancienne"
    assert [r.pk for r in selectors.recent_resources(w["member"], limit=1)] == [new.pk]
    assert old.pk not in [r.pk for r in selectors.recent_resources(w["member"], limit=2)]


def test_tag_choices(w):
    ResourceTagFactory(kind="theme", name="Banque")
    ResourceTagFactory(kind="public", name="Jeunes")
    choices = selectors.tag_choices()
    themes, publics = [t.name for t in choices["theme"]], [t.name for t in choices["public"]]
    assert "Banque" in themes and "Banque" not in publics
    assert "Jeunes" in publics and "Jeunes" not in themes


# --- Badge ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "total", "expected"), [
    (0, 0, None),
    (1, 4, ("Highly recommended", 4.0)),
    (2, 7, ("Highly recommended", 3.5)),
    (3, 10, ("Recommended", 10 / 3)),
    (2, 5, ("Recommended", 2.5)),
    (4, 9, ("Little recommended", 2.25)),
    (2, 3, ("Little recommended", 1.5)),
    (3, 4, ("Not recommended", 4 / 3)),
    (5, 5, ("Not recommended", 1.0)),
])
def test_badge_thresholds(count, total, expected):
    assert selectors.badge(Resource(rating_count=count, rating_sum=total)) == expected


def test_user_rating(w):
    services.rating_save(actor=w["member"], resource_id=w["members"].pk, score=3)
    assert selectors.user_rating(w["member"], w["members"]).score == 3
    assert selectors.user_rating(w["coordinator"], w["members"]) is None
    assert selectors.user_rating(w["anonymous"], w["members"]) is None


# --- Collections ------------------------------------------------------------------------------


def test_collections(w):
    favourites = services.collection_add(actor=w["member"], resource_id=w["members"].pk)
    services.collection_add(actor=w["member"], resource_id=w["public"].pk)
    shared = services.collection_create(actor=w["author"], name="Partagée", is_shared=True)
    services.collection_create(actor=w["author"], name="Privée")
    for name in ("draft", "public"):
        services.collection_add(actor=w["author"], resource_id=w[name].pk, collection_id=shared.pk)
    assert [(c.name, c.resource_count) for c in selectors.collections_of(w["member"])] == [("Favoris", 2)]
    assert [(c.name, c.resource_count) for c in selectors.shared_collections(w["member"])] == [("Partagée", 2)]
    assert list(selectors.shared_collections(w["author"])) == []
    assert list(selectors.collections_of(w["anonymous"])) == []
    # The member sees the shared collection, but not the draft in it.
    got = selectors.collection_get_for_user(w["member"], shared.pk)
    assert [r.title for r in selectors.collection_resources(got, w["member"])] == ["Fiche publique"]
    assert [r.title for r in selectors.collection_resources(got, w["author"])] == [
        "Fiche publique", "Brouillon secret"]
    private = Collection.objects.get(name="Privée")
    for who in ("member", "pending", "anonymous"):
        with pytest.raises(Http404):
            selectors.collection_get_for_user(w[who], private.pk)
    assert selectors.collections_holding(w["member"], w["public"]) == {favourites.pk}
    assert CollectionItem.objects.filter(collection=favourites).count() == 2


# --- Reports ----------------------------------------------------------------------------------


def test_open_reports(w):
    first = services.report_create(actor=w["member"], resource_id=w["members"].pk, reason="wrong")
    second = services.report_create(actor=w["coordinator"], resource_id=w["public"].pk, reason="outdated")
    services.report_handle(actor=w["coordinator"], report_id=first.pk, status="dismissed")
    assert list(selectors.open_reports()) == [second]


# --- Workshops --------------------------------------------------------------------------------


def test_kits_of_workshop_and_workshops_of_kit(w):
    workshop = WorkshopFactory(title="Atelier visible")
    proposal = WorkshopFactory(title="Proposition", status="proposed", proposed_by=w["author"])
    for resource in (w["members"], w["draft"]):
        WorkshopKit.objects.create(workshop=workshop, resource=resource)
    WorkshopKit.objects.create(workshop=proposal, resource=w["members"])
    assert [r.title for r in selectors.kits_of_workshop(workshop, w["member"])] == ["Fiche des membres"]
    assert [r.title for r in selectors.kits_of_workshop(workshop, w["author"])] == [
        "Fiche des membres", "Brouillon secret"]
    assert [x.title for x in selectors.workshops_of_kit(w["members"], w["member"])] == ["Atelier visible"]
    assert [x.title for x in selectors.workshops_of_kit(w["members"], w["author"])] == [
        "Proposition", "Atelier visible"]


def test_linkable_workshops_agree_with_the_rule(w):
    territory = TerritoryFactory(name="Causses")
    admin = UserFactory(referent_of=[territory])
    workshops = [WorkshopFactory(status=status, territory=territory if index % 2 else None,
                                 proposed_by=w["member"] if index < 3 else w["author"])
                 for index, status in enumerate(["proposed", "accepted", "scheduled", "held", "closed", "cancelled",
                                                 "refused", "proposed"])]
    for user in (w["coordinator"], w["member"], w["author"], admin, w["pending"], w["anonymous"]):
        expected = {x.pk for x in workshops if permissions.can_link_workshop(user, x)}
        got = {x.pk for x in selectors.linkable_workshops(user)} & {x.pk for x in workshops}
        assert got == expected, user
    assert {x.pk for x in selectors.linkable_workshops(w["member"])} == {workshops[0].pk}
    # Unsliced: a form may filter it.
    assert selectors.linkable_workshops(admin).filter(pk=workshops[1].pk).exists()


# --- Forum topics citing a resource -----------------------------------------------------------


def topic_with(category, body, **fields):
    topic = Topic.objects.create(category=category, title=f"Sujet {Topic.objects.count()}", **fields)
    Post.objects.create(topic=topic, number=1, body=body, html=body)
    return topic


def test_forum_topics_citing(w):
    pk = w["members"].pk
    network = Category.objects.create(space=network_space(), name="Entraide")
    group = WorkgroupFactory(visibility="private", members=[w["author"]])
    private = Category.objects.create(space=Space.objects.get(pk=group.space_id), name="Privé")
    desk = topic_with(network, f"Voir https://maillage.test/bureau/ressources/{pk}/ pour la suite")
    public = topic_with(network, f"Aussi [ici](/ressources/{pk}/fiche-des-membres/)")
    topic_with(network, f"Une autre : /bureau/ressources/{pk}0/")  # another resource
    topic_with(private, f"/bureau/ressources/{pk}/")
    topic_with(network, f"/ressources/{pk}/", deleted_at=timezone.now())
    hidden = topic_with(network, "Rien")
    Post.objects.create(topic=hidden, number=2, body=f"/ressources/{pk}/", html="", hidden_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        got = selectors.forum_topics_citing(w["members"], w["member"])
    assert {t.pk for t in got} == {desk.pk, public.pk}
    assert len(queries) <= 2
    assert len(selectors.forum_topics_citing(w["members"], w["author"])) == 3
    assert selectors.forum_topics_citing(w["members"], w["anonymous"]) == []


def test_licence_label(w):
    assert selectors.licence_label(Resource(licence="none")) == "All rights reserved"
    assert selectors.licence_label(Resource(licence="cc-by-4.0")) == "Creative Commons BY 4.0"


# --- Query counts -----------------------------------------------------------------------------


def _bulk_resources(count, author, tags):
    now = timezone.now()
    made = Resource.objects.bulk_create([
        Resource(title=f"Fiche {n}", slug=f"fiche-{n}", summary="Résumé", status="published",
                 visibility="public" if n % 2 else "members", created_by=author,
                 published_at=now - timezone.timedelta(minutes=n), search_text=f"fiche {n} résumé")
        for n in range(count)
    ])
    ResourceAuthor.objects.bulk_create([ResourceAuthor(resource=r, user=author) for r in made])
    Resource.tags.through.objects.bulk_create([
        Resource.tags.through(resource_id=r.pk, tag_id=tag.pk) for r in made for tag in tags])


def _page_queries(user):
    with CaptureQueriesContext(connection) as queries:
        page = list(selectors.library(user)[:20])
        count = selectors.library(user).count()
        for resource in page:
            [tag.name for tag in resource.tags.all()]
            [link.user.display_name for link in resource.author_links.all()]
    return len(queries), len(page), count


def test_a_page_of_the_library_costs_the_same_with_5000_resources(w):
    author = UserFactory()
    tags = [ResourceTagFactory(kind="theme", name="Bureautique"), ResourceTagFactory(kind="public", name="Tous")]
    _bulk_resources(5, author, tags)
    small = _page_queries(w["member"])
    _bulk_resources(4995, author, tags)
    large = _page_queries(w["member"])
    assert small[0] == large[0] == 4  # the page, its tags, its authors, the count
    assert (small[1], large[1]) == (7, 20)
    assert large[2] == 5002
