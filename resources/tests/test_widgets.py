"""The dashboard widget "Ressources récentes" and the workshop pages' kit sections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.dashboard import WIDGETS, default_order
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    ResourceFactory,
    SessionFactory,
    UserFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, soup
from resources import widgets
from resources.models import KitStep, WorkshopKit
from workshops.pages import session_sections, workshop_sections

pytestmark = pytest.mark.django_db


def widget_context(user):
    request = RequestFactory().get("/bureau/")
    request.user = user
    return widgets.recent(request)


def test_the_widget_comes_after_the_others():
    order = default_order()
    assert WIDGETS["recent-resources"].order == 50
    for earlier in ("notifications", "activity-stream", "forum-unread", "chat-unread", "upcoming-events",
                    "my-workshops", "my-groups", "venue-members", "my-loans"):
        assert order.index(earlier) < order.index("recent-resources")


def test_the_widget_lists_the_five_latest_the_member_may_read_in_two_queries(django_assert_num_queries):
    member = UserFactory()
    now = timezone.now()
    claire = UserFactory(display_name="Claire Dumas")
    for days in range(7):
        ResourceFactory(title=f"Fiche {days}", published_at=now - timedelta(days=days),
                        authors=[claire, UserFactory()])
    ResourceFactory(title="Brouillon d'un autre", status="draft", published_at=None)
    with django_assert_num_queries(2):
        context = widget_context(member)
    assert [row["resource"].title for row in context["rows"]] == [f"Fiche {days}" for days in range(5)]
    assert context["rows"][0]["authors"][0] == "Claire Dumas"
    assert context["empty"] is False


def test_the_widget_on_the_dashboard():
    member = UserFactory()
    ResourceFactory(title="Repérer un faux message", authors=[UserFactory(display_name="Thomas Vidal")],
                    published_at=timezone.now() - timedelta(hours=3))
    page = soup(english_client(member).get(reverse("desk:home")))
    text = page.get_text(" ", strip=True)
    assert "Recent resources" in text
    assert "Repérer un faux message" in text and "by Thomas Vidal" in text
    assert "3 hours ago" in text
    links = [a.get_text() for a in page.select(f'a[href="{reverse("ressources:index")}"]')]
    assert "All resources" in links


def test_the_widget_when_nothing_is_published():
    context = widget_context(UserFactory())
    assert context == {"rows": [], "empty": True}


def test_the_widget_is_hidden_from_who_is_not_a_member():
    from django.contrib.auth.models import AnonymousUser

    assert widget_context(AnonymousUser()) is None


# --- The workshop's page ----------------------------------------------------------------------


def kit(**kwargs):
    resource = ResourceFactory(**kwargs)
    KitStep.objects.create(resource=resource, position=0, title="Accueil")
    KitStep.objects.create(resource=resource, position=1, title="Créer le compte")
    resource.equipment_items.add(ItemFactory(), ItemFactory())
    return resource


def test_the_workshop_page_shows_its_kit_to_a_member():
    workshop = WorkshopFactory()
    resource = kit(title="Atelier : créer son adresse e-mail", summary="Deux heures pour débuter.")
    WorkshopKit.objects.create(workshop=workshop, resource=resource)
    page = soup(english_client(UserFactory()).get(reverse("workshops:workshop", args=[workshop.pk])))
    section = page.select_one("section.workshop-kits")
    assert section is not None
    link = section.select_one(f'a[href="{resource.get_absolute_url()}"]')
    assert link.get_text() == "Atelier : créer son adresse e-mail"
    assert "2 steps · 2 pieces of equipment to borrow" in section.get_text(" ", strip=True)
    # A member who may not change the workshop gets no form.
    assert section.select("form") == []
    assert "Choose a kit in the library" not in section.get_text()


def test_who_may_link_gets_the_unlink_form_and_the_library_link():
    workshop = WorkshopFactory()
    resource = kit()
    WorkshopKit.objects.create(workshop=workshop, resource=resource)
    page = soup(english_client(CoordinatorFactory()).get(reverse("workshops:workshop", args=[workshop.pk])))
    section = page.select_one("section.workshop-kits")
    form = section.select_one("form")
    assert form["method"] == "post"
    assert form["action"] == reverse("ressources:workshop-unlink", args=[resource.pk, workshop.pk])
    assert section.select_one(f'a[href="{reverse("ressources:index")}?kits=1"]').get_text() == \
        "Choose a kit in the library"


def test_a_draft_kit_is_hidden_from_who_may_not_read_it():
    author = UserFactory()
    workshop = WorkshopFactory()
    draft = kit(title="Kit en préparation", status="draft", published_at=None, created_by=author, authors=[author])
    WorkshopKit.objects.create(workshop=workshop, resource=draft)
    url = reverse("workshops:workshop", args=[workshop.pk])
    shown = soup(english_client(author).get(url)).select_one("section.workshop-kits")
    assert shown is not None and "Kit en préparation" in shown.get_text()
    other = english_client(UserFactory()).get(url)
    assert other.status_code == 200
    assert soup(other).select_one("section.workshop-kits") is None
    assert "Kit en préparation" not in other.content.decode()


def test_the_sections_cost_fixed_queries(django_assert_num_queries):
    member = UserFactory()
    workshop = WorkshopFactory()
    for _ in range(3):
        WorkshopKit.objects.create(workshop=workshop, resource=kit())
    with django_assert_num_queries(4):  # the kits, their tags, their authors, their counts
        sections = dict((section.key, context) for section, context in workshop_sections(workshop, member))
    assert len(sections["kits"]["rows"]) == 3
    assert all((row["steps"], row["equipment"]) == (2, 2) for row in sections["kits"]["rows"])


def test_the_session_page_links_the_kit():
    session = SessionFactory()
    resource = kit(title="Atelier e-mail")
    WorkshopKit.objects.create(workshop=session.workshop, resource=resource)
    member = UserFactory()
    assert [key for key, context in ((s.key, c) for s, c in session_sections(session, member)) if key == "kits"] == [
        "kits"]
    page = soup(english_client(CoordinatorFactory()).get(reverse("workshops:session", args=[session.pk])))
    line = page.select_one("p.session-kits")
    assert line.get_text(" ", strip=True) == "Workshop kit: Atelier e-mail"
    assert line.select_one("a")["href"] == resource.get_absolute_url()
