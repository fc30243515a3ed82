from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Venue
from directory.services import EDITABLE_FIELDS, normalize_phone
from members.models import Territory

PHOTO_MAX_BYTES = 5 * 1024 * 1024

# The form's sections, as fieldsets (legend, fields).
SECTIONS = (
    (_("Identity"), ("name", "pivot", "typology", "parent_structure", "source", "itinerance")),
    (
        _("Address and location"),
        ("address", "address_complement", "postal_code", "city", "insee_code", "latitude", "longitude"),
    ),
    (
        _("Contact and opening hours"),
        ("phone", "emails", "websites", "opening_hours", "appointment_url", "accessibility_url"),
    ),
    (_("Presentation"), ("summary", "description", "photo", "remove_photo")),
    (
        _("Offer"),
        (
            "services",
            "publics",
            "specific_support",
            "fees",
            "access_modes",
            "support_modes",
            "national_programmes",
            "training_labels",
            "other_labels",
        ),
    ),
    (_("For the network"), ("equipment",)),
)


class VenueForm(forms.ModelForm):
    """Every field of a venue; `base_revision` detects an edit made by someone else meanwhile."""

    # Addresses typed without a scheme ("www.mairie.fr") are taken as https.
    accessibility_url = forms.URLField(
        label=_("acceslibre page"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=_("The venue's page on acceslibre.beta.gouv.fr, which describes its accessibility."),
    )
    appointment_url = forms.URLField(
        label=_("online appointment page"), required=False, assume_scheme="https", max_length=500
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Venue
        fields = [field for field in EDITABLE_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def __init__(self, *args, territories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if territories is not None:
            self.fields["territory"] = forms.ModelChoiceField(
                label=_("Territory"),
                queryset=territories,
                empty_label=None,
            )
            self.order_fields(["territory"])
        if not (self.instance and self.instance.photo):
            del self.fields["remove_photo"]

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_websites(self):
        return [url if "://" in url else f"https://{url}" for url in self.cleaned_data["websites"]]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "size") and getattr(photo, "content_type", None) and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The photo weighs more than 5 MB: choose a lighter image."))
        return photo

    def service_data(self):
        """What to pass to `venue_create` / `venue_update`."""
        data = {field: self.cleaned_data[field] for field in EDITABLE_FIELDS if field in self.cleaned_data}
        if self.cleaned_data.get("remove_photo") and not self.files.get("photo"):
            data["photo"] = ""
        return data

    def sections(self):
        names = set(self.fields)
        result = []
        for legend, fields in SECTIONS:
            bound = [self[name] for name in fields if name in names]
            if bound:
                result.append((legend, bound))
        return result


def territories_for_new_venue(actor):
    from members import permissions

    ids = permissions.administered_territory_ids(actor)
    territories = Territory.objects.order_by("name")
    return territories if ids is None else territories.filter(pk__in=ids)
