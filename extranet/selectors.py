"""Reads of the desk: the dashboard layout, and the activity stream of the people and spaces a member follows."""

from typing import TYPE_CHECKING, Any

from django.db.models import JSONField, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest

from core import dashboard, spaces
from core.activity import STREAM_VERBS
from core.models import Activity, Space
from extranet.models import DashboardLayout
from members import permissions
from members.models import Follow

if TYPE_CHECKING:
    from core.dashboard import Widget
    from core.permissions import AnyUser


def activity_stream_for(*, user: "AnyUser") -> QuerySet[Activity]:
    """What the people `user` follows and the spaces `user` belongs to did, newest first.

    Only activities of stream verbs (`register_activity(..., stream=True)`), only in
    spaces `user` may see (an activity without a space is never shown), never `user`'s
    own. One query whatever the data: visibility, membership and follows are subqueries.
    """
    if not permissions.is_approved(user):
        return Activity.objects.none()
    followed = Follow.objects.filter(follower=user).values("followed_id")
    # A group's activity reaches the stream of its members, and of everyone for a public
    # group; never, through a follow, the coordination reading a private or secret group
    # it is not in (as the profile page does not list such memberships).
    spaces = Space.objects.shared_with(user)
    return (
        Activity.objects.filter(
            verb__in=sorted(STREAM_VERBS),
            space__in=spaces.values("pk"),
        )
        .exclude(actor__is_active=False)  # deactivated accounts fall silent
        .filter(Q(actor__in=followed) | Q(space__in=Space.objects.member_of(user).values("pk")))
        .exclude(actor=user)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def dashboard_layout_for(*, user: "AnyUser") -> list[tuple["Widget", bool]]:
    """[(widget, shown)] of every registered widget, in `user`'s order (one query).

    Without a saved layout (or for anyone not approved): the default order, all shown.
    """
    saved = None
    if permissions.is_approved(user):
        saved = DashboardLayout.objects.filter(user=user).values_list("order", "hidden").first()
    if saved is None:
        return dashboard.arrange()
    order, hidden = saved
    return dashboard.arrange(order if isinstance(order, list) else [], hidden if isinstance(hidden, list) else [])


def dashboard_widgets_for(request: HttpRequest) -> list[tuple["Widget", Any]]:
    """Rendered-ready widgets for the dashboard: [(widget, context)] in the member's order.

    One query reads the member's layout; a hidden widget's context is not computed.
    """
    result = []
    for widget, shown in dashboard_layout_for(user=request.user):
        if not shown:
            continue
        context = widget.context(request)
        if context is not None:
            result.append((widget, context))
    return result


def dashboard_for(request: HttpRequest) -> dict[str, Any]:
    """The dashboard: the widgets in the member's order, and the "Getting started" checklist
    (None once hidden or finished). The layout and every step of the checklist are read
    by one query on the member's row (the same single query as the layout alone)."""
    from members import onboarding
    from members.models import User

    user = request.user
    checklist = None
    if not permissions.is_approved(user) or user.onboarding_dismissed_at is not None:
        layout = dashboard_layout_for(user=user)
    else:
        saved = DashboardLayout.objects.filter(user=OuterRef("pk"))
        fields = {
            "layout_order": Subquery(saved.values("order")[:1], output_field=JSONField()),
            "layout_hidden": Subquery(saved.values("hidden")[:1], output_field=JSONField()),
            **onboarding.annotations(),
        }
        values = User.objects.filter(pk=user.pk).annotate(**fields).values(*fields).first() or {}
        order, hidden = values.get("layout_order"), values.get("layout_hidden")
        layout = dashboard.arrange(order if isinstance(order, list) else [], hidden if isinstance(hidden, list) else [])
        checklist = onboarding.checklist_from(values) if values else None
    widgets = []
    for widget, shown in layout:
        if not shown:
            continue
        context = widget.context(request)
        if context is not None:
            widgets.append((widget, context))
    return {"widgets": widgets, "checklist": checklist}


def membership_status(*, user: "AnyUser") -> dict[str, Any]:
    """What the waiting page's script needs to know: is `user`'s membership still waiting?

    `status` is "approved", "refused" or "pending"; `message` says it in a sentence, `url`
    is where to go next (the desk once approved). Reads the request's user (no query).
    """
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if permissions.is_approved(user):
        return {"status": "approved", "message": _("Your membership is accepted. Welcome to Maillage!"),
                "url": reverse("desk:home"), "link_text": _("Go to my desk")}
    if getattr(user, "status", None) == "refused":
        return {"status": "refused", "message": _("Your request was not accepted."),
                "url": reverse("desk:pending"), "link_text": _("Read why")}
    return {"status": "pending", "message": "", "url": "", "link_text": ""}


SPACE_MEMBERS_SHOWN = 24
SPACE_ACTIVITIES_SHOWN = 10


def space_get_for_user(user: "AnyUser", pk: Any) -> Space:
    """A space `user` may view, with what its rules read; 404 otherwise (no hint it exists)."""
    space = Space.objects.with_rules().filter(pk=pk).first()
    if space is None or not space.can_view(user):
        raise Http404
    return space


def space_page(*, user: "AnyUser", space: Space) -> dict[str, Any]:
    """What a space's page shows: its modules, managers, members (a sample and the count),
    latest activity and the panels other apps add. A fixed number of queries."""
    members = space.members()
    return {
        "modules": spaces.modules_for(user=user, space=space),
        "managers": list(space.managers().order_by("display_name", "pk")[:SPACE_MEMBERS_SHOWN]),
        "members": list(members.order_by("display_name", "pk")[:SPACE_MEMBERS_SHOWN]),
        "member_count": members.count(),
        "activities": list(
            Activity.objects.filter(space=space, verb__in=sorted(STREAM_VERBS))
            .exclude(actor__is_active=False).select_related("actor").order_by("-created_at", "-id")
            [:SPACE_ACTIVITIES_SHOWN]
        ),
        "panels": spaces.panels_for(user=user, space=space),
    }


def spaces_of(*, user: "AnyUser") -> list[tuple[str, list[Space]]]:
    """The spaces `user` belongs to, grouped by kind (the network, territories, groups),
    each group sorted by name: [(kind label, [space])]. Two queries whatever the number."""
    grouped: dict[str, list[Space]] = {}
    for space in Space.objects.member_of(user).with_rules().order_by("pk"):
        grouped.setdefault(space.kind, []).append(space)
    return [(str(spaces.KINDS[key].label), sorted(grouped[key], key=lambda space: space.name.casefold()))
            for key in spaces.KINDS if key in grouped]
