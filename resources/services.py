"""Writes of the resource library: resources (fields, tags, authors, files, kit steps and
equipment), publication, counters, ratings, reports, collections and workshop kits.

Every service takes `actor=`, finds what it acts on itself (a resource, a collection or a
workshop the actor may not see is `Http404`, no hint that it exists), asks
`resources.permissions` (`PermissionDenied` with the reason; a `Conflict` is a
`ValidationError`), validates with French messages (`ValidationError`, by field: the field
is the service's argument name, e.g. {"title": [...], "uploads": [...]}) and writes in one
transaction: a refusal saves nothing.

Decisions worth knowing:
- **Files** go through `files.content` (type checked on the content, size ≤
  `settings.FILES_MAX_SIZE`, no quota for the library). They are checked first, then stored
  (with thumbnail and extracted text) before the transaction that writes the rows, so that a
  slow PDF never holds the database; if anything fails afterwards, the stored blobs are
  deleted: never half-stored. Blobs of a removed file or a deleted resource are deleted once
  the transaction commits.
- `resource_update` takes the same fields as `resource_create`; a field left `None`
  (summary, body, licence, visibility, tag_ids, author_ids, steps, equipment ids) is left as
  it is; an empty list clears it (except the authors: at least one stays).
- **Tags**: `tag_ids` pick existing tags (both kinds); `new_themes` / `new_publics` name
  tags separated by commas or new lines (trimmed, deduplicated by slug; an existing tag of
  that name is reused; at most 10 new tags in one save, 80 characters each).
- **Authors** are ordered (`ResourceAuthor.position`); they must be approved members. The
  creator is the first author; a newly added author is told ("resources.author_added").
- **Search text** (`Resource.search_text`): lower-cased title, summary, body (as text), tags,
  authors, kit steps, files' names and text, plus the accent-free spelling of its accented
  words; rebuilt by every write here (`search_text_rebuild`).
- **Counters**: views and downloads are single `F()` UPDATEs; the rating count and sum are
  recounted in the transaction that changed a rating, after locking the resource's row
  (SQLite: the IMMEDIATE transaction), so they stay exact under concurrent ratings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from html import unescape
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Sum, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import markdown
from core.services import activity_record, notify
from files import content
from lending.models import Item, Kit
from members import permissions as member_permissions
from members.models import User
from resources import (
    permissions,
    verbs,  # noqa: F401  (the verbs exist whenever a service runs; R3 imports it too)
)
from resources.models import (
    Collection,
    CollectionItem,
    KitStep,
    Licence,
    Rating,
    Report,
    Resource,
    ResourceAuthor,
    ResourceFile,
    Tag,
    WorkshopKit,
)
from workshops import permissions as workshop_permissions
from workshops.models import Workshop

if TYPE_CHECKING:
    from core.models import Space
    from core.permissions import AnyUser

TITLE_MAX = 200
SLUG_MAX = 220
SUMMARY_MAX = 600
BODY_MAX = 100_000
TAG_NAME_MAX = 80
NEW_TAGS_MAX = 10
AUTHORS_MAX = 20
STEPS_MAX = 50
STEP_TITLE_MAX = 200
STEP_BODY_MAX = 20_000
STEP_MINUTES_MAX = 24 * 60
TEXT_MAX = 2000  # comments, reasons, notes, a collection's description
COLLECTION_NAME_MAX = 120
DEFAULT_COLLECTION_NAME = "Favoris"

_TAG_SEPARATORS = re.compile(r"[,\n\r]+")
_WORD = re.compile(r"\w+")


# --- Small helpers --------------------------------------------------------------------------


def _count(number: int) -> str:
    """A limit as the reader's language writes it ("2 000", "2,000")."""
    return number_format(number, force_grouping=True)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _pk(value: Any) -> int:
    """An id from a view (int or str); anything else is a 404."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk <= 0:
        raise Http404
    return pk


def _ids(values: Iterable[Any] | None) -> list[int] | None:
    """Distinct ids in their order; None when one is not a number."""
    result: list[int] = []
    for value in values or ():
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        if pk not in result:
            result.append(pk)
    return result


def _fold(text: str) -> str:
    """`text` without accents (é → e, œ stays œ)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _network_space() -> Space:
    from members.spaces import network_space

    return network_space()


def _delete_blobs(names: Iterable[str]) -> None:
    for name in names:
        content.delete_blob(name)


def _file_blob_names(files: Iterable[ResourceFile]) -> list[str]:
    names: list[str] = []
    for file in files:
        names += [name for name in (file.blob.name, file.thumbnail.name) if name]
    return names


def _resource(resource_id: Any, *, lock: bool = False) -> Resource:
    """The resource with its authors (what the rules read), or 404."""
    queryset = Resource.objects.all()
    if lock:
        queryset = queryset.select_for_update()
    resource = queryset.filter(pk=_pk(resource_id)).first()
    if resource is None:
        raise Http404
    prefetch_related_objects([resource], "authors")
    return resource


def _visible_resource(actor: AnyUser, resource_id: Any, *, lock: bool = False) -> Resource:
    resource = _resource(resource_id, lock=lock)
    if not permissions.can_view_resource(actor, resource):
        raise Http404
    return resource


def _require_member(actor: AnyUser, message: str) -> User:
    if not member_permissions.is_approved(actor):
        raise PermissionDenied(message)
    return actor


# --- Validation of a resource's fields ----------------------------------------------------


@dataclass
class _NewTag:
    kind: str
    name: str
    slug: str


@dataclass
class _Cleaned:
    values: dict[str, Any] = field(default_factory=dict)  # model fields to set
    tags: list[Tag] | None = None  # picked existing tags (None: unchanged)
    new_tags: list[_NewTag] = field(default_factory=list)
    authors: list[User] | None = None
    steps: list[dict[str, Any]] | None = None
    items: list[Item] | None = None
    kits: list[Kit] | None = None
    checked: list[content.Checked] = field(default_factory=list)


def _tag_names(raw: str) -> list[str]:
    names = [" ".join(part.split()) for part in _TAG_SEPARATORS.split(raw or "")]
    return [name for name in names if name]


def _clean_new_tags(raw: dict[str, str], errors: dict[str, list[str]]) -> list[_NewTag]:
    """Names typed for new tags: (kind, name, slug), deduplicated by slug within a kind."""
    found: list[_NewTag] = []
    for field_name, kind in (("new_themes", Tag.Kind.THEME), ("new_publics", Tag.Kind.PUBLIC)):
        seen: set[str] = set()
        for name in _tag_names(raw.get(field_name) or ""):
            if len(name) > TAG_NAME_MAX:
                errors.setdefault(field_name, []).append(
                    _("“%(name)s” is too long for a tag (%(max)s characters at most).")
                    % {"name": name[:40] + "…", "max": TAG_NAME_MAX})
                continue
            slug = slugify(name)[:90]
            if not slug:
                errors.setdefault(field_name, []).append(
                    _("“%(name)s” cannot be a tag: use letters or digits.") % {"name": name})
                continue
            if slug in seen:
                continue
            seen.add(slug)
            found.append(_NewTag(kind=str(kind), name=name, slug=slug))
    return found


def _clean_steps(steps: Sequence[Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for raw in steps:
        raw = raw if isinstance(raw, dict) else {}
        title, body = _text(raw.get("title")), _text(raw.get("body"))
        minutes_raw = raw.get("duration_minutes")
        if not title and not body and minutes_raw in (None, ""):
            continue  # an empty row of the form
        number = len(cleaned) + 1
        if not title:
            problems.append(_("Step %(number)s needs a title.") % {"number": number})
        elif len(title) > STEP_TITLE_MAX:
            problems.append(_("The title of step %(number)s is too long (%(max)s characters at most).")
                            % {"number": number, "max": STEP_TITLE_MAX})
        if len(body) > STEP_BODY_MAX:
            problems.append(_("The text of step %(number)s is too long (%(max)s characters at most).")
                            % {"number": number, "max": STEP_BODY_MAX})
        minutes: int | None = None
        if minutes_raw not in (None, ""):
            try:
                minutes = int(minutes_raw)
            except (TypeError, ValueError):
                minutes = -1
            if not 1 <= minutes <= STEP_MINUTES_MAX:
                problems.append(_("Step %(number)s: the duration is a number of minutes from 1 to %(max)s.")
                                % {"number": number, "max": STEP_MINUTES_MAX})
        cleaned.append({"title": title, "body": body, "duration_minutes": minutes})
    if len(cleaned) > STEPS_MAX:
        problems.append(_("A kit has at most %(max)s steps.") % {"max": STEPS_MAX})
    if problems:
        errors["steps"] = problems
    return cleaned


def _clean_authors(author_ids: Iterable[Any], errors: dict[str, list[str]],
                   resource: Resource | None = None) -> list[User]:
    """The authors chosen. Those added now must be approved members; those the resource already
    names stay, even when their account is no longer approved (they keep their credit)."""
    ids = _ids(author_ids)
    if ids is None:
        errors["author_ids"] = [_("Choose the authors among the network's members.")]
        return []
    found = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    problems: list[str] = []
    if any(pk not in found for pk in ids):
        problems.append(_("One of the chosen authors is not a member of the network."))
    already = set(ResourceAuthor.objects.filter(resource=resource).values_list("user_id", flat=True)) \
        if resource is not None and resource.pk else set()
    for pk in ids:
        user = found.get(pk)
        if user is not None and pk not in already and not member_permissions.is_approved(user):
            problems.append(_("%(name)s is not an approved member of the network: only members can be authors.")
                            % {"name": user.display_name or _("This account")})
    if len(ids) > AUTHORS_MAX:
        problems.append(_("A resource has at most %(max)s authors.") % {"max": AUTHORS_MAX})
    if problems:
        errors["author_ids"] = problems
    return [found[pk] for pk in ids if pk in found]


def _clean_equipment(item_ids: Iterable[Any] | None, kit_ids: Iterable[Any] | None, resource: Resource | None,
                     errors: dict[str, list[str]]) -> tuple[list[Item] | None, list[Kit] | None]:
    items: list[Item] | None = None
    kits: list[Kit] | None = None
    if item_ids is not None:
        ids = _ids(item_ids)
        current = set(resource.equipment_items.values_list("pk", flat=True)) if resource else set()
        found = {item.pk: item for item in Item.objects.filter(pk__in=ids or [])}
        if ids is None or any(pk not in found for pk in ids):
            errors.setdefault("equipment_item_ids", []).append(_("This equipment is not in the catalogue."))
        else:
            for pk in ids:
                if pk not in current and found[pk].status == Item.Status.RETIRED:
                    errors.setdefault("equipment_item_ids", []).append(
                        _("%(name)s is retired and can no longer be borrowed.") % {"name": found[pk].name})
            items = [found[pk] for pk in ids]
    if kit_ids is not None:
        ids = _ids(kit_ids)
        current = set(resource.equipment_kits.values_list("pk", flat=True)) if resource else set()
        found_kits = {kit.pk: kit for kit in Kit.objects.filter(pk__in=ids or [])}
        if ids is None or any(pk not in found_kits for pk in ids):
            errors.setdefault("equipment_kit_ids", []).append(_("This kit is not in the catalogue."))
        else:
            for pk in ids:
                if pk not in current and not found_kits[pk].is_active:
                    errors.setdefault("equipment_kit_ids", []).append(
                        _("The kit %(name)s is no longer lent.") % {"name": found_kits[pk].name})
            kits = [found_kits[pk] for pk in ids]
    return items, kits


def _clean(*, resource: Resource | None, title: Any, summary: Any, body: Any, licence: Any, visibility: Any,
           tag_ids: Iterable[Any] | None, new_themes: str, new_publics: str, author_ids: Iterable[Any] | None,
           uploads: Iterable[Any], steps: Sequence[Any] | None, equipment_item_ids: Iterable[Any] | None,
           equipment_kit_ids: Iterable[Any] | None) -> _Cleaned:
    """Every field checked; all the errors at once (ValidationError by field)."""
    errors: dict[str, list[str]] = {}
    cleaned = _Cleaned()
    title_text = _text(title)
    if not title_text:
        errors["title"] = [_("Give the resource a title.")]
    elif len(title_text) > TITLE_MAX:
        errors["title"] = [_("The title is too long (%(max)s characters at most).") % {"max": TITLE_MAX}]
    cleaned.values["title"] = title_text
    if summary is not None:
        summary_text = _text(summary)
        if len(summary_text) > SUMMARY_MAX:
            errors["summary"] = [_("The summary is too long (%(max)s characters at most).") % {"max": SUMMARY_MAX}]
        elif not summary_text and resource is not None and resource.is_published:
            errors["summary"] = [_("A published resource needs a summary.")]
        cleaned.values["summary"] = summary_text
    if body is not None:
        body_text = str(body).strip("\n")
        if len(body_text) > BODY_MAX:
            errors["body"] = [_("The text is too long (%(max)s characters at most).") % {"max": _count(BODY_MAX)}]
        cleaned.values["body"] = body_text
    if licence is not None:
        if licence not in Licence.values:
            errors["licence"] = [_("Choose a licence from the list.")]
        cleaned.values["licence"] = licence
    if visibility is not None:
        if visibility not in Resource.Visibility.values:
            errors["visibility"] = [_("Choose who may read the resource.")]
        cleaned.values["visibility"] = visibility
    if tag_ids is not None:
        ids = _ids(tag_ids)
        tags = list(Tag.objects.filter(pk__in=ids or []))
        if ids is None or len(tags) != len(ids):
            errors["tag_ids"] = [_("Choose the themes and publics from the list.")]
        order = {pk: index for index, pk in enumerate(ids or [])}
        cleaned.tags = sorted(tags, key=lambda tag: order.get(tag.pk, 0))
    new_tags = _clean_new_tags({"new_themes": new_themes, "new_publics": new_publics}, errors)
    if new_tags:
        existing = {(tag.kind, tag.slug) for tag in Tag.objects.filter(slug__in=[t.slug for t in new_tags])}
        if sum((tag.kind, tag.slug) not in existing for tag in new_tags) > NEW_TAGS_MAX:
            field_name = "new_themes" if any(t.kind == Tag.Kind.THEME for t in new_tags) else "new_publics"
            errors.setdefault(field_name, []).append(
                _("At most %(max)s new tags at once.") % {"max": NEW_TAGS_MAX})
    cleaned.new_tags = new_tags
    if author_ids is not None:
        cleaned.authors = _clean_authors(author_ids, errors, resource)
        if resource is not None and not cleaned.authors and "author_ids" not in errors:
            errors["author_ids"] = [_("A resource keeps at least one author.")]
    if steps is not None:
        cleaned.steps = _clean_steps(steps, errors)
    cleaned.items, cleaned.kits = _clean_equipment(equipment_item_ids, equipment_kit_ids, resource, errors)
    files = [upload for upload in (uploads or ()) if upload]
    if files:
        try:
            cleaned.checked = content.check_uploads(files, field="uploads", max_size=settings.FILES_MAX_SIZE)
        except ValidationError as error:
            errors.update({key: list(value) for key, value in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Storing files ----------------------------------------------------------------------------


@dataclass
class _Stored:
    checked: content.Checked
    blob: content.Blob
    thumbnail: str
    text: str


def _store(checked: list[content.Checked]) -> tuple[list[_Stored], list[str]]:
    """Store every checked upload (thumbnail, text); on any failure delete what was stored."""
    stored: list[_Stored] = []
    names: list[str] = []
    try:
        for item in checked:
            blob = content.store(item)
            names.append(blob.name)
            thumbnail = content.make_thumbnail(blob.name, content_type=item.content_type) if item.is_image else ""
            if thumbnail:
                names.append(thumbnail)
            text = content.extract_text(blob.name, content_type=item.content_type, size=blob.size)
            stored.append(_Stored(checked=item, blob=blob, thumbnail=thumbnail, text=text))
    except BaseException:
        _delete_blobs(names)
        raise
    return stored, names


def _add_files(resource: Resource, stored: list[_Stored], actor: User) -> None:
    if not stored:
        return
    last = ResourceFile.objects.filter(resource=resource).aggregate(last=Max("position"))["last"]
    start = 0 if last is None else last + 1
    rows = []
    for index, item in enumerate(stored):
        row = ResourceFile(resource=resource, position=start + index, name=item.checked.name, size=item.blob.size,
                           content_type=item.checked.content_type, is_image=item.checked.is_image,
                           text=item.text or "", uploaded_by=actor)
        row.blob.name = item.blob.name
        row.thumbnail.name = item.thumbnail or ""
        rows.append(row)
    ResourceFile.objects.bulk_create(rows)


# --- Writing a resource's parts ---------------------------------------------------------------


def _slug(title: str) -> str:
    return slugify(title)[:SLUG_MAX].strip("-") or "ressource"


def _set_tags(resource: Resource, picked: list[Tag] | None, new_tags: list[_NewTag], *, keep: bool) -> None:
    if picked is None and not new_tags:
        return
    tags = list(picked) if picked is not None else list(resource.tags.all()) if keep else []
    for new in new_tags:
        tag, _created = Tag.objects.get_or_create(kind=new.kind, slug=new.slug, defaults={"name": new.name})
        if tag not in tags:
            tags.append(tag)
    resource.tags.set(tags)


def _set_authors(resource: Resource, users: list[User]) -> list[User]:
    """Replace the authors by `users`, in order; returns those who were not authors before."""
    before = set(ResourceAuthor.objects.filter(resource=resource).values_list("user_id", flat=True))
    ResourceAuthor.objects.filter(resource=resource).delete()
    ResourceAuthor.objects.bulk_create(
        [ResourceAuthor(resource=resource, user=user, position=index) for index, user in enumerate(users)])
    return [user for user in users if user.pk not in before]


def _set_steps(resource: Resource, steps: list[dict[str, Any]]) -> None:
    KitStep.objects.filter(resource=resource).delete()
    KitStep.objects.bulk_create([
        KitStep(resource=resource, position=index, title=step["title"], body=step["body"],
                body_html=markdown.render(step["body"], top_level=5), duration_minutes=step["duration_minutes"])
        for index, step in enumerate(steps)
    ])


def _plain(html: str) -> str:
    return unescape(strip_tags(html or ""))


def search_text_rebuild(resource: Resource) -> str:
    """Rebuild `resource.search_text` from what it holds now (one UPDATE); returns it."""
    parts: list[str] = [resource.title, resource.summary, _plain(resource.body_html)]
    parts += list(resource.tags.values_list("name", flat=True))
    parts += [name for name in User.objects.filter(
        pk__in=ResourceAuthor.objects.filter(resource=resource).values("user_id")).values_list(
        "display_name", flat=True)]
    for title, body_html in KitStep.objects.filter(resource=resource).values_list("title", "body_html"):
        parts += [title, _plain(body_html)]
    for name, text in ResourceFile.objects.filter(resource=resource).values_list("name", "text"):
        parts += [name, text]
    text = "\n".join(part for part in parts if part).lower()
    folded = sorted({_fold(word) for word in _WORD.findall(text) if _fold(word) != word})
    if folded:
        text += "\n" + " ".join(folded)
    Resource.objects.filter(pk=resource.pk).update(search_text=text)
    resource.search_text = text
    return text


def _tell_new_authors(resource: Resource, added: list[User], actor: User) -> None:
    for user in added:
        notify(recipient=user, verb="resources.author_added", target=resource, actor=actor)


# --- Resources --------------------------------------------------------------------------------


def resource_create(*, actor: User, title: str, summary: str = "", body: str = "", licence: str = "etalab-2.0",
                    visibility: str = "members", tag_ids: Iterable[Any] = (), new_themes: str = "",
                    new_publics: str = "", author_ids: Iterable[Any] = (), uploads: Iterable[Any] = (),
                    steps: Sequence[dict[str, Any]] = (), equipment_item_ids: Iterable[Any] = (),
                    equipment_kit_ids: Iterable[Any] = ()) -> Resource:
    """A draft; the actor is its first author (then `author_ids`, in order)."""
    permissions.can_create_resource(actor).check()
    cleaned = _clean(resource=None, title=title, summary=summary, body=body, licence=licence,
                     visibility=visibility, tag_ids=tag_ids, new_themes=new_themes, new_publics=new_publics,
                     author_ids=author_ids, uploads=uploads, steps=steps,
                     equipment_item_ids=equipment_item_ids, equipment_kit_ids=equipment_kit_ids)
    stored, names = _store(cleaned.checked)
    try:
        with transaction.atomic():
            now = timezone.now()
            values = cleaned.values
            resource = Resource.objects.create(
                title=values["title"], slug=_slug(values["title"]), summary=values.get("summary", ""),
                body=values.get("body", ""), body_html=markdown.render(values.get("body", ""), top_level=3),
                licence=values.get("licence", Licence.ETALAB_2),
                visibility=values.get("visibility", Resource.Visibility.MEMBERS), status=Resource.Status.DRAFT,
                created_by=actor,
                created_at=now, updated_at=now,
            )
            authors = [actor] + [user for user in cleaned.authors or [] if user.pk != actor.pk]
            added = _set_authors(resource, authors)
            _set_tags(resource, cleaned.tags or [], cleaned.new_tags, keep=False)
            _set_steps(resource, cleaned.steps or [])
            resource.equipment_items.set(cleaned.items or [])
            resource.equipment_kits.set(cleaned.kits or [])
            _add_files(resource, stored, actor)
            search_text_rebuild(resource)
            _tell_new_authors(resource, added, actor)
    except BaseException:
        _delete_blobs(names)
        raise
    return resource


def resource_update(*, actor: User, resource_id: Any, title: str, summary: str | None = None,
                    body: str | None = None, licence: str | None = None, visibility: str | None = None,
                    tag_ids: Iterable[Any] | None = None, new_themes: str = "", new_publics: str = "",
                    author_ids: Iterable[Any] | None = None, uploads: Iterable[Any] = (),
                    steps: Sequence[dict[str, Any]] | None = None, equipment_item_ids: Iterable[Any] | None = None,
                    equipment_kit_ids: Iterable[Any] | None = None,
                    remove_file_ids: Iterable[Any] = ()) -> Resource:
    """Change a resource (authors and moderators). `None`: that field is left as it is."""
    resource = _visible_resource(actor, resource_id)
    permissions.can_edit_resource(actor, resource).check()
    cleaned = _clean(resource=resource, title=title, summary=summary, body=body, licence=licence,
                     visibility=visibility, tag_ids=tag_ids, new_themes=new_themes, new_publics=new_publics,
                     author_ids=author_ids, uploads=uploads, steps=steps,
                     equipment_item_ids=equipment_item_ids, equipment_kit_ids=equipment_kit_ids)
    remove_ids = _ids(remove_file_ids) or []
    stored, names = _store(cleaned.checked)
    try:
        with transaction.atomic():
            resource = _resource(resource.pk, lock=True)
            permissions.can_edit_resource(actor, resource).check()
            values = cleaned.values
            for name, value in values.items():
                setattr(resource, name, value)
            resource.slug = _slug(resource.title)
            if "body" in values:
                resource.body_html = markdown.render(resource.body, top_level=3)
            if resource.is_published and not resource.summary:
                raise ValidationError({"summary": [_("A published resource needs a summary.")]})
            resource.updated_at = timezone.now()
            resource.save()
            added: list[User] = []
            if cleaned.authors is not None:
                added = _set_authors(resource, cleaned.authors)
            _set_tags(resource, cleaned.tags, cleaned.new_tags, keep=True)
            if cleaned.steps is not None:
                _set_steps(resource, cleaned.steps)
            if cleaned.items is not None:
                resource.equipment_items.set(cleaned.items)
            if cleaned.kits is not None:
                resource.equipment_kits.set(cleaned.kits)
            removed = list(ResourceFile.objects.filter(resource=resource, pk__in=remove_ids))
            if removed:
                ResourceFile.objects.filter(pk__in=[file.pk for file in removed]).delete()
                transaction.on_commit(partial(_delete_blobs, _file_blob_names(removed)))
            _add_files(resource, stored, actor)
            search_text_rebuild(resource)
            if resource.is_published:
                activity_record(actor=actor, verb="resources.updated", target=resource, space=_network_space())
            _tell_new_authors(resource, added, actor)
    except BaseException:
        _delete_blobs(names)
        raise
    prefetch_related_objects([resource], "authors")
    return resource


def resource_publish(*, actor: User, resource_id: Any) -> Resource:
    """Publish a draft (a title and a summary needed); `published_at` is set the first time.
    Publishing a published resource changes nothing."""
    resource = _visible_resource(actor, resource_id)
    permissions.can_edit_resource(actor, resource).check()
    errors: dict[str, list[str]] = {}
    if not resource.title.strip():
        errors["title"] = [_("Give the resource a title before publishing it.")]
    if not resource.summary.strip():
        errors["summary"] = [_("Write a summary before publishing the resource.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        changed = Resource.objects.filter(pk=resource.pk, status=Resource.Status.DRAFT).update(
            status=Resource.Status.PUBLISHED, published_at=resource.published_at or now, updated_at=now)
        resource = _resource(resource.pk)
        if changed:
            activity_record(actor=actor, verb="resources.published", target=resource, space=_network_space())
    return resource


def resource_unpublish(*, actor: User, resource_id: Any, reason: str = "") -> Resource:
    """Back to draft. A moderator who is not one of its authors tells the authors (with the reason)."""
    resource = _visible_resource(actor, resource_id)
    permissions.can_edit_resource(actor, resource).check()
    reason = _text(reason)
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": [_("The reason is too long (%(max)s characters at most).")
                                          % {"max": _count(TEXT_MAX)}]})
    with transaction.atomic():
        changed = Resource.objects.filter(pk=resource.pk, status=Resource.Status.PUBLISHED).update(
            status=Resource.Status.DRAFT, updated_at=timezone.now())
        resource = _resource(resource.pk)
        if changed and not permissions.is_author(actor, resource):
            label = f"{resource.title} ({reason})" if reason else resource.title
            for link in ResourceAuthor.objects.filter(resource=resource).select_related("user"):
                notify(recipient=link.user, verb="resources.unpublished", target=resource, actor=actor,
                       target_label=label)
    return resource


def resource_delete(*, actor: User, resource_id: Any) -> None:
    """Delete a resource for good (authors, moderators); its blobs go once the deletion commits."""
    resource = _visible_resource(actor, resource_id)
    permissions.can_edit_resource(actor, resource).check()
    with transaction.atomic():
        names = _file_blob_names(ResourceFile.objects.filter(resource=resource))
        Resource.objects.filter(pk=resource.pk).delete()
        transaction.on_commit(partial(_delete_blobs, names))


# --- Counters ---------------------------------------------------------------------------------


VIEW_WINDOW = 6 * 3600  # seconds: a reader's views of one resource in this time count once


def resource_viewed(*, resource: Resource, user: AnyUser, viewer: str = "") -> None:
    """One more view (not counted for its authors): one UPDATE, never read-modify-write.

    `viewer` names the reader when it is not a member (their address): a member's or a
    visitor's views of one resource count once per VIEW_WINDOW (as Discourse counts a topic's
    views once per reader and day), so coming back after rating it adds nothing."""
    if permissions.is_author(user, resource):
        return
    pk = getattr(user, "pk", None)
    who = f"u{pk}" if pk else f"a{viewer}"
    if not cache.add(f"resources:viewed:{resource.pk}:{who}", 1, VIEW_WINDOW):
        return
    Resource.objects.filter(pk=resource.pk).update(views=F("views") + 1)


def resource_file_downloaded(*, file: ResourceFile) -> None:
    """The file's and its resource's downloads + 1."""
    with transaction.atomic():
        ResourceFile.objects.filter(pk=file.pk).update(downloads=F("downloads") + 1)
        Resource.objects.filter(pk=file.resource_id).update(downloads=F("downloads") + 1)


# --- Ratings ----------------------------------------------------------------------------------


def _recount_ratings(resource_id: int) -> None:
    totals = Rating.objects.filter(resource_id=resource_id).aggregate(count=Count("id"), total=Sum("score"))
    Resource.objects.filter(pk=resource_id).update(rating_count=totals["count"] or 0,
                                                   rating_sum=totals["total"] or 0)


def rating_save(*, actor: User, resource_id: Any, score: Any, comment: str = "") -> Rating:
    """Rate a published resource (1 to 4, with a comment), or change one's rating."""
    resource = _visible_resource(actor, resource_id)
    permissions.can_rate(actor, resource).check()
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    errors: dict[str, list[str]] = {}
    if value not in Rating.Score.values:
        errors["score"] = [_("Choose a rating from 1 to 4.")]
    comment = _text(comment)
    if len(comment) > TEXT_MAX:
        errors["comment"] = [_("The comment is too long (%(max)s characters at most).") % {"max": _count(TEXT_MAX)}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        resource = _resource(resource.pk, lock=True)  # serialises the ratings of this resource
        permissions.can_rate(actor, resource).check()
        now = timezone.now()
        rating = Rating.objects.filter(resource=resource, user=actor).first()
        if rating is None:
            rating = Rating.objects.create(resource=resource, user=actor, score=value, comment=comment,
                                           created_at=now, updated_at=now)
        else:
            rating.score, rating.comment, rating.updated_at = value, comment, now
            rating.save(update_fields=["score", "comment", "updated_at"])
        _recount_ratings(resource.pk)
    return rating


def rating_delete(*, actor: User, resource_id: Any) -> None:
    """Withdraw one's rating (nothing happens without one)."""
    _require_member(actor, _("Log in as a member of the network to rate this resource."))
    with transaction.atomic():
        resource = _resource(resource_id, lock=True)
        deleted, _rows = Rating.objects.filter(resource=resource, user=actor).delete()
        if deleted:
            _recount_ratings(resource.pk)


# --- Reports ----------------------------------------------------------------------------------


def report_create(*, actor: User, resource_id: Any, reason: str, comment: str = "") -> Report:
    """Report a published resource to the moderators (one open report per member and resource)."""
    resource = _visible_resource(actor, resource_id)
    permissions.can_report(actor, resource).check()
    errors: dict[str, list[str]] = {}
    if reason not in Report.Reason.values:
        errors["reason"] = [_("Choose a reason from the list.")]
    comment = _text(comment)
    if len(comment) > TEXT_MAX:
        errors["comment"] = [_("The comment is too long (%(max)s characters at most).") % {"max": _count(TEXT_MAX)}]
    if errors:
        raise ValidationError(errors)
    already = _("You have already reported this resource.")
    with transaction.atomic():
        if Report.objects.filter(resource=resource, reporter=actor, status=Report.Status.OPEN).exists():
            raise ValidationError(already, code="duplicate")
        try:
            with transaction.atomic():
                report = Report.objects.create(resource=resource, reporter=actor, reason=reason, comment=comment)
        except IntegrityError:  # reported at the same moment in another request
            raise ValidationError(already, code="duplicate") from None
        url = reverse("ressources:reports")
        for coordinator in member_permissions.coordinators():
            notify(recipient=coordinator, verb="resources.reported", target=resource, actor=actor, url=url)
    return report


def report_handle(*, actor: User, report_id: Any, status: str, note: str = "") -> Report:
    """A moderator resolves or dismisses an open report; the reporter is told."""
    permissions.can_handle_reports(actor).check()
    errors: dict[str, list[str]] = {}
    if status not in (Report.Status.RESOLVED, Report.Status.DISMISSED):
        errors["status"] = [_("Choose whether the report is resolved or dismissed.")]
    note = _text(note)
    if len(note) > TEXT_MAX:
        errors["note"] = [_("The note is too long (%(max)s characters at most).") % {"max": _count(TEXT_MAX)}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = Report.objects.select_related("resource", "reporter").filter(pk=_pk(report_id)).first()
        if report is None:
            raise Http404
        now = timezone.now()
        changed = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
            status=status, handled_by=actor, handled_at=now, handled_note=note)
        if not changed:
            raise ValidationError(_("This report was already handled."), code="conflict")
        report.refresh_from_db()
        if report.reporter is not None:
            notify(recipient=report.reporter, verb="resources.report_handled", target=report.resource, actor=actor)
    return report


# --- Collections ------------------------------------------------------------------------------


def _collection(actor: AnyUser, collection_id: Any, *, lock: bool = False) -> Collection:
    queryset = Collection.objects.select_for_update() if lock else Collection.objects.all()
    collection = queryset.filter(pk=_pk(collection_id)).first()
    if collection is None or not permissions.can_view_collection(actor, collection):
        raise Http404
    return collection


def _clean_collection(actor: User, name: Any, description: Any, *, exclude: int | None = None) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    name_text, description_text = " ".join(_text(name).split()), _text(description)
    if not name_text:
        errors["name"] = [_("Give the collection a name.")]
    elif len(name_text) > COLLECTION_NAME_MAX:
        errors["name"] = [_("The name is too long (%(max)s characters at most).") % {"max": COLLECTION_NAME_MAX}]
    elif Collection.objects.filter(owner=actor, name__iexact=name_text).exclude(pk=exclude or 0).exists():
        errors["name"] = [_("You already have a collection with this name.")]
    if len(description_text) > TEXT_MAX:
        errors["description"] = [_("The description is too long (%(max)s characters at most).")
                                 % {"max": _count(TEXT_MAX)}]
    if errors:
        raise ValidationError(errors)
    return name_text, description_text


def collection_create(*, actor: User, name: str, description: str = "", is_shared: bool = False) -> Collection:
    _require_member(actor, _("Only the network's members keep collections."))
    name, description = _clean_collection(actor, name, description)
    now = timezone.now()
    return Collection.objects.create(owner=actor, name=name, description=description, is_shared=bool(is_shared),
                                     created_at=now, updated_at=now)


def collection_update(*, actor: User, collection_id: Any, name: str, description: str = "",
                      is_shared: bool = False) -> Collection:
    """Rename, describe, share or unshare; the default "Favoris" keeps its name."""
    collection = _collection(actor, collection_id)
    permissions.can_edit_collection(actor, collection).check()
    if collection.is_default and " ".join(_text(name).split()) != collection.name:
        raise ValidationError({"name": [_("Your favourites keep their name.")]})
    name, description = _clean_collection(actor, name, description, exclude=collection.pk)
    collection.name, collection.description, collection.is_shared = name, description, bool(is_shared)
    collection.updated_at = timezone.now()
    collection.save(update_fields=["name", "description", "is_shared", "updated_at"])
    return collection


def collection_delete(*, actor: User, collection_id: Any) -> None:
    """Delete a collection (not the resources in it); never the default "Favoris"."""
    collection = _collection(actor, collection_id)
    permissions.can_edit_collection(actor, collection).check()
    if collection.is_default:
        raise ValidationError(_("Your favourites cannot be deleted."), code="default")
    collection.delete()


def default_collection(actor: User) -> Collection:
    """The member's "Favoris", made on first use (the partial unique constraint settles a race)."""
    for _attempt in range(2):
        found = Collection.objects.filter(owner=actor, is_default=True).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                now = timezone.now()
                return Collection.objects.create(owner=actor, is_default=True, name=DEFAULT_COLLECTION_NAME,
                                                 created_at=now, updated_at=now)
        except IntegrityError:  # made at the same moment by another request
            continue
    return Collection.objects.get(owner=actor, is_default=True)


def collection_add(*, actor: User, resource_id: Any, collection_id: Any = None) -> Collection:
    """Save a resource one may read into one's collection (None: one's "Favoris"); twice is once."""
    _require_member(actor, _("Only the network's members keep collections."))
    resource = _visible_resource(actor, resource_id)
    with transaction.atomic():
        if collection_id in (None, ""):
            collection = default_collection(actor)
        else:
            collection = _collection(actor, collection_id)
            permissions.can_edit_collection(actor, collection).check()
        if not CollectionItem.objects.filter(collection=collection, resource=resource).exists():
            last = CollectionItem.objects.filter(collection=collection).aggregate(last=Max("position"))["last"]
            try:
                with transaction.atomic():
                    CollectionItem.objects.create(collection=collection, resource=resource,
                                                  position=(last or 0) + 1)
            except IntegrityError:  # added at the same moment: once is enough
                pass
            Collection.objects.filter(pk=collection.pk).update(updated_at=timezone.now())
    return collection


def collection_remove(*, actor: User, collection_id: Any, resource_id: Any) -> None:
    collection = _collection(actor, collection_id)
    permissions.can_edit_collection(actor, collection).check()
    CollectionItem.objects.filter(collection=collection, resource_id=_pk(resource_id)).delete()


# --- Workshop kits ----------------------------------------------------------------------------


def _workshop(actor: AnyUser, workshop_id: Any) -> Workshop:
    workshop = Workshop.objects.select_related("territory", "proposed_by").filter(pk=_pk(workshop_id)).first()
    if workshop is None or not workshop_permissions.can_view_workshop(actor, workshop):
        raise Http404
    return workshop


def workshop_kit_link(*, actor: User, resource_id: Any, workshop_id: Any) -> WorkshopKit:
    """Point a workshop (that the actor may change) to a published resource, or to a draft of
    the actor's; twice is once."""
    resource = _visible_resource(actor, resource_id)
    workshop = _workshop(actor, workshop_id)
    permissions.can_link_workshop(actor, workshop).check()
    if not resource.is_published and not permissions.is_author(actor, resource):
        raise ValidationError(_("Publish this resource before pointing a workshop to it."), code="draft")
    link, _created = WorkshopKit.objects.get_or_create(workshop=workshop, resource=resource,
                                                       defaults={"added_by": actor})
    return link


def workshop_kit_unlink(*, actor: User, resource_id: Any, workshop_id: Any) -> None:
    resource = _visible_resource(actor, resource_id)
    workshop = _workshop(actor, workshop_id)
    permissions.can_link_workshop(actor, workshop).check()
    WorkshopKit.objects.filter(workshop=workshop, resource=resource).delete()
