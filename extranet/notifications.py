"""Notification verbs: each app registers the sentences its notifications read as.

A verb is a key (`member.approved`); its text is a lazily translated format string with
`{actor}` and `{target}` placeholders, rendered in the reader's language.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

VERBS = {}


def register_verb(verb, text):
    VERBS[verb] = text


def render_text(notification):
    template = VERBS.get(notification.verb)
    actor = str(notification.actor) if notification.actor_id else gettext("Someone")
    if template is None:
        return f"{notification.verb}: {notification.target_label}"
    return str(template).format(actor=actor, target=notification.target_label)


register_verb("member.requested", _("{target} asks to join the network"))
register_verb("member.approved", _("{actor} approved the account of {target}"))
register_verb("member.joined_venue", _("{target} joined the network (your venue)"))
register_verb("member.invitation_accepted", _("{target} accepted your invitation"))
register_verb("member.roles_changed", _("{actor} changed your roles"))
