"""Workshop forms: they parse what was typed; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import md_toolbar_labels
from directory import schema
from workshops import services
from workshops.models import Workshop


def duration_text(minutes: int) -> str:
    """"45 min", "1 h", "1 h 30", "1 day"."""
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours, rest = divmod(minutes, 60)
    if not hours:
        return gettext("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return gettext("%(hours)d h") % {"hours": hours}
    return gettext("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


DURATIONS = (30, 45, 60, 90, 120, 150, 180, 210, 240, 300, 360, 420, 480, 1440)


def duration_choices(current: int | None = None) -> list[tuple[int, str]]:
    values = set(DURATIONS)
    if current:
        values.add(int(current))
    return [(value, duration_text(value)) for value in sorted(values)]


class WorkshopForm(forms.Form):
    """What a proposal holds (and a manager changes later)."""

    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX * 5)
    summary = forms.CharField(label=pgettext_lazy("workshop", "Summary"), required=False,
                              max_length=services.SUMMARY_MAX * 5, help_text=_("One sentence shown in the lists."))
    description = forms.CharField(
        label=_("Description (Markdown)"), required=False, max_length=services.DESCRIPTION_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 10, "data-md-toolbar": ""}),
        help_text=_("What the participants will learn and do. Markdown: **bold**, *italic*, lists with -, links."))
    audience = forms.ChoiceField(label=_("For whom"), choices=Workshop.Audience.choices,
                                 initial=Workshop.Audience.STAFF, widget=forms.RadioSelect)
    themes = forms.MultipleChoiceField(label=_("Themes"), required=False, choices=schema.Service.choices,
                                       widget=forms.CheckboxSelectMultiple)
    publics = forms.MultipleChoiceField(label=_("Publics"), required=False, choices=schema.Public.choices,
                                        widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Leave empty when the workshop is for everyone."))
    level = forms.ChoiceField(label=_("Level"), choices=Workshop.Level.choices, initial=Workshop.Level.BEGINNER)
    prerequisites = forms.CharField(label=_("Prerequisites"), required=False, max_length=services.TEXT_MAX * 2,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    to_bring = forms.CharField(label=_("What to bring"), required=False, max_length=services.TEXT_MAX * 2,
                               widget=forms.Textarea(attrs={"rows": 3}))
    duration_minutes = forms.TypedChoiceField(label=pgettext_lazy("workshop", "Duration"), coerce=int,
                                              initial=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["data-md-toolbar"] = md_toolbar_labels()
        current = self.initial.get("duration_minutes")
        duration = self.fields["duration_minutes"]
        assert isinstance(duration, forms.TypedChoiceField)
        duration.choices = duration_choices(int(current) if current else None)

    @staticmethod
    def initial_for(workshop: Workshop) -> dict[str, Any]:
        return {name: getattr(workshop, name) for name in services.EDITABLE if name != "territory"}

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.EDITABLE if name in self.cleaned_data}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=services.TEXT_MAX * 2,
                             widget=forms.Textarea(attrs={"rows": 4}))


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters (GET): an unknown value is ignored rather than an error."""

    theme = forms.ChoiceField(label=_("Theme"), required=False,
                              choices=[("", _("Every theme")), *schema.Service.choices])
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("Every level")), *Workshop.Level.choices])
    audience = forms.ChoiceField(label=_("For whom"), required=False,
                                 choices=[("", _("Everyone")), *Workshop.Audience.choices])

    def filters(self) -> dict[str, str]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
