"""The desk's forms of the resource library (/bureau/ressources/).

They parse and check what a form can check alone (lengths, choices, a step without a title);
the services decide the rest (permissions, publishing, files) and their `ValidationError`s come
back on the same form (`core.forms.add_service_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import MultipleFileField, md_toolbar_labels
from resources.models import LICENCE_URLS, Licence, Rating, Report, Resource

# The short names the cards show (the form and the resource page show the full ones).
LICENCE_SHORT = {
    Licence.ETALAB_2: "Etalab 2.0",
    Licence.CC_BY_SA_4: "CC BY-SA 4.0",
    Licence.CC_BY_4: "CC BY 4.0",
    Licence.CC_BY_NC_SA_4: "CC BY-NC-SA 4.0",
    Licence.NONE: _("All rights reserved"),
}

STEP_MAX = 50
DURATION_MAX = 24 * 60


def licence_short(value: str) -> Any:
    return LICENCE_SHORT.get(value, value)  # type: ignore[call-overload]


def licence_rows() -> list[dict[str, Any]]:
    """Every licence with its full name, short name and link (the form's radio buttons)."""
    return [{"value": value, "label": label, "short": LICENCE_SHORT.get(value, label),  # type: ignore[call-overload]
             "url": LICENCE_URLS.get(value, "")}  # type: ignore[call-overload]
            for value, label in Licence.choices]


# --- The library's filters (GET) ------------------------------------------------------------------


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    theme = forms.MultipleChoiceField(label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple)
    public = forms.MultipleChoiceField(label=pgettext_lazy("audience", "Publics"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    licence = forms.ChoiceField(label=_("Licence"), required=False)
    kits = forms.BooleanField(label=_("Workshop kits only"), required=False)
    miennes = forms.BooleanField(label=_("My resources (drafts included)"), required=False)

    def __init__(self, *args: Any, tags: dict[str, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [(tag.slug, tag.name) for tag in tags.get("theme", [])]  # type: ignore[attr-defined]
        self.fields["public"].choices = [(tag.slug, tag.name) for tag in tags.get("public", [])]  # type: ignore[attr-defined]
        self.fields["licence"].choices = [("", _("Any licence")), *Licence.choices]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The filters that passed (an invalid one is left out, and said on the page)."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "q": (data.get("q") or "").strip(),
            "theme": list(data.get("theme") or []),
            "public": list(data.get("public") or []),
            "licence": data.get("licence") or "",
            "kits": bool(data.get("kits")),
            "mine": bool(data.get("miennes")),
        }


# --- Writing a resource ---------------------------------------------------------------------------


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=pgettext_lazy("resource", "Summary"), required=False, max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences shown in the lists (600 characters at most). Needed to publish."))
    body = forms.CharField(
        label=_("Content (Markdown)"), required=False, strip=False, max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: ## for a heading, **bold**, *italic*, - for a list, [text](https://…) for a link. "
                    "An empty line between paragraphs."))
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices, initial=Licence.ETALAB_2,
                                widget=forms.RadioSelect)
    visibility = forms.ChoiceField(label=_("Who may read it once published"), choices=Resource.Visibility.choices,
                                   initial=Resource.Visibility.MEMBERS, widget=forms.RadioSelect)
    themes = forms.TypedMultipleChoiceField(label=_("Themes"), required=False, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)
    new_themes = forms.CharField(label=_("Other themes"), required=False, max_length=400,
                                 help_text=_("Themes missing from the list, separated by commas."))
    publics = forms.TypedMultipleChoiceField(label=pgettext_lazy("audience", "Publics"), required=False, coerce=int,
                                             widget=forms.CheckboxSelectMultiple)
    new_publics = forms.CharField(label=_("Other publics"), required=False, max_length=400,
                                  help_text=_("Publics missing from the list, separated by commas."))
    authors = forms.TypedMultipleChoiceField(
        label=_("Authors"), required=False, coerce=int, widget=forms.SelectMultiple(attrs={"size": 8}))
    files = MultipleFileField(label=_("Add files"), required=False)  # type: ignore[assignment]
    remove_files = forms.TypedMultipleChoiceField(label=_("Files to remove"), required=False, coerce=int,
                                                  widget=forms.CheckboxSelectMultiple)
    equipment_items = forms.TypedMultipleChoiceField(
        label=_("Equipment to borrow"), required=False, coerce=int, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The equipment of the lending catalogue the workshop needs (in service). "
                    "Hold Ctrl (or Cmd) to choose several."))
    equipment_kits = forms.TypedMultipleChoiceField(
        label=_("Equipment kits to borrow"), required=False, coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."))

    def __init__(self, *args: Any, tags: dict[str, list[Any]], members: list[tuple[int, str]],
                 items: list[tuple[str, list[tuple[int, str]]]], kits: list[tuple[int, str]],
                 existing_files: list[Any] | None = None, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["themes"].choices = [(tag.pk, tag.name) for tag in tags.get("theme", [])]
        fields["publics"].choices = [(tag.pk, tag.name) for tag in tags.get("public", [])]
        fields["authors"].choices = members
        fields["authors"].help_text = (
            _("Other members who wrote it with you (you are one of the authors). Hold Ctrl (or Cmd) to choose several.")
            if creating else _("Hold Ctrl (or Cmd) to choose several."))
        fields["equipment_items"].choices = items
        fields["equipment_kits"].choices = kits
        existing_files = existing_files or []
        fields["remove_files"].choices = [(file.pk, file.name) for file in existing_files]
        fields["body"].widget.attrs["data-md-toolbar"] = md_toolbar_labels()
        fields["files"].help_text = _(
            "Several files at once, %(size)s at most each: documents (PDF, ODT, DOCX…), images, slides, "
            "spreadsheets. Programs are refused.") % {"size": filesizeformat(settings.FILES_MAX_SIZE)}
        self.existing_files = list(existing_files)
        self.licences = licence_rows()

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"], "summary": data["summary"], "body": data["body"],
            "licence": data["licence"], "visibility": data["visibility"],
            "tag_ids": [*data["themes"], *data["publics"]],
            "new_themes": data["new_themes"], "new_publics": data["new_publics"],
            "author_ids": list(data["authors"]),
            "equipment_item_ids": list(data["equipment_items"]),
            "equipment_kit_ids": list(data["equipment_kits"]),
        }

    @staticmethod
    def initial_for(resource: Resource) -> dict[str, Any]:
        tags = list(resource.tags.all())
        return {
            "title": resource.title, "summary": resource.summary, "body": resource.body,
            "licence": resource.licence, "visibility": resource.visibility,
            "themes": [tag.pk for tag in tags if tag.kind == "theme"],
            "publics": [tag.pk for tag in tags if tag.kind == "public"],
            "authors": [link.user_id for link in resource.author_links.all()],
            "equipment_items": [item.pk for item in resource.equipment_items.all()],
            "equipment_kits": [kit.pk for kit in resource.equipment_kits.all()],
        }


class StepForm(forms.Form):
    title = forms.CharField(label=_("Step title"), required=False, max_length=200)
    body = forms.CharField(label=_("What to do (Markdown)"), required=False, strip=False, max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=1,
                                          max_value=DURATION_MAX)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("DELETE") and not (data.get("title") or "").strip() and (
                (data.get("body") or "").strip() or data.get("duration_minutes")):
            self.add_error("title", _("Give this step a title, or empty it to leave it out."))
        return data


StepFormSet = forms.formset_factory(StepForm, extra=3, can_delete=True, max_num=STEP_MAX, validate_max=True,
                                    absolute_max=STEP_MAX + 10)


def steps_of(formset: Any) -> list[dict[str, Any]]:
    """The steps to keep, in order: those with a title and not ticked to remove."""
    steps = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") or not (data.get("title") or "").strip():
            continue
        steps.append({"title": data["title"].strip(), "body": data.get("body") or "",
                      "duration_minutes": data.get("duration_minutes")})
    return steps


# --- On the resource's page -----------------------------------------------------------------------


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your opinion"), coerce=int, widget=forms.RadioSelect,
        choices=sorted(Rating.Score.choices, key=lambda choice: -int(choice[0])))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What it was useful for, with which public; what could be better."))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Details (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What should change; for a duplicate, the other resource's address."))


class ReportHandleForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        (Report.Status.RESOLVED, _("Resolved (the resource was corrected, unpublished or removed)")),
        (Report.Status.DISMISSED, _("Dismissed (nothing to change)")),
    ])
    note = forms.CharField(label=_("Note to the reporter (optional)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class UnpublishForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional; sent to the authors)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class WorkshopLinkForm(forms.Form):
    workshop = forms.TypedChoiceField(label=_("Workshop"), coerce=int)

    def __init__(self, *args: Any, workshops: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workshop"].choices = workshops  # type: ignore[attr-defined]


# --- Collections ----------------------------------------------------------------------------------


class CollectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    is_shared = forms.BooleanField(label=_("Shared: every member of the network may see it"), required=False)


class SaveForm(forms.Form):
    collection = forms.ChoiceField(label=_("Collection"), required=False)

    def __init__(self, *args: Any, collections: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(c.pk), c.name) for c in collections]
        if not any(c.is_default for c in collections):
            choices.insert(0, ("", _("Favourites")))
        self.fields["collection"].choices = choices  # type: ignore[attr-defined]

    def collection_id(self) -> int | None:
        value = self.cleaned_data.get("collection") or ""
        return int(value) if value else None
