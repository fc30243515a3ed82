"""Desk shell views: thin, they call selectors and services."""

import uuid
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_POST

from core import dashboard, selectors
from core import services as core_services
from core.forms import error_text, posted, safe_next
from extranet import selectors as desk_selectors
from extranet import services
from members import permissions
from members.forms import NotificationPreferencesForm
from members.services import notification_preferences_update

NOTIFICATIONS_PER_PAGE = 30
ACTIVITIES_PER_PAGE = 30
MOVES = {"up": -1, "down": 1}
# Sentences shared by the view (no JavaScript) and dashboard.js (given in data attributes).
MOVED_TEXT = gettext_noop("%(widget)s moved to position %(position)s of %(total)s.")
NOT_SAVED_TEXT = gettext_noop("Your dashboard could not be saved: %(reason)s")
# Query string of the customisation page after a move: which row moved, which way.
MOVED_PARAM, DIRECTION_PARAM = "deplace", "sens"
DIRECTIONS = {"up": "haut", "down": "bas"}


def desk_home(request):
    return render(request, "extranet/desk_home.html", desk_selectors.dashboard_for(request))


def _wants_json(request):
    """dashboard.js saves with fetch and asks for JSON; a plain form submit gets a redirect."""
    return request.headers.get("Accept", "").startswith("application/json")


def _apply_move(order, move):
    """Swap the widget named in `move` ("up:<key>" or "down:<key>") with its neighbour.

    Returns (key, direction) of the move made, or None when there is nothing to move.
    """
    direction, _sep, key = (move or "").partition(":")
    if direction not in MOVES or key not in order:
        return None
    index = order.index(key)
    target = index + MOVES[direction]
    if not 0 <= target < len(order):
        return None
    order[index], order[target] = order[target], order[index]
    return key, direction


def dashboard_customize(request):
    """Which widgets the dashboard shows, in which order: one form, working without JavaScript.

    Each "Move up"/"Move down" button submits the whole form (so the boxes ticked so far
    are kept), saves the new order and comes back to the moved row. dashboard.js adds
    drag and drop and saves with fetch (JSON answer) instead of reloading.
    """
    if request.method == "POST":
        order = request.POST.getlist("order")
        shown = set(request.POST.getlist("shown"))
        moved = _apply_move(order, request.POST.get("move"))
        hidden = [key for key in dict.fromkeys(order) if key not in shown]
        try:
            layout = services.dashboard_layout_save(actor=request.user, order=order, hidden=hidden)
        except ValidationError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "errors": exc.messages}, status=400)
            messages.error(request, _(NOT_SAVED_TEXT) % {"reason": error_text(exc)})
            return redirect("desk:dashboard-customize")
        if moved is None:
            text = _("Your dashboard is saved.")
            target = reverse("desk:dashboard-customize")
        else:
            key, direction = moved
            text = _(MOVED_TEXT) % {
                "widget": dashboard.WIDGETS[key].title,
                "position": layout.order.index(key) + 1,
                "total": len(layout.order),
            }
            # No #fragment: browsers ignore `autofocus` on a page opened at a fragment.
            query = urlencode({MOVED_PARAM: key, DIRECTION_PARAM: DIRECTIONS[direction]})
            target = f"{reverse('desk:dashboard-customize')}?{query}"
        if _wants_json(request):
            return JsonResponse({"ok": True, "message": text})
        messages.success(request, text)
        return redirect(target)

    layout = desk_selectors.dashboard_layout_for(user=request.user)
    moved_key = request.GET.get(MOVED_PARAM)
    direction = {v: k for k, v in DIRECTIONS.items()}.get(request.GET.get(DIRECTION_PARAM), "up")
    rows = []
    for index, (widget, shown) in enumerate(layout):
        first, last = index == 0, index == len(layout) - 1
        focus = None
        if widget.key == moved_key:
            # The pressed button keeps the focus, unless the row reached that end of the list.
            focus = direction
            if (focus == "up" and first) or (focus == "down" and last):
                focus = "down" if focus == "up" else "up"
            if first and last:
                focus = None
        rows.append({"widget": widget, "shown": shown, "first": first, "last": last, "focus": focus})
    return render(request, "extranet/dashboard_customize.html", {
        "rows": rows, "moved_template": _(MOVED_TEXT), "error_template": _(NOT_SAVED_TEXT),
    })


@require_POST
def dashboard_reset(request):
    services.dashboard_layout_reset(actor=request.user)
    messages.success(request, _("Your dashboard is back to its default layout."))
    return redirect("desk:dashboard-customize")


def activity_list(request):
    activities = desk_selectors.activity_stream_for(user=request.user)
    page = Paginator(activities, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "extranet/activity_list.html", {"page": page})


def space_list(request):
    """The spaces the member belongs to, each with its page."""
    return render(request, "extranet/space_list.html", {"groups": desk_selectors.spaces_of(user=request.user)})


def space_detail(request, pk):
    """A space's page (the network, a territory; a workgroup's page is its group page)."""
    space = desk_selectors.space_get_for_user(request.user, pk)
    if space.get_absolute_url() != request.path:
        return redirect(space.get_absolute_url())
    return render(request, "extranet/space_detail.html", {"space": space,
                                                           **desk_selectors.space_page(user=request.user, space=space)})


def pending(request):
    """What a pending or refused member sees, whatever desk URL they open.

    Asked for JSON (`Accept: application/json`, by static/js/pending.js every few seconds),
    the same URL answers the member's status, so that the page notices the approval
    without a reload (the websocket is for approved members only). Never cached.
    """
    approved = permissions.is_approved(request.user)
    if _wants_json(request):
        response = JsonResponse(desk_selectors.membership_status(user=request.user))
        response["Cache-Control"] = "no-store"
        patch_vary_headers(response, ["Accept"])
        return response
    if approved:
        return redirect("desk:home")
    response = render(request, "extranet/pending.html", {"member": request.user})
    patch_vary_headers(response, ["Accept"])
    return response


def notification_list(request):
    only_unread = request.GET.get("filtre") == "non-lues"
    notifications = selectors.notifications_for(user=request.user, unread_only=only_unread)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "extranet/notification_list.html",
        {"page": page, "only_unread": only_unread},
    )


@require_POST
def notification_read(request, pk):
    notification = selectors.notification_get_for_user(request.user, pk)
    core_services.notification_mark_read(actor=request.user, notification=notification)
    if request.POST.get("open") and notification.url:
        return redirect(notification.url)
    return redirect(safe_next(request, "desk:notifications"))


@require_POST
def notification_read_all(request):
    count = core_services.notifications_mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect(safe_next(request, "desk:notifications"))


def account_settings(request):
    form = NotificationPreferencesForm(
        posted(request), initial={"notification_email": request.user.notification_email}
    )
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(actor=request.user, notification_email=form.cleaned_data["notification_email"])
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("desk:settings")
    return render(request, "extranet/settings.html", {"form": form})


@require_GET
def healthz(request):
    """Liveness and readiness: database and channel layer, as JSON."""
    status = {"database": "ok", "channel_layer": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # report, never raise: this page is for monitors
        status["database"] = f"error: {exc.__class__.__name__}"
    try:
        layer = get_channel_layer()
        channel = f"healthz.{uuid.uuid4().hex}"
        async_to_sync(layer.send)(channel, {"type": "healthz.ping"})
        message = async_to_sync(layer.receive)(channel)
        if message.get("type") != "healthz.ping":
            status["channel_layer"] = "error: unexpected reply"
        status["channel_layer_backend"] = layer.__class__.__name__
    except Exception as exc:
        status["channel_layer"] = f"error: {exc.__class__.__name__}"
    healthy = status["database"] == "ok" and status["channel_layer"] == "ok"
    status["status"] = "ok" if healthy else "error"
    return JsonResponse(status, status=200 if healthy else 503)

