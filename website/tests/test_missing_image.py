"""A news item whose image file is gone (or is not an image any more) still renders: the
article, its card on the index and its image blocks, without the picture and without the
preview image in the social metadata (today's 500: Wagtail's SourceImageIOError)."""

import logging

import pytest

from extranet.testing.pages import soup, text_of
from website.tests import builders

pytestmark = pytest.mark.django_db


def meta(page, key):
    tag = page.find("meta", attrs={"property": key}) or page.find("meta", attrs={"name": key})
    return tag["content"] if tag is not None else None


@pytest.fixture
def index(home):
    return builders.add_news_index(home)


def news_with(index, image, *, slug):
    return builders.add_news(
        index,
        "Le programme des ateliers",
        slug=slug,
        intro="Six séances pour apprivoiser la tablette.",
        lead_image=image,
        body=[
            ("paragraph", "<p>Les séances durent deux heures.</p>"),
            ("image", {"image": image, "caption": "La médiathèque de Gramat"}),
        ],
    )


def lose_the_file(image):
    """The file removed from the storage behind Wagtail's back (a lost volume, a bad restore)."""
    image.file.storage.delete(image.file.name)
    assert not image.file.storage.exists(image.file.name)


def spoil_the_file(image):
    """The file still there, but no longer an image."""
    with image.file.storage.open(image.file.name, "wb") as file:
        file.write(b"this is not a PNG any more")


def test_a_news_item_with_its_image_shows_it_everywhere(client, index):
    """The reference: the same page with its file renders the three pictures and the preview."""
    news_with(index, builders.make_image("Atelier tablettes"), slug="avec-image")
    page = soup(client.get("/actualites/avec-image/"))
    assert meta(page, "og:image").startswith("http://localhost/media/images/")
    assert page.select_one(".article__image img")["alt"] == "Atelier tablettes (photo)"
    assert text_of(page.select_one("figure figcaption")) == "La médiathèque de Gramat"
    card = soup(client.get("/actualites/")).select_one(".news-card")
    assert card.select_one("img.news-card__image") is not None


@pytest.mark.parametrize("damage", [lose_the_file, spoil_the_file], ids=["missing", "unreadable"])
def test_the_article_renders_without_its_image(client, index, damage, caplog):
    image = builders.make_image("Atelier tablettes")
    damage(image)
    news_with(index, image, slug="sans-image")

    with caplog.at_level(logging.WARNING, logger="website.templatetags.website_tags"):
        response = client.get("/actualites/sans-image/")
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("h1")) == "Le programme des ateliers"
    assert "Les séances durent deux heures." in text_of(page.select_one("main"))
    # No picture, no broken <img>, no empty figure; the metadata without an image.
    assert page.select("main img") == []
    assert page.select(".article__image") == []
    assert meta(page, "og:image") is None
    assert meta(page, "og:image:alt") is None
    assert meta(page, "twitter:card") == "summary"
    assert meta(page, "og:title") == "Le programme des ateliers"
    # The editors can find out in the logs.
    assert f"Image {image.pk} (original_images/" in caplog.text


@pytest.mark.parametrize("damage", [lose_the_file, spoil_the_file], ids=["missing", "unreadable"])
def test_the_index_lists_the_item_without_its_picture(client, index, damage):
    image = builders.make_image("Atelier tablettes")
    damage(image)
    news_with(index, image, slug="sans-image")
    builders.add_news(index, "Une autre actualité", slug="autre")

    response = client.get("/actualites/")
    assert response.status_code == 200
    page = soup(response)
    titles = [text_of(node) for node in page.select(".news-card__title")]
    assert sorted(titles) == ["Le programme des ateliers", "Une autre actualité"]
    assert page.select("img.news-card__image") == []


def test_the_home_page_lists_it_too(client, home, index):
    image = builders.make_image("Atelier tablettes")
    lose_the_file(image)
    news_with(index, image, slug="sans-image")
    response = client.get("/")
    assert response.status_code == 200
    assert "Le programme des ateliers" in response.content.decode()
