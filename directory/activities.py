"""How venue activity reads in the logs of territories (core.activity)."""

from django.utils.translation import gettext_lazy as _

from core.activity import register_activity

register_activity("venue.created", _("{actor} added the venue {target}"))
register_activity("venue.updated", _("{actor} updated the venue {target}"))
register_activity("venue.restored", _("{actor} restored an earlier version of the venue {target}"))
register_activity("venue.imported", _("{actor} imported the venue {target}"))
register_activity("venue.deleted", _("{actor} deleted the venue {target}"))
