"""Notification and activity sentences of the members app's contacts (follows).

Imported by MembersConfig.ready(). The older member verbs are registered by
extranet/notifications.py.
"""

from django.utils.translation import gettext_lazy as _

from extranet.activity import register_activity
from extranet.notifications import register_verb

register_verb("member.followed", _("{actor} now follows you"))

# Who follows whom stays out of the dashboard's activity stream (stream=False).
register_activity("member.followed", _("{actor} started following {target}"))
register_activity("member.unfollowed", _("{actor} stopped following {target}"))
