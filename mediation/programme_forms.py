"""Forms of programmes and prescribing organisations: they parse what was typed; the services
(mediation.programmes) validate and decide."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mediation import programmes as services
from mediation import selectors
from mediation.models import Organisation, Programme
from members import permissions as member_permissions

if TYPE_CHECKING:
    from django.forms.boundfield import BoundWidget

    from core.permissions import AnyUser


class _TerritoryMixin:
    """The territory: coordinators choose any or none (the whole network), a local admin one of
    theirs (required)."""

    fields: dict[str, forms.Field]

    def _territory_field(self, user: AnyUser, none_label: Any) -> None:
        coordinator = member_permissions.is_coordinator(user)
        field = forms.ModelChoiceField(
            label=_("Territory"), queryset=services.territories_choosable(user), required=not coordinator,
            empty_label=none_label if coordinator else None,
        )
        self.fields["territory"] = field


class ProgrammeForm(_TerritoryMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=services.NAME_MAX * 2)
    description = forms.CharField(label=_("Description"), required=False, max_length=services.DESCRIPTION_MAX * 2,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    funders = forms.CharField(label=_("Funders"), required=False, max_length=services.FUNDERS_MAX * 2,
                              help_text=_("Who pays, as the statements should name them, e.g. Conseil "
                                          "départemental du Lot, CAF."))
    payment_rule = forms.ChoiceField(label=_("How the venues are paid"), choices=Programme.PaymentRule.choices,
                                     widget=forms.RadioSelect, initial=Programme.PaymentRule.PER_VOUCHER)
    amount = forms.CharField(label=_("Amount (€)"), max_length=20, initial="150,00",
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    validity_months = forms.IntegerField(label=_("Validity (months)"), initial=12)
    grace_days = forms.IntegerField(label=_("Grace period (days)"), initial=30,
                                    help_text=_("Modules may still be recorded that many days after the end."))
    venues = forms.TypedMultipleChoiceField(label=_("Participating venues"), required=False, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Vouchers may be issued"), required=False, initial=True)

    def __init__(self, *args: Any, user: AnyUser, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._territory_field(user, _("The whole network"))
        self.fields = {name: self.fields[name] for name in (
            "name", "description", "territory", "funders", "payment_rule", "amount", "validity_months",
            "grace_days", "venues", "is_active")}
        if creating:
            self.fields["module_count"] = forms.IntegerField(
                label=_("Number of modules"), initial=services.MODULES_DEFAULT, min_value=1,
                max_value=services.MODULES_MAX,
                help_text=_("Modules “Module 1”, “Module 2”… of 2 hours: you name them next."))
        venues = list(services.venues_choosable(user))
        self._venue_territory = {venue.pk: venue.territory.name if venue.territory else "" for venue in venues}
        field = self.fields["venues"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(venue.pk, f"{venue.name} ({venue.city})" if venue.city else venue.name)
                         for venue in venues]

    @staticmethod
    def initial_for(programme: Programme) -> dict[str, Any]:
        return {
            "name": programme.name, "description": programme.description, "territory": programme.territory,
            "funders": programme.funders, "payment_rule": programme.payment_rule,
            "amount": f"{programme.amount:.2f}".replace(".", ","), "validity_months": programme.validity_months,
            "grace_days": programme.grace_days, "is_active": programme.is_active,
            "venues": list(programme.venues.values_list("pk", flat=True)),
        }

    def venue_groups(self) -> list[dict[str, Any]]:
        """The venue checkboxes by territory: name, widgets, how many are ticked."""
        groups = []
        widgets = list(self["venues"])
        for name, items in groupby(widgets, key=lambda widget: self._venue_territory.get(int(widget.data["value"]),
                                                                                          "")):
            members: list[BoundWidget] = list(items)
            chosen = sum(1 for widget in members if widget.data["selected"])
            groups.append({"name": name or _("Without territory"), "widgets": members, "chosen": chosen,
                           "count": len(members)})
        return groups

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in (
            "name", "description", "territory", "funders", "payment_rule", "amount", "validity_months",
            "grace_days", "venues", "is_active")}
        if "module_count" in self.fields:
            data["module_count"] = self.cleaned_data["module_count"]
        return data


class ModuleForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    position = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    title = forms.CharField(label=_("Title"), max_length=services.MODULE_TITLE_MAX * 2)
    objectives = forms.CharField(label=_("Objectives"), required=False, max_length=services.OBJECTIVES_MAX * 2,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), initial=services.DURATION_DEFAULT)


class BaseModuleFormSet(forms.BaseFormSet):
    def rows(self) -> list[services.ModuleRow]:
        rows = []
        for form in self.forms:
            data = form.cleaned_data
            if not data:  # a spare row left empty
                continue
            rows.append(services.ModuleRow(
                pk=data.get("id"), position=data.get("position"), title=data.get("title"),
                objectives=data.get("objectives", ""), duration_minutes=data.get("duration_minutes"),
                delete=bool(data.get("DELETE")),
            ))
        return rows

    def add_service_errors(self, error: Any) -> None:
        """Errors "module-<n>" go to the n-th row sent (rows left empty are not counted)."""
        sent = [form for form in self.forms if form.cleaned_data]
        if not hasattr(error, "error_dict"):
            self._non_form_errors = self.error_class(error.messages)
            return
        general = []
        for key, messages in error.message_dict.items():
            if key.startswith("module-"):
                index = int(key.removeprefix("module-"))
                if 0 <= index < len(sent):
                    for message in messages:
                        sent[index].add_error(None, message)
                    continue
            general.extend(messages)
        self._non_form_errors = self.error_class(general)


ModuleFormSet = forms.formset_factory(ModuleForm, formset=BaseModuleFormSet, extra=2, can_delete=True,
                                      max_num=services.MODULES_MAX, absolute_max=services.MODULES_MAX + 10)


def module_initial(programme: Programme) -> list[dict[str, Any]]:
    return [{"id": module.pk, "position": module.position, "title": module.title, "objectives": module.objectives,
             "duration_minutes": module.duration_minutes} for module in programme.modules.order_by("position")]


class OrganisationForm(_TerritoryMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=services.NAME_MAX * 2)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    programmes = forms.ModelMultipleChoiceField(label=_("Programmes it prescribes"), required=False,
                                                queryset=Programme.objects.none(),
                                                widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True,
                                   help_text=_("An inactive organisation's prescribers issue no voucher."))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._territory_field(user, _("No territory"))
        self.fields = {name: self.fields[name] for name in ("name", "kind", "territory", "programmes", "is_active")}
        field = self.fields["programmes"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = selectors.managed_programmes(user).order_by("name", "pk")

    @staticmethod
    def initial_for(organisation: Organisation) -> dict[str, Any]:
        return {"name": organisation.name, "kind": organisation.kind, "territory": organisation.territory,
                "programmes": list(organisation.programmes.values_list("pk", flat=True)),
                "is_active": organisation.is_active}

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("name", "kind", "territory", "programmes", "is_active")}


class SeatForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    display_name = forms.CharField(label=_("Name"), required=False, max_length=services.DISPLAY_NAME_MAX * 2,
                                   help_text=_("Needed when the person has no account yet."))
