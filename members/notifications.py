"""Notification and activity sentences of the members app (requests, approvals, roles, follows).

Imported by MembersConfig.ready().
"""

from django.utils.translation import gettext_lazy as _

from core.activity import register_activity
from core.notifications import register_verb

register_verb("member.requested", _("{target} asks to join the network"))
register_verb("member.approved", _("{actor} approved the account of {target}"))
register_verb("member.joined_venue", _("{target} joined the network (your venue)"))
register_verb("member.invitation_accepted", _("{target} accepted your invitation"))
register_verb("member.roles_changed", _("{actor} changed your roles"))
register_verb("member.followed", _("{actor} now follows you"))

# Who follows whom stays out of the dashboard's activity stream (stream=False).
register_activity("member.followed", _("{actor} started following {target}"))
register_activity("member.unfollowed", _("{actor} stopped following {target}"))

# Territories (edited by coordinators at /cms/): in the log of the territory's space.
register_activity("territory.created", _("{actor} created the territory {target}"))
register_activity("territory.updated", _("{actor} updated the territory {target}"))
register_activity("territory.deleted", _("{actor} deleted the territory {target}"))
