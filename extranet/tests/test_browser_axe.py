"""Every template of the product under axe and a strict Content-Security-Policy, in Chromium.

One page per template (the public site, the directory with its map and markers, the
account pages, the error pages, the desk of a coordinator, the venue import of the CMS
and the waiting page of a pending member), at 1280 and 320 px; a few in a second state too: forms sent empty (their
error messages), the collapsed menus opened, the directory's map shown on a small screen.
On each one:

- axe-core (axe-playwright-python, which bundles axe-core) reports no violation, at any
  impact, with its default rules (WCAG 2 A/AA and best practices). axe is evaluated through
  the DevTools protocol (`page.evaluate`), which the page's CSP does not govern;
- the response carries a Content-Security-Policy without 'unsafe-inline' nor 'unsafe-eval'
  for scripts, and the page breaks none of it (`securitypolicyviolation` events, listened
  to from the first script of every document);
- nothing is written to the console as an error and no script throws;
- every aria-describedby, aria-labelledby and label[for] names an element of the page
  (axe lets a dangling reference pass: an error message nobody would hear).

The data is the demo network (`seed_demo`: the same pages, people, groups, forum, chat and
venues as the development server), committed so that the server process sees it. One test
per width, each under the browser tier's timeout: it builds the demo once and walks every
page in one context (one tab) per person, the error pages a production server would serve
included (the test server runs with DEBUG on, see `_error_pages`). The browser is one
Chromium. Tiles of the map get a blank picture (no network).

A failure lists every page with every violation: rule, impact, target and axe's summary.
`MAILLAGE_AXE_REPORT=<file>` appends that list to a file, `MAILLAGE_AXE_SHOTS=<folder>` saves a
full-page screenshot of every page.
"""

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from extranet.testing.browser import (
    BLANK_PNG,
    NARROW,
    WAIT_MS,
    _wait_for_the_servers_disconnections,
    ensure_home_page,
    in_thread,
    log_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "maillage-demo"
INVITATION_TOKEN = "jeton-du-test-axe"
WIDE = {"width": 1280, "height": 900}
VIEWPORTS = {"1280": WIDE, "320": NARROW}

# Collects what the page's Content-Security-Policy blocks, from before the page's own scripts.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: (event.sourceFile || "") + (event.lineNumber ? ":" + event.lineNumber : ""),
    sample: event.sample || "",
  });
});
"""


MARKERS = "[data-venue-map][data-venue-map-state=ready] .leaflet-marker-icon"


# What axe lets pass: a description or a name pointing to an id the page does not have (an
# error message a screen reader would never read).
BROKEN_REFERENCES = """
() => {
  const broken = [];
  for (const attribute of ["aria-describedby", "aria-labelledby"]) {
    for (const element of document.querySelectorAll(`[${attribute}]`)) {
      for (const id of element.getAttribute(attribute).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) {
          broken.push(`${attribute}="${id}" of <${element.localName} name="${element.getAttribute("name") || ""}">`);
        }
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) broken.push(`<label for="${label.htmlFor}">`);
  }
  return broken;
}
"""


@dataclass(frozen=True)
class Visit:
    """A page to audit: who opens it, and what must be on screen before axe runs."""

    name: str
    who: str  # "anonymous", "member", "coordinator", "pending" or "prescriber" (a partner account)
    status: int = 200
    ready: str = ""  # a CSS selector that must be visible before the audit
    show_map: bool = False  # on a narrow screen, audit the list, then switch to the map
    served: bool = False  # an error page as production renders it (see _error_pages)
    open_menus: bool = False  # audit again with the collapsed menus opened (narrow screens)
    submit: str = ""  # a form sent empty first: the page with its error messages
    admin: bool = False  # in Wagtail's admin, whose policy allows inline scripts and styles


VISITS = [
    # --- The public site
    Visit("home", "anonymous", open_menus=True),
    Visit("news-index", "anonymous"),
    Visit("news-page", "anonymous"),
    Visit("dossier-index", "anonymous"),
    Visit("dossier", "anonymous"),
    Visit("standard-page", "anonymous"),
    Visit("press-review", "anonymous"),
    Visit("contact", "anonymous"),
    Visit("contact-invalid", "anonymous", submit="form.contact-form"),
    Visit("search", "anonymous"),
    Visit("directory", "anonymous", ready=MARKERS, show_map=True),
    Visit("directory-venue", "anonymous", ready=MARKERS),
    Visit("site-map", "anonymous"),
    Visit("login", "anonymous"),
    Visit("login-invalid", "anonymous", submit="form:has(input[name=password])"),
    Visit("signup", "anonymous"),
    Visit("invitation", "anonymous"),
    Visit("forbidden", "member", status=403),
    Visit("not-found", "anonymous", status=404, served=True),
    Visit("server-error", "anonymous", status=500, served=True),
    # --- Waiting for approval
    Visit("pending", "pending"),
    # --- The desk, as the network's coordinator
    Visit("desk-home", "coordinator", open_menus=True),
    Visit("dashboard-customize", "coordinator"),
    Visit("notifications", "coordinator"),
    Visit("activity", "coordinator"),
    Visit("settings", "coordinator"),
    Visit("spaces", "coordinator"),
    Visit("space", "coordinator"),
    Visit("members-directory", "coordinator"),
    Visit("contacts", "coordinator"),
    Visit("profile", "coordinator"),
    Visit("profile-edit", "coordinator"),
    Visit("members-pending", "coordinator"),
    Visit("invitations", "coordinator"),
    Visit("workgroups", "coordinator"),
    Visit("workgroup", "coordinator"),
    Visit("workgroup-private", "coordinator"),
    Visit("workgroup-leave", "member"),
    Visit("workgroup-members", "coordinator"),
    Visit("workgroup-activity", "coordinator"),
    Visit("workgroup-create", "coordinator"),
    Visit("workgroup-create-invalid", "coordinator", submit="main form:has([name=name])"),
    Visit("workgroup-edit", "coordinator"),
    Visit("workgroup-invitations", "coordinator"),
    Visit("forum", "coordinator"),
    Visit("forum-category", "coordinator"),
    Visit("forum-topic", "coordinator"),
    Visit("forum-topic-create", "coordinator"),
    Visit("forum-search", "coordinator"),
    Visit("forum-moderation", "coordinator"),
    Visit("chat", "coordinator"),
    Visit("chat-room", "coordinator", ready="html[data-realtime=connected]"),
    Visit("chat-search", "coordinator"),
    Visit("venues", "coordinator"),
    Visit("venue-create", "coordinator"),
    Visit("venue-create-invalid", "coordinator", submit="main form:has([name=name])"),
    Visit("venue-edit", "coordinator"),
    Visit("venue-history", "coordinator"),
    Visit("venue-import", "coordinator", admin=True),
    # --- The calendar (desk and public)
    Visit("calendar-month", "coordinator"),
    Visit("calendar-week", "coordinator"),
    Visit("calendar-list", "coordinator"),
    Visit("calendars", "coordinator"),
    Visit("calendar", "coordinator"),
    Visit("calendar-event", "coordinator"),
    Visit("calendar-occurrence", "coordinator"),
    Visit("calendar-event-create", "coordinator"),
    Visit("calendar-event-create-invalid", "coordinator", submit="main form:has([name=title])"),
    Visit("calendar-event-edit", "coordinator"),
    Visit("calendar-event-cancel", "coordinator"),
    Visit("calendar-answers", "coordinator"),
    Visit("calendar-invite", "coordinator"),
    Visit("calendar-import", "coordinator"),
    Visit("calendar-feeds", "coordinator"),
    Visit("public-agenda", "anonymous"),
    Visit("public-event", "anonymous"),
    # --- Workshops (desk and public)
    Visit("workshops", "coordinator"),
    Visit("workshops-catalogue", "coordinator"),
    Visit("workshops-proposals", "coordinator"),
    Visit("workshop", "coordinator"),
    Visit("workshop-propose", "member"),
    Visit("workshop-propose-invalid", "member", submit="main form:has([name=title])"),
    Visit("workshop-session", "coordinator"),
    Visit("workshop-session-create", "coordinator"),
    Visit("workshop-registrations", "coordinator"),
    Visit("workshop-attendance", "coordinator"),
    Visit("workshop-attendance-print", "coordinator"),
    Visit("workshop-results", "coordinator"),
    Visit("workshop-questions", "coordinator"),
    Visit("workshop-demands", "member"),
    Visit("workshop-demand", "coordinator"),
    Visit("public-workshops", "anonymous"),
    Visit("public-workshop", "anonymous"),
    Visit("public-workshop-register", "anonymous"),
    Visit("public-workshop-register-invalid", "anonymous", submit="main form:has([name=consent])"),
    Visit("public-workshop-registration", "anonymous"),
    Visit("public-workshop-cancelled", "anonymous", status=410),
    # --- Vouchers, accompaniments, reports
    Visit("tickets", "coordinator"),
    Visit("tickets-prescriber", "prescriber", open_menus=True),
    Visit("voucher-issue", "prescriber"),
    Visit("voucher-issue-invalid", "prescriber", submit="main form:has([name=first_name])"),
    Visit("vouchers", "coordinator"),
    Visit("voucher", "coordinator"),
    Visit("voucher-card", "coordinator"),
    Visit("tickets-enter", "member"),
    Visit("tickets-enter-invalid", "member", submit="main form:has([name=code])"),
    Visit("voucher-record", "member"),
    Visit("venue-vouchers", "member"),
    Visit("programmes", "coordinator"),
    Visit("programme", "coordinator"),
    Visit("programme-create", "coordinator"),
    Visit("programme-edit", "coordinator"),
    Visit("programme-modules", "coordinator"),
    Visit("organisations", "coordinator"),
    Visit("organisation", "coordinator"),
    Visit("organisation-create", "coordinator"),
    Visit("settlements", "coordinator"),
    Visit("settlement", "coordinator"),
    Visit("settlement-create", "coordinator"),
    Visit("closing", "coordinator"),
    Visit("activity-records", "coordinator"),
    Visit("activity-create", "member"),
    Visit("activity-create-invalid", "member", submit="main form:has([name=duration_minutes])"),
    Visit("activity-record", "coordinator"),
    Visit("activity-edit", "coordinator"),
    Visit("reports", "coordinator"),
    Visit("report-shares", "coordinator"),
    Visit("report-share-create", "coordinator"),
    Visit("shared-report", "anonymous"),
    Visit("shared-report-gone", "anonymous", status=404, served=True),
    # --- Equipment lending
    Visit("materiel", "member"),
    Visit("materiel-available", "member"),
    Visit("materiel-item", "coordinator"),
    Visit("materiel-item-label", "coordinator"),
    Visit("materiel-kits", "member"),
    Visit("materiel-kit", "member"),
    Visit("materiel-item-create", "coordinator"),
    Visit("materiel-item-create-invalid", "coordinator", submit="main form:has([name=name])"),
    Visit("materiel-item-edit", "coordinator"),
    Visit("materiel-kit-create", "coordinator"),
    Visit("materiel-categories", "coordinator"),
    Visit("materiel-reserve", "member"),
    Visit("materiel-reserve-invalid", "member", submit="main form:has([name=pickup_date])"),
    Visit("materiel-reservations", "member"),
    Visit("materiel-requests", "coordinator"),
    Visit("materiel-reservation", "coordinator"),
    Visit("materiel-hand-over", "coordinator"),
    Visit("materiel-take-back", "coordinator"),
    Visit("materiel-item-history", "coordinator"),
    Visit("materiel-venue-history", "coordinator"),
    Visit("materiel-stats", "coordinator"),
    Visit("fichiers", "member"),
    Visit("fichiers-search", "member"),
    Visit("fichiers-personal", "member"),
    Visit("fichiers-folder", "member"),
    Visit("fichiers-file-image", "member"),
    Visit("fichiers-file-pdf", "member"),
    Visit("fichiers-rename", "member"),
    Visit("fichiers-move", "member"),
    Visit("fichiers-delete", "member"),
    Visit("fichiers-trash", "coordinator"),
    Visit("fichiers-quota", "coordinator"),
    Visit("ressources", "member"),
    Visit("ressources-search", "member"),
    Visit("ressources-kit", "member"),
    Visit("ressources-create", "member"),
    Visit("ressources-create-invalid", "member", submit="main form:has([name=title])"),
    Visit("ressources-edit", "coordinator"),
    Visit("ressources-report", "member"),
    Visit("ressources-reports", "coordinator"),
    Visit("ressources-collections", "member"),
    Visit("ressources-collection", "coordinator"),
    Visit("public-ressources", "anonymous"),
    Visit("public-ressource", "anonymous"),
]


def _build_demo():
    """The demo network, as `manage.py seed_demo` makes it; returns {visit name: URL}."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q
    from wagtail.models import Collection

    from calendar_app import demo as calendar_demo
    from calendar_app.models import Calendar as AgendaCalendar
    from calendar_app.models import Event as AgendaEvent
    from chat import demo as chat_demo
    from chat.models import Room
    from core.models import Space
    from directory import demo as directory_demo
    from directory.models import Venue
    from files import demo as files_demo
    from files.models import Drive
    from files.models import File as SpaceFile
    from forum import demo as forum_demo
    from forum.models import Category, Topic
    from lending import demo as lending_demo
    from lending.models import Item as EquipmentItem
    from lending.models import Kit as EquipmentKit
    from lending.models import Reservation as Loan
    from mediation import demo as mediation_demo
    from mediation.models import ActivityRecord, Programme, ReportShare, Settlement, Voucher
    from members import demo as members_demo
    from members.models import Invitation, Territory, User, hash_token
    from resources import demo as resources_demo
    from resources.models import Collection as ResourceCollection
    from resources.models import Resource
    from website import demo as website_demo
    from website.models import (
        ContactPage,
        DossierIndexPage,
        DossierPage,
        NewsIndexPage,
        NewsPage,
        PressReviewPage,
        StandardPage,
    )
    from workgroups import demo as workgroups_demo
    from workgroups.models import Workgroup
    from workshops import demo as workshops_demo
    from workshops.models import Demand as WorkshopDemand
    from workshops.models import Registration as WorkshopRegistration
    from workshops.models import Workshop

    # Made by the migrations, gone when an earlier transactional test emptied the tables.
    ensure_home_page()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    coordination, _created = Group.objects.get_or_create(name="Coordination")  # members.0002's
    if not coordination.permissions.exists():
        coordination.permissions.add(*Permission.objects.filter(
            Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(content_type__app_label="directory", codename__endswith="_venue")
        ))
    quiet = lambda *args, **kwargs: None  # noqa: E731
    members_demo.seed(make_venues=directory_demo.seed_venues, force=True, log=quiet)
    workgroups_demo.seed(log=quiet)
    forum_demo.seed(log=quiet)
    chat_demo.seed(log=quiet)
    website_demo.seed_public_site(log=quiet)
    calendar_demo.seed(log=quiet)
    workshops_demo.seed(log=quiet)
    lending_demo.seed(log=quiet)
    files_demo.seed(log=quiet)
    resources_demo.seed(log=quiet)
    mediation_demo.seed(log=quiet)

    # An invitation whose link is known (the e-mail gives it; the database keeps its hash).
    coordinator = User.objects.get(email="coordination@maillage.test")
    Invitation.objects.create(
        email="nouvelle@exemple.test", territory=Territory.objects.order_by("pk").first(), invited_by=coordinator,
        token_hash=hash_token(INVITATION_TOKEN), created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=14),
    )
    network = Space.objects.get(kind="network")
    group = Workgroup.objects.filter(visibility="public").order_by("pk").first()  # the member's
    private_group = Workgroup.objects.get(visibility="private", join_policy="request")
    category = Category.objects.filter(space=network).order_by("pk").first()
    topic = Topic.objects.filter(category__space=network, deleted_at=None).order_by("pk").first()
    room = Room.objects.get(space=network)
    venue = Venue.objects.order_by("pk").first()
    someone = User.objects.get(email="animatrice@maillage.test")
    network_calendar = AgendaCalendar.objects.get(space=network)
    series = AgendaEvent.objects.filter(calendar=network_calendar, series=None).exclude(rrule="").order_by("pk").first()
    with_places = AgendaEvent.objects.filter(capacity__isnull=False, series=None).order_by("pk").first()
    public_event = AgendaEvent.objects.filter(visibility="public", series=None).order_by("pk").first()
    moved = AgendaEvent.objects.filter(series=series).order_by("pk").first()
    occurrence_url = (reverse("calendar:event", kwargs={"pk": series.pk})
                      + f"?occurrence={moved.recurrence_id.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}")
    # Vouchers, accompaniments, reports (mediation.demo), and two shared links, one revoked.
    programme = Programme.objects.order_by("pk").first()
    voucher = Voucher.objects.filter(status="active", modules_done__gt=0).order_by("pk").first()
    settlement = Settlement.objects.order_by("pk").first()
    animator = User.objects.get(email="animateur@maillage.test")
    animator_venue = animator.venues.filter(voucher_programmes=programme).order_by("pk").first()
    record = ActivityRecord.objects.filter(source="manual").order_by("pk").first()
    share = ReportShare.objects.create(label="CAF du Lot", year=timezone.localdate().year, number=1,
                                       created_by=coordinator)
    gone = ReportShare.objects.create(label="Ancien lien", year=timezone.localdate().year, number=1,
                                      created_by=coordinator, revoked_at=timezone.now())
    held = Workshop.objects.filter(status="held").order_by("pk").first()
    held_session = held.sessions.order_by("pk").first()
    public_workshop = Workshop.objects.filter(audience="public", status="scheduled").order_by("pk").first()
    public_session = public_workshop.sessions.filter(status="scheduled").order_by("start", "pk").first()
    cancelled = Workshop.objects.filter(audience="public", status="cancelled").order_by("pk").first()
    visitor = WorkshopRegistration.objects.filter(kind="visitor", session=public_session).order_by("pk").first() \
        or WorkshopRegistration.objects.filter(kind="visitor").order_by("pk").first()
    # Equipment lending (lending.demo): the resource centre's items, a loan out and one to hand over.
    centre_item = EquipmentItem.objects.filter(owner_venue=None, status="available").order_by("pk").first()
    kit = EquipmentKit.objects.order_by("pk").first()
    out = Loan.objects.filter(status="out", item__isnull=False).order_by("pk").first()
    to_hand_over = Loan.objects.filter(status="approved").order_by("pickup_date", "pk").first()
    week = timezone.localdate() + timedelta(days=7)
    # Files and resources (files.demo, resources.demo): the network's files, read by every member.
    network_drive = Drive.objects.get(space=network)
    image = SpaceFile.objects.filter(drive=network_drive, is_image=True, deleted_at=None).order_by("pk").first()
    pdf = SpaceFile.objects.filter(drive=network_drive, content_type="application/pdf", deleted_at=None,
                                   trash_root=None).order_by("pk").first()
    the_kit = Resource.objects.filter(status="published", steps__isnull=False).distinct().order_by("pk").first()
    public_resource = Resource.objects.filter(status="published", visibility="public").order_by("pk").first()
    shared = ResourceCollection.objects.filter(is_shared=True).order_by("pk").first()
    files_urls = {
        "fichiers": reverse("fichiers:index"),
        "fichiers-search": reverse("fichiers:search") + "?q=compte",
        "fichiers-personal": reverse("fichiers:personal"),
        "fichiers-folder": reverse("fichiers:folder", kwargs={"pk": pdf.folder_id}),
        "fichiers-file-image": reverse("fichiers:file", kwargs={"pk": image.pk}),
        "fichiers-file-pdf": reverse("fichiers:file", kwargs={"pk": pdf.pk}),
        "fichiers-rename": reverse("fichiers:file-rename", kwargs={"pk": pdf.pk}),
        "fichiers-move": reverse("fichiers:file-move", kwargs={"pk": pdf.pk}),
        "fichiers-delete": reverse("fichiers:file-trash", kwargs={"pk": pdf.pk}),
        "fichiers-trash": reverse("fichiers:trash", kwargs={"drive_pk": network_drive.pk}),
        "fichiers-quota": reverse("fichiers:quota", kwargs={"drive_pk": network_drive.pk}),
        "ressources": reverse("ressources:index"),
        "ressources-search": reverse("ressources:index") + "?q=adresse",
        "ressources-kit": the_kit.get_absolute_url(),
        "ressources-create": reverse("ressources:create"),
        "ressources-create-invalid": reverse("ressources:create"),
        "ressources-edit": reverse("ressources:edit", kwargs={"pk": the_kit.pk}),
        "ressources-report": reverse("ressources:report", kwargs={"pk": the_kit.pk}),
        "ressources-reports": reverse("ressources:reports"),
        "ressources-collections": reverse("ressources:collections"),
        "ressources-collection": reverse("ressources:collection", kwargs={"pk": shared.pk}),
        "public-ressources": reverse("public-resources:index"),
        "public-ressource": public_resource.get_public_url(),
    }
    lending_urls = {
        "materiel": reverse("materiel:index"),
        "materiel-available": reverse("materiel:index") + f"?du={week:%Y-%m-%d}&au={week + timedelta(days=2):%Y-%m-%d}",
        "materiel-item": centre_item.get_absolute_url(),
        "materiel-item-label": reverse("materiel:item-label", kwargs={"pk": centre_item.pk}),
        "materiel-kits": reverse("materiel:kits"),
        "materiel-kit": kit.get_absolute_url(),
        "materiel-item-create": reverse("materiel:item-create"),
        "materiel-item-create-invalid": reverse("materiel:item-create"),
        "materiel-item-edit": reverse("materiel:item-edit", kwargs={"pk": centre_item.pk}),
        "materiel-kit-create": reverse("materiel:kit-create"),
        "materiel-categories": reverse("materiel:categories"),
        "materiel-reserve": reverse("materiel:reserve-item", kwargs={"pk": centre_item.pk}),
        "materiel-reserve-invalid": reverse("materiel:reserve-item", kwargs={"pk": centre_item.pk}),
        "materiel-reservations": reverse("materiel:reservations"),
        "materiel-requests": reverse("materiel:requests"),
        "materiel-reservation": out.get_absolute_url(),
        "materiel-hand-over": reverse("materiel:hand-over", kwargs={"pk": to_hand_over.pk}),
        "materiel-take-back": reverse("materiel:take-back", kwargs={"pk": out.pk}),
        "materiel-item-history": reverse("materiel:item-history", kwargs={"pk": out.item_id}),
        "materiel-venue-history": reverse("materiel:venue-history", kwargs={"pk": out.venue_id}),
        "materiel-stats": reverse("materiel:stats"),
    }
    return {
        **lending_urls,
        **files_urls,
        "tickets": reverse("tickets:index"),
        "tickets-prescriber": reverse("tickets:index"),
        "voucher-issue": reverse("tickets:issue"),
        "voucher-issue-invalid": reverse("tickets:issue"),
        "vouchers": reverse("tickets:list"),
        "voucher": reverse("tickets:voucher", kwargs={"pk": voucher.pk}),
        "voucher-card": reverse("tickets:card", kwargs={"pk": voucher.pk}),
        "tickets-enter": reverse("tickets:enter"),
        "tickets-enter-invalid": reverse("tickets:enter"),
        "voucher-record": reverse("tickets:record-module", kwargs={"pk": voucher.pk}),
        "venue-vouchers": reverse("tickets:venue", kwargs={"venue_pk": animator_venue.pk}),
        "programmes": reverse("tickets:programmes"),
        "programme": reverse("tickets:programme", kwargs={"pk": programme.pk}),
        "programme-create": reverse("tickets:programme-create"),
        "programme-edit": reverse("tickets:programme-edit", kwargs={"pk": programme.pk}),
        "programme-modules": reverse("tickets:modules-edit", kwargs={"pk": programme.pk}),
        "organisations": reverse("tickets:organisations"),
        "organisation": reverse("tickets:organisation", kwargs={"pk": voucher.organisation_id}),
        "organisation-create": reverse("tickets:organisation-create"),
        "settlements": reverse("tickets:settlements"),
        "settlement": reverse("tickets:settlement", kwargs={"pk": settlement.pk}),
        "settlement-create": reverse("tickets:settlement-create"),
        "closing": reverse("tickets:closing", kwargs={"pk": programme.pk}),
        "activity-records": reverse("activites:index"),
        "activity-create": reverse("activites:create"),
        "activity-create-invalid": reverse("activites:create"),
        "activity-record": reverse("activites:record", kwargs={"pk": record.pk}),
        "activity-edit": reverse("activites:edit", kwargs={"pk": record.pk}),
        "reports": reverse("rapports:index"),
        "report-shares": reverse("rapports:shares"),
        "report-share-create": reverse("rapports:share-create"),
        "shared-report": share.get_absolute_url(),
        "shared-report-gone": gone.get_absolute_url(),
        "workshops": reverse("workshops:index"),
        "workshops-catalogue": reverse("workshops:catalogue"),
        "workshops-proposals": reverse("workshops:proposals"),
        "workshop": reverse("workshops:workshop", kwargs={"pk": public_workshop.pk}),
        "workshop-propose": reverse("workshops:propose"),
        "workshop-propose-invalid": reverse("workshops:propose"),
        "workshop-session": reverse("workshops:session", kwargs={"pk": public_session.pk}),
        "workshop-session-create": reverse("workshops:session-create", kwargs={"pk": public_workshop.pk}),
        "workshop-registrations": reverse("workshops:registrations", kwargs={"pk": public_session.pk}),
        "workshop-attendance": reverse("workshops:attendance", kwargs={
            "pk": held_session.pk, "date_pk": held_session.dates.order_by("start").first().pk}),
        "workshop-attendance-print": reverse("workshops:attendance-print", kwargs={
            "pk": held_session.pk, "date_pk": held_session.dates.order_by("start").first().pk}),
        "workshop-results": reverse("workshops:results", kwargs={"pk": held.pk}),
        "workshop-questions": reverse("workshops:questions", kwargs={"pk": held.pk}),
        "workshop-demands": reverse("workshops:demands"),
        "workshop-demand": reverse("workshops:demand", kwargs={"pk": WorkshopDemand.objects.order_by("pk").first().pk}),
        "public-workshops": reverse("ateliers:index"),
        "public-workshop": public_workshop.get_public_url(),
        "public-workshop-register": reverse("ateliers:register", kwargs={"pk": public_session.pk}),
        "public-workshop-register-invalid": reverse("ateliers:register", kwargs={"pk": public_session.pk}),
        "public-workshop-registration": visitor.get_token_url(),
        "public-workshop-cancelled": cancelled.get_public_url(),
        "home": "/",
        "news-index": NewsIndexPage.objects.live().get().url,
        "news-page": NewsPage.objects.live().order_by("-date").first().url,
        "dossier-index": DossierIndexPage.objects.live().get().url,
        "dossier": DossierPage.objects.live().first().url,
        "standard-page": StandardPage.objects.live().get(slug="le-programme").url,
        "press-review": PressReviewPage.objects.live().get().url,
        "contact": ContactPage.objects.live().get().url,
        "contact-invalid": ContactPage.objects.live().get().url,
        "site-map": reverse("site-map"),
        "login-invalid": reverse("account_login"),
        "workgroup-create-invalid": reverse("workgroups:create"),
        "venue-create-invalid": reverse("directory:venue-create"),
        "search": reverse("site-search") + "?q=atelier",
        "directory": reverse("public_directory:list"),
        "directory-venue": reverse("public_directory:detail", kwargs={"slug": venue.slug}),
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "invitation": reverse("invitations:accept", kwargs={"token": INVITATION_TOKEN}),
        "forbidden": reverse("members:pending"),
        "not-found": "/cette-page-n-existe-pas/",
        "server-error": "/une-erreur-du-serveur/",
        "pending": reverse("desk:pending"),
        "desk-home": reverse("desk:home"),
        "dashboard-customize": reverse("desk:dashboard-customize"),
        "notifications": reverse("desk:notifications"),
        "activity": reverse("desk:activity"),
        "settings": reverse("desk:settings"),
        "spaces": reverse("desk:spaces"),
        "space": reverse("desk:space", kwargs={"pk": network.pk}),
        "members-directory": reverse("members:directory"),
        "contacts": reverse("members:contacts"),
        "profile": reverse("members:profile", kwargs={"pk": someone.pk}),
        "profile-edit": reverse("members:profile-edit"),
        "members-pending": reverse("members:pending"),
        "invitations": reverse("members:invitations"),
        "workgroups": reverse("workgroups:list"),
        "workgroup": reverse("workgroups:detail", kwargs={"pk": group.pk}),
        "workgroup-private": reverse("workgroups:detail", kwargs={"pk": private_group.pk}),
        "workgroup-leave": reverse("workgroups:leave", kwargs={"pk": group.pk}),
        "workgroup-members": reverse("workgroups:members", kwargs={"pk": group.pk}),
        "workgroup-activity": reverse("workgroups:activity", kwargs={"pk": group.pk}),
        "workgroup-create": reverse("workgroups:create"),
        "workgroup-edit": reverse("workgroups:edit", kwargs={"pk": group.pk}),
        "workgroup-invitations": reverse("workgroups:invitations"),
        "forum": reverse("forum:index"),
        "forum-category": reverse("forum:category", kwargs={"pk": category.pk}),
        "forum-topic": reverse("forum:topic", kwargs={"pk": topic.pk}),
        "forum-topic-create": reverse("forum:topic-create", kwargs={"pk": category.pk}),
        "forum-search": reverse("forum:search") + "?q=atelier",
        "forum-moderation": reverse("forum:moderation"),
        "chat": reverse("chat:index"),
        "chat-room": reverse("chat:room", kwargs={"pk": room.pk}),
        "chat-search": reverse("chat:search") + "?q=atelier",
        "venues": reverse("directory:venues"),
        "venue-create": reverse("directory:venue-create"),
        "venue-edit": reverse("directory:venue-edit", kwargs={"pk": venue.pk}),
        "venue-history": reverse("directory:venue-history", kwargs={"pk": venue.pk}),
        "venue-import": reverse("venues:import"),
        "calendar-month": reverse("calendar:index"),
        "calendar-week": reverse("calendar:index") + "?vue=semaine",
        "calendar-list": reverse("calendar:list"),
        "calendars": reverse("calendar:calendars"),
        "calendar": reverse("calendar:calendar", kwargs={"pk": network_calendar.pk}),
        "calendar-event": reverse("calendar:event", kwargs={"pk": series.pk}),
        "calendar-occurrence": occurrence_url,
        "calendar-event-create": reverse("calendar:event-create"),
        "calendar-event-create-invalid": reverse("calendar:event-create"),
        "calendar-event-edit": reverse("calendar:event-edit", kwargs={"pk": series.pk}),
        "calendar-event-cancel": reverse("calendar:event-cancel", kwargs={"pk": series.pk}),
        "calendar-answers": reverse("calendar:event-answers", kwargs={"pk": with_places.pk}),
        "calendar-invite": reverse("calendar:event-invite", kwargs={"pk": with_places.pk}),
        "calendar-import": reverse("calendar:import", kwargs={"pk": network_calendar.pk}),
        "calendar-feeds": reverse("calendar:feeds"),
        "public-agenda": reverse("agenda:index"),
        "public-event": reverse("agenda:event", kwargs={"pk": public_event.pk}),
    }


@pytest.fixture
def demo_urls(transactional_db):
    """The demo, committed for the server process (built in a thread: its realtime events
    are published on commit, which Playwright's running event loop would refuse)."""
    return in_thread(_build_demo, within=150)


def _error_pages(urls):
    """{visit name: (status, headers, body)} of the 404 and 500 pages as production serves them.

    The test server runs with DEBUG on, where Django answers a 404 or a 500 with its own
    technical page: these are rendered here, by the test process with DEBUG off: the 404
    through the whole middleware, the 500 by the view Django calls on an exception (called
    directly: nothing here raises one), with the policy the middleware puts on every
    response (the 404's). The browser gets them at the server's address, so their static
    files come from the server. (The 403 is the server's own: DEBUG does not change it.)"""
    from django.test import Client, override_settings
    from django.views import defaults

    pages = {}
    with override_settings(DEBUG=False):
        missing = Client().get(urls["not-found"])
        pages["not-found"] = missing
        error = defaults.server_error(RequestFactory().get(urls["server-error"]))
        error["Content-Security-Policy"] = missing["Content-Security-Policy"]
        pages["server-error"] = error
        # A revoked report link: the share's own 404 page, with the policy production sends.
        pages["shared-report-gone"] = Client().get(urls["shared-report-gone"])
    return {name: (response.status_code, dict(response.items()), response.content) for name, response in pages.items()}


class Browsing:
    """One context (and one tab) per viewport and person, opened on first use."""

    def __init__(self, chromium, server):
        self.chromium, self.server = chromium, server
        self.tabs = {}

    def tab(self, viewport, who):
        if (viewport, who) not in self.tabs:
            self.tabs[viewport, who] = self._open(viewport, who)
        return self.tabs[viewport, who]

    def _open(self, viewport, who):
        context = self.chromium.new_context(base_url=self.server.url, locale="fr-FR", viewport=VIEWPORTS[viewport])
        context.set_default_timeout(WAIT_MS)
        context.add_init_script(CSP_LISTENER)
        # Nothing leaves the test server; the map's tiles get a blank picture (the later route
        # is tried first). The browser's own pages are not the outside world: Chromium's PDF
        # viewer (a file's preview) loads its script and styles from chrome:// and chrome-extension://.
        context.route(lambda url: not url.startswith((self.server.url, "chrome://", "chrome-extension://")),
                      lambda route: route.abort())
        context.route(re.compile(r"^https://tile\.openstreetmap\.org/"),
                      lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG))
        if who == "anonymous":
            page = context.new_page()
        else:
            email = {"coordinator": "coordination@maillage.test", "member": "animateur@maillage.test",
                     "pending": "en-attente@maillage.test", "prescriber": "prescription@maillage.test"}[who]
            user = SimpleNamespace(email=email)
            if who in ("pending", "prescriber"):
                landing = r"/bureau/en-attente/$" if who == "pending" else r"/bureau/tickets/$"
                page = context.new_page()
                page.goto(reverse("account_login"))
                page.locator('input[name="login"]').fill(user.email)
                page.locator('input[name="password"]').fill(DEMO_PASSWORD)
                page.locator('form:has(input[name="password"]) [type="submit"]').first.click()
                page.wait_for_url(re.compile(landing))
            else:
                page = log_in(context, user, password=DEMO_PASSWORD)
        errors = []
        page.on("console", lambda message: message.type == "error" and errors.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
        return page, errors

    def close(self):
        for page, _errors in self.tabs.values():
            page.context.close()


@pytest.fixture
def browsing(chromium, server, demo_urls):
    opened = Browsing(chromium, server)
    opened.error_pages = in_thread(_error_pages, demo_urls, within=150)
    yield opened
    opened.close()
    _wait_for_the_servers_disconnections()


def _csp_header_problems(response, admin=False):
    """What the policy lets through that it should not. Wagtail's admin runs inline scripts
    and styles of its own (the relaxation of extranet.security, on /cms/ only); 'unsafe-eval'
    and any other origin are refused everywhere."""
    policy = response.headers.get("content-security-policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    refused = {"'unsafe-eval'", "*"} | (set() if admin else {"'unsafe-inline'"})
    problems = []
    for directive in ("script-src", "style-src"):
        sources = directives.get(directive, directives.get("default-src", []))
        problems += [f"{directive} allows {value}" for value in sources if value in refused]
    return problems


def _axe(page, state=""):
    from axe_playwright_python.sync_playwright import Axe

    problems = []
    for violation in Axe().run(page).response["violations"]:
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())[:300]
            target = " > ".join(map(str, node["target"]))
            problems.append(f"axe {violation['id']} [{violation['impact']}] {target}{f' ({state})' if state else ''}: "
                            f"{summary}")
    return problems


def audit(browsing, viewport, visit, url):
    """Everything wrong with one page, as lines of text (empty when the page is clean)."""
    from playwright.sync_api import expect

    page, errors = browsing.tab(viewport, visit.who)
    errors.clear()
    if visit.served:
        status, headers, body = browsing.error_pages[visit.name]
        page.route(url, lambda route: route.fulfill(status=status, headers=headers, body=body))
    response = page.goto(url)
    if visit.served:
        page.unroute(url)
    if visit.submit and response.status == 200:
        form = page.locator(visit.submit).first
        with page.expect_navigation() as navigation:  # the server's messages, not the browser's
            form.evaluate("form => { form.noValidate = true; form.requestSubmit(); }")
        response = navigation.value
    problems = []
    if response.status != visit.status:
        return [f"status {response.status}, expected {visit.status}"]
    problems += _csp_header_problems(response, admin=visit.admin)
    if visit.ready:
        switch = page.locator("[data-view-switch] [data-view=map]")
        if visit.show_map and switch.is_visible():  # the list first, then the map
            problems += _axe(page, "the list shown")
            switch.click()
        try:
            expect(page.locator(visit.ready).first).to_be_visible(timeout=WAIT_MS)
        except AssertionError:
            problems.append(f"{visit.ready} never showed")
    if visit.submit:
        shown = page.locator("[aria-invalid=true], .errorlist, .form-errors").first
        if not shown.is_visible():
            problems.append("the form sent empty shows no error")
    if os.environ.get("MAILLAGE_AXE_SHOTS"):  # screenshots for whoever reviews the pages
        page.screenshot(path=f"{os.environ['MAILLAGE_AXE_SHOTS']}/{visit.name}-{viewport}.png", full_page=True)
    problems += _axe(page)
    problems += [f"{reference} names no element" for reference in page.evaluate(BROKEN_REFERENCES)]
    toggles = page.locator("[data-nav-toggle][aria-expanded=false]")
    if visit.open_menus and toggles.first.is_visible():
        for _toggle in range(toggles.count()):
            toggles.nth(0).click()  # the opened one leaves the locator
        problems += _axe(page, "with the menus open")
    for blocked in page.evaluate("window.__cspViolations || []"):
        problems.append(
            f"CSP {blocked['directive']} blocked {blocked['blocked'] or 'inline'} "
            f"({blocked['source']}) {blocked['sample'][:80]}"
        )
    for error in errors:
        if visit.status >= 400 and f"status of {visit.status}" in error:
            continue  # the page's own status, which Chromium reports as a failed load
        problems.append(error)
    return problems


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_passes_axe_and_the_csp(browsing, demo_urls, viewport):
    """Every page at this width: zero axe violations, no CSP violation, no script error."""
    report = {}
    # While working on some pages: their names' prefixes, comma-separated.
    only = tuple(prefix for prefix in os.environ.get("MAILLAGE_AXE_ONLY", "").split(",") if prefix)
    for visit in VISITS:
        if only and not visit.name.startswith(only):
            continue
        problems = audit(browsing, viewport, visit, demo_urls[visit.name])
        if problems:
            report[f"{visit.name} ({demo_urls[visit.name]})"] = problems
    lines = [f"{len(report)} of {len(VISITS)} pages fail at {viewport} px:"]
    for where, problems in report.items():
        lines.append(f"- {where}")
        lines += [f"    {problem}" for problem in problems]
    if os.environ.get("MAILLAGE_AXE_REPORT"):  # a copy for whoever fixes the pages
        with Path(os.environ["MAILLAGE_AXE_REPORT"]).open("a") as report_file:
            report_file.write("\n".join(lines) + "\n")
    assert not report, "\n".join(lines)
