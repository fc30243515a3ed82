"""The one way to cache what a member's roles are, for one request or one socket message.

Role questions (which territories someone administers, which groups they are in, which
venues they work in) are asked many times while one page renders. Instead of attributes
set on user objects, the answers are kept in a **scope**: opened by
`core.middleware.RoleScopeMiddleware` for each HTTP request and by the desk's socket
consumer for each message, closed with it. Outside a scope (a script, a task, a test
calling a service directly) nothing is kept: every question reads the database.

    ids = roles.cached(user, "referent_territories", lambda: frozenset(...))

A service that changes someone's roles calls `roles.forget(user)`: later questions in the
same scope read again.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from core.permissions import AnyUser
    from members.models import User

T = TypeVar("T")

_scope: ContextVar[dict[tuple[Any, str], Any] | None] = ContextVar("member_roles", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Keep role answers until the block ends (nested scopes share the outer one)."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def cached(user: "User | AnonymousUser", name: str, load: Callable[[], T]) -> T:
    """`load()`, once per member and question within the current scope."""
    store = _scope.get()
    if store is None or user.pk is None:
        return load()
    key = (user.pk, name)
    if key not in store:
        store[key] = load()
    return store[key]


def forget(user: "AnyUser") -> None:
    """Drop what the current scope knows of `user`'s roles (after changing them)."""
    store = _scope.get()
    if store and user is not None:
        for key in [key for key in store if key[0] == user.pk]:
            del store[key]
