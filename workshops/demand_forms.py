"""Forms of the demand for workshops: they parse what the member typed; `demand.py` validates
and decides (length of the topic, similar requests, who may change a status)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory import schema
from members.models import Territory
from workshops.demand import DESCRIPTION_MAX, TITLE_MAX
from workshops.models import Demand

ALL = "all"


class DemandForm(forms.Form):
    title = forms.CharField(
        label=_("Topic"), max_length=TITLE_MAX,
        help_text=_("In a few words: “Prise en main d’une tablette”, “Faire ses démarches en ligne”."),
    )
    description = forms.CharField(
        label=_("What you would like to learn"), required=False, max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, choices=schema.Service.choices, widget=forms.CheckboxSelectMultiple,
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.none(), empty_label=None,
        help_text=_("The local admins of this territory are told of your request."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.order_by("name")


class DemandFilterForm(forms.Form):
    """The filters of the list (GET): theme, territory, status."""

    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *schema.Service.choices],
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), required=False, queryset=Territory.objects.none(), empty_label=_("All territories"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[*Demand.Status.choices, (ALL, pgettext_lazy("demand status", "All"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.order_by("name")

    def filters(self) -> dict:
        """The selector's arguments (an invalid value is ignored: the open requests, unfiltered)."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or Demand.Status.OPEN
        return {
            "status": None if status == ALL else status,
            "theme": data.get("theme") or None,
            "territory": data.get("territory"),
        }


class VoteForm(forms.Form):
    action = forms.ChoiceField(required=False, choices=[("add", "add"), ("remove", "remove")])


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Demand.Status.choices)
