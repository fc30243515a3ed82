"""Equipment lent between the venues of the network.

- An `Item` (a video projector, a tablet, a visio kit, a robot...) belongs to the resource
  centre (`owner_venue` empty) or to a venue, is kept at a home venue (empty: the resource
  centre), has a `Category`, `Accessory` rows (what travels with it, ticked at hand-over and
  return), `ItemPhoto`s, a condition and a status (in service, in repair, retired). Its
  `buffer_before` / `buffer_after` days keep it free around each loan for transport.
- A `Kit` is several items of one owner lent together.
- A `Reservation` asks for an item or a kit, for a borrowing venue, from a pick-up date to a
  return date (both included), for a purpose (a workshop session when it exists). Its
  `Booking` rows, one per item, hold the item's days with the buffers:
  [pickup - buffer_before, return + buffer_after + 1). While the reservation is in a HOLDING
  status its bookings have `holds = True`, and two holding bookings of one item never
  overlap: on PostgreSQL an exclusion constraint (migration 0002), on SQLite the check
  `availability.conflicts` made inside the IMMEDIATE transaction that writes them.
- Hand-over and return write `AccessoryCheck` rows and `ItemEvent`s (the item's history:
  every loan, every condition change, repairs).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.uploads import StoredFile

USER = settings.AUTH_USER_MODEL
VENUE = "directory.Venue"
MAX_BUFFER_DAYS = 14


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Condition(models.TextChoices):
    NEW = "new", pgettext_lazy("equipment condition", "As new")
    GOOD = "good", pgettext_lazy("equipment condition", "Good")
    WORN = "worn", pgettext_lazy("equipment condition", "Worn, works")
    DAMAGED = "damaged", pgettext_lazy("equipment condition", "Damaged")
    BROKEN = "broken", pgettext_lazy("equipment condition", "Out of order")


class Item(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("equipment status", "In service")
        REPAIR = "repair", pgettext_lazy("equipment status", "In repair")
        RETIRED = "retired", pgettext_lazy("equipment status", "Retired")

    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("category"))
    description = models.TextField(_("description"), blank=True)
    # Empty: the resource centre's (its managers are the coordinators).
    owner_venue = models.ForeignKey(VENUE, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="owned_equipment", verbose_name=_("owner"))
    # Where it is kept between loans. Empty: at the resource centre.
    home_venue = models.ForeignKey(VENUE, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="kept_equipment", verbose_name=_("kept at"))
    inventory_number = models.CharField(_("inventory number"), max_length=40, unique=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices, default=Condition.GOOD)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    notes = models.TextField(_("notes"), blank=True)
    may_leave_venue = models.BooleanField(_("may leave its venue"), default=True)
    auto_approve = models.BooleanField(_("approve requests automatically"), default=False)
    buffer_before = models.PositiveSmallIntegerField(_("days kept free before a loan"), default=0,
                                                     validators=[MaxValueValidator(MAX_BUFFER_DAYS)])
    buffer_after = models.PositiveSmallIntegerField(_("days kept free after a loan"), default=0,
                                                    validators=[MaxValueValidator(MAX_BUFFER_DAYS)])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["status", "category"], name="lending_item_status_cat"),
            models.Index(fields=["name"], name="lending_item_name"),
        ]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("materiel:item", args=[self.pk])

    @property
    def is_bookable(self) -> bool:
        return self.status == self.Status.AVAILABLE

    def blocked_range(self, pickup: date, return_date: date) -> tuple[date, date]:
        """The days a loan from `pickup` to `return_date` (included) keeps: [start, end)."""
        return (pickup - timedelta(days=self.buffer_before), return_date + timedelta(days=self.buffer_after + 1))


class Accessory(models.Model):
    """What travels with an item (charger, remote, cable, case), ticked at hand-over and return."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="accessories")
    name = models.CharField(_("accessory"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


def photo_path(instance: models.Model, filename: str) -> str:
    now = timezone.now()
    return f"lending/{now:%Y/%m}/{instance.stored_name}"  # type: ignore[attr-defined]


class ItemPhoto(StoredFile):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=300)

    class Meta(StoredFile.Meta):
        pass


class Kit(models.Model):
    """Items of one owner lent together (a visio kit: camera, microphone, screen)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    owner_venue = models.ForeignKey(VENUE, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="owned_kits", verbose_name=_("owner"))
    items = models.ManyToManyField(Item, related_name="kits", verbose_name=_("items"))
    auto_approve = models.BooleanField(_("approve requests automatically"), default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("materiel:kit", args=[self.pk])


class Reservation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("loan status", "Awaiting approval")
        OFFERED = "offered", pgettext_lazy("loan status", "Slot offered")
        WAITING = "waiting", pgettext_lazy("loan status", "On the waiting list")
        APPROVED = "approved", pgettext_lazy("loan status", "Approved")
        OUT = "out", pgettext_lazy("loan status", "Handed over")
        RETURNED = "returned", pgettext_lazy("loan status", "Returned")
        REFUSED = "refused", pgettext_lazy("loan status", "Refused")
        CANCELLED = "cancelled", pgettext_lazy("loan status", "Cancelled")
        EXPIRED = "expired", pgettext_lazy("loan status", "Offer expired")

    # A reservation in one of these keeps its items' days (its bookings hold).
    HOLDING = (Status.PENDING, Status.OFFERED, Status.APPROVED, Status.OUT)
    # Still to come or under way (lists "in progress").
    OPEN = (Status.PENDING, Status.OFFERED, Status.WAITING, Status.APPROVED, Status.OUT)

    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, null=True, blank=True, related_name="reservations")
    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="equipment_reservations")
    venue = models.ForeignKey(VENUE, on_delete=models.PROTECT, related_name="equipment_reservations",
                              verbose_name=_("for the venue"))
    pickup_date = models.DateField(_("pick-up date"))
    return_date = models.DateField(_("return date"))
    purpose = models.TextField(_("purpose"), blank=True)
    session = models.ForeignKey("workshops.Session", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="equipment_reservations", verbose_name=_("workshop session"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Waiting list: the order, and the offer made when the period frees.
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    # Approval or refusal.
    decided_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    cancelled_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # Hand-over.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handed_to = models.CharField(max_length=150, blank=True)  # who took it, as written on the form
    handover_condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    handover_note = models.TextField(blank=True)
    # Return.
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    return_condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    damage_note = models.TextField(blank=True)
    renewals = models.PositiveSmallIntegerField(default=0)
    # Periodic messages, each claimed once (a conditional UPDATE) before it is sent.
    pickup_reminded_at = models.DateTimeField(null=True, blank=True)
    return_reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pickup_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(return_date__gte=models.F("pickup_date")),
                                   name="lending_reservation_dates"),
            models.CheckConstraint(condition=(Q(item__isnull=False, kit__isnull=True)
                                              | Q(item__isnull=True, kit__isnull=False)),
                                   name="lending_reservation_item_or_kit"),
        ]
        indexes = [
            models.Index(fields=["status", "pickup_date"], name="lending_res_status_pickup"),
            models.Index(fields=["status", "return_date"], name="lending_res_status_return"),
            models.Index(fields=["requester", "status"], name="lending_res_requester"),
        ]

    def __str__(self) -> str:
        from lending.dates import period_text

        # "Vidéoprojecteur 3, du 17 au 19 décembre 2026": the label of the loan's notifications.
        return f"{self.subject}, {period_text(self.pickup_date, self.return_date)}"

    def get_absolute_url(self) -> str:
        return reverse("materiel:reservation", args=[self.pk])

    @property
    def subject(self) -> Item | Kit:
        return self.item if self.item_id else self.kit  # type: ignore[return-value]

    @property
    def days(self) -> int:
        return (self.return_date - self.pickup_date).days + 1

    @property
    def is_holding(self) -> bool:
        return self.status in self.HOLDING

    def is_overdue(self, today: date | None = None) -> bool:
        return self.status == self.Status.OUT and self.return_date < (today or timezone.localdate())


class Booking(models.Model):
    """One item's days held by a reservation, buffers included: [blocked_start, blocked_end)."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="bookings")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="bookings")
    blocked_start = models.DateField()
    blocked_end = models.DateField()  # exclusive
    holds = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reservation", "item"], name="lending_booking_unique"),
            models.CheckConstraint(condition=Q(blocked_end__gt=models.F("blocked_start")),
                                   name="lending_booking_range"),
        ]
        indexes = [models.Index(fields=["item", "holds", "blocked_start", "blocked_end"], name="lending_booking_item")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.blocked_start} – {self.blocked_end}"


class AccessoryCheck(models.Model):
    """An accessory present or missing at the hand-over (`out`) or the return (`back`)."""

    class Moment(models.TextChoices):
        OUT = "out", _("Hand-over")
        BACK = "back", _("Return")

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="accessory_checks")
    accessory = models.ForeignKey(Accessory, on_delete=models.CASCADE, related_name="checks")
    moment = models.CharField(max_length=4, choices=Moment.choices)
    present = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reservation", "accessory", "moment"],
                                               name="lending_accessory_check_unique")]

    def __str__(self) -> str:
        return f"{self.accessory_id} {self.moment}: {self.present}"


def damage_path(instance: models.Model, filename: str) -> str:
    now = timezone.now()
    return f"lending/damage/{now:%Y/%m}/{instance.stored_name}"  # type: ignore[attr-defined]


class DamagePhoto(StoredFile):
    """A photo of damage found at a return (or at the hand-over)."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="damage_photos")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="damage_photos")
    file = models.FileField(upload_to=damage_path, max_length=300)

    class Meta(StoredFile.Meta):
        pass


class ItemEvent(models.Model):
    """A line of an item's history."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("equipment history", "Added to the catalogue")
        EDITED = "edited", pgettext_lazy("equipment history", "Details changed")
        CONDITION = "condition", pgettext_lazy("equipment history", "Condition changed")
        HANDED_OVER = "handed_over", pgettext_lazy("equipment history", "Handed over")
        RETURNED = "returned", pgettext_lazy("equipment history", "Returned")
        REPAIR_START = "repair_start", pgettext_lazy("equipment history", "Sent to repair")
        REPAIR_END = "repair_end", pgettext_lazy("equipment history", "Back from repair")
        RETIRED = "retired", pgettext_lazy("equipment history", "Retired")
        NOTE = "note", pgettext_lazy("equipment history", "Note")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reservation = models.ForeignKey(Reservation, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="events")
    condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "at"], name="lending_event_item_at")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.at:%Y-%m-%d}"
