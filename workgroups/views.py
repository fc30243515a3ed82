"""Workgroup views: thin, they parse input, call selectors and services, and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, error_text, posted
from members import permissions as member_permissions
from members.forms import clean_search_text
from workgroups import permissions, selectors, services
from workgroups.forms import (
    FilterForm,
    InviteForm,
    LeaveForm,
    MessageForm,
    ReasonForm,
    ReopenForm,
    ResponseForm,
    RoleForm,
    WorkgroupForm,
)
from workgroups.models import Membership

PER_PAGE = 20
MEMBERS_PER_PAGE = 50
ACTIVITY_PER_PAGE = 30
RECENT_ACTIVITY = 8
SEARCH_MAX = 200
INVITE_CANDIDATES = 20


def _workgroup(request, pk):
    return selectors.workgroup_get_for_user(request.user, pk)


def _back(workgroup, fragment=""):
    return redirect(workgroup.get_absolute_url() + fragment)


def _act(request, workgroup, call, success, *, fragment=""):
    """Run a service call, then back to the group: invalid input becomes an error message.

    A PermissionDenied from the service is not caught: the 403 page shows its message.
    """
    try:
        call()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return _back(workgroup, fragment)


# --- Listing, creation ---------------------------------------------------------------------------


def workgroup_list(request):
    data = request.GET.copy()
    for key in ("q", "tag"):  # control characters (NUL...) dropped, long input cut
        data[key] = clean_search_text(data.get(key, ""), SEARCH_MAX)
    form = FilterForm(data)
    form.is_valid()
    filters = form.cleaned_data
    show = filters.get("filtre") or ""
    groups = selectors.workgroups_for(
        user=request.user,
        query=filters.get("q", ""),
        mine=show == "mes-groupes",
        joinable=show == "ouverts",
        archived=show == "archives",
        proposed=show == "proposes",
        territory=filters.get("territoire"),
        tag=filters.get("tag") or None,
    )
    page = Paginator(groups, PER_PAGE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in data.items() if k != "page" and v}
    return render(request, "workgroups/workgroup_list.html", {
        "form": form, "page": page, "show": show, "extra_query": urlencode(kept),
        "invitations": selectors.invitations_for(user=request.user)[:5],
        "to_approve": selectors.groups_to_approve(user=request.user).exists(),
    })


def workgroup_create(request):
    files = request.FILES if request.method == "POST" else None
    form = WorkgroupForm(posted(request), files, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            workgroup = services.workgroup_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if workgroup.status == workgroup.Status.PENDING:
                messages.success(request, _("Your group is proposed: it opens once the coordination approves it."))
            else:
                messages.success(request, _("The group %(name)s is open.") % {"name": workgroup})
            return redirect(workgroup.get_absolute_url())
    return render(request, "workgroups/workgroup_form.html", {"form": form, "workgroup": None})


# --- One group -----------------------------------------------------------------------------------


def _viewer_state(user, workgroup):
    return {
        "role": permissions.role_in(user, workgroup),
        "can_view_content": permissions.can_view_content(user, workgroup),
        "can_manage": permissions.can_manage(user, workgroup),
        "can_join": permissions.can_join(user, workgroup),
        "can_request": permissions.can_request_to_join(user, workgroup),
        "can_invite": permissions.can_invite(user, workgroup) and not workgroup.is_archived,
        "can_approve": workgroup.status == workgroup.Status.PENDING
        and permissions.can_approve_creation(user, workgroup),
        "own_request": selectors.own_request(user=user, workgroup=workgroup),
        "own_invitation": selectors.own_invitation(user=user, workgroup=workgroup),
        "last_answer": selectors.own_last_answer(user=user, workgroup=workgroup),
    }


def workgroup_detail(request, pk):
    workgroup = _workgroup(request, pk)
    state = _viewer_state(request.user, workgroup)
    context = {"workgroup": workgroup, "tags": list(workgroup.tags.all()), **state,
               "managers": list(selectors.managers_of(workgroup=workgroup)),
               "request_form": MessageForm()}
    if state["can_view_content"]:
        context["members"] = list(selectors.members_of(workgroup=workgroup)[:12])
        context["member_count"] = selectors.members_of(workgroup=workgroup).count()
        context["activities"] = list(selectors.activity_of(workgroup=workgroup)[:RECENT_ACTIVITY])
        context["modules"] = selectors.modules_of(workgroup=workgroup, user=request.user)
    if state["can_manage"]:
        context["pending_count"] = selectors.pending_requests_of(workgroup=workgroup).count()
    return render(request, "workgroups/workgroup_detail.html", context)


def workgroup_edit(request, pk):
    workgroup = _workgroup(request, pk)
    permissions.may_manage(request.user, workgroup, "edit").check()
    writable = permissions.may_change(workgroup)
    if not writable:
        messages.error(request, writable.reason)
        return _back(workgroup)
    files = request.FILES if request.method == "POST" else None
    form = WorkgroupForm(posted(request), files, actor=request.user, workgroup=workgroup)
    if request.method == "POST" and form.is_valid():
        try:
            services.workgroup_update(actor=request.user, workgroup=workgroup, **form.service_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The group is saved."))
            return _back(workgroup)
    return render(request, "workgroups/workgroup_form.html", {"form": form, "workgroup": workgroup})


def workgroup_members(request, pk):
    """Members with their roles; for managers, requests, invitations and the invite form."""
    workgroup = _workgroup(request, pk)
    permissions.may_read_members(request.user, workgroup).check()
    state = _viewer_state(request.user, workgroup)
    page = Paginator(selectors.members_of(workgroup=workgroup), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"workgroup": workgroup, "page": page, **state, "role_choices": Membership.Role.choices}
    if state["can_invite"]:
        query = clean_search_text(request.GET.get("chercher", ""), SEARCH_MAX)
        candidates = selectors.invitable_members(workgroup=workgroup, query=query, limit=INVITE_CANDIDATES)
        context.update(invite_form=InviteForm(candidates=candidates), invite_query=query,
                       candidates=list(candidates), candidate_limit=INVITE_CANDIDATES)
    if state["can_manage"]:
        context.update(
            requests=list(selectors.pending_requests_of(workgroup=workgroup)),
            invitations=list(selectors.pending_invitations_of(workgroup=workgroup)),
            response_form=ResponseForm(),
        )
    return render(request, "workgroups/workgroup_members.html", context)


def workgroup_activity(request, pk):
    workgroup = _workgroup(request, pk)
    permissions.may_read_activity(request.user, workgroup).check()
    page = Paginator(selectors.activity_of(workgroup=workgroup), ACTIVITY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "workgroups/workgroup_activity.html", {"workgroup": workgroup, "page": page})


# --- Decisions on a proposed group ---------------------------------------------------------------


@require_POST
def workgroup_approve(request, pk):
    workgroup = _workgroup(request, pk)
    return _act(request, workgroup, lambda: services.workgroup_approve(actor=request.user, workgroup=workgroup),
                _("The group %(name)s is open.") % {"name": workgroup})


@require_POST
def workgroup_refuse(request, pk):
    workgroup = _workgroup(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(form.errors["reason"])))
        return _back(workgroup)
    reason = form.cleaned_data["reason"]
    return _act(request, workgroup,
                lambda: services.workgroup_refuse(actor=request.user, workgroup=workgroup, reason=reason),
                _("The group %(name)s was refused.") % {"name": workgroup})


# --- Archive ----------------------------------------------------------------------------------


@require_POST
def workgroup_archive(request, pk):
    workgroup = _workgroup(request, pk)
    return _act(request, workgroup, lambda: services.workgroup_archive(actor=request.user, workgroup=workgroup),
                _("The group is archived: it is read-only now."))


@require_POST
def workgroup_reopen(request, pk):
    workgroup = _workgroup(request, pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return _back(workgroup)
    return _act(request, workgroup,
                lambda: services.workgroup_reopen(actor=request.user, workgroup=workgroup,
                                                  end_date=form.cleaned_data["end_date"]),
                _("The group is open again."))


# --- Joining ----------------------------------------------------------------------------------


@require_POST
def workgroup_join(request, pk):
    workgroup = _workgroup(request, pk)
    return _act(request, workgroup, lambda: services.workgroup_join(actor=request.user, workgroup=workgroup),
                _("Welcome to %(name)s!") % {"name": workgroup})


@require_POST
def join_request_create(request, pk):
    workgroup = _workgroup(request, pk)
    # The service checks the message (its length, and says so).
    return _act(request, workgroup,
                lambda: services.join_request_create(actor=request.user, workgroup=workgroup,
                                                     message=request.POST.get("message", "")),
                _("Your request is sent: the managers of the group will answer."))


@require_POST
def join_request_cancel(request, pk):
    workgroup = _workgroup(request, pk)
    join_request = selectors.own_request(user=request.user, workgroup=workgroup)
    if join_request is None:
        messages.error(request, _("You have no request waiting for this group."))
        return _back(workgroup)
    return _act(request, workgroup,
                lambda: services.join_request_cancel(actor=request.user, join_request=join_request),
                _("Your request is withdrawn."))


def _decide(request, pk, service, success):
    join_request = selectors.join_request_get_for_user(request.user, pk)
    # The service checks the answer (its length, and says so).
    return _act(request, join_request.workgroup,
                lambda: service(actor=request.user, join_request=join_request,
                                response=request.POST.get("response", "")),
                success % {"name": join_request.user}, fragment="membres/")


@require_POST
def join_request_accept(request, pk):
    return _decide(request, pk, services.join_request_accept, _("%(name)s is now a member of the group."))


@require_POST
def join_request_refuse(request, pk):
    return _decide(request, pk, services.join_request_refuse, _("The request of %(name)s was refused."))


# --- Invitations ------------------------------------------------------------------------------


@require_POST
def invite(request, pk):
    workgroup = _workgroup(request, pk)
    permissions.may_invite(request.user, workgroup).check()
    # Any approved member validates here; the service says clearly who is already in the
    # group or already invited.
    form = InviteForm(request.POST, candidates=member_permissions.approved_members())
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(workgroup, "membres/")
    invitee = form.cleaned_data["invitee"]
    return _act(request, workgroup,
                lambda: services.invitation_create(actor=request.user, workgroup=workgroup, invitee=invitee,
                                                   message=form.cleaned_data["message"]),
                _("%(name)s is invited.") % {"name": invitee}, fragment="membres/")


def my_invitations(request):
    return render(request, "workgroups/invitation_list.html",
                  {"invitations": selectors.invitations_for(user=request.user)})


@require_POST
def invitation_accept(request, pk):
    invitation = selectors.invitation_get_for_user(request.user, pk, own=True)
    return _act(request, invitation.workgroup,
                lambda: services.invitation_accept(actor=request.user, invitation=invitation),
                _("Welcome to %(name)s!") % {"name": invitation.workgroup})


@require_POST
def invitation_decline(request, pk):
    invitation = selectors.invitation_get_for_user(request.user, pk, own=True)
    try:
        services.invitation_decline(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You declined the invitation to %(name)s.") % {"name": invitation.workgroup})
    return redirect("workgroups:invitations")


@require_POST
def invitation_revoke(request, pk):
    invitation = selectors.invitation_get_for_user(request.user, pk)
    return _act(request, invitation.workgroup,
                lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
                _("The invitation of %(name)s is withdrawn.") % {"name": invitation.user}, fragment="membres/")


# --- Members -----------------------------------------------------------------------------------


def workgroup_leave(request, pk):
    """GET: confirm (the last manager names a successor); POST: leave."""
    workgroup = _workgroup(request, pk)
    if not permissions.is_member(request.user, workgroup):
        messages.error(request, _("You are not a member of this group."))
        return _back(workgroup)
    candidates = selectors.members_of(workgroup=workgroup).exclude(user=request.user)
    form = LeaveForm(posted(request), candidates=member_permissions.approved_members().filter(
        pk__in=candidates.values("user_id")).order_by("display_name"))
    last_manager = permissions.is_manager(request.user, workgroup) and not selectors.managers_of(
        workgroup=workgroup).exclude(pk=request.user.pk).exists()
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_leave(actor=request.user, workgroup=workgroup,
                                      successor=form.cleaned_data.get("successor"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("You left the group %(name)s.") % {"name": workgroup})
            return redirect("workgroups:list")
    return render(request, "workgroups/workgroup_leave.html",
                  {"workgroup": workgroup, "form": form, "last_manager": last_manager,
                   "alone": not candidates.exists()})


def _member_of(workgroup, user_pk):
    member = selectors.member_of_group(workgroup=workgroup, user_pk=user_pk)
    if member is None:
        raise Http404
    return member


@require_POST
def member_remove(request, pk, user_pk):
    workgroup = _workgroup(request, pk)
    permissions.may_manage(request.user, workgroup, "remove").check()
    member = _member_of(workgroup, user_pk)
    return _act(request, workgroup,
                lambda: services.membership_remove(actor=request.user, workgroup=workgroup, member=member),
                _("%(name)s is no longer a member of the group.") % {"name": member}, fragment="membres/")


@require_POST
def member_role(request, pk, user_pk):
    workgroup = _workgroup(request, pk)
    permissions.may_manage(request.user, workgroup, "roles").check()
    member = _member_of(workgroup, user_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role from the list."))
        return _back(workgroup, "membres/")
    return _act(request, workgroup,
                lambda: services.membership_set_role(actor=request.user, workgroup=workgroup, member=member,
                                                     role=form.cleaned_data["role"]),
                _("The role of %(name)s is saved.") % {"name": member}, fragment="membres/")

