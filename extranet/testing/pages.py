"""Reading rendered pages in tests: parse the HTML, read an element's text."""

from bs4 import BeautifulSoup


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text_of(node):
    """The visible text of `node`, whitespace collapsed."""
    return " ".join(node.get_text(" ").split())


def messages_of(response):
    """The flash messages of a page."""
    return [text_of(node) for node in soup(response).select(".messages .message")]


def english_client(user):
    """A test client logged in as `user`, with pages in English (the source strings)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def measure_queries(client, url):
    """(number of queries, parsed page) of a GET of `url`, which must answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), soup(response)


def queries_flat(client, url, grow):
    """Queries of `url` for small data, then for ten times the data: they must be equal.

    `grow(factor)` adds `factor` times the small data. Returns (queries, page at 10x).
    """
    grow(1)
    client.get(url)  # warm the per-process caches (content types, site)
    small, _page = measure_queries(client, url)
    grow(9)  # 1 + 9 = 10 times the small data
    large, page = measure_queries(client, url)
    assert small == large, f"{url}: {small} queries with small data, {large} with 10x: an N+1?"
    return large, page
