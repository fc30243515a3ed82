"""Venues (lieux de médiation numérique) and their revisions.

Every column of the national schema « Lieux de médiation numérique » (v1.0.2) is a typed
field here (`directory.schema.COLUMNS` maps columns to fields; lists are `PipeListField`s),
plus what the network needs: territory, equipment on site, photo. Animators attached to a
venue are `members.User.venues` (related name `members`).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory import schema
from directory.fields import PipeListField
from directory.hours import validate_opening_hours


def new_identifier():
    return f"lieu-{uuid.uuid4().hex[:16]}"


def fold(text):
    from members.selectors import fold as fold_text

    return fold_text(text)


class Venue(models.Model):
    identifier = models.CharField(
        _("identifier"),
        max_length=100,
        unique=True,
        default=new_identifier,
        help_text=_("The venue's identifier in the national open data (column id). Never reused."),
    )
    pivot = models.CharField(
        _("SIRET or RNA number"),
        max_length=14,
        blank=True,
        validators=[RegexValidator(schema.PIVOT_RE, _("A SIRET or RNA number has 9 to 14 letters or digits."))],
        help_text=_("Leave empty if unknown: the export then writes 00000000000000, as the national map does."),
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    territory = models.ForeignKey(
        "members.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="venues",
    )
    address = models.CharField(_("address"), max_length=255)
    address_complement = models.CharField(_("address complement"), max_length=255, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        db_index=True,
        validators=[RegexValidator(schema.POSTAL_CODE_RE, _("A postal code has five digits, for example 46000."))],
    )
    insee_code = models.CharField(
        _("INSEE code"),
        max_length=5,
        blank=True,
        validators=[
            RegexValidator(schema.INSEE_CODE_RE, _("An INSEE code has five characters, for example 46042 or 2A004."))
        ],
    )
    city = models.CharField(_("city"), max_length=150, db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    typology = PipeListField(
        _("types of structure"),
        help_text=_("The kinds of structure that run the venue (association, municipality, library...)."),
    )
    phone = models.CharField(
        _("phone"),
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(schema.PHONE_RE, _("Write the number in international format, for example +33565123456."))
        ],
    )
    emails = PipeListField(_("e-mail addresses"), help_text=_("One per line."))
    websites = PipeListField(_("websites"), help_text=_("One address per line: website, social networks."))
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=500,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_("OpenStreetMap format, for example « Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off »."),
    )
    summary = models.CharField(_("summary"), max_length=schema.SUMMARY_MAX_LENGTH, blank=True)
    description = models.TextField(_("detailed presentation"), blank=True)
    source = models.CharField(_("source of the data"), max_length=200, blank=True)
    itinerance = PipeListField(_("fixed or mobile"), vocabulary=schema.Itinerance)
    parent_structure = models.CharField(_("parent structure"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)
    services = PipeListField(_("services"), vocabulary=schema.Service)
    publics = PipeListField(_("publics specifically addressed"), vocabulary=schema.Public)
    specific_support = PipeListField(_("specific support"), vocabulary=schema.SpecificSupport)
    fees = PipeListField(_("fees"), vocabulary=schema.Fee)
    national_programmes = PipeListField(_("national programmes"), vocabulary=schema.NationalProgramme)
    training_labels = PipeListField(_("trainings and labels"), vocabulary=schema.TrainingLabel)
    other_labels = models.CharField(_("other trainings and labels"), max_length=500, blank=True)
    access_modes = PipeListField(_("how to come"), vocabulary=schema.AccessMode)
    support_modes = PipeListField(_("kinds of support"), vocabulary=schema.SupportMode)
    accessibility_url = models.URLField(_("acceslibre page"), max_length=500, blank=True)
    appointment_url = models.URLField(_("online appointment page"), max_length=500, blank=True)
    # What the network adds to the national schema.
    equipment = PipeListField(_("equipment on site"), vocabulary=schema.Equipment)
    photo = models.ImageField(_("photo"), upload_to="venues/", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Name, city, postal code and summary folded (case and accents ignored), for search.
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self):
        return f"{self.name} ({self.city})"

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join((self.name, self.city, self.postal_code, self.address, self.summary)))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("public_directory:detail", kwargs={"slug": self.slug})

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def is_free(self):
        return schema.Fee.FREE in self.fees

    def clean(self):
        errors = {}
        email_check = EmailValidator()
        url_check = URLValidator(schemes=["http", "https"])
        for field, check, message in (
            ("emails", email_check, _("« %(value)s » is not a valid e-mail address.")),
            ("websites", url_check, _("« %(value)s » is not a web address (https://...).")),
        ):
            for value in getattr(self, field):
                try:
                    check(value)
                except ValidationError:
                    errors.setdefault(field, []).append(ValidationError(message, params={"value": value[:100]}))
        for value in self.typology:
            if not schema.TYPOLOGY_RE.match(value):
                errors.setdefault("typology", []).append(
                    ValidationError(
                        _("« %(value)s » is not a structure type code (letters, digits and _, such as ASSO)."),
                        params={"value": value[:60]},
                    )
                )
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        elif self.latitude is not None:
            errors.update(coordinates_errors(self.latitude, self.longitude))
        if errors:
            raise ValidationError(errors)


def coordinates_errors(latitude, longitude):
    """Coordinates outside France (and its overseas territories) are refused; swapped ones are named."""
    lat, lon = float(latitude), float(longitude)
    if not (-90 <= lat <= 90):
        if -90 <= lon <= 90 and schema.in_france(lon, lat):
            return {
                "latitude": _("Latitude and longitude seem swapped: latitude %(lat)s, longitude %(lon)s.")
                % {"lat": lon, "lon": lat}
            }
        return {"latitude": _("A latitude lies between -90 and 90.")}
    if not (-180 <= lon <= 180):
        return {"longitude": _("A longitude lies between -180 and 180.")}
    if schema.in_france(lat, lon):
        return {}
    if schema.in_france(lon, lat):
        return {
            "latitude": _(
                "Latitude and longitude seem swapped: the venue would be at latitude %(lat)s, "
                "longitude %(lon)s, which is in France."
            )
            % {"lat": lon, "lon": lat}
        }
    return {
        "latitude": _("These coordinates (%(lat)s, %(lon)s) are outside France and its overseas territories.")
        % {"lat": lat, "lon": lon}
    }


class VenueRevision(models.Model):
    """One edit of a venue, wiki-style: who, when, what changed, and the full record after it."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("venue revision", "Creation")
        EDITED = "edited", pgettext_lazy("venue revision", "Edit")
        IMPORTED = "imported", pgettext_lazy("venue revision", "Import")
        RESTORED = "restored", pgettext_lazy("venue revision", "Restoration")

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("venue"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.EDITED)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    # The venue's editable fields after this revision (directory.services.snapshot).
    data = models.JSONField(_("record"), default=dict)
    # [{"field": name, "before": value, "after": value}] against the previous revision.
    changes = models.JSONField(_("changes"), default=list)
    restored_from = models.ForeignKey(
        "self",
        verbose_name=_("restored from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["venue", "-created_at", "-id"], name="venue_revision_recent")]
        verbose_name = _("venue revision")
        verbose_name_plural = _("venue revisions")

    def __str__(self):
        return f"{self.venue_id} @ {self.created_at:%Y-%m-%d %H:%M}"
