from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from chat import (
            profile_actions,  # noqa: F401  ("Send a message" on profiles, the getting started step)
            registrations,  # noqa: F401  (realtime actions and events, notifications, spaces, widget)
        )
