"""Desk shell views: dashboard, notifications, settings, health check, layout and i18n.

The interface is French by default and English on request; the settings page is checked
word for word in both. Elsewhere, a sentence is matched loosely (French or English) so
that rewording a translation does not break unrelated tests.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from extranet.testing.factories import PendingUserFactory, UserFactory
from extranet.testing.pages import queries_flat, soup, text_of
from members.models import Invitation, User, hash_token


def make_notifications(recipient, count, *, read=False, actor=None, start=None):
    """`count` notifications for `recipient`, newest last, each from a distinct actor unless given."""
    start = start or timezone.now() - timedelta(days=1)
    created = []
    for i in range(count):
        created.append(Notification.objects.create(
            recipient=recipient,
            actor=actor or UserFactory(display_name=f"Acteur {recipient.pk}-{i}-{read}"),
            verb="member.approved",
            target_label=f"Personne {i:03d}",
            url=f"/bureau/membres/{recipient.pk}/",
            created_at=start + timedelta(minutes=i),
            read_at=timezone.now() if read else None,
        ))
    return created


# --- Dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_the_three_widgets_of_a_member(member_client, member, venue, coordinator):
    colleague = UserFactory(display_name="Nadia Colleague", venues=[venue])
    PendingUserFactory(display_name="Paul Pending", venues=[venue])
    Notification.objects.create(recipient=member, actor=coordinator, verb="member.roles_changed",
                                target_label=str(member))
    page = soup(member_client.get("/bureau/"))

    sections = {s["aria-labelledby"]: s for s in page.select("main section.widget")}
    assert {"widget-notifications", "widget-profile", "widget-venue-members"} <= set(sections)
    titles = {key: text_of(section.find("h2")) for key, section in sections.items()}
    assert re.fullmatch(r"Mes notifications|My notifications", titles["widget-notifications"])
    assert re.fullmatch(r"Mon profil|My profile", titles["widget-profile"])
    assert re.search(r"membres de mon lieu|Members of my venue", titles["widget-venue-members"])
    # Notifications: the sentence of the verb, with the actor's name.
    assert "Claire Dumas" in text_of(sections["widget-notifications"])
    assert sections["widget-notifications"].find("a", href="/bureau/notifications/")
    # Profile: the member's own card, with links to the profile and its edit page.
    profile = sections["widget-profile"]
    assert "Karim Benali" in text_of(profile)
    assert profile.find("a", href=f"/bureau/membres/{member.pk}/")
    assert profile.find("a", href="/bureau/membres/profil/")
    # Venue members: approved colleagues only, not the member, not pending people.
    venue_widget = sections["widget-venue-members"]
    names = [text_of(a) for a in venue_widget.select("a")]
    assert names == ["Nadia Colleague"]
    assert venue_widget.find("a", href=f"/bureau/membres/{colleague.pk}/")


def test_dashboard_widgets_say_when_they_are_empty(client, territory):
    loner = UserFactory(territory=territory, display_name="Seule Personne")
    client.force_login(loner)
    page = soup(client.get("/bureau/"))
    assert page.select_one("#widget-venue-members").find_parent("section").select_one("p.empty")
    assert page.select_one("#widget-notifications").find_parent("section").select_one("p.empty")


def test_dashboard_greets_the_member_by_name(member_client):
    page = soup(member_client.get("/bureau/"))
    assert "Karim Benali" in text_of(page.find("h1"))


# --- Notification list -------------------------------------------------------------------------


def test_notification_list_paginates_by_thirty(member_client, member):
    make_notifications(member, 35, actor=member)
    first = soup(member_client.get("/bureau/notifications/"))
    items = first.select("li.notification")
    assert len(items) == 30
    # Newest first: the 35th (index 34) is on top, the 6th (index 5) closes the page.
    assert "Personne 034" in text_of(items[0])
    assert "Personne 005" in text_of(items[-1])
    assert first.select_one('.pagination a[rel="next"]')["href"] == "?page=2"

    second = soup(member_client.get("/bureau/notifications/?page=2"))
    items = second.select("li.notification")
    assert [re.search(r"Personne \d+", text_of(li)).group() for li in items] == [
        "Personne 004", "Personne 003", "Personne 002", "Personne 001", "Personne 000"
    ]
    assert second.select_one('.pagination a[rel="prev"]')["href"] == "?page=1"
    assert second.select_one('.pagination a[rel="next"]') is None


def test_notification_list_unread_filter(member_client, member):
    make_notifications(member, 2, read=True, actor=member)
    unread = make_notifications(member, 3, actor=member, start=timezone.now() - timedelta(hours=1))
    # Someone else's unread notification never shows.
    make_notifications(UserFactory(), 1)

    everything = soup(member_client.get("/bureau/notifications/"))
    assert len(everything.select("li.notification")) == 5
    assert len(everything.select("li.notification--unread")) == 3

    page = soup(member_client.get("/bureau/notifications/?filtre=non-lues"))
    items = page.select("li.notification")
    assert len(items) == 3
    assert all("notification--unread" in li["class"] for li in items)
    shown = {re.search(r"Personne \d+", text_of(li)).group() for li in items}
    assert shown == {n.target_label for n in unread}
    # The filter link is marked as the current one.
    assert page.find("a", href="?filtre=non-lues")["aria-current"] == "page"


def test_notification_list_unread_filter_keeps_the_filter_across_pages(member_client, member):
    make_notifications(member, 31, actor=member)
    page = soup(member_client.get("/bureau/notifications/?filtre=non-lues"))
    assert page.select_one('.pagination a[rel="next"]')["href"] == "?filtre=non-lues&page=2"
    second = soup(member_client.get("/bureau/notifications/?filtre=non-lues&page=2"))
    assert len(second.select("li.notification")) == 1


def test_notification_list_empty_unread_filter(member_client, member):
    make_notifications(member, 2, read=True, actor=member)
    page = soup(member_client.get("/bureau/notifications/?filtre=non-lues"))
    assert page.select("li.notification") == []
    assert page.select_one("main p.empty")


def test_mark_one_notification_read(member_client, member):
    target, other = make_notifications(member, 2, actor=member)
    response = member_client.post(f"/bureau/notifications/{target.pk}/lire/")
    assert response.status_code == 302
    assert response["Location"] == "/bureau/notifications/"
    target.refresh_from_db()
    other.refresh_from_db()
    assert target.read_at is not None
    assert other.read_at is None


def test_mark_one_read_goes_back_to_a_safe_next_only(member_client, member):
    first, second = make_notifications(member, 2, actor=member)
    response = member_client.post(f"/bureau/notifications/{first.pk}/lire/",
                                  {"next": "/bureau/notifications/?page=2"})
    assert response["Location"] == "/bureau/notifications/?page=2"
    response = member_client.post(f"/bureau/notifications/{second.pk}/lire/",
                                  {"next": "https://ailleurs.example/piege"})
    assert response["Location"] == "/bureau/notifications/"


def test_mark_one_read_and_open_goes_to_the_notification_target(member_client, member):
    (notification,) = make_notifications(member, 1, actor=member)
    response = member_client.post(f"/bureau/notifications/{notification.pk}/lire/", {"open": "1"})
    assert response["Location"] == f"/bureau/membres/{member.pk}/"
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_read_of_another_users_notification_is_404(member_client, referent):
    (foreign,) = make_notifications(referent, 1, actor=referent)
    response = member_client.post(f"/bureau/notifications/{foreign.pk}/lire/")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_mark_read_is_post_only(member_client, member):
    (notification,) = make_notifications(member, 1, actor=member)
    assert member_client.get(f"/bureau/notifications/{notification.pk}/lire/").status_code == 405
    assert member_client.get("/bureau/notifications/tout-lire/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(member_client, member, referent):
    make_notifications(member, 3, actor=member)
    make_notifications(member, 1, read=True, actor=member)
    others = make_notifications(referent, 2, actor=referent)

    response = member_client.post("/bureau/notifications/tout-lire/", follow=True)
    assert response.redirect_chain == [("/bureau/notifications/", 302)]
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert Notification.objects.filter(pk__in=[n.pk for n in others], read_at__isnull=True).count() == 2
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert re.search(r"\b3\b", messages[0])
    assert soup(response).select("li.notification--unread") == []


# --- Header -----------------------------------------------------------------------------------


def test_header_badge_counts_unread_notifications(member_client, member):
    make_notifications(member, 3, actor=member)
    make_notifications(member, 2, read=True, actor=member)
    make_notifications(UserFactory(), 4)
    badge = soup(member_client.get("/bureau/")).select_one("header [data-unread-badge]")
    assert badge.get_text(strip=True) == "3"
    assert not badge.has_attr("hidden")

    member_client.post("/bureau/notifications/tout-lire/")
    badge = soup(member_client.get("/bureau/parametres/")).select_one("header [data-unread-badge]")
    assert badge.get_text(strip=True) == "0"
    assert badge.has_attr("hidden")


def test_header_has_no_badge_for_visitors_or_pending_members(client, pending_user):
    assert soup(client.get("/compte/login/")).select_one("[data-unread-badge]") is None
    client.force_login(pending_user)
    assert soup(client.get("/bureau/en-attente/")).select_one("[data-unread-badge]") is None


# --- Settings ---------------------------------------------------------------------------------


def test_settings_page_saves_the_notification_preference(member_client, member):
    page = soup(member_client.get("/bureau/parametres/"))
    checked = page.select_one('input[name="notification_email"][checked]')
    assert checked["value"] == "immediate"
    assert {i["value"] for i in page.select('input[name="notification_email"]')} == {"immediate", "daily", "never"}

    response = member_client.post("/bureau/parametres/", {"notification_email": "daily"}, follow=True)
    assert response.redirect_chain == [("/bureau/parametres/", 302)]
    member.refresh_from_db()
    assert member.notification_email == "daily"
    assert len(list(response.context["messages"])) == 1
    assert soup(response).select_one('input[name="notification_email"][checked]')["value"] == "daily"


def test_settings_page_rejects_an_unknown_choice(member_client, member):
    response = member_client.post("/bureau/parametres/", {"notification_email": "hourly"})
    assert response.status_code == 200
    assert soup(response).select_one(".field--error .errorlist")
    member.refresh_from_db()
    assert member.notification_email == "immediate"


def _preference_labels(page):
    return {
        "title": text_of(page.select_one("main h1")),
        "legend": text_of(page.select_one("fieldset legend")).rstrip(" *"),
        "choices": {text_of(label) for label in page.select("fieldset label")},
    }


def test_settings_page_speaks_french_by_default_and_english_on_request(member_client):
    french = soup(member_client.get("/bureau/parametres/"))
    assert french.html["lang"] == "fr"
    assert _preference_labels(french) == {
        "title": "Paramètres du compte",
        "legend": "M'envoyer mes notifications par e-mail",
        "choices": {"Un e-mail par notification", "Un récapitulatif quotidien", "Aucun e-mail"},
    }
    # Django's own messages follow the language too.
    french_error = soup(member_client.post("/bureau/parametres/", {"notification_email": "hourly"}))
    assert text_of(french_error.select_one(".errorlist")).startswith("Sélectionnez un choix valide.")

    member_client.post("/i18n/setlang/", {"language": "en", "next": "/bureau/parametres/"})
    english = soup(member_client.get("/bureau/parametres/"))
    assert english.html["lang"] == "en"
    assert _preference_labels(english) == {
        "title": "Account settings",
        "legend": "E-mail me my notifications",
        "choices": {"One e-mail per notification", "A daily digest", "No e-mail"},
    }
    english_error = soup(member_client.post("/bureau/parametres/", {"notification_email": "hourly"}))
    assert text_of(english_error.select_one(".errorlist")) == (
        "Select a valid choice. hourly is not one of the available choices."
    )


# --- Health check -----------------------------------------------------------------------------


def test_healthz_reports_database_and_channel_layer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert {k: data[k] for k in ("database", "channel_layer", "status")} == {
        "database": "ok", "channel_layer": "ok", "status": "ok"
    }


def test_healthz_says_503_when_the_channel_layer_fails(client, db, monkeypatch):
    class BrokenLayer:
        async def send(self, channel, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr("extranet.views.get_channel_layer", lambda: BrokenLayer())
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["database"] == "ok"
    assert data["channel_layer"] == "error: ConnectionError"
    assert data["status"] == "error"


def test_healthz_is_get_only(client, db):
    assert client.post("/healthz").status_code == 405


# --- Pending page -----------------------------------------------------------------------------


def test_pending_page_for_a_pending_member(pending_client, pending_user):
    page = soup(pending_client.get("/bureau/en-attente/"))
    summary = text_of(page.select_one("dl.summary"))
    assert "Romain Espitalier" in summary
    assert pending_user.email in summary
    assert "Pays des Causses" in summary
    assert "Pays des Causses" in text_of(page.select_one("main p"))


def test_pending_page_for_a_refused_member_says_so(client, territory):
    refused = UserFactory(territory=territory, status=User.Status.REFUSED, display_name="Refusée")
    pending = PendingUserFactory(territory=territory)
    client.force_login(refused)
    refused_page = soup(client.get("/bureau/en-attente/"))
    client.force_login(pending)
    pending_page = soup(client.get("/bureau/en-attente/"))

    refused_title = text_of(refused_page.select_one("main h1"))
    assert re.search(r"not accepted|pas été acceptée|refusée", refused_title)
    assert refused_title != text_of(pending_page.select_one("main h1"))
    # The refused member is not told to wait for an approval e-mail.
    assert "Pays des Causses" not in text_of(refused_page.select_one("main p"))


def test_pending_page_sends_approved_members_to_their_desk(member_client):
    response = member_client.get("/bureau/en-attente/")
    assert response.status_code == 302
    assert response["Location"] == "/bureau/"


# --- Language and accessibility -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/bureau/", "/bureau/notifications/", "/bureau/parametres/"])
def test_desk_pages_are_french_by_default_with_skip_link_and_landmarks(member_client, url):
    page = soup(member_client.get(url))
    assert page.html["lang"] == "fr"
    skip = page.body.find("a")  # the very first link of the page
    assert skip["href"] == "#main"
    assert "skip-link" in skip["class"]
    assert page.select_one("header[role=banner]") is not None
    assert len(page.select("nav[aria-label]")) >= 2  # site navigation and desk navigation
    mains = page.find_all("main")
    assert len(mains) == 1
    assert mains[0]["id"] == "main"
    assert page.select_one("footer[role=contentinfo]") is not None
    # The current desk entry is announced as such.
    assert page.select_one(f'nav.desk-nav a[href="{url}"]')["aria-current"] == "page"


@pytest.mark.parametrize("url", ["/compte/login/", "/compte/signup/"])
def test_public_pages_have_skip_link_and_landmarks(client, db, url):
    page = soup(client.get(url))
    assert page.html["lang"] == "fr"
    assert page.body.find("a")["href"] == "#main"
    assert page.find("header") and page.find("nav") and page.find("footer")
    assert page.find("main")["id"] == "main"


def test_language_switch_changes_the_lang_attribute(member_client):
    assert soup(member_client.get("/bureau/")).html["lang"] == "fr"
    form = soup(member_client.get("/bureau/")).select_one("footer form.language-form")
    assert form["action"] == "/i18n/setlang/"
    assert {o["value"] for o in form.select("option")} == {"fr", "en"}

    response = member_client.post("/i18n/setlang/", {"language": "en", "next": "/bureau/notifications/"})
    assert response.status_code == 302
    assert response["Location"] == "/bureau/notifications/"
    page = soup(member_client.get("/bureau/notifications/"))
    assert page.html["lang"] == "en"
    assert page.select_one("#language-select option[selected]")["value"] == "en"
    assert text_of(page.select_one("main h1")) == "Notifications"

    member_client.post("/i18n/setlang/", {"language": "fr", "next": "/bureau/"})
    assert soup(member_client.get("/bureau/")).html["lang"] == "fr"


def test_language_switch_works_for_visitors(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/compte/login/"})
    assert soup(client.get("/compte/login/")).html["lang"] == "en"


# --- Query counts -------------------------------------------------------------------------------

# Measured on SQLite and PostgreSQL: session, user, referent territories (navigation),
# unread badge, then the page's own reads. Raise one only with a reason; a page whose
# count grows with its data has an N+1 bug.
MAX_QUERIES = {
    # + the member's layout, latest notifications, activity stream, venue colleagues, my groups,
    # the member's territory, unread forum topics, the chat's rooms with their participants and
    # unread counts (three: rooms, participants of direct rooms, one grouped count), the
    # calendar's next events (two: the calendars seen, the events; a third, the exceptions,
    # only when a recurring event is among them; + the workshops' agenda source), "Mes ateliers"
    # (two: the member's registrations and sessions they lead, their evaluations to fill in),
    # the lending source of the calendar widget (one: the loans), "Mes prêts" (two: the loans
    # and offers, the counts of the equipment the member manages), "Ressources récentes" (two: the
    # resources, their authors)
    "dashboard": 24,
    "notifications": 6,  # + count and page of the list
    # + the desk navigation's count of waiting requests on the next two
    "pending": 8,  # + count, page, venues of the page (one prefetch)
    "invitations": 8,  # + count, page, territory and venue choices of the form
}


def _flat(client, url, grow):
    return queries_flat(client, url, grow)[1]


def _grow_dashboard(member, venue, factor):
    make_notifications(member, 3 * factor)
    for _ in range(2 * factor):
        UserFactory(venues=[venue])


def _grow_pending(territory, venue, factor):
    for _ in range(2 * factor):
        PendingUserFactory(territory=territory, venues=[venue])


def _grow_invitations(territory, venue, coordinator, factor):
    now = timezone.now()
    for i in range(2 * factor):
        accepted = UserFactory(territory=territory) if i % 2 else None
        Invitation.objects.create(
            email=f"invite-{factor}-{i}@exemple.test", territory=territory, venue=venue,
            invited_by=UserFactory(territory=territory) if i % 3 else coordinator,
            token_hash=hash_token(f"jeton-{factor}-{i}"), created_at=now, expires_at=now + timedelta(days=14),
            accepted_at=now if accepted else None, accepted_user=accepted,
        )


def test_dashboard_queries_are_pinned_and_flat(client, member, venue, django_assert_max_num_queries):
    client.force_login(member)
    page = _flat(client, "/bureau/", lambda f: _grow_dashboard(member, venue, f))
    assert len(page.select("#widget-notifications ~ ul li")) == 5  # the latest five
    assert len(page.select("#widget-venue-members ~ ul li")) == 12  # at most twelve colleagues
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
        client.get("/bureau/")


def test_notification_list_queries_are_pinned_and_flat(client, member, django_assert_max_num_queries):
    client.force_login(member)
    page = _flat(client, "/bureau/notifications/", lambda f: make_notifications(member, 3 * f))
    assert len(page.select("li.notification")) == 30
    with django_assert_max_num_queries(MAX_QUERIES["notifications"]):
        client.get("/bureau/notifications/")


def test_pending_requests_queries_are_pinned_and_flat(client, referent, territory, venue,
                                                      django_assert_max_num_queries):
    client.force_login(referent)
    page = _flat(client, "/bureau/membres/demandes/", lambda f: _grow_pending(territory, venue, f))
    requests = page.select("li.request")
    assert len(requests) == 20
    assert all("EPM de Limogne" in text_of(li) for li in requests)
    with django_assert_max_num_queries(MAX_QUERIES["pending"]):
        client.get("/bureau/membres/demandes/")


def test_invitation_list_queries_are_pinned_and_flat(client, coordinator, territory, venue,
                                                     django_assert_max_num_queries):
    client.force_login(coordinator)
    page = _flat(client, "/bureau/membres/invitations/",
                 lambda f: _grow_invitations(territory, venue, coordinator, f))
    assert len(page.select("table tbody tr")) == 20
    with django_assert_max_num_queries(MAX_QUERIES["invitations"]):
        client.get("/bureau/membres/invitations/")


def test_a_pending_account_in_the_editors_group_never_reaches_wagtail(client, territory):
    from extranet.testing.factories import PendingUserFactory

    pending_editor = PendingUserFactory(territory=territory, site_editor=True)
    assert pending_editor.has_perm("wagtailadmin.access_admin")
    client.force_login(pending_editor)
    response = client.get("/cms/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/bureau/en-attente/"


def test_wagtail_login_form_is_not_a_way_in(client, editor):
    """/cms/login/ sends to allauth's login (2FA, verification); posting to it logs nobody in."""
    response = client.get("/cms/login/?next=/cms/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/compte/login/?next=/cms/pages/"
    client.post("/cms/login/", {"username": editor.email, "password": "un-mot-de-passe-solide-42"})
    assert "_auth_user_id" not in client.session
    assert client.get("/cms/").status_code == 302
