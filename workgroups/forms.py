"""Forms of workgroups: they parse input; the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members import permissions as member_permissions
from members.models import Territory
from workgroups.models import Membership, Workgroup


class WorkgroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the group is for, who should join, until when."),
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.none(), required=False,
        empty_label=_("The whole network"),
    )
    tags_text = forms.CharField(
        label=_("Tags"), required=False, max_length=600,
        help_text=_("Comma-separated, for example: video editing, online procedures"),
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Workgroup.Visibility.choices,
                                   widget=forms.RadioSelect, initial=Workgroup.Visibility.PUBLIC)
    join_policy = forms.ChoiceField(label=_("Who may join"), choices=Workgroup.JoinPolicy.choices,
                                    widget=forms.RadioSelect, initial=Workgroup.JoinPolicy.OPEN)
    end_date = forms.DateField(
        label=_("End date (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("After this date the group is archived: read-only, nothing is deleted."),
    )
    cover = forms.ImageField(label=_("Cover image"), required=False,
                             help_text=_("JPEG, PNG, WebP or GIF, 5 MB at most."))
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)

    def __init__(self, *args, actor, workgroup=None, **kwargs):
        if workgroup is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": workgroup.name, "purpose": workgroup.purpose, "territory": workgroup.territory,
                "tags_text": ", ".join(t.name for t in workgroup.tags.all()),
                "visibility": workgroup.visibility, "join_policy": workgroup.join_policy,
                "end_date": workgroup.end_date,
            }
        super().__init__(*args, **kwargs)
        if member_permissions.is_coordinator(actor):
            territories = Territory.objects.all()
        else:
            territories = Territory.objects.filter(pk__in=member_permissions.territory_ids_of_subquery(actor))
            if workgroup is not None and workgroup.territory_id:
                territories = territories | Territory.objects.filter(pk=workgroup.territory_id)
        self.fields["territory"].queryset = territories.distinct().order_by("name")
        if workgroup is None or not workgroup.cover:
            del self.fields["remove_cover"]

    def clean_tags_text(self):
        return [t for t in (" ".join(part.split()) for part in self.cleaned_data.get("tags_text", "").split(",")) if t]

    def service_values(self):
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        values = {
            "name": data["name"], "purpose": data["purpose"], "territory": data.get("territory"),
            "tags": data.get("tags_text", []), "visibility": data["visibility"],
            "join_policy": data["join_policy"], "end_date": data.get("end_date"),
        }
        if data.get("cover"):
            values["cover"] = data["cover"]
        elif data.get("remove_cover"):
            values["cover"] = ""
        return values


class MessageForm(forms.Form):
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Message to the proposer (optional)"), required=False, max_length=1000)


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("Answer (optional)"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}))


class InviteForm(forms.Form):
    invitee = forms.ModelChoiceField(label=_("Member to invite"), queryset=None,
                                     empty_label=_("Choose a member"))
    message = forms.CharField(label=_("Message (optional)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitee"].queryset = candidates
        self.fields["invitee"].error_messages["invalid_choice"] = _(
            "Choose a member of the network who is not in the group yet."
        )


class LeaveForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("New manager"), queryset=None, required=False, empty_label=_("Choose the new manager"),
        help_text=_("You are the last manager: name the member who will manage the group."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = candidates


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class ReopenForm(forms.Form):
    end_date = forms.DateField(label=_("New end date (optional)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    filtre = forms.ChoiceField(
        label=_("Show"), required=False,
        choices=[("", _("All groups")), ("mes-groupes", _("My groups")), ("ouverts", _("Open to join")),
                 ("archives", _("Archived")), ("proposes", _("Waiting for approval"))],
    )
    territoire = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.all(), required=False,
                                        empty_label=_("All territories"))
    tag = forms.CharField(label=_("Tag"), required=False, max_length=200)
