from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtranetConfig(AppConfig):
    name = "extranet"
    verbose_name = _("Desk")

    def ready(self):
        from extranet import (  # noqa: F401  (registrations)
            checks,  # `check --deploy`: BASE_URL left at its default
            session_events,  # logout closes the session's sockets
            widgets,
        )

