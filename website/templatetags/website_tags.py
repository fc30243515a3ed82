"""Tags of the public site: social and search-engine metadata, feed links, menu, pagination."""

import logging
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

register = template.Library()
logger = logging.getLogger(__name__)

SOCIAL_IMAGE = "fill-1200x630"


def rendition_or_none(image, spec):
    """The rendition `spec` of a Wagtail image, or None when its file is missing or unreadable.

    Wagtail raises SourceImageIOError (an OSError) when the original file is gone, and
    Willow or Pillow their own errors when it is not an image any more: the page renders
    without the picture rather than failing with a 500. Logged as a warning for the editors."""
    if not image:
        return None
    try:
        return image.get_rendition(spec)
    except Exception as error:  # OSError, Willow's UnrecognisedImageFormatError, Pillow's errors
        logger.warning("Image %s (%s) cannot be rendered as %s: %r", image.pk, image.file.name, spec, error)
        return None


@register.simple_tag
def safe_rendition(image, spec):
    """`{% safe_rendition page.lead_image "width-1200" as picture %}`: like `{% image ... as %}`,
    but None (nothing to show) when the file is missing or unreadable."""
    return rendition_or_none(image, spec)


def _wagtail_page(context):
    page = context.get("page")
    return page if isinstance(page, Page) else None


@register.inclusion_tag("website/includes/social_meta.html", takes_context=True)
def social_meta(context):
    """Description, canonical link, OpenGraph and Twitter card of the current Wagtail page.

    Reads `page.get_meta_description()`, `page.get_meta_image()` and `page.og_type`
    (`website.models.SitePage`); a view may add `canonical_query` (e.g. "page=2") to the
    context. Outside the page tree it renders nothing.
    """
    page = _wagtail_page(context)
    if page is None:
        return {"page": None}
    request = context.get("request")
    site_id, root_url, page_path = page.get_url_parts(request) or (None, "", page.url or "")
    url = f"{root_url}{page_path}"
    if context.get("canonical_query"):
        url = f"{url}?{context['canonical_query']}"
    image = page.get_meta_image() if hasattr(page, "get_meta_image") else None
    rendition = rendition_or_none(image, SOCIAL_IMAGE)
    image_url = ""
    if rendition is not None:
        image_url = rendition.url if rendition.url.startswith(("http://", "https://")) else root_url + rendition.url
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "page": page,
        "title": page.seo_title or page.title,
        "description": page.get_meta_description() if hasattr(page, "get_meta_description") else "",
        "url": url,
        "og_type": getattr(page, "og_type", "website"),
        "site_name": settings.WAGTAIL_SITE_NAME,
        "locale": "fr_FR" if language.startswith("fr") else "en_GB",
        "image": rendition,
        "image_url": image_url,
        "image_alt": image.default_alt_text if rendition is not None else "",
        "published": getattr(page, "date", None),
    }


@register.inclusion_tag("website/includes/feed_links.html", takes_context=True)
def feed_links(context):
    """`<link rel="alternate">` to the news feeds, on pages that put `news_index` in context."""
    index = context.get("news_index")
    return {"index": index if index is not None and index.url else None}


@register.simple_tag(takes_context=True)
def render_home_section(context, section):
    """Render a `website.home_sections.HomeSection` with its own context."""
    return render_to_string(section.template, section.context, request=context.get("request"))


@register.inclusion_tag("website/includes/public_menu.html", takes_context=True)
def public_menu(context):
    """The sections of the public site: the home page's live children shown in menus (one
    query), then the public agenda and the directory of venues."""
    from website import selectors

    page = _wagtail_page(context)
    request = context.get("request")
    items = [
        {
            "title": item.title,
            "url": item.get_url(request),
            # "page" on the item itself, "true" on the section holding the current page.
            "current": page is not None
            and ("page" if page.pk == item.pk else "true" if page.path.startswith(item.path) else None),
        }
        for item in selectors.menu_pages()
    ]
    directory = directory_url()
    in_directory = request is not None and request.path.startswith(directory)
    agenda = reverse("agenda:index")
    in_agenda = request is not None and request.path.startswith(agenda)
    return {"items": items, "directory_url": directory, "in_directory": in_directory,
            "agenda_url": agenda, "in_agenda": in_agenda}


@register.simple_tag
def page_link(params, name, number):
    """The query string ("?...") of page `number` of a list: `params` (a dict of the list's cleaned filters,
    e.g. {"tag": "ateliers"}) with `name` set to `number`; empty values and page 1 left out."""
    query = {key: value for key, value in (params or {}).items() if value not in (None, "")}
    query[name] = number
    if str(number) == "1":
        del query[name]
    return "?" + urlencode(query)


@register.simple_tag
def directory_url():
    """The public directory of venues (directory app)."""
    return reverse("public_directory:list")
