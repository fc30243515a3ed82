from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    name = "workgroups"
    verbose_name = _("Workgroups")

    def ready(self):
        from workgroups import activities, realtime_checks, selectors, spaces, widgets  # noqa: F401  (registrations)

        spaces.register()

        from core.sections import Section
        from members import profile

        profile.register_section(Section(
            key="workgroups", template="workgroups/includes/profile_section.html", order=10,
            context=lambda viewer, member: {"workgroups": selectors.member_workgroups(viewer=viewer, member=member)},
        ))
