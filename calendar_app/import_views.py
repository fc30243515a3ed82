"""Importing an `.ics` file into a calendar (/bureau/agenda/agendas/<pk>/importer/).

GET shows the form; POST runs `importer.calendar_import` and shows its report on the same
page (a refused file: the reason, nothing imported). A member who may see the calendar but
not manage it gets 403 with the reason; one who may not see it, 404.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from calendar_app import importer, permissions, selectors
from core.forms import add_service_errors, posted


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        help_text=_("Export the calendar from Thunderbird, Google Agenda, Outlook or Nextcloud as an .ics file "
                    "(at most 2 MB). Importing the same file again updates its events rather than "
                    "duplicating them."),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
    )


@require_http_methods(["GET", "POST"])
def calendar_import(request, pk):
    calendar = selectors.calendars_visible_to(request.user).filter(pk=pk).first()
    if calendar is None:
        raise Http404
    permissions.can_manage_calendar(request.user, calendar).check()
    form = ImportForm(posted(request), request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = importer.calendar_import(actor=request.user, calendar=calendar, upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
    rows = []
    if report is not None:
        rows = [(line, importer.line_start_text(line)) for line in report.lines]
    return render(request, "calendar_app/import.html", {
        "calendar": calendar, "form": form, "report": report, "rows": rows,
    }, status=200)
