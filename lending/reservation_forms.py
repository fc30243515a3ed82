"""Forms of the reservation pages: they parse what was typed; `lending.reservations` validates
and decides (dates, availability, who may ask, approve, cancel or renew)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from lending.reservations import PURPOSE_MAX, REASON_MAX

DATE_WIDGET = {"type": "date"}


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"))


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = date_format(localtime(obj.start), "j F Y")
        place = f" – {obj.venue.name}" if obj.venue_id else ""
        return f"{obj} ({when}){place}"


class ReserveForm(forms.Form):
    venue = forms.ModelChoiceField(label=_("For the venue"), queryset=None, empty_label=_("Choose a venue"))
    pickup_date = _date_field(_("Pick-up date"))
    return_date = _date_field(_("Return date"))
    purpose = forms.CharField(
        label=_("What is it for?"), required=False, max_length=PURPOSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a workshop on video calls, a public presentation."),
    )
    session = SessionChoiceField(
        label=_("Workshop session (optional)"), queryset=None, required=False,
        empty_label=_("No workshop session"),
    )

    def __init__(self, *args: Any, venues: QuerySet[Any], sessions: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        venue_field = self.fields["venue"]
        session_field = self.fields["session"]
        assert isinstance(venue_field, forms.ModelChoiceField)
        assert isinstance(session_field, forms.ModelChoiceField)
        venue_field.queryset = venues
        session_field.queryset = sessions
        choices = list(venues[:2])
        self.venue_count = len(choices)
        if self.venue_count == 1:
            venue_field.empty_label = None
            if not self.is_bound:
                self.initial.setdefault("venue", choices[0].pk)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you refuse?"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The borrower reads it: e.g. the equipment is needed here that week."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RenewForm(forms.Form):
    return_date = _date_field(_("New return date"))
