"""Test factories, in one place for every app."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils.text import slugify

from core.spaces import space_create
from directory.models import Venue
from members.models import Territory, User
from members.services import territory_insert
from workgroups.spaces import WORKGROUP

PASSWORD = "un-mot-de-passe-solide-42"


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A territory with its space (made as members.services.territory_create makes it); the
    territory of that slug when it exists."""

    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Territoire {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Territory.Kind.PAYS

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        existing = model_class.objects.filter(slug=kwargs["slug"]).first()
        if existing is not None:
            return existing
        return territory_insert(model_class(*args, **kwargs))


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Espace numérique {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    territory = factory.SubFactory(TerritoryFactory)
    address = "1 place de la Mairie"
    postal_code = "46000"
    city = "Cahors"


class UserFactory(factory.django.DjangoModelFactory):
    """An approved member with a verified e-mail address, in a territory."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"membre{n}@exemple.test")
    display_name = factory.Sequence(lambda n: f"Membre {n}")
    territory = factory.SubFactory(TerritoryFactory)
    status = User.Status.APPROVED
    # Pass `password=...` to set another one.
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def venues(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.venues.set(extracted)

    @factory.post_generation
    def referent_of(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.referent_territories.set(extracted)

    @factory.post_generation
    def site_editor(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get_or_create(name="Editors")[0])


class PendingUserFactory(UserFactory):
    status = User.Status.PENDING


class CoordinatorFactory(UserFactory):
    """A coordinator, with the "Coordination" group that opens territories and venues at /cms/."""

    is_coordinator = True

    @factory.post_generation
    def coordination_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name="Coordination")[0])


# --- Workgroups ---------------------------------------------------------------------------
# Made directly, without the services: no activity entry, no notification. Models are named
# by label so that this module does not import the workgroups app at load time.


def _days_from_now(days):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=days)


class WorkgroupSpaceFactory(factory.django.DjangoModelFactory):
    """A workgroup's space, made through core.spaces.space_create (its modules receive it)."""

    class Meta:
        model = "core.Space"

    kind = WORKGROUP

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return space_create(kwargs["kind"])


class WorkgroupFactory(factory.django.DjangoModelFactory):
    """An active public group open to all, with its own space.

    `managers=[...]` and `members=[...]` add memberships, `tags=[...]` sets the tags. A
    secret group gets the invitation-only policy it requires unless told otherwise.
    """

    class Meta:
        model = "workgroups.Workgroup"
        skip_postgeneration_save = True

    space = factory.SubFactory(WorkgroupSpaceFactory)
    name = factory.Sequence(lambda n: f"Groupe de travail {n}")
    purpose = "Partager nos pratiques de médiation numérique."
    visibility = "public"
    join_policy = factory.LazyAttribute(lambda o: "invitation" if o.visibility == "secret" else "open")
    status = "active"

    @factory.post_generation
    def managers(obj, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                MembershipFactory(workgroup=obj, user=user, role="manager")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                MembershipFactory(workgroup=obj, user=user, role="member")

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workgroups.Membership"

    workgroup = factory.SubFactory(WorkgroupFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


class JoinRequestFactory(factory.django.DjangoModelFactory):
    """A pending request to join."""

    class Meta:
        model = "workgroups.JoinRequest"

    workgroup = factory.SubFactory(WorkgroupFactory, join_policy="request")
    user = factory.SubFactory(UserFactory)
    status = "pending"


class GroupInvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation, valid 14 days (pass `expires_at` in the past for an expired one)."""

    class Meta:
        model = "workgroups.GroupInvitation"

    workgroup = factory.SubFactory(WorkgroupFactory)
    user = factory.SubFactory(UserFactory)
    invited_by = None
    status = "pending"
    expires_at = factory.LazyFunction(lambda: _days_from_now(14))


def grant_admin(user, *, model_permissions=()):
    """Let `user` reach Wagtail's admin (/cms/), with the Django permissions named
    `(app_label, codename suffix)`, e.g. ("directory", "_venue"): what a test needs to show
    that the service behind an admin view still decides."""
    from django.contrib.auth.models import Permission

    group = Group.objects.create(name=f"Admin access of {user.pk}")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for app_label, suffix in model_permissions:
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__endswith=suffix))
    user.groups.add(group)
    return user


# --- Calendar (by label, as above) ----------------------------------------------------------------


def network_calendar():
    from calendar_app.models import Calendar
    from members.spaces import network_space

    return Calendar.objects.get(space=network_space())


def _next_morning(days=7, hour=10):
    """`days` from today at `hour` o'clock in Paris (aware)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), ZoneInfo("Europe/Paris"))


class CalendarCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calendar_app.Category"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Catégorie {n}")
    color = "green"


class EventFactory(factory.django.DjangoModelFactory):
    """A one-hour event of the network's calendar, a week from now at 10 h (Paris).

    Give `rrule="FREQ=WEEKLY;COUNT=10"` for a series; `last_end` is computed as the services do."""

    class Meta:
        model = "calendar_app.Event"

    calendar = factory.LazyFunction(network_calendar)
    title = factory.Sequence(lambda n: f"Réunion {n}")
    start = factory.LazyFunction(_next_morning)
    end = factory.LazyAttribute(lambda o: o.start + __import__("datetime").timedelta(hours=1))
    tz = "Europe/Paris"
    created_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from calendar_app import recurrence

        event = model_class(*args, **kwargs)
        event.last_end = recurrence.last_end(event)
        event.save()
        return event


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "calendar_app.Attendee"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    response = "pending"


# --- Workshops (by label, as above) ---------------------------------------------------------------


class WorkshopFactory(factory.django.DjangoModelFactory):
    """An accepted workshop for the network's staff; give `status=` and `audience="public"`."""

    class Meta:
        model = "workshops.Workshop"

    title = factory.Sequence(lambda n: f"Atelier {n}")
    summary = "Un atelier entre animateurs du réseau."
    audience = "staff"
    status = "accepted"
    level = "beginner"
    duration_minutes = 120
    proposed_by = factory.SubFactory(UserFactory)


class SessionFactory(factory.django.DjangoModelFactory):
    """A session of 10 places a week from now, 10 h to 12 h (Paris), with that one date.

    `dates=[(start, end), ...]` makes a cycle (several dates; start and end follow them);
    `animators=[user, ...]` sets who leads it."""

    class Meta:
        model = "workshops.Session"
        skip_postgeneration_save = True

    workshop = factory.SubFactory(WorkshopFactory)
    capacity = 10
    start = factory.LazyFunction(_next_morning)
    end = factory.LazyAttribute(lambda o: o.start + __import__("datetime").timedelta(hours=2))
    tz = "Europe/Paris"

    @classmethod
    def _create(cls, model_class, *args, dates=None, **kwargs):
        from workshops.models import SessionDate

        if dates:
            kwargs["start"] = min(start for start, _end in dates)
            kwargs["end"] = max(end for _start, end in dates)
        session = model_class(*args, **kwargs)
        session.save()
        for start, end in dates or [(session.start, session.end)]:
            SessionDate.objects.create(session=session, start=start, end=end)
        return session

    @factory.post_generation
    def animators(self, create, extracted, **kwargs):
        if create and extracted:
            self.animators.set(extracted)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A member's confirmed registration; give `user=None, kind="visitor", name=, email=` for a visitor."""

    class Meta:
        model = "workshops.Registration"

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    kind = "member"
    status = "confirmed"


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "workshops.Demand"

    title = factory.Sequence(lambda n: f"Demande {n}")
    created_by = factory.SubFactory(UserFactory)


# --- Vouchers, activity records, reports (mediation, by label) -----------------------------------


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A network programme: 10 modules of 2 h ("Module 1"...), 150 € per completed voucher,
    12 months + 30 days; `venues=[...]` sets the participating venues."""

    class Meta:
        model = "mediation.Programme"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ticket déclic {n}")
    funders = "Conseil départemental"
    amount = __import__("decimal").Decimal("150.00")

    @factory.post_generation
    def modules(self, create, extracted, **kwargs):
        from mediation.models import ProgrammeModule

        if create:
            count = 10 if extracted is None else extracted
            ProgrammeModule.objects.bulk_create(
                ProgrammeModule(programme=self, position=i, title=f"Module {i}") for i in range(1, count + 1)
            )

    @factory.post_generation
    def venues(self, create, extracted, **kwargs):
        if create and extracted:
            self.venues.set(extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A prescribing organisation; `programmes=[...]` sets what it prescribes."""

    class Meta:
        model = "mediation.Organisation"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mission locale {n}")
    kind = "mission_locale"

    @factory.post_generation
    def programmes(self, create, extracted, **kwargs):
        if create and extracted:
            self.programmes.set(extracted)


class PartnerUserFactory(UserFactory):
    """A partner organisation's account (outside the network), without territory."""

    status = User.Status.PARTNER
    territory = None


class PrescriberSeatFactory(factory.django.DjangoModelFactory):
    """A prescriber: a partner account (give `user=` for a member) in an organisation."""

    class Meta:
        model = "mediation.PrescriberSeat"

    user = factory.SubFactory(PartnerUserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class VoucherFactory(factory.django.DjangoModelFactory):
    """An active voucher issued today, valid 12 months, to "Camille" (25-39, jobseeker)."""

    class Meta:
        model = "mediation.Voucher"

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.LazyFunction(lambda: __import__("mediation.codes", fromlist=["generate"]).generate())
    valid_from = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["x"]).localdate())
    valid_until = factory.LazyAttribute(
        lambda o: __import__("mediation.validity", fromlist=["valid_until"]).valid_until(o.programme, o.valid_from)
    )
    first_name = "Camille"
    age_bracket = "VingtCinqTrenteNeuf"
    situation = "SansEmploi"
    commune = "Cahors"
    commune_insee = "46042"
    consent_at = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["x"]).now())


class ActivityRecordFactory(factory.django.DjangoModelFactory):
    """A manual individual record of 30 min at a venue, today, theme e-mail."""

    class Meta:
        model = "mediation.ActivityRecord"

    kind = "Individuel"
    date = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["x"]).localdate())
    duration_minutes = 30
    place_type = "LieuActivite"
    venue = factory.SubFactory(VenueFactory)
    territory = factory.LazyAttribute(lambda o: o.venue.territory if o.venue else None)
    themes = factory.LazyFunction(lambda: ["Email"])
    recorded_by = factory.SubFactory(UserFactory)


# --- Equipment lending ------------------------------------------------------------------------


class EquipmentCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "lending.Category"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Catégorie {n}")


class ItemFactory(factory.django.DjangoModelFactory):
    """An item of the resource centre (give `owner_venue=` for a venue's), in service, no buffers.

    `accessories=["Chargeur", "Télécommande"]` adds its accessories."""

    class Meta:
        model = "lending.Item"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Vidéoprojecteur {n}")
    category = factory.SubFactory(EquipmentCategoryFactory, name="Vidéoprojecteurs")
    inventory_number = factory.Sequence(lambda n: f"MAT-{n:05d}")

    @factory.post_generation
    def accessories(self, create, extracted, **kwargs):
        if create and extracted:
            from lending.models import Accessory

            for position, name in enumerate(extracted):
                Accessory.objects.create(item=self, name=name, position=position)


class KitFactory(factory.django.DjangoModelFactory):
    """A kit of the resource centre; `items=[item, ...]` (default: two new items of the same owner)."""

    class Meta:
        model = "lending.Kit"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Kit visio {n}")

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [ItemFactory(owner_venue=self.owner_venue) for _ in range(2)]
        self.items.set(extracted)


def reservation_make(*, item=None, kit=None, venue=None, requester=None, pickup=None, return_date=None,
                     status="approved", **fields):
    """A reservation with its bookings, consistent with the rules (`holds` follows the status),
    written directly (no check: use the services to test them). Dates default to a week from
    today for three days; `venue` to a new venue; `requester` to a member working there."""
    from datetime import timedelta

    from django.utils import timezone

    from lending.models import Booking, Reservation

    if item is None and kit is None:
        item = ItemFactory()
    pickup = pickup or timezone.localdate() + timedelta(days=7)
    return_date = return_date or pickup + timedelta(days=2)
    if venue is None:
        venue = VenueFactory()
    if requester is None:
        requester = UserFactory()
        requester.venues.add(venue)
    reservation = Reservation.objects.create(item=item, kit=kit, venue=venue, requester=requester,
                                             pickup_date=pickup, return_date=return_date, status=status, **fields)
    items = [item] if item is not None else list(kit.items.all())
    holds = status in Reservation.HOLDING
    for one in items:
        start, end = one.blocked_range(pickup, return_date)
        Booking.objects.create(reservation=reservation, item=one, blocked_start=start, blocked_end=end, holds=holds)
    return reservation


# --- Files and resource library ------------------------------------------------------------


def drive_of(space):
    """The drive of `space` (made with the space: files.registrations)."""
    from files.models import Drive

    return Drive.objects.get(space=space)


def root_of(drive):
    from files.models import Folder

    return Folder.objects.get(drive=drive, parent=None)


def folder_make(*, parent, name=None, user=None):
    """A live folder under `parent` (a Folder), written directly."""
    from files.models import Folder

    name = name or f"Dossier {Folder.objects.count() + 1}"
    return Folder.objects.create(drive_id=parent.drive_id, parent=parent, name=name, created_by=user)


def file_make(*, folder, name="compte-rendu.txt", content=b"Compte rendu de la reunion.\n", user=None,
              content_type="text/plain", is_image=False, versions=1, text=""):
    """A live file of `versions` versions in `folder`, written directly (no check: use the
    services to test them). Each version's bytes are `content` (+ its number after the first);
    the drive's `used` grows by their sizes."""
    import hashlib
    import uuid

    from django.core.files.base import ContentFile
    from django.db.models import F

    from files.models import Drive, File, FileVersion

    file = File.objects.create(drive_id=folder.drive_id, folder=folder, name=name, created_by=user, updated_by=user,
                               content_type=content_type, is_image=is_image, text=text)
    total = 0
    version = None
    for number in range(1, versions + 1):
        data = content if number == 1 else content + str(number).encode()
        version = FileVersion(file=file, number=number, size=len(data), content_type=content_type,
                              is_image=is_image, sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user)
        ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
        version.blob.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        version.save()
        total += len(data)
    file.current = version
    file.size = version.size
    file.save(update_fields=["current", "size"])
    Drive.objects.filter(pk=folder.drive_id).update(used=F("used") + total)
    return file


class ResourceTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "resources.Tag"
        django_get_or_create = ("kind", "slug")

    kind = "theme"
    name = factory.Sequence(lambda n: f"Thème {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published resource of the network's members; its maker is its first author
    (`authors=[...]` to name others)."""

    class Meta:
        model = "resources.Resource"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Fiche pratique {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = "Une fiche pour accompagner les premiers pas."
    body = "## Objectif\n\nPrendre en main la messagerie."
    body_html = "<h2>Objectif</h2>\n<p>Prendre en main la messagerie.</p>"
    status = "published"
    visibility = "members"
    created_by = factory.SubFactory(UserFactory)
    published_at = factory.LazyFunction(lambda: __import__("django.utils.timezone", fromlist=["now"]).now())
    search_text = factory.LazyAttribute(lambda o: f"{o.title} {o.summary} {o.body}".lower())

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        from resources.models import ResourceAuthor

        people = extracted if extracted is not None else ([self.created_by] if self.created_by_id else [])
        ResourceAuthor.objects.bulk_create(
            [ResourceAuthor(resource=self, user=user, position=index) for index, user in enumerate(people)])


def resource_file_make(*, resource, name="fiche.pdf", content=b"%PDF-1.4\n%fake\n", content_type="application/pdf",
                       is_image=False, text=""):
    """A file of `resource`, written directly."""
    import uuid

    from django.core.files.base import ContentFile

    from resources.models import ResourceFile

    file = ResourceFile(resource=resource, name=name, size=len(content), content_type=content_type,
                        is_image=is_image, text=text, position=resource.files.count())
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    file.blob.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
    file.save()
    return file
