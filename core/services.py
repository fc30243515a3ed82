"""Core services: notifications and the activity log.

Any app notifies someone with `notify(recipient=..., verb=..., target=...)`.
"""

import itertools
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import realtime
from core.models import Activity, Notification
from core.notifications import VERBS
from core.permissions import is_authenticated

if TYPE_CHECKING:
    from core.models import Space
    from members.models import User

logger = logging.getLogger(__name__)


def _local_path(url: str | None) -> str:
    """Notification links stay on this site: a path like /bureau/..., never //host or http://."""
    if not url:
        return ""
    if not url.startswith("/") or url.startswith("//") or len(url) > 500:
        raise ValueError(f"A notification link must be a local path of at most 500 characters: {url!r}")
    return url


def _target_fields(target: models.Model | None, url: str | None = None) -> dict[str, Any]:
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


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.BASE_URL}{path}"


def activity_record(*, actor: "User | None", verb: str, target: models.Model | None = None,
                    space: "Space | None" = None, data: dict[str, Any] | None = None,
                    url: str | None = None) -> Activity:
    """Log that `actor` did `verb` on `target` in `space` (the space decides who may read it)."""
    return Activity.objects.create(actor=actor, verb=verb, space=space, data=data or {}, **_target_fields(target, url))


def _send_notification_email(notification_id: int) -> None:
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


def notify(*, recipient: "User | None", verb: str, target: models.Model | None = None, actor: "User | None" = None,
           url: str | None = None, target_label: str | None = None) -> Notification | None:
    """Create an in-app notification, push it live, and e-mail it per the recipient's choice.

    `target_label`: what the notification calls its target, when not `str(target)` (a
    reminder's whole sentence, "Réunion commence à 14 h 30 (dans 30 min)").

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
        fields = _target_fields(target, url)
        if target_label is not None:
            fields["target_label"] = target_label[:255]
        notification = Notification.objects.create(recipient=recipient, actor=actor, verb=verb, **fields)
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


def email_on_commit(*, to: str, subject: Any, template: str, context: dict[str, Any]) -> None:
    """Send a transactional e-mail, in French, once the transaction commits (`subject` may be
    lazy). A mail server failure is logged and never undoes (or 500s) what was committed."""

    def send() -> None:
        try:
            with translation.override(settings.LANGUAGE_CODE):
                body = render_to_string(template, context)
                send_mail(f"[Maillage] {subject}", body, None, [to], fail_silently=False)
        except Exception:
            logger.exception("Could not send the e-mail %r to %s", template, to)

    transaction.on_commit(send)


def _send_notification_email_safely(notification_id: int) -> None:
    try:
        _send_notification_email(notification_id)
    except Exception:  # the in-app notification stays in the list; the failure is logged
        logger.exception("Could not e-mail notification %s", notification_id)


def _publish_unread(user: "User") -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    realtime.publish_to_user(user.pk, "notification.read", None, {"unread": unread})
    return unread


def notification_mark_read(*, actor: "User", notification: Notification) -> Notification:
    if not is_authenticated(actor) or notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
        _publish_unread(actor)
    return notification


def notifications_mark_all_read(*, actor: "User") -> int:
    if not is_authenticated(actor):
        raise PermissionDenied(_("You must be logged in."))
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
        _publish_unread(actor)
    return count


DIGEST_WINDOW = timedelta(days=7)


def notification_digests_send(*, now: datetime | None = None) -> int:
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
