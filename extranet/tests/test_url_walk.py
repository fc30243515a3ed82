"""The URL walk: every route of the project, requested as every kind of visitor.

The resolver is walked recursively. Each route whose view lives in one of the project's
apps must have an entry in EXPECTATIONS (keyed by its namespaced name) saying how to
build its arguments and what each persona gets; the build fails when a route has no
entry, or when an entry names a route that no longer exists. Third-party URL trees are
declared once, by prefix, in THIRD_PARTY, each with one representative URL that is
requested too.

Personas: anonymous visitor, pending member, member (animateur) and coordinator (the
network's staff). Routes of the Wagtail admin also name the site editor; routes of a
workgroup also name its manager and a plain member of it ("insider"; the "member"
persona is a member of the network outside the group).

An expected value is a status code or a Redirect (302 to a target starting with a prefix,
or equal to it).
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from calendar_app.models import Attendee as CalendarAttendee
from calendar_app.models import EventAttachment, FeedToken, HiddenCalendar
from chat import services as chat_services
from chat.models import Attachment as ChatAttachment
from chat.models import Message as ChatMessage
from chat.models import Preference as ChatPreference
from chat.models import Reaction as ChatReaction
from chat.models import Room as ChatRoom
from chat.models import RoomMember as ChatRoomMember
from core.models import Notification, Space
from directory import services as venue_services
from directory.models import Venue, VenueRevision
from extranet.models import DashboardLayout
from extranet.testing.assertions import png
from extranet.testing.factories import (
    AttendeeFactory,
    CoordinatorFactory,
    DemandFactory,
    EventFactory,
    ItemFactory,
    KitFactory,
    OrganisationFactory,
    PendingUserFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    RegistrationFactory,
    ResourceFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
    WorkshopFactory,
    drive_of,
    network_calendar,
    reservation_make,
    resource_file_make,
    root_of,
)
from extranet.testing.shared import building, shared_transaction
from files import services as file_services
from files.content import make_thumbnail
from files.models import Drive
from files.models import File as SpaceFile
from files.models import Folder as SpaceFolder
from forum import services as forum_services
from forum.models import (
    Category,
    CategoryRead,
    CategorySubscription,
    Level,
    Post,
    PostRevision,
    Report,
    Topic,
    TopicSubscription,
)
from lending.models import Category as EquipmentCategory
from lending.models import DamagePhoto, Item, ItemEvent, ItemPhoto, Kit, Reservation
from mediation.models import ActivityRecord, Programme, ReportShare, Settlement, Voucher, VoucherUse
from members.models import Follow, Invitation, Territory, User, hash_token
from members.spaces import network_space
from resources.models import Collection as ResourceCollection
from resources.models import Rating as ResourceRating
from resources.models import Report as ResourceReport
from resources.models import Resource, WorkshopKit
from workgroups import services as workgroup_services
from workgroups.models import GroupInvitation, JoinRequest, Membership, Workgroup
from workshops.models import Demand as WorkshopDemand
from workshops.models import DemandVote as WorkshopDemandVote
from workshops.models import Registration as WorkshopRegistration
from workshops.models import Workshop

PROJECT_MODULES = (
    "extranet.", "members.", "directory.", "website.", "workgroups.", "forum.", "chat.",
    "calendar_app.", "workshops.", "mediation.", "lending.", "files.", "resources.", "visio.",
)
PERSONAS = ("anonymous", "pending", "member", "coordinator")


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with `prefix` (or equals it, when `exact`)."""

    prefix: str
    exact: bool = False


LOGIN = Redirect("/compte/login/?next=")
WAITING = Redirect("/bureau/en-attente/", exact=True)
DESK = Redirect("/bureau/", exact=True)
# Wagtail sends to its login URL, which is allauth's (WAGTAILADMIN_LOGIN_URL).
CMS_LOGIN = Redirect("/compte/login/?next=")
CMS_HOME = Redirect("/cms/", exact=True)


def _desk(member=200, coordinator=200):
    """A GET page of the desk: the middleware keeps out visitors and pending members."""
    return {"anonymous": LOGIN, "pending": WAITING, "member": member, "coordinator": coordinator}


@dataclass
class Expect:
    get: dict
    kwargs: Callable = field(default=lambda w: {})
    # What each persona *not* allowed to act gets when it POSTs (`post_data`), and a
    # snapshot of the state the POST must leave unchanged. POST-only routes must have it.
    post_denied: dict | None = None
    state: Callable | None = None
    post_data: Callable = field(default=lambda w: {})
    extra_personas: tuple = ()


def _notification_state(w):
    return Notification.objects.filter(pk=w.notification.pk).values_list("read_at", flat=True).get()


def _unread_state(w):
    return sorted(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True))


def _pending_state(w):
    return User.objects.filter(pk=w.pending.pk).values_list("status", "status_changed_by").get()


def _invitation_state(w):
    return Invitation.objects.filter(pk=w.invitation.pk).values_list("revoked_at", "accepted_at").get()


def _invitation_link_state(w):
    return Invitation.objects.filter(pk=w.invitation.pk).values_list("token_hash", "expires_at").get()


def _invitations_state(w):
    return sorted(Invitation.objects.values_list("pk", "email", "revoked_at", "accepted_at"))


def _roles_state(w):
    member = User.objects.get(pk=w.member.pk)
    return member.is_coordinator, sorted(member.referent_territories.values_list("pk", flat=True))


def _venue_state(w):
    venue = Venue.objects.filter(pk=w.shared_venue.pk).values_list("name", "phone", "summary", "updated_at").get()
    return venue, VenueRevision.objects.count()


def _territory_state(w):
    return Territory.objects.filter(pk=w.territory.pk).values_list("name", "slug", "kind", "description").get()


def _venue_count_state(w):
    return Venue.objects.count(), VenueRevision.objects.count()


def _layouts_state(w):
    return sorted(DashboardLayout.objects.values_list("user_id", "order", "hidden"))


def _follows_state(w):
    return sorted(Follow.objects.values_list("follower_id", "followed_id"))


def _memberships_state(w):
    return sorted(Membership.objects.filter(workgroup=w.group).values_list("user_id", "role"))


def _join_requests_state(w):
    return sorted(JoinRequest.objects.filter(workgroup=w.group).values_list("pk", "user_id", "status"))


def _group_invitations_state(w):
    return sorted(GroupInvitation.objects.filter(workgroup=w.group).values_list("pk", "user_id", "status"))


def _group_state(w):
    return Workgroup.objects.filter(pk=w.group.pk).values_list(
        "status", "archived_at", "end_date", "name", "visibility").get()


def _request_decision_state(w):
    return _join_requests_state(w), _memberships_state(w)


def _invitation_decision_state(w):
    return _group_invitations_state(w), _memberships_state(w)


def _accounts_state(w):
    return sorted(User.objects.values_list("pk", "email")), _invitation_state(w)


GROUP_PERSONAS = ("manager", "insider")
BACK_TO_GROUP = Redirect("/bureau/groupes/")  # the group's page, with a message


def _group(member=200, coordinator=200, manager=200, insider=200):
    """A desk page of a workgroup (the private group of the world, on request)."""
    return {"anonymous": LOGIN, "pending": WAITING, "member": member, "coordinator": coordinator,
            "manager": manager, "insider": insider}


def _group_post(**denied):
    """A POST-only route of a workgroup: who is refused (and how), besides visitors."""
    return {"anonymous": LOGIN, "pending": WAITING, **denied}


_G = {"kwargs": lambda w: {"pk": w.group.pk}, "extra_personas": GROUP_PERSONAS}
_POST_ONLY = _group(405, 405, 405, 405)


# --- The forum's world (see the `world` fixture): a category of the network space where
# "member" opened a topic (w.forum_topic, w.forum_post) and someone outside the personas
# replied (w.forum_reply); a category of the private group (w.group_category) where
# "insider" opened a topic with a file, edited once (w.group_topic, w.group_post,
# w.forum_attachment), its manager replied (w.group_reply) and "insider" reported that
# reply (w.forum_report). "member", outside the group, gets a 404 on all of it; the
# coordinator and the group's manager moderate it; the coordinator, not a member of the
# group, may not write in it.
TO_TOPIC = Redirect("/bureau/forum/sujet/")


def _forum_categories_state(w):
    return sorted(Category.objects.values_list("pk", "space_id", "name", "description", "position",
                                               "managers_only_topics"))


def _forum_topics_state(w):
    return sorted(Topic.objects.values_list("pk", "category_id", "title", "pinned", "locked", "deleted_at",
                                            "last_number", "reply_count"))


def _forum_posts_state(w):
    posts = sorted(Post.objects.values_list("pk", "topic_id", "number", "body", "edited_at", "deleted_at",
                                            "hidden_at"))
    return posts, PostRevision.objects.count()


def _forum_edit_state(w):
    return _forum_topics_state(w), _forum_posts_state(w)


def _forum_reports_state(w):
    return sorted(Report.objects.values_list("pk", "post_id", "reporter_id", "status", "resolved_by_id",
                                             "resolved_at")), _forum_posts_state(w)


def _forum_category_reads_state(w):
    return sorted(CategoryRead.objects.values_list("user_id", "category_id", "read_at"))


def _forum_category_subscriptions_state(w):
    return sorted(CategorySubscription.objects.values_list("user_id", "category_id", "level"))


def _forum_topic_subscriptions_state(w):
    return sorted(TopicSubscription.objects.values_list("user_id", "topic_id", "level"))


_F = {"extra_personas": GROUP_PERSONAS}
_GROUP_CATEGORY = {"kwargs": lambda w: {"pk": w.group_category.pk}, **_F}
_GROUP_TOPIC = {"kwargs": lambda w: {"pk": w.group_topic.pk}, **_F}
# --- The chat's world (see the `world` fixture): the room of the private group
# (w.chat_room), where "insider" wrote a message with a file (w.chat_message,
# w.chat_attachment) and its manager replied (w.chat_reply); and a direct conversation of
# "member" with someone outside the personas (w.chat_direct). "member", outside the group,
# gets a 404 on all of the group's room; the coordinator reads and moderates it but may not
# write in it; the others' direct conversation is a 404 for everyone but its participants.
TO_ROOM = Redirect("/bureau/discussions/salon/")


def _chat_messages_state(w):
    messages = sorted(ChatMessage.objects.values_list("pk", "room_id", "author_id", "body", "html", "edited_at",
                                                      "deleted_at", "deleted_by_id", "reply_to_id"))
    return messages, sorted(ChatAttachment.objects.values_list("pk", "message_id"))


def _chat_reads_state(w):
    return sorted(ChatRoomMember.objects.values_list("room_id", "user_id", "is_participant", "last_read_id"))


def _chat_reactions_state(w):
    return sorted(ChatReaction.objects.values_list("message_id", "user_id", "emoji"))


def _chat_rooms_state(w):
    rooms = sorted(ChatRoom.objects.values_list("pk", "kind", "space_id", "direct_key"))
    return rooms, _chat_reads_state(w)


def _chat_preferences_state(w):
    return sorted(ChatPreference.objects.values_list("user_id", "share_presence", "share_typing"))


_GROUP_ROOM = {"kwargs": lambda w: {"pk": w.chat_room.pk}, **_F}
_CHAT_MESSAGE = {"kwargs": lambda w: {"pk": w.chat_message.pk}, **_F}
_CMS_VENUES = {"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN, "coordinator": 200, "editor": CMS_HOME}
_CMS_VENUES_DENIED = {"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN, "editor": CMS_HOME}

# --- The workshops' world (see the `world` fixture): a scheduled staff workshop proposed by
# someone outside the personas (w.workshop), its session next week at the shared venue led by
# "insider" (w.ws_session, w.ws_date), a proposal still waiting (w.ws_proposal: "member" gets a
# 404), a public workshop with a session and a visitor's registration (w.ws_public,
# w.ws_public_session, w.ws_visitor), and a demand (w.ws_demand). "member" sees the workshop but
# manages nothing: 403 with the reason on the managers' and hosts' pages.
TO_SESSION = Redirect("/bureau/ateliers/sessions/")


def _workshops_state(w):
    return sorted(Workshop.objects.values_list("pk", "status", "title"))


def _workshop_registrations_state(w):
    return sorted(WorkshopRegistration.objects.values_list("pk", "session_id", "user_id", "status"))


def _workshop_demands_state(w):
    return sorted(WorkshopDemand.objects.values_list("pk", "status", "votes")), \
        sorted(WorkshopDemandVote.objects.values_list("demand_id", "user_id"))


_WS = {"kwargs": lambda w: {"pk": w.workshop.pk}}
_WS_PROPOSAL = {"kwargs": lambda w: {"pk": w.ws_proposal.pk}}
_WS_SESSION = {"kwargs": lambda w: {"pk": w.ws_session.pk}}
_WS_DATE = {"kwargs": lambda w: {"pk": w.ws_session.pk, "date_pk": w.ws_date.pk}}
_WS_DEMAND = {"kwargs": lambda w: {"pk": w.ws_demand.pk}}
_WS_TOKEN = {"kwargs": lambda w: {"token": w.ws_visitor.token}}
_MANAGERS = _desk(member=403)
_EVERYONE = {"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}


# --- The calendar's world (see the `world` fixture): in the private group's calendar, a
# weekly meeting "insider" organises, with a file, the manager invited and answering yes
# (w.cal_event, w.cal_attachment); a public event of the network at the shared venue
# (w.public_event); the private feed link of "member" (w.member_feed). "member", outside the
# group, gets a 404 on all of the group's calendar; the coordinator and the manager manage
# it; "insider", its organiser, edits the meeting but does not manage the calendar.
TO_CALENDAR = Redirect("/bureau/agenda/agendas/")
_GROUP_CALENDAR = {"kwargs": lambda w: {"pk": w.group_calendar.pk}, **_F}
_CAL_EVENT = {"kwargs": lambda w: {"pk": w.cal_event.pk}, **_F}


def _hidden_calendars_state(w):
    return sorted(HiddenCalendar.objects.values_list("user_id", "calendar_id"))


def _attendees_state(w):
    return sorted(CalendarAttendee.objects.values_list("event_id", "user_id", "response", "reminder_minutes"))


def _feed_tokens_state(w):
    return sorted(FeedToken.objects.values_list("pk", "user_id", "calendar_id", "token"))


# --- Equipment lending (lending/): see the `world` fixture. An item of the resource centre
# with an accessory and a photo (w.lend_item: the coordinators manage it; "member", an
# animator of another venue, sees it and may borrow it but not change it), a kit of the
# resource centre (w.lend_kit), and a loan of the item handed over to the shared venue by
# someone outside the personas, with a damage photo (w.lend_reservation, w.lend_damage: a 404
# for "member").
def _lending_state(w):
    return (sorted(Item.objects.values_list("pk", "name", "status", "condition", "owner_venue_id")),
            sorted(Kit.objects.values_list("pk", "name", "is_active")),
            sorted(EquipmentCategory.objects.values_list("pk", "name")),
            sorted(Reservation.objects.values_list("pk", "status", "return_date", "renewals")),
            ItemEvent.objects.count())


_LEND_ITEM = {"kwargs": lambda w: {"pk": w.lend_item.pk}, "state": _lending_state}
_LEND_RES = {"kwargs": lambda w: {"pk": w.lend_reservation.pk}, "state": _lending_state}


# --- Files (files/): see the `world` fixture. In the private group's drive (w.files_drive), a
# folder (w.files_folder) holding a picture "insider" uploaded twice (w.files_file, two versions
# with thumbnails: w.files_version is the first), a file and a folder "insider" put in the trash
# (w.files_trashed, w.files_trashed_folder). "member", outside the group, gets a 404 on all of it;
# the coordinator reads it, may not write in it (403 with the reason), may delete for good and
# set the quota; the group's manager and "insider" write.
def _files_state(w):
    return (sorted(SpaceFolder.objects.values_list("pk", "name", "parent_id", "deleted_at", "trash_root_id")),
            sorted(SpaceFile.objects.values_list("pk", "name", "folder_id", "deleted_at", "current_id")),
            sorted(Drive.objects.values_list("pk", "quota", "used")))


_FILES_FOLDER = {"kwargs": lambda w: {"pk": w.files_folder.pk}, "state": _files_state,
                 "extra_personas": GROUP_PERSONAS}
_FILES_FILE = {"kwargs": lambda w: {"pk": w.files_file.pk}, "state": _files_state, "extra_personas": GROUP_PERSONAS}
_FILES_DRIVE = {"kwargs": lambda w: {"drive_pk": w.files_drive.pk}, "state": _files_state,
                "extra_personas": GROUP_PERSONAS}
_FILES_WRITE = _group(member=404, coordinator=403)
_FILES_POST = _group_post(member=404, coordinator=403)
TO_FOLDER = Redirect("/bureau/fichiers/dossiers/")


# --- Resource library (resources/): see the `world` fixture. A published resource for the
# members, written by someone outside the personas, with a PDF and a picture (w.resource,
# w.resource_file, w.resource_image), a private collection of that author (w.res_collection:
# a 404 for everyone else) and an open report (w.res_report). "member" reads, rates, reports
# and saves it, may not change it (403); the coordinator moderates it.
def _resources_state(w):
    return (sorted(Resource.objects.values_list("pk", "title", "status", "visibility", "updated_at")),
            sorted(ResourceReport.objects.values_list("pk", "status")),
            sorted(ResourceCollection.objects.values_list("pk", "name", "is_shared")),
            sorted(ResourceCollection.resources.through.objects.values_list("collection_id", "resource_id")),
            sorted(ResourceRating.objects.values_list("pk", "score", "comment")),
            sorted(WorkshopKit.objects.values_list("workshop_id", "resource_id")))


_RES = {"kwargs": lambda w: {"pk": w.resource.pk}, "state": _resources_state}
_RES_COLLECTION = {"kwargs": lambda w: {"pk": w.res_collection.pk}, "state": _resources_state}


# --- Vouchers, activity records, reports (mediation/): see the `world` fixture. A network
# programme (w.programme) in which "member"'s venue takes part; a prescribing organisation
# (w.organisation) whose prescriber is a partner account (the "prescriber" persona, outside
# the network: every other desk page sends it to /bureau/tickets/); its voucher (w.voucher)
# with one module recorded at "member"'s venue, and a statement for it (w.settlement); a
# voucher of another organisation nobody of the walk served (w.other_voucher: a 404 for
# "member" and for the prescriber); an accompaniment recorded by someone outside the
# personas at the shared venue (w.record: a 404 for "member"); a shared report link
# (w.share). Every route of /bureau/tickets/ also names the prescriber.
TICKETS = Redirect("/bureau/tickets/", exact=True)
_PRESCRIBER = ("prescriber",)


def _tickets(member=200, coordinator=200, prescriber=200):
    return {"anonymous": LOGIN, "pending": WAITING, "member": member, "coordinator": coordinator,
            "prescriber": prescriber}


def _tickets_post(**denied):
    return {"anonymous": LOGIN, "pending": WAITING, **denied}


def _vouchers_state(w):
    return sorted(Voucher.objects.values_list("pk", "status", "first_name", "commune", "erased_at")), \
        sorted(VoucherUse.objects.values_list("pk", "voucher_id", "module_id", "settlement_id"))


def _programmes_state(w):
    return sorted(Programme.objects.values_list("pk", "name", "amount", "is_active"))


def _seats_state(w):
    from mediation.models import PrescriberSeat

    return sorted(PrescriberSeat.objects.values_list("pk", "user_id", "organisation_id")), \
        sorted(User.objects.values_list("pk", "is_active"))


def _settlements_state(w):
    return sorted(Settlement.objects.values_list("pk", "total", "paid_at")), \
        sorted(VoucherUse.objects.values_list("pk", "settlement_id"))


def _records_state(w):
    return sorted(ActivityRecord.objects.values_list("pk", "date", "duration_minutes", "notes"))


def _shares_state(w):
    return sorted(ReportShare.objects.values_list("pk", "label", "revoked_at"))


_VOUCHER = {"kwargs": lambda w: {"pk": w.voucher.pk}, "extra_personas": _PRESCRIBER}
_OTHER_VOUCHER = {"kwargs": lambda w: {"pk": w.other_voucher.pk}, "extra_personas": _PRESCRIBER}
_PROGRAMME = {"kwargs": lambda w: {"pk": w.programme.pk}, "extra_personas": _PRESCRIBER}
_ORGANISATION = {"kwargs": lambda w: {"pk": w.organisation.pk}, "extra_personas": _PRESCRIBER}
_SETTLEMENT = {"kwargs": lambda w: {"pk": w.settlement.pk}, "extra_personas": _PRESCRIBER}
_RECORD = {"kwargs": lambda w: {"pk": w.record.pk}}


EXPECTATIONS = {
    "healthz": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    # --- Public site (website/): open to everyone, the search as to robots.
    "robots-txt": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "sitemap": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    # The site map for people (the footer's "Plan du site").
    "site-map": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "site-search": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    # --- Public directory of venues and its open data (/annuaire/): everyone.
    "public_directory:list": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "public_directory:map-data": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "public_directory:detail": Expect(
        kwargs=lambda w: {"slug": w.shared_venue.slug},
        get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200},
    ),
    "public_directory:export-csv": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "public_directory:export-json": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    # --- Public agenda and feeds (/agenda/): everyone; a private feed's token is its secret.
    "agenda:index": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "agenda:event": Expect(kwargs=lambda w: {"pk": w.public_event.pk},
                           get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "agenda:event-ics": Expect(kwargs=lambda w: {"pk": w.public_event.pk},
                               get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "agenda:network-feed": Expect(get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "agenda:territory-feed": Expect(kwargs=lambda w: {"slug": w.territory.slug},
                                    get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "agenda:venue-feed": Expect(kwargs=lambda w: {"slug": w.shared_venue.slug},
                                get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    "agenda:private-feed": Expect(kwargs=lambda w: {"token": w.member_feed.token},
                                  get={"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200}),
    # --- Workshops: the desk (/bureau/ateliers/)
    "workshops:index": Expect(get=_desk()),
    "workshops:catalogue": Expect(get=_desk()),
    "workshops:propose": Expect(get=_desk()),
    "workshops:proposals": Expect(get=_desk()),
    "workshops:workshop": Expect(get=_desk(), **_WS),
    "workshops:workshop-edit": Expect(get=_MANAGERS, **_WS),
    "workshops:workshop-accept": Expect(get=_desk(405, 405), post_denied=_group_post(member=404),
                                        state=_workshops_state, **_WS_PROPOSAL),
    "workshops:workshop-refuse": Expect(get=_desk(404), **_WS_PROPOSAL),
    "workshops:workshop-cancel": Expect(get=_MANAGERS, **_WS),
    "workshops:workshop-close": Expect(get=_desk(405, 405), post_denied=_group_post(member=403),
                                       state=_workshops_state, **_WS),
    "workshops:session-create": Expect(get=_MANAGERS, **_WS),
    "workshops:session": Expect(get=_desk(), **_WS_SESSION),
    "workshops:session-edit": Expect(get=_MANAGERS, **_WS_SESSION),
    "workshops:session-cancel": Expect(get=_MANAGERS, **_WS_SESSION),
    "workshops:register": Expect(get=_desk(TO_SESSION, TO_SESSION), **_WS_SESSION),
    "workshops:unregister": Expect(get=_desk(TO_SESSION, TO_SESSION), **_WS_SESSION),
    "workshops:offer": Expect(get=_desk(TO_SESSION, TO_SESSION), **_WS_SESSION),
    "workshops:registrations": Expect(get=_MANAGERS, **_WS_SESSION),
    "workshops:registrations-csv": Expect(get=_MANAGERS, **_WS_SESSION),
    "workshops:register-on-site": Expect(get=_MANAGERS, **_WS_SESSION),
    "workshops:registration-cancel": Expect(
        get=_desk(404), post_denied=_group_post(member=404), state=_workshop_registrations_state,
        kwargs=lambda w: {"pk": w.ws_visitor.pk}),
    "workshops:attendance": Expect(get=_MANAGERS, **_WS_DATE),
    "workshops:attendance-print": Expect(get=_MANAGERS, **_WS_DATE),
    "workshops:evaluate": Expect(get=_desk(404, 404), **_WS_SESSION),  # no registration of theirs
    "workshops:questions": Expect(get=_MANAGERS, **_WS),
    "workshops:default-questions": Expect(get=_MANAGERS),
    "workshops:results": Expect(get=_MANAGERS, **_WS),
    "workshops:results-overview": Expect(get=_MANAGERS),
    "workshops:demands": Expect(get=_desk()),
    "workshops:demand-create": Expect(get=_desk()),
    "workshops:demand": Expect(get=_desk(), **_WS_DEMAND),
    "workshops:demand-vote": Expect(get=_desk(405, 405), post_denied=_group_post(), state=_workshop_demands_state,
                                    **_WS_DEMAND),
    "workshops:demand-status": Expect(get=_desk(405, 405), post_denied=_group_post(member=403),
                                      state=_workshop_demands_state, **_WS_DEMAND),
    # --- Workshops: the public agenda (/ateliers/), its feeds, registration without an account
    "ateliers:index": Expect(get=_EVERYONE),
    "ateliers:rss": Expect(get=_EVERYONE),
    "ateliers:ics": Expect(get=_EVERYONE),
    "ateliers:workshop": Expect(get=_EVERYONE,
                                kwargs=lambda w: {"pk": w.ws_public.pk, "slug": w.ws_public.slug}),
    "ateliers:workshop-short": Expect(get={p: 301 for p in PERSONAS}, kwargs=lambda w: {"pk": w.ws_public.pk}),
    "ateliers:register": Expect(get=_EVERYONE, kwargs=lambda w: {"pk": w.ws_public_session.pk}),
    "ateliers:session-ics": Expect(get=_EVERYONE, kwargs=lambda w: {"pk": w.ws_public_session.pk}),
    "ateliers:registration": Expect(get=_EVERYONE, **_WS_TOKEN),
    "ateliers:evaluate": Expect(get=_EVERYONE, **_WS_TOKEN),
    # --- Vouchers (/bureau/tickets/), with the prescriber persona
    "tickets:index": Expect(get=_tickets(), extra_personas=_PRESCRIBER),
    "tickets:issue": Expect(get=_tickets(member=403, coordinator=403), extra_personas=_PRESCRIBER),
    "tickets:list": Expect(get=_tickets(), extra_personas=_PRESCRIBER),
    "tickets:list-csv": Expect(get=_tickets(), extra_personas=_PRESCRIBER),
    "tickets:voucher": Expect(get=_tickets(), **_VOUCHER),
    "tickets:card": Expect(get=_tickets(member=403), **_VOUCHER),
    "tickets:qr": Expect(get=_tickets(), **_VOUCHER),
    "tickets:cancel": Expect(get=_tickets(405, 405, 405), post_denied=_tickets_post(member=403),
                             state=_vouchers_state, post_data=lambda w: {"reason": "Erreur"}, **_VOUCHER),
    "tickets:erase": Expect(get=_tickets(405, 405, 405), post_denied=_tickets_post(member=403),
                            state=_vouchers_state, **_VOUCHER),
    "tickets:enter": Expect(get=_tickets(prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:code": Expect(get=_tickets(member=Redirect("/bureau/tickets/"), coordinator=Redirect("/bureau/tickets/"),
                                        prescriber=403),
                           kwargs=lambda w: {"code": w.voucher.code}, extra_personas=_PRESCRIBER),
    "tickets:record-module": Expect(get=_tickets(prescriber=404), post_denied=_tickets_post(prescriber=404),
                                    state=_vouchers_state, **_VOUCHER),
    "tickets:venue": Expect(get=_tickets(prescriber=404), kwargs=lambda w: {"venue_pk": w.venue.pk},
                            extra_personas=_PRESCRIBER),
    "tickets:programmes": Expect(get=_tickets(member=403, prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:programme-create": Expect(get=_tickets(member=403, prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:programme": Expect(get=_tickets(member=404, prescriber=404), **_PROGRAMME),
    "tickets:programme-edit": Expect(get=_tickets(member=404, prescriber=404), post_denied=_tickets_post(
        member=404, prescriber=404), state=_programmes_state, **_PROGRAMME),
    "tickets:modules-edit": Expect(get=_tickets(member=404, prescriber=404), post_denied=_tickets_post(
        member=404, prescriber=404), state=_vouchers_state, **_PROGRAMME),
    "tickets:organisations": Expect(get=_tickets(member=403, prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:organisation-create": Expect(get=_tickets(member=403, prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:organisation": Expect(get=_tickets(member=404, prescriber=404), **_ORGANISATION),
    "tickets:organisation-edit": Expect(get=_tickets(member=404, prescriber=404), **_ORGANISATION),
    "tickets:seat-add": Expect(get=_tickets(405, 405, 405), post_denied=_tickets_post(member=404, prescriber=404),
                               state=_seats_state, post_data=lambda w: {"email": "nouvelle@exemple.test",
                                                                        "display_name": "Nouvelle"},
                               **_ORGANISATION),
    "tickets:seat-remove": Expect(get=_tickets(405, 405, 405), post_denied=_tickets_post(member=404, prescriber=404),
                                  state=_seats_state, kwargs=lambda w: {"pk": w.seat.pk},
                                  extra_personas=_PRESCRIBER),
    "tickets:settlements": Expect(get=_tickets(prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:settlement-create": Expect(get=_tickets(member=403, prescriber=403), extra_personas=_PRESCRIBER),
    "tickets:settlement": Expect(get=_tickets(prescriber=404), post_denied=_tickets_post(member=403, prescriber=404),
                                 state=_settlements_state, post_data=lambda w: {"action": "cancel"},
                                 **_SETTLEMENT),
    "tickets:settlement-csv": Expect(get=_tickets(prescriber=404), **_SETTLEMENT),
    "tickets:settlement-paid": Expect(get=_tickets(405, 405, 405), post_denied=_tickets_post(
        member=403, prescriber=404), state=_settlements_state, **_SETTLEMENT),
    "tickets:closing": Expect(get=_tickets(member=404, prescriber=404), **_PROGRAMME),
    "tickets:closing-csv": Expect(get=_tickets(member=404, prescriber=404), **_PROGRAMME),
    # --- Accompaniments (/bureau/activites/) and reports (/bureau/rapports/)
    "activites:index": Expect(get=_desk()),
    "activites:create": Expect(get=_desk()),
    "activites:export": Expect(get=_desk()),
    "activites:record": Expect(get=_desk(member=404), **_RECORD),
    "activites:edit": Expect(get=_desk(member=404), post_denied=_group_post(member=404), state=_records_state,
                             **_RECORD),
    "activites:delete": Expect(get=_desk(member=404), post_denied=_group_post(member=404), state=_records_state,
                               **_RECORD),
    "rapports:index": Expect(get=_desk()),
    "rapports:export-csv": Expect(get=_desk()),
    "rapports:export-xlsx": Expect(get=_desk()),
    "rapports:shares": Expect(get=_desk(member=403)),
    "rapports:share-create": Expect(get=_desk(member=403), post_denied=_group_post(member=403), state=_shares_state,
                                    post_data=lambda w: {"label": "CAF", "perimetre": "reseau"}),
    "rapports:share-revoke": Expect(get=_desk(405, 405), post_denied=_group_post(member=403), state=_shares_state,
                                    kwargs=lambda w: {"pk": w.share.pk}),
    "rapports-partages:report": Expect(get=_EVERYONE, kwargs=lambda w: {"token": w.share.token}),
    "rapports-partages:export-csv": Expect(get=_EVERYONE, kwargs=lambda w: {"token": w.share.token}),
    "rapports-partages:export-xlsx": Expect(get=_EVERYONE, kwargs=lambda w: {"token": w.share.token}),
    # --- Files (/bureau/fichiers/)
    "fichiers:index": Expect(get=_desk()),
    "fichiers:search": Expect(get=_desk()),
    "fichiers:space": Expect(get=_group(member=404, coordinator=TO_FOLDER, manager=TO_FOLDER, insider=TO_FOLDER),
                             kwargs=lambda w: {"space_pk": w.group_space.pk}, extra_personas=GROUP_PERSONAS),
    "fichiers:personal": Expect(get=_desk()),
    "fichiers:personal-upload": Expect(get=_desk(405, 405), post_denied=_group_post(), state=_files_state),
    "fichiers:personal-folder-create": Expect(get=_desk(405, 405), post_denied=_group_post(), state=_files_state),
    "fichiers:folder": Expect(get=_group(member=404), **_FILES_FOLDER),
    "fichiers:upload": Expect(get=_POST_ONLY, post_denied=_FILES_POST, **_FILES_FOLDER),
    "fichiers:folder-create": Expect(get=_POST_ONLY, post_denied=_FILES_POST, **_FILES_FOLDER),
    "fichiers:folder-rename": Expect(get=_FILES_WRITE, post_denied=_FILES_POST, **_FILES_FOLDER),
    "fichiers:folder-move": Expect(get=_FILES_WRITE, post_denied=_FILES_POST, **_FILES_FOLDER),
    "fichiers:folder-trash": Expect(get=_FILES_WRITE, post_denied=_FILES_POST, **_FILES_FOLDER),
    "fichiers:file": Expect(get=_group(member=404), **_FILES_FILE),
    "fichiers:download": Expect(get=_group(member=404), **_FILES_FILE),
    "fichiers:preview": Expect(get=_group(member=404), **_FILES_FILE),
    "fichiers:thumbnail": Expect(get=_group(member=404), **_FILES_FILE),
    "fichiers:file-rename": Expect(get=_FILES_WRITE, post_denied=_FILES_POST, **_FILES_FILE),
    "fichiers:file-move": Expect(get=_FILES_WRITE, post_denied=_FILES_POST, **_FILES_FILE),
    "fichiers:file-trash": Expect(get=_FILES_WRITE, post_denied=_FILES_POST, **_FILES_FILE),
    "fichiers:version-download": Expect(get=_group(member=404), kwargs=lambda w: {"pk": w.files_version.pk},
                                        extra_personas=GROUP_PERSONAS),
    "fichiers:version-restore": Expect(get=_POST_ONLY, post_denied=_FILES_POST, state=_files_state,
                                       kwargs=lambda w: {"pk": w.files_version.pk}, extra_personas=GROUP_PERSONAS),
    "fichiers:trash": Expect(get=_group(member=404), **_FILES_DRIVE),
    "fichiers:trash-empty": Expect(get=_group(member=404, manager=200, insider=403), post_denied=_group_post(
        member=404, insider=403), **_FILES_DRIVE),
    "fichiers:trash-restore-file": Expect(get=_POST_ONLY, post_denied=_FILES_POST, state=_files_state,
                                          kwargs=lambda w: {"pk": w.files_trashed.pk}, extra_personas=GROUP_PERSONAS),
    "fichiers:trash-restore-folder": Expect(get=_POST_ONLY, post_denied=_FILES_POST, state=_files_state,
                                            kwargs=lambda w: {"pk": w.files_trashed_folder.pk},
                                            extra_personas=GROUP_PERSONAS),
    "fichiers:trash-delete-file": Expect(get=_POST_ONLY, post_denied=_group_post(member=404, insider=403),
                                         state=_files_state, kwargs=lambda w: {"pk": w.files_trashed.pk},
                                         extra_personas=GROUP_PERSONAS),
    "fichiers:trash-delete-folder": Expect(get=_POST_ONLY, post_denied=_group_post(member=404, insider=403),
                                           state=_files_state, kwargs=lambda w: {"pk": w.files_trashed_folder.pk},
                                           extra_personas=GROUP_PERSONAS),
    "fichiers:quota": Expect(get=_group(member=404, manager=403, insider=403),
                             post_denied=_group_post(member=404, manager=403, insider=403), **_FILES_DRIVE),
    # --- Resource library (/bureau/ressources/)
    "ressources:index": Expect(get=_desk()),
    "ressources:create": Expect(get=_desk()),
    "ressources:detail": Expect(get=_desk(), **_RES),
    "ressources:edit": Expect(get=_desk(member=403), post_denied=_group_post(member=403), **_RES),
    "ressources:publish": Expect(get=_desk(405, 405), post_denied=_group_post(member=403), **_RES),
    "ressources:unpublish": Expect(get=_desk(405, 405), post_denied=_group_post(member=403), **_RES),
    "ressources:delete": Expect(get=_desk(member=403), post_denied=_group_post(member=403), **_RES),
    "ressources:file": Expect(get=_desk(), kwargs=lambda w: {"pk": w.resource.pk, "file_pk": w.resource_file.pk}),
    "ressources:file-preview": Expect(get=_desk(), kwargs=lambda w: {"pk": w.resource.pk,
                                                                      "file_pk": w.resource_file.pk}),
    "ressources:file-thumbnail": Expect(get=_desk(), kwargs=lambda w: {"pk": w.resource.pk,
                                                                        "file_pk": w.resource_image.pk}),
    "ressources:rate": Expect(get=_desk(405, 405), post_denied=_group_post(), **_RES),
    "ressources:report": Expect(get=_desk(), post_denied=_group_post(), **_RES),
    "ressources:workshop-link": Expect(get=_desk(405, 405), post_denied=_group_post(member=403),
                                       post_data=lambda w: {"workshop": w.workshop.pk}, **_RES),
    "ressources:workshop-unlink": Expect(get=_desk(405, 405), post_denied=_group_post(member=403),
                                         state=_resources_state,
                                         kwargs=lambda w: {"pk": w.resource.pk, "workshop_pk": w.workshop.pk}),
    "ressources:reports": Expect(get=_desk(member=403)),
    "ressources:report-handle": Expect(get=_desk(405, 405), post_denied=_group_post(member=403),
                                       state=_resources_state, kwargs=lambda w: {"pk": w.res_report.pk}),
    "ressources:save": Expect(get=_desk(405, 405), post_denied=_group_post(), **_RES),
    "ressources:collections": Expect(get=_desk()),
    "ressources:collection-create": Expect(get=_desk()),
    "ressources:collection": Expect(get=_desk(404, 404), **_RES_COLLECTION),
    "ressources:collection-edit": Expect(get=_desk(404, 404), post_denied=_group_post(member=404, coordinator=404),
                                         **_RES_COLLECTION),
    "ressources:collection-delete": Expect(get=_desk(404, 404),
                                           post_denied=_group_post(member=404, coordinator=404), **_RES_COLLECTION),
    "ressources:collection-remove": Expect(get=_desk(405, 405), post_denied=_group_post(member=404, coordinator=404),
                                           state=_resources_state,
                                           kwargs=lambda w: {"pk": w.res_collection.pk, "resource_pk": w.resource.pk}),
    # --- Public resources (/ressources/): a public resource with a file (w.public_resource,
    # w.public_resource_file); anyone reads it.
    "public-resources:index": Expect(get={p: 200 for p in PERSONAS}),
    "public-resources:detail": Expect(get={p: 200 for p in PERSONAS}, kwargs=lambda w: {
        "pk": w.public_resource.pk, "slug": w.public_resource.slug}),
    "public-resources:file": Expect(get={p: 200 for p in PERSONAS}, kwargs=lambda w: {
        "pk": w.public_resource.pk, "file_pk": w.public_resource_file.pk}),
    "public-resources:file-thumbnail": Expect(get={p: 200 for p in PERSONAS}, kwargs=lambda w: {
        "pk": w.public_resource.pk, "file_pk": w.public_resource_file.pk}),
    # --- Equipment lending (/bureau/materiel/)
    "materiel:index": Expect(get=_desk()),
    "materiel:item": Expect(get=_desk(), kwargs=lambda w: {"pk": w.lend_item.pk}),
    "materiel:item-label": Expect(get=_desk(member=403), kwargs=lambda w: {"pk": w.lend_item.pk}),
    "materiel:item-qr": Expect(get=_desk(), kwargs=lambda w: {"pk": w.lend_item.pk}),
    "materiel:item-photo": Expect(get=_desk(), kwargs=lambda w: {"pk": w.lend_item.pk, "photo_pk": w.lend_photo.pk}),
    "materiel:kits": Expect(get=_desk()),
    "materiel:kit": Expect(get=_desk(), kwargs=lambda w: {"pk": w.lend_kit.pk}),
    "materiel:item-create": Expect(get=_desk()),
    "materiel:item-edit": Expect(get=_desk(member=403), post_denied=_group_post(member=403),
                                 post_data=lambda w: {"name": "Renommé"}, **_LEND_ITEM),
    "materiel:item-repair": Expect(get=_desk(member=403), post_denied=_group_post(member=403),
                                   post_data=lambda w: {"note": "Lampe", "action": "start"}, **_LEND_ITEM),
    "materiel:item-retire": Expect(get=_desk(member=403), post_denied=_group_post(member=403),
                                   post_data=lambda w: {"note": "Trop vieux"}, **_LEND_ITEM),
    "materiel:kit-create": Expect(get=_desk()),
    "materiel:kit-edit": Expect(get=_desk(member=403), post_denied=_group_post(member=403), state=_lending_state,
                                post_data=lambda w: {"name": "Renommé"}, kwargs=lambda w: {"pk": w.lend_kit.pk}),
    "materiel:categories": Expect(get=_desk(member=403), post_denied=_group_post(member=403), state=_lending_state,
                                  post_data=lambda w: {"action": "create", "name": "Imprimantes 3D"}),
    "materiel:reserve-item": Expect(get=_desk(), kwargs=lambda w: {"pk": w.lend_item.pk}),
    "materiel:reserve-kit": Expect(get=_desk(), kwargs=lambda w: {"pk": w.lend_kit.pk}),
    "materiel:reservations": Expect(get=_desk()),
    "materiel:requests": Expect(get=_desk()),
    "materiel:reservation": Expect(get=_desk(member=404), kwargs=lambda w: {"pk": w.lend_reservation.pk}),
    "materiel:approve": Expect(get=_desk(405, 405), post_denied=_group_post(member=404), **_LEND_RES),
    "materiel:refuse": Expect(get=_desk(405, 405), post_denied=_group_post(member=404),
                              post_data=lambda w: {"reason": "Non"}, **_LEND_RES),
    "materiel:cancel": Expect(get=_desk(405, 405), post_denied=_group_post(member=404), **_LEND_RES),
    "materiel:renew": Expect(get=_desk(405, 405), post_denied=_group_post(member=404), post_data=lambda w: {
        "return_date": (w.lend_reservation.return_date + timedelta(days=3)).isoformat()}, **_LEND_RES),
    "materiel:offer": Expect(get=_desk(405, 405), post_denied=_group_post(member=404),
                             post_data=lambda w: {"answer": "accept"}, **_LEND_RES),
    "materiel:hand-over": Expect(get=_desk(member=404), post_denied=_group_post(member=404), **_LEND_RES),
    "materiel:take-back": Expect(get=_desk(member=404), post_denied=_group_post(member=404), **_LEND_RES),
    "materiel:damage-photo": Expect(get=_desk(member=404), kwargs=lambda w: {
        "pk": w.lend_reservation.pk, "photo_pk": w.lend_damage.pk}),
    "materiel:item-history": Expect(get=_desk(member=403), kwargs=lambda w: {"pk": w.lend_item.pk}),
    "materiel:venue-history": Expect(get=_desk(member=404), kwargs=lambda w: {"pk": w.shared_venue.pk}),
    "materiel:stats": Expect(get=_desk()),
    "materiel:stats-csv": Expect(get=_desk()),
    # --- Desk calendar (/bureau/agenda/)
    "calendar:index": Expect(get=_desk()),
    "calendar:month": Expect(kwargs=lambda w: {"year": 2026, "month": 3}, get=_desk()),
    "calendar:week": Expect(kwargs=lambda w: {"year": 2026, "month": 3, "day": 2}, get=_desk()),
    "calendar:list": Expect(get=_desk()),
    "calendar:calendars": Expect(get=_desk()),
    "calendar:calendar": Expect(get=_group(member=404), **_GROUP_CALENDAR),
    "calendar:calendar-toggle": Expect(
        get=_POST_ONLY, post_denied=_group_post(member=404), state=_hidden_calendars_state, **_GROUP_CALENDAR),
    "calendar:import": Expect(get=_group(member=404, insider=403), **_GROUP_CALENDAR),
    "calendar:space": Expect(
        kwargs=lambda w: {"space_pk": w.group_space.pk}, extra_personas=GROUP_PERSONAS,
        get=_group(member=404, coordinator=TO_CALENDAR, manager=TO_CALENDAR, insider=TO_CALENDAR)),
    "calendar:event-create": Expect(get=_desk()),
    "calendar:event": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-edit": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-cancel": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-delete": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-attachment": Expect(
        kwargs=lambda w: {"pk": w.cal_event.pk, "attachment_pk": w.cal_attachment.pk},
        extra_personas=GROUP_PERSONAS, get=_group(member=404)),
    "calendar:event-ics": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-answer": Expect(
        get=_POST_ONLY, post_denied=_group_post(member=404), state=_attendees_state,
        post_data=lambda w: {"response": "yes"}, **_CAL_EVENT),
    "calendar:event-invite": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-answers": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:event-answers-csv": Expect(get=_group(member=404), **_CAL_EVENT),
    "calendar:feeds": Expect(get=_desk()),
    "calendar:feed-create": Expect(
        get=_desk(member=405, coordinator=405), post_denied={"anonymous": LOGIN, "pending": WAITING},
        state=_feed_tokens_state),
    # A member's own link: others get a 404 and change nothing.
    "calendar:feed-revoke": Expect(
        kwargs=lambda w: {"pk": w.member_feed.pk}, extra_personas=GROUP_PERSONAS, get=_POST_ONLY,
        post_denied=_group_post(coordinator=404, manager=404, insider=404), state=_feed_tokens_state),
    "calendar:feed-regenerate": Expect(
        kwargs=lambda w: {"pk": w.member_feed.pk}, extra_personas=GROUP_PERSONAS, get=_POST_ONLY,
        post_denied=_group_post(coordinator=404, manager=404, insider=404), state=_feed_tokens_state),
    # --- Desk shell
    "desk:home": Expect(get=_desk()),
    "desk:pending": Expect(get={"anonymous": LOGIN, "pending": 200, "member": DESK, "coordinator": DESK}),
    "desk:notifications": Expect(get=_desk()),
    "desk:settings": Expect(get=_desk()),
    "desk:activity": Expect(get=_desk()),
    "desk:spaces": Expect(get=_desk()),
    "desk:space": Expect(kwargs=lambda w: {"pk": w.network_space.pk}, get=_desk()),
    # Each person arranges their own dashboard; the pending persona's saved layout must
    # survive what the walk posts as visitors and pending members.
    "desk:dashboard-customize": Expect(
        get=_desk(), post_denied={"anonymous": LOGIN, "pending": WAITING}, state=_layouts_state,
        post_data=lambda w: {"order": ["profile", "notifications"], "shown": [], "move": "up:profile"},
    ),
    "desk:dashboard-reset": Expect(
        get=_desk(member=405, coordinator=405), post_denied={"anonymous": LOGIN, "pending": WAITING},
        state=_layouts_state,
    ),
    "desk:notification-read": Expect(
        kwargs=lambda w: {"pk": w.notification.pk},
        get=_desk(member=405, coordinator=405),
        # The notification is the member's: the coordinator gets a 404, not a hint.
        post_denied={"anonymous": LOGIN, "pending": WAITING, "coordinator": 404},
        state=_notification_state,
    ),
    "desk:notifications-read-all": Expect(
        get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING},
        state=_unread_state,
    ),
    # --- Members
    "members:pending": Expect(get=_desk(member=403)),
    "members:approve": Expect(
        kwargs=lambda w: {"pk": w.pending.pk},
        get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 403},
        state=_pending_state,
    ),
    "members:refuse": Expect(
        kwargs=lambda w: {"pk": w.pending.pk},
        get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 403},
        state=_pending_state,
        post_data=lambda w: {"reason": "Non."},
    ),
    "members:invitations": Expect(
        get=_desk(member=403),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 403},
        state=_invitations_state,
        post_data=lambda w: {"email": "intrus@exemple.test", "territory": w.member.territory_id},
    ),
    "members:invitation-revoke": Expect(
        kwargs=lambda w: {"pk": w.invitation.pk},
        get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 404},
        state=_invitation_state,
    ),
    "members:invitation-resend": Expect(
        kwargs=lambda w: {"pk": w.invitation.pk},
        get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 404},
        state=_invitation_link_state,
    ),
    "members:profile-edit": Expect(get=_desk()),
    "members:directory": Expect(get=_desk()),
    "members:contacts": Expect(get=_desk()),
    # Following is for approved members; the walk's POSTs come from those who may not.
    "members:follow": Expect(
        kwargs=lambda w: {"pk": w.outsider.pk}, get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING}, state=_follows_state,
    ),
    "members:unfollow": Expect(
        kwargs=lambda w: {"pk": w.outsider.pk}, get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING}, state=_follows_state,
    ),
    "members:profile": Expect(kwargs=lambda w: {"pk": w.member.pk}, get=_desk()),
    # Hiding the dashboard's "Bien démarrer" list is a POST of the member for themself.
    "members:onboarding-dismiss": Expect(
        get=_desk(member=405, coordinator=405),
        post_denied={"anonymous": LOGIN, "pending": WAITING},
        state=lambda w: sorted(User.objects.values_list("pk", "onboarding_dismissed_at")),
    ),
    # A member cannot give themself roles.
    "members:roles": Expect(
        kwargs=lambda w: {"pk": w.member.pk},
        get=_desk(member=403),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 403},
        state=_roles_state,
        post_data=lambda w: {"is_coordinator": "on", "referent_territories": [w.member.territory_id]},
    ),
    # Public: the link of an invitation e-mail. Logged-in people are sent to their desk.
    "invitations:accept": Expect(
        kwargs=lambda w: {"token": w.invitation_token},
        get={"anonymous": 200, "pending": DESK, "member": DESK, "coordinator": DESK},
        # Logged-in people cannot accept (and create an account) with someone's link.
        post_denied={"pending": DESK, "member": DESK, "coordinator": DESK},
        state=_accounts_state,
        post_data=lambda w: {"display_name": "Intrus", "password1": "Causses-2024-solide!",
                             "password2": "Causses-2024-solide!"},
    ),
    # --- Directory: local admins (and coordinators) keep their territories' venues up to date
    # --- Directory, desk side: "member" works in w.venue (so may edit it, wiki-style) but
    # not in w.shared_venue, which the walk's venue routes use; the coordinator edits any.
    "directory:venues": Expect(get=_desk()),
    "directory:venue-create": Expect(
        get=_desk(member=403),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 403},
        state=_venue_count_state,
        post_data=lambda w: {"name": "Nouveau lieu", "address": "1 rue", "postal_code": "46000", "city": "Cahors",
                             "territory": w.venue.territory_id},
    ),
    "directory:venue-edit": Expect(
        kwargs=lambda w: {"pk": w.shared_venue.pk},
        get=_desk(member=404),
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 404},
        state=_venue_state,
        post_data=lambda w: {"name": "Renommé", "address": "1 rue", "postal_code": "46000", "city": "Cahors",
                             "phone": "00 00"},
    ),
    "directory:venue-history": Expect(kwargs=lambda w: {"pk": w.shared_venue.pk}, get=_desk(member=404)),
    "directory:revision-detail": Expect(
        kwargs=lambda w: {"pk": w.shared_venue.pk, "revision_pk": w.venue_revision.pk}, get=_desk(member=404),
    ),
    "directory:revision-restore": Expect(
        kwargs=lambda w: {"pk": w.shared_venue.pk, "revision_pk": w.venue_revision.pk},
        get={"anonymous": LOGIN, "pending": WAITING, "member": 405, "coordinator": 405},
        post_denied={"anonymous": LOGIN, "pending": WAITING, "member": 404},
        state=_venue_state,
    ),
    # --- Directory: the venues of the Wagtail admin (/cms/venues/), with the project's
    # own index view. The "Coordination" group holds the venue permissions (members
    # migration 0002); site editors edit pages, not venues: Wagtail sends them back to
    # its dashboard.
    "venues:index": Expect(
        get={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN,
             "coordinator": 200, "editor": CMS_HOME},
        extra_personas=("editor",),
    ),
    # The project's own create view for territories (through members.services): the
    # Coordination group has the permission, site editors do not.
    "territories:add": Expect(
        get={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN,
             "coordinator": 200, "editor": CMS_HOME},
        extra_personas=("editor",),
    ),
    # --- Workgroups: the world's group is private, on request, managed by "manager", with
    # "insider" as a plain member; "member" is outside it (sees it exists, not its content).
    "workgroups:list": Expect(get=_group(), extra_personas=GROUP_PERSONAS),
    "workgroups:create": Expect(get=_group(), extra_personas=GROUP_PERSONAS),
    "workgroups:invitations": Expect(get=_group(), extra_personas=GROUP_PERSONAS),
    "workgroups:detail": Expect(get=_group(), **_G),
    "workgroups:edit": Expect(get=_group(member=403, insider=403), **_G),
    "workgroups:members": Expect(get=_group(member=403), **_G),
    "workgroups:activity": Expect(get=_group(member=403), **_G),
    # Only members leave; the others are sent back to the group with a message.
    "workgroups:leave": Expect(
        get=_group(member=BACK_TO_GROUP, coordinator=BACK_TO_GROUP), **_G,
        post_denied=_group_post(member=BACK_TO_GROUP, coordinator=BACK_TO_GROUP), state=_memberships_state,
    ),
    # The group takes requests, so joining directly is refused to everyone.
    "workgroups:join": Expect(
        get=_POST_ONLY, **_G, state=_memberships_state,
        post_denied=_group_post(member=403, coordinator=403, manager=BACK_TO_GROUP, insider=BACK_TO_GROUP),
    ),
    "workgroups:request": Expect(
        get=_POST_ONLY, **_G, state=_join_requests_state,
        post_denied=_group_post(manager=BACK_TO_GROUP, insider=BACK_TO_GROUP),
    ),
    # Nobody but the requester (not a persona) has a request to withdraw.
    "workgroups:request-cancel": Expect(
        get=_POST_ONLY, **_G, state=_join_requests_state,
        post_denied=_group_post(member=BACK_TO_GROUP, coordinator=BACK_TO_GROUP, manager=BACK_TO_GROUP,
                                insider=BACK_TO_GROUP),
    ),
    # Members of a non-secret group on request may invite; outsiders may not.
    "workgroups:invite": Expect(
        get=_POST_ONLY, **_G, state=_group_invitations_state, post_denied=_group_post(member=403),
        post_data=lambda w: {"invitee": w.outsider.pk},
    ),
    "workgroups:archive": Expect(
        get=_POST_ONLY, **_G, state=_group_state, post_denied=_group_post(member=403, insider=403),
    ),
    # The group is not archived: even its managers are told so.
    "workgroups:reopen": Expect(
        get=_POST_ONLY, **_G, state=_group_state,
        post_denied=_group_post(member=403, insider=403, manager=BACK_TO_GROUP, coordinator=BACK_TO_GROUP),
    ),
    # The group is already open: approving or refusing it again is refused.
    "workgroups:approve": Expect(
        get=_POST_ONLY, **_G, state=_group_state,
        post_denied=_group_post(member=403, insider=403, manager=403, coordinator=BACK_TO_GROUP),
    ),
    "workgroups:refuse": Expect(
        get=_POST_ONLY, **_G, state=_group_state,
        post_denied=_group_post(member=403, insider=403, manager=403, coordinator=BACK_TO_GROUP),
    ),
    "workgroups:request-accept": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.join_request.pk}, extra_personas=GROUP_PERSONAS,
        state=_request_decision_state, post_denied=_group_post(member=403, insider=403),
    ),
    "workgroups:request-refuse": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.join_request.pk}, extra_personas=GROUP_PERSONAS,
        state=_request_decision_state, post_denied=_group_post(member=403, insider=403),
    ),
    # An invitation is its invitee's (not a persona): a 404 for anyone else.
    "workgroups:invitation-accept": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.group_invitation.pk}, extra_personas=GROUP_PERSONAS,
        state=_invitation_decision_state,
        post_denied=_group_post(member=404, coordinator=404, manager=404, insider=404),
    ),
    "workgroups:invitation-decline": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.group_invitation.pk}, extra_personas=GROUP_PERSONAS,
        state=_invitation_decision_state,
        post_denied=_group_post(member=404, coordinator=404, manager=404, insider=404),
    ),
    "workgroups:invitation-revoke": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.group_invitation.pk}, extra_personas=GROUP_PERSONAS,
        state=_invitation_decision_state, post_denied=_group_post(member=403, insider=403),
    ),
    "workgroups:member-remove": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.group.pk, "user_pk": w.insider.pk},
        extra_personas=GROUP_PERSONAS, state=_memberships_state, post_denied=_group_post(member=403, insider=403),
    ),
    "workgroups:member-role": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.group.pk, "user_pk": w.insider.pk},
        extra_personas=GROUP_PERSONAS, state=_memberships_state, post_denied=_group_post(member=403, insider=403),
        post_data=lambda w: {"role": "manager"},
    ),
    # --- Forum (/bureau/forum/). Every page is the desk's; the group personas are named
    # everywhere (outside the group's space they are plain members of the network).
    "forum:index": Expect(get=_group(), **_F),
    # The live unread counts of the categories one sees (JSON).
    "forum:unread-counts": Expect(get=_group(), **_F),
    "forum:search": Expect(get=_group(), **_F),
    # The queue of the spaces one moderates: none for plain members.
    "forum:moderation": Expect(get=_group(member=403, insider=403), **_F),
    # The report is in the group's space: who does not moderate it gets a 404.
    "forum:report-resolve": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.forum_report.pk}, **_F, state=_forum_reports_state,
        post_denied=_group_post(member=404, insider=404), post_data=lambda w: {"decision": "hide"},
    ),
    # Markdown preview (JSON) for any approved member; it writes nothing.
    "forum:preview": Expect(
        get=_POST_ONLY, **_F, state=_forum_posts_state, post_denied=_group_post(),
        post_data=lambda w: {"body": "**Aperçu**"},
    ),
    "forum:space": Expect(get=_group(member=404), kwargs=lambda w: {"pk": w.group_space.pk}, **_F),
    # Only the network's moderators (coordinators) create its categories.
    "forum:category-create": Expect(
        get=_group(member=403, manager=403, insider=403), kwargs=lambda w: {"pk": w.network_space.pk}, **_F,
        post_denied=_group_post(member=403, manager=403, insider=403), state=_forum_categories_state,
        post_data=lambda w: {"name": "Catégorie intruse", "description": "", "position": ""},
    ),
    "forum:mentions": Expect(get=_group(member=404), kwargs=lambda w: {"pk": w.group_space.pk}, **_F),
    "forum:category": Expect(get=_group(member=404), **_GROUP_CATEGORY),
    "forum:category-edit": Expect(
        get=_group(member=404, insider=403), **_GROUP_CATEGORY,
        post_denied=_group_post(member=404, insider=403), state=_forum_categories_state,
        post_data=lambda w: {"name": "Renommée", "description": "", "position": "1"},
    ),
    # Writing in a group is for its members: the coordinator moderates it but may not post.
    "forum:topic-create": Expect(
        get=_group(member=404, coordinator=403), **_GROUP_CATEGORY,
        post_denied=_group_post(member=404, coordinator=403), state=_forum_topics_state,
        post_data=lambda w: {"title": "Sujet intrus", "body": "Bonjour à tous."},
    ),
    "forum:category-read": Expect(
        get=_POST_ONLY, **_GROUP_CATEGORY, post_denied=_group_post(member=404),
        state=_forum_category_reads_state,
    ),
    "forum:category-subscription": Expect(
        get=_POST_ONLY, **_GROUP_CATEGORY, post_denied=_group_post(member=404),
        state=_forum_category_subscriptions_state, post_data=lambda w: {"level": Level.WATCHING},
    ),
    "forum:topic": Expect(get=_group(member=404), **_GROUP_TOPIC),
    "forum:topic-unread": Expect(
        get=_group(member=404, coordinator=TO_TOPIC, manager=TO_TOPIC, insider=TO_TOPIC), **_GROUP_TOPIC,
    ),
    "forum:reply": Expect(
        get=_POST_ONLY, **_GROUP_TOPIC, post_denied=_group_post(member=404, coordinator=403),
        state=_forum_posts_state, post_data=lambda w: {"body": "Réponse intruse."},
    ),
    "forum:topic-subscription": Expect(
        get=_POST_ONLY, **_GROUP_TOPIC, post_denied=_group_post(member=404),
        state=_forum_topic_subscriptions_state, post_data=lambda w: {"level": Level.MUTED},
    ),
    "forum:topic-moderate": Expect(
        get=_POST_ONLY, **_GROUP_TOPIC, post_denied=_group_post(member=404, insider=403),
        state=_forum_topics_state, post_data=lambda w: {"action": "lock"},
    ),
    "forum:topic-move": Expect(
        get=_group(member=404, insider=403), **_GROUP_TOPIC,
        post_denied=_group_post(member=404, insider=403), state=_forum_topics_state,
        post_data=lambda w: {"category": w.forum_category.pk},
    ),
    "forum:post": Expect(
        get=_group(member=404, coordinator=TO_TOPIC, manager=TO_TOPIC, insider=TO_TOPIC),
        kwargs=lambda w: {"pk": w.group_reply.pk}, **_F,
    ),
    "forum:post-fragment": Expect(get=_group(member=404), kwargs=lambda w: {"pk": w.group_reply.pk}, **_F),
    # The opening post of the network topic is the member's: its author and the network's
    # moderators edit it, nobody else.
    "forum:post-edit": Expect(
        get=_group(manager=403, insider=403), kwargs=lambda w: {"pk": w.forum_post.pk}, **_F,
        post_denied=_group_post(manager=403, insider=403), state=_forum_edit_state,
        post_data=lambda w: {"title": "Titre vandalisé", "body": "Texte vandalisé."},
    ),
    # The reply of the network topic is someone else's: only a moderator deletes it.
    "forum:post-delete": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.forum_reply.pk}, **_F,
        post_denied=_group_post(member=403, manager=403, insider=403), state=_forum_posts_state,
    ),
    # The history of the group's edited opening post: moderators only (not its author).
    "forum:post-history": Expect(
        get=_group(member=404, insider=403), kwargs=lambda w: {"pk": w.group_post.pk}, **_F,
    ),
    # Nobody reports their own post.
    "forum:post-report": Expect(
        get=_group(member=403), kwargs=lambda w: {"pk": w.forum_post.pk}, **_F,
        post_denied=_group_post(member=403), state=_forum_reports_state,
        post_data=lambda w: {"reason": "Je signale mon propre message."},
    ),
    "forum:post-hide": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.group_reply.pk}, **_F,
        post_denied=_group_post(member=404, insider=403), state=_forum_posts_state,
    ),
    # A file of the group's topic: served to whoever reads the post, a 404 to the others.
    "forum:attachment": Expect(
        get=_group(member=404), kwargs=lambda w: {"pk": w.forum_attachment.pk, "name": w.forum_attachment.name},
        **_F,
    ),
    # --- Chat (/bureau/discussions/). Every page is the desk's; the group personas are named
    # everywhere (outside the group's room they are plain members of the network).
    "chat:index": Expect(get=_group(), **_F),
    # The unread counts of one's rooms (JSON), and the people one may write to (JSON).
    "chat:unread-counts": Expect(get=_group(), **_F),
    "chat:direct-candidates": Expect(get=_group(), **_F),
    "chat:search": Expect(get=_group(), **_F),
    # Every approved member opens conversations and keeps preferences; the walk's POSTs
    # come from those who may not (the pending persona's saved preference must survive).
    "chat:direct-new": Expect(
        get=_group(), **_F, post_denied=_group_post(), state=_chat_rooms_state,
        post_data=lambda w: {"members": [w.outsider.pk]},
    ),
    "chat:preferences": Expect(
        get=_group(), **_F, post_denied=_group_post(), state=_chat_preferences_state,
        post_data=lambda w: {"share_typing": "on"},
    ),
    # The chat module of the group's space page: to its room, for who may read it.
    "chat:space": Expect(
        get=_group(member=404, coordinator=TO_ROOM, manager=TO_ROOM, insider=TO_ROOM),
        kwargs=lambda w: {"pk": w.group_space.pk}, **_F,
    ),
    "chat:room": Expect(get=_group(member=404), **_GROUP_ROOM),
    "chat:messages": Expect(get=_group(member=404), **_GROUP_ROOM),
    "chat:mentions": Expect(get=_group(member=404), **_GROUP_ROOM),
    # Writing in a group is for its members: the coordinator moderates it but may not write.
    "chat:send": Expect(
        get=_POST_ONLY, **_GROUP_ROOM, post_denied=_group_post(member=404, coordinator=403),
        state=_chat_messages_state, post_data=lambda w: {"body": "Message intrus.", "client_id": "intrus"},
    ),
    # The direct conversation of "member": nobody else marks it read.
    "chat:mark-read": Expect(
        get=_POST_ONLY, kwargs=lambda w: {"pk": w.chat_direct.pk}, **_F, state=_chat_reads_state,
        post_denied=_group_post(coordinator=404, manager=404, insider=404),
    ),
    # The message of "insider": only its author edits it (the others are sent back to it).
    "chat:message-edit": Expect(
        get=_group(member=404, coordinator=TO_ROOM, manager=TO_ROOM), **_CHAT_MESSAGE,
        post_denied=_group_post(member=404, coordinator=TO_ROOM, manager=TO_ROOM), state=_chat_messages_state,
        post_data=lambda w: {"body": "Texte vandalisé."},
    ),
    # The manager's reply: its author and the room's moderators delete it, not "insider".
    "chat:message-delete": Expect(
        get=_group(member=404, insider=403), kwargs=lambda w: {"pk": w.chat_reply.pk}, **_F,
        post_denied=_group_post(member=404, insider=403), state=_chat_messages_state,
    ),
    # Reacting is writing: the coordinator, who only reads the group's room, may not.
    "chat:reaction": Expect(
        get=_POST_ONLY, **_CHAT_MESSAGE, post_denied=_group_post(member=404, coordinator=403),
        state=_chat_reactions_state, post_data=lambda w: {"emoji": "👍"},
    ),
    # The file of the group's message: served to whoever reads the room, a 404 to the others.
    "chat:attachment": Expect(
        get=_group(member=404),
        kwargs=lambda w: {"pk": w.chat_attachment.pk, "name": w.chat_attachment.stored_name}, **_F,
    ),
    # The Wagtail venue viewset's create, edit and import views (through directory.services
    # and directory.opendata): coordinators (and local admins who reach /cms/).
    "venues:add": Expect(get=_CMS_VENUES, extra_personas=("editor",), post_denied=_CMS_VENUES_DENIED,
                         state=_venue_count_state),
    "venues:edit": Expect(get=_CMS_VENUES, kwargs=lambda w: {"pk": w.shared_venue.pk}, extra_personas=("editor",),
                          post_denied=_CMS_VENUES_DENIED, state=_venue_state),
    "venues:import": Expect(get=_CMS_VENUES, extra_personas=("editor",), post_denied=_CMS_VENUES_DENIED,
                            state=_venue_count_state),
    # Wagtail's delete of a venue and edit of a territory, through directory.services.venue_delete
    # and members.services.territory_update.
    "venues:delete": Expect(get=_CMS_VENUES, kwargs=lambda w: {"pk": w.shared_venue.pk}, extra_personas=("editor",),
                            post_denied=_CMS_VENUES_DENIED, state=_venue_count_state),
    "territories:edit": Expect(
        get={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN, "coordinator": 200, "editor": CMS_HOME},
        kwargs=lambda w: {"pk": w.territory.pk}, extra_personas=("editor",),
        post_denied={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN, "editor": CMS_HOME},
        state=_territory_state,
    ),
    # Wagtail's delete of a territory (members.services.territory_delete): superusers only
    # (the Coordination group has no delete permission).
    "territories:delete": Expect(
        get={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN, "coordinator": CMS_HOME,
             "editor": CMS_HOME},
        kwargs=lambda w: {"pk": w.territory.pk}, extra_personas=("editor",),
        post_denied={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN, "coordinator": CMS_HOME,
                     "editor": CMS_HOME},
        state=_territory_state,
    ),
    "venues:index_results": Expect(
        get={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN,
             "coordinator": 200, "editor": CMS_HOME},
        extra_personas=("editor",),
    ),
}


@dataclass
class ThirdParty:
    reason: str
    prefixes: tuple
    url: Callable  # world -> URL of one representative page
    expect: dict
    # Routes that only exist in some configurations (media: DEBUG only); served by a
    # middleware rather than a URL pattern (static files: WhiteNoise).
    optional: bool = False


def _media_url(w):
    """A file really in the media folder the route serves (read from the route itself)."""
    root = Path(resolve("/media/x.txt").kwargs["document_root"])
    name = f"url-walk-{uuid.uuid4().hex}.txt"
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_text("Maillage")
    w.cleanup.append(root / name)
    return f"/media/{name}"


def _document_url(w):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document(title="Compte rendu")
    document.file.save("compte-rendu.txt", ContentFile(b"Compte rendu de la reunion"), save=True)
    return document.url


EVERYONE_200 = {"anonymous": 200, "pending": 200, "member": 200, "coordinator": 200, "editor": 200}

THIRD_PARTY = {
    "allauth": ThirdParty(
        reason="django-allauth: login, signup, e-mail confirmation, password, 2FA",
        prefixes=("compte/",),
        url=lambda w: "/compte/login/",
        # Logged-in people are sent away from the login page (pending ones to the waiting page).
        expect={"anonymous": 200, "pending": WAITING, "member": DESK, "coordinator": DESK, "editor": DESK},
    ),
    "wagtail-admin": ThirdParty(
        reason="Wagtail admin: the public site's editors, by Wagtail's own permissions",
        prefixes=("cms/",),
        url=lambda w: "/cms/",
        # Only Wagtail's "access admin" permission opens it (the Editors and Coordination
        # groups have it); a pending account is sent to the waiting page (DeskAccessMiddleware).
        expect={"anonymous": CMS_LOGIN, "pending": WAITING, "member": CMS_LOGIN,
                "coordinator": 200, "editor": 200},
    ),
    "wagtail-documents": ThirdParty(
        reason="Wagtail documents served to the public (collection privacy applies)",
        prefixes=("documents/",),
        url=_document_url,
        expect=EVERYONE_200,
    ),
    "wagtail-pages": ThirdParty(
        reason="Wagtail's page tree answers every other URL; _util/ holds its page-privacy forms",
        prefixes=("_util/", "^((?:[\\w\\-]+/)*)$"),
        url=lambda w: "/",
        expect=EVERYONE_200,
    ),
    "i18n": ThirdParty(
        reason="Django's set_language (POST changes the language; GET changes nothing)",
        prefixes=("i18n/",),
        url=lambda w: "/i18n/setlang/",
        # A GET without `next` goes back home (to the Referer when it is safe).
        expect={p: Redirect("/", exact=True) for p in ("anonymous", "pending", "member", "coordinator", "editor")},
    ),
    "media": ThirdParty(
        reason="Uploaded files, served by Django in development only (DEBUG)",
        prefixes=("media/",),
        url=_media_url,
        expect=EVERYONE_200,
        optional=True,
    ),
    "static": ThirdParty(
        reason="Static files, served by WhiteNoise's middleware (no URL pattern)",
        prefixes=("static/",),
        url=lambda w: "/static/css/maillage.css",
        expect=EVERYONE_200,
        optional=True,
    ),
}


# --- Walking the resolver ------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    module: str

    @property
    def key(self):
        return self.name or self.route

    @property
    def is_project(self):
        return self.module.startswith(PROJECT_MODULES)


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            callback = pattern.callback
            module = getattr(callback, "__module__", None) or getattr(
                getattr(callback, "view_class", None), "__module__", ""
            )
            yield Route(route=prefix + str(pattern.pattern), name=name, module=module)


def all_routes():
    return list(_walk(get_resolver()))


def project_routes():
    return [r for r in all_routes() if r.is_project]


def _third_party_for(route):
    for key, entry in THIRD_PARTY.items():
        if route.route.startswith(entry.prefixes):
            return key
    return None


def test_the_walk_finds_the_desk_and_members_routes():
    """Guard the walker itself: it must see nested, namespaced routes and their views."""
    routes = {r.key: r for r in all_routes()}
    assert routes["members:approve"].route == "bureau/membres/demandes/<int:pk>/approuver/"
    assert routes["members:approve"].module == "members.views"
    assert routes["desk:home"].route == "bureau/"
    assert routes["healthz"].module == "extranet.views"
    assert routes["account_login"].route == "compte/login/"
    assert not routes["account_login"].is_project


def test_every_project_route_has_an_expectation():
    missing = sorted(
        f"{r.key}  ({r.route}, {r.module})" for r in project_routes() if r.key not in EXPECTATIONS
    )
    assert not missing, (
        "Routes without an expectation in extranet/tests/test_url_walk.py EXPECTATIONS "
        "(say what anonymous, pending, member and coordinator get):\n  " + "\n  ".join(missing)
    )


def test_every_expectation_names_an_existing_project_route():
    existing = {r.key for r in project_routes()}
    stale = sorted(set(EXPECTATIONS) - existing)
    assert not stale, f"Expectations for routes that no longer exist (remove them): {stale}"


def test_every_other_route_belongs_to_a_declared_third_party_tree():
    undeclared = sorted(
        f"{r.route}  ({r.key}, {r.module})"
        for r in all_routes()
        if not r.is_project and _third_party_for(r) is None
    )
    assert not undeclared, (
        "Third-party routes outside every THIRD_PARTY prefix (declare the tree with a reason):\n  "
        + "\n  ".join(undeclared)
    )


def test_every_third_party_tree_still_exists():
    routes = all_routes()
    gone = [
        key for key, entry in THIRD_PARTY.items()
        if not entry.optional and not any(r.route.startswith(entry.prefixes) for r in routes)
    ]
    assert not gone, f"THIRD_PARTY declares trees with no route any more: {gone}"


def test_every_expectation_covers_the_four_personas():
    incomplete = {
        key: sorted(set(PERSONAS + e.extra_personas) - set(e.get))
        for key, e in EXPECTATIONS.items()
        if set(PERSONAS + e.extra_personas) - set(e.get)
    }
    assert not incomplete, f"Expectations missing personas: {incomplete}"
    for key, e in EXPECTATIONS.items():
        if 405 in e.get.values():  # POST-only: say who may not POST, and what must not change
            assert e.post_denied, f"{key}: a POST-only route needs post_denied"
        if e.post_denied is not None:
            assert e.state is not None, f"{key}: post_denied needs a state snapshot"


# --- Requesting every route as every persona ---------------------------------------------


@dataclass
class World:
    member: User
    pending: User
    coordinator: User
    editor: User
    notification: Notification
    invitation: Invitation
    invitation_token: str
    venue: Venue
    shared_venue: Venue = None
    venue_revision: VenueRevision = None
    manager: User = None
    insider: User = None
    outsider: User = None
    group: Workgroup = None
    join_request: JoinRequest = None
    group_invitation: GroupInvitation = None
    network_space: Space = None
    forum_category: Category = None
    forum_topic: Topic = None
    forum_post: Post = None
    forum_reply: Post = None
    group_space: Space = None
    group_category: Category = None
    group_topic: Topic = None
    group_post: Post = None
    group_reply: Post = None
    forum_attachment: object = None
    forum_report: Report = None
    chat_room: ChatRoom = None
    chat_message: ChatMessage = None
    chat_reply: ChatMessage = None
    chat_attachment: ChatAttachment = None
    chat_direct: ChatRoom = None
    prescriber: User = None
    cleanup: list = field(default_factory=list)

    def user(self, persona):
        return None if persona == "anonymous" else getattr(self, persona)


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module's ~1,000 cases (extranet.testing.shared): each case runs in a
    savepoint of the transaction that holds it, so a POST of one case is gone for the next."""
    media = tmp_path_factory.mktemp("url-walk-media")
    # Uploads (documents); /media/ keeps the root it was built with.
    with shared_transaction(django_db_blocker), override_settings(MEDIA_ROOT=media):
        with building(django_db_blocker):
            w = _build_world()
        yield w
        for path in w.cleanup:
            path.unlink(missing_ok=True)


def _build_world():
    # The people of the root conftest.py, under the same names.
    territory = TerritoryFactory(name="Pays des Causses")
    other_territory = TerritoryFactory(name="Vallée du Lys")
    venue = VenueFactory(territory=territory, name="EPM de Limogne")
    member = UserFactory(territory=territory, venues=[venue], display_name="Karim Benali")
    pending_user = PendingUserFactory(territory=territory, venues=[venue], display_name="Romain Espitalier")
    coordinator = CoordinatorFactory(territory=other_territory, display_name="Claire Dumas")
    editor = UserFactory(territory=territory, site_editor=True, display_name="Sophie Marchal")
    notification = Notification.objects.create(
        recipient=member, actor=coordinator, verb="member.roles_changed", target_label=str(member),
        url=member.get_absolute_url(),
    )
    token = "jeton-de-test-url-walk"
    now = timezone.now()
    invitation = Invitation.objects.create(
        email="invitee@exemple.test", territory=territory, venue=venue, invited_by=coordinator,
        token_hash=hash_token(token), created_at=now, expires_at=now + timedelta(days=14),
    )
    w = World(member=member, pending=pending_user, coordinator=coordinator, editor=editor,
              notification=notification, invitation=invitation, invitation_token=token, venue=venue)
    w.territory = territory
    DashboardLayout.objects.create(user=pending_user, order=["profile", "notifications"], hidden=["profile"])
    # A venue nobody of the walk works in, with two versions (the first can be restored).
    w.shared_venue = VenueFactory(territory=territory, name="Cyber-base partagée")
    venue_services.venue_update(actor=coordinator, venue=w.shared_venue, data={"summary": "Première version"})
    w.venue_revision = VenueRevision.objects.get(venue=w.shared_venue)
    venue_services.venue_update(actor=coordinator, venue=w.shared_venue, data={"summary": "Seconde version"})
    # A private group on request: its manager, a plain member, a pending request and a
    # pending invitation of two other people.
    w.manager = UserFactory(territory=territory, display_name="Nadia Vidal")
    w.insider = UserFactory(territory=territory, display_name="Paul Roques")
    w.outsider = UserFactory(territory=territory, display_name="Inès Garric")
    w.group = workgroup_services.workgroup_create(
        actor=w.manager, name="Fracture numérique", purpose="Partager nos pratiques.",
        visibility="private", join_policy="request",
    )
    insider_request = workgroup_services.join_request_create(actor=w.insider, workgroup=w.group)
    workgroup_services.join_request_accept(actor=w.manager, join_request=insider_request)
    w.join_request = workgroup_services.join_request_create(actor=UserFactory(territory=territory), workgroup=w.group)
    w.group_invitation = workgroup_services.invitation_create(
        actor=w.manager, workgroup=w.group, invitee=UserFactory(territory=territory))
    # The forum: in the network's space, a topic of "member" with a reply of someone else
    # (mentioning them), and a topic deleted by a moderator...
    w.network_space = network_space()
    w.forum_category = forum_services.category_create(
        actor=coordinator, space=w.network_space, name="Entraide", description="Questions et astuces.")
    w.forum_topic = forum_services.topic_create(
        actor=member, category=w.forum_category, title="Imprimer depuis une tablette", body="Comment faites-vous ?")
    w.forum_post = w.forum_topic.posts.get(number=1)
    w.forum_reply = forum_services.post_create(
        actor=w.outsider, topic=w.forum_topic, body="Avec l'application du fabricant, @**Karim Benali**.",
        reply_to=w.forum_post)
    duplicate = forum_services.topic_create(
        actor=member, category=w.forum_category, title="Imprimer (doublon)", body="Sujet en double.")
    forum_services.topic_delete(actor=coordinator, topic=duplicate)
    # ...and in the private group's space, a topic of "insider" with a file (edited once),
    # a reply of the manager, reported by "insider".
    w.group_space = w.group.space
    w.group_category = forum_services.category_create(actor=w.manager, space=w.group_space, name="Ateliers")
    w.group_topic = forum_services.topic_create(
        actor=w.insider, category=w.group_category, title="Compte rendu de l'atelier", body="Voici le compte rendu.",
        files=[SimpleUploadedFile("compte-rendu.txt", b"Compte rendu de l'atelier", content_type="text/plain")])
    w.group_post = w.group_topic.posts.get(number=1)
    forum_services.post_update(actor=w.insider, post=w.group_post, body="Voici le compte rendu, corrigé.")
    w.forum_attachment = w.group_post.attachments.get()
    w.group_reply = forum_services.post_create(actor=w.manager, topic=w.group_topic, body="Merci pour ce travail !")
    w.forum_report = forum_services.report_create(
        actor=w.insider, post=w.group_reply, reason="Ce message n'a pas sa place ici.")
    # The chat: in the private group's room, a message of "insider" with a file, and the
    # manager's reply; a direct conversation of "member" with someone outside the personas,
    # where that person wrote. The pending persona kept preferences from before.
    w.chat_room = ChatRoom.objects.get(space=w.group_space)
    w.chat_message = chat_services.message_send(
        actor=w.insider, room=w.chat_room, body="Le compte rendu est en pièce jointe.", client_id="walk-1",
        files=[SimpleUploadedFile("notes.txt", b"Notes de l'atelier", content_type="text/plain")])
    w.chat_attachment = w.chat_message.attachments.get()
    w.chat_reply = chat_services.message_send(actor=w.manager, room=w.chat_room, body="Merci !",
                                              reply_to=w.chat_message)
    w.chat_direct = chat_services.direct_room_open(actor=w.outsider, others=[member])
    chat_services.message_send(actor=w.outsider, room=w.chat_direct, body="Bonjour Karim !")
    ChatPreference.objects.create(user=pending_user, share_presence=False, share_typing=False)
    # The calendar (see TO_CALENDAR above).
    w.group_calendar = w.group_space.calendar
    w.cal_event = EventFactory(calendar=w.group_calendar, title="Réunion du groupe", created_by=w.insider,
                               rrule="FREQ=WEEKLY;COUNT=5")
    w.cal_attachment = EventAttachment.objects.create(
        event=w.cal_event, file=ContentFile(b"Ordre du jour", name="ordre-du-jour.txt"), name="ordre-du-jour.txt",
        content_type="text/plain", size=13)
    w.cleanup.append(Path(w.cal_attachment.file.path))
    AttendeeFactory(event=w.cal_event, user=w.manager, response="yes")
    w.public_event = EventFactory(calendar=network_calendar(), title="Fête de l'Internet", visibility="public",
                                  venue=w.shared_venue)
    w.member_feed = FeedToken.objects.create(user=member)
    # The workshops (see TO_SESSION above).
    w.workshop = WorkshopFactory(title="Tablette pour tous", status="scheduled", proposed_by=w.outsider,
                                 territory=territory)
    w.ws_session = SessionFactory(workshop=w.workshop, venue=w.shared_venue, animators=[w.insider])
    w.ws_date = w.ws_session.dates.get()
    w.ws_proposal = WorkshopFactory(title="Retoucher ses photos", status="proposed", proposed_by=w.outsider,
                                    territory=territory)
    w.ws_public = WorkshopFactory(title="Premiers pas sur Internet", status="scheduled", audience="public",
                                  proposed_by=w.outsider, territory=territory)
    w.ws_public_session = SessionFactory(workshop=w.ws_public, venue=w.shared_venue)
    w.ws_visitor = RegistrationFactory(session=w.ws_public_session, user=None, kind="visitor", name="Jeanne Roux",
                                       email="jeanne.roux@exemple.test")
    w.ws_demand = DemandFactory(title="Sécuriser son smartphone", created_by=w.outsider, territory=territory)
    # Vouchers, accompaniments, reports (see TICKETS above).
    w.programme = ProgrammeFactory(name="Ticket déclic", venues=[venue, w.shared_venue])
    w.organisation = OrganisationFactory(name="Mission locale des Causses", programmes=[w.programme])
    w.seat = PrescriberSeatFactory(organisation=w.organisation, user__display_name="Léa Conseillère")
    w.prescriber = w.seat.user
    w.voucher = VoucherFactory(programme=w.programme, organisation=w.organisation, issued_by=w.prescriber)
    first = w.programme.modules.get(position=1)
    use = VoucherUse.objects.create(voucher=w.voucher, module=first, venue=venue, date=timezone.localdate(),
                                    duration_minutes=120, recorded_by=member)
    Voucher.objects.filter(pk=w.voucher.pk).update(modules_done=1)
    w.settlement = Settlement.objects.create(
        programme=w.programme, venue=venue, period_start=timezone.localdate().replace(day=1),
        period_end=timezone.localdate(), total=15, vouchers_count=1, modules_count=1, created_by=coordinator)
    VoucherUse.objects.filter(pk=use.pk).update(settlement=w.settlement, amount=15)
    w.other_voucher = VoucherFactory(programme=w.programme, organisation=OrganisationFactory(
        name="CAF", programmes=[w.programme]), first_name="Bernard")
    w.record = ActivityRecord.objects.create(
        kind="Individuel", date=timezone.localdate(), duration_minutes=30, place_type="LieuActivite",
        venue=w.shared_venue, territory=territory, themes=["Email"], recorded_by=w.outsider)
    w.share = ReportShare.objects.create(label="CAF du Lot", year=timezone.localdate().year, number=1,
                                         created_by=coordinator)
    # Equipment lending (see _lending_state above).
    w.lend_item = ItemFactory(name="Vidéoprojecteur du centre", accessories=["Câble HDMI"])
    w.lend_photo = ItemPhoto(item=w.lend_item, name="photo.png", stored_name="photo-walk.png", size=10,
                             content_type="image/png", is_image=True)
    w.lend_photo.file.save("photo-walk.png", png(), save=True)
    w.lend_kit = KitFactory(name="Kit visio du centre")
    w.lend_reservation = reservation_make(item=w.lend_item, venue=w.shared_venue, requester=w.outsider,
                                          pickup=timezone.localdate(), status="out")
    w.lend_damage = DamagePhoto(reservation=w.lend_reservation, item=w.lend_item, name="casse.png",
                                stored_name="casse-walk.png", size=10, content_type="image/png", is_image=True)
    w.lend_damage.file.save("casse-walk.png", png(), save=True)
    # Files (see _files_state above).
    w.files_drive = drive_of(w.group_space)
    w.files_folder = file_services.folder_create(actor=w.insider, parent_id=root_of(w.files_drive).pk,
                                                 name="Comptes rendus")
    for _version in range(2):
        file_services.files_upload(actor=w.insider, folder_id=w.files_folder.pk,
                                   uploads=[png("affiche.png")])
    w.files_file = SpaceFile.objects.get(folder=w.files_folder, name="affiche.png")
    w.files_version = w.files_file.versions.get(number=1)
    file_services.files_upload(actor=w.insider, folder_id=w.files_folder.pk,
                               uploads=[SimpleUploadedFile("brouillon.txt", b"A jeter.", "text/plain")])
    w.files_trashed = file_services.file_trash(
        actor=w.insider, file_id=SpaceFile.objects.get(folder=w.files_folder, name="brouillon.txt").pk)
    old = file_services.folder_create(actor=w.insider, parent_id=w.files_folder.pk, name="Ancien")
    w.files_trashed_folder = file_services.folder_trash(actor=w.insider, folder_id=old.pk)
    # The resource library (see _resources_state above).
    w.resource = ResourceFactory(title="Fiche : la messagerie", created_by=w.outsider)
    w.resource_file = resource_file_make(resource=w.resource, name="fiche.pdf")
    w.resource_image = resource_file_make(resource=w.resource, name="schema.png", content=png().read(),
                                          content_type="image/png", is_image=True)
    w.resource_image.thumbnail.name = make_thumbnail(w.resource_image.blob.name, content_type="image/png")
    w.resource_image.save(update_fields=["thumbnail"])
    w.res_collection = ResourceCollection.objects.create(owner=w.outsider, name="Mes fiches")
    w.res_collection.items.create(resource=w.resource)
    w.res_report = ResourceReport.objects.create(resource=w.resource, reporter=w.insider, reason="outdated")
    WorkshopKit.objects.create(workshop=w.workshop, resource=w.resource, added_by=coordinator)
    # A public resource with a picture (public site).
    w.public_resource = ResourceFactory(title="Créer son adresse e-mail", visibility="public", created_by=w.outsider)
    w.public_resource_file = resource_file_make(resource=w.public_resource, name="affiche.png",
                                                content=png().read(), content_type="image/png", is_image=True)
    w.public_resource_file.thumbnail.name = make_thumbnail(w.public_resource_file.blob.name, content_type="image/png")
    w.public_resource_file.save(update_fields=["thumbnail"])
    return w


def _login(client, world, persona):
    user = world.user(persona)
    if user is not None:
        client.force_login(user)
    return client


def _check(response, expected, what):
    if isinstance(expected, Redirect):
        assert response.status_code == 302, f"{what}: expected a redirect, got {response.status_code}"
        location = response["Location"]
        if expected.exact:
            assert location == expected.prefix, f"{what}: redirected to {location}, not {expected.prefix}"
        else:
            assert location.startswith(expected.prefix), f"{what}: redirected to {location}, not {expected.prefix}…"
    else:
        assert response.status_code == expected, f"{what}: expected {expected}, got {response.status_code}"


def _cases():
    for key, e in EXPECTATIONS.items():
        for persona in PERSONAS + e.extra_personas:
            yield pytest.param(key, persona, id=f"{key}-{persona}")


def _post_cases():
    for key, e in EXPECTATIONS.items():
        for persona in (e.post_denied or {}):
            yield pytest.param(key, persona, id=f"{key}-{persona}")


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))[^>]*>", re.I)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
_INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I)


def _check_page(response, what):
    """What the strict CSP would block, and Django's empty choice shown to a person."""
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return
    if response.wsgi_request.path.startswith("/cms/"):
        return  # Wagtail's admin: its own markup, under the admin's policy
    html = response.content.decode()
    for name, pattern in (("inline script", _INLINE_SCRIPT), ("inline style", _INLINE_STYLE),
                          ("inline event handler", _INLINE_HANDLER)):
        found = pattern.search(html)
        assert found is None, f"{what}: {name} blocked by the CSP: {html[found.start():found.start() + 120]!r}"
    assert "---------" not in html, f"{what}: a select offers Django's '---------' instead of a prompt"


@pytest.mark.parametrize(("key", "persona"), list(_cases()))
def test_get_route_as_persona(client, world, key, persona):
    e = EXPECTATIONS[key]
    url = reverse(key, kwargs=e.kwargs(world))
    response = _login(client, world, persona).get(url)
    _check(response, e.get[persona], f"GET {url} as {persona}")
    _check_page(response, f"GET {url} as {persona}")


@pytest.mark.parametrize(("key", "persona"), list(_post_cases()))
def test_post_only_route_refuses_persona_and_changes_nothing(client, world, key, persona):
    e = EXPECTATIONS[key]
    url = reverse(key, kwargs=e.kwargs(world))
    before = e.state(world)
    response = _login(client, world, persona).post(url, e.post_data(world))
    _check(response, e.post_denied[persona], f"POST {url} as {persona}")
    assert response.status_code in (302, 403, 404)
    assert e.state(world) == before, f"POST {url} as {persona} changed the data"


def _desk_routes():
    """Expectations whose URL is under /bureau/ (stale ones are reported by another test)."""
    keys = []
    for key, e in EXPECTATIONS.items():
        try:
            url = reverse(key, kwargs=e.kwargs(_FakeWorld()))
        except NoReverseMatch:
            continue
        if url.startswith("/bureau/"):
            keys.append(key)
    return keys


class _FakeWorld:
    """Stands in for the world when only the shape of a URL matters (collection time)."""

    def __getattr__(self, name):
        class _Obj:
            pk = 1
            slug = "un-lieu"
            name = "un-fichier.txt"  # forum:attachment
            stored_name = "un-fichier.txt"  # chat:attachment
            token = "un-jeton"  # agenda:private-feed, ateliers:registration
            code = "ACEFHJKMNP"  # tickets:code

        return _Obj() if name != "invitation_token" else "x"


def test_desk_routes_are_all_declared_behind_the_middleware():
    """Sanity of the two tests below: they do cover the desk."""
    assert {"desk:home", "members:approve", "members:profile"} <= set(_desk_routes())


@pytest.mark.parametrize("key", _desk_routes())
def test_anonymous_on_the_desk_is_sent_to_login_with_next(client, world, key):
    url = reverse(key, kwargs=EXPECTATIONS[key].kwargs(world))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302
        parts = urlsplit(response["Location"])
        assert parts.path == "/compte/login/"
        assert parse_qs(parts.query)["next"] == [url]


def test_login_next_keeps_the_whole_query_string(client):
    """A desk link with several parameters survives the detour through the login page."""
    url = "/bureau/notifications/?filtre=non-lues&page=2"
    response = client.get(url)
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.path == "/compte/login/"
    assert parse_qs(parts.query) == {"next": [url]}


@pytest.mark.parametrize("key", [k for k in _desk_routes() if k != "desk:pending"])
def test_pending_member_on_the_desk_lands_on_the_waiting_page(client, world, key):
    client.force_login(world.pending)
    url = reverse(key, kwargs=EXPECTATIONS[key].kwargs(world))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"] == "/bureau/en-attente/"
    page = client.get(url, follow=True)
    assert page.status_code == 200
    assert page.redirect_chain == [("/bureau/en-attente/", 302)]


@pytest.mark.parametrize("key", [k for k in _desk_routes() if not k.startswith("tickets:")])
def test_a_prescribers_account_on_the_rest_of_the_desk_lands_on_its_vouchers(client, world, key):
    """A partner organisation's account reaches /bureau/tickets/ only (settings.PARTNER_DESK_PREFIXES)."""
    client.force_login(world.prescriber)
    url = reverse(key, kwargs=EXPECTATIONS[key].kwargs(world))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302
        assert response["Location"] == "/bureau/tickets/"


def test_refused_member_on_the_desk_lands_on_the_waiting_page(client, world):
    refused = UserFactory(status=User.Status.REFUSED)
    client.force_login(refused)
    response = client.get("/bureau/notifications/")
    assert response.status_code == 302
    assert response["Location"] == "/bureau/en-attente/"


@pytest.mark.parametrize(
    ("key", "persona"),
    [pytest.param(k, p, id=f"{k}-{p}") for k, e in THIRD_PARTY.items() for p in (*PERSONAS, "editor")],
)
def test_third_party_representative_url(client, world, key, persona):
    entry = THIRD_PARTY[key]
    url = entry.url(world)
    response = _login(client, world, persona).get(url)
    _check(response, entry.expect[persona], f"GET {url} as {persona} ({key})")
