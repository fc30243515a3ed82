"""Forum forms: they parse input; the services validate and decide."""

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, md_toolbar_labels
from forum.models import Level
from forum.services import ATTACHMENTS_MAX, BODY_MAX, TITLE_MAX


def new_submission_token():
    return secrets.token_urlsafe(24)


class PostForm(forms.Form):
    # Generous form limit; the service gives the exact message past BODY_MAX.
    body = forms.CharField(label=_("Message (Markdown)"),
                           widget=forms.Textarea(attrs={"rows": 8, "data-md-toolbar": ""}),
                           max_length=BODY_MAX * 25, strip=False,
                           help_text=_("Markdown: **bold**, *italic*, [link](https://…), > quote, lists. "
                                       "Mention a member: type @ then their name, e.g. @Thomas Vidal."))
    attachments = MultipleFileField(
        label=_("Attachments"), required=False,
        help_text=_("Up to %(n)d files of 10 MB: images, PDF, office documents, text, zip.") % {"n": ATTACHMENTS_MAX},
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    submission = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["data-md-toolbar"] = md_toolbar_labels()
        if not self.is_bound:
            self.initial.setdefault("submission", new_submission_token())


class TopicForm(PostForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX * 5)
    field_order = ["title", "body", "attachments"]


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX * 5, required=False)
    body = forms.CharField(label=_("Message (Markdown)"),
                           widget=forms.Textarea(attrs={"rows": 12, "data-md-toolbar": ""}),
                           max_length=BODY_MAX * 25, strip=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["data-md-toolbar"] = md_toolbar_labels()


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  max_length=2000)
    position = forms.IntegerField(label=_("Position"), required=False, min_value=0, max_value=100000,
                                  help_text=_("Categories are listed by increasing position."))
    managers_only_topics = forms.BooleanField(
        label=_("Only moderators start topics (announcements)"), required=False)


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Notifications"), choices=Level.choices, coerce=int)


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong with this post?"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class MoveForm(forms.Form):
    category = forms.TypedChoiceField(label=_("Move to the category"), coerce=int, choices=())

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.pk, f"{c.space} — {c.name}") for c in categories]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=500)
    categorie = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None,
                                       choices=())
    auteur = forms.CharField(label=_("Author (name)"), required=False, max_length=150)
    du = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].choices = [("", _("All categories"))] + [
            (c.pk, f"{c.space} — {c.name}") for c in categories]
