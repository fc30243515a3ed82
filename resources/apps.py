from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    label = "resources"
    verbose_name = _("Resource library")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from resources import registrations  # noqa: F401  (navigation, widget, verbs, sections)
