"""Venues (lieux de médiation numérique).

Field names follow the national schema « Lieux de médiation numérique » (v1.0.2) in
English; the directory issue adds the remaining schema fields, import and export.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)  # nom
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    territory = models.ForeignKey(
        "members.Territory", verbose_name=_("territory"), on_delete=models.PROTECT,
        related_name="venues",
    )
    address = models.CharField(_("address"), max_length=255)  # adresse
    address_complement = models.CharField(_("address complement"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5)  # code_postal
    insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True)  # code_insee
    city = models.CharField(_("city"), max_length=150)  # commune
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)  # telephone
    email = models.EmailField(_("e-mail address"), blank=True)  # courriels
    website = models.URLField(_("website"), blank=True)  # site_web
    summary = models.CharField(_("summary"), max_length=280, blank=True)  # presentation_resume
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)  # date_maj

    class Meta:
        ordering = ["name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self):
        return f"{self.name} ({self.city})"
