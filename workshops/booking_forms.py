"""Forms of the desk's registration pages: light, the services validate (`booking.py`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.booking import NAME_MAX, NOTE_MAX


class OnSiteForm(forms.Form):
    """A person registered at the venue by a host: a name, and a phone or an e-mail if they have one."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False,
                            help_text=_("So that the venue can call them if the session changes."))
    email = forms.EmailField(
        label=_("E-mail address"), required=False,
        help_text=_("If they have one: they will receive the confirmation and the link to cancel."),
    )
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False,
                           help_text=_("For example: needs a large screen."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "off", "inputmode": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "off"})


class OfferAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])
