"""Views of invitations and answers: thin, they parse input, call `invitations` and render."""

import io
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from calendar_app import invitations, permissions
from calendar_app.models import Attendee
from core import spreadsheets
from core.forms import add_service_errors, error_text, safe_next
from members import permissions as member_permissions
from members.forms import clean_search_text

SEARCH_MAX = 100
CANDIDATES = 50


def _event(request, pk):
    """The master (or single) event the answers belong to; a 404 for who may not see it."""
    event = invitations.master_of(get_object_or_404(invitations.events(), pk=pk))
    if not permissions.can_view_event(request.user, event):
        raise Http404
    return event


class AnswerForm(forms.Form):
    response = forms.ChoiceField(choices=[(value, value) for value in (*invitations.ANSWERS, "withdraw")])
    reminder = forms.IntegerField(required=False, min_value=0, max_value=invitations.REMINDER_MAX)


@require_POST
def event_answer(request, pk):
    """Yes / maybe / no (or withdraw), then back to the event's page with a message."""
    event = _event(request, pk)
    back = redirect(safe_next(request, event.get_absolute_url()))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        if "response" in form.errors:
            messages.error(request, _("Answer yes, maybe or no."))
        else:
            messages.error(request, _("Choose a reminder between 0 minutes and four weeks before the event."))
        return back
    response = form.cleaned_data["response"]
    try:
        if response == "withdraw":
            invitations.event_withdraw(actor=request.user, event=event)
        else:
            invitations.event_answer(actor=request.user, event=event, response=response,
                                     reminder_minutes=form.cleaned_data["reminder"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return back
    if response == "withdraw":
        messages.success(request, _("Your answer is withdrawn."))
    else:
        label = Attendee.Response(response).label
        messages.success(request, _("Your answer is saved: %(answer)s.") % {"answer": label})
    return back


class InviteForm(forms.Form):
    space_members = forms.BooleanField(label=gettext_lazy("All the members of the space"), required=False)
    users = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Members to invite"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, with_space=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = candidates
        self.fields["users"].error_messages["invalid_choice"] = gettext_lazy(
            "Choose approved members of the network."
        )
        if not with_space:
            del self.fields["space_members"]


def _candidates(event, query, actor):
    """Approved members not invited yet (but the actor), matching `query` (name or e-mail)."""
    found = member_permissions.approved_members().exclude(event_answers__event=event).exclude(pk=actor.pk)
    if query:
        found = found.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    return found.order_by("display_name", "pk")


def event_invite(request, pk):
    event = _event(request, pk)
    permissions.can_edit_event(request.user, event).check()
    query = clean_search_text(request.GET.get("q", ""), SEARCH_MAX)
    with_space = event.calendar.space_id is not None
    if request.method == "POST":
        form = InviteForm(request.POST, candidates=member_permissions.approved_members(), with_space=with_space)
        if form.is_valid():
            try:
                new = invitations.event_invite(
                    actor=request.user, event=event, users=form.cleaned_data["users"],
                    space_members=form.cleaned_data.get("space_members", False),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if new:
                    messages.success(request, _("Invitations sent: %(count)s.") % {"count": len(new)})
                else:
                    messages.info(request, _("Everyone chosen was already invited."))
                return redirect("calendar:event-answers", event.pk)
    else:
        form = InviteForm(candidates=member_permissions.approved_members(), with_space=with_space)
    candidates = list(_candidates(event, query, request.user)[:CANDIDATES + 1])
    # The choices shown: the first matching members (a POST was validated against them all).
    form.fields["users"].queryset = member_permissions.approved_members().filter(
        pk__in=[user.pk for user in candidates[:CANDIDATES]]).order_by("display_name", "pk")
    return render(request, "calendar_app/invite.html", {
        "event": event, "form": form, "query": query, "more": len(candidates) > CANDIDATES,
        "space_name": event.calendar.space.name if with_space else "",
    })


def _may_see_answers(request, pk):
    event = _event(request, pk)
    permissions.can_edit_event(request.user, event).check()
    return event


def event_answers(request, pk):
    """Who answered what, grouped by answer, for the organiser and the calendar's managers."""
    event = _may_see_answers(request, pk)
    answers = invitations.answers_of(event)
    return render(request, "calendar_app/answers.html", {
        "event": event, "answers": answers,
        "counts_text": invitations.counts_text({group.response: group.count for group in answers.groups}),
        "places_text": invitations.places_text(event.capacity, answers.count(invitations.YES)),
    })


def event_answers_csv(request, pk):
    """The answers as CSV for French Excel: UTF-8 with a byte order mark, ";" between fields."""
    event = _may_see_answers(request, pk)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheets.writer(buffer)
    writer.writerows(invitations.answers_csv_rows(event))
    day = event.start.astimezone(ZoneInfo(event.tz)).date()
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reponses-{day:%Y-%m-%d}-{event.pk}.csv"'
    return response
