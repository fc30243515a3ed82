"""Coordinates from an address, through a geocoding service named by a setting.

`GEOCODER_URL` is empty by default: no third-party call unless the site chooses one. The
national address API (Base Adresse Nationale), `https://api-adresse.data.gouv.fr/search/`,
answers `?q=<address>&postcode=<postal code>&limit=1` with GeoJSON
(`features[0].geometry.coordinates` = [longitude, latitude], `properties.label`,
`properties.score`); any service speaking the same format works (a local addok, for one).

`locate` never raises: a failure (no service, timeout, HTTP error, unreadable answer,
nothing found) is `Located(None, <French message>)`, and the form stays as it was.
"""

import decimal
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
SIX_PLACES = decimal.Decimal("0.000001")
# Below this score (0 to 1), the service's best guess is too far from the typed address.
MIN_SCORE = 0.4


@dataclass(frozen=True)
class Place:
    latitude: decimal.Decimal
    longitude: decimal.Decimal
    label: str


@dataclass(frozen=True)
class Located:
    place: Place | None
    message: str


def is_enabled() -> bool:
    return bool(getattr(settings, "GEOCODER_URL", ""))


def locate(address: str = "", postal_code: str = "", city: str = "") -> Located:
    """The coordinates of an address, or None and a message saying why (in the user's language)."""
    if not is_enabled():
        return Located(None, _("Finding coordinates from the address is not set up on this site: "
                               "type the latitude and longitude, or place the pin on the map."))
    query = " ".join(part.strip() for part in (address, postal_code, city) if part and part.strip())
    if len(query) < 3:
        return Located(None, _("Type the address, postal code and city first, then look for the coordinates."))
    params: dict[str, str | int] = {"q": query[:200], "limit": 1}
    if postal_code and postal_code.strip().isdigit() and len(postal_code.strip()) == 5:
        params["postcode"] = postal_code.strip()
    try:
        response = requests.get(
            settings.GEOCODER_URL, params=params, timeout=getattr(settings, "GEOCODER_TIMEOUT", 5),
            headers={"Accept": "application/json"},
        )
        response.raise_for_status()
        feature = (response.json().get("features") or [None])[0]
    except (requests.RequestException, ValueError, AttributeError) as exc:
        logger.warning("geocoding failed for %r: %s", query, exc)
        return Located(None, _("The address service did not answer: try again later, "
                               "or type the latitude and longitude."))
    if not feature:
        return Located(None, _("No place found for « %(address)s »: check the address, "
                               "or place the pin on the map.") % {"address": query})
    try:
        longitude, latitude = feature["geometry"]["coordinates"][:2]
        latitude = decimal.Decimal(str(latitude)).quantize(SIX_PLACES)
        longitude = decimal.Decimal(str(longitude)).quantize(SIX_PLACES)
        properties = feature.get("properties") or {}
        score = float(properties.get("score", 1))
        label = str(properties.get("label") or query)[:200]
    except (KeyError, TypeError, ValueError, IndexError, decimal.InvalidOperation) as exc:
        logger.warning("geocoding answer unreadable for %r: %s", query, exc)
        return Located(None, _("The address service did not answer: try again later, "
                               "or type the latitude and longitude."))
    if score < MIN_SCORE:
        return Located(None, _("No place found for « %(address)s »: check the address, "
                               "or place the pin on the map.") % {"address": query})
    return Located(Place(latitude, longitude, label),
                   _("Coordinates found for « %(label)s »: check the pin on the map, then save.") % {"label": label})
