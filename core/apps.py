from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The foundation below every app: spaces (the extension point), notifications, the
    activity log, realtime, dashboard registries, uploads, rate limits, Markdown and text
    helpers. No domain rule lives here; no module of it imports another app."""

    name = "core"
    verbose_name = _("Core")
