"""Member views: thin, they call selectors and services."""

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, error_text, posted, safe_next
from members import permissions, selectors, services
from members import profile as profile_sections
from members.forms import (
    DirectoryFilters,
    InvitationAcceptForm,
    InvitationForm,
    ProfileForm,
    RefuseForm,
    RolesForm,
)
from members.models import User

PER_PAGE = 25
FREQUENT_SKILLS = 12  # the skill chips above the directory


def _require(allowed):
    if not allowed:
        raise PermissionDenied(_("You do not have access to this page."))


def pending_list(request):
    _require(permissions.can_approve_members(request.user))
    page = Paginator(selectors.pending_members_for(actor=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "members/pending_list.html", {"page": page, "refuse_form": RefuseForm()})


def _pending_member(request, pk):
    member = get_object_or_404(User, pk=pk)
    permissions.can_approve_member(request.user, member).check()
    return member


@require_POST
def approve(request, pk):
    member = _pending_member(request, pk)
    try:
        services.member_approve(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(name)s is now a member of the network.") % {"name": member})
    return redirect("members:pending")


@require_POST
def refuse(request, pk):
    member = _pending_member(request, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(ValidationError(list(form.errors.get("reason", [])))))
        return redirect("members:pending")
    try:
        services.member_refuse(actor=request.user, member=member, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The request of %(name)s was refused.") % {"name": member})
    return redirect("members:pending")


def invitation_list(request):
    _require(permissions.can_invite_members(request.user))
    territories = selectors.invitable_territories_for(actor=request.user)
    form = InvitationForm(posted(request), territories=territories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                actor=request.user, email=data["email"], territory=data["territory"],
                venue=data.get("venue"), message=data.get("message", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("members:invitations")
    page = Paginator(selectors.invitations_for(actor=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "members/invitation_list.html", {"form": form, "page": page})


def _invitation_action(request, pk, service, done_message):
    invitation = selectors.invitation_get_for_user(request.user, pk)
    try:
        service(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done_message % {"email": invitation.email})
    return redirect("members:invitations")


@require_POST
def invitation_resend(request, pk):
    return _invitation_action(request, pk, services.invitation_resend, _("A new link was sent to %(email)s."))


@require_POST
def invitation_revoke(request, pk):
    return _invitation_action(
        request, pk, services.invitation_revoke, _("The invitation to %(email)s was withdrawn.")
    )


def invitation_accept(request, token):
    """Public: the link of an invitation e-mail. Creates the account, then logs in."""
    try:
        invitation = services.invitation_check(token)
    except ValidationError as exc:
        return render(request, "members/invitation_invalid.html", {"error": error_text(exc)}, status=410)
    if request.user.is_authenticated:
        messages.info(request, _("You are already logged in. Log out to accept this invitation."))
        return redirect("desk:home")
    form = InvitationAcceptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Welcome to Maillage, %(name)s!") % {"name": user})
            return perform_login(request, user, email_verification=settings.ACCOUNT_EMAIL_VERIFICATION,
                                 redirect_url="/bureau/")
    return render(request, "members/invitation_accept.html", {"form": form, "invitation": invitation})


def profile(request, pk):
    member = selectors.member_get_for_user(request.user, pk)
    follows = selectors.follow_summary(viewer=request.user, member=member)
    return render(
        request,
        "members/profile.html",
        {
            "member": member,
            "contact": selectors.profile_contact(viewer=request.user, member=member),
            "can_manage_roles": permissions.can_manage_roles(request.user),
            "is_me": member.pk == request.user.pk,
            "follows": follows,
            "can_follow": permissions.can_follow(request.user, member),
            "sections": profile_sections.sections_for(viewer=request.user, member=member),
            "actions": [] if member.pk == request.user.pk else profile_sections.actions_for(
                viewer=request.user, member=member),
        },
    )


def profile_edit(request):
    member = request.user
    files = request.FILES if request.method == "POST" else None
    form = ProfileForm(posted(request), files, instance=User.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in services.PROFILE_FIELDS if field in form.cleaned_data}
        if data.get("avatar") is None:
            data.pop("avatar", None)  # no new file: keep the current one
        elif data.get("avatar") is False:
            data["avatar"] = ""  # "clear" ticked
        try:
            services.profile_update(
                actor=request.user, member=member, data=data,
                venues=form.cleaned_data["venues"], skills=form.cleaned_data["skills_text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("members:profile", pk=member.pk)
    return render(request, "members/profile_edit.html", {"form": form})


def roles(request, pk):
    _require(permissions.can_manage_roles(request.user))
    member = selectors.member_get_for_user(request.user, pk)
    initial = {
        "is_coordinator": member.is_coordinator,
        "referent_territories": list(member.referent_territories.all()),
        "site_editor": bool(permissions.can_edit_site(member)),
    }
    form = RolesForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_set_roles(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The roles of %(name)s are saved.") % {"name": member})
            return redirect("members:profile", pk=member.pk)
    return render(request, "members/roles.html", {"form": form, "member": member})


# --- Member directory and contacts -----------------------------------------------------------


def directory(request):
    """Find who can help: by name, venue, territory, skill; contact details as each member chose."""
    filters = DirectoryFilters.from_query(request.GET)
    skills = selectors.directory_skills()
    found = selectors.directory_members(viewer=request.user, filters=filters, skills=skills)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "filters": filters,
            "page": page,
            "members": selectors.attach_contacts(viewer=request.user, members=page.object_list),
            "frequent_skills": skills[:FREQUENT_SKILLS],
            "skills": skills,
            "territories": selectors.directory_territories(),
            "venue_names": selectors.directory_venue_names(),
            "extra_query": filters.query_string(),
        },
    )


CONTACT_LISTS = {"suivis": selectors.following_of, "abonnes": selectors.followers_of}


def contacts(request):
    """My contacts: the members I follow, or (?liste=abonnes) those who follow me."""
    current = request.GET.get("liste")
    if current not in CONTACT_LISTS:
        current = "suivis"
    people = CONTACT_LISTS[current](user=request.user)
    page = Paginator(people, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/contacts.html",
        {
            "current": current,
            "page": page,
            "members": selectors.attach_contacts(viewer=request.user, members=page.object_list),
            "follows": selectors.follow_summary(viewer=request.user, member=request.user),
            "extra_query": "liste=abonnes" if current == "abonnes" else "",
        },
    )


def _follow_action(request, pk, service, done):
    member = selectors.member_get_for_user(request.user, pk)
    try:
        service(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, done % {"name": member})
    return redirect(safe_next(request, member.get_absolute_url()))


@require_POST
def follow(request, pk):
    return _follow_action(request, pk, services.follow_create, _("You now follow %(name)s."))


@require_POST
def unfollow(request, pk):
    return _follow_action(request, pk, services.follow_delete, _("You no longer follow %(name)s."))


# --- Getting started (the dashboard's checklist) -------------------------------------------


@require_POST
def onboarding_dismiss(request):
    services.onboarding_dismiss(actor=request.user, member=request.user)
    messages.success(request, _("The getting started list is hidden."))
    return redirect("desk:home")
