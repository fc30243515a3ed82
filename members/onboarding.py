"""The "Getting started" checklist of a new member's dashboard: the steps apps contribute.

An app registers a step in its `AppConfig.ready()`:

    onboarding.register_step(Step(
        key="join-group", title=_("Join a workgroup"), text=_("..."), link_text=_("See the groups"),
        done=lambda: Exists(Membership.objects.filter(user=OuterRef("pk"))),
        url=lambda values: reverse("workgroups:list"), order=20))

`done()` returns a boolean expression on the member's own row (`OuterRef("pk")` is the
member): every step is read by one query on the member, whatever the number of steps.
`values()` may add other annotations the step's link needs (read by the same query);
`url(values)` builds the link from them.

The members app sits low in the import contract: the steps of the workgroups and the
chat are registered by those apps (or by the desk, above them), never imported here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

STEPS: dict[str, "Step"] = {}


@dataclass(frozen=True)
class Step:
    key: str
    title: str | StrPromise  # usually a lazy translation (gettext_lazy)
    text: str | StrPromise
    link_text: str | StrPromise
    done: Callable[[], Any]  # () -> boolean expression on the member's row
    url: Callable[[dict[str, Any]], str]  # (values read with the steps) -> the link
    values: Callable[[], dict[str, Any]] = field(default=dict)  # other annotations url() needs
    order: int = 100


def register_step(step: Step) -> None:
    STEPS[step.key] = step


def steps() -> list[Step]:
    return sorted(STEPS.values(), key=lambda s: (s.order, s.key))


def done_field(step: Step) -> str:
    return f"onboarding_{step.key.replace('-', '_')}_done"


def annotations() -> dict[str, Any]:
    """The annotations on the member's row that say which steps are done (and what their links need)."""
    result: dict[str, Any] = {}
    for step in steps():
        result.update(step.values())
        result[done_field(step)] = ExpressionWrapper(step.done(), output_field=BooleanField())
    return result


def checklist_from(values: dict[str, Any]) -> dict[str, Any] | None:
    """The checklist as the dashboard shows it, from the values read with `annotations()`.

    None when there is no step, or when every step is done (the list hides itself).
    """
    rows = [{"key": step.key, "title": step.title, "text": step.text, "link_text": step.link_text,
             "url": step.url(values), "done": bool(values.get(done_field(step)))} for step in steps()]
    done = sum(1 for row in rows if row["done"])
    if not rows or done == len(rows):
        return None
    return {"steps": rows, "done": done, "total": len(rows)}


def checklist_for(user: Any) -> dict[str, Any] | None:
    """The checklist of `user` (one query), or None when hidden, finished or not for them."""
    from members import permissions
    from members.models import User

    if not permissions.is_approved(user) or user.onboarding_dismissed_at is not None:
        return None
    fields = annotations()
    values = User.objects.filter(pk=user.pk).annotate(**fields).values(*fields).first()
    return checklist_from(values) if values is not None else None


# --- The members app's own steps --------------------------------------------------------------


def _profile_done() -> Any:
    """A photo, a few words about oneself, at least one skill."""
    from taggit.models import TaggedItem

    from members.models import User

    skills = TaggedItem.objects.filter(
        content_type__app_label=User._meta.app_label, content_type__model=User._meta.model_name,
        object_id=OuterRef("pk"),
    )
    return ~Q(avatar="") & ~Q(bio="") & Exists(skills)


def _follow_done() -> Any:
    from members.models import Follow

    return Exists(Follow.objects.filter(follower_id=OuterRef("pk")))


def register_defaults() -> None:
    register_step(Step(
        key="profile", order=10,
        title=_("Complete your profile"),
        text=_("A photo, a few words about you and your skills: colleagues know whom they can ask."),
        link_text=_("Complete my profile"),
        done=_profile_done, url=lambda values: reverse("members:profile-edit"),
    ))
    register_step(Step(
        key="follow", order=40,
        title=_("Follow a member"),
        text=_("Their news appears in your activity stream."),
        link_text=_("Find members"),
        done=_follow_done, url=lambda values: reverse("members:directory"),
    ))
