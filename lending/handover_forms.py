"""Forms of the hand-over and return pages: one fieldset per item (its condition, its
accessories, present or not); `lending.handover` validates and decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, MultipleFileInput
from lending.handover import HANDED_TO_MAX, NOTE_MAX, handed_out
from lending.models import Accessory, Condition, Item


@dataclass
class ItemRow:
    """An item's fields, for the template: `present` (hand-over only), `condition`,
    `accessories`, `repair` and `photos` (return only)."""

    item: Item
    condition: forms.BoundField
    accessories: forms.BoundField | None
    present: forms.BoundField | None = None
    repair: forms.BoundField | None = None
    photos: forms.BoundField | None = None
    not_handed_over: Sequence[Accessory] = ()


class _ItemsForm(forms.Form):
    """The fields per item, named `<what>_<item pk>`."""

    def __init__(self, *args: Any, items: Sequence[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"condition_{item.pk}"] = forms.ChoiceField(
                label=_("Condition"), choices=Condition.choices, initial=item.condition)
            accessories = self.checked_accessories(item)
            if accessories:
                self.fields[f"accessories_{item.pk}"] = forms.TypedMultipleChoiceField(
                    label=_("Accessories present"), required=False, coerce=int,
                    choices=[(a.pk, a.name) for a in accessories], widget=forms.CheckboxSelectMultiple)

    def checked_accessories(self, item: Item) -> list[Accessory]:
        """The accessories of `item` to tick: all of them."""
        return list(item.accessories.all())

    def _row(self, item: Item) -> ItemRow:
        def bound(name: str) -> forms.BoundField | None:
            key = f"{name}_{item.pk}"
            return self[key] if key in self.fields else None

        condition = bound("condition")
        assert condition is not None
        checked = {accessory.pk for accessory in self.checked_accessories(item)}
        return ItemRow(item=item, condition=condition, accessories=bound("accessories"), present=bound("present"),
                       repair=bound("repair"), photos=bound("photos"),
                       not_handed_over=[a for a in item.accessories.all() if a.pk not in checked])

    def rows(self) -> list[ItemRow]:
        return [self._row(item) for item in self.items]

    def conditions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"condition_{item.pk}"] for item in self.items}

    def accessories_present(self) -> set[int]:
        found: set[int] = set()
        for item in self.items:
            found.update(self.cleaned_data.get(f"accessories_{item.pk}") or [])
        return found


class HandOverForm(_ItemsForm):
    handed_to = forms.CharField(label=_("Handed over to"), max_length=HANDED_TO_MAX,
                                help_text=_("The name of the person who takes the equipment."))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, items: Sequence[Item], **kwargs: Any) -> None:
        super().__init__(*args, items=items, **kwargs)
        for item in self.items:
            self.fields[f"present_{item.pk}"] = forms.BooleanField(
                label=_("Here, checked"), required=True,
                error_messages={"required": _("Tick « %(name)s » as here (or scan its label).") % {"name": item.name}})
        self.order_fields(["handed_to", "note"])


class ReturnForm(_ItemsForm):
    damage_note = forms.CharField(
        label=_("Damage found (optional)"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is broken, scratched or missing: the managers of this equipment are told."))

    def __init__(self, *args: Any, items: Sequence[Item], **kwargs: Any) -> None:
        super().__init__(*args, items=items, **kwargs)
        for item in self.items:
            self.fields[f"repair_{item.pk}"] = forms.BooleanField(
                label=_("Send to repair"), required=False,
                help_text=_("It cannot be booked until it is back from repair."))
            self.fields[f"photos_{item.pk}"] = MultipleFileField(
                label=_("Photos of the damage (optional)"), required=False,
                widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}))

    def checked_accessories(self, item: Item) -> list[Accessory]:
        """Only the accessories that left with `item` at the hand-over come back (or go
        missing); the others are shown as not handed over."""
        return handed_out(item)

    def send_to_repair(self) -> set[int]:
        return {item.pk for item in self.items if self.cleaned_data.get(f"repair_{item.pk}")}

    def photos(self) -> dict[int, list[Any]]:
        return {item.pk: list(self.cleaned_data.get(f"photos_{item.pk}") or []) for item in self.items
                if self.cleaned_data.get(f"photos_{item.pk}")}
