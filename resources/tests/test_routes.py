"""Every desk route of the library (/bureau/ressources/) for every kind of person: anonymous
(login), pending (waiting page), a member, an author, a moderator; a draft's outsider gets 404
on its page and its files; POST-only routes answer 405 to a GET. The world is built once."""

import pytest
from django.test import Client
from django.urls import reverse

from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    ResourceFactory,
    UserFactory,
    WorkshopFactory,
    resource_file_make,
)
from extranet.testing.shared import building, shared_transaction
from resources.models import Collection, Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]

PEOPLE = ("member", "author", "moderator")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            author = UserFactory(display_name="Autrice")
            member = UserFactory(display_name="Membre")
            moderator = CoordinatorFactory(display_name="Modératrice")
            pending = PendingUserFactory()
            published = ResourceFactory(title="Fiche publiée", created_by=author)
            draft = ResourceFactory(title="Brouillon", created_by=author, status="draft", published_at=None)
            published_file = resource_file_make(resource=published)
            draft_file = resource_file_make(resource=draft)
            thumb = resource_file_make(resource=published, name="photo.png", content=b"\x89PNG fake",
                                       content_type="image/png", is_image=True)
            thumb.thumbnail = published_file.blob.name  # any stored blob will do for the route
            thumb.save(update_fields=["thumbnail"])
            private = Collection.objects.create(owner=author, name="Privée")
            shared = Collection.objects.create(owner=author, name="Partagée", is_shared=True)
            report = Report.objects.create(resource=published, reporter=member, reason="outdated")
            workshop = WorkshopFactory(proposed_by=author, status="proposed")
            data = {"author": author, "member": member, "moderator": moderator, "pending": pending,
                    "published": published, "draft": draft, "published_file": published_file,
                    "draft_file": draft_file, "thumb": thumb, "private": private, "shared": shared,
                    "report": report, "workshop": workshop}
        yield data


def client_of(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def get_routes(w):
    """(name, url, {person: status}) of every GET route."""
    p, d = w["published"].pk, w["draft"].pk
    ok = {"member": 200, "author": 200, "moderator": 200}
    author_only = {"member": 403, "author": 200, "moderator": 200}
    draft_only = {"member": 404, "author": 200, "moderator": 200}
    return [
        ("index", reverse("ressources:index"), ok),
        ("index mine", reverse("ressources:index") + "?miennes=on", ok),
        ("create", reverse("ressources:create"), ok),
        ("detail", reverse("ressources:detail", args=[p]), ok),
        ("detail draft", reverse("ressources:detail", args=[d]), draft_only),
        ("edit", reverse("ressources:edit", args=[p]), author_only),
        ("edit draft", reverse("ressources:edit", args=[d]), draft_only),
        ("delete", reverse("ressources:delete", args=[p]), author_only),
        ("delete draft", reverse("ressources:delete", args=[d]), draft_only),
        ("file", reverse("ressources:file", args=[p, w["published_file"].pk]), ok),
        ("file draft", reverse("ressources:file", args=[d, w["draft_file"].pk]), draft_only),
        ("file of another resource", reverse("ressources:file", args=[p, w["draft_file"].pk]),
         {"member": 404, "author": 404, "moderator": 404}),
        ("preview", reverse("ressources:file-preview", args=[p, w["published_file"].pk]), ok),
        ("preview draft", reverse("ressources:file-preview", args=[d, w["draft_file"].pk]), draft_only),
        ("thumbnail", reverse("ressources:file-thumbnail", args=[p, w["thumb"].pk]), ok),
        ("thumbnail missing", reverse("ressources:file-thumbnail", args=[p, w["published_file"].pk]),
         {"member": 404, "author": 404, "moderator": 404}),
        ("thumbnail draft", reverse("ressources:file-thumbnail", args=[d, w["draft_file"].pk]),
         {"member": 404, "author": 404, "moderator": 404}),
        ("report", reverse("ressources:report", args=[p]), ok),
        ("report draft", reverse("ressources:report", args=[d]), {"member": 404, "author": 403, "moderator": 403}),
        ("reports", reverse("ressources:reports"), {"member": 403, "author": 403, "moderator": 200}),
        ("collections", reverse("ressources:collections"), ok),
        ("collection create", reverse("ressources:collection-create"), ok),
        ("private collection", reverse("ressources:collection", args=[w["private"].pk]),
         {"member": 404, "author": 200, "moderator": 404}),
        ("shared collection", reverse("ressources:collection", args=[w["shared"].pk]), ok),
        ("edit private collection", reverse("ressources:collection-edit", args=[w["private"].pk]),
         {"member": 404, "author": 200, "moderator": 404}),
        ("edit shared collection", reverse("ressources:collection-edit", args=[w["shared"].pk]),
         {"member": 403, "author": 200, "moderator": 403}),
        ("delete shared collection", reverse("ressources:collection-delete", args=[w["shared"].pk]),
         {"member": 403, "author": 200, "moderator": 403}),
    ]


def post_only_routes(w):
    p = w["published"].pk
    return [
        reverse("ressources:publish", args=[p]),
        reverse("ressources:unpublish", args=[p]),
        reverse("ressources:rate", args=[p]),
        reverse("ressources:workshop-link", args=[p]),
        reverse("ressources:workshop-unlink", args=[p, w["workshop"].pk]),
        reverse("ressources:report-handle", args=[w["report"].pk]),
        reverse("ressources:save", args=[p]),
        reverse("ressources:collection-remove", args=[w["shared"].pk, p]),
    ]


def test_every_get_route_for_every_person(world):
    clients = {person: client_of(world[person]) for person in PEOPLE}
    found = {}
    expected = {}
    for name, url, statuses in get_routes(world):
        for person in PEOPLE:
            found[(name, person)] = clients[person].get(url).status_code
            expected[(name, person)] = statuses[person]
    assert found == expected


def test_anonymous_and_pending_never_reach_a_route(world):
    anonymous, pending = client_of(None), client_of(world["pending"])
    for _name, url, _statuses in get_routes(world):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/compte/login/"), url
        response = pending.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("desk:pending"), url
    for url in post_only_routes(world):
        response = anonymous.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/compte/login/"), url


def test_post_only_routes_answer_405_to_a_get(world):
    client = client_of(world["moderator"])
    for url in post_only_routes(world):
        assert client.get(url).status_code == 405, url


def test_a_refusal_says_why(world):
    from extranet.testing.pages import english_client, soup, text_of

    page = english_client(world["member"]).get(reverse("ressources:edit", args=[world["published"].pk]))
    assert page.status_code == 403
    assert "Only its authors and the moderators may change this resource." in text_of(soup(page))
    page = english_client(world["member"]).get(reverse("ressources:reports"))
    assert "Only the moderators handle reports." in text_of(soup(page))


def test_an_outsider_cannot_act_on_a_draft(world):
    """Every POST about a draft one may not read is a 404, and changes nothing."""
    client = client_of(world["member"])
    d = world["draft"].pk
    for url in (reverse("ressources:publish", args=[d]), reverse("ressources:rate", args=[d]),
                reverse("ressources:save", args=[d]), reverse("ressources:delete", args=[d]),
                reverse("ressources:report", args=[d]), reverse("ressources:edit", args=[d])):
        assert client.post(url, {"title": "Pris", "score": "4", "reason": "wrong"}).status_code == 404, url
    world["draft"].refresh_from_db()
    assert (world["draft"].status, world["draft"].title) == ("draft", "Brouillon")


def test_files_are_served_as_their_route_says(world):
    client = client_of(world["member"])
    p, file = world["published"].pk, world["published_file"]
    download = client.get(reverse("ressources:file", args=[p, file.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == b"%PDF-1.4\n%fake\n"
    preview = client.get(reverse("ressources:file-preview", args=[p, file.pk]))
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["Content-Type"] == "application/pdf"
