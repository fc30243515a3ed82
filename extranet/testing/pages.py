"""Reading rendered pages in tests: parse the HTML, read an element's text."""

from bs4 import BeautifulSoup


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def text_of(node):
    """The visible text of `node`, whitespace collapsed."""
    return " ".join(node.get_text(" ").split())
