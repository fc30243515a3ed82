"""The forms of activity records: the one-screen record (mobile first: an individual help
in a few taps) and the list's filters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from mediation import coop
from mediation.activity import BENEFICIARY_FIELDS, DURATION_MAX, PARTICIPANTS_MAX, recordable_venue_ids
from mediation.activity_selectors import EVERYTHING, MINE, MY_VENUES, TERRITORY, RecordFilters, scopes_for

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from directory.models import Venue
    from mediation.models import ActivityRecord
    from members.models import User

OTHER_DURATION = "other"


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def venue_options(user: User) -> QuerySet[Venue]:
    """The venues `user` may record at: theirs first, by name."""
    from django.db.models import Case, IntegerField, Value, When

    from directory.models import Venue
    from mediation import permissions

    allowed = recordable_venue_ids(user)
    venues = Venue.objects.all() if allowed is None else Venue.objects.filter(pk__in=allowed)
    mine = permissions.attached_venue_ids(user)
    return venues.annotate(
        mine=Case(When(pk__in=mine, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("mine", "name", "pk").only("pk", "name", "city")


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=coop.Kind.choices, widget=forms.RadioSelect,
                             initial=coop.Kind.INDIVIDUAL)
    date = forms.DateField(label=gettext_lazy("Date"), widget=_date_input())
    duration_minutes = forms.ChoiceField(
        label=gettext_lazy("Duration"), widget=forms.RadioSelect, required=False,
        choices=[*((str(minutes), f"{minutes}\u00a0min") for minutes in coop.DURATIONS),
                 (OTHER_DURATION, pgettext_lazy("duration", "other"))],
    )
    duration_other = forms.IntegerField(label=gettext_lazy("Other duration (minutes)"), required=False,
                                        min_value=1, max_value=DURATION_MAX)
    place_type = forms.ChoiceField(label=gettext_lazy("Place"), choices=coop.PlaceType.choices,
                                   widget=forms.RadioSelect, initial=coop.PlaceType.VENUE)
    venue = forms.TypedChoiceField(label=gettext_lazy("Venue"), coerce=int, required=False, empty_value=None)
    commune = forms.CharField(label=gettext_lazy("Commune"), required=False, max_length=100,
                              help_text=gettext_lazy("At the person's home or elsewhere."))
    commune_insee = forms.CharField(label=gettext_lazy("INSEE code of the commune"), required=False, max_length=5)
    themes = forms.MultipleChoiceField(label=gettext_lazy("Themes"), choices=coop.Theme.choices,
                                       widget=forms.CheckboxSelectMultiple, required=False)
    autonomy = forms.ChoiceField(label=gettext_lazy("The person's autonomy"), choices=coop.Autonomy.choices,
                                 widget=forms.RadioSelect, required=False)
    equipment = forms.MultipleChoiceField(label=gettext_lazy("Equipment used"), choices=coop.Equipment.choices,
                                          widget=forms.CheckboxSelectMultiple, required=False)
    title = forms.CharField(label=gettext_lazy("Workshop title"), required=False, max_length=200)
    participants = forms.IntegerField(label=gettext_lazy("Participants"), required=False, min_value=1,
                                      max_value=PARTICIPANTS_MAX, initial=1)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=coop.Level.choices, widget=forms.RadioSelect,
                              required=False)
    b_first_name = forms.CharField(label=gettext_lazy("First name (optional)"), required=False, max_length=80,
                                   help_text=gettext_lazy("Leave empty: the person stays anonymous."))
    b_gender = forms.ChoiceField(label=gettext_lazy("Gender"), choices=coop.Gender.choices, widget=forms.RadioSelect,
                                 required=False, initial=coop.Gender.UNKNOWN)
    b_age_bracket = forms.ChoiceField(label=gettext_lazy("Age"), choices=coop.AgeBracket.choices, required=False,
                                      initial=coop.AgeBracket.UNKNOWN)
    b_situation = forms.ChoiceField(label=gettext_lazy("Situation"), choices=coop.Situation.choices, required=False,
                                    initial=coop.Situation.UNKNOWN)
    b_commune = forms.CharField(label=gettext_lazy("Their commune"), required=False, max_length=100)
    b_commune_insee = forms.CharField(label=gettext_lazy("INSEE code of their commune"), required=False,
                                      max_length=5)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A procedure ticked is help with administrative procedures: one tap spared (and shown
        # ticked if the form comes back with errors).
        if self.is_bound and hasattr(self.data, "getlist"):
            themes = self.data.getlist("themes")
            if coop.Theme.PAPERWORK not in themes and any(theme in coop.PROCEDURE_THEMES for theme in themes):
                data = self.data.copy()
                data.setlist("themes", [coop.Theme.PAPERWORK.value, *themes])
                self.data = data
        venues = list(venue_options(user))
        choices: list[tuple[Any, Any]] = [(venue.pk, str(venue)) for venue in venues]
        venue_field = self.fields["venue"]
        assert isinstance(venue_field, forms.TypedChoiceField)
        if len(venues) != 1:
            choices.insert(0, ("", "—"))
        venue_field.choices = choices
        if "venue" not in self.initial and len(venues) == 1:
            self.initial["venue"] = venues[0].pk
        self.initial.setdefault("date", timezone.localdate())
        self.has_venues = bool(venues)

    # The themes in two groups: the general ones, the procedures (with "Help with procedures").
    def _themes(self, procedures: bool) -> list[Any]:
        group = {coop.Theme.PAPERWORK, *coop.PROCEDURE_THEMES}
        return [widget for widget in self["themes"] if (widget.data["value"] in group) == procedures]

    @property
    def general_themes(self) -> list[Any]:
        return self._themes(False)

    @property
    def procedure_themes(self) -> list[Any]:
        return self._themes(True)

    @property
    def procedures_open(self) -> bool:
        """Show the procedures unfolded when one is ticked (or help with procedures)."""
        value = self["themes"].value() or []
        return any(theme == coop.Theme.PAPERWORK or theme in coop.PROCEDURE_THEMES for theme in value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = data.get("duration_minutes") or ""
        other = data.get("duration_other")
        # A pill wins; "other" (or no pill) takes the number typed.
        data["minutes"] = int(chosen) if chosen and chosen != OTHER_DURATION else other
        return data

    def beneficiaries(self) -> list[dict[str, str]]:
        """The person described (an individual help), or nobody when nothing was told."""
        data = self.cleaned_data
        if data.get("kind") != coop.Kind.INDIVIDUAL:
            return []
        row = {name: (data.get(f"b_{name}") or "").strip() for name in BENEFICIARY_FIELDS}
        unknown = {"", coop.Gender.UNKNOWN, coop.AgeBracket.UNKNOWN, coop.Situation.UNKNOWN}
        if all(value in unknown for value in row.values()):
            return []
        return [row]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "", "date": data.get("date"), "duration_minutes": data.get("minutes"),
            "place_type": data.get("place_type") or "", "venue": data.get("venue"),
            "commune": data.get("commune") or "", "commune_insee": data.get("commune_insee") or "",
            "themes": data.get("themes") or [], "autonomy": data.get("autonomy") or "",
            "equipment": data.get("equipment") or [], "title": data.get("title") or "",
            "participants": data.get("participants") if data.get("participants") is not None else 1,
            "level": data.get("level") or "", "beneficiaries": self.beneficiaries(), "notes": data.get("notes") or "",
        }


def initial_of(record: ActivityRecord) -> dict[str, Any]:
    """The form's values for a record being changed."""
    minutes = record.duration_minutes
    initial: dict[str, Any] = {
        "kind": record.kind, "date": record.date, "place_type": record.place_type, "venue": record.venue_id,
        "commune": record.commune, "commune_insee": record.commune_insee, "themes": list(record.themes),
        "autonomy": record.autonomy, "equipment": list(record.equipment), "title": record.title,
        "participants": record.participants, "level": record.level, "notes": record.notes,
    }
    if minutes in coop.DURATIONS:
        initial["duration_minutes"] = str(minutes)
    else:
        initial.update(duration_minutes=OTHER_DURATION, duration_other=minutes)
    person = next(iter(record.beneficiaries.all()), None)
    if person is not None:
        initial.update({f"b_{name}": getattr(person, name) for name in BENEFICIARY_FIELDS})
    return initial


SCOPE_LABELS = {
    MINE: gettext_lazy("My accompaniments"),
    MY_VENUES: gettext_lazy("My venues"),
    TERRITORY: gettext_lazy("My territories"),
    EVERYTHING: gettext_lazy("The whole network"),
}


class FilterForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("Whose"), required=False)
    start = forms.DateField(label=pgettext_lazy("period start", "From"), required=False, widget=_date_input())
    end = forms.DateField(label=pgettext_lazy("period end", "To"), required=False, widget=_date_input())
    kind = forms.ChoiceField(label=gettext_lazy("Type"), required=False,
                             choices=[("", gettext_lazy("All")), *coop.Kind.choices])
    venue = forms.TypedChoiceField(label=gettext_lazy("Venue"), required=False, coerce=int, empty_value=None)
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False,
                              choices=[("", gettext_lazy("All")), *coop.Theme.choices])

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ChoiceField)
        scope_field.choices = [(scope, SCOPE_LABELS[scope]) for scope in scopes_for(user)]
        venue_field = self.fields["venue"]
        assert isinstance(venue_field, forms.TypedChoiceField)
        venue_field.choices = [("", gettext_lazy("All")),
                               *((venue.pk, str(venue)) for venue in venue_options(user))]

    def filters(self) -> RecordFilters:
        if not self.is_valid():
            return RecordFilters()
        data = self.cleaned_data
        return RecordFilters(scope=data.get("scope") or MINE, start=data.get("start"), end=data.get("end"),
                             kind=data.get("kind") or "", venue_id=data.get("venue"), theme=data.get("theme") or "")
