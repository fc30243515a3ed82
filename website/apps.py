from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "website"
    verbose_name = _("Public website")

    def ready(self):
        from website import home_sections

        home_sections.register(home_sections.upcoming_events)
