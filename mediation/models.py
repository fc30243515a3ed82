"""Initiation vouchers ("ticket déclic"), activity records and reports for funders.

- A `Programme` (the ticket déclic) has `ProgrammeModule`s (10 × 2 h by default), its
  participating venues (directory), its payment rule and validity. Coordinators run it
  (local admins too for a programme of their territory).
- A prescribing `Organisation` (Mission locale, CAF...) has prescriber accounts
  (`PrescriberSeat`): a user whose only role is to issue and follow the vouchers of their
  organisation. An account made for a prescriber has `User.status = partner`: it reaches
  only `/bureau/tickets/` (members.permissions.is_partner).
- A `Voucher` is issued to a beneficiary (a first name or pseudonym, age bracket, commune,
  situation; consent recorded) with a code that cannot be guessed. A `VoucherUse` records
  one module attended at a venue (each module once: unique (voucher, module)). A voucher is
  complete when every module is done.
- A `Settlement` is what a venue is owed for a period: the uses it settles point to it
  (`VoucherUse.settlement`), each with its amount; it is marked paid when paid.
- An `ActivityRecord` is one accompaniment in the Coop de la médiation numérique's shape
  (`mediation.coop`): by hand, from a voucher module, or from a workshop session's date
  (kept in step with its attendance sheet). `ActivityBeneficiary` rows describe the people
  when they are known.
- A `ReportShare` is a revocable read-only link to a report, for a funder.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory.fields import PipeListField
from mediation import coop

USER = settings.AUTH_USER_MODEL


class Programme(models.Model):
    class PaymentRule(models.TextChoices):
        PER_VOUCHER = "voucher", _("An amount per completed voucher")
        PER_MODULE = "module", _("An amount per module attended")

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    # None: the whole network's programme (coordinators run it); else this territory's
    # local admins run it too.
    territory = models.ForeignKey(
        "members.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="voucher_programmes",
        verbose_name=_("territory"),
    )
    funders = models.CharField(
        _("funders"), max_length=300, blank=True,
        help_text=_("Who pays, as the statements should name them, e.g. Conseil départemental du Lot, CAF."),
    )
    payment_rule = models.CharField(
        _("payment rule"), max_length=10, choices=PaymentRule.choices, default=PaymentRule.PER_VOUCHER
    )
    amount = models.DecimalField(
        _("amount (€)"), max_digits=8, decimal_places=2, default=Decimal("150.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"), default=12)
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=30)
    venues = models.ManyToManyField(
        "directory.Venue", blank=True, related_name="voucher_programmes", verbose_name=_("participating venues")
    )
    is_active = models.BooleanField(_("vouchers may be issued"), default=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("voucher programme")
        verbose_name_plural = _("voucher programmes")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tickets:programme", args=[self.pk])


class ProgrammeModule(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"), blank=True, max_length=2000)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["programme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="mediation_module_position_unique"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Organisation(models.Model):
    """A prescribing partner: it hands out vouchers to the people it follows."""

    class Kind(models.TextChoices):
        MISSION_LOCALE = "mission_locale", _("Mission locale")
        CAF = "caf", _("CAF")
        FRANCE_TRAVAIL = "france_travail", _("France Travail")
        CCAS = "ccas", _("Town social services (CCAS)")
        DEPARTEMENT = "departement", _("Département social services")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    territory = models.ForeignKey(
        "members.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("territory"),
    )
    programmes = models.ManyToManyField(
        Programme, blank=True, related_name="organisations", verbose_name=_("programmes it prescribes")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("prescribing organisation")
        verbose_name_plural = _("prescribing organisations")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class PrescriberSeat(models.Model):
    """`user` issues and follows `organisation`'s vouchers (one organisation per account)."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="prescriber_seat")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="seats")
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("prescriber")
        verbose_name_plural = _("prescribers")

    def __str__(self):
        return f"{self.user} ({self.organisation})"


class Voucher(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("voucher status", "In progress")
        COMPLETED = "completed", pgettext_lazy("voucher status", "Completed")
        EXPIRED = "expired", pgettext_lazy("voucher status", "Expired")
        CANCELLED = "cancelled", pgettext_lazy("voucher status", "Cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="vouchers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vouchers")
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # mediation.codes: at least 10 characters of an alphabet without look-alikes, stored
    # without separators ("K7MPRT4WXC"), shown in groups ("K7MP-RT4W-XC").
    code = models.CharField(_("code"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_at = models.DateTimeField(default=timezone.now, editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)  # cancelled
    # Beneficiary: only what the reports need.
    first_name = models.CharField(_("first name or pseudonym"), max_length=80)
    age_bracket = models.CharField(
        _("age"), max_length=30, choices=coop.AgeBracket.choices, default=coop.AgeBracket.UNKNOWN
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    commune_insee = models.CharField(_("commune INSEE code"), max_length=5, blank=True)
    situation = models.CharField(
        _("situation"), max_length=20, choices=coop.Situation.choices, default=coop.Situation.UNKNOWN
    )
    consent_at = models.DateTimeField(_("consent recorded at"))
    # Erased: the first name and commune are replaced, the counts stay (mediation.vouchers).
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Claimed by the expiry warning (30 days before the end): sent once.
    expiry_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    modules_done = models.PositiveSmallIntegerField(default=0, editable=False)  # denormalised

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["programme", "status", "valid_until"]),
        ]

    def __str__(self):
        return self.display_code

    def get_absolute_url(self) -> str:
        return reverse("tickets:voucher", args=[self.pk])

    @property
    def display_code(self) -> str:
        from mediation.codes import display

        return display(self.code)


class Settlement(models.Model):
    """What a venue is owed by a programme for a period; its uses point to it."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="settlements")
    venue = models.ForeignKey("directory.Venue", on_delete=models.PROTECT, related_name="voucher_settlements")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))  # included
    total = models.DecimalField(_("amount (€)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    vouchers_count = models.PositiveIntegerField(_("vouchers"), default=0)
    modules_count = models.PositiveIntegerField(_("modules"), default=0)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    paid_at = models.DateTimeField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["-period_end", "venue__name", "-pk"]
        indexes = [models.Index(fields=["programme", "venue", "period_end"])]

    def __str__(self):
        return f"{self.venue} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:settlement", args=[self.pk])


class VoucherUse(models.Model):
    """One module of a voucher, attended at a venue on a date (each module once)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="uses")
    module = models.ForeignKey(ProgrammeModule, on_delete=models.PROTECT, related_name="uses")
    venue = models.ForeignKey("directory.Venue", on_delete=models.PROTECT, related_name="voucher_uses")
    date = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    settlement = models.ForeignKey(
        Settlement, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses"
    )
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)  # set when settled

    class Meta:
        verbose_name = _("module attended")
        verbose_name_plural = _("modules attended")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["voucher", "module"], name="mediation_use_module_once"),
        ]
        indexes = [models.Index(fields=["venue", "date"])]

    def __str__(self):
        return f"{self.voucher} · {self.module}"


class ActivityRecord(models.Model):
    """One accompaniment, in the shape of the Coop de la médiation numérique."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by hand")
        WORKSHOP = "workshop", _("Workshop session")
        VOUCHER = "voucher", _("Voucher module")

    kind = models.CharField(_("type"), max_length=12, choices=coop.Kind.choices, default=coop.Kind.INDIVIDUAL)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    date = models.DateField(_("date"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), validators=[MinValueValidator(1)])
    place_type = models.CharField(
        _("place"), max_length=15, choices=coop.PlaceType.choices, default=coop.PlaceType.VENUE
    )
    venue = models.ForeignKey(
        "directory.Venue", null=True, blank=True, on_delete=models.SET_NULL, related_name="activity_records",
        verbose_name=_("venue"),
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)  # at home, elsewhere
    commune_insee = models.CharField(_("commune INSEE code"), max_length=5, blank=True)
    # Denormalised for the reports: the venue's territory, else the recorder's.
    territory = models.ForeignKey(
        "members.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    themes = PipeListField(_("themes"), vocabulary=coop.Theme)
    level = models.CharField(_("level"), max_length=15, choices=coop.Level.choices, blank=True)  # collective
    autonomy = models.CharField(_("autonomy"), max_length=25, choices=coop.Autonomy.choices, blank=True)
    equipment = PipeListField(_("equipment used"), vocabulary=coop.Equipment)
    title = models.CharField(_("workshop title"), max_length=200, blank=True)  # collective
    redirected_to = models.CharField(_("redirected to"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    # Collective: how many took part (the beneficiaries described are at most that many).
    participants = models.PositiveIntegerField(_("participants"), default=1)
    recorded_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="activity_records", verbose_name=_("mediator")
    )
    # Where it comes from, when not by hand (one record per session date, per voucher module).
    # A date removed from its session takes its record with it (it did not take place).
    session_date = models.OneToOneField(
        "workshops.SessionDate", null=True, blank=True, on_delete=models.CASCADE, related_name="activity_record"
    )
    voucher_use = models.OneToOneField(
        VoucherUse, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity_record"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["date", "territory"]),
            models.Index(fields=["venue", "date"]),
            models.Index(fields=["recorded_by", "date"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("activites:record", args=[self.pk])


class ActivityBeneficiary(models.Model):
    """A person accompanied, when described (anonymous: no first name)."""

    record = models.ForeignKey(ActivityRecord, on_delete=models.CASCADE, related_name="beneficiaries")
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    gender = models.CharField(_("gender"), max_length=15, choices=coop.Gender.choices, default=coop.Gender.UNKNOWN)
    age_bracket = models.CharField(
        _("age"), max_length=30, choices=coop.AgeBracket.choices, default=coop.AgeBracket.UNKNOWN
    )
    situation = models.CharField(
        _("situation"), max_length=20, choices=coop.Situation.choices, default=coop.Situation.UNKNOWN
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    commune_insee = models.CharField(_("commune INSEE code"), max_length=5, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)

    class Meta:
        verbose_name = _("person accompanied")
        verbose_name_plural = _("people accompanied")
        ordering = ["record_id", "pk"]

    def __str__(self):
        return self.first_name or self.get_age_bracket_display()


def new_share_token() -> str:
    return secrets.token_urlsafe(24)


class ReportShare(models.Model):
    """A read-only link to a report (its scope and period), for a funder; revocable."""

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        SEMESTER = "semester", _("Semester")
        YEAR = "year", _("Year")

    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    label = models.CharField(_("for whom"), max_length=150, help_text=_("E.g. CAF du Lot, semester report"))
    # The scope: one venue, one territory, or (both empty) the whole network.
    venue = models.ForeignKey("directory.Venue", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        "members.Territory", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.SEMESTER)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number"), default=1)  # month 1-12, quarter 1-4, semester 1-2
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    views = models.PositiveIntegerField(default=0, editable=False)
    last_viewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("shared report")
        verbose_name_plural = _("shared reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(venue__isnull=True) | Q(territory__isnull=True), name="mediation_share_one_scope"
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("rapports-partages:report", args=[self.token])
