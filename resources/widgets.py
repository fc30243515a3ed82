"""The dashboard widget "Ressources récentes": the latest published resources the member may
read (`selectors.library`, as `recent_resources`), with their authors and when they were published, and a
link to the library. Two queries at most, whatever the data: the resources, their authors."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from core import roles
from core.dashboard import Widget, register_widget
from members import permissions as member_permissions
from resources import selectors
from resources.models import ResourceAuthor

LIMIT = 5


def recent(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not member_permissions.is_approved(user):
        return None
    with roles.scope():  # the member's roles read once, also outside a request
        # The library's rule and order (`selectors.library`, what `recent_resources` reads), with the
        # authors only: the tags the library also prefetches are not shown here (one query less).
        resources = list(selectors.library(user).prefetch_related(None).prefetch_related(
            Prefetch("author_links", queryset=ResourceAuthor.objects.select_related("user").order_by("position", "id")),
        )[:LIMIT])
    rows = [{"resource": resource, "authors": _author_names(resource)} for resource in resources]
    return {"rows": rows, "empty": not rows}


def _author_names(resource: Any) -> list[str]:
    cache = getattr(resource, "_prefetched_objects_cache", {})
    if "author_links" in cache:
        return [link.user.display_name for link in resource.author_links.all()]
    return [user.display_name for user in resource.authors.all()]


register_widget(Widget(key="recent-resources", title=_("Recent resources"),  # type: ignore[arg-type]
                       template="resources/widgets/recent_resources.html", context=recent, order=50))
