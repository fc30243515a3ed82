from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    label = "mediation"
    verbose_name = _("Vouchers, activity and reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mediation import registrations  # noqa: F401  (navigation, widgets, verbs, receivers)
