"""What appears in a member's agenda: the calendar's own events, and the items other apps add.

An app (workshops, lending, appointments...) registers a `Source` in its `AppConfig.ready()`:

    registry.register_source(Source(key="workshops", label=_("Workshops"), items=my_sessions,
                                     version=my_sessions_version))

`items(user, start, end)` returns the `Item`s of `user` overlapping [start, end) in a fixed
number of queries, whatever the data; `version(user)` a short string that changes whenever
those items change (one cheap query): the member's feed answers 304 from it. Items appear in
the month, week and agenda views and in the member's "Mon agenda" feed, without any change
to the calendar.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calendar_app.models import Event


@dataclass
class Item:
    """One thing on an agenda: an occurrence of an event, or an item of another app."""

    key: str  # unique on a page ("event-12-20260304T090000Z", "workshops-session-7")
    title: str
    start: datetime  # aware, in the zone it is shown in
    end: datetime
    url: str
    source: str  # "event", or the key of the Source that made it
    all_day: bool = False
    calendar_label: str = ""
    color: str = "blue"  # a Category.Color value
    location: str = ""
    cancelled: bool = False
    uid: str = ""  # for feeds: stable across edits
    updated: datetime | None = None  # for feeds: DTSTAMP / LAST-MODIFIED
    description: str = ""
    # Calendar events only: the row shown (the exception when one applies), its series'
    # master, and the occurrence's original start (None for a single event).
    event: "Event | None" = None
    series: "Event | None" = None
    recurrence_id: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spans_days(self) -> bool:
        return self.all_day or self.start.date() != self.end.date()


@dataclass(frozen=True)
class Source:
    key: str
    label: Any
    items: Callable[[Any, datetime, datetime], list[Item]]
    version: Callable[[Any], str] | None = None
    order: int = 100


SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> None:
    SOURCES[source.key] = source


def sources() -> list[Source]:
    return sorted(SOURCES.values(), key=lambda s: (s.order, s.key))
