from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "calendar_app"
    label = "calendar_app"
    verbose_name = _("Calendar")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calendar_app import registrations  # noqa: F401  (space signals, modules, widgets, verbs)
