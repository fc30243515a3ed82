"""Benchmark of the desk pages: time and query count as the data grows (`make bench`).

Builds a throw-away test database, fills it at scale 1, 10 and 100 (members of the
venue, notifications, pending requests, invitations, workgroups with members and
activity, follows, 50 venues and 2 venue edits per unit of scale: 5,000 venues at 100;
forum topics and posts; 100 chat messages and one direct conversation per unit),
and requests each page as a local admin who manages a group.
The calendar's pages ("agenda ...") are requested as a member of one workgroup per 5 units
of scale (20 calendars at 100) holding 20 events per unit (2,000 at 100, one in ten weekly,
some of those with a moved and a cancelled occurrence); the member's private feed holds
them all, and is asked again with the ETag of its first answer (304).
The workshops' pages ("ateliers ...") hold 3 workshops per unit of scale (300 at 100, one
in ten a proposal, the others with a session at the venue) and 10 registrations each (3,000
at 100), and one session whose list grows by 10 registrations per unit; the desk pages are
asked by the local admin (who manages the territory's workshops), the public ones anonymously.
The vouchers' and reports' pages ("tickets ...") hold 20 vouchers per unit of scale (2,000 at
100) of a programme of the territory, with modules recorded at the venue and 2 statements per
unit, and 100 activity records per unit (10,000 at 100); asked by the local admin, the shared
report anonymously (`make bench BENCH=tickets`).
The equipment lending pages ("materiel ...") hold 20 items per unit of scale (2,000 at 100,
a kit of two of them per unit) owned by a venue of the territory, 200 past loans per unit
(20,000 at 100) and 10 open reservations per unit (pending, approved, offered, out, overdue,
waiting), all asked by the local admin for the bench venue (`make bench BENCH=materiel`).
The files' pages ("fichiers ...") hold a folder of the territory's space drive with 50 files per
unit of scale (5,000 at 100, one version each, one in five a « compte-rendu ») and 10 subfolders,
and that drive's trash 5 deleted items per unit (4 files and a folder); asked by the local admin,
a member of the territory's space (`make bench BENCH=fichiers`).
The resource library's pages ("ressources ...") hold 50 published resources per unit of scale
(5,000 at 100, one in two public, one in five found by « messagerie »), each with 2 tags and one
author, one in four rated 3 times, and a measured public resource (3 files, 5 steps, equipment
to borrow, 20 ratings); the desk pages asked by the local admin, the public ones anonymously
(`make bench BENCH=ressources`).
Prints the median time of 15 requests and the number of queries; the query count must
not change with the scale.

    python bench/run.py            every page
    python bench/run.py agenda     only the pages whose name holds one of the words given
    python bench/run.py ateliers   the workshops' pages (`make bench BENCH=ateliers`)
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extranet.settings")
os.environ.setdefault("MAILLAGE_ENV_FILE", os.devnull)
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PAGES = [
    ("dashboard", "/bureau/"),
    ("notifications", "/bureau/notifications/"),
    ("membership requests", "/bureau/membres/demandes/"),
    ("invitations", "/bureau/membres/invitations/"),
    ("profile", None),
    ("member directory", "/bureau/membres/"),
    ("activity stream", "/bureau/activite/"),
    ("workgroups", "/bureau/groupes/"),
    ("workgroup page", "group"),
    ("workgroup members", "group-members"),
    ("venue directory", "/annuaire/"),
    ("directory, open now", "/annuaire/?ouvert=1"),
    ("directory map data", "/annuaire/carte.json"),
    ("open data CSV", "/annuaire/export.csv"),
    ("open data JSON", "/annuaire/export.json"),
    ("venue page", "venue"),
    ("venue history", "venue-history"),
    ("forum index", "/bureau/forum/"),
    ("forum category", "forum-category"),
    ("forum topic, page 1", "forum-topic"),
    ("forum topic, last page", "forum-topic-last"),
    ("forum search", "/bureau/forum/recherche/?q=banc"),
    ("chat index", "/bureau/discussions/"),
    ("chat room", "chat-room"),
    ("chat older page (json)", "chat-older"),
    ("chat search", "/bureau/discussions/recherche/?q=banc"),
    ("agenda month", "agenda-month"),
    ("agenda week", "agenda-week"),
    ("agenda list", "/bureau/agenda/liste/"),
    ("agenda feed", "agenda-feed"),
    ("agenda feed, 304", "agenda-feed-304"),
    ("ateliers desk index", "/bureau/ateliers/"),
    ("ateliers catalogue", "/bureau/ateliers/catalogue/"),
    ("ateliers proposals", "/bureau/ateliers/propositions/"),
    ("ateliers requests", "/bureau/ateliers/demandes/"),
    ("ateliers workshop", "ateliers-workshop"),
    ("ateliers session", "ateliers-session"),
    ("ateliers registrations", "ateliers-registrations"),
    ("ateliers results", "/bureau/ateliers/resultats/"),
    ("ateliers my calendar", "/bureau/agenda/liste/"),
    ("ateliers public index", "/ateliers/"),
    ("ateliers public RSS", "/ateliers/flux.rss"),
    ("ateliers public ICS", "/ateliers/ateliers.ics"),
    ("ateliers public page", "ateliers-public-workshop"),
]
# The calendar's pages are asked by the agenda member (see `fill_calendar`).
AGENDA_PAGES = {"agenda month", "agenda week", "agenda list", "agenda feed", "agenda feed, 304"}
# The workshops' pages: the public ones are asked without an account (see `fill_workshops`).
WORKSHOP_PAGES = {name for name, _url in PAGES if name.startswith("ateliers ")}
PUBLIC_WORKSHOP_PAGES = {name for name in WORKSHOP_PAGES if name.startswith("ateliers public ")}


def fill_calendar(scale, member, today):
    """Bring the agenda member to one workgroup per 5 units of scale (at least one: 1, 2 and 20
    calendars at scale 1, 10 and 100) and their calendars to 20 events per unit (2,000 at
    100), spread over 16 weeks around this month: one in ten weekly (20 times, or without
    end for one in fifty), one weekly in ten with a moved and a cancelled occurrence."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from calendar_app import recurrence
    from calendar_app.models import Calendar, Event
    from workgroups import services as workgroup_services
    from workgroups.models import Workgroup

    paris = ZoneInfo("Europe/Paris")
    mine = Workgroup.objects.filter(name__startswith="Agenda du banc")
    for i in range(mine.count(), max(1, scale // 5)):
        workgroup_services.workgroup_create(
            actor=member, name=f"Agenda du banc {i}", purpose="Mesurer l'agenda.",
            visibility=Workgroup.Visibility.PRIVATE, tags=["banc"])
    calendars = list(Calendar.objects.filter(space__workgroup__in=mine).order_by("pk"))
    events = Event.objects.filter(calendar__in=calendars, series__isnull=True)
    first_day = today.replace(day=1) - timedelta(days=42)
    new = []
    for i in range(events.count(), 20 * scale):
        day = first_day + timedelta(days=(i * 37) % 112)
        start = datetime.combine(day, time(8 + i % 10, 30 * (i % 2)), paris)
        rule = ""
        if i % 10 == 0:
            rule = "FREQ=WEEKLY" if i % 50 == 0 else "FREQ=WEEKLY;COUNT=20"
        event = Event(calendar=calendars[i % len(calendars)], title=f"Événement du banc {i}", start=start,
                      end=start + timedelta(hours=1, minutes=30), rrule=rule, location="Salle du banc",
                      description="Un événement pour mesurer l'agenda.", created_by=member)
        event.last_end = recurrence.last_end(event)
        new.append(event)
    Event.objects.bulk_create(new, batch_size=500)
    overrides = []
    for master in Event.objects.filter(pk__in=[e.pk for e in new if e.rrule]).order_by("pk")[::10]:
        moved, cancelled = recurrence.occurrence_starts(master, master.start + timedelta(days=6),
                                                        master.start + timedelta(days=20), limit=2)
        for original, status, shift in ((moved, "confirmed", timedelta(days=1)), (cancelled, "cancelled", None)):
            start = original + (shift or timedelta())
            override = Event(calendar=master.calendar, uid=master.uid, series=master, recurrence_id=original,
                             title=master.title, start=start, end=start + timedelta(hours=1, minutes=30),
                             status=status, location=master.location, created_by=member, sequence=1)
            override.last_end = override.end
            overrides.append(override)
    Event.objects.bulk_create(overrides, batch_size=500)
    Calendar.objects.filter(pk__in=[c.pk for c in calendars]).update(changed_at=timezone.now())
    return len(calendars), events.count(), Event.objects.filter(calendar__in=calendars).count()


def fill_workshops(scale, territory, venue, referent):
    """Bring the workshops to 3 per unit of scale (300 at 100) in the territory, one in ten a
    proposal, the others accepted with a session at the venue (public and staff in turn, over
    the next 60 days) holding 10 registrations (3,000 at 100: visitors, and the local admin on
    one in ten); and the measured session to 10 registrations per unit (waiting past its
    places). Returns (the measured workshop, its session)."""
    from datetime import timedelta

    from django.utils import timezone

    from members.models import User
    from workshops.models import Registration, Session, SessionDate, Workshop

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    mine = Workshop.objects.filter(title__startswith="Atelier du banc")
    first = mine.count()
    workshops = Workshop.objects.bulk_create([
        Workshop(title=f"Atelier du banc {i}", slug=f"atelier-du-banc-{i}", territory=territory,
                 audience="public" if i % 2 else "staff", status="proposed" if i % 10 == 0 else "scheduled",
                 summary="Un atelier pour mesurer les pages.", themes=["Aide aux démarches administratives"],
                 proposed_by=referent)
        for i in range(first, 3 * scale)
    ], batch_size=500)
    sessions = Session.objects.bulk_create([
        Session(workshop=workshop, venue=venue, capacity=12, start=now + timedelta(days=1 + i % 60, hours=2),
                end=now + timedelta(days=1 + i % 60, hours=4), created_by=referent)
        for i, workshop in enumerate(workshops) if workshop.status != "proposed"
    ], batch_size=500)
    SessionDate.objects.bulk_create([SessionDate(session=s, start=s.start, end=s.end) for s in sessions],
                                    batch_size=500)
    registrations = []
    for i, session in enumerate(sessions):
        for j in range(10):
            if j == 0 and i % 10 == 0:
                registrations.append(Registration(session=session, user=referent, kind="member", confirmed_at=now))
            else:
                registrations.append(Registration(session=session, user=None, kind="visitor", name=f"Visiteur {j}",
                                                  email=f"visiteur{i}-{j}@exemple.test", consent_at=now,
                                                  confirmed_at=now))
    Registration.objects.bulk_create(registrations, batch_size=500)
    measured = Workshop.objects.filter(title="Atelier mesuré").first()
    if measured is None:
        measured = Workshop.objects.create(title="Atelier mesuré", territory=territory, audience="public",
                                           status="scheduled", proposed_by=referent)
        start = now + timedelta(days=3)
        session = Session.objects.create(workshop=measured, venue=venue, capacity=20, start=start,
                                         end=start + timedelta(hours=2), created_by=referent)
        SessionDate.objects.create(session=session, start=session.start, end=session.end)
        session.animators.set([referent])
    session = measured.sessions.get()
    held = session.registrations.count()
    start = User.objects.count()
    people = User.objects.bulk_create([
        User(email=f"inscrit-{start + k}@exemple.test", display_name=f"Inscrit {start + k}", territory=territory,
             status=User.Status.APPROVED, password="!")  # no usable password: no hashing cost
        for k in range(10 * scale - held)
    ], batch_size=500)
    Registration.objects.bulk_create([
        Registration(session=session, user=person, kind="member",
                     status="confirmed" if held + k < session.capacity else "waiting",
                     waiting_since=None if held + k < session.capacity else now, confirmed_at=now)
        for k, person in enumerate(people)
    ], batch_size=500)
    return measured, session


def fill_chat(scale, room, author):
    """100 messages per unit of scale in the territory's room (10,000 at 100), with a reaction
    on every tenth, and one direct conversation of the author per unit (100 at 100)."""
    from django.utils import timezone

    from chat.models import Message, Reaction, Room, RoomMember
    from extranet.testing.factories import UserFactory

    now = timezone.now()
    messages = Message.objects.bulk_create([
        Message(room=room, author=author, body=f"Message de banc {i}", html=f"<p>Message de banc {i}</p>",
                created_at=now) for i in range(100 * scale)
    ], batch_size=500)
    Reaction.objects.bulk_create([Reaction(message=m, user=author, emoji="👍") for m in messages[::10]])
    last = Message.objects.filter(room=room).order_by("-id").first()
    Room.objects.filter(pk=room.pk).update(last_message_id=last.pk, last_message_at=last.created_at)
    for _ in range(scale):
        other = UserFactory()
        direct = Room.objects.create(kind=Room.Kind.DIRECT, direct_key=f"{author.pk}-{other.pk}", last_message_at=now)
        RoomMember.objects.bulk_create([RoomMember(room=direct, user=author, is_participant=True),
                                        RoomMember(room=direct, user=other, is_participant=True)])
        message = Message.objects.create(room=direct, author=other, body="Bonjour", html="<p>Bonjour</p>")
        Room.objects.filter(pk=direct.pk).update(last_message_id=message.pk)


def fill_forum(scale, topic, author):
    """50 topics per unit of scale in the category (5,000 at 100), 5 posts more in the topic (500)."""
    from django.utils import timezone

    from forum.models import Post, Topic

    now = timezone.now()
    Topic.objects.bulk_create([
        Topic(category=topic.category, title=f"Sujet du banc {i}", author=author, last_author=author, last_number=1,
              last_post_at=now) for i in range(50 * scale)
    ], batch_size=500)
    last = Topic.objects.get(pk=topic.pk).last_number
    Post.objects.bulk_create([
        Post(topic=topic, number=last + i + 1, author=author, body=f"Réponse de banc {i}", html=f"<p>Réponse {i}</p>",
             created_at=now) for i in range(5 * scale)
    ], batch_size=500)
    Topic.objects.filter(pk=topic.pk).update(last_number=last + 5 * scale, reply_count=last + 5 * scale - 1)


def fill(scale, territory, venue, referent, group):
    from core.models import Notification
    from extranet.testing.factories import PendingUserFactory, UserFactory
    from members.models import Follow, Invitation, hash_token
    from workgroups import services as workgroup_services

    start = Notification.objects.count()
    newcomers = UserFactory.create_batch(3 * scale, territory=territory, venues=[venue])
    for i, person in enumerate(newcomers):
        workgroup_services.workgroup_join(actor=person, workgroup=group)
        Follow.objects.get_or_create(follower=referent, followed=person)
        if i % 3 == 0:
            workgroup_services.workgroup_create(
                actor=person, name=f"Groupe {start}-{i}", purpose="Banc d'essai.", territory=territory,
                tags=["banc", f"t{i}"])
    PendingUserFactory.create_batch(2 * scale, territory=territory, venues=[venue])
    # 50 venues per unit of scale (5,000 at scale 100), every schema field filled.
    from directory.demo import venue_details
    from directory.models import Venue, fold

    Venue.objects.bulk_create([
        Venue(name=f"Lieu {start}-{i}", slug=f"lieu-{start}-{i}", identifier=f"banc-{start}-{i}", territory=territory,
              address=f"{i} rue du Banc", postal_code="46000", city="Cahors", latitude=44.4 + i / 10000,
              longitude=1.4 + i / 10000, search_text=fold(f"Lieu {start}-{i} Cahors 46000"),
              **venue_details(i, f"Lieu {i}", "Cahors"))
        for i in range(50 * scale)
    ], batch_size=500)
    from directory import services as venue_services

    for i in range(2 * scale):
        venue_services.venue_update(actor=referent, venue=venue, data={"summary": f"Version {start}-{i}"})
    Notification.objects.bulk_create(
        [Notification(recipient=referent, verb="member.requested", target_label=f"Personne {start + i}")
         for i in range(10 * scale)]
    )
    from django.utils import timezone

    now = timezone.now()
    Invitation.objects.bulk_create(
        [Invitation(email=f"invite{start}-{i}@exemple.test", territory=territory, invited_by=referent,
                    token_hash=hash_token(f"bench-{start}-{i}"), expires_at=now + timezone.timedelta(days=14))
         for i in range(2 * scale)]
    )


# --- Vouchers, activity records and reports ("tickets ...") ---------------------------------

PAGES += [
    ("tickets list", "/bureau/tickets/liste/"),
    ("tickets venue vouchers", "tickets-venue"),
    ("tickets settlements", "/bureau/tickets/reglements/"),
    ("tickets activity list", "/bureau/activites/"),
    ("tickets report", "tickets-report"),
    ("tickets report CSV", "tickets-report-csv"),
    ("tickets report XLSX", "tickets-report-xlsx"),
    ("tickets shared report", "tickets-shared"),
]
TICKET_PAGES = {name for name, _url in PAGES if name.startswith("tickets ")}
PUBLIC_TICKET_PAGES = {"tickets shared report"}


def fill_tickets(scale, territory, venue, referent, today):
    """Bring the territory's programme (10 modules, at the venue) to 20 vouchers per unit of
    scale (2,000 at 100), voucher i with i % 11 modules recorded at the venue (10: completed),
    2 statements per unit over the uses of the oldest vouchers, and 100 activity records per unit
    (10,000 at 100, one in five collective, each describing one person) over the last 12 months.
    Returns the URLs of the pages that name objects (the local admin asks them)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from extranet.testing.factories import OrganisationFactory, PrescriberSeatFactory, ProgrammeFactory
    from mediation import codes, coop
    from mediation.models import (
        ActivityBeneficiary,
        ActivityRecord,
        Programme,
        ReportShare,
        Settlement,
        Voucher,
        VoucherUse,
    )
    from mediation.scopes import Period, Scope

    now = timezone.now()
    programme = Programme.objects.filter(name="Ticket du banc").first()
    if programme is None:
        programme = ProgrammeFactory(name="Ticket du banc", territory=territory, venues=[venue])
        organisation = OrganisationFactory(name="Mission locale du banc", territory=territory,
                                           programmes=[programme])
        PrescriberSeatFactory(organisation=organisation)
    organisation = programme.organisations.get()
    modules = list(programme.modules.order_by("position"))
    first = programme.vouchers.count()
    vouchers = Voucher.objects.bulk_create([
        Voucher(programme=programme, organisation=organisation, code=codes.generate(),
                valid_from=today - timedelta(days=i % 300), valid_until=today - timedelta(days=i % 300) + timedelta(
                    days=364), first_name=f"Bénéficiaire {i}", age_bracket=coop.AgeBracket.AGE_25_39,
                situation=coop.Situation.JOBSEEKER, commune="Cahors", commune_insee="46042", consent_at=now,
                status="completed" if i % 11 == 10 else "active", modules_done=i % 11,
                completed_at=now if i % 11 == 10 else None)
        for i in range(first, 20 * scale)
    ], batch_size=500)
    VoucherUse.objects.bulk_create([
        VoucherUse(voucher=voucher, module=modules[k], venue=venue, date=voucher.valid_from + timedelta(days=k),
                   duration_minutes=120, recorded_by=referent)
        for voucher in vouchers for k in range(voucher.modules_done)
    ], batch_size=1000)
    done = Settlement.objects.filter(programme=programme).count()
    for k in range(done, 2 * scale):
        settlement = Settlement.objects.create(
            programme=programme, venue=venue, period_start=today - timedelta(days=400 - k),
            period_end=today - timedelta(days=399 - k), created_by=referent,
            paid_at=now if k % 2 else None)
        ids = list(VoucherUse.objects.filter(voucher__programme=programme, settlement__isnull=True)
                   .order_by("pk").values_list("pk", flat=True)[:5])
        VoucherUse.objects.filter(pk__in=ids).update(settlement=settlement, amount=Decimal("15.00"))
        Settlement.objects.filter(pk=settlement.pk).update(total=Decimal("15.00") * len(ids),
                                                          modules_count=len(ids), vouchers_count=1)
    themes = [coop.Theme.EMAIL, coop.Theme.WELFARE, coop.Theme.SECURITY, coop.Theme.EMPLOYMENT, coop.Theme.TAXES]
    ages = [coop.AgeBracket.AGE_18_24, coop.AgeBracket.AGE_40_59, coop.AgeBracket.AGE_70, coop.AgeBracket.UNKNOWN]
    mine = ActivityRecord.objects.filter(notes="banc")
    records = ActivityRecord.objects.bulk_create([
        ActivityRecord(kind=coop.Kind.COLLECTIVE if i % 5 == 0 else coop.Kind.INDIVIDUAL,
                       date=today - timedelta(days=i % 365), duration_minutes=30 + i % 90, venue=venue,
                       territory=territory, themes=[themes[i % 5], themes[(i + 2) % 5]],
                       participants=6 if i % 5 == 0 else 1, title="Atelier du banc" if i % 5 == 0 else "",
                       recorded_by=referent, notes="banc")
        for i in range(mine.count(), 100 * scale)
    ], batch_size=1000)
    ActivityBeneficiary.objects.bulk_create([
        ActivityBeneficiary(record=record, age_bracket=ages[i % 4], gender=coop.Gender.FEMALE if i % 2 else
                            coop.Gender.MALE)
        for i, record in enumerate(records)
    ], batch_size=1000)
    period = Period("year", today.year)
    scope = Scope.of_territory(territory)
    share = ReportShare.objects.filter(label="Financeur du banc").first() or ReportShare.objects.create(
        label="Financeur du banc", territory=territory, period="year", year=today.year, created_by=referent)
    query = f"perimetre={scope.key}&periode={period.kind}&annee={period.year}&numero={period.number}"
    print(f"(tickets: {Voucher.objects.count()} vouchers, {VoucherUse.objects.count()} modules, "
          f"{Settlement.objects.count()} statements, {ActivityRecord.objects.count()} activity records)")
    return {
        "tickets-venue": f"/bureau/tickets/lieux/{venue.pk}/",
        "tickets-report": f"/bureau/rapports/?{query}",
        "tickets-report-csv": f"/bureau/rapports/export.csv?{query}",
        "tickets-report-xlsx": f"/bureau/rapports/export.xlsx?{query}",
        "tickets-shared": share.get_absolute_url(),
    }


# --- Equipment lending ("materiel ...") -------------------------------------------------------

PAGES += [
    ("materiel catalogue", "/bureau/materiel/"),
    ("materiel catalogue, free", "materiel-available"),
    ("materiel item", "materiel-item"),
    ("materiel reservations", "/bureau/materiel/reservations/"),
    ("materiel requests", "/bureau/materiel/demandes/"),
    ("materiel stats", "/bureau/materiel/statistiques/"),
]
MATERIEL_PAGES = {name for name, _url in PAGES if name.startswith("materiel ")}
# The open reservations, in turn (one per unit of scale and status slot): what the item is
# doing now. "overdue" is out with its return date passed; waiting holds nothing.
OPEN_CYCLE = ["pending", "approved", "approved", "out", "pending", "waiting", "offered", "approved", "overdue",
              "pending"]


def fill_materiel(scale, territory, venue, referent, today):
    """Bring the equipment lent in the territory to 20 items per unit of scale (2,000 at 100:
    18 single items and a kit of 2 items per unit), owned by a lending venue of the territory
    (the local admin manages them all), each with 2 accessories; 200 past loans per unit (20,000
    at 100, returned, one in twenty refused or cancelled: no holding booking), one in ten of
    them of the measured item, each returned loan with its two history lines; and 10 open
    reservations per unit (1,000 at 100: pending, approved, offered, out, overdue, waiting,
    each on its own item so that holding bookings never overlap) and one approved kit loan per
    unit. The local admin asks for them all, for the bench venue. Returns the URLs of the pages
    that name objects."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from lending.models import Accessory, Booking, Category, Item, ItemEvent, Kit, Reservation

    paris = ZoneInfo("Europe/Paris")
    now = timezone.now()
    lender = lending_venue(territory)
    categories = list(Category.objects.order_by("position", "pk")) or [Category.objects.create(name="Matériel")]
    singles = Item.objects.filter(inventory_number__startswith="BANC-I-")
    first = singles.count()
    new_items = Item.objects.bulk_create([
        Item(name=f"Vidéoprojecteur du banc {i}", category=categories[i % len(categories)],
             description="Un objet pour mesurer les pages du matériel.", owner_venue=lender, home_venue=lender,
             inventory_number=f"BANC-I-{i:06d}", buffer_before=i % 2, buffer_after=i % 3 % 2,
             auto_approve=i % 4 == 0, status="repair" if i % 50 == 49 else "available",
             condition="good" if i % 7 else "worn", created_by=referent)
        for i in range(first, 18 * scale)
    ], batch_size=500)
    kits_made = Kit.objects.filter(name__startswith="Kit du banc ").count()
    kit_items = Item.objects.bulk_create([
        Item(name=f"Élément de kit du banc {k}-{j}", category=categories[j % len(categories)], owner_venue=lender,
             home_venue=lender, inventory_number=f"BANC-K-{k:05d}-{j}", created_by=referent)
        for k in range(kits_made, scale) for j in range(2)
    ], batch_size=500)
    kits = Kit.objects.bulk_create([Kit(name=f"Kit du banc {k}", owner_venue=lender)
                                    for k in range(kits_made, scale)])
    Kit.items.through.objects.bulk_create([
        Kit.items.through(kit_id=kit.pk, item_id=kit_items[2 * n + j].pk)
        for n, kit in enumerate(kits) for j in range(2)
    ])
    Accessory.objects.bulk_create([
        Accessory(item=item, name=name, position=position)
        for item in [*new_items, *kit_items] for position, name in enumerate(("Câble HDMI", "Sacoche"))
    ], batch_size=1000)
    singles = list(singles.order_by("inventory_number").only("pk", "buffer_before", "buffer_after"))
    measured = singles[0]

    def booking(reservation, item, holds):
        start, end = item.blocked_range(reservation.pickup_date, reservation.return_date)
        return Booking(reservation=reservation, item=item, blocked_start=start, blocked_end=end, holds=holds)

    # Past loans: returned (one in twenty refused or cancelled), nothing held.
    past = Reservation.objects.filter(purpose="Prêt passé du banc")
    done = past.count()
    reservations, items = [], []
    for k in range(done, 200 * scale):
        item = measured if k % 10 == 0 else singles[k % len(singles)]
        pickup = today - timedelta(days=4 + k % 700)
        back = pickup + timedelta(days=2)
        status = "refused" if k % 40 == 19 else "cancelled" if k % 40 == 39 else "returned"
        reservations.append(Reservation(
            item=item, requester=referent, venue=venue, pickup_date=pickup, return_date=back,
            purpose="Prêt passé du banc", status=status, decided_by=referent, decided_at=now,
            created_at=datetime.combine(pickup - timedelta(days=7), time(10), paris),
            handed_over_at=datetime.combine(pickup, time(9), paris) if status == "returned" else None,
            handed_over_by=referent if status == "returned" else None,
            returned_at=datetime.combine(back, time(17), paris) if status == "returned" else None,
            returned_by=referent if status == "returned" else None,
            return_condition="good" if status == "returned" else ""))
        items.append(item)
    reservations = Reservation.objects.bulk_create(reservations, batch_size=1000)
    Booking.objects.bulk_create([booking(r, item, False) for r, item in zip(reservations, items, strict=True)],
                                batch_size=1000)
    ItemEvent.objects.bulk_create([
        ItemEvent(item=item, kind=kind, at=at, actor=referent, reservation=r, condition="good")
        for r, item in zip(reservations, items, strict=True) if r.status == "returned"
        for kind, at in (("handed_over", r.handed_over_at), ("returned", r.returned_at))
    ], batch_size=1000)
    # Open reservations: the k-th on single item k (never two holding bookings on one item).
    current = Reservation.objects.filter(purpose="Prêt en cours du banc")
    done = current.count()
    reservations, items = [], []
    for k in range(done, 10 * scale):
        item = singles[k]
        kind = OPEN_CYCLE[k % len(OPEN_CYCLE)]
        if kind == "out":
            pickup, back = today - timedelta(days=2), today + timedelta(days=3)
        elif kind == "overdue":
            pickup, back = today - timedelta(days=10), today - timedelta(days=3)
        else:
            pickup = today + timedelta(days=3 + k % 60)
            back = pickup + timedelta(days=1 + k % 4)
        status = "out" if kind == "overdue" else kind
        out = status == "out"
        reservations.append(Reservation(
            item=item, requester=referent, venue=venue, pickup_date=pickup, return_date=back,
            purpose="Prêt en cours du banc", status=status, created_at=now - timedelta(days=5),
            decided_by=referent if status in ("approved", "out") else None,
            decided_at=now if status in ("approved", "out") else None,
            waiting_since=now - timedelta(days=3) if status in ("waiting", "offered") else None,
            offer_expires_at=now + timedelta(hours=30) if status == "offered" else None,
            handed_over_at=datetime.combine(pickup, time(9), paris) if out else None,
            handed_over_by=referent if out else None, handover_condition="good" if out else ""))
        items.append(item)
    for n, kit in enumerate(kits):
        pickup = today + timedelta(days=5 + n % 30)
        reservations.append(Reservation(kit=kit, requester=referent, venue=venue, pickup_date=pickup,
                                        return_date=pickup + timedelta(days=1), purpose="Prêt en cours du banc",
                                        status="approved", decided_by=referent, decided_at=now))
        items.append(kit)
    reservations = Reservation.objects.bulk_create(reservations, batch_size=1000)
    bookings = []
    for r, thing in zip(reservations, items, strict=True):
        holds = r.status in Reservation.HOLDING
        if isinstance(thing, Kit):
            bookings += [booking(r, kit_items[2 * kits.index(thing) + j], holds) for j in range(2)]
        else:
            bookings.append(booking(r, thing, holds))
    Booking.objects.bulk_create(bookings, batch_size=1000)
    print(f"(materiel: {Item.objects.count()} items, {Kit.objects.count()} kits, "
          f"{Reservation.objects.count()} reservations, {Booking.objects.filter(holds=True).count()} holding "
          f"bookings, {ItemEvent.objects.count()} history lines)")
    free_from = today + timedelta(days=20)
    return {
        "materiel-available": f"/bureau/materiel/?du={free_from:%Y-%m-%d}&au={free_from + timedelta(days=2):%Y-%m-%d}",
        "materiel-item": measured.get_absolute_url(),
    }


def lending_venue(territory):
    """The territory's venue that lends the bench's equipment (made once)."""
    from directory.models import Venue
    from extranet.testing.factories import VenueFactory

    return Venue.objects.filter(slug="lieu-preteur-du-banc").first() or VenueFactory(
        name="Lieu prêteur du banc", slug="lieu-preteur-du-banc", territory=territory)


# --- Files of the spaces ("fichiers ...") ---------------------------------------------------------

PAGES += [
    ("fichiers folder", "fichiers-folder"),
    ("fichiers folder, page 2", "fichiers-folder-2"),
    ("fichiers index", "/bureau/fichiers/"),
    ("fichiers search", "/bureau/fichiers/recherche/?q=compte"),
    ("fichiers trash", "fichiers-trash"),
]
FILES_PAGES = {name for name, _url in PAGES if name.startswith("fichiers ")}


def fill_files(scale, territory, referent):
    """Bring the measured folder of the territory's space drive (the local admin is a member of
    that space) to 50 files per unit of scale (5,000 at 100, one in five a « compte-rendu »,
    each with one version: rows only, no blob is read by a listing) and 10 subfolders, and its
    trash to 5 deleted items per unit (4 files and a folder holding one file). Returns the URLs
    of the pages that name objects."""
    from datetime import timedelta

    from django.utils import timezone

    from files.models import Drive, File, FileVersion, Folder
    from files.permissions import can_view_drive

    now = timezone.now()
    drive = Drive.objects.select_related("space").get(space=territory.space)
    assert can_view_drive(referent, drive), "the bench's local admin must read the territory's drive"
    root = Folder.objects.get(drive=drive, parent=None)
    measured = Folder.objects.filter(parent=root, name="Dossier du banc").first()
    if measured is None:
        measured = Folder.objects.create(drive=drive, parent=root, name="Dossier du banc", created_by=referent)
        Folder.objects.bulk_create([Folder(drive=drive, parent=measured, name=f"Sous-dossier {k:02d}",
                                           created_by=referent) for k in range(10)])
    kinds = [("pdf", "application/pdf"), ("odt", "application/vnd.oasis.opendocument.text"),
             ("png", "image/png"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             ("txt", "text/plain")]

    def make(folder, names, **trash):
        files = File.objects.bulk_create([
            File(drive=drive, folder=folder, name=name, size=1000 + len(name), content_type=kinds[i % 5][1],
                 is_image=kinds[i % 5][0] == "png", created_by=referent, updated_by=referent,
                 updated_at=now - timedelta(minutes=i), text="Compte rendu de la réunion." if i % 5 == 0 else "",
                 **trash)
            for i, name in names
        ], batch_size=500)
        versions = FileVersion.objects.bulk_create([
            FileVersion(file=file, number=1, blob=f"banc/{file.pk}.{file.name.rsplit('.', 1)[-1]}", size=file.size,
                        content_type=file.content_type, is_image=file.is_image, uploaded_by=referent)
            for file in files
        ], batch_size=500)
        for file, version in zip(files, versions, strict=True):
            file.current = version
        File.objects.bulk_update(files, ["current"], batch_size=500)
        return files

    first = File.objects.filter(folder=measured, deleted_at=None).count()
    make(measured, [(i, f"{'compte-rendu' if i % 5 == 0 else 'document'}-{i:05d}.{kinds[i % 5][0]}")
                    for i in range(first, 50 * scale)])
    trashed = Folder.objects.filter(drive=drive, deleted_at__isnull=False).count()
    for k in range(trashed, scale):
        gone = Folder.objects.create(drive=drive, parent=root, name=f"Ancien dossier {k}", created_by=referent,
                                     deleted_at=now - timedelta(days=k % 30), deleted_by=referent)
        make(gone, [(k, f"ancien-{k}.pdf")], trash_root=gone)
        make(measured, [(5 * k + j, f"supprimé-{k}-{j}.pdf") for j in range(4)],
             deleted_at=now - timedelta(days=k % 30, hours=1), deleted_by=referent)
    Drive.objects.filter(pk=drive.pk).update(used=File.objects.filter(drive=drive).count() * 1000)
    print(f"(fichiers: {File.objects.filter(folder=measured, deleted_at=None).count()} files in the folder, "
          f"{File.objects.count()} files, {FileVersion.objects.count()} versions, "
          f"{Folder.objects.filter(drive=drive, deleted_at__isnull=False).count()} folders and "
          f"{File.objects.filter(drive=drive, deleted_at__isnull=False).count()} files in the trash)")
    return {
        "fichiers-folder": f"/bureau/fichiers/dossiers/{measured.pk}/",
        "fichiers-folder-2": f"/bureau/fichiers/dossiers/{measured.pk}/?page=2",
        "fichiers-trash": f"/bureau/fichiers/corbeille/{drive.pk}/",
    }


# --- The resource library ("ressources ...") ------------------------------------------------------

PAGES += [
    ("ressources library", "/bureau/ressources/"),
    ("ressources library, search", "/bureau/ressources/?q=messagerie"),
    ("ressources resource", "ressources-resource"),
    ("ressources public", "/ressources/"),
    ("ressources public resource", "ressources-public-resource"),
]
RESOURCE_PAGES = {name for name, _url in PAGES if name.startswith("ressources ")}
PUBLIC_RESOURCE_PAGES = {"ressources public", "ressources public resource"}


def fill_resources(scale, territory, referent):
    """Bring the library to 50 published resources per unit of scale (5,000 at 100, one in two
    public, one in five speaking of « messagerie »), each with a theme and a public (2 tags of
    15) and one author (of 20), one in four rated by 3 members; and make once the measured
    resource (public, by the local admin): 3 files, 5 steps, 2 items and a kit to borrow, 20
    ratings with a comment. Returns the URLs of the pages that name it."""
    from datetime import timedelta

    from django.utils import timezone

    from extranet.testing.factories import resource_file_make
    from lending.models import Category, Item, Kit
    from members.models import User
    from resources.models import KitStep, Rating, Resource, ResourceAuthor, Tag

    now = timezone.now()
    people = list(User.objects.filter(email__startswith="auteur-banc-").order_by("pk"))
    if not people:
        people = User.objects.bulk_create([
            User(email=f"auteur-banc-{k}@exemple.test", display_name=f"Autrice du banc {k}", territory=territory,
                 status=User.Status.APPROVED, password="!") for k in range(20)])
    themes = [Tag.objects.get_or_create(kind="theme", slug=f"theme-banc-{k}",
                                        defaults={"name": f"Thème du banc {k}"})[0] for k in range(10)]
    publics = [Tag.objects.get_or_create(kind="public", slug=f"public-banc-{k}",
                                         defaults={"name": f"Public du banc {k}"})[0] for k in range(5)]
    mine = Resource.objects.filter(title__startswith="Fiche du banc ")

    def score(i):  # the 3 ratings of resource i (one in four): « recommandée », or « non recommandée »
        return 1 if i % 8 == 4 else 3

    first = mine.count()
    made = Resource.objects.bulk_create([
        Resource(title=f"Fiche du banc {i}", slug=f"fiche-du-banc-{i}",
                 summary="Prendre en main la messagerie." if i % 5 == 0 else "Accompagner les premiers pas.",
                 body="## Objectif\n\nUne fiche pour mesurer la bibliothèque.",
                 body_html="<h2>Objectif</h2>\n<p>Une fiche pour mesurer la bibliothèque.</p>",
                 status="published", visibility="public" if i % 2 else "members", created_by=people[i % 20],
                 published_at=now - timedelta(minutes=i), updated_at=now - timedelta(minutes=i),
                 rating_count=3 if i % 4 == 0 else 0, rating_sum=3 * score(i) if i % 4 == 0 else 0,
                 search_text=(f"fiche du banc {i} " + ("prendre en main la messagerie" if i % 5 == 0 else
                              "accompagner les premiers pas") + f" thème du banc {i % 10} autrice du banc {i % 20}"))
        for i in range(first, 50 * scale)
    ], batch_size=500)
    through = Resource.tags.through
    through.objects.bulk_create([through(resource_id=r.pk, tag_id=tag.pk) for n, r in enumerate(made, first)
                                 for tag in (themes[n % 10], publics[n % 5])], batch_size=1000)
    ResourceAuthor.objects.bulk_create([ResourceAuthor(resource=r, user=people[n % 20], position=0)
                                        for n, r in enumerate(made, first)], batch_size=1000)
    Rating.objects.bulk_create([
        Rating(resource=r, user=people[(n + 1 + k) % 20], score=score(n), comment="")
        for n, r in enumerate(made, first) if n % 4 == 0 for k in range(3)
    ], batch_size=1000)
    measured = Resource.objects.filter(title="Ressource mesurée").first()
    if measured is None:
        measured = Resource.objects.create(
            title="Ressource mesurée", slug="ressource-mesuree", summary="Un kit d'atelier pour la messagerie.",
            body="## Déroulé\n\nCinq étapes.", body_html="<h2>Déroulé</h2>\n<p>Cinq étapes.</p>",
            status="published", visibility="public", created_by=referent, published_at=now + timedelta(days=1),
            rating_count=20, rating_sum=sum(1 + k % 4 for k in range(20)),
            search_text="ressource mesurée un kit d'atelier pour la messagerie")
        measured.tags.set([themes[0], publics[0]])
        ResourceAuthor.objects.create(resource=measured, user=referent, position=0)
        for name in ("deroule.pdf", "support.odt", "affiche.png"):
            resource_file_make(resource=measured, name=name)
        KitStep.objects.bulk_create([KitStep(resource=measured, position=k, title=f"Étape {k + 1}",
                                             body="Faire.", body_html="<p>Faire.</p>", duration_minutes=15)
                                     for k in range(5)])
        lender = lending_venue(territory)
        category = Category.objects.order_by("position", "pk").first() or Category.objects.create(name="Matériel")
        items = [Item.objects.create(name=f"Tablette de la ressource {k}", category=category, owner_venue=lender,
                                     home_venue=lender, inventory_number=f"BANC-R-{k}", created_by=referent)
                 for k in range(4)]
        kit = Kit.objects.create(name="Kit de la ressource", owner_venue=lender)
        kit.items.set(items[2:])
        measured.equipment_items.set(items[:2])
        measured.equipment_kits.set([kit])
        Rating.objects.bulk_create([Rating(resource=measured, user=people[k], score=1 + k % 4,
                                           comment=f"Avis {k} : utile en atelier.") for k in range(20)])
    print(f"(ressources: {Resource.objects.count()} resources, "
          f"{Resource.objects.filter(visibility='public').count()} public, {Rating.objects.count()} ratings)")
    return {
        "ressources-resource": measured.get_absolute_url(),
        "ressources-public-resource": measured.get_public_url(),
    }


def fetch(client, url, headers=None):
    """GET `url` and read the whole body (a streamed export runs its queries while it is read)."""
    response = client.get(url, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def measure(client, url, status=200, headers=None):
    """(queries, median ms), or None when the page does not answer `status`."""
    response = fetch(client, url, headers)  # warm the per-process caches (content types, site), as a running server has
    if response.status_code != status:
        return None
    connection.queries_log.clear()  # filling may have filled the bounded log: count from empty
    with CaptureQueriesContext(connection) as queries:
        response = fetch(client, url, headers)
    assert response.status_code == status, (url, response.status_code)
    count = len(queries)  # now: the query log is a bounded deque that later requests shift
    timings = []
    for _ in range(15):
        t0 = time.perf_counter()
        fetch(client, url, headers)
        timings.append((time.perf_counter() - t0) * 1000)
    return count, statistics.median(timings)


def main():
    from extranet.testing.factories import TerritoryFactory, UserFactory, VenueFactory

    setup_test_environment()
    # As Django's TestCase does: keep one connection across requests, so queries are counted.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        territory = TerritoryFactory(name="Territoire du banc")
        venue = VenueFactory(territory=territory)
        referent = UserFactory(territory=territory, venues=[venue], referent_of=[territory])
        from workgroups import services as workgroup_services

        group = workgroup_services.workgroup_create(
            actor=referent, name="Groupe du banc", purpose="Mesurer.", territory=territory, tags=["banc"])
        from forum import services as forum_services

        category = forum_services.category_create(actor=referent, space=territory.space, name="Banc")
        forum_topic = forum_services.topic_create(actor=referent, category=category, title="Sujet mesuré",
                                                  body="Un sujet de banc d'essai.")
        from chat import services as chat_services

        chat_room = chat_services.room_for_space(territory.space)
        client = Client()
        client.force_login(referent)
        from django.utils import timezone

        from calendar_app.models import FeedToken

        today = timezone.localdate()
        agenda_member = UserFactory(territory=territory, display_name="Membre de l'agenda")
        feed = FeedToken.objects.create(user=agenda_member)
        agenda_client = Client()
        agenda_client.force_login(agenda_member)
        words = sys.argv[1:]
        pages = [(name, url) for name, url in PAGES if not words or any(word in name for word in words)]
        with_agenda = any(name in AGENDA_PAGES for name, _url in pages)
        with_workshops = any(name in WORKSHOP_PAGES for name, _url in pages)
        with_tickets = any(name in TICKET_PAGES for name, _url in pages)
        with_materiel = any(name in MATERIEL_PAGES for name, _url in pages)
        with_files = any(name in FILES_PAGES for name, _url in pages)
        with_resources = any(name in RESOURCE_PAGES for name, _url in pages)
        with_others = any(name not in AGENDA_PAGES | WORKSHOP_PAGES | TICKET_PAGES | MATERIEL_PAGES | FILES_PAGES
                          | RESOURCE_PAGES for name, _url in pages)
        ticket_urls = {}
        materiel_urls = {}
        files_urls = {}
        resource_urls = {}
        anonymous = Client()
        workshop = workshop_session = None
        print(f"{'page':22} {'scale':>5} {'queries':>8} {'median ms':>10}")
        failures = []
        total = 0
        for scale in (1, 10, 100):
            if with_others:
                fill(scale - total, territory, venue, referent, group)
                fill_forum(scale - total, forum_topic, referent)
                fill_chat(scale - total, chat_room, referent)
            if with_agenda:
                calendars, events, rows = fill_calendar(scale, agenda_member, today)
                print(f"(agenda: {calendars} calendars, {events} events, {rows} rows with the exceptions)")
            if with_workshops:
                workshop, workshop_session = fill_workshops(scale, territory, venue, referent)
                from workshops.models import Registration, Workshop

                print(f"(workshops: {Workshop.objects.count()} workshops, "
                      f"{Registration.objects.count()} registrations)")
            if with_tickets:
                ticket_urls = fill_tickets(scale, territory, venue, referent, today)
            if with_materiel:
                materiel_urls = fill_materiel(scale, territory, venue, referent, today)
            if with_files:
                files_urls = fill_files(scale, territory, referent)
            if with_resources:
                resource_urls = fill_resources(scale, territory, referent)
            total = scale
            last_page = (forum_topic.__class__.objects.get(pk=forum_topic.pk).last_number + 19) // 20
            etag = None
            for name, url in pages:
                url = {
                    None: f"/bureau/membres/{referent.pk}/",
                    "group": group.get_absolute_url(),
                    "group-members": group.get_absolute_url() + "membres/",
                    "venue": venue.get_absolute_url(),
                    "venue-history": f"/bureau/lieux/{venue.pk}/historique/",
                    "forum-category": f"/bureau/forum/categorie/{category.pk}/",
                    "forum-topic": f"/bureau/forum/sujet/{forum_topic.pk}/",
                    "forum-topic-last": f"/bureau/forum/sujet/{forum_topic.pk}/?page={last_page}",
                    "chat-room": f"/bureau/discussions/salon/{chat_room.pk}/",
                    "chat-older": f"/bureau/discussions/salon/{chat_room.pk}/messages.json?before=1000000000",
                    "agenda-month": f"/bureau/agenda/mois/{today.year}/{today.month}/",
                    "agenda-week": f"/bureau/agenda/semaine/{today.year}/{today.month}/{today.day}/",
                    "agenda-feed": f"/agenda/flux/{feed.token}.ics",
                    "agenda-feed-304": f"/agenda/flux/{feed.token}.ics",
                }.get(url, url)
                if workshop is not None:
                    url = {
                        "ateliers-workshop": f"/bureau/ateliers/{workshop.pk}/",
                        "ateliers-session": f"/bureau/ateliers/sessions/{workshop_session.pk}/",
                        "ateliers-registrations": f"/bureau/ateliers/sessions/{workshop_session.pk}/inscrits/",
                        "ateliers-public-workshop": workshop.get_public_url(),
                    }.get(url, url)
                url = ticket_urls.get(url, url)
                url = materiel_urls.get(url, url)
                url = files_urls.get(url, url)
                url = resource_urls.get(url, url)
                asker = agenda_client if name in AGENDA_PAGES else client
                if name in PUBLIC_WORKSHOP_PAGES | PUBLIC_TICKET_PAGES | PUBLIC_RESOURCE_PAGES:
                    asker = anonymous
                status, headers = 200, None
                if name == "agenda feed":
                    etag = fetch(asker, url).headers.get("ETag")
                elif name == "agenda feed, 304":
                    etag = etag or fetch(asker, url).headers.get("ETag")
                    if not etag:
                        print(f"{name:22} {scale:>5}   no ETag in the feed's answer")
                        failures.append(name)
                        continue
                    status, headers = 304, {"If-None-Match": etag}
                try:
                    result = measure(asker, url, status, headers)
                except Exception as error:  # a page that fails (500) is reported, the others still measured
                    print(f"{name:22} {scale:>5}   error {type(error).__name__}: {error}: {url}")
                    failures.append(name)
                    continue
                if result is None:
                    got = fetch(asker, url, headers).status_code
                    print(f"{name:22} {scale:>5}   HTTP {got} (expected {status}): {url}")
                    failures.append(name)
                    continue
                count, median = result
                print(f"{name:22} {scale:>5} {count:>8} {median:>10.1f}")
        if failures:
            print(f"Not measured: {', '.join(sorted(set(failures)))}.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
