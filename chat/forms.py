from django import forms
from django.utils.translation import gettext_lazy as _

from chat import services
from core.forms import MultipleFileField


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), required=False, max_length=services.BODY_MAX * 2,
        # No maxlength: a long paste is kept whole and the limit is said, never cut silently.
        widget=forms.Textarea(attrs={"rows": 2, "aria-describedby": "id_body-help"}),
        help_text=_("Markdown: **bold**, *italic*, `code`, > quote; @**Name** mentions someone."),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    files = MultipleFileField(label=_("Files"), required=False,
                              help_text=_("Images, PDF or office documents, 10 MB each, 5 at most."))


class EditForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=services.BODY_MAX * 2,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": services.BODY_MAX}))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the discussions"), required=False, max_length=200)


class PreferenceForm(forms.Form):
    share_presence = forms.BooleanField(label=_("Show others when I am online"), required=False)
    share_typing = forms.BooleanField(label=_("Show others when I am typing"), required=False)
