"""The contact form: Wagtail's form builder plus the checks of `website.spam`."""

from django import forms
from django.core.exceptions import ValidationError
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from website import spam

MULTILINE_MAX_LENGTH = 5000
# Labels (clean names) of fields that ask for the person's name: the browser may fill them
# (WCAG 1.3.5, identify input purpose).
NAME_FIELDS = {"nom", "name", "votre_nom", "nom_complet", "nom_et_prenom", "prenom_et_nom"}


class SpamProtectedForm(BaseForm):
    """A form-builder form with a honeypot, a signed display time and a rate limit.

    `rate_limited=True` (decided by the page, which counts posts) refuses the form with
    a message. The spam fields never reach `cleaned_data`, so they are neither stored
    with the submission nor e-mailed.
    """

    def __init__(self, *args, rate_limited=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rate_limited = rate_limited
        self.fields[spam.HONEYPOT_FIELD] = forms.CharField(
            label=spam.HONEYPOT_LABEL,
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
        self.fields[spam.TIMESTAMP_FIELD] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=spam.timestamp_token
        )

    def visible_fields(self):
        # The honeypot is rendered on its own, hidden from people (see contact_page.html).
        return [field for field in super().visible_fields() if field.name != spam.HONEYPOT_FIELD]

    @property
    def honeypot(self):
        return self[spam.HONEYPOT_FIELD]

    def _replace_data(self, name, value):
        """Render `name` with `value` next time (the rest of what was typed is kept)."""
        self.data = self.data.copy()
        self.data[name] = value

    def clean(self):
        cleaned_data = super().clean()
        honeypot = cleaned_data.pop(spam.HONEYPOT_FIELD, "")
        cleaned_data.pop(spam.TIMESTAMP_FIELD, None)
        if self.rate_limited:
            raise ValidationError(spam.MESSAGES["rate_limited"], code="rate_limited")
        if honeypot:
            self._replace_data(spam.HONEYPOT_FIELD, "")
            raise ValidationError(spam.MESSAGES["honeypot"], code="honeypot")
        problem = spam.timestamp_problem(self.data.get(spam.TIMESTAMP_FIELD))
        if problem == "expired":
            self._replace_data(spam.TIMESTAMP_FIELD, spam.timestamp_token())
        if problem:
            raise ValidationError(spam.MESSAGES[problem], code=problem)
        return cleaned_data


class ContactFormBuilder(FormBuilder):
    def create_singleline_field(self, field, options):
        form_field = super().create_singleline_field(field, options)
        if (field.clean_name or field.get_field_clean_name()) in NAME_FIELDS:
            form_field.widget.attrs["autocomplete"] = "name"
        return form_field

    def create_multiline_field(self, field, options):
        options["max_length"] = MULTILINE_MAX_LENGTH
        return super().create_multiline_field(field, options)

    def create_email_field(self, field, options):
        form_field = super().create_email_field(field, options)
        form_field.widget.attrs["autocomplete"] = "email"
        return form_field

    def get_form_class(self):
        return type("ContactForm", (SpamProtectedForm,), self.formfields)
