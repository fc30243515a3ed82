"""An event's pages on the desk: create, read (one occurrence of a series), edit with a scope,
cancel, delete, and its attachments. 404 for what the member may not see, 403 with the
reason for what they may see but not change."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from calendar_app import invitations, permissions, rules, selectors, services, timezones
from calendar_app.forms import EventForm
from calendar_app.models import Calendar, Event
from core import markdown, uploads
from core.forms import posted

UTC = ZoneInfo("UTC")


def _in_series(name: str, exception: Event) -> str:
    """The page `name` of the series an exception row belongs to, at its date."""
    assert exception.series_id is not None and exception.recurrence_id is not None
    occurrence = services.occurrence_param(exception.recurrence_id)
    return f"{reverse(name, args=[exception.series_id])}?occurrence={occurrence}"


def _event_or_404(request: HttpRequest, pk: int) -> Event:
    """The event `pk` if the member may see it (its master for an exception row), else 404."""
    event = Event.objects.with_rules("created_by", "series").filter(pk=pk).first()
    if event is None or not permissions.can_view_event(request.user, event):
        raise Http404
    return event


def _occurrence(request: HttpRequest, event: Event) -> tuple[datetime | None, Event | None]:
    """(original start, exception row or None) of the ?occurrence= asked for a series; 404
    for a date that is not one of the series'."""
    text = request.GET.get("occurrence") or request.POST.get("occurrence")
    if not text or not event.rrule:
        return None, None
    moment = services.parse_occurrence(text)
    if moment is None:
        raise Http404
    override = event.overrides.select_related("category", "venue").filter(recurrence_id=moment).first()
    if override is None and not services.is_occurrence(event, moment):
        raise Http404
    return moment, override


def _check_edit(request: HttpRequest, event: Event) -> None:
    decision = permissions.can_edit_event(request.user, event)
    if not decision:
        raise PermissionDenied(decision.reason)


def _when_text(start: datetime, end: datetime, all_day: bool) -> str:
    """"mardi 9 mars 2027, 10 h – 12 h" in the event's zone (start and end already in it)."""
    from django.utils import formats

    from core.templatetags.timefmt import hour_text

    first = formats.date_format(start.date(), "l j F Y")
    if all_day:
        last_day = (end - timedelta(days=1)).date() if end.time() == time() else end.date()
        if last_day <= start.date():
            return first
        return _("%(first)s to %(last)s") % {"first": first,
                                                "last": formats.date_format(last_day, "l j F Y")}
    def clock(moment: datetime) -> str:  # "10 h", "10 h 30" ("10:00" in English)
        return hour_text(moment.replace(tzinfo=None))

    naive_start, naive_end = start, end
    if start.date() == end.date():
        return _("%(day)s, %(start)s – %(end)s") % {"day": first, "start": clock(naive_start),
                                                     "end": clock(naive_end)}
    return _("%(day)s at %(start)s to %(last)s at %(end)s") % {
        "day": first, "start": clock(naive_start),
        "last": formats.date_format(end.date(), "l j F Y"), "end": clock(naive_end)}


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    if event.series_id is not None:
        return redirect(_in_series("calendar:event", event))
    occurrence, override = _occurrence(request, event)
    shown = override or (services.occurrence_as_event(event, occurrence) if occurrence else event)
    zone = ZoneInfo(shown.tz)
    start, end = shown.start.astimezone(zone), shown.end.astimezone(zone)
    master_start = event.start.astimezone(ZoneInfo(event.tz))
    can_edit = permissions.can_edit_event(request.user, event)
    occurrence_param = services.occurrence_param(occurrence) if occurrence else ""
    context: dict[str, Any] = {
        "event": event, "shown": shown, "occurrence": occurrence, "occurrence_param": occurrence_param,
        "when": _when_text(start, end, shown.all_day),
        "zone_label": timezones.zone_label(shown.tz) if shown.tz != "Europe/Paris" else "",
        "repeat_text": rules.describe(event.rrule, master_start) if event.rrule else "",
        "description_html": markdown.render(shown.description) if shown.description else "",
        "attachments": list(event.attachments.all()),
        "can_edit": bool(can_edit), "cancelled": shown.is_cancelled or event.is_cancelled,
        "panel": invitations.panel(request.user, event),
        "category": shown.category if shown.category_id else None,
        "venue": shown.venue if shown.venue_id else None,
        "upcoming": _next_dates(event) if event.rrule and occurrence is None else [],
    }
    return render(request, "calendar_app/event_detail.html", context)


def _next_dates(event: Event, count: int = 3) -> list[dict[str, str]]:
    """The series' next `count` dates (exceptions applied, cancelled ones left out), within a year."""
    now = timezone.now()
    items = [item for item in selectors.expand([event], now, now + timedelta(days=366)) if not item.cancelled]
    items.sort(key=lambda item: item.start)
    return [{"url": item.url, "when": _when_text(item.start, item.end, item.all_day)} for item in items[:count]]


def _prefill(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"visibility": Event.Visibility.MEMBERS, "repeat_end": "never",
                               "repeat_interval": 1, "start_time": time(10), "end_time": time(11)}
    try:
        initial["calendar"] = int(request.GET.get("agenda", ""))
    except ValueError:
        pass
    try:
        initial["start_date"] = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        pass
    return initial


@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(posted(request), request.FILES or None, user=request.user, initial=_prefill(request))
    if not form.calendars:
        raise PermissionDenied(_("You cannot add events to any calendar."))
    if form.is_bound and form.is_valid():
        try:
            event = services.event_create(actor=request.user, calendar=form.selected_calendar(),
                                          data=form.service_data(),
                                          attachments=form.cleaned_data.get("attachments") or ())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The event is in the calendar."))
            return redirect(event.get_absolute_url())
    return render(request, "calendar_app/event_form.html", {"form": form, "event": None})


@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    if event.series_id is not None:
        return redirect(_in_series("calendar:event-edit", event))
    _check_edit(request, event)
    occurrence, override = _occurrence(request, event)
    shown = override or event
    initial = EventForm.initial_for(shown if override else event, None if override else occurrence)
    if override is not None:
        initial.update({key: value for key, value in EventForm.initial_for(event).items()
                        if key.startswith("repeat_")})
    form = EventForm(posted(request), request.FILES or None, user=request.user, event=event,
                     occurrence=occurrence, initial=initial)
    if form.is_bound and form.is_valid():
        scope = form.cleaned_data.get("scope") or "all"
        try:
            changed = services.event_update(
                actor=request.user, event=event, data=form.service_data(), scope=scope, occurrence=occurrence,
                attachments=form.cleaned_data.get("attachments") or (),
                remove_attachments=form.cleaned_data.get("remove_attachments") or ())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The event is changed."))
            return redirect(_in_series("calendar:event", changed) if changed.series_id else changed.get_absolute_url())
    return render(request, "calendar_app/event_form.html", {
        "form": form, "event": event, "occurrence": occurrence,
        "occurrence_param": services.occurrence_param(occurrence) if occurrence else "",
    })


def _confirm(request: HttpRequest, event: Event, *, action: str, occurrence: datetime | None) -> HttpResponse:
    shown = services.occurrence_as_event(event, occurrence) if occurrence else event
    zone = ZoneInfo(shown.tz)
    return render(request, "calendar_app/event_confirm.html", {
        "event": event, "action": action, "occurrence": occurrence,
        "occurrence_param": services.occurrence_param(occurrence) if occurrence else "",
        "when": _when_text(shown.start.astimezone(zone), shown.end.astimezone(zone), shown.all_day),
        "attendee_count": event.attendees.exclude(response="no").count(),
    })


@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    if event.series_id is not None:
        return redirect(_in_series("calendar:event-cancel", event))
    _check_edit(request, event)
    occurrence, _override = _occurrence(request, event)
    if request.method == "POST":
        try:
            if occurrence is not None:
                services.occurrence_cancel(actor=request.user, event=event, occurrence=occurrence)
                url = f"{event.get_absolute_url()}?occurrence={services.occurrence_param(occurrence)}"
            else:
                services.event_cancel(actor=request.user, event=event)
                url = event.get_absolute_url()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(event.get_absolute_url())
        messages.success(request, _("The event is cancelled; the people invited are told."))
        return redirect(url)
    return _confirm(request, event, action="cancel", occurrence=occurrence)


@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    _check_edit(request, event.series if event.series_id else event)  # type: ignore[arg-type]
    if request.method == "POST":
        calendar: Calendar = event.calendar
        services.event_delete(actor=request.user, event=event)
        messages.success(request, _("The event is deleted."))
        return redirect(calendar.get_absolute_url())
    return _confirm(request, event, action="delete", occurrence=None)


@require_GET
def event_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    attachment = services.attachment_for(event, attachment_pk)
    if attachment is None:
        raise Http404
    return uploads.file_response(attachment)

