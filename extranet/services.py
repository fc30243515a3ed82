"""Desk shell services: notifications, the activity log and the dashboard layout.

Any app notifies someone with `notify(recipient=..., verb=..., target=...)`.
"""

import itertools
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from extranet import dashboard, realtime
from extranet.models import Activity, DashboardLayout, Notification
from extranet.notifications import VERBS
from members import permissions

logger = logging.getLogger(__name__)


def _local_path(url):
    """Notification links stay on this site: a path like /bureau/..., never //host or http://."""
    if not url:
        return ""
    if not url.startswith("/") or url.startswith("//") or len(url) > 500:
        raise ValueError(f"A notification link must be a local path of at most 500 characters: {url!r}")
    return url


def _target_fields(target, url=None):
    if target is None:
        return {"target_type": None, "target_id": "", "target_label": "", "url": _local_path(url)}
    if url is None and hasattr(target, "get_absolute_url"):
        url = target.get_absolute_url()
    return {
        "target_type": ContentType.objects.get_for_model(target),
        "target_id": str(target.pk),
        "target_label": str(target)[:255],
        "url": _local_path(url),
    }


def absolute_url(path):
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.BASE_URL}{path}"


def activity_record(*, actor, verb, target=None, space=None, data=None, url=None):
    """Log that `actor` did `verb` on `target` in `space` (the space decides who may read it)."""
    return Activity.objects.create(actor=actor, verb=verb, space=space, data=data or {}, **_target_fields(target, url))


def _send_notification_email(notification_id):
    notification = (
        Notification.objects.select_related("recipient", "actor").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "notification": notification,
            "url": absolute_url(notification.url),
            "settings_url": absolute_url("/bureau/parametres/"),
        }
        subject = f"[Maillage] {notification.text}"[:200]
        body = render_to_string("extranet/email/notification.txt", context)
    send_mail(subject, body, None, [notification.recipient.email], fail_silently=False)
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def notify(*, recipient, verb, target=None, actor=None, url=None):
    """Create an in-app notification, push it live, and e-mail it per the recipient's choice.

    Returns the notification, or None when the recipient cannot receive one (inactive
    account) or is the actor themself.
    """
    if verb not in VERBS:
        raise ValueError(f"Unregistered notification verb: {verb}")
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=recipient, actor=actor, verb=verb, **_target_fields(target, url)
        )
        unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
        realtime.publish_to_user(
            recipient.pk,
            "notification.new",
            notification.pk,
            {
                "unread": unread,
                "text": notification.text,
                "url": notification.url,
                "created_at": notification.created_at.isoformat(),
            },
        )
        if recipient.notification_email == recipient.EmailFrequency.IMMEDIATE:
            transaction.on_commit(lambda: _send_notification_email_safely(notification.pk))
    return notification


def _send_notification_email_safely(notification_id):
    try:
        _send_notification_email(notification_id)
    except Exception:  # the in-app notification stays in the list; the failure is logged
        logger.exception("Could not e-mail notification %s", notification_id)


def _publish_unread(user):
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    realtime.publish_to_user(user.pk, "notification.read", None, {"unread": unread})
    return unread


def notification_mark_read(*, actor, notification):
    if not permissions.is_authenticated(actor) or notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
        _publish_unread(actor)
    return notification


def notifications_mark_all_read(*, actor):
    if not permissions.is_authenticated(actor):
        raise PermissionDenied(_("You must be logged in."))
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
        _publish_unread(actor)
    return count


DIGEST_WINDOW = timedelta(days=7)


def notification_digests_send(*, now=None):
    """E-mail each daily-digest member their unread, not yet e-mailed notifications.

    Run once a day (`manage.py send_notification_digests`, from cron). Returns the number
    of e-mails sent. A member whose e-mail fails keeps their notifications for next time.
    """
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            recipient__notification_email="daily",
            recipient__is_active=True,
            emailed_at__isnull=True,
            read_at__isnull=True,
            # A digest is about the last days; older unread notifications stay in the list
            # (a member who switches from "never" to "daily" is not sent months of them).
            created_at__gte=now - DIGEST_WINDOW,
        )
        .select_related("recipient", "actor")
        .order_by("recipient_id", "created_at", "id")
    )
    sent = 0
    for _recipient_id, group in itertools.groupby(pending.iterator(chunk_size=500), key=lambda n: n.recipient_id):
        items = list(group)
        recipient = items[0].recipient
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "extranet/email/digest.txt",
                {
                    "recipient": recipient,
                    "items": [(n, absolute_url(n.url)) for n in items],
                    "list_url": absolute_url("/bureau/notifications/"),
                    "settings_url": absolute_url("/bureau/parametres/"),
                },
            )
            subject = ngettext(
                "[Maillage] %(count)s new notification", "[Maillage] %(count)s new notifications", len(items)
            ) % {"count": len(items)}
        try:
            send_mail(subject, body, None, [recipient.email], fail_silently=False)
        except Exception:
            logger.exception("Could not send the digest of user %s", recipient.pk)
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
            type(recipient).objects.filter(pk=recipient.pk).update(last_digest_at=now)
        sent += 1
    return sent


# --- Dashboard layout ------------------------------------------------------------------------


def _require_dashboard_owner(actor):
    if not permissions.is_approved(actor):
        raise PermissionDenied(_("Only approved members of the network have a dashboard."))


def _clean_widget_keys(keys, *, field):
    if keys is None or isinstance(keys, (str, bytes, dict)):
        raise ValidationError({field: _("The list of widgets is malformed.")})
    keys = list(keys)
    if not all(isinstance(k, str) for k in keys):
        raise ValidationError({field: _("The list of widgets is malformed.")})
    if len(keys) > len(dashboard.WIDGETS):
        raise ValidationError(
            {field: _("This list has %(count)s widgets; the dashboard has only %(max)s.")
             % {"count": len(keys), "max": len(dashboard.WIDGETS)}}
        )
    unknown = [k for k in dict.fromkeys(keys) if k not in dashboard.WIDGETS]
    if unknown:
        raise ValidationError(
            {field: _("Unknown widget: %(keys)s.") % {
                "keys": ", ".join("".join(ch for ch in k[:40] if ch.isprintable()) for k in unknown[:5])}}
        )
    twice = [k for k in dict.fromkeys(keys) if keys.count(k) > 1]
    if twice:
        raise ValidationError({field: _("A widget is listed twice: %(keys)s.") % {"keys": ", ".join(twice)}})
    return keys


def dashboard_layout_save(*, actor, order: list[str], hidden: list[str]) -> DashboardLayout:
    """Save which dashboard widgets `actor` sees (`hidden` are not shown) and in which order.

    `order` lists widget keys, first shown first; registered widgets it leaves out keep
    their default position. Every key must be registered, and listed once.
    """
    _require_dashboard_owner(actor)
    order = _clean_widget_keys(order, field="order")
    hidden = _clean_widget_keys(hidden, field="hidden")
    if not order:  # an empty or foreign form must not wipe a saved layout (reset is explicit)
        raise ValidationError({"order": _("The list of widgets is empty: nothing was changed.")})
    # Stored complete (every widget known now), so that a widget registered later is
    # recognised as new and placed at its default position.
    arranged = [widget.key for widget, _shown in dashboard.arrange(order)]
    hidden_keys = set(hidden)
    hidden = [key for key in arranged if key in hidden_keys]
    with transaction.atomic():
        layout, _created = DashboardLayout.objects.update_or_create(
            user=actor, defaults={"order": arranged, "hidden": hidden}
        )
    return layout


def dashboard_layout_reset(*, actor) -> None:
    """Back to the default dashboard: every widget shown, in the order the apps chose."""
    _require_dashboard_owner(actor)
    with transaction.atomic():
        DashboardLayout.objects.filter(user=actor).delete()
