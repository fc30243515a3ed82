"""Desk services: the dashboard layout of a member."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import dashboard
from extranet.models import DashboardLayout
from members import permissions

if TYPE_CHECKING:
    from members.models import User

# --- Dashboard layout ------------------------------------------------------------------------


def _require_dashboard_owner(actor: "User | None") -> None:
    if not permissions.is_approved(actor):
        raise PermissionDenied(_("Only approved members of the network have a dashboard."))


def _clean_widget_keys(keys: Any, *, field: str) -> list[str]:
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


def dashboard_layout_save(*, actor: "User", order: list[str], hidden: list[str]) -> DashboardLayout:
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


def dashboard_layout_reset(*, actor: "User") -> None:
    """Back to the default dashboard: every widget shown, in the order the apps chose."""
    _require_dashboard_owner(actor)
    with transaction.atomic():
        DashboardLayout.objects.filter(user=actor).delete()
