import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from members import permissions
from members.models import Territory, User, venue_model


def venue_choices_by_territory(empty_label, venues=None):
    """Venues grouped by territory (<optgroup>), in one query."""
    venues = venue_model().objects.all() if venues is None else venues
    groups = {}
    for venue in venues.select_related("territory").order_by("territory__name", "name"):
        groups.setdefault(venue.territory.name, []).append((venue.pk, f"{venue.name} ({venue.city})"))
    return [("", empty_label), *groups.items()]


class SignupForm(forms.Form):
    """Extra fields of the allauth signup form (e-mail and password come from allauth)."""

    display_name = forms.CharField(
        label=_("Your name"), max_length=150,
        help_text=_("As other members will see it, for example: Camille Martin."),
    )
    territory = forms.ModelChoiceField(
        label=_("Your territory"), queryset=Territory.objects.all(),
        empty_label=_("Choose your territory"),
        help_text=_("The local admin of this territory will approve your account."),
    )
    venue = forms.ModelChoiceField(
        label=_("Your venue"), queryset=None, required=False,  # the venues: set in __init__
        empty_label=_("No venue / not in the list"),
        help_text=_("The public Internet access venue where you work, if any."),
    )

    field_order = ["display_name", "email", "password1", "password2", "territory", "venue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venue_model().objects.select_related("territory")
        self.fields["venue"].widget.choices = venue_choices_by_territory(self.fields["venue"].empty_label)

    def clean(self):
        cleaned = super().clean()
        territory, venue = cleaned.get("territory"), cleaned.get("venue")
        if territory and venue and venue.territory_id != territory.pk:
            self.add_error("venue", _("This venue is not in the territory you chose."))
        return cleaned

    def signup(self, request, user):
        """Required by allauth; the adapter's save_user does the work."""


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Message to the person (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.none(), empty_label=_("Choose a territory")
    )
    venue = forms.ModelChoiceField(
        label=_("Venue"), queryset=None, required=False, empty_label=_("No venue")  # set in __init__
    )
    message = forms.CharField(
        label=_("Personal message (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, territories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories
        venues = venue_model().objects.filter(territory__in=territories)
        self.fields["venue"].queryset = venues
        self.fields["venue"].widget.choices = venue_choices_by_territory(self.fields["venue"].empty_label, venues)


class InvitationAcceptForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class ProfileForm(forms.ModelForm):
    skills_text = forms.CharField(
        label=_("Skills"), required=False, max_length=500,
        help_text=_("Comma-separated, for example: video editing, Linux, online procedures"),
    )

    class Meta:
        model = User
        fields = ["display_name", "job_title", "avatar", "bio", "phone", "email_visibility",
                  "phone_visibility", "venues"]
        widgets = {"venues": forms.CheckboxSelectMultiple, "bio": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The venues of my territory (and of those I administer): see services.profile_update.
        self.fields["venues"].queryset = permissions.venues_open_to(self.instance).select_related("territory")
        if self.instance.pk and not self.is_bound:
            self.fields["skills_text"].initial = ", ".join(t.name for t in self.instance.skills.all())

    def clean_avatar(self):
        from django.conf import settings

        avatar = self.cleaned_data.get("avatar")
        if avatar and getattr(avatar, "size", 0) > settings.AVATAR_MAX_BYTES:
            raise forms.ValidationError(_("The image is too large (2 MB at most)."))
        return avatar

    def clean_skills_text(self):
        raw = self.cleaned_data.get("skills_text", "")
        skills = []
        for name in raw.split(","):
            name = " ".join(name.split())[:100]
            if name and name.lower() not in {s.lower() for s in skills}:
                skills.append(name)
        if len(skills) > 30:
            raise forms.ValidationError(_("30 skills at most."))
        return skills


class NotificationPreferencesForm(forms.Form):
    notification_email = forms.ChoiceField(
        label=_("E-mail me my notifications"), choices=User.EmailFrequency.choices,
        widget=forms.RadioSelect,
    )


class RolesForm(forms.Form):
    is_coordinator = forms.BooleanField(label=_("Coordinator (whole network)"), required=False)
    referent_territories = forms.ModelMultipleChoiceField(
        label=_("Local admin of"), queryset=Territory.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    site_editor = forms.BooleanField(label=_("Site editor (public pages)"), required=False)


# --- Member directory filters (GET) -----------------------------------------------------------

SEARCH_MAX_LENGTH = 100  # longer input is cut, never refused: the directory answers anyway
SEARCH_MAX_WORDS = 8
ID_MAX_DIGITS = 18  # fits a 64-bit integer column


def clean_search_text(value, max_length=SEARCH_MAX_LENGTH):
    """One line of search text: control characters (NUL...) dropped, spaces collapsed, cut."""
    value = "".join(ch for ch in str(value or "")[: max_length * 4] if unicodedata.category(ch)[0] != "C")
    return " ".join(value.split())[:max_length].strip()


def _clean_id(value):
    value = str(value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= ID_MAX_DIGITS else None


@dataclass(frozen=True)
class DirectoryFilters:
    """The filters of the member directory, read from the query string (all optional).

    q: words of the name, job title or bio; lieu: a venue id or part of its name;
    territoire: a territory id; competence: a skill (slug or name); suivis=1: only the
    people the viewer follows. Anything malformed is ignored, anything long is cut.
    """

    q: str = ""
    venue: str = ""
    territory_id: int | None = None
    skill: str = ""
    followed_only: bool = False

    @classmethod
    def from_query(cls, data):
        return cls(
            q=clean_search_text(data.get("q")),
            venue=clean_search_text(data.get("lieu")),
            territory_id=_clean_id(data.get("territoire")),
            skill=clean_search_text(data.get("competence")),
            followed_only=data.get("suivis") == "1",
        )

    @property
    def words(self):
        return self.q.split()[:SEARCH_MAX_WORDS]

    @property
    def venue_id(self):
        return _clean_id(self.venue)

    @property
    def is_active(self):
        return bool(self.q or self.venue or self.territory_id is not None or self.skill or self.followed_only)

    def query_string(self):
        """The filters as a query string (for the pagination links), in a stable order."""
        pairs = [
            ("q", self.q), ("lieu", self.venue),
            ("territoire", "" if self.territory_id is None else str(self.territory_id)),
            ("competence", self.skill), ("suivis", "1" if self.followed_only else ""),
        ]
        return urlencode([(key, value) for key, value in pairs if value])
