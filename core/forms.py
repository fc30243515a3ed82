import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, pgettext


def add_service_errors(form, exc: ValidationError):
    """Show a service's ValidationError on the form: field errors by field, others on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
    return form


def posted(request):
    """The form data of a POST (even an empty one), None otherwise: bind forms with it."""
    return request.POST if request.method == "POST" else None


def error_text(exc: ValidationError):
    return " ".join(exc.messages)




def safe_next(request, default):
    """The POSTed `next` when it is a path of this site, else `default` (a URL or URL name).

    Only a path (never a URL name, which `redirect` would resolve).
    """
    target = request.POST.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, {request.get_host()}, request.is_secure()):
        return target
    return default


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (forum posts, chat messages, events): a list, maybe empty."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]


def md_toolbar_labels() -> str:
    """The labels of static/js/md_toolbar.js's buttons, in the page's language: the value of a
    Markdown textarea's `data-md-toolbar` (forum posts, workshop descriptions)."""
    return json.dumps({
        "toolbar": gettext("Formatting"), "bold": gettext("Bold"), "italic": gettext("Italic"),
        "link": pgettext("formatting", "Link"), "list": gettext("List"), "quote": pgettext("formatting", "Quote"),
        "code": gettext("Code"), "link_text": gettext("link text"),
    }, ensure_ascii=False)
