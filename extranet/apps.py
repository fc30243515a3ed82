from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExtranetConfig(AppConfig):
    name = "extranet"
    verbose_name = _("Desk")

    def ready(self):
        from extranet import (  # noqa: F401  (registrations)
            dashboard,
            notifications,
            session_events,  # noqa: F401  (logout closes the session's sockets)
            signals,
            widgets,
        )

