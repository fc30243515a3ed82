"""Spaces, the one extension point: kinds of space, their modules, their lifecycle.

A **kind** of space (the network, a territory, a workgroup...) is registered by the app
that owns it, in its `AppConfig.ready()`: `register_kind(SpaceKind subclass instance)`.
The kind answers every question about its spaces (who views, posts, manages; the filters
for one query; the members and managers; the label and the page). `core.models.Space`
delegates to it: no app outside the owner names a kind.

A **module** (forum, chat, calendar, files...) registers a link shown on every space's page:

    spaces.register_module(SpaceModule(key="forum", label=_("Forum"), order=10,
                                       url=lambda space: reverse("forum:space", args=[space.pk])))

The page lists the modules whose `visible(user, space)` allows it (default: whoever may
view the space's content). No module is special-cased: a new kind shows every module.

**Lifecycle**: spaces are made and archived by `space_create` / `space_archive` (called by
the owners' services), which send the domain signals below in the same transaction;
modules receive them in their `AppConfig.ready()` (the chat makes the space's room, the
calendar will make its calendar...). No `post_save` receiver carries these rules.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal

from core.sections import Section, Sections

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.models import Space
    from core.permissions import AnyUser
    from members.models import User

# Sent with `space` (a Space), inside the transaction that made it.
space_created = Signal()
# Sent with `space` when it becomes read-only (a workgroup archived).
space_archived = Signal()
# Sent with `space` and `user_ids` when who belongs to a space changed (joined, left, role).
membership_changed = Signal()

NOTHING = Q(pk__in=[])


class SpaceKind:
    """What one kind of space answers. Subclass it in the app that owns the kind.

    `related`: the paths from Space that the rules below read (one `select_related` for
    all kinds: `related_for_rules`). Every method gets spaces of this kind only.
    """

    key: str = ""
    label: Any = ""
    related: tuple[str, ...] = ()
    # Every approved member belongs (the network): modules need not list who is in it.
    open_to_all_members: bool = False

    def can_view(self, user: "AnyUser", space: "Space") -> bool:
        raise NotImplementedError

    def can_post(self, user: "AnyUser", space: "Space") -> bool:
        return self.can_view(user, space)

    def can_manage(self, user: "AnyUser", space: "Space") -> bool:
        raise NotImplementedError

    def visible_q(self, user: "AnyUser") -> Q | None:
        """Filter on Space: the spaces of this kind `user` may view (mirrors can_view); None: none."""
        raise NotImplementedError

    def member_q(self, user: "AnyUser") -> Q | None:
        """Filter on Space: the spaces of this kind `user` belongs to; None: none."""
        raise NotImplementedError

    def shared_q(self, user: "AnyUser") -> Q | None:
        """Filter on Space: spaces whose life `user` may hear about through someone else
        (the activity stream). Default: every space they may view."""
        return self.visible_q(user)

    def members(self, space: "Space") -> "QuerySet[User]":
        raise NotImplementedError

    def managers(self, space: "Space") -> "QuerySet[User]":
        """Who `can_manage` answers yes for, as a queryset (the moderators of its modules)."""
        raise NotImplementedError

    def name(self, space: "Space") -> str:
        raise NotImplementedError

    def url(self, space: "Space") -> str:
        """The space's page."""
        raise NotImplementedError

    def is_read_only(self, space: "Space") -> bool:
        return False


KINDS: dict[str, SpaceKind] = {}


def register_kind(kind: SpaceKind) -> None:
    KINDS[kind.key] = kind


def kind_of(space: "Space") -> SpaceKind:
    try:
        return KINDS[space.kind]
    except KeyError:
        raise LookupError(f"No space kind {space.kind!r} is registered.") from None


def kind_q(kind: SpaceKind, q: Q | None, prefix: str = "") -> Q:
    """`q` (a filter on Space) limited to spaces of `kind`; nothing when `q` is None."""
    if q is None:
        return NOTHING
    return Q(**{f"{prefix}kind": kind.key}) & q


def related_for_rules(prefix: str = "") -> list[str]:
    """The `select_related` paths the rules of every kind read, from `prefix` (e.g. "space")."""
    paths = sorted({path for kind in KINDS.values() for path in kind.related})
    return [f"{prefix}__{path}" if prefix else path for path in paths]


@transaction.atomic
def space_create(kind: str) -> "Space":
    """A new space of `kind` (the owner links it to its object); modules receive `space_created`."""
    from core.models import Space

    if kind not in KINDS:
        raise LookupError(f"No space kind {kind!r} is registered.")
    space = Space.objects.create(kind=kind)
    space_created.send(sender=Space, space=space)
    return space


def space_archive(space: "Space") -> None:
    """Tell the modules that `space` became read-only (the owner changed its own state)."""
    from core.models import Space

    space_archived.send(sender=Space, space=space)


def space_membership_changed(space: "Space", user_ids: "Iterable[int]") -> None:
    from core.models import Space

    membership_changed.send(sender=Space, space=space, user_ids=list(user_ids))


# --- Modules ------------------------------------------------------------------------------
MODULES: dict[str, "SpaceModule"] = {}


@dataclass(frozen=True)
class SpaceModule:
    key: str
    label: str
    url: Callable  # space -> path
    order: int = 100
    visible: Callable | None = field(default=None)  # (user, space) -> bool


def register_module(module: "SpaceModule") -> None:
    MODULES[module.key] = module


def modules_for(*, user: "AnyUser", space: "Space") -> list[tuple["SpaceModule", str]]:
    """[(module, url)] the user may open in `space`, in order (no query unless a module's check needs one)."""
    if not space.can_view(user):
        return []
    return [
        (module, module.url(space))
        for module in sorted(MODULES.values(), key=lambda m: (m.order, m.key))
        if module.visible is None or module.visible(user, space)
    ]


# --- Panels of a space's page ---------------------------------------------------------------
# A panel: `Section(key, template, context=(user, space) -> dict | None, order)`, e.g. the
# directory's venues of a territory (None for another kind of space).
PANELS = Sections()
register_panel = PANELS.register


def panels_for(*, user: "AnyUser", space: "Space") -> list[tuple[Section, dict[str, Any]]]:
    """[(panel, context)] of the panels with something to show, in order."""
    return PANELS.shown(user, space)
