"""Workgroup services: for each one, what is allowed, what is denied, what is invalid.

Allowed: what is saved, the activity entries in the group's space, the notifications.
Denied: PermissionDenied with a clear message. Invalid: ValidationError with a clear
message (on the right field when there is one). After a refusal nothing is half-saved:
`nothing_saved()` compares every workgroup table, the activity log and the notifications.
Messages are compared with their English source (see conftest.py).
"""

from datetime import timedelta
from functools import partial

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image
from taggit.models import TaggedItem

from core.models import Activity, Notification, Space
from extranet.testing import assertions
from extranet.testing.assertions import notifications, png
from extranet.testing.factories import (
    CoordinatorFactory,
    GroupInvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    UserFactory,
    WorkgroupFactory,
)
from members.models import User
from workgroups import permissions, services
from workgroups.models import GroupInvitation, JoinRequest, Membership, Workgroup, WorkgroupSettings

TODAY = timezone.localdate


# --- Helpers -----------------------------------------------------------------------------------


def state():
    """Everything a refused action must leave as it was."""
    return {
        "workgroups": list(Workgroup.objects.order_by("pk").values(
            "pk", "name", "purpose", "territory_id", "cover", "visibility", "join_policy", "status",
            "status_reason", "end_date", "archived_at", "created_by_id", "space_id",
        )),
        "tags": sorted(TaggedItem.objects.values_list("object_id", "tag__name")),
        "spaces": sorted(Space.objects.values_list("pk", "kind")),
        "memberships": sorted(Membership.objects.values_list("workgroup_id", "user_id", "role")),
        "requests": sorted(JoinRequest.objects.values_list("pk", "user_id", "status", "response", "decided_by_id")),
        "invitations": sorted(GroupInvitation.objects.values_list("pk", "user_id", "status", "expires_at")),
        "activities": Activity.objects.count(),
        "notifications": Notification.objects.count(),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


def activities(workgroup):
    """(verb, actor pk, subject) of the group's activity entries, oldest first."""
    return [
        (a.verb, a.actor_id, a.data.get("subject"))
        for a in Activity.objects.filter(space_id=workgroup.space_id).order_by("pk")
    ]


def fresh(user):
    return User.objects.get(pk=user.pk)


def reloaded(workgroup):
    return Workgroup.objects.select_related("space").get(pk=workgroup.pk)


# --- People and groups ------------------------------------------------------------------------------


@pytest.fixture
def manager(territory):
    return UserFactory(territory=territory, display_name="Aline Roux")


@pytest.fixture
def co_manager(territory):
    return UserFactory(territory=territory, display_name="Bruno Vidal")


@pytest.fixture
def outsider(territory):
    return UserFactory(territory=territory, display_name="Odile Martin")


@pytest.fixture
def referent_elsewhere(territory, other_territory):
    """Lives in the territory under study, local admin of the other one."""
    return UserFactory(territory=territory, referent_of=[other_territory], display_name="Paul Issaly")


@pytest.fixture
def make_group(territory, manager, member):
    """A group of `territory` made by `manager` (its manager), with `member` in it."""

    def make(**values):
        values.setdefault("territory", territory)
        values.setdefault("created_by", manager)
        values.setdefault("managers", [manager])
        values.setdefault("members", [member])
        return WorkgroupFactory(**values)

    return make


@pytest.fixture
def group(make_group):
    return make_group(name="Numérique et parentalité")


@pytest.fixture
def approval_needed(db):
    settings = WorkgroupSettings.load()
    settings.creation_needs_approval = True
    settings.save()


def create(actor, **values):
    values.setdefault("name", "Médiation et jeux vidéo")
    values.setdefault("purpose", "Partager nos ateliers autour du jeu vidéo.")
    return services.workgroup_create(actor=actor, **values)


def yesterday():
    return TODAY() - timedelta(days=1)


def in_days(days):
    return TODAY() + timedelta(days=days)


# --- workgroup_create ------------------------------------------------------------------------------


def test_workgroup_create_opens_the_group_with_its_proposer_as_manager(member, territory):
    end = in_days(90)

    workgroup = create(
        member, name="  Médiation et jeux vidéo ", purpose=" Partager nos ateliers. ", visibility="private",
        join_policy="request", territory=territory, tags=["Jeux vidéo", "jeux  vidéo", "Ateliers", "  "],
        end_date=end,
    )

    saved = reloaded(workgroup)
    assert saved.name == "Médiation et jeux vidéo"
    assert saved.purpose == "Partager nos ateliers."
    assert (saved.visibility, saved.join_policy, saved.status) == ("private", "request", "active")
    assert saved.territory == territory
    assert saved.end_date == end
    assert saved.archived_at is None
    assert saved.created_by == member
    assert saved.space.kind == "workgroup"
    assert sorted(t.name for t in saved.tags.all()) == ["Ateliers", "Jeux vidéo"]
    assert list(Membership.objects.filter(workgroup=saved).values_list("user_id", "role")) == [(member.pk, "manager")]
    assert activities(saved) == [("workgroup.created", member.pk, None)]
    assert notifications() == []
    # The proposer's roles are refreshed on the very object the view holds.
    assert permissions.can_manage(member, saved) is True


def test_workgroup_create_a_secret_group_by_invitation(member):
    workgroup = create(member, visibility="secret", join_policy="invitation")
    assert (workgroup.visibility, workgroup.join_policy) == ("secret", "invitation")
    assert workgroup.territory is None


def test_a_coordinator_attaches_a_group_to_any_territory(coordinator, territory):
    assert coordinator.territory != territory
    assert create(coordinator, territory=territory).territory == territory


def test_a_local_admin_attaches_a_group_to_the_territory_they_administer(referent_elsewhere, other_territory):
    assert create(referent_elsewhere, territory=other_territory).territory == other_territory


@pytest.mark.parametrize("who", ["pending", "anonymous", "refused", "inactive"])
def test_workgroup_create_is_for_approved_members(who, territory, pending_user):
    actor = {
        "pending": pending_user,
        "anonymous": AnonymousUser(),
        "refused": UserFactory(territory=territory, status=User.Status.REFUSED),
        "inactive": UserFactory(territory=territory, is_active=False),
    }[who]
    with refused(PermissionDenied, "Only approved members of the network can do this."):
        create(actor)


INVALID_CREATIONS = [
    ({"name": ""}, "name", "This field is required."),
    ({"name": "   "}, "name", "This field is required."),
    ({"name": "x" * 121}, "name", "The name is too long (120 characters at most)."),
    ({"purpose": ""}, "purpose", "This field is required."),
    ({"purpose": "x" * 5001}, "purpose", "The purpose is too long (5000 characters at most)."),
    ({"visibility": "hidden"}, "visibility", "Choose a visibility from the list."),
    ({"join_policy": "anyone"}, "join_policy", "Choose who may join from the list."),
    ({"visibility": "secret", "join_policy": "open"}, "join_policy",
     "Only its members know a secret group exists: one joins it by invitation only."),
    ({"visibility": "secret", "join_policy": "request"}, "join_policy",
     "Only its members know a secret group exists: one joins it by invitation only."),
    ({"visibility": "secret"}, "join_policy",  # the default policy is "open"
     "Only its members know a secret group exists: one joins it by invitation only."),
    ({"end_date": "yesterday"}, "end_date", "The end date cannot be in the past."),
    ({"end_date": "2030-01-01"}, "end_date", "Enter a valid date."),
    ({"territory": "other"}, "territory", "You can only attach a group to a territory you belong to."),
    ({"territory": 1}, "territory", "Choose a territory from the list."),
    ({"tags": [f"thème {i}" for i in range(11)]}, "tags", "10 tags at most."),
    ({"tags": ["ok", "x" * 51]}, "tags", "A tag is too long (50 characters at most)."),
]


@pytest.mark.parametrize("values,field,message", INVALID_CREATIONS)
def test_workgroup_create_invalid(values, field, message, member, other_territory):
    values = dict(values)
    if values.get("end_date") == "yesterday":
        values["end_date"] = yesterday()
    if values.get("territory") == "other":
        values["territory"] = other_territory
    with refused(ValidationError, message, field):
        create(member, **values)


def test_the_database_keeps_a_secret_group_invitation_only(group):
    with pytest.raises(IntegrityError), transaction.atomic():
        Workgroup.objects.filter(pk=group.pk).update(visibility="secret", join_policy="open")


def test_eleven_tags_that_are_the_same_tag_are_one(member):
    workgroup = create(member, tags=["Vidéo"] * 6 + ["vidéo"] * 5)
    assert [t.name for t in workgroup.tags.all()] == ["Vidéo"]


# --- Creation that waits for approval ------------------------------------------------------------


def test_a_proposed_group_waits_and_its_deciders_are_told(
    approval_needed, member, territory, referent, coordinator, referent_elsewhere
):
    superuser = UserFactory(territory=territory, is_superuser=True)
    CoordinatorFactory(territory=territory, status=User.Status.PENDING)  # not approved: not told

    workgroup = create(member, territory=territory)

    saved = reloaded(workgroup)
    assert saved.status == Workgroup.Status.PENDING
    assert list(Membership.objects.filter(workgroup=saved).values_list("user_id", "role")) == [(member.pk, "manager")]
    assert activities(saved) == [("workgroup.created", member.pk, None)]
    assert notifications() == sorted([
        (coordinator.pk, "workgroup.proposed"),
        (superuser.pk, "workgroup.proposed"),
        (referent.pk, "workgroup.proposed"),
    ])
    assert permissions.can_see(fresh(member), saved) is True
    assert permissions.can_see(fresh(referent_elsewhere), saved) is False


def test_a_proposed_group_without_territory_is_announced_to_the_coordinators(
    approval_needed, member, referent, coordinator
):
    workgroup = create(member)
    assert reloaded(workgroup).status == Workgroup.Status.PENDING
    assert notifications() == [(coordinator.pk, "workgroup.proposed")]


def test_a_local_admin_who_decides_on_the_territory_also_counts_as_approver_of_their_proposal(
    approval_needed, referent, coordinator, territory
):
    workgroup = create(referent, territory=territory)
    assert reloaded(workgroup).status == Workgroup.Status.ACTIVE
    assert notifications() == []


def test_a_coordinators_proposal_opens_at_once(approval_needed, coordinator):
    assert reloaded(create(coordinator)).status == Workgroup.Status.ACTIVE
    assert notifications() == []


def test_a_local_admin_elsewhere_waits_like_anyone(approval_needed, referent_elsewhere, territory, coordinator):
    workgroup = create(referent_elsewhere, territory=territory)
    assert reloaded(workgroup).status == Workgroup.Status.PENDING
    assert notifications() == [(coordinator.pk, "workgroup.proposed")]


def test_without_the_setting_groups_open_at_once(member, coordinator, territory):
    assert WorkgroupSettings.load().creation_needs_approval is False
    assert reloaded(create(member, territory=territory)).status == Workgroup.Status.ACTIVE
    assert notifications() == []


# --- workgroup_approve / workgroup_refuse --------------------------------------------------------------


@pytest.fixture
def proposed(make_group, member):
    return make_group(status="pending", created_by=member, managers=[member], members=[])


@pytest.mark.parametrize("decider", ["coordinator", "referent"])
def test_workgroup_approve(decider, proposed, member, request):
    actor = request.getfixturevalue(decider)

    services.workgroup_approve(actor=actor, workgroup=proposed)

    saved = reloaded(proposed)
    assert saved.status == Workgroup.Status.ACTIVE
    assert activities(saved) == [("workgroup.approved", actor.pk, None)]
    assert notifications() == [(member.pk, "workgroup.approved")]
    assert permissions.can_post(fresh(member), saved) is True


def test_workgroup_refuse_with_a_reason(proposed, referent, member):
    services.workgroup_refuse(actor=referent, workgroup=proposed, reason="  Un groupe existe déjà. ")

    saved = reloaded(proposed)
    assert saved.status == Workgroup.Status.REFUSED
    assert saved.status_reason == "Un groupe existe déjà."
    [entry] = Activity.objects.filter(space_id=saved.space_id)
    assert (entry.verb, entry.actor_id) == ("workgroup.refused", referent.pk)
    assert entry.data == {"reason": "Un groupe existe déjà."}
    assert notifications() == [(member.pk, "workgroup.refused")]
    assert permissions.can_see(fresh(member), saved) is True  # the proposer still sees why
    assert permissions.can_view_content(fresh(member), saved) is False


@pytest.mark.parametrize("who", ["member", "outsider", "referent_elsewhere", "pending_user", "manager"])
@pytest.mark.parametrize("service", [services.workgroup_approve, services.workgroup_refuse])
def test_deciding_on_a_proposed_group_is_for_coordinators_and_local_admins(who, service, proposed, request):
    actor = request.getfixturevalue(who)
    with refused(PermissionDenied, "You cannot decide on this group."):
        service(actor=actor, workgroup=proposed)


@pytest.mark.parametrize("status", ["active", "refused"])
@pytest.mark.parametrize("service", [services.workgroup_approve, services.workgroup_refuse])
def test_a_group_is_decided_on_once(status, service, make_group, coordinator):
    workgroup = make_group(status=status)
    with refused(ValidationError, "This group was already decided on."):
        service(actor=coordinator, workgroup=workgroup)


def test_a_refusal_reason_has_a_limit(proposed, coordinator):
    with refused(ValidationError, "The message is too long (1000 characters at most).", "reason"):
        services.workgroup_refuse(actor=coordinator, workgroup=proposed, reason="x" * 1001)


# --- workgroup_update -------------------------------------------------------------------------------


def test_workgroup_update(group, manager):
    end = in_days(30)

    services.workgroup_update(
        actor=manager, workgroup=group, name=" Parentalité numérique ", purpose="Nouvelle mission.",
        visibility="private", join_policy="request", tags=["Familles", "écrans"], end_date=end,
    )

    saved = reloaded(group)
    assert saved.name == "Parentalité numérique"
    assert saved.purpose == "Nouvelle mission."
    assert (saved.visibility, saved.join_policy, saved.end_date) == ("private", "request", end)
    assert sorted(t.name for t in saved.tags.all()) == ["Familles", "écrans"]
    [entry] = Activity.objects.filter(space_id=saved.space_id)
    assert (entry.verb, entry.actor_id) == ("workgroup.updated", manager.pk)
    assert entry.data == {"fields": ["end_date", "join_policy", "name", "purpose", "tags", "visibility"]}
    # Who can read the group changed: its other members are told.
    others = Membership.objects.filter(workgroup=group).exclude(user=manager).values_list("user_id", flat=True)
    assert others, "the fixture's group has other members"
    assert notifications() == sorted((pk, "workgroup.visibility_changed") for pk in others)


def test_an_update_that_keeps_the_visibility_tells_nobody(group, manager):
    services.workgroup_update(actor=manager, workgroup=group, name="Renommé", purpose="Autre objet.")
    assert notifications() == []


def test_a_coordinator_edits_any_group(group, coordinator):
    services.workgroup_update(actor=coordinator, workgroup=group, name="Modéré")
    assert reloaded(group).name == "Modéré"


def test_a_group_becomes_secret_with_the_invitation_policy_at_once(group, manager):
    services.workgroup_update(actor=manager, workgroup=group, visibility="secret", join_policy="invitation")
    saved = reloaded(group)
    assert (saved.visibility, saved.join_policy) == ("secret", "invitation")


def test_a_manager_keeps_a_territory_they_do_not_belong_to(make_group, manager, other_territory):
    workgroup = make_group(territory=other_territory)
    services.workgroup_update(actor=manager, workgroup=workgroup, territory=other_territory, name="Gardé")
    assert reloaded(workgroup).territory == other_territory


@pytest.mark.parametrize("who", ["member", "outsider", "referent", "pending_user"])
def test_workgroup_update_is_for_managers(who, group, request):
    actor = request.getfixturevalue(who)
    with refused(PermissionDenied, "Only the managers of the group can change it."):
        services.workgroup_update(actor=actor, workgroup=group, name="Pris")


def test_the_proposer_cannot_edit_a_group_waiting_for_approval(proposed, member):
    with refused(PermissionDenied, "Only the managers of the group can change it."):
        services.workgroup_update(actor=member, workgroup=proposed, name="Pris")


@pytest.mark.parametrize("archive", ["by_hand", "end_date"])
def test_editing_an_archived_group_is_refused(archive, make_group, manager):
    if archive == "by_hand":
        workgroup = make_group(archived_at=timezone.now())
    else:
        workgroup = make_group(end_date=yesterday())
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.workgroup_update(actor=manager, workgroup=workgroup, name="Pris")


INVALID_UPDATES = [
    ({"name": ""}, "name", "This field is required."),
    ({"visibility": "secret"}, "join_policy",
     "Only its members know a secret group exists: one joins it by invitation only."),
    ({"join_policy": "open", "visibility": "secret"}, "join_policy",
     "Only its members know a secret group exists: one joins it by invitation only."),
    ({"end_date": "yesterday"}, "end_date", "The end date cannot be in the past."),
    ({"territory": "other"}, "territory", "You can only attach a group to a territory you belong to."),
    ({"visibility": "everyone"}, "visibility", "Choose a visibility from the list."),
    # A valid change with an invalid one: neither is saved.
    ({"name": "Renommé", "tags": [str(i) for i in range(11)]}, "tags", "10 tags at most."),
    ({"purpose": "Nouvelle mission", "end_date": "yesterday"}, "end_date", "The end date cannot be in the past."),
]


@pytest.mark.parametrize("changes,field,message", INVALID_UPDATES)
def test_workgroup_update_invalid(changes, field, message, group, manager, other_territory):
    changes = dict(changes)
    if changes.get("end_date") == "yesterday":
        changes["end_date"] = yesterday()
    if changes.get("territory") == "other":
        changes["territory"] = other_territory
    with refused(ValidationError, message, field):
        services.workgroup_update(actor=manager, workgroup=group, **changes)


def test_workgroup_update_refuses_fields_that_are_not_settings(group, manager):
    with nothing_saved(), pytest.raises(TypeError):
        services.workgroup_update(actor=manager, workgroup=group, status="active", name="Pris")


# --- Cover image ------------------------------------------------------------------------------------


def test_a_cover_image_is_saved(member):
    workgroup = create(member, cover=png("couverture.png"))
    saved = reloaded(workgroup)
    assert saved.cover.name.startswith("workgroups/covers/")
    assert saved.cover.name.endswith(".png")
    with Image.open(saved.cover.path) as image:
        assert image.size == (8, 8)


def test_a_too_large_cover_is_refused(member):
    upload = SimpleUploadedFile("grande.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024), content_type="image/png")
    with refused(ValidationError, "The image is too large (5 MB at most).", "cover"):
        create(member, cover=upload)


def test_a_too_large_cover_is_refused_on_update(group, manager):
    upload = SimpleUploadedFile("grande.png", b"0" * (5 * 1024 * 1024 + 1), content_type="image/png")
    with refused(ValidationError, "The image is too large (5 MB at most).", "cover"):
        services.workgroup_update(actor=manager, workgroup=group, cover=upload)


def test_a_cover_of_another_format_checked_by_a_form_is_refused(member):
    upload = forms.ImageField().clean(png("image.bmp", image_format="BMP"))
    with refused(ValidationError, "Use a JPEG, PNG, WebP or GIF image.", "cover"):
        create(member, cover=upload)


@pytest.mark.parametrize("upload", [
    pytest.param(lambda: SimpleUploadedFile("photo.png", b"ceci n'est pas une image", content_type="image/png"),
                 id="not-an-image"),
    pytest.param(lambda: png("image.bmp", image_format="BMP"), id="bmp"),
])
def test_a_cover_the_service_receives_directly_is_checked_too(upload, member):
    """The service validates by itself: a file that no form looked at is not trusted."""
    with refused(ValidationError, "Use a JPEG, PNG, WebP or GIF image.", "cover"):
        create(member, cover=upload())


# --- workgroup_archive / workgroups_archive_expired / workgroup_reopen ------------------------------


def test_workgroup_archive(group, manager, co_manager, member):
    MembershipFactory(workgroup=group, user=co_manager, role="manager")

    services.workgroup_archive(actor=manager, workgroup=group)

    saved = reloaded(group)
    assert saved.archived_at is not None
    assert saved.is_archived
    assert activities(saved) == [("workgroup.archived", manager.pk, None)]
    assert notifications() == sorted([(member.pk, "workgroup.archived"), (co_manager.pk, "workgroup.archived")])
    assert permissions.can_post(fresh(member), saved) is False
    assert permissions.can_view_content(fresh(member), saved) is True


@pytest.mark.parametrize("who", ["member", "referent", "outsider"])
def test_workgroup_archive_is_for_managers(who, group, request):
    actor = request.getfixturevalue(who)
    with refused(PermissionDenied, "Only the managers of the group can archive it."):
        services.workgroup_archive(actor=actor, workgroup=group)


def test_a_group_is_archived_once(make_group, manager):
    workgroup = make_group(archived_at=timezone.now())
    with refused(ValidationError, "This group is already archived."):
        services.workgroup_archive(actor=manager, workgroup=workgroup)


def test_a_group_whose_end_date_passed_is_already_archived(make_group, manager):
    """Archived by its end date (read-only already): archiving it by hand says so; the daily
    command records it."""
    workgroup = make_group(end_date=yesterday())
    with refused(ValidationError, "This group is already archived."):
        services.workgroup_archive(actor=manager, workgroup=workgroup)
    assert reloaded(workgroup).archived_at is None


def test_workgroups_archive_expired(make_group, manager, member):
    ended = make_group(name="Fini hier", end_date=yesterday())
    ends_today = make_group(name="Finit aujourd'hui", end_date=TODAY())
    later = make_group(name="Plus tard", end_date=in_days(10))
    endless = make_group(name="Sans fin")
    long_ago = timezone.now() - timedelta(days=30)
    already = make_group(name="Déjà archivé", end_date=yesterday(), archived_at=long_ago)

    archived = services.workgroups_archive_expired()

    assert [w.pk for w in archived] == [ended.pk]
    assert reloaded(ended).archived_at is not None
    for workgroup in (ends_today, later, endless):
        assert reloaded(workgroup).archived_at is None
    assert reloaded(already).archived_at == long_ago
    assert activities(ended) == [("workgroup.archived", None, None)]
    assert Activity.objects.count() == 1
    assert notifications() == sorted([(manager.pk, "workgroup.archived"), (member.pk, "workgroup.archived")])
    # Once recorded, the next run finds nothing more.
    assert services.workgroups_archive_expired() == []
    assert Activity.objects.count() == 1
    # Run as of a later day, the groups ending before it are archived.
    later_run = services.workgroups_archive_expired(today=in_days(11))
    assert {w.pk for w in later_run} == {ends_today.pk, later.pk}


def test_workgroup_reopen_without_end_date(make_group, manager, member):
    workgroup = make_group(archived_at=timezone.now(), end_date=in_days(5))

    services.workgroup_reopen(actor=manager, workgroup=workgroup)

    saved = reloaded(workgroup)
    assert (saved.archived_at, saved.end_date) == (None, None)
    assert not saved.is_archived
    assert activities(saved) == [("workgroup.reopened", manager.pk, None)]
    assert notifications() == [(member.pk, "workgroup.reopened")]
    assert permissions.can_post(fresh(member), saved) is True


def test_workgroup_reopen_an_ended_group_with_a_new_end_date(make_group, coordinator):
    workgroup = make_group(end_date=yesterday())
    services.workgroup_reopen(actor=coordinator, workgroup=workgroup, end_date=in_days(60))
    saved = reloaded(workgroup)
    assert saved.end_date == in_days(60)
    assert not saved.is_archived


@pytest.mark.parametrize("who", ["member", "outsider", "referent"])
def test_workgroup_reopen_is_for_managers(who, make_group, request):
    actor = request.getfixturevalue(who)
    workgroup = make_group(archived_at=timezone.now())
    with refused(PermissionDenied, "Only the managers of the group can reopen it."):
        services.workgroup_reopen(actor=actor, workgroup=workgroup)


@pytest.mark.parametrize("days", [0, -1])
def test_reopening_needs_a_future_end_date_or_none(days, make_group, manager):
    workgroup = make_group(end_date=yesterday())
    with refused(ValidationError, "Choose a new end date in the future, or none.", "end_date"):
        services.workgroup_reopen(actor=manager, workgroup=workgroup, end_date=in_days(days))


def test_reopening_a_group_that_is_not_archived(group, manager):
    with refused(ValidationError, "This group is not archived."):
        services.workgroup_reopen(actor=manager, workgroup=group)


# --- workgroup_join ---------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", ["public", "private"])
def test_workgroup_join(visibility, make_group, manager, co_manager, member, outsider):
    workgroup = make_group(visibility=visibility)
    MembershipFactory(workgroup=workgroup, user=co_manager, role="manager")
    invitation = GroupInvitationFactory(workgroup=workgroup, user=outsider, invited_by=member)

    membership = services.workgroup_join(actor=outsider, workgroup=workgroup)

    assert (membership.user, membership.role) == (outsider, Membership.Role.MEMBER)
    assert Membership.objects.filter(workgroup=workgroup, user=outsider).count() == 1
    assert activities(workgroup) == [("workgroup.joined", outsider.pk, None)]
    assert notifications() == sorted([(manager.pk, "workgroup.joined"), (co_manager.pk, "workgroup.joined")])
    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.ACCEPTED  # settled by the membership
    assert permissions.can_post(outsider, workgroup) is True  # same object: roles refreshed


def test_a_coordinator_may_join_an_open_group(group, coordinator):
    services.workgroup_join(actor=coordinator, workgroup=group)
    assert Membership.objects.filter(workgroup=group, user=coordinator, role="member").exists()


def test_joining_is_for_approved_members(group, pending_user):
    with refused(PermissionDenied, "Only approved members of the network can do this."):
        services.workgroup_join(actor=pending_user, workgroup=group)


def test_joining_a_secret_group_gives_no_hint_it_exists(make_group, outsider, member):
    secret = make_group(visibility="secret", name="Cellule de crise")
    proposed = make_group(status="pending", name="Projet en attente")
    with refused(PermissionDenied, "You cannot join this group.") as secret_error:
        services.workgroup_join(actor=outsider, workgroup=secret)
    with refused(PermissionDenied, "You cannot join this group.") as unseen_error:
        services.workgroup_join(actor=outsider, workgroup=proposed)
    assert str(secret_error.value) == str(unseen_error.value)
    assert "Cellule" not in str(secret_error.value)


@pytest.mark.parametrize(
    "visibility,policy", [("public", "request"), ("private", "invitation"), ("public", "invitation")]
)
def test_joining_a_group_that_is_not_open(visibility, policy, make_group, outsider):
    workgroup = make_group(visibility=visibility, join_policy=policy)
    with refused(PermissionDenied, "This group is not open: ask to join it, or wait for an invitation."):
        services.workgroup_join(actor=outsider, workgroup=workgroup)


def test_joining_twice(group, member):
    with refused(ValidationError, "You are already a member of this group."):
        services.workgroup_join(actor=member, workgroup=group)


@pytest.mark.parametrize("archive", ["by_hand", "end_date"])
def test_joining_an_archived_group(archive, make_group, outsider):
    values = {"archived_at": timezone.now()} if archive == "by_hand" else {"end_date": yesterday()}
    workgroup = make_group(**values)
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.workgroup_join(actor=outsider, workgroup=workgroup)


def test_joining_a_group_waiting_for_approval_one_may_see(proposed, referent):
    with refused(ValidationError, "This group is not open: it is waiting for approval or was refused."):
        services.workgroup_join(actor=referent, workgroup=proposed)


# --- join_request_create / cancel -----------------------------------------------------------------


@pytest.fixture
def on_request(make_group, co_manager):
    workgroup = make_group(visibility="private", join_policy="request", name="Fablab")
    MembershipFactory(workgroup=workgroup, user=co_manager, role="manager")
    return workgroup


def test_join_request_create(on_request, outsider, manager, co_manager):
    join_request = services.join_request_create(actor=outsider, workgroup=on_request, message="  J'anime un fablab. ")

    saved = JoinRequest.objects.get(pk=join_request.pk)
    assert (saved.workgroup, saved.user, saved.status) == (on_request, outsider, JoinRequest.Status.PENDING)
    assert saved.message == "J'anime un fablab."
    assert not Membership.objects.filter(workgroup=on_request, user=outsider).exists()
    assert activities(on_request) == [("workgroup.join_requested", outsider.pk, None)]
    assert notifications() == sorted([(manager.pk, "workgroup.join_requested"),
                                      (co_manager.pk, "workgroup.join_requested")])
    assert set(Notification.objects.values_list("url", flat=True)) == {on_request.get_absolute_url() + "membres/"}


def test_join_request_create_is_for_approved_members(on_request, pending_user):
    with refused(PermissionDenied, "Only approved members of the network can do this."):
        services.join_request_create(actor=pending_user, workgroup=on_request)


@pytest.mark.parametrize("policy", ["open", "invitation"])
def test_asking_to_join_a_group_that_takes_no_requests(policy, make_group, outsider):
    workgroup = make_group(join_policy=policy)
    with refused(PermissionDenied, "This group does not take requests to join."):
        services.join_request_create(actor=outsider, workgroup=workgroup)


def test_asking_to_join_a_secret_group(make_group, outsider):
    workgroup = make_group(visibility="secret")
    with refused(PermissionDenied, "You cannot join this group."):
        services.join_request_create(actor=outsider, workgroup=workgroup)


def test_asking_twice(on_request, outsider):
    services.join_request_create(actor=outsider, workgroup=on_request)
    with refused(ValidationError, "You have already asked to join this group: the managers will answer."):
        services.join_request_create(actor=outsider, workgroup=on_request, message="Encore moi")


def test_a_member_does_not_ask(on_request, member):
    with refused(ValidationError, "You are already a member of this group."):
        services.join_request_create(actor=member, workgroup=on_request)


def test_a_request_message_has_a_limit(on_request, outsider):
    with refused(ValidationError, "The message is too long (1000 characters at most).", "message"):
        services.join_request_create(actor=outsider, workgroup=on_request, message="x" * 1001)


def test_asking_to_join_an_archived_group(make_group, outsider):
    workgroup = make_group(join_policy="request", archived_at=timezone.now())
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.join_request_create(actor=outsider, workgroup=workgroup)


def test_join_request_cancel(on_request, outsider):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)

    services.join_request_cancel(actor=outsider, join_request=join_request)

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.CANCELLED
    assert join_request.decided_by == outsider
    assert join_request.decided_at is not None
    assert Activity.objects.count() == 0
    assert notifications() == []
    # Asking again is possible once withdrawn.
    services.join_request_create(actor=outsider, workgroup=on_request)
    assert JoinRequest.objects.filter(workgroup=on_request, user=outsider, status="pending").count() == 1


def test_only_the_requester_cancels(on_request, outsider, manager):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)
    with refused(PermissionDenied, "This request is not yours."):
        services.join_request_cancel(actor=manager, join_request=join_request)


@pytest.mark.parametrize("status", ["cancelled", "accepted", "refused"])
def test_cancelling_an_answered_request(status, on_request, outsider):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider, status=status)
    with refused(ValidationError, "This request was already answered."):
        services.join_request_cancel(actor=outsider, join_request=join_request)


# --- join_request_accept / refuse -------------------------------------------------------------------


@pytest.mark.parametrize("decider", ["manager", "coordinator"])
def test_join_request_accept(decider, on_request, outsider, request):
    actor = request.getfixturevalue(decider)
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)

    services.join_request_accept(actor=actor, join_request=join_request, response=" Bienvenue ! ")

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.ACCEPTED
    assert (join_request.decided_by, join_request.response) == (actor, "Bienvenue !")
    assert Membership.objects.get(workgroup=on_request, user=outsider).role == Membership.Role.MEMBER
    [entry] = Activity.objects.filter(space_id=on_request.space_id)
    assert (entry.verb, entry.actor_id) == ("workgroup.request_accepted", actor.pk)
    assert entry.data == {"subject": "Odile Martin", "subject_id": outsider.pk, "response": "Bienvenue !"}
    assert notifications() == [(outsider.pk, "workgroup.request_accepted")]
    assert permissions.can_view_content(fresh(outsider), on_request) is True


def test_join_request_refuse(on_request, outsider, manager):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)

    services.join_request_refuse(actor=manager, join_request=join_request)

    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by, join_request.response) == ("refused", manager, "")
    assert not Membership.objects.filter(workgroup=on_request, user=outsider).exists()
    assert activities(on_request) == [("workgroup.request_refused", manager.pk, "Odile Martin")]
    assert Activity.objects.get().data == {"subject": "Odile Martin", "subject_id": outsider.pk}
    assert notifications() == [(outsider.pk, "workgroup.request_refused")]
    # Asking again is possible after a refusal.
    services.join_request_create(actor=outsider, workgroup=on_request)


@pytest.mark.parametrize("who", ["member", "outsider", "referent"])
@pytest.mark.parametrize("service", [services.join_request_accept, services.join_request_refuse])
def test_answering_requests_is_for_managers(who, service, on_request, outsider, request):
    actor = request.getfixturevalue(who)
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)
    with refused(PermissionDenied, "Only the managers of the group can answer requests."):
        service(actor=actor, join_request=join_request)


@pytest.mark.parametrize("status", ["accepted", "refused", "cancelled"])
@pytest.mark.parametrize("service", [services.join_request_accept, services.join_request_refuse])
def test_a_request_is_answered_once(status, service, on_request, outsider, manager):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider, status=status)
    with refused(ValidationError, "This request was already answered."):
        service(actor=manager, join_request=join_request)


def test_a_request_settled_by_an_invitation_is_not_answered_again(on_request, outsider, manager, co_manager):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)
    invitation = services.invitation_create(actor=co_manager, workgroup=on_request, invitee=outsider)
    services.invitation_accept(actor=outsider, invitation=invitation)
    with refused(ValidationError, "This request was already answered."):
        services.join_request_accept(actor=manager, join_request=join_request)
    assert Membership.objects.filter(workgroup=on_request, user=outsider).count() == 1


@pytest.mark.parametrize("service", [services.join_request_accept, services.join_request_refuse])
def test_an_answer_has_a_limit(service, on_request, outsider, manager):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)
    with refused(ValidationError, "The answer is too long (1000 characters at most).", "response"):
        service(actor=manager, join_request=join_request, response="x" * 1001)


def test_accepting_a_request_to_an_archived_group(make_group, outsider, manager):
    workgroup = make_group(join_policy="request", end_date=yesterday())
    join_request = JoinRequestFactory(workgroup=workgroup, user=outsider)
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.join_request_accept(actor=manager, join_request=join_request)


# --- invitation_create ----------------------------------------------------------------------------


def test_invitation_create_to_a_secret_group(make_group, manager, outsider):
    secret = make_group(visibility="secret")
    assert permissions.can_see(fresh(outsider), secret) is False
    before = timezone.now()

    invitation = services.invitation_create(actor=manager, workgroup=secret, invitee=outsider, message=" Viens ! ")

    saved = GroupInvitation.objects.get(pk=invitation.pk)
    assert (saved.workgroup, saved.user, saved.invited_by, saved.status) == (secret, outsider, manager, "pending")
    assert saved.message == "Viens !"
    assert before <= saved.created_at <= timezone.now()
    assert saved.expires_at == saved.created_at + timedelta(days=14)
    assert activities(secret) == [("workgroup.invited", manager.pk, "Odile Martin")]
    assert notifications() == [(outsider.pk, "workgroup.invited")]
    assert permissions.can_see(fresh(outsider), secret) is True
    assert permissions.can_view_content(fresh(outsider), secret) is False


@pytest.mark.parametrize("policy", ["open", "request"])
def test_a_member_invites_to_a_group_one_may_join(policy, make_group, member, outsider):
    workgroup = make_group(join_policy=policy)
    services.invitation_create(actor=member, workgroup=workgroup, invitee=outsider)
    assert GroupInvitation.objects.get(workgroup=workgroup).invited_by == member


@pytest.mark.parametrize("visibility,policy", [("secret", "invitation"), ("private", "invitation")])
def test_only_managers_invite_to_an_invitation_only_group(visibility, policy, make_group, member, outsider):
    workgroup = make_group(visibility=visibility, join_policy=policy)
    with refused(PermissionDenied, "You cannot invite people to this group."):
        services.invitation_create(actor=member, workgroup=workgroup, invitee=outsider)


@pytest.mark.parametrize("who", ["outsider", "referent", "pending_user"])
def test_outsiders_do_not_invite(who, group, request, co_manager):
    actor = request.getfixturevalue(who)
    with refused(PermissionDenied, "You cannot invite people to this group."):
        services.invitation_create(actor=actor, workgroup=group, invitee=co_manager)


def test_nobody_invites_to_a_group_waiting_for_approval(proposed, member, outsider):
    """The invitee could neither see the group (404) nor join it: nothing is sent."""
    with refused(PermissionDenied, "You cannot invite people to this group."):
        services.invitation_create(actor=member, workgroup=proposed, invitee=outsider)


def test_inviting_twice(group, manager, outsider):
    services.invitation_create(actor=manager, workgroup=group, invitee=outsider)
    with refused(ValidationError, "Odile Martin is already invited to this group.", "invitee"):
        services.invitation_create(actor=manager, workgroup=group, invitee=outsider)
    assert GroupInvitation.objects.filter(user=outsider).count() == 1


def test_inviting_a_member(group, manager, member):
    with refused(ValidationError, "Karim Benali is already a member of this group.", "invitee"):
        services.invitation_create(actor=manager, workgroup=group, invitee=member)


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.REFUSED])
def test_inviting_someone_not_approved(status, group, manager, territory):
    invitee = UserFactory(territory=territory, status=status)
    with refused(ValidationError, "Only approved members of the network can be invited.", "invitee"):
        services.invitation_create(actor=manager, workgroup=group, invitee=invitee)


def test_an_invitation_message_has_a_limit(group, manager, outsider):
    with refused(ValidationError, "The message is too long (1000 characters at most).", "message"):
        services.invitation_create(actor=manager, workgroup=group, invitee=outsider, message="x" * 1001)


def test_inviting_to_an_archived_group(make_group, manager, outsider):
    workgroup = make_group(archived_at=timezone.now())
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.invitation_create(actor=manager, workgroup=workgroup, invitee=outsider)


def test_an_expired_invitation_gives_way_to_a_new_one(group, manager, outsider):
    old = GroupInvitationFactory(workgroup=group, user=outsider, invited_by=manager,
                                 expires_at=timezone.now() - timedelta(minutes=1))

    new = services.invitation_create(actor=manager, workgroup=group, invitee=outsider)

    old.refresh_from_db()
    assert old.status == GroupInvitation.Status.EXPIRED
    assert new.status == GroupInvitation.Status.PENDING
    assert new.expires_at > timezone.now() + timedelta(days=13)
    assert activities(group) == [("workgroup.invited", manager.pk, "Odile Martin")]
    assert notifications() == [(outsider.pk, "workgroup.invited")]


# --- invitation_accept / decline / revoke -----------------------------------------------------------


@pytest.fixture
def secret(make_group):
    return make_group(visibility="secret", name="Cellule de crise")


@pytest.fixture
def invitation(secret, manager, outsider):
    return GroupInvitationFactory(workgroup=secret, user=outsider, invited_by=manager)


def test_invitation_accept(invitation, secret, outsider, manager):
    membership = services.invitation_accept(actor=outsider, invitation=invitation)

    assert (membership.workgroup, membership.user, membership.role) == (secret, outsider, "member")
    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.ACCEPTED
    assert invitation.decided_at is not None
    assert activities(secret) == [("workgroup.joined", outsider.pk, None)]
    assert notifications() == [(manager.pk, "workgroup.invitation_accepted")]
    assert permissions.can_view_content(outsider, secret) is True


def test_accepting_an_invitation_settles_a_pending_request(on_request, co_manager, outsider):
    join_request = JoinRequestFactory(workgroup=on_request, user=outsider)
    invitation = GroupInvitationFactory(workgroup=on_request, user=outsider, invited_by=co_manager)
    services.invitation_accept(actor=outsider, invitation=invitation)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.ACCEPTED


def test_only_the_invitee_accepts(invitation, member, manager):
    for actor in (member, manager):
        with refused(PermissionDenied, "This invitation is not yours."):
            services.invitation_accept(actor=actor, invitation=invitation)


def test_an_invitee_no_longer_approved_cannot_accept(invitation, outsider):
    User.objects.filter(pk=outsider.pk).update(status=User.Status.REFUSED)
    with refused(PermissionDenied, "Only approved members of the network can do this."):
        services.invitation_accept(actor=fresh(outsider), invitation=invitation)


def test_accepting_an_expired_invitation_then_a_new_one(invitation, secret, outsider, manager):
    GroupInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    invitation.refresh_from_db()
    assert invitation.is_expired

    with refused(ValidationError, "This invitation has expired: ask a manager of the group for a new one."):
        services.invitation_accept(actor=outsider, invitation=invitation)

    renewed = services.invitation_create(actor=manager, workgroup=secret, invitee=outsider)
    services.invitation_accept(actor=outsider, invitation=renewed)
    assert Membership.objects.filter(workgroup=secret, user=outsider).count() == 1
    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.EXPIRED


@pytest.mark.parametrize("status", ["accepted", "declined", "revoked", "expired"])
def test_accepting_an_invitation_no_longer_open(status, invitation, outsider):
    GroupInvitation.objects.filter(pk=invitation.pk).update(status=status)
    invitation.refresh_from_db()
    with refused(ValidationError, "This invitation is no longer open."):
        services.invitation_accept(actor=outsider, invitation=invitation)


def test_accepting_an_invitation_to_a_group_archived_since(invitation, secret, outsider):
    Workgroup.objects.filter(pk=secret.pk).update(archived_at=timezone.now())
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.invitation_accept(actor=outsider, invitation=invitation)


def test_invitation_decline(invitation, secret, outsider, manager):
    services.invitation_decline(actor=outsider, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.DECLINED
    assert invitation.decided_at is not None
    assert not Membership.objects.filter(user=outsider).exists()
    assert activities(secret) == [("workgroup.invitation_declined", outsider.pk, None)]
    assert notifications() == [(manager.pk, "workgroup.invitation_declined")]
    assert permissions.can_see(fresh(outsider), secret) is False  # the secret is kept again


def test_only_the_invitee_declines(invitation, member):
    with refused(PermissionDenied, "This invitation is not yours."):
        services.invitation_decline(actor=member, invitation=invitation)


def test_declining_twice(invitation, outsider):
    services.invitation_decline(actor=outsider, invitation=invitation)
    invitation.refresh_from_db()
    with refused(ValidationError, "This invitation is no longer open."):
        services.invitation_decline(actor=outsider, invitation=invitation)


def test_declining_an_expired_invitation(invitation, outsider):
    GroupInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    invitation.refresh_from_db()
    with refused(ValidationError, "This invitation has expired: ask a manager of the group for a new one."):
        services.invitation_decline(actor=outsider, invitation=invitation)


def test_invitation_revoke(invitation, secret, outsider, co_manager):
    MembershipFactory(workgroup=secret, user=co_manager, role="manager")

    services.invitation_revoke(actor=co_manager, invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.REVOKED
    assert invitation.decided_at is not None
    assert activities(secret) == [("workgroup.invitation_revoked", co_manager.pk, "Odile Martin")]
    assert notifications() == [(outsider.pk, "workgroup.invitation_revoked")]
    assert permissions.can_see(fresh(outsider), secret) is False


def test_the_inviter_withdraws_their_own_invitation(group, member, outsider):
    invitation = services.invitation_create(actor=member, workgroup=group, invitee=outsider)
    services.invitation_revoke(actor=member, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.REVOKED


def test_revoking_is_for_managers_and_the_inviter(group, manager, member, co_manager, outsider):
    MembershipFactory(workgroup=group, user=co_manager)
    invitation = GroupInvitationFactory(workgroup=group, user=outsider, invited_by=manager)
    for actor in (member, co_manager, outsider):
        with refused(PermissionDenied,
                     "Only the managers of the group or the person who invited can withdraw an invitation."):
            services.invitation_revoke(actor=actor, invitation=invitation)


@pytest.mark.parametrize("status", ["accepted", "declined", "revoked"])
def test_revoking_an_invitation_no_longer_open(status, invitation, manager):
    GroupInvitation.objects.filter(pk=invitation.pk).update(status=status)
    invitation.refresh_from_db()
    with refused(ValidationError, "This invitation is no longer open."):
        services.invitation_revoke(actor=manager, invitation=invitation)


# --- membership_leave ---------------------------------------------------------------------------------


def test_a_member_leaves(make_group, manager, member):
    workgroup = make_group(visibility="private")
    assert permissions.can_view_content(member, workgroup) is True

    services.membership_leave(actor=member, workgroup=workgroup)

    assert not Membership.objects.filter(workgroup=workgroup, user=member).exists()
    assert activities(workgroup) == [("workgroup.left", member.pk, None)]
    assert notifications() == [(manager.pk, "workgroup.left")]
    assert permissions.can_view_content(member, workgroup) is False  # same object: roles refreshed


def test_one_of_two_managers_leaves_without_successor(group, manager, co_manager, member):
    MembershipFactory(workgroup=group, user=co_manager, role="manager")

    services.membership_leave(actor=manager, workgroup=group, successor=member)  # no successor needed

    assert sorted(Membership.objects.filter(workgroup=group).values_list("user_id", "role")) == sorted(
        [(co_manager.pk, "manager"), (member.pk, "member")]
    )
    assert activities(group) == [("workgroup.left", manager.pk, None)]
    assert notifications() == [(co_manager.pk, "workgroup.left")]


def test_the_last_manager_leaves_with_a_successor(group, manager, member):
    services.membership_leave(actor=manager, workgroup=group, successor=member)

    assert list(Membership.objects.filter(workgroup=group).values_list("user_id", "role")) == [(member.pk, "manager")]
    assert activities(group) == [
        ("workgroup.manager_promoted", manager.pk, "Karim Benali"),
        ("workgroup.left", manager.pk, None),
    ]
    assert notifications() == sorted([(member.pk, "workgroup.promoted"), (member.pk, "workgroup.left")])
    assert permissions.can_manage(fresh(member), group) is True


def test_the_last_manager_cannot_leave_without_successor(group, manager):
    with refused(ValidationError, "You are the last manager: name another member as manager before leaving.",
                 "successor"):
        services.membership_leave(actor=manager, workgroup=group)


def test_the_last_manager_cannot_name_themself(group, manager):
    with refused(ValidationError, "Name another member than yourself.", "successor"):
        services.membership_leave(actor=manager, workgroup=group, successor=manager)


def test_the_successor_must_be_a_member(group, manager, outsider):
    with refused(ValidationError, "Odile Martin is not a member of this group."):
        services.membership_leave(actor=manager, workgroup=group, successor=outsider)


@pytest.mark.parametrize("account", [{"is_active": False}, {"status": User.Status.REFUSED}], ids=["closed", "refused"])
def test_the_successor_must_be_able_to_manage(account, group, manager, territory):
    """A successor whose account is closed or refused could not manage: the group would be left without one."""
    heir = UserFactory(territory=territory, display_name="Jean Fermé", **account)
    MembershipFactory(workgroup=group, user=heir)
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.membership_leave(actor=manager, workgroup=group, successor=heir)
    assert list(excinfo.value.message_dict) == ["successor"]


def test_leaving_a_group_one_is_not_in(group, outsider):
    with refused(ValidationError, "Odile Martin is not a member of this group."):
        services.membership_leave(actor=outsider, workgroup=group)


def test_leaving_is_for_approved_members(group, territory):
    suspended = UserFactory(territory=territory, status=User.Status.PENDING)
    MembershipFactory(workgroup=group, user=suspended)
    with refused(PermissionDenied, "Only approved members of the network can do this."):
        services.membership_leave(actor=suspended, workgroup=group)


# --- membership_remove -----------------------------------------------------------------------------


def test_membership_remove(make_group, manager, member):
    workgroup = make_group(visibility="private")

    services.membership_remove(actor=manager, workgroup=workgroup, member=member)

    assert not Membership.objects.filter(workgroup=workgroup, user=member).exists()
    assert activities(workgroup) == [("workgroup.member_removed", manager.pk, "Karim Benali")]
    assert notifications() == [(member.pk, "workgroup.removed")]
    assert permissions.can_view_content(fresh(member), workgroup) is False


def test_a_coordinator_removes_one_of_two_managers(group, manager, co_manager, coordinator):
    MembershipFactory(workgroup=group, user=co_manager, role="manager")
    services.membership_remove(actor=coordinator, workgroup=group, member=manager)
    assert not Membership.objects.filter(workgroup=group, user=manager).exists()
    assert notifications() == [(manager.pk, "workgroup.removed")]


@pytest.mark.parametrize("who", ["member", "outsider", "referent"])
def test_removing_is_for_managers(who, group, co_manager, request):
    actor = request.getfixturevalue(who)
    MembershipFactory(workgroup=group, user=co_manager)
    with refused(PermissionDenied, "Only the managers of the group can remove members."):
        services.membership_remove(actor=actor, workgroup=group, member=co_manager)


def test_removing_oneself(group, manager, co_manager):
    MembershipFactory(workgroup=group, user=co_manager, role="manager")
    with refused(ValidationError, "To leave the group, use \u201cLeave the group\u201d."):
        services.membership_remove(actor=manager, workgroup=group, member=manager)


def test_removing_someone_not_in_the_group(group, manager, outsider):
    with refused(ValidationError, "Odile Martin is not a member of this group."):
        services.membership_remove(actor=manager, workgroup=group, member=outsider)


def test_the_last_manager_cannot_be_removed(group, manager, coordinator):
    with refused(ValidationError, "Aline Roux is the last manager of the group: name another manager first."):
        services.membership_remove(actor=coordinator, workgroup=group, member=manager)


def test_removing_a_member_of_an_archived_group(make_group, manager, member):
    workgroup = make_group(archived_at=timezone.now())
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.membership_remove(actor=manager, workgroup=workgroup, member=member)


# --- membership_set_role ---------------------------------------------------------------------------


def test_promoting_a_member(group, manager, member):
    membership = services.membership_set_role(actor=manager, workgroup=group, member=member, role="manager")

    assert membership.role == Membership.Role.MANAGER
    assert Membership.objects.get(workgroup=group, user=member).role == "manager"
    assert activities(group) == [("workgroup.manager_promoted", manager.pk, "Karim Benali")]
    assert notifications() == [(member.pk, "workgroup.promoted")]
    assert permissions.can_manage(fresh(member), group) is True


def test_demoting_one_of_two_managers(group, manager, co_manager):
    MembershipFactory(workgroup=group, user=co_manager, role="manager")

    services.membership_set_role(actor=manager, workgroup=group, member=co_manager, role="member")

    assert Membership.objects.get(workgroup=group, user=co_manager).role == "member"
    assert activities(group) == [("workgroup.manager_demoted", manager.pk, "Bruno Vidal")]
    assert notifications() == [(co_manager.pk, "workgroup.demoted")]


def test_a_manager_steps_down_when_another_remains(group, manager, co_manager):
    MembershipFactory(workgroup=group, user=co_manager, role="manager")
    services.membership_set_role(actor=manager, workgroup=group, member=manager, role="member")
    assert Membership.objects.get(workgroup=group, user=manager).role == "member"
    assert notifications() == []  # one is not notified of one's own act


def test_setting_the_role_one_has_changes_nothing(group, manager, member):
    with nothing_saved():
        services.membership_set_role(actor=manager, workgroup=group, member=member, role="member")


@pytest.mark.parametrize("who", ["member", "outsider", "referent"])
def test_roles_are_for_managers(who, group, co_manager, request):
    actor = request.getfixturevalue(who)
    MembershipFactory(workgroup=group, user=co_manager)
    with refused(PermissionDenied, "Only the managers of the group can change roles."):
        services.membership_set_role(actor=actor, workgroup=group, member=co_manager,
                                     role="manager")


def test_an_unknown_role(group, manager, member):
    with refused(ValidationError, "Choose a role from the list.", "role"):
        services.membership_set_role(actor=manager, workgroup=group, member=member, role="owner")


@pytest.mark.parametrize("actor", ["manager", "coordinator"])
def test_the_last_manager_cannot_be_demoted(actor, group, manager, request):
    actor = request.getfixturevalue(actor)
    with refused(ValidationError, "Aline Roux is the last manager of the group: name another manager first."):
        services.membership_set_role(actor=actor, workgroup=group, member=manager,
                                     role="member")


def test_roles_of_someone_not_in_the_group(group, manager, outsider):
    with refused(ValidationError, "Odile Martin is not a member of this group."):
        services.membership_set_role(actor=manager, workgroup=group, member=outsider, role="manager")


def test_roles_in_an_archived_group(make_group, manager, member):
    workgroup = make_group(end_date=yesterday())
    with refused(ValidationError, "This group is archived: it is read-only. Its managers can reopen it."):
        services.membership_set_role(actor=manager, workgroup=workgroup, member=member, role="manager")
