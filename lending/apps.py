from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LendingConfig(AppConfig):
    name = "lending"
    label = "lending"
    verbose_name = _("Equipment lending")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from lending import registrations  # noqa: F401  (navigation, widget, verbs, calendar source, sections)
