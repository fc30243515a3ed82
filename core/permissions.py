"""The shape of every permission answer, and the one role question core itself asks.

A rule is one function answering a `Decision`: allowed, or refused with the reason in
French (what the member reads). Services raise it (`decision.check()`), views and
templates show it, the browser receives it as data attributes; nobody restates the rule
or its reason. `Decision` is truthy when allowed, so `if can_edit(...)` reads as before.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import PermissionDenied, ValidationError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from members.models import User

    # Whoever a rule is asked about: a member, a visitor, or nobody (a script, a deleted account).
    AnyUser: TypeAlias = "User | AnonymousUser | None"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def check(self) -> None:
        """Raise PermissionDenied with the reason when refused."""
        if not self.allowed:
            raise PermissionDenied(self.reason)


class Conflict(Decision):
    """Refused because of the state of the content, not of who asks (a topic deleted
    meanwhile, replies arrived): `check()` raises ValidationError, shown by the form or as a
    message, rather than PermissionDenied."""

    def check(self) -> None:
        if not self.allowed:
            raise ValidationError(self.reason)


ALLOWED = Decision(True)


def refused(reason: Any) -> Decision:
    return Decision(False, str(reason))


def conflict(reason: Any) -> Decision:
    return Conflict(False, str(reason))


def is_authenticated(user: "AnyUser") -> bool:
    """A signed-in, active account (whether approved is the members app's question)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)
