"""The personal dashboard: which widgets a member shows, and in which order.

Services (`dashboard_layout_save`, `dashboard_layout_reset`): allowed, denied, invalid.
Reading (`dashboard.arrange`, `selectors.dashboard_layout_for`): a widget registered after
a layout was saved takes its default position; a key that is no longer registered is
ignored. Views: the customisation page works without JavaScript (each "Move up"/"Move
down" is a POST that saves and comes back to the moved row), the dashboard follows the
layout, and a hidden widget costs nothing.
"""

import dataclasses
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from core import dashboard
from extranet import selectors
from extranet.models import DashboardLayout
from extranet.services import dashboard_layout_reset, dashboard_layout_save
from extranet.testing.factories import UserFactory
from extranet.testing.pages import soup, text_of
from extranet.tests.test_views import MAX_QUERIES, _flat, _grow_dashboard
from members.models import User

CUSTOMIZE = "/bureau/tableau-de-bord/personnaliser/"
RESET = "/bureau/tableau-de-bord/reinitialiser/"
# The widgets of the desk, members and workgroups apps, in their default order. The tests
# run with these only (`_known_widgets`), so that a widget another app adds later does not
# change what they expect.
DEFAULT = ["notifications", "activity-stream", "profile", "my-groups", "venue-members"]
MAX_QUERIES_CUSTOMIZE = 5  # session, user, referent territories (navigation), unread badge, layout
REGISTERED = dict(dashboard.WIDGETS)  # every widget registered by the installed apps


@pytest.fixture(autouse=True)
def _known_widgets(monkeypatch):
    monkeypatch.setattr(dashboard, "WIDGETS", {key: REGISTERED[key] for key in DEFAULT})


def arranged(user):
    return [(widget.key, shown) for widget, shown in selectors.dashboard_layout_for(user=user)]


def keys_on_dashboard(client):
    page = soup(client.get("/bureau/"))
    return [section["aria-labelledby"].removeprefix("widget-") for section in page.select("main section.widget")]


def rows_of(page):
    return [li["data-key"] for li in page.select("ol[data-layout-list] > li")]


def form_data(page, **extra):
    """What the customisation form posts as it is shown: order and ticked boxes."""
    data = {
        "order": [i["value"] for i in page.select('input[name="order"]')],
        "shown": [i["value"] for i in page.select('input[name="shown"][checked]')],
    }
    data.update(extra)
    return data


@pytest.fixture
def extra_widget(monkeypatch):
    """register(key, order): a widget registered for this test only."""

    def register(key, order):
        widget = dashboard.Widget(key=key, title=f"Widget {key}", template="extranet/widgets/notifications.html",
                                  context=lambda request: {"notifications": []}, order=order)
        monkeypatch.setitem(dashboard.WIDGETS, key, widget)
        return widget

    return register


# --- Services --------------------------------------------------------------------------------


def test_the_apps_register_these_widgets_in_this_order():
    order = sorted(REGISTERED.values(), key=lambda w: (w.order, w.key))
    assert [w.key for w in order if w.key in DEFAULT] == DEFAULT


def test_the_default_layout_shows_every_widget_in_the_apps_order(member):
    assert dashboard.default_order() == DEFAULT
    assert arranged(member) == [(key, True) for key in DEFAULT]


def test_a_member_saves_the_order_and_the_hidden_widgets(member):
    order = list(reversed(DEFAULT))
    layout = dashboard_layout_save(actor=member, order=order, hidden=["profile"])
    assert DashboardLayout.objects.get(user=member).pk == layout.pk
    assert layout.order == order
    assert layout.hidden == ["profile"]
    assert arranged(member) == [(key, key != "profile") for key in order]
    # Saving again replaces the layout: still one row.
    dashboard_layout_save(actor=member, order=DEFAULT, hidden=[])
    assert DashboardLayout.objects.filter(user=member).count() == 1
    assert arranged(member) == [(key, True) for key in DEFAULT]


def test_a_partial_order_leaves_the_other_widgets_at_their_default_place(member):
    layout = dashboard_layout_save(actor=member, order=["venue-members", "notifications"], hidden=[])
    # Stored complete: every widget registered now, each missing one after its default predecessor.
    assert layout.order == ["venue-members", "notifications", "activity-stream", "profile", "my-groups"]


def test_a_widget_registered_later_appears_at_its_default_position(member, extra_widget):
    saved = ["venue-members", "notifications", "profile", "activity-stream", "my-groups"]
    dashboard_layout_save(actor=member, order=saved, hidden=["my-groups"])
    extra_widget("first-ever", order=0)     # before every widget by default
    extra_widget("after-notif", order=12)   # between notifications (10) and activity-stream (15)
    assert arranged(member) == [
        ("first-ever", True), ("venue-members", True), ("notifications", True), ("after-notif", True),
        ("profile", True), ("activity-stream", True), ("my-groups", False),
    ]


def test_keys_no_longer_registered_are_ignored_on_read(member):
    DashboardLayout.objects.create(
        user=member, order=["gone", "profile", 42, "notifications"], hidden=["gone", "notifications", None],
    )
    # The two kept keys in their order; the others each after their default predecessor.
    assert arranged(member) == [
        ("profile", True), ("my-groups", True), ("venue-members", True), ("notifications", False),
        ("activity-stream", True),
    ]
    # A layout broken by hand (not lists) reads as the default.
    DashboardLayout.objects.filter(user=member).update(order={"a": 1}, hidden="profile")
    assert arranged(member) == [(key, True) for key in DEFAULT]


@pytest.mark.parametrize("who", ["anonymous", "pending", "refused", "inactive"])
def test_only_approved_members_save_or_reset_a_layout(who, territory, pending_user):
    actor = {
        "anonymous": AnonymousUser(),
        "pending": pending_user,
        "refused": UserFactory(territory=territory, status=User.Status.REFUSED),
        "inactive": UserFactory(territory=territory, is_active=False),
    }[who]
    with pytest.raises(PermissionDenied):
        dashboard_layout_save(actor=actor, order=DEFAULT, hidden=[])
    with pytest.raises(PermissionDenied):
        dashboard_layout_reset(actor=actor)
    assert not DashboardLayout.objects.exists()


def test_a_coordinator_has_a_layout_of_their_own(coordinator, member):
    dashboard_layout_save(actor=coordinator, order=list(reversed(DEFAULT)), hidden=[])
    assert arranged(coordinator)[0] == ("venue-members", True)
    assert arranged(member)[0] == ("notifications", True)


@pytest.mark.parametrize(
    ("order", "hidden", "message"),
    [
        (["notifications", "nope"], [], r"nope"),
        (["notifications", "profile", "notifications"], [], r"notifications"),
        (DEFAULT, ["profile", "profile"], r"profile"),
        (DEFAULT, ["ailleurs"], r"ailleurs"),
        (DEFAULT + ["notifications"], [], r"\b6\b.*\b5\b"),
        ("notifications", [], None),
        (["notifications", 3], [], None),
        (None, [], None),
        ([], [], r"vide|empty"),
    ],
    ids=["unknown", "duplicate", "duplicate-hidden", "unknown-hidden", "too-many", "string", "not-a-key", "none",
         "empty"],
)
def test_invalid_layouts_are_refused_with_a_clear_message_and_change_nothing(member, order, hidden, message):
    before = dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=["profile"])
    with pytest.raises(ValidationError) as caught:
        dashboard_layout_save(actor=member, order=order, hidden=hidden)
    text = " ".join(caught.value.messages)
    assert text
    if message:
        assert re.search(message, text), text
    after = DashboardLayout.objects.get(user=member)
    assert (after.order, after.hidden, after.updated_at) == (before.order, before.hidden, before.updated_at)


def test_reset_goes_back_to_the_default(member):
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=["profile", "notifications"])
    dashboard_layout_reset(actor=member)
    assert not DashboardLayout.objects.filter(user=member).exists()
    assert arranged(member) == [(key, True) for key in DEFAULT]
    dashboard_layout_reset(actor=member)  # nothing to reset: no error


def test_reading_the_layout_is_one_query(member, django_assert_num_queries):
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=["profile"])
    with django_assert_num_queries(1):
        arranged(member)


# --- The dashboard follows the layout ---------------------------------------------------------------


def test_the_dashboard_shows_the_widgets_in_the_members_order(member_client, member):
    assert keys_on_dashboard(member_client) == DEFAULT
    dashboard_layout_save(actor=member, order=["venue-members", "profile", "notifications"], hidden=[])
    assert keys_on_dashboard(member_client) == [
        "venue-members", "profile", "my-groups", "notifications", "activity-stream",
    ]


def test_a_hidden_widget_is_not_rendered_nor_computed(member_client, member, monkeypatch):
    calls = []
    original = dashboard.WIDGETS["venue-members"]

    def counting(request):
        calls.append(request.path)
        return original.context(request)

    monkeypatch.setitem(dashboard.WIDGETS, "venue-members", dataclasses.replace(original, context=counting))
    assert "venue-members" in keys_on_dashboard(member_client)
    assert calls == ["/bureau/"]
    dashboard_layout_save(actor=member, order=DEFAULT, hidden=["venue-members", "notifications"])
    page = soup(member_client.get("/bureau/"))
    assert page.select_one("#widget-venue-members") is None
    assert page.select_one("#widget-notifications") is None
    assert page.select_one("#widget-profile") is not None
    assert calls == ["/bureau/"]  # not called again


def test_a_dashboard_with_every_widget_hidden_says_how_to_get_them_back(member_client, member):
    dashboard_layout_save(actor=member, order=DEFAULT, hidden=DEFAULT)
    page = soup(member_client.get("/bureau/"))
    assert page.select("main section.widget") == []
    assert page.select_one("main p.empty").find("a", href=CUSTOMIZE)


def test_the_dashboard_links_to_its_customisation(member_client):
    link = soup(member_client.get("/bureau/")).select_one(f'main a[href="{CUSTOMIZE}"]')
    assert re.fullmatch(r"Personnaliser mon tableau de bord|Customise my dashboard", text_of(link))


# --- The customisation page, without JavaScript -------------------------------------------------------


def test_the_page_lists_every_widget_with_its_controls(member_client, member):
    dashboard_layout_save(actor=member, order=DEFAULT, hidden=["profile"])
    page = soup(member_client.get(CUSTOMIZE))
    assert rows_of(page) == DEFAULT
    form = page.select_one("form[data-dashboard-layout]")
    assert form["method"] == "post" and form["action"] == CUSTOMIZE
    for index, li in enumerate(page.select("ol[data-layout-list] > li")):
        key = li["data-key"]
        assert li["id"] == f"ligne-{key}"
        box = li.select_one('input[type="checkbox"][name="shown"]')
        assert box["value"] == key
        assert box.has_attr("checked") is (key != "profile")
        label = page.select_one(f'label[for="{box["id"]}"]')
        assert str(dashboard.WIDGETS[key].title) in text_of(label)
        up, down = li.select("button[data-move]")
        assert (up["name"], up["value"], down["value"]) == ("move", f"up:{key}", f"down:{key}")
        assert up["type"] == down["type"] == "submit"
        assert str(dashboard.WIDGETS[key].title) in text_of(up)  # "Move up My profile"
        assert up.has_attr("disabled") is (index == 0)
        assert down.has_attr("disabled") is (index == len(DEFAULT) - 1)
        assert not up.has_attr("autofocus") and not down.has_attr("autofocus")
    assert page.select_one("[data-dashboard-announcer]")["aria-live"] == "polite"
    assert form.select_one('button[type="submit"][name="save"]')
    assert page.select_one(f'form[action="{RESET}"] button[type="submit"]')
    assert page.select_one('script[src$="js/dashboard.js"]')


def test_move_up_without_javascript_saves_and_comes_back_to_the_row(member_client, member):
    page = soup(member_client.get(CUSTOMIZE))
    response = member_client.post(CUSTOMIZE, form_data(page, move="up:profile"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == CUSTOMIZE
    assert location.fragment == ""  # a fragment would make the browser ignore autofocus
    assert parse_qs(location.query) == {"deplace": ["profile"], "sens": ["haut"]}
    assert arranged(member)[:3] == [("notifications", True), ("profile", True), ("activity-stream", True)]

    response = member_client.get(response["Location"])
    page = soup(response)
    assert rows_of(page)[:3] == ["notifications", "profile", "activity-stream"]
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert re.search(r"\b2\b.*\b5\b", messages[0]) and str(dashboard.WIDGETS["profile"].title) in messages[0]
    row = page.select_one("#ligne-profile")
    assert row.select_one('button[data-move="up"]').has_attr("autofocus")
    assert len(page.select("[autofocus]")) == 1
    assert keys_on_dashboard(member_client)[:3] == ["notifications", "profile", "activity-stream"]


def test_moving_to_the_top_puts_the_focus_on_move_down(member_client, member):
    page = soup(member_client.get(CUSTOMIZE))
    response = member_client.post(CUSTOMIZE, form_data(page, move="up:activity-stream"), follow=True)
    page = soup(response)
    assert rows_of(page)[0] == "activity-stream"
    row = page.select_one("#ligne-activity-stream")
    assert row.select_one('button[data-move="up"]').has_attr("disabled")
    assert row.select_one('button[data-move="down"]').has_attr("autofocus")


def test_move_down_keeps_the_boxes_ticked_so_far(member_client, member):
    page = soup(member_client.get(CUSTOMIZE))
    data = form_data(page, move="down:notifications")
    data["shown"].remove("my-groups")  # unticked, then "Move down" pressed before saving
    response = member_client.post(CUSTOMIZE, data)
    assert parse_qs(urlsplit(response["Location"]).query)["sens"] == ["bas"]
    assert arranged(member) == [
        ("activity-stream", True), ("notifications", True), ("profile", True), ("my-groups", False),
        ("venue-members", True),
    ]
    page = soup(member_client.get(response["Location"]))
    assert page.select_one("#ligne-notifications button[data-move='down']").has_attr("autofocus")
    assert not page.select_one("#afficher-my-groups").has_attr("checked")


def test_moving_past_an_end_changes_nothing_but_saves_the_boxes(member_client, member):
    page = soup(member_client.get(CUSTOMIZE))
    data = form_data(page, move="up:notifications")
    data["shown"].remove("profile")
    response = member_client.post(CUSTOMIZE, data, follow=True)
    assert response.redirect_chain == [(CUSTOMIZE, 302)]
    assert arranged(member) == [(key, key != "profile") for key in DEFAULT]


def test_save_hides_the_unticked_widgets_from_the_dashboard(member_client, member):
    page = soup(member_client.get(CUSTOMIZE))
    data = form_data(page, save="1")
    data["shown"] = ["profile", "notifications"]
    response = member_client.post(CUSTOMIZE, data, follow=True)
    assert response.redirect_chain == [(CUSTOMIZE, 302)]
    assert len(list(response.context["messages"])) == 1
    assert keys_on_dashboard(member_client) == ["notifications", "profile"]


def test_an_invalid_post_shows_an_error_and_changes_nothing(member_client, member):
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=[])
    response = member_client.post(CUSTOMIZE, {"order": DEFAULT[:-1] + ["intrus"], "shown": DEFAULT}, follow=True)
    assert response.redirect_chain == [(CUSTOMIZE, 302)]
    (message,) = [m for m in response.context["messages"]]
    assert message.level_tag == "error" and "intrus" in str(message)
    assert arranged(member) == [(key, True) for key in reversed(DEFAULT)]


def test_the_script_saves_with_fetch_and_gets_json(member_client, member):
    order = ["profile", "notifications", "activity-stream", "my-groups", "venue-members"]
    response = member_client.post(
        CUSTOMIZE, {"order": order, "shown": order[:-1], "save": "1"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert arranged(member) == [(key, key != "venue-members") for key in order]

    response = member_client.post(
        CUSTOMIZE, {"order": order[:-1] + ["profile"], "shown": order}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and any("profile" in error for error in body["errors"])
    assert arranged(member) == [(key, key != "venue-members") for key in order]


def test_reset_by_post_only(member_client, member):
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=["profile"])
    assert member_client.get(RESET).status_code == 405
    assert DashboardLayout.objects.filter(user=member).exists()
    response = member_client.post(RESET, follow=True)
    assert response.redirect_chain == [(CUSTOMIZE, 302)]
    assert not DashboardLayout.objects.filter(user=member).exists()
    assert rows_of(soup(response)) == DEFAULT
    assert keys_on_dashboard(member_client) == DEFAULT


def test_pending_members_and_visitors_cannot_save_or_reset(client, pending_client, pending_user, member):
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=[])
    for url, data in ((CUSTOMIZE, {"order": DEFAULT, "shown": [], "move": "up:profile"}), (RESET, {})):
        response = client.post(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
        response = pending_client.post(url, data)
        assert response.status_code == 302 and response["Location"] == "/bureau/en-attente/"
    assert list(DashboardLayout.objects.values_list("user_id", flat=True)) == [member.pk]
    assert arranged(member) == [(key, True) for key in reversed(DEFAULT)]


def test_one_members_layout_never_touches_anothers(member_client, member, territory):
    other = UserFactory(territory=territory)
    dashboard_layout_save(actor=other, order=list(reversed(DEFAULT)), hidden=["profile"])
    member_client.post(RESET)
    member_client.post(CUSTOMIZE, {"order": DEFAULT, "shown": ["notifications"]})
    assert arranged(other) == [(key, key != "profile") for key in reversed(DEFAULT)]


# --- Query counts -------------------------------------------------------------------------------------


def test_dashboard_with_a_layout_keeps_its_query_count(client, member, venue, django_assert_max_num_queries):
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=[])
    client.force_login(member)
    page = _flat(client, "/bureau/", lambda f: _grow_dashboard(member, venue, f))
    assert [s["aria-labelledby"] for s in page.select("main section.widget")][0] == "widget-venue-members"
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
        client.get("/bureau/")


def test_hiding_widgets_saves_their_queries(client, member, django_assert_max_num_queries):
    dashboard_layout_save(actor=member, order=DEFAULT, hidden=["notifications", "activity-stream", "my-groups"])
    client.force_login(member)
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"] - 3):
        client.get("/bureau/")


def test_customisation_page_queries_are_pinned(client, member, django_assert_max_num_queries):
    client.force_login(member)
    dashboard_layout_save(actor=member, order=DEFAULT, hidden=["profile"])
    client.get(CUSTOMIZE)
    with django_assert_max_num_queries(MAX_QUERIES_CUSTOMIZE):
        client.get(CUSTOMIZE)


def test_a_post_without_the_form_fields_does_not_wipe_the_layout(member_client, member):
    """A JSON body, or an empty form, carries no `order`: refused, the saved layout kept."""
    dashboard_layout_save(actor=member, order=list(reversed(DEFAULT)), hidden=["profile"])
    response = member_client.post(CUSTOMIZE, '{"order": "x", "hidden": 3}', content_type="application/json",
                                  HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json()["ok"] is False
    assert member_client.post(CUSTOMIZE, {}).status_code == 302
    assert arranged(member) == [(key, key != "profile") for key in reversed(DEFAULT)]
