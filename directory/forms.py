from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Venue
from directory.services import EDITABLE_FIELDS


class VenueForm(forms.ModelForm):
    # An address typed without a scheme ("www.mairie.fr") is taken as https.
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Venue
        fields = list(EDITABLE_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
