import re

import opening_hours as osm_hours
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from directory import hours, schema
from directory.models import Venue
from directory.services import EDITABLE_FIELDS, normalize_phone
from directory.widgets import HoursWidget
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


_TIME_RE = re.compile(r"^\s*(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?::\d{2})?\s*$")


def _time(text):
    """`09:00`, `9:00`, `9h`, `9 h 30` -> `09:00`/`09:30`; None if unreadable."""
    match = _TIME_RE.match(text or "")
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return f"{hour:02d}:{minute:02d}"


class HoursField(forms.Field):
    """Opening hours from the per-day rows (`HoursWidget`) or the raw field; cleans to the OSM value.

    The raw field wins when it was changed (an expert's entry, or French such as
    « lundi 9h-12h »); otherwise the rows make the value. A value the rows cannot show
    (a comment, months...) stays as it was while the rows are left empty.
    """

    widget = HoursWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dict):
            raw, initial = value.get("raw", "").strip(), value.get("initial", "").strip()
            if raw != initial:
                return self.clean_text(raw)
            return self.clean_rows(value, initial)
        return self.clean_text((value or "").strip())

    def clean_text(self, raw):
        if not raw or (len(raw) <= hours.MAX_LENGTH and osm_hours.validate(raw)):
            return raw
        french = hours.value_from_french(raw)
        if french:
            return french
        raise forms.ValidationError(
            _(
                "These opening hours cannot be read: « %(value)s ». Fill in the days above, or write for example "
                "« du lundi au vendredi 9h-12h et 14h-18h » or, in the OpenStreetMap format, « %(example)s »."
            ),
            code="invalid",
            params={"value": raw[:80], "example": hours.EXAMPLE},
        )

    def clean_rows(self, value, initial):
        from django.utils.dates import WEEKDAYS

        messages = []
        schedule = hours.Schedule(days={}, holidays=value.get("holidays") or hours.PH_SAME)
        if schedule.holidays not in (hours.PH_SAME, hours.PH_OFF, hours.PH_HOURS):
            schedule.holidays = hours.PH_SAME
        names = {code: capfirst(str(WEEKDAYS[index])) for index, code in enumerate(hours.DAY_CODES)}
        names["PH"] = str(_("Public holidays"))
        for code in hours.DAY_CODES + ("PH",):
            day = value["days"][code]
            ranges, incomplete = [], False
            for start, end in day["ranges"]:
                if not start and not end:
                    continue
                start_time, end_time = _time(start), _time(end)
                if start_time is None or end_time is None:
                    incomplete = True
                    continue
                ranges.append((start_time, "24:00" if end_time == "00:00" else end_time))
            problems = []
            if incomplete:
                problems.append(str(_("give the start and the end of each range, as 09:00 and 12:00")))
            if code != "PH" and day["closed"] and ranges:
                problems.append(str(_("untick « Closed » or empty its ranges")))
            if code == "PH" and schedule.holidays == hours.PH_HOURS and not ranges and not incomplete:
                problems.append(str(_("give the special hours, or choose another option")))
            problems += hours.range_errors(ranges)
            for problem in problems:
                messages.append(_("%(day)s: %(problem)s.") % {"day": names[code], "problem": problem})
            if code == "PH":
                schedule.holiday_ranges = ranges
            elif not day["closed"]:
                schedule.days[code] = ranges
        if messages:
            raise forms.ValidationError([forms.ValidationError(message, code="rows") for message in messages])
        result = hours.value_from_schedule(schedule)
        if not result and hours.schedule_from_value(initial) is None:
            return initial  # rows left empty under an advanced value: kept as it was
        return result

    def has_changed(self, initial, data):
        try:
            return (self.to_python(data) or "") != (initial or "")
        except forms.ValidationError:
            return True


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
    opening_hours = HoursField(label=_("Opening hours"))
    typology = forms.MultipleChoiceField(
        label=_("Types of structure"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick one or more; the open data writes their codes (ASSO, COMMUNE...)."),
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
            several = len(territories) > 1
            self.fields["territory"] = forms.ModelChoiceField(
                label=_("Territory"),
                queryset=territories,
                empty_label=_("Choose a territory") if several else None,
            )
            self.order_fields(["territory"])
        if not (self.instance and self.instance.photo):
            del self.fields["remove_photo"]
        current = list(self.instance.typology) if self.instance and self.instance.pk else []
        self.fields["typology"].choices = schema.structure_type_choices(extra=current)
        replace_empty_choice_labels(self)
        for field in self.fields.values():
            if field.label:
                field.label = capfirst(field.label)  # « Services », not « services »

    def error_summary(self):
        """[(anchor id, label, message)] for the summary on top of the form; anchor None: no field."""
        items = [(None, None, message) for message in self.non_field_errors()]
        page_order = ["territory"] + [name for _legend, names in SECTIONS for name in names]
        for name in sorted(self.errors, key=lambda n: page_order.index(n) if n in page_order else len(page_order)):
            errors = self.errors[name]
            if name == forms.forms.NON_FIELD_ERRORS or name not in self.fields:
                continue
            bound = self[name]
            widget = bound.field.widget
            if isinstance(widget, HoursWidget):
                raw_error = any(error.code != "rows" for error in errors.as_data())
                anchor = bound.auto_id if raw_error else f"{bound.auto_id}_editor"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                anchor = f"{bound.auto_id}_0"
            else:
                anchor = bound.id_for_label or bound.auto_id
            for message in errors:
                items.append((anchor, capfirst(bound.label), message))
        return items

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


def replace_empty_choice_labels(form):
    """Django's "---------" empty choice becomes a real prompt ("Choose a structure type"...)."""
    prompts = {"typology": _("Choose a structure type"), "territory": _("Choose a territory")}
    for name, field in form.fields.items():
        choices = getattr(field, "choices", None)
        if not choices or isinstance(field, forms.ModelChoiceField):
            continue
        choices = list(choices)
        if choices and choices[0][0] == "" and str(choices[0][1]).strip("-") == "":
            prompt = prompts.get(name, _("Choose an option"))
            field.choices = [("", prompt)] + choices[1:]


def territories_for_new_venue(actor):
    from members import permissions

    ids = permissions.administered_territory_ids(actor)
    territories = Territory.objects.order_by("name")
    return territories if ids is None else territories.filter(pk__in=ids)
