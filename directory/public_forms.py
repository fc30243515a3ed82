"""The filters of the public directory (/annuaire/), read from the query string.

Every filter is a GET parameter, so a search is a plain link (bookmarks, the pagination,
the map's data) and the form works without JavaScript:

    q               words found in the name, city, postal code, address or summary
                    (every word must match; case and accents ignored)
    territoire      a territory's slug
    commune         a city name (case and accents ignored)
    service         } checkboxes, repeated parameters holding the schema's own values
    public          } (`service=Aide aux démarches administratives&service=...`):
    acces           } within one list a venue matches if it has ANY of the ticked values
    accompagnement  } (OR); different lists and filters combine with AND
    gratuit=1       fees include « Gratuit »
    ouvert=1        open now (opening hours evaluated in the venue's time zone)
    pres            "near": a postal code or a city name; the results are then sorted by
                    distance from the centre of that place's venues
    lat, lon        "near me": the browser's position (filled by a script), used when
                    `pres` is empty; rounded to 3 decimals (about 100 m)

Empty parameters are never part of a search's address: the view redirects
`?q=&commune=&service=x` to `?service=x` (and the form's script leaves them out).

Anything malformed (unknown values, bad slugs, a thousand repeated parameters, control
characters) is ignored, anything long is cut: the directory always answers.
"""

import dataclasses
import re
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from directory import schema
from members.forms import clean_search_text

SEARCH_MAX_LENGTH = 100
CITY_MAX_LENGTH = 150
NEAR_MAX_LENGTH = 150
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,150}$")
COORDINATE_RE = re.compile(r"^-?\d{1,3}(\.\d{1,12})?$")
MAX_VALUES = 50  # repeated parameters read per list (the longest vocabulary has 11)


@dataclasses.dataclass(frozen=True)
class Choice:
    """One multiple-choice filter: its GET parameter, its vocabulary (schema values), its legend."""

    param: str
    vocabulary: type
    legend: str
    attribute: str  # name of the PublicFilters attribute holding the ticked values


CHOICES = (
    Choice("service", schema.Service, _("Services"), "services"),
    Choice("public", schema.Public, _("Publics specifically welcomed"), "publics"),
    Choice("acces", schema.AccessMode, _("How to come"), "access_modes"),
    Choice("accompagnement", schema.SupportMode, _("Kinds of support"), "support_modes"),
)


def _values(data, choice):
    """The ticked values of `choice` that belong to its vocabulary, in the vocabulary's order."""
    getlist = getattr(data, "getlist", None)
    raw = getlist(choice.param) if getlist else ([data[choice.param]] if choice.param in data else [])
    ticked = {str(value) for value in raw[:MAX_VALUES]}
    return tuple(value for value in choice.vocabulary.values if value in ticked)


def _coordinate(value, limit):
    """A latitude (limit 90) or longitude (limit 180) rounded to 3 decimals, or None."""
    value = str(value or "").strip()
    if not COORDINATE_RE.match(value):
        return None
    number = round(float(value), 3)
    return number if -limit <= number <= limit else None


def cleaned_query(data):
    """The query's (key, value) pairs without the empty ones, or None when none was empty.

    `?q=&commune=&service=x` -> [("service", "x")]: the view redirects there, so an
    address never carries the form's unused fields.
    """
    lists = getattr(data, "lists", None)
    pairs = [(key, value) for key, values in lists() for value in values] if lists else list(data.items())
    kept = [(key, value) for key, value in pairs if str(value).strip()]
    return kept if len(kept) != len(pairs) else None


def _slug(value):
    value = str(value or "").strip()
    return value if SLUG_RE.match(value) else ""


@dataclasses.dataclass(frozen=True)
class PublicFilters:
    q: str = ""
    territory: str = ""  # slug
    city: str = ""
    services: tuple = ()
    publics: tuple = ()
    access_modes: tuple = ()
    support_modes: tuple = ()
    free: bool = False
    open_now: bool = False
    near: str = ""  # postal code or city name
    latitude: float | None = None  # the browser's position (when `near` is empty)
    longitude: float | None = None

    @classmethod
    def from_query(cls, data):
        return cls(
            q=clean_search_text(data.get("q"), SEARCH_MAX_LENGTH),
            territory=_slug(data.get("territoire")),
            city=clean_search_text(data.get("commune"), CITY_MAX_LENGTH),
            free=data.get("gratuit") == "1",
            open_now=data.get("ouvert") == "1",
            **cls._near(data),
            **{choice.attribute: _values(data, choice) for choice in CHOICES},
        )

    @staticmethod
    def _near(data):
        near = clean_search_text(data.get("pres"), NEAR_MAX_LENGTH)
        latitude, longitude = _coordinate(data.get("lat"), 90), _coordinate(data.get("lon"), 180)
        if near or latitude is None or longitude is None:
            return {"near": near}
        return {"latitude": latitude, "longitude": longitude}

    @property
    def has_position(self):
        return self.latitude is not None and self.longitude is not None

    @property
    def is_near(self):
        """Sorted by distance: from a place typed in, or from the browser's position."""
        return bool(self.near) or self.has_position

    def without_territory(self):
        return dataclasses.replace(self, territory="")

    @property
    def is_active(self):
        return self != PublicFilters()

    @property
    def active_count(self):
        """How many filters narrow the list (the words and "near" sort or search: not counted)."""
        count = sum(bool(value) for value in (self.territory, self.city, self.free, self.open_now))
        return count + sum(len(getattr(self, choice.attribute)) for choice in CHOICES)

    def choice_groups(self):
        """[(choice, [(value, label, ticked)])] for the form's fieldsets."""
        groups = []
        for choice in CHOICES:
            ticked = getattr(self, choice.attribute)
            groups.append((choice, [(value, label, value in ticked) for value, label in choice.vocabulary.choices]))
        return groups

    def selector_kwargs(self):
        """Keyword arguments of `selectors.venues_public` / `venues_public_map`."""
        return {
            "text": self.q,
            "territory_slug": self.territory,
            "city": self.city,
            "services": self.services,
            "publics": self.publics,
            "access_modes": self.access_modes,
            "support_modes": self.support_modes,
            "free": self.free,
            "open_now": self.open_now,
        }

    def query_string(self):
        """The filters as a query string (pagination links, the map's data), in a stable order."""
        pairs = [("q", self.q), ("territoire", self.territory), ("commune", self.city)]
        for choice in CHOICES:
            pairs.extend((choice.param, value) for value in getattr(self, choice.attribute))
        pairs += [("gratuit", "1" if self.free else ""), ("ouvert", "1" if self.open_now else "")]
        pairs.append(("pres", self.near))
        if self.has_position:
            pairs += [("lat", f"{self.latitude:.3f}"), ("lon", f"{self.longitude:.3f}")]
        return urlencode([(key, value) for key, value in pairs if value])
