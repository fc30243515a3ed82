"""Notification verbs: each app registers the sentences its notifications read as.

A verb is a key (`member.approved`); its text is a lazily translated format string with
`{actor}` and `{target}` placeholders, rendered in the reader's language.
"""

from django.utils.translation import gettext

VERBS = {}


def register_verb(verb, text):
    VERBS[verb] = text


def render_text(notification):
    template = VERBS.get(notification.verb)
    actor = str(notification.actor) if notification.actor_id else gettext("Someone")
    if template is None:
        return f"{notification.verb}: {notification.target_label}"
    return str(template).format(actor=actor, target=notification.target_label)
