"""Wagtail pages of the public site: the home page and standard editorial pages.

Wagtail holds public editorial content only; extranet data stays in plain Django models.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from website.blocks import BodyBlock

INTRO_FEATURES = ["bold", "italic", "link"]


@dataclass
class Section:
    """A run of body blocks under one heading (`heading` is None before the first one)."""

    heading: str | None
    anchor: str
    blocks: list = field(default_factory=list)


def group_sections(body):
    """Split a body StreamValue into sections, one per heading block.

    Templates render each titled section as `<section aria-labelledby=...>` with an
    `<h2>`, so the document outline follows the editor's headings.
    """
    sections = []
    current = Section(heading=None, anchor="")
    headings = 0
    for block in body:
        if block.block_type == "heading":
            if current.heading is not None or current.blocks:
                sections.append(current)
            headings += 1
            current = Section(heading=block.value, anchor=f"section-{headings}")
        else:
            current.blocks.append(block)
    if current.heading is not None or current.blocks:
        sections.append(current)
    return sections


class HomePage(Page):
    intro = RichTextField(
        _("introduction"),
        features=INTRO_FEATURES,
        blank=True,
        help_text=_("A few sentences presenting the network, shown at the top of the home page."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["website.StandardPage"]
    template = "website/home_page.html"

    @property
    def sections(self):
        return group_sections(self.body)

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class StandardPage(Page):
    """An editorial page, for example "About the network" or "Our partners"."""

    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("body"),
    ]

    parent_page_types = ["website.HomePage", "website.StandardPage"]
    subpage_types = ["website.StandardPage"]
    template = "website/standard_page.html"

    @property
    def sections(self):
        return group_sections(self.body)

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
