"""Coordinates from an address (directory.geocoding): the HTTP service is faked, never called.

`requests.get` is replaced by a fake that records its call and answers as the national
address API does (GeoJSON); failures (timeout, HTTP error, junk, nothing found) come back
as None and a message, never as an exception.
"""

import decimal

import pytest
import requests
from django.utils import translation

from directory import geocoding

BAN = "https://api-adresse.data.gouv.fr/search/"


class FakeResponse:
    def __init__(self, payload=None, status=200, junk=False):
        self.payload, self.status, self.junk = payload, status, junk

    def raise_for_status(self):
        if self.status >= 400:
            raise requests.HTTPError(f"{self.status} error")

    def json(self):
        if self.junk:
            raise ValueError("not JSON")
        return self.payload


def answer(lon, lat, label, score=0.9):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"label": label, "score": score}}]}


@pytest.fixture
def fake_http(monkeypatch, settings):
    settings.GEOCODER_URL = BAN
    settings.GEOCODER_TIMEOUT = 3
    calls = []
    state = {"response": FakeResponse(answer(1.441, 44.4475, "12 Rue du Lot 46090 Laroque-des-Arcs"))}

    def fake_get(url, params=None, timeout=None, headers=None):
        calls.append({"url": url, "params": params, "timeout": timeout})
        if isinstance(state["response"], Exception):
            raise state["response"]
        return state["response"]

    monkeypatch.setattr(geocoding.requests, "get", fake_get)
    state["calls"] = calls
    return state


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_an_address_gets_its_coordinates(fake_http):
    located = geocoding.locate("12 rue du Lot", "46090", "Laroque-des-Arcs")
    assert located.place == geocoding.Place(
        decimal.Decimal("44.447500"), decimal.Decimal("1.441000"), "12 Rue du Lot 46090 Laroque-des-Arcs"
    )
    assert located.message == (
        "Coordinates found for « 12 Rue du Lot 46090 Laroque-des-Arcs »: check the pin on the map, then save."
    )
    assert fake_http["calls"] == [{
        "url": BAN,
        "params": {"q": "12 rue du Lot 46090 Laroque-des-Arcs", "limit": 1, "postcode": "46090"},
        "timeout": 3,
    }]


def test_without_a_service_no_call_is_made(fake_http, settings):
    settings.GEOCODER_URL = ""
    located = geocoding.locate("12 rue du Lot", "46090", "Laroque-des-Arcs")
    assert located.place is None
    assert located.message.startswith("Finding coordinates from the address is not set up on this site")
    assert fake_http["calls"] == []


def test_an_empty_address_asks_for_one_first(fake_http):
    located = geocoding.locate("", "", "")
    assert located.place is None
    assert located.message == "Type the address, postal code and city first, then look for the coordinates."
    assert fake_http["calls"] == []


@pytest.mark.parametrize(
    "response",
    [
        requests.Timeout("read timed out"),
        requests.ConnectionError("refused"),
        FakeResponse(status=503),
        FakeResponse(junk=True),
        FakeResponse({"features": [{"geometry": {"coordinates": []}}]}),
    ],
    ids=["timeout", "refused", "http-503", "not-json", "no-coordinates"],
)
def test_a_failing_service_is_a_message_not_an_exception(fake_http, response):
    fake_http["response"] = response
    located = geocoding.locate("12 rue du Lot", "46090", "Laroque-des-Arcs")
    assert located.place is None
    assert located.message == (
        "The address service did not answer: try again later, or type the latitude and longitude."
    )


@pytest.mark.parametrize(
    "payload",
    [{"features": []}, answer(2.35, 48.85, "Paris", score=0.2)],
    ids=["nothing", "poor-match"],
)
def test_nothing_found_says_so(fake_http, payload):
    fake_http["response"] = FakeResponse(payload)
    located = geocoding.locate("nulle part", "", "")
    assert located.place is None
    assert located.message == "No place found for « nulle part »: check the address, or place the pin on the map."
