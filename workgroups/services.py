"""Workgroup services: creation and approval, settings, archive, membership.

Each function checks permission (PermissionDenied), validates (ValidationError with a
French message), writes inside one transaction, records an activity entry in the group's
space and notifies the people it concerns. Changes that could leave a group without a
manager lock the group's row first, so two of them at once cannot both pass the check.
"""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import realtime, roles, spaces
from core.services import activity_record, notify
from members import permissions as member_permissions
from members.models import Territory
from workgroups import permissions
from workgroups.models import (
    INVITATION_VALIDITY,
    GroupInvitation,
    JoinRequest,
    Membership,
    Workgroup,
    WorkgroupSettings,
)
from workgroups.spaces import WORKGROUP

if TYPE_CHECKING:
    from django.core.files import File
    from django.db.models import QuerySet

    from core.models import Activity
    from members.models import User

NAME_MAX = 120
PURPOSE_MAX = 5000
MESSAGE_MAX = 1000
TAGS_MAX = 10
TAG_MAX = 50
COVER_MAX_BYTES = 5 * 1024 * 1024
COVER_TYPES = {"JPEG", "PNG", "WEBP", "GIF"}
EDITABLE_FIELDS = ("name", "purpose", "territory", "cover", "tags", "visibility", "join_policy", "end_date")


# --- Helpers ------------------------------------------------------------------------------


def _require(allowed: Any, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_member_of_network(actor: "User") -> None:
    _require(member_permissions.is_approved(actor), _("Only approved members of the network can do this."))


def _refuse_if_archived(workgroup: Workgroup) -> None:
    permissions.may_change(workgroup).check()


def _refuse_if_not_active(workgroup: Workgroup) -> None:
    if workgroup.status != Workgroup.Status.ACTIVE:
        raise ValidationError(_("This group is not open: it is waiting for approval or was refused."))


def _locked(workgroup: Workgroup) -> Workgroup:
    """The group's row, locked until the transaction ends (serialises membership changes)."""
    return Workgroup.objects.select_for_update().get(pk=workgroup.pk)


def _locked_for_manager(actor: "User", workgroup: Workgroup) -> Workgroup:
    """Lock the group's row, then check again that `actor` still manages it.

    The first check ran on a cached role: another manager may have demoted the actor
    meanwhile (A demotes B while B demotes C).
    """
    workgroup = _locked(workgroup)
    roles.forget(actor)
    _require(permissions.can_manage(actor, workgroup), _("You no longer manage this group."))
    return workgroup


def _subject(user: "User") -> dict[str, Any]:
    return {"subject": str(user), "subject_id": user.pk}


def _log(actor: "User | None", verb: str, workgroup: Workgroup, data: dict[str, Any] | None = None) -> "Activity":
    return activity_record(actor=actor, verb=verb, target=workgroup, space=workgroup.space, data=data)


def _notify_managers(workgroup: Workgroup, verb: str, actor: "User", *, url: str | None = None) -> None:
    for manager in _managers(workgroup).exclude(pk=actor.pk):
        notify(recipient=manager, verb=verb, target=workgroup, actor=actor, url=url)


def _managers(workgroup: Workgroup) -> "QuerySet[User]":
    return member_permissions.approved_members().filter(
        workgroup_memberships__workgroup=workgroup, workgroup_memberships__role=Membership.Role.MANAGER
    )


def _is_last_manager(workgroup: Workgroup, user: "User") -> bool:
    """Whether `user` manages the group and nobody else able to manage it (approved, active) does."""
    is_manager = Membership.objects.filter(workgroup=workgroup, user=user, role=Membership.Role.MANAGER).exists()
    return is_manager and not _managers(workgroup).exclude(pk=user.pk).exists()


def _membership_changed(workgroup: Workgroup, *users: "User") -> None:
    """Who is in the group, or with which role, changed: this request forgets what it knew of
    their roles, and the modules hear it (core.spaces.membership_changed)."""
    for user in users:
        roles.forget(user)
    spaces.space_membership_changed(workgroup.space, [user.pk for user in users])


def _access_lost(workgroup: Workgroup, user: "User") -> None:
    """`user` left the group: their sockets stop receiving what they no longer may read."""
    _membership_changed(workgroup, user)
    realtime.recheck_user_subscriptions(user.pk)


def _invitation_closed(user: "User") -> None:
    """An invitation to a secret group ended: `user` no longer knows the group exists."""
    roles.forget(user)
    realtime.recheck_user_subscriptions(user.pk)


def _clean_text(value: Any, *, field: str, maximum: int, required: bool = False, label: Any = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > maximum:
        message = _("%(label)s is too long (%(max)s characters at most).")
        raise ValidationError({field: message % {"label": label or field, "max": maximum}})
    return value


def _clean_tags(tags: Iterable[Any] | None) -> list[str]:
    cleaned: list[str] = []
    for tag in tags or []:
        tag = " ".join(str(tag).split())
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise ValidationError({"tags": _("A tag is too long (%(max)s characters at most).") % {"max": TAG_MAX}})
        if tag.lower() not in {t.lower() for t in cleaned}:
            cleaned.append(tag)
    if len(cleaned) > TAGS_MAX:
        raise ValidationError({"tags": _("%(max)s tags at most.") % {"max": TAGS_MAX}})
    return cleaned


def _clean_cover(cover: "File | None") -> "File | None":
    if not cover:
        return cover
    if cover.size > COVER_MAX_BYTES:
        raise ValidationError({"cover": _("The image is too large (5 MB at most).")})
    image = getattr(cover, "image", None)  # set by forms.ImageField, which already opened it
    image_format = getattr(image, "format", None) if image is not None else _sniff_image_format(cover)
    if image_format not in COVER_TYPES:
        raise ValidationError({"cover": _("Use a JPEG, PNG, WebP or GIF image.")})
    return cover


def _sniff_image_format(upload: "File") -> str | None:
    """The Pillow format of an uploaded file, or None when it is not an image."""
    from PIL import Image

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            return image.format
    except Exception:  # not an image, truncated, or a format Pillow does not read
        return None
    finally:
        upload.seek(0)


def _clean_settings(*, actor: "User", values: dict[str, Any], workgroup: Workgroup | None = None) -> dict[str, Any]:
    """Validate the editable fields (a dict); returns the cleaned dict."""
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = _clean_text(cleaned["name"], field="name", maximum=NAME_MAX, required=True,
                                      label=_("The name"))
    if "purpose" in cleaned:
        cleaned["purpose"] = _clean_text(cleaned["purpose"], field="purpose", maximum=PURPOSE_MAX, required=True,
                                         label=_("The purpose"))
    if "visibility" in cleaned and cleaned["visibility"] not in Workgroup.Visibility.values:
        raise ValidationError({"visibility": _("Choose a visibility from the list.")})
    if "join_policy" in cleaned and cleaned["join_policy"] not in Workgroup.JoinPolicy.values:
        raise ValidationError({"join_policy": _("Choose who may join from the list.")})
    visibility = cleaned.get("visibility", getattr(workgroup, "visibility", None))
    join_policy = cleaned.get("join_policy", getattr(workgroup, "join_policy", None))
    if visibility == Workgroup.Visibility.SECRET and join_policy != Workgroup.JoinPolicy.INVITATION:
        raise ValidationError(
            {"join_policy": _("Only its members know a secret group exists: one joins it by invitation only.")}
        )
    if "end_date" in cleaned and cleaned["end_date"] is not None:
        end = cleaned["end_date"]
        if not isinstance(end, date):
            raise ValidationError({"end_date": _("Enter a valid date.")})
        if end < timezone.localdate() and (workgroup is None or end != workgroup.end_date):
            raise ValidationError({"end_date": _("The end date cannot be in the past.")})
    if "territory" in cleaned and cleaned["territory"] is not None:
        territory = cleaned["territory"]
        if not isinstance(territory, Territory):
            raise ValidationError({"territory": _("Choose a territory from the list.")})
        unchanged = workgroup is not None and workgroup.territory_id == territory.pk
        if not unchanged and not (
            member_permissions.is_coordinator(actor) or member_permissions.belongs_to_territory(actor, territory.pk)
        ):
            raise ValidationError({"territory": _("You can only attach a group to a territory you belong to.")})
    if "tags" in cleaned:
        cleaned["tags"] = _clean_tags(cleaned["tags"])
    if "cover" in cleaned:
        cleaned["cover"] = _clean_cover(cleaned["cover"])
    return cleaned


def creation_needs_approval() -> bool:
    return WorkgroupSettings.load().creation_needs_approval


# --- Creation and approval ------------------------------------------------------------------


def workgroup_create(*, actor: "User", name: str | None, purpose: str | None,
                     visibility: str = Workgroup.Visibility.PUBLIC, join_policy: str = Workgroup.JoinPolicy.OPEN,
                     territory: Territory | None = None, cover: "File | None" = None,
                     tags: Iterable[str] = (), end_date: date | None = None) -> Workgroup:
    """Any member proposes a group and becomes its first manager.

    When the network asks for it (WorkgroupSettings), the group waits for a coordinator
    or a local admin of its territory; their own proposals open at once.
    """
    _require_member_of_network(actor)
    values = _clean_settings(actor=actor, values={
        "name": name, "purpose": purpose, "visibility": visibility, "join_policy": join_policy,
        "territory": territory, "cover": cover, "tags": tags, "end_date": end_date,
    })
    tags = values.pop("tags")
    with transaction.atomic():
        space = spaces.space_create(WORKGROUP)
        workgroup = Workgroup(space=space, created_by=actor, **values)
        needs_approval = creation_needs_approval() and not permissions.can_approve_creation(actor, workgroup)
        workgroup.status = Workgroup.Status.PENDING if needs_approval else Workgroup.Status.ACTIVE
        workgroup.save()
        workgroup.tags.set(tags)
        Membership.objects.create(workgroup=workgroup, user=actor, role=Membership.Role.MANAGER)
        _membership_changed(workgroup, actor)
        _log(actor, "workgroup.created", workgroup)
        if needs_approval:
            for approver in _approvers(workgroup).exclude(pk=actor.pk):
                notify(recipient=approver, verb="workgroup.proposed", target=workgroup, actor=actor)
    return workgroup


def _approvers(workgroup: Workgroup) -> "QuerySet[User]":
    """Coordinators, and the local admins of the group's territory (mirrors can_approve_creation)."""
    return member_permissions.approvers_of(workgroup.territory_id)


def _decide_creation(*, actor: "User", workgroup: Workgroup, status: str, reason: str | None = "") -> Workgroup:
    _require(permissions.can_approve_creation(actor, workgroup), _("You cannot decide on this group."))
    reason = _clean_text(reason, field="reason", maximum=MESSAGE_MAX, label=_("The message"))
    with transaction.atomic():
        changed = Workgroup.objects.filter(pk=workgroup.pk, status=Workgroup.Status.PENDING).update(
            status=status, status_reason=reason, updated_at=timezone.now()
        )
        if not changed:
            raise ValidationError(_("This group was already decided on."))
        workgroup.refresh_from_db()
        verb = "workgroup.approved" if status == Workgroup.Status.ACTIVE else "workgroup.refused"
        _log(actor, verb, workgroup, {"reason": reason} if reason else None)
        if workgroup.created_by_id:
            notify(recipient=workgroup.created_by, verb=verb, target=workgroup, actor=actor)
    return workgroup


def workgroup_approve(*, actor: "User", workgroup: Workgroup) -> Workgroup:
    return _decide_creation(actor=actor, workgroup=workgroup, status=Workgroup.Status.ACTIVE)


def workgroup_refuse(*, actor: "User", workgroup: Workgroup, reason: str | None = "") -> Workgroup:
    return _decide_creation(actor=actor, workgroup=workgroup, status=Workgroup.Status.REFUSED, reason=reason)


# --- Settings and archive -------------------------------------------------------------------


def workgroup_update(*, actor: "User", workgroup: Workgroup, **changes: Any) -> Workgroup:
    """Managers edit the group's settings (any of EDITABLE_FIELDS); archived groups are read-only."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    permissions.may_manage(actor, workgroup, "edit").check()
    with transaction.atomic():
        workgroup = _locked(workgroup)
        _refuse_if_archived(workgroup)
        values = _clean_settings(actor=actor, values=changes, workgroup=workgroup)
        tags = values.pop("tags", None)
        old_visibility = workgroup.visibility
        was_public = old_visibility == Workgroup.Visibility.PUBLIC
        for field, value in values.items():
            setattr(workgroup, field, value)
        workgroup.save()
        if tags is not None:
            workgroup.tags.set(tags)
        if was_public and workgroup.visibility != Workgroup.Visibility.PUBLIC:
            # Non-members reading the group live lose it now, and its room and categories too.
            realtime.recheck_group_subscribers(f"workgroup.{workgroup.pk}")
            realtime.recheck_space_subscribers(workgroup.space)
        if old_visibility != workgroup.visibility:
            # Who can read what they wrote changed: the members are told.
            for membership in Membership.objects.filter(workgroup=workgroup).select_related("user"):
                notify(recipient=membership.user, verb="workgroup.visibility_changed", target=workgroup,
                       actor=actor)
        _log(actor, "workgroup.updated", workgroup, {"fields": sorted(changes)})
    return workgroup


def workgroup_archive(*, actor: "User", workgroup: Workgroup) -> Workgroup:
    """Managers archive a group by hand: read-only, still readable by those who could."""
    permissions.may_manage(actor, workgroup, "archive").check()
    with transaction.atomic():
        workgroup = _locked(workgroup)
        if workgroup.is_archived:  # by hand, or by its end date
            raise ValidationError(_("This group is already archived."))
        _archive(workgroup, actor)
    return workgroup


def _archive(workgroup: Workgroup, actor: "User | None") -> None:
    workgroup.archived_at = timezone.now()
    workgroup.save(update_fields=["archived_at", "updated_at"])
    spaces.space_archive(workgroup.space)
    _log(actor, "workgroup.archived", workgroup)
    for membership in Membership.objects.filter(workgroup=workgroup).select_related("user"):
        notify(recipient=membership.user, verb="workgroup.archived", target=workgroup, actor=actor)


def workgroups_archive_expired(*, today: date | None = None) -> list[Workgroup]:
    """Archive the groups whose end date has passed (daily, `archive_workgroups`); returns them.

    Until this runs, such a group already behaves as archived (Workgroup.is_archived);
    this records when, logs it and tells the members.
    """
    today = today or timezone.localdate()
    archived = []
    for pk in Workgroup.objects.filter(archived_at__isnull=True, end_date__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            workgroup = Workgroup.objects.select_for_update().select_related("space").get(pk=pk)
            if workgroup.archived_at is None:
                _archive(workgroup, None)
                archived.append(workgroup)
    return archived


def workgroup_reopen(*, actor: "User", workgroup: Workgroup, end_date: date | None = None) -> Workgroup:
    """Managers reopen an archived group, with no end date or a new one in the future."""
    permissions.may_manage(actor, workgroup, "reopen").check()
    if end_date is not None and end_date <= timezone.localdate():
        raise ValidationError({"end_date": _("Choose a new end date in the future, or none.")})
    with transaction.atomic():
        workgroup = _locked(workgroup)
        if not workgroup.is_archived:
            raise ValidationError(_("This group is not archived."))
        workgroup.archived_at = None
        workgroup.end_date = end_date
        workgroup.save(update_fields=["archived_at", "end_date", "updated_at"])
        _log(actor, "workgroup.reopened", workgroup)
        for membership in Membership.objects.filter(workgroup=workgroup).select_related("user"):
            notify(recipient=membership.user, verb="workgroup.reopened", target=workgroup, actor=actor)
    return workgroup


# --- Joining ----------------------------------------------------------------------------------


def _add_member(workgroup: Workgroup, user: "User", role: str = Membership.Role.MEMBER) -> Membership:
    """Create the membership; a concurrent duplicate is settled by the unique constraint."""
    try:
        with transaction.atomic():
            membership = Membership.objects.create(workgroup=workgroup, user=user, role=role)
    except IntegrityError:
        raise ValidationError(_("%(name)s is already a member of this group.") % {"name": user}) from None
    _membership_changed(workgroup, user)
    # A pending request or invitation is settled by the membership.
    JoinRequest.objects.filter(workgroup=workgroup, user=user, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.ACCEPTED, decided_at=timezone.now()
    )
    GroupInvitation.objects.filter(workgroup=workgroup, user=user, status=GroupInvitation.Status.PENDING).update(
        status=GroupInvitation.Status.ACCEPTED, decided_at=timezone.now()
    )
    return membership


def _check_can_enter(actor: "User", workgroup: Workgroup) -> None:
    """What joining and asking to join both need: a group one sees, open, not yet one's own."""
    _require_member_of_network(actor)
    if not permissions.can_see(actor, workgroup):
        raise PermissionDenied(_("You cannot join this group."))
    _refuse_if_not_active(workgroup)
    _refuse_if_archived(workgroup)
    if permissions.is_member(actor, workgroup):
        raise ValidationError(_("You are already a member of this group."))


def workgroup_join(*, actor: "User", workgroup: Workgroup) -> Membership:
    """Join an open group."""
    _check_can_enter(actor, workgroup)
    if workgroup.join_policy != Workgroup.JoinPolicy.OPEN:
        raise PermissionDenied(_("This group is not open: ask to join it, or wait for an invitation."))
    with transaction.atomic():
        membership = _add_member(workgroup, actor)
        _log(actor, "workgroup.joined", workgroup)
        _notify_managers(workgroup, "workgroup.joined", actor)
    return membership


def join_request_create(*, actor: "User", workgroup: Workgroup, message: str | None = "") -> JoinRequest:
    """Ask to join a group whose managers accept members."""
    _check_can_enter(actor, workgroup)
    if workgroup.join_policy != Workgroup.JoinPolicy.REQUEST:
        raise PermissionDenied(_("This group does not take requests to join."))
    message = _clean_text(message, field="message", maximum=MESSAGE_MAX, label=_("The message"))
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(workgroup=workgroup, user=actor, message=message)
            _log(actor, "workgroup.join_requested", workgroup)
            _notify_managers(workgroup, "workgroup.join_requested", actor, url=_requests_url(workgroup))
    except IntegrityError:
        raise ValidationError(_("You have already asked to join this group: the managers will answer.")) from None
    return request


def _requests_url(workgroup: Workgroup) -> str:
    return workgroup.get_absolute_url() + "membres/"


def join_request_cancel(*, actor: "User", join_request: JoinRequest) -> JoinRequest:
    _require(join_request.user_id == actor.pk, _("This request is not yours."))
    changed = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
        status=JoinRequest.Status.CANCELLED, decided_at=timezone.now(), decided_by=actor
    )
    if not changed:
        raise ValidationError(_("This request was already answered."))
    join_request.refresh_from_db()
    return join_request


def _decide_request(*, actor: "User", join_request: JoinRequest, accept: bool, response: str | None) -> JoinRequest:
    workgroup = join_request.workgroup
    permissions.may_manage(actor, workgroup, "answer").check()
    response = _clean_text(response, field="response", maximum=MESSAGE_MAX, label=_("The answer"))
    with transaction.atomic():
        workgroup = _locked(workgroup)
        if accept:
            _refuse_if_archived(workgroup)
        status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.REFUSED
        changed = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
            status=status, decided_by=actor, decided_at=timezone.now(), response=response
        )
        if not changed:
            raise ValidationError(_("This request was already answered."))
        join_request.refresh_from_db()
        requester = join_request.user
        if accept:
            _add_member(workgroup, requester)
        verb = "workgroup.request_accepted" if accept else "workgroup.request_refused"
        _log(actor, verb, workgroup, {**_subject(requester), **({"response": response} if response else {})})
        notify(recipient=requester, verb=verb, target=workgroup, actor=actor)
    return join_request


def join_request_accept(*, actor: "User", join_request: JoinRequest, response: str | None = "") -> JoinRequest:
    return _decide_request(actor=actor, join_request=join_request, accept=True, response=response)


def join_request_refuse(*, actor: "User", join_request: JoinRequest, response: str | None = "") -> JoinRequest:
    return _decide_request(actor=actor, join_request=join_request, accept=False, response=response)


# --- Invitations ------------------------------------------------------------------------------


def invitation_create(*, actor: "User", workgroup: Workgroup, invitee: "User",
                      message: str | None = "") -> GroupInvitation:
    """Invite a member of the network; they accept or decline within 14 days."""
    permissions.may_invite(actor, workgroup).check()
    _refuse_if_not_active(workgroup)
    _refuse_if_archived(workgroup)
    if not member_permissions.is_approved(invitee):
        raise ValidationError({"invitee": _("Only approved members of the network can be invited.")})
    message = _clean_text(message, field="message", maximum=MESSAGE_MAX, label=_("The message"))
    if Membership.objects.filter(workgroup=workgroup, user=invitee).exists():
        raise ValidationError({"invitee": _("%(name)s is already a member of this group.") % {"name": invitee}})
    now = timezone.now()
    try:
        with transaction.atomic():
            # An expired invitation no longer blocks a new one.
            GroupInvitation.objects.filter(
                workgroup=workgroup, user=invitee, status=GroupInvitation.Status.PENDING, expires_at__lte=now
            ).update(status=GroupInvitation.Status.EXPIRED)
            with transaction.atomic():
                invitation = GroupInvitation.objects.create(
                    workgroup=workgroup, user=invitee, invited_by=actor, message=message,
                    created_at=now, expires_at=now + INVITATION_VALIDITY,
                )
            _log(actor, "workgroup.invited", workgroup, _subject(invitee))
            notify(recipient=invitee, verb="workgroup.invited", target=workgroup, actor=actor)
    except IntegrityError:
        raise ValidationError(
            {"invitee": _("%(name)s is already invited to this group.") % {"name": invitee}}
        ) from None
    return invitation


def _open_invitation(invitation: GroupInvitation) -> None:
    if invitation.status == GroupInvitation.Status.PENDING and invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired: ask a manager of the group for a new one."))
    if invitation.status != GroupInvitation.Status.PENDING:
        raise ValidationError(_("This invitation is no longer open."))


def invitation_accept(*, actor: "User", invitation: GroupInvitation) -> Membership:
    _require(invitation.user_id == actor.pk, _("This invitation is not yours."))
    _require_member_of_network(actor)
    _open_invitation(invitation)
    workgroup = invitation.workgroup
    with transaction.atomic():
        workgroup = _locked(workgroup)
        _refuse_if_not_active(workgroup)
        _refuse_if_archived(workgroup)
        changed = GroupInvitation.objects.filter(
            pk=invitation.pk, status=GroupInvitation.Status.PENDING, expires_at__gt=timezone.now()
        ).update(status=GroupInvitation.Status.ACCEPTED, decided_at=timezone.now())
        if not changed:
            raise ValidationError(_("This invitation is no longer open."))
        membership = _add_member(workgroup, actor)
        _log(actor, "workgroup.joined", workgroup)
        if invitation.invited_by_id:
            notify(recipient=invitation.invited_by, verb="workgroup.invitation_accepted", target=workgroup,
                   actor=actor)
    return membership


def invitation_decline(*, actor: "User", invitation: GroupInvitation) -> GroupInvitation:
    _require(invitation.user_id == actor.pk, _("This invitation is not yours."))
    _open_invitation(invitation)
    with transaction.atomic():
        changed = GroupInvitation.objects.filter(pk=invitation.pk, status=GroupInvitation.Status.PENDING).update(
            status=GroupInvitation.Status.DECLINED, decided_at=timezone.now()
        )
        if not changed:
            raise ValidationError(_("This invitation is no longer open."))
        _log(actor, "workgroup.invitation_declined", invitation.workgroup)
        if invitation.invited_by_id:
            notify(recipient=invitation.invited_by, verb="workgroup.invitation_declined",
                   target=invitation.workgroup, actor=actor)
        _invitation_closed(actor)  # the invitation let them see a secret group
    return invitation


def invitation_revoke(*, actor: "User", invitation: GroupInvitation) -> GroupInvitation:
    workgroup = invitation.workgroup
    _require(
        permissions.can_manage(actor, workgroup) or invitation.invited_by_id == actor.pk,
        _("Only the managers of the group or the person who invited can withdraw an invitation."),
    )
    with transaction.atomic():
        changed = GroupInvitation.objects.filter(pk=invitation.pk, status=GroupInvitation.Status.PENDING).update(
            status=GroupInvitation.Status.REVOKED, decided_at=timezone.now()
        )
        if not changed:
            raise ValidationError(_("This invitation is no longer open."))
        _log(actor, "workgroup.invitation_revoked", workgroup, _subject(invitation.user))
        notify(recipient=invitation.user, verb="workgroup.invitation_revoked", target=workgroup, actor=actor)
        _invitation_closed(invitation.user)  # the invitation let them see a secret group
    return invitation


# --- Members and managers ----------------------------------------------------------------------


def _membership(workgroup: Workgroup, user: "User") -> Membership:
    membership = Membership.objects.filter(workgroup=workgroup, user=user).select_related("user").first()
    if membership is None:
        raise ValidationError(_("%(name)s is not a member of this group.") % {"name": user})
    return membership


def membership_leave(*, actor: "User", workgroup: Workgroup, successor: "User | None" = None) -> Workgroup:
    """Leave a group. The last manager names a member to take over (`successor`)."""
    _require_member_of_network(actor)
    with transaction.atomic():
        workgroup = _locked(workgroup)
        membership = _membership(workgroup, actor)
        if _is_last_manager(workgroup, actor):
            if successor is None:
                raise ValidationError(
                    {"successor": _("You are the last manager: name another member as manager before leaving.")}
                )
            if successor.pk == actor.pk:
                raise ValidationError({"successor": _("Name another member than yourself.")})
            if not member_permissions.is_approved(successor):
                raise ValidationError({"successor": _("Name a member whose account is active.")})
            heir = _membership(workgroup, successor)
            heir.role = Membership.Role.MANAGER
            heir.save(update_fields=["role"])
            _membership_changed(workgroup, successor)
            _log(actor, "workgroup.manager_promoted", workgroup, _subject(successor))
            notify(recipient=successor, verb="workgroup.promoted", target=workgroup, actor=actor)
        membership.delete()
        _access_lost(workgroup, actor)
        _log(actor, "workgroup.left", workgroup)
        _notify_managers(workgroup, "workgroup.left", actor)
    return workgroup


def membership_remove(*, actor: "User", workgroup: Workgroup, member: "User") -> Workgroup:
    """Managers remove a member; the last manager cannot be removed."""
    permissions.may_manage(actor, workgroup, "remove").check()
    if member.pk == actor.pk:
        raise ValidationError(_("To leave the group, use “Leave the group”."))
    with transaction.atomic():
        workgroup = _locked_for_manager(actor, workgroup)
        _refuse_if_archived(workgroup)
        membership = _membership(workgroup, member)
        if _is_last_manager(workgroup, member):
            raise ValidationError(_("%(name)s is the last manager of the group: name another manager first.")
                                  % {"name": member})
        membership.delete()
        _access_lost(workgroup, member)
        _log(actor, "workgroup.member_removed", workgroup, _subject(member))
        notify(recipient=member, verb="workgroup.removed", target=workgroup, actor=actor)
    return workgroup


def membership_set_role(*, actor: "User", workgroup: Workgroup, member: "User", role: str) -> Membership:
    """Managers promote a member to manager, or make a manager a plain member again."""
    permissions.may_manage(actor, workgroup, "roles").check()
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    with transaction.atomic():
        workgroup = _locked_for_manager(actor, workgroup)
        _refuse_if_archived(workgroup)
        membership = _membership(workgroup, member)
        if membership.role == role:
            return membership
        if _is_last_manager(workgroup, member):
            raise ValidationError(_("%(name)s is the last manager of the group: name another manager first.")
                                  % {"name": member})
        membership.role = role
        membership.save(update_fields=["role"])
        _membership_changed(workgroup, member)
        promoted = role == Membership.Role.MANAGER
        _log(actor, "workgroup.manager_promoted" if promoted else "workgroup.manager_demoted", workgroup,
             _subject(member))
        notify(recipient=member, verb="workgroup.promoted" if promoted else "workgroup.demoted",
               target=workgroup, actor=actor)
    return membership
