"""Forms of the equipment's writing pages: they parse what was typed; `lending.catalogue`
validates and decides (owners, inventory numbers, buffers, kits' items, who may)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, MultipleFileInput
from directory.models import Venue
from lending.catalogue import ACCESSORY_MAX, CATEGORY_NAME_MAX, INVENTORY_MAX, NAME_MAX, NOTE_MAX, RESOURCE_CENTRE
from lending.models import MAX_BUFFER_DAYS, Category, Condition, Item, ItemPhoto

# Empty accessory rows shown after the existing ones.
EMPTY_ACCESSORY_ROWS = 3


def _owner_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Owner"), choices=(),
                             help_text=_("Who the equipment belongs to: its managers approve the loans."))


class OwnerMixin:
    """The owner select: the choices of `catalogue.owner_choices`, read back as a venue or None."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def owner_venue(self) -> Venue | None:
        value = self.cleaned_data.get("owner")
        if not value or value == RESOURCE_CENTRE:
            return None
        return self._owners[value]

    def _set_owners(self, owners: list[tuple[str, str]], venues: dict[str, Venue]) -> None:
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = owners
        self._owners = venues


class ItemForm(OwnerMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX,
                           help_text=_("What everyone calls it, e.g. « Vidéoprojecteur Epson EB-W06 »."))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(),
                                      empty_label=_("Choose a category"))
    description = forms.CharField(label=_("Description"), required=False, max_length=NOTE_MAX,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("What it is for, what it needs (a power socket, a wall)."))
    owner = _owner_field()
    home_venue = forms.ModelChoiceField(label=_("Kept at"), required=False, queryset=Venue.objects.none(),
                                        empty_label=_("At the resource centre"),
                                        help_text=_("Where it is picked up and brought back."))
    inventory_number = forms.CharField(label=_("Inventory number"), required=False, max_length=INVENTORY_MAX,
                                       help_text=_("Left empty, one is given (like MAT-00042)."))
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices, initial=Condition.GOOD)
    notes = forms.CharField(label=_("Notes for the managers"), required=False, max_length=NOTE_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))
    may_leave_venue = forms.BooleanField(label=_("It may leave its venue"), required=False, initial=True,
                                         help_text=_("Unticked: it is lent only for use at the venue where it is "
                                                     "kept."))
    auto_approve = forms.BooleanField(
        label=_("Approve the requests automatically"), required=False,
        help_text=_("A request for free dates is then approved at once, without waiting for a manager. "
                    "Unticked: a manager approves or refuses each request."))
    buffer_before = forms.IntegerField(
        label=_("Days kept free before each loan"), min_value=0, max_value=MAX_BUFFER_DAYS, initial=0,
        help_text=_("From 0 to 14 days, to prepare it or bring it to the borrowing venue."))
    buffer_after = forms.IntegerField(
        label=_("Days kept free after each loan"), min_value=0, max_value=MAX_BUFFER_DAYS, initial=0,
        help_text=_("From 0 to 14 days, to bring it back, check and charge it."))
    # Rendered by hand (text inputs named "accessories"), read with getlist; the field carries the errors.
    accessories = forms.CharField(label=_("Accessories"), required=False)
    photos = MultipleFileField(label=_("Add photos"), required=False,
                               widget=MultipleFileInput(attrs={"accept": "image/*"}),
                               help_text=_("Images (JPEG, PNG, GIF or WebP), at most 10 MB each."))
    remove_photos = forms.ModelMultipleChoiceField(label=_("Photos to remove"), required=False,
                                                   queryset=ItemPhoto.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], item: Item | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        venue_ids = [int(value) for value, _label in owners if value != RESOURCE_CENTRE]
        venue_rows = Venue.objects.filter(pk__in=venue_ids) if venue_ids else []
        self._set_owners(owners, {str(v.pk): v for v in venue_rows})
        home = self.fields["home_venue"]
        assert isinstance(home, forms.ModelChoiceField)
        home.queryset = Venue.objects.order_by("name", "pk").only("pk", "name")
        remove = self.fields["remove_photos"]
        assert isinstance(remove, forms.ModelMultipleChoiceField)
        if item is not None:
            remove.queryset = item.photos.all()  # rendered by hand, with the photos
        else:
            del self.fields["remove_photos"]
        self.item = item
        if self.is_bound:
            posted = self.data.getlist("accessories") if hasattr(self.data, "getlist") else []
            self.accessory_values = [" ".join(v.split()) for v in posted if v.strip()]
        elif item is not None:
            self.accessory_values = [a.name for a in item.accessories.all()]
        else:
            self.accessory_values = []
        self.accessory_rows = self.accessory_values + [""] * EMPTY_ACCESSORY_ROWS
        self.accessory_max = ACCESSORY_MAX

    @staticmethod
    def initial_for(item: Item) -> dict[str, Any]:
        return {
            "name": item.name, "category": item.category_id, "description": item.description,
            "owner": str(item.owner_venue_id) if item.owner_venue_id else RESOURCE_CENTRE,
            "home_venue": item.home_venue_id, "inventory_number": item.inventory_number,
            "condition": item.condition, "notes": item.notes, "may_leave_venue": item.may_leave_venue,
            "auto_approve": item.auto_approve, "buffer_before": item.buffer_before,
            "buffer_after": item.buffer_after,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"], "category": data["category"], "description": data["description"],
            "owner_venue": self.owner_venue(), "home_venue": data["home_venue"],
            "inventory_number": data["inventory_number"], "condition": data["condition"], "notes": data["notes"],
            "may_leave_venue": data["may_leave_venue"], "auto_approve": data["auto_approve"],
            "buffer_before": data["buffer_before"], "buffer_after": data["buffer_after"],
        }


class RepairForm(forms.Form):
    note = forms.CharField(label=_("What is wrong with it?"), max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Kept in its history, e.g. « the lamp does not light up »."),
                           error_messages={"required": _("Say what is wrong with it.")})


class EndRepairForm(forms.Form):
    condition = forms.ChoiceField(label=_("Condition on its return"), choices=Condition.choices,
                                  initial=Condition.GOOD)
    note = forms.CharField(label=_("What was done (optional)"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RetireForm(forms.Form):
    note = forms.CharField(label=_("Why is it retired?"), max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Kept in its history, e.g. « beyond repair » or « given away »."),
                           error_messages={"required": _("Say why it is retired.")})


class KitForm(OwnerMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX,
                           help_text=_("E.g. « Kit visio : caméra, micro, écran »."))
    description = forms.CharField(label=_("Description"), required=False, max_length=NOTE_MAX,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    owner = _owner_field()
    items = forms.ModelMultipleChoiceField(label=_("Items of the kit"), queryset=Item.objects.none(),
                                           error_messages={"required": _(
                                               "Choose at least two items: a kit lends several items together.")})
    auto_approve = forms.BooleanField(
        label=_("Approve the requests automatically"), required=False,
        help_text=_("A request for free dates is then approved at once, without waiting for a manager."))

    def __init__(self, *args: Any, owners: list[tuple[str, str]], owner_value: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        venue_ids = [int(value) for value, _label in owners if value != RESOURCE_CENTRE]
        venue_rows = Venue.objects.filter(pk__in=venue_ids) if venue_ids else []
        self._set_owners(owners, {str(v.pk): v for v in venue_rows})
        owner = None if owner_value == RESOURCE_CENTRE else self._owners.get(owner_value)
        items = (Item.objects.filter(owner_venue=owner).exclude(status=Item.Status.RETIRED)
                 .select_related("category").order_by("category__position", "category__name", "name", "pk"))
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = items
        self.owner_value = owner_value

    def item_groups(self, selected: set[str]) -> list[dict[str, Any]]:
        """The owner's items by category, for the checkboxes: [{category, items: [(item, checked)]}]."""
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        groups: list[dict[str, Any]] = []
        assert field.queryset is not None
        for item in field.queryset:
            if not groups or groups[-1]["category"].pk != item.category_id:
                groups.append({"category": item.category, "items": []})
            groups[-1]["items"].append((item, str(item.pk) in selected))
        return groups


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name of the category"), max_length=CATEGORY_NAME_MAX)
