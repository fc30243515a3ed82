from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # Signal receivers, notification and activity sentences, dashboard widgets and navigation.
        from django.db.models.signals import post_migrate

        from members import notifications, onboarding, signals, spaces, widgets  # noqa: F401

        spaces.register()
        onboarding.register_defaults()
        post_migrate.connect(spaces.ensure_network_space, sender=self, dispatch_uid="members_network_space")
