"""The journey of a workgroup, in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

An animatrice asks to join a private group; its manager accepts in another browser; the
requester's open group page shows the group's content without a reload.
"""

import re

import pytest

from extranet.testing.browser import (
    WAIT_MS,
    in_thread,
    log_in,
)
from extranet.testing.factories import UserFactory
from workgroups import services
from workgroups.models import JoinRequest, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_to_join_then_the_manager_accepts_and_the_content_appears(new_context, territory, venue):
    from playwright.sync_api import expect

    requester = UserFactory(email="amelie@exemple.test", territory=territory, venues=[venue],
                            display_name="Amélie Vidal")
    manager = UserFactory(email="nadia@exemple.test", territory=territory, display_name="Nadia Vidal")
    group = in_thread(services.workgroup_create, actor=manager, name="Fracture numérique",
                      purpose="Partager nos pratiques d'accompagnement.", visibility="private",
                      join_policy="request")
    url = f"/bureau/groupes/{group.pk}/"

    # (a) The requester finds the group in the listing; its content is hidden from her.
    page = log_in(new_context(), requester)
    page.goto("/bureau/groupes/")
    page.get_by_role("link", name="Fracture numérique").click()
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    expect(page.locator("#members-title")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)

    # (b) She asks to join, with a message.
    page.locator("textarea[name=message]").fill("J'anime l'EPM de Limogne.")
    page.get_by_role("button", name=re.compile(r"^(Envoyer ma demande|Send my request)$")).click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("[data-awaiting]")).to_have_count(1)
    assert JoinRequest.objects.filter(workgroup=group, user=requester, status="pending").count() == 1
    page.evaluate("window.__sameDocument = 'yes'")

    # (c) The manager, in another browser, accepts from the members page.
    manager_page = log_in(new_context(), manager)
    manager_page.goto(url + "membres/")
    expect(manager_page.locator(".request")).to_contain_text("J'anime l'EPM de Limogne.")
    manager_page.get_by_role("button", name=re.compile(r"^(Accepter|Accept) Amélie Vidal$")).click()
    expect(manager_page.locator(".message--success")).to_be_visible()
    assert Membership.objects.filter(workgroup=group, user=requester).exists()

    # (d) On the requester's open page, the content appears without a reload, announced.
    expect(page.locator("#members-title")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".group-page")).to_contain_text("Nadia Vidal")
    expect(page.locator("#live-announcer")).to_have_text(re.compile(r"(membre de|member of) Fracture numérique"))
    assert page.evaluate("window.__sameDocument") == "yes"
