"""Desk shell views: thin, they call selectors and services."""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from extranet import dashboard, selectors, services
from extranet.forms import posted
from members import permissions
from members.forms import NotificationPreferencesForm
from members.services import notification_preferences_update

NOTIFICATIONS_PER_PAGE = 30


def desk_home(request):
    return render(request, "extranet/desk_home.html", {"widgets": dashboard.widgets_for(request)})


def pending(request):
    """What a pending or refused member sees, whatever desk URL they open."""
    if permissions.is_approved(request.user):
        return redirect("desk:home")
    return render(request, "extranet/pending.html", {"member": request.user})


def notification_list(request):
    only_unread = request.GET.get("filtre") == "non-lues"
    notifications = selectors.notifications_for(user=request.user, unread_only=only_unread)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "extranet/notification_list.html",
        {"page": page, "only_unread": only_unread},
    )


def _safe_next(request, default):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@require_POST
def notification_read(request, pk):
    notification = selectors.notification_get_for_user(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if request.POST.get("open") and notification.url:
        return redirect(notification.url)
    return redirect(_safe_next(request, "desk:notifications"))


@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect(_safe_next(request, "desk:notifications"))


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

