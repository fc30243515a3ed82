"""Activity and notification sentences of workgroups."""

from django.utils.translation import gettext_lazy as _

from core.activity import register_activity
from core.notifications import register_verb

register_activity("workgroup.created", _("{actor} created the group {target}"), stream=True)
register_activity("workgroup.approved", _("{actor} approved the group {target}"))
register_activity("workgroup.refused", _("{actor} refused the group {target}"))
register_activity("workgroup.updated", _("{actor} updated the group {target}"))
register_activity("workgroup.joined", _("{actor} joined the group {target}"), stream=True)
register_activity("workgroup.left", _("{actor} left the group {target}"))
register_activity("workgroup.join_requested", _("{actor} asked to join the group {target}"))
register_activity("workgroup.request_accepted", _("{actor} accepted the request of {subject}"))
register_activity("workgroup.request_refused", _("{actor} refused the request of {subject}"))
register_activity("workgroup.invited", _("{actor} invited {subject}"))
register_activity("workgroup.invitation_revoked", _("{actor} withdrew the invitation of {subject}"))
register_activity("workgroup.invitation_declined", _("{actor} declined the invitation to {target}"))
register_activity("workgroup.member_removed", _("{actor} removed {subject} from the group"))
register_activity("workgroup.manager_promoted", _("{actor} made {subject} a manager"))
register_activity("workgroup.manager_demoted", _("{actor} made {subject} a plain member"))
register_activity("workgroup.archived", _("The group {target} was archived"))
register_activity("workgroup.reopened", _("{actor} reopened the group {target}"))

register_verb("workgroup.proposed", _("{actor} proposes a new group: {target}"))
register_verb("workgroup.approved", _("{actor} approved your group {target}"))
register_verb("workgroup.refused", _("{actor} refused your group {target}"))
register_verb("workgroup.join_requested", _("{actor} asks to join {target}"))
register_verb("workgroup.request_accepted", _("{actor} accepted your request to join {target}"))
register_verb("workgroup.request_refused", _("{actor} refused your request to join {target}"))
register_verb("workgroup.invited", _("{actor} invites you to join {target}"))
register_verb("workgroup.invitation_accepted", _("{actor} accepted your invitation to {target}"))
register_verb("workgroup.invitation_declined", _("{actor} declined your invitation to {target}"))
register_verb("workgroup.invitation_revoked", _("{actor} withdrew your invitation to {target}"))
register_verb("workgroup.joined", _("{actor} joined {target}"))
register_verb("workgroup.left", _("{actor} left {target}"))
register_verb("workgroup.removed", _("{actor} removed you from {target}"))
register_verb("workgroup.promoted", _("{actor} made you a manager of {target}"))
register_verb("workgroup.demoted", _("{actor} made you a plain member of {target}"))
register_verb("workgroup.archived", _("The group {target} is now archived"))
register_verb("workgroup.reopened", _("{actor} reopened the group {target}"))
register_verb("workgroup.visibility_changed", _("{actor} changed who can see the group {target}"))
