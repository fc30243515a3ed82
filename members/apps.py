from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # Signal receivers, notification and activity sentences, dashboard widgets and navigation.
        from members import notifications, signals, widgets  # noqa: F401
