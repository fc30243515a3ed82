"""Chat views (/bureau/discussions/): thin, they parse input, call selectors and services,
render. Everything works without JavaScript: the room page shows the history (older pages
by link) and posts messages, edits, deletions and reactions with forms; chat.js adds the
live socket on top.

A view resolves the room or message its URL names through a selector (404 when the member
may not see it), then hands the services ids and raw input; the rules' answers it shows
are `chat.permissions` Decisions, rendered per message as data attributes for chat.js."""

import json
import uuid
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import dates, permissions, selectors, services
from chat.forms import EditForm, MessageForm, PreferenceForm, SearchForm
from chat.models import REACTIONS, Message
from core import realtime, spaces, uploads
from core.forms import add_service_errors, error_text, posted
from core.models import Space

SEARCH_PER_PAGE = 20


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2 ** 62 else None


def _sidebar(user):
    rooms = selectors.room_list_for(user)
    return {"space_rooms": [r for r in rooms if not r.is_direct], "direct_rooms": [r for r in rooms if r.is_direct]}


@require_GET
def index(request):
    return render(request, "chat/index.html", _sidebar(request.user))


@require_GET
def unread_counts(request):
    """{room id: unread} of the member's rooms (the sidebar refreshes with it after a reconnection)."""
    rooms = selectors.rooms_for(request.user)
    return JsonResponse({"rooms": {str(r.pk): r.unread for r in rooms}, "total": sum(r.unread for r in rooms)})


@require_GET
def space_room(request, pk):
    space = Space.objects.select_related(*spaces.related_for_rules()).filter(pk=pk).first()
    if space is None or not space.can_view(request.user):
        raise Http404
    return redirect("chat:room", services.room_for_space(space).pk)


def _room_context(request, room, form=None, mark_read=False):
    before = _int(request.GET.get("avant"))
    around = _int(request.GET.get("autour"))
    after = _int(request.GET.get("apres"))
    if around is not None:
        before = around + selectors.PAGE_SIZE // 2
    if after is not None and before is None:
        # The page after message `after` (ids are shared by every room: a cursor, not arithmetic).
        history, has_newer = selectors.messages_after(room, after, selectors.PAGE_SIZE)
        latest = not has_newer
        has_older = bool(history) and Message.objects.filter(room=room, id__lt=history[0].pk).exists()
    else:
        history, has_older = selectors.messages_before(room, before)
        latest = before is None or not Message.objects.filter(room=room, id__gte=before).exists()
    if mark_read and latest and room.last_message_id > room.last_read:
        # The latest page is shown (directly or through a message link): read, before the room list is
        # drawn; the divider still starts at `room.last_read`.
        services.room_mark_read(actor=request.user, room=room.pk, up_to=room.last_message_id)
    may_write, may_moderate = permissions.can_write(request.user, room), permissions.can_moderate(request.user, room)
    now = timezone.now()
    for message in history:  # rendered as data-can-edit, data-can-delete, data-edit-until
        message.can_edit = permissions.can_edit_message(request.user, message, now=now, may_write=may_write)
        message.can_delete = permissions.can_delete_message(request.user, message, may_read=permissions.ALLOWED,
                                                            may_moderate=may_moderate)
        message.edit_until = permissions.edit_deadline(message)
        message.reaction_list = selectors.reactions_of(message)
        for entry in message.reaction_list:  # what a screen reader says instead of the emoji
            entry["label"] = REACTIONS.get(entry["emoji"], entry["emoji"])
    dates.mark_days(history)
    first_unread = next((m.pk for m in history if m.pk > room.last_read and m.author_id != request.user.pk), None)
    replying = None
    reply_pk = _int(request.POST.get("reply_to") if form is not None else request.GET.get("repondre"))
    if reply_pk is not None and may_write:
        replying = selectors.reply_target(room, reply_pk)
    if form is None:
        form = MessageForm(initial={"client_id": uuid.uuid4().hex, "reply_to": replying.pk if replying else None})
    return {
        "room": room,
        **_sidebar(request.user),
        "replying": replying,
        "reactions_json": json.dumps([{"emoji": e, "label": str(label)} for e, label in REACTIONS.items()]),
        "history": history,
        "has_older": has_older,
        "older_url": f"?avant={history[0].pk}" if has_older and history else None,
        "newer_url": f"?apres={history[-1].pk}" if not latest and history else None,
        "latest": latest,
        "first_unread": first_unread,
        "form": form,
        "can_write": may_write,
        "can_moderate": may_moderate,
        "reactions": REACTIONS,
        "online": [person for person in selectors.online_members(room) if person.pk != request.user.pk],
        "preference": selectors.preference(request.user),
        "last_id": history[-1].pk if history else 0,
        "member_ids": json.dumps(selectors.member_ids(room)),
        # chat.js writes the times of live messages as the server does (chat/dates.py).
        "time_format": get_format("TIME_FORMAT"),
        "time_zone": timezone.get_current_timezone_name(),
    }


@require_GET
def room(request, pk):
    room = selectors.room_get_for_user(request.user, pk)
    return render(request, "chat/room.html", _room_context(request, room, mark_read=True))


@require_POST
def send(request, pk):
    room = selectors.room_get_for_user(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            message = services.message_send(
                actor=request.user, room=room.pk, body=form.cleaned_data["body"],
                reply_to=form.cleaned_data["reply_to"], files=request.FILES.getlist("files"),
                client_id=form.cleaned_data["client_id"] or "")
        except ValidationError as exc:
            add_service_errors(form, exc)
            error = error_text(exc)
        except realtime.RateLimited as exc:
            form.add_error(None, str(exc))
            error = str(exc)
        except PermissionDenied as exc:
            if _wants_json(request):
                return JsonResponse({"error": str(exc)}, status=403)
            raise
        else:
            if _wants_json(request):
                return JsonResponse({"id": message.pk})
            return redirect(f"{reverse('chat:room', args=[room.pk])}#message-{message.pk}")
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if _wants_json(request):
        return JsonResponse({"error": error}, status=400)
    return render(request, "chat/room.html", _room_context(request, room, form), status=400)


@require_GET
def messages_json(request, pk):
    """Older messages (?before=id) for the infinite scroll, or newer ones (?after=id)."""
    room = selectors.room_get_for_user(request.user, pk)
    after = _int(request.GET.get("after"))
    limit = min(max(_int(request.GET.get("limit")) or selectors.CATCH_UP_MAX, 1), selectors.CATCH_UP_MAX)
    if after is not None:
        page, more = selectors.messages_after(room, after, limit)
    else:
        page, more = selectors.messages_before(room, _int(request.GET.get("before")))
    return JsonResponse({"messages": [selectors.message_payload(m) for m in page], "has_more": more})


@require_POST
def mark_read(request, pk):
    room = selectors.room_get_for_user(request.user, pk)
    try:
        services.room_mark_read(actor=request.user, room=room.pk, up_to=request.POST.get("up_to") or None)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"error": error_text(exc)}, status=400)
        flash.error(request, error_text(exc))
    else:
        if _wants_json(request):
            return JsonResponse({"ok": True})
        flash.success(request, _("The room is marked read."))
    return redirect("chat:room", room.pk)


@require_GET
def mentions(request, pk):
    room = selectors.room_get_for_user(request.user, pk)
    return JsonResponse({"results": selectors.mention_candidates(request.user, room, request.GET.get("q", ""))})


def _message(request, pk):
    return selectors.message_get_for_user(request.user, pk)


def _back(message):
    return redirect(selectors.message_url(message))


@require_http_methods(["GET", "POST"])
def message_edit(request, pk):
    message = _message(request, pk)
    decision = permissions.can_edit_message(request.user, message)
    if not decision:
        if request.method == "POST" and _wants_json(request):
            return JsonResponse({"error": decision.reason}, status=403)
        flash.error(request, permissions.edit_refused_summary())
        return _back(message)
    form = EditForm(posted(request), initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.message_edit(actor=request.user, message=message.pk, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except (PermissionDenied, realtime.RateLimited) as exc:
            form.add_error(None, str(exc))
        else:
            return _back(message)
    return render(request, "chat/edit.html", {"message": message, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def message_delete(request, pk):
    message = _message(request, pk)
    decision = permissions.can_delete_message(request.user, message)
    if not decision:
        raise PermissionDenied(decision.reason)
    if request.method == "POST":
        try:
            services.message_delete(actor=request.user, message=message.pk)
        except realtime.RateLimited as exc:
            flash.error(request, str(exc))
            return _back(message)
        flash.success(request, _("The message is deleted."))
        return redirect("chat:room", message.room_id)
    return render(request, "chat/delete.html", {"message": message})


@require_POST
def reaction(request, pk):
    message = _message(request, pk)
    try:
        services.reaction_toggle(actor=request.user, message=message.pk, emoji=request.POST.get("emoji", ""))
    except ValidationError as exc:
        flash.error(request, error_text(exc))
    except realtime.RateLimited as exc:
        flash.error(request, str(exc))
    return _back(message)


@require_GET
def attachment(request, pk, name):
    return uploads.file_response(selectors.attachment_get_for_user(request.user, pk))


@require_http_methods(["GET", "POST"])
def direct_new(request):
    """Choose people (search by name without JavaScript), then open the conversation."""
    query = request.GET.get("q", "")
    candidates = selectors.direct_candidates(request.user, query, limit=20) if query.strip() else []
    errors = []
    if request.method == "POST":
        ids = [pk for pk in (_int(v) for v in request.POST.getlist("members")) if pk is not None]
        try:
            room = services.direct_room_open(actor=request.user, others=ids)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("chat:room", room.pk)
    return render(request, "chat/direct_new.html", {"query": query, "candidates": candidates, "errors": errors,
                                                    "max_people": permissions.DIRECT_MAX_PEOPLE},
                  status=400 if errors else 200)


@require_GET
def direct_candidates(request):
    return JsonResponse({"results": selectors.direct_candidates(request.user, request.GET.get("q", ""))})


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        if query.strip():
            results = Paginator(selectors.search_messages(request.user, query), SEARCH_PER_PAGE).get_page(
                request.GET.get("page"))
    return render(request, "chat/search.html", {"form": form, "results": results, "query": query,
                                                "extra_query": urlencode({"q": query})})


@require_http_methods(["GET", "POST"])
def preferences(request):
    current = selectors.preference(request.user)
    form = PreferenceForm(posted(request), initial={"share_presence": current.share_presence,
                                                    "share_typing": current.share_typing})
    if request.method == "POST" and form.is_valid():
        services.preference_set(actor=request.user, **form.cleaned_data)
        flash.success(request, _("Your chat preferences are saved."))
        return redirect("chat:preferences")
    return render(request, "chat/preferences.html", {"form": form})



