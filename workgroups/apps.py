from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "workgroups"
    verbose_name = _("Workgroups")

    def ready(self):
        from workgroups import activities, realtime_checks, widgets  # noqa: F401  (registrations)
