"""The public forms of /ateliers/: the agenda's filters (GET) and a visitor's registration.

The filters are GET parameters, so a search is a plain link (bookmarks, pagination, the
feeds): `lieu` (a venue's slug), `territoire` (a territory's slug), `theme` (a service of
the national schema), `public` (a public of the schema), `du` and `au` (days, both
included). An unknown or malformed value is ignored: the agenda always answers.

The registration form: name, an e-mail or a phone, a short note, consent to the privacy
notice, a honeypot (`website.spam`), and a limit per IP address (`core.ratelimit`).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import ratelimit
from directory import schema
from website import spam

# A registration per address: this many posts an hour.
RATE_LIMIT = 10
RATE_WINDOW = 60 * 60
PARAMS = ("lieu", "territoire", "theme", "public", "du", "au")


class AgendaFilterForm(forms.Form):
    lieu = forms.ChoiceField(label=_("Venue"), required=False)
    territoire = forms.ChoiceField(label=_("Territory"), required=False)
    theme = forms.ChoiceField(label=pgettext_lazy("workshop", "Theme"), required=False)
    public = forms.ChoiceField(label=_("For whom"), required=False)
    du = forms.DateField(label=pgettext_lazy("dates of the agenda", "From"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=pgettext_lazy("dates of the agenda", "To"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any, *, venues: list, territories: list) -> None:
        super().__init__(data)
        self.venues = {venue.slug: venue for venue in venues}
        self.territories = {territory.slug: territory for territory in territories}
        self.fields["lieu"].choices = [("", _("All venues"))] + [
            (venue.slug, f"{venue.name} ({venue.city})" if venue.city else venue.name) for venue in venues]
        self.fields["territoire"].choices = [("", _("All territories"))] + [
            (territory.slug, territory.name) for territory in territories]
        self.fields["theme"].choices = [("", _("All themes")), *schema.Service.choices]
        self.fields["public"].choices = [("", _("Everyone")), *schema.Public.choices]

    def selector_kwargs(self) -> dict[str, Any]:
        """The filters that are valid (the others ignored), for `public.public_sessions`."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        start, end = data.get("du"), data.get("au")
        return {
            "venue": self.venues.get(data.get("lieu") or ""),
            "territory": self.territories.get(data.get("territoire") or ""),
            "theme": data.get("theme") or None,
            "public": data.get("public") or None,
            "start": start,
            "end": end if end is None or start is None or end >= start else start,
        }

    def query_string(self) -> str:
        """The valid filters as a query string ("" when none): for the feeds and the pages."""
        kwargs = self.selector_kwargs()
        pairs = [
            ("lieu", kwargs["venue"].slug if kwargs["venue"] else ""),
            ("territoire", kwargs["territory"].slug if kwargs["territory"] else ""),
            ("theme", kwargs["theme"] or ""),
            ("public", kwargs["public"] or ""),
            ("du", kwargs["start"].isoformat() if kwargs["start"] else ""),
            ("au", kwargs["end"].isoformat() if kwargs["end"] else ""),
        ]
        return urlencode([(key, value) for key, value in pairs if value])

    @property
    def filtered(self) -> bool:
        return bool(self.query_string())


def rate_limited(request: Any) -> bool:
    """Count one registration post from the request's address; True past the limit."""
    digest = hashlib.sha256(f"workshops-register|{spam.client_address(request)}".encode()).hexdigest()
    return ratelimit.hit(f"workshops:register:{digest}", limit=RATE_LIMIT, window=RATE_WINDOW)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    note = forms.CharField(label=_("A word for the animator (optional)"), required=False, max_length=500,
                           help_text=_("For example: “I need a large screen”."),
                           widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(label=_("I agree that my details are kept to manage this registration."),
                                 error_messages={"required": _("Tick the box to agree: without it we cannot "
                                                               "keep your registration.")})

    def __init__(self, *args: Any, rate_limited: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rate_limited = rate_limited
        self.fields["name"].error_messages["required"] = _("Give your name.")
        self.fields["email"].error_messages["invalid"] = _("This e-mail address is not valid.")
        self.fields[spam.HONEYPOT_FIELD] = forms.CharField(
            label=spam.HONEYPOT_LABEL, required=False, max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def visible_fields(self) -> list:
        return [field for field in super().visible_fields() if field.name != spam.HONEYPOT_FIELD]

    @property
    def honeypot(self) -> Any:
        return self[spam.HONEYPOT_FIELD]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give your name."), code="required")
        return name

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = [char for char in phone if char.isdigit()]
        if phone and (len(digits) < 6 or any(not (char.isdigit() or char in " .-+()") for char in phone)):
            raise ValidationError(_("This phone number is not valid."), code="invalid")
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        honeypot = cleaned_data.pop(spam.HONEYPOT_FIELD, "")
        if self.rate_limited:
            raise ValidationError(_("Too many registrations were sent from your connection in the last hour. "
                                    "Nothing was saved: try again later, or call the venue."), code="rate_limited")
        if honeypot:
            raise ValidationError(_("Your registration was not sent: a field meant to catch robots was filled in "
                                    "(some browsers do it on their own). Check the form and send it again."),
                                  code="honeypot")
        if not self.errors and not cleaned_data.get("email") and not cleaned_data.get("phone"):
            raise ValidationError(_("Give an e-mail address or a phone number, so that we can reach you."),
                                  code="contact")
        return cleaned_data
