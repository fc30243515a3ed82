"""What the chat adds to the members' pages: "Send a message" on a member's profile, and
the "Say hello in the chat" step of the dashboard's getting started list.

Imported by `ChatConfig.ready()`; the members app does not import the chat (it keeps the
registries, `members.profile` and `members.onboarding`).
"""

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chat import permissions
from chat.models import Message
from core.models import Space
from core.sections import Section
from members import onboarding, profile
from members.spaces import NETWORK


def send_message(viewer, member):
    """A button that opens (or creates) the direct conversation with `member`."""
    if not permissions.can_open_direct(viewer) or not permissions.can_message(viewer, member):
        return None
    return {
        "label": _("Send a message"),
        "url": reverse("chat:direct-new"),
        "method": "post",
        "fields": {"members": member.pk},
        "primary": False,
    }


profile.register_action(Section(key="chat-message", template="members/includes/profile_action.html",
                                context=send_message, order=10))

NETWORK_SPACE = "onboarding_network_space_id"


def _said_hello():
    return Exists(Message.objects.filter(author_id=OuterRef("pk"), room__space__kind=NETWORK,
                                         deleted_at__isnull=True))


def _network_room_url(values):
    space_id = values.get(NETWORK_SPACE)
    return reverse("chat:space", args=[space_id]) if space_id else reverse("chat:index")


onboarding.register_step(onboarding.Step(
    key="hello", order=30,
    title=_("Say hello in the chat"),
    text=_("A word in the room of the whole network: who you are, where you work."),
    link_text=_("Open the network's room"),
    done=_said_hello, url=_network_room_url,
    values=lambda: {NETWORK_SPACE: Subquery(Space.objects.filter(kind=NETWORK).values("pk")[:1])},
))
