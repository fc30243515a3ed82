"""Activity sentences: each app registers how its activity entries read.

A verb (`workgroup.joined`) has a lazily translated format string with `{actor}`,
`{target}` (the target's label) and `{subject}` (`data["subject"]`, the person an action
was about) placeholders. Verbs registered with `stream=True` appear in the activity
stream of the dashboard (new topic, new resource, new event, joined a group...); the
others only in the log of their space.
"""

from django.utils.translation import gettext

ACTIVITY_VERBS = {}
STREAM_VERBS = set()


def register_activity(verb, text, *, stream=False):
    ACTIVITY_VERBS[verb] = text
    if stream:
        STREAM_VERBS.add(verb)
    else:
        STREAM_VERBS.discard(verb)


def render_activity(activity):
    template = ACTIVITY_VERBS.get(activity.verb)
    actor = str(activity.actor) if activity.actor_id else gettext("Someone")
    if template is None:
        return f"{actor} {activity.verb} {activity.target_label}"
    subject = (activity.data or {}).get("subject", "")
    return str(template).format(actor=actor, target=activity.target_label, subject=subject)
