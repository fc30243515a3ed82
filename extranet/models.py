"""The desk's own model: a member's dashboard layout."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardLayout(models.Model):
    """A member's choice of dashboard widgets: their order and the ones hidden.

    `order` holds every widget key known when the member saved, shown or hidden, in
    their order; `hidden` the keys not shown. Widgets registered later (a new module)
    are not in `order`: they appear at their default position. Keys of widgets that no
    longer exist are ignored on read (`core.dashboard.arrange`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_layout"
    )
    order = models.JSONField(_("order"), default=list, blank=True)
    hidden = models.JSONField(_("hidden widgets"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dashboard layout")
        verbose_name_plural = _("dashboard layouts")

    def __str__(self):
        return f"{self.user}: {', '.join(map(str, self.order or []))}"
