"""Member services: registration, approval, invitations, roles, profiles and follows.

Each function checks permission (PermissionDenied), validates (ValidationError with a
French message), writes inside one transaction, records activity and notifies.
"""

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import realtime, roles, spaces
from core.models import Activity, Notification
from core.services import absolute_url, activity_record, email_on_commit, notify
from members import permissions
from members.models import Follow, Invitation, Territory, User, hash_token
from members.spaces import TERRITORY

if TYPE_CHECKING:
    from directory.models import Venue


COORDINATION_GROUP = "Coordination"  # created by migration members 0002: territories and venues at /cms/
SITE_EDITORS_GROUP = permissions.SITE_EDITORS_GROUP  # created by Wagtail's migrations, holds wagtailadmin.access_admin


def _email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """A transactional e-mail after the commit (`core.services.email_on_commit`): a mail server
    failure is logged and never undoes what was committed; the invitation list lets the
    sender resend a link."""
    email_on_commit(to=to, subject=subject, template=template, context=context)


def _validate_venue(territory: Territory | None, venue: "Venue | None") -> None:
    if venue is not None and territory is not None and venue.territory_id != territory.pk:
        raise ValidationError(
            {"venue": _("The venue %(venue)s is not in the territory %(territory)s.")
             % {"venue": venue, "territory": territory}}
        )


# --- Registration and approval ---------------------------------------------------------


def member_register(
    *, user: User, display_name: str, territory: Territory | None, venue: "Venue | None" = None
) -> User:
    """Complete a signup: the new account waits for approval.

    Called by the allauth adapter with the unsaved user of the signup form. The approvers
    are told once the person has verified their e-mail address (member_request_announce).
    """
    if user.pk is not None:
        raise ValidationError(_("This account is already registered."))
    if territory is None:
        raise ValidationError({"territory": _("Choose your territory.")})
    if not (display_name or "").strip():
        raise ValidationError({"display_name": _("Enter your name.")})
    _validate_venue(territory, venue)
    with transaction.atomic():
        user.display_name = display_name.strip()
        user.territory = territory
        user.status = User.Status.PENDING
        user.save()
        if venue is not None:
            user.venues.add(venue)
        activity_record(actor=user, verb="member.registered", target=user)
    return user


def member_request_announce(*, member: User) -> bool:
    """Tell the approvers of `member`'s territory that a request waits (once).

    Runs when the person confirms their e-mail address: nobody is asked to approve an
    address that nobody has proved they own. Returns whether approvers were told.
    """
    if member.status != User.Status.PENDING or not member.is_active:
        return False
    if not EmailAddress.objects.filter(user=member, verified=True).exists():
        return False
    with transaction.atomic():
        # Lock the member row so that two confirmations at once announce only once.
        User.objects.select_for_update().filter(pk=member.pk).first()
        already = Activity.objects.filter(
            verb="member.requested", target_type=ContentType.objects.get_for_model(User), target_id=str(member.pk)
        ).exists()
        if already:
            return False
        activity_record(actor=member, verb="member.requested", target=member)
        for approver in permissions.approvers_of(member.territory_id):
            notify(recipient=approver, verb="member.requested", target=member, actor=member,
                   url=reverse("members:pending"))
    return True


def _set_status(*, actor: User, member: User, status: str) -> None:
    """Move a pending member to `status`; exactly one of two concurrent deciders wins."""
    permissions.can_approve_member(actor, member).check()
    now = timezone.now()
    updated = User.objects.filter(pk=member.pk, status=User.Status.PENDING).update(
        status=status, status_changed_at=now, status_changed_by=actor
    )
    if not updated:
        raise ValidationError(_("This request has already been handled."))
    member.status, member.status_changed_at, member.status_changed_by = status, now, actor


def member_approve(*, actor: User, member: User) -> User:
    with transaction.atomic():
        _set_status(actor=actor, member=member, status=User.Status.APPROVED)
        activity_record(actor=actor, verb="member.approved", target=member)
        # Local admins of the territory learn who joined (and who approved them);
        # colleagues of the same venue are told a new colleague arrived.
        told = {actor.pk, member.pk}
        for referent in permissions.referents_of(member.territory_id).exclude(pk__in=told):
            told.add(referent.pk)
            notify(recipient=referent, verb="member.approved", target=member, actor=actor)
        colleagues = (
            permissions.approved_members().filter(venues__members=member)
            .exclude(pk__in=told)
            .distinct()
        )
        for colleague in colleagues:
            notify(recipient=colleague, verb="member.joined_venue", target=member, actor=actor)
        _email(
            to=member.email,
            subject=_("Your account is approved"),
            template="members/email/approved.txt",
            context={"member": member, "desk_url": absolute_url(reverse("desk:home"))},
        )
    return member


def member_refuse(*, actor: User, member: User, reason: str = "") -> User:
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": _("The message is too long (2000 characters at most).")})
    with transaction.atomic():
        _set_status(actor=actor, member=member, status=User.Status.REFUSED)
        activity_record(actor=actor, verb="member.refused", target=member, data={"reason": reason})
        # A refused account keeps no live connection (none should exist; belt and braces).
        realtime.close_user_sockets(member.pk, code=realtime.CLOSE_FORBIDDEN)
        _email(
            to=member.email,
            subject=_("Your membership request"),
            template="members/email/refused.txt",
            context={"member": member, "reason": reason},
        )
    return member


# --- Invitations -----------------------------------------------------------------------


def invitation_create(
    *, actor: User, email: str, territory: Territory | None, venue: "Venue | None" = None, message: str = ""
) -> Invitation:
    """Invite someone by e-mail; returns the invitation (the link is only in the e-mail)."""
    if territory is None or not permissions.can_invite_to(actor, territory.pk):
        raise PermissionDenied(_("You cannot invite members to this territory."))
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Enter an e-mail address.")})
    _validate_venue(territory, venue)
    taken = (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )
    if taken:
        raise ValidationError({"email": _("A member already has this e-mail address.")})
    now = timezone.now()
    already_invited = ValidationError(
        {"email": _("This person already has an invitation waiting; withdraw it to send a new one.")}
    )
    open_invitations = Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True)
    if open_invitations.filter(expires_at__gt=now).exists():
        raise already_invited
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            # An expired link is closed so that the new one can take its place (the
            # database allows one open invitation per address: see Invitation.Meta).
            open_invitations.filter(expires_at__lte=now).update(revoked_at=now)
            invitation = _invitation_create(actor, email, territory, venue, message, token, now)
    except IntegrityError:
        raise already_invited from None
    return invitation


def _invitation_create(
    actor: User, email: str, territory: Territory, venue: "Venue | None", message: str, token: str, now: datetime
) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            territory=territory,
            venue=venue,
            message=(message or "").strip()[:2000],
            invited_by=actor,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
        )
        activity_record(actor=actor, verb="member.invited", target=invitation)
        _email_invitation(invitation, token)
    return invitation


def _email_invitation(invitation: Invitation, token: str) -> None:
    _email(
        to=invitation.email,
        subject=_("%(name)s invites you to Maillage") % {"name": invitation.invited_by},
        template="members/email/invitation.txt",
        context={"invitation": invitation, "link": absolute_url(reverse("invitations:accept", args=[token]))},
    )


def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a new link (the old one stops working) valid for another full period.

    For a lost or undelivered e-mail, or an expired link.
    """
    if not permissions.can_invite_to(actor, invitation.territory_id):
        raise PermissionDenied(_("You cannot resend this invitation."))
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        updated = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(token_hash=hash_token(token), expires_at=now + timedelta(days=settings.INVITATION_VALIDITY_DAYS))
        if not updated:
            raise ValidationError(_("This invitation was already used or revoked."))
        invitation.refresh_from_db()
        activity_record(actor=actor, verb="member.invitation_resent", target=invitation)
        _email_invitation(invitation, token)
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if not permissions.can_invite_to(actor, invitation.territory_id):
        raise PermissionDenied(_("You cannot revoke this invitation."))
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise ValidationError(_("This invitation was already used or revoked."))
    invitation.refresh_from_db()
    return invitation


def invitation_check(token: str | None) -> Invitation:
    """The usable invitation behind `token`, or ValidationError saying why not."""
    invitation = Invitation.objects.select_related("territory", "venue", "invited_by").filter(
        token_hash=hash_token(token or "")
    ).first()
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid. Check that you copied it whole."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used. Log in with your account."))
    if invitation.revoked_at is not None:
        raise ValidationError(_("This invitation was withdrawn. Ask the person who invited you for a new one."))
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired. Ask the person who invited you for a new one."))
    return invitation


def invitation_accept(*, token: str, display_name: str, password: str) -> User:
    """Create the invited person's approved account; the link then stops working."""
    invitation = invitation_check(token)
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationError({"display_name": _("Enter your name.")})
    candidate = User(email=invitation.email, display_name=display_name)
    validate_password(password, candidate)  # raises ValidationError with the reasons
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
            ).update(accepted_at=now)
            if not claimed:
                raise ValidationError(_("This invitation has already been used. Log in with your account."))
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(_("An account already exists with this e-mail address. Log in instead."))
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                display_name=display_name,
                territory=invitation.territory,
                status=User.Status.APPROVED,
                status_changed_at=now,
                status_changed_by=invitation.invited_by,
            )
            if invitation.venue_id:
                user.venues.add(invitation.venue_id)
            # The link reached this address: it is verified.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            Invitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
            activity_record(actor=user, verb="member.invitation_accepted", target=user)
            notify(recipient=invitation.invited_by, verb="member.invitation_accepted", target=user, actor=user)
    except IntegrityError:
        raise ValidationError(_("An account already exists with this e-mail address. Log in instead.")) from None
    return user


# --- Roles and profile -------------------------------------------------------------------


def set_role_groups(member: User, *, coordinator: bool, site_editor: bool) -> None:
    """The Django groups that carry a role's permissions in Wagtail (/cms/).

    "Coordination" manages territories and venues there; "Editors" (Wagtail's) edits
    the public pages. Called by member_set_roles and the demo data.
    """
    for name, wanted in ((COORDINATION_GROUP, coordinator), (SITE_EDITORS_GROUP, site_editor)):
        group, _created = Group.objects.get_or_create(name=name)
        if wanted:
            member.groups.add(group)
        else:
            member.groups.remove(group)
    # Forget what this request knew of the member's roles, and Django's permission caches.
    roles.forget(member)
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        member.__dict__.pop(cache, None)


def member_set_roles(
    *,
    actor: User,
    member: User,
    is_coordinator: bool,
    referent_territories: Iterable[Territory],
    site_editor: bool,
) -> User:
    if not permissions.can_manage_roles(actor):
        raise PermissionDenied(_("Only coordinators manage roles."))
    if not permissions.is_approved(member):
        raise ValidationError(_("Only approved members can be given a role."))
    if member.pk == actor.pk and not is_coordinator and not actor.is_superuser:
        raise ValidationError(_("You cannot remove your own coordinator role; ask another coordinator."))
    territories = list(referent_territories)
    with transaction.atomic():
        User.objects.filter(pk=member.pk).update(is_coordinator=is_coordinator)
        member.is_coordinator = is_coordinator
        member.referent_territories.set(territories)
        set_role_groups(member, coordinator=is_coordinator, site_editor=site_editor)
        activity_record(
            actor=actor, verb="member.roles_changed", target=member,
            data={"coordinator": is_coordinator, "referent_of": [t.pk for t in territories],
                  "site_editor": bool(site_editor)},
        )
        notify(recipient=member, verb="member.roles_changed", target=member, actor=actor)
        # A role taken away (coordinator, local admin) takes away what it let them follow live.
        realtime.recheck_user_subscriptions(member.pk)
    return member


PROFILE_FIELDS = (
    "display_name", "job_title", "bio", "phone", "email_visibility", "phone_visibility", "avatar",
)


def profile_update(
    *,
    actor: User,
    member: User,
    data: Mapping[str, Any],
    venues: "Iterable[Venue] | None" = None,
    skills: Iterable[str] | None = None,
) -> User:
    """Update `member`'s own profile from validated form data."""
    if not permissions.is_approved(actor) or actor.pk != member.pk:
        raise PermissionDenied(_("You can only edit your own profile."))
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown profile fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "display_name" in data and not (data["display_name"] or "").strip():
        raise ValidationError({"display_name": _("Enter your name.")})
    if len(data.get("bio") or "") > (getattr(User._meta.get_field("bio"), "max_length", None) or 2000):
        raise ValidationError({"bio": _("The text is too long (2000 characters at most).")})
    if venues is not None:
        venues = list(venues)
        open_ids = set(permissions.venues_open_to(member).values_list("pk", flat=True))
        strangers = [venue for venue in venues if venue.pk not in open_ids]
        if strangers:
            raise ValidationError({"venues": _("%(venue)s is not in your territory.") % {"venue": strangers[0]}})
    # Validate a fresh copy: on error the caller's object (often request.user) is untouched.
    fresh = User.objects.get(pk=member.pk)
    for field, value in data.items():
        setattr(fresh, field, value)
    fresh.full_clean(exclude=["password", "territory", "status_changed_by"])
    with transaction.atomic():
        fresh.save()
        if venues is not None:
            fresh.venues.set(venues)
        if skills is not None:
            fresh.skills.set(skills)
        activity_record(actor=actor, verb="member.profile_updated", target=fresh)
    for field in data:
        setattr(member, field, getattr(fresh, field))
    return member


def onboarding_dismiss(*, actor: User, member: User) -> User:
    """Hide the dashboard's "Getting started" list of `member`, at their own request.

    Only the member themself, approved; hiding it twice keeps the first date.
    """
    if not permissions.is_approved(actor) or member is None or actor.pk != member.pk:
        raise PermissionDenied(_("Only you can hide your getting started list."))
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=member.pk, onboarding_dismissed_at__isnull=True).update(onboarding_dismissed_at=now)
        member.onboarding_dismissed_at = (
            User.objects.filter(pk=member.pk).values_list("onboarding_dismissed_at", flat=True).get()
        )
    return member


def notification_preferences_update(*, actor: User, notification_email: str | None) -> User:
    if not permissions.is_authenticated(actor):
        raise PermissionDenied(_("You must be logged in."))
    if notification_email not in User.EmailFrequency.values:
        raise ValidationError({"notification_email": _("Choose one of the proposed options.")})
    User.objects.filter(pk=actor.pk).update(notification_email=notification_email)
    actor.notification_email = notification_email
    return actor


def territory_create(*, actor: User, name: str | None, slug: str | None, kind: str = Territory.Kind.PAYS,
                     description: str | None = "") -> Territory:
    if not permissions.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators create territories."))
    name, slug = (name or "").strip(), (slug or "").strip()
    if Territory.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A territory with this name already exists.")})
    territory = Territory(name=name, slug=slug, kind=kind, description=(description or "").strip())
    territory.full_clean(exclude=["space"])  # blank name or slug, malformed slug, unknown kind, taken slug
    with transaction.atomic():
        territory_insert(territory)
        activity_record(actor=actor, verb="territory.created", target=territory)
    return territory


TERRITORY_FIELDS = ("name", "slug", "kind", "description")


def _territory_name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    """Another territory has this name, whatever the case ("VALLÉE" is "Vallée": compared in
    Python, since SQLite's case-insensitive comparisons fold ASCII letters only)."""
    wanted = name.casefold()
    others = Territory.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    names = others.values_list("name", flat=True)
    return any(other.casefold() == wanted for other in names.iterator())


def territory_update(*, actor: User, territory: Territory, data: Mapping[str, Any]) -> Territory:
    """Change a territory's name, slug, kind or description (`permissions.can_edit_territory`).

    Validated on the locked row, not on the caller's object: on error nothing is saved
    and `territory` is untouched. Nothing changed: nothing saved or recorded. The
    activity (in the territory's space) lists each change, before and after.
    """
    permissions.can_edit_territory(actor, territory).check()
    unknown = set(data) - set(TERRITORY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown territory fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        fresh = Territory.objects.select_for_update().get(pk=territory.pk)
        before = {field: getattr(fresh, field) for field in TERRITORY_FIELDS}
        for field, value in data.items():
            setattr(fresh, field, (value or "").strip() if value is None or isinstance(value, str) else value)
        if _territory_name_taken(fresh.name, exclude_pk=fresh.pk):
            raise ValidationError({"name": _("A territory with this name already exists.")})
        fresh.full_clean(exclude=["space"])  # blank name or slug, malformed slug, unknown kind, taken slug
        changes = [
            {"field": field, "before": before[field], "after": getattr(fresh, field)}
            for field in TERRITORY_FIELDS
            if getattr(fresh, field) != before[field]
        ]
        if changes:
            fresh.save(update_fields=[change["field"] for change in changes])
            activity_record(
                actor=actor, verb="territory.updated", target=fresh, space=fresh.space, data={"changes": changes}
            )
    for field in TERRITORY_FIELDS:
        setattr(territory, field, getattr(fresh, field))
    return territory


def territory_delete(*, actor: User, territory: Territory) -> None:
    """Delete an empty territory and its space (its forum, room and activity go with it).

    A territory that still has members, venues or groups is refused with the reason (they
    must move first); the rows are locked so that nobody joins it meanwhile.
    """
    permissions.can_delete_territory(actor, territory).check()
    with transaction.atomic():
        fresh = Territory.objects.select_for_update().filter(pk=territory.pk).select_related("space").first()
        if fresh is None:
            raise ValidationError(_("This territory no longer exists."))
        if fresh.members.exists() or fresh.venues.exists() or fresh.workgroups.exists():
            raise ValidationError(_("This territory still has members, venues or groups: move them to "
                                    "another territory first."))
        space = fresh.space
        # Sockets following the space's room or forum lose them (group names read now).
        realtime.recheck_space_subscribers(space)
        activity_record(actor=actor, verb="territory.deleted", target=fresh, url="")
        fresh.delete()
        space.delete()


def territory_insert(territory: Territory) -> Territory:
    """Save a new territory with its space: the one way a territory is made (the caller
    authorises: territory_create for people, the demo, the tests' factory)."""
    with transaction.atomic():
        territory.space = spaces.space_create(TERRITORY)
        territory.save()
    return territory


# --- Follows (contacts) ----------------------------------------------------------------------


def _require_can_see(actor: User, member: User, message: str) -> None:
    if not (permissions.is_approved(actor) and permissions.can_view_profile(actor, member)):
        raise PermissionDenied(message)


def follow_create(*, actor: User, member: User) -> Follow:
    """`actor` follows `member`: their activity reaches the actor, who is told once.

    Following someone already followed says so. Of two simultaneous attempts, the
    database (constraint one_follow_per_pair) lets one in; the other gets that message.
    """
    _require_can_see(actor, member, _("You cannot follow this person."))
    if actor.pk == member.pk:
        raise ValidationError(_("You cannot follow yourself."))
    if not permissions.is_approved(member):
        raise ValidationError(
            _("%(name)s is not an approved member of the network: you cannot follow them.") % {"name": member}
        )
    already = ValidationError(_("You already follow %(name)s.") % {"name": member})
    if Follow.objects.filter(follower=actor, followed=member).exists():
        raise already
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=actor, followed=member)
            activity_record(actor=actor, verb="member.followed", target=member)
            # The notification points to the new follower's profile; told once per
            # follower, so that following and unfollowing again cannot spam anyone.
            told = Notification.objects.filter(recipient=member, actor=actor, verb="member.followed").exists()
            if not told:
                notify(recipient=member, verb="member.followed", target=actor, actor=actor)
    except IntegrityError:
        raise already from None
    return follow


def follow_delete(*, actor: User, member: User) -> None:
    """`actor` stops following `member` (nobody is told)."""
    _require_can_see(actor, member, _("You cannot unfollow this person."))
    with transaction.atomic():
        deleted, _counts = Follow.objects.filter(follower=actor, followed=member).delete()
        if not deleted:
            raise ValidationError(_("You do not follow %(name)s.") % {"name": member})
        activity_record(actor=actor, verb="member.unfollowed", target=member)
