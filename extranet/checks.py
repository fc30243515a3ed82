"""System checks of Maillage's own settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@checks.register(checks.Tags.security, deploy=True)
def check_base_url(app_configs=None, **kwargs):
    """BASE_URL left at its development default: e-mails would link to 127.0.0.1."""
    base_url = getattr(settings, "BASE_URL", "").rstrip("/")
    if base_url and base_url != DEFAULT_BASE_URL:
        return []
    return [
        checks.Warning(
            f"BASE_URL is left at its default ({DEFAULT_BASE_URL}): the links of e-mails "
            "(account confirmation, password reset, invitations, notifications) and the "
            "site's name in them would point to this computer.",
            hint="Set BASE_URL to the public address of the site, e.g. https://maillage.example.org, "
            "then run `manage.py migrate` on a new database (or update the Site record "
            "in the admin) so that e-mails name the right domain.",
            id="maillage.W001",
        )
    ]
