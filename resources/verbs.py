"""The library's notification and activity verbs (imported by resources/registrations.py,
and by resources/services.py so that they exist whenever a service runs)."""

from django.utils.translation import gettext_lazy as _

from core.activity import register_activity
from core.notifications import register_verb

# Notifications
register_verb("resources.reported", _("{actor} reported {target}"))  # to the coordinators
register_verb("resources.report_handled", _("{actor} handled your report on {target}"))  # to the reporter
register_verb("resources.unpublished", _("{actor} unpublished your resource {target}"))  # to the authors
register_verb("resources.author_added", _("{actor} added you as an author of {target}"))

# Activity: a publication shows in the dashboard's stream; an update only in the network's log.
register_activity("resources.published", _("{actor} published the resource {target}"), stream=True)
register_activity("resources.updated", _("{actor} updated the resource {target}"))
