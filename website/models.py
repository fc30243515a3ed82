"""Wagtail pages of the public site.

Wagtail holds public editorial content only; extranet data stays in plain Django models
(the home page reads its key figures through `website.selectors`).

Page tree (`parent_page_types` / `subpage_types`):

    HomePage (one)
    ├── NewsIndexPage (one) ── NewsPage
    ├── PressReviewPage (one)
    ├── DossierIndexPage (one) ── DossierPage
    ├── ContactPage (one)
    └── StandardPage ── StandardPage...
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from website import home_sections, selectors, spam
from website.blocks import BodyBlock
from website.forms import ContactFormBuilder

logger = logging.getLogger(__name__)

INTRO_FEATURES = ["bold", "italic", "link"]
NEWS_PER_PAGE = 10
PRESS_ENTRIES_PER_PAGE = 20
DESCRIPTION_LENGTH = 200


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


def page_number(request, name="page"):
    """The page number asked for in the query string (Paginator.get_page copes with junk)."""
    return request.GET.get(name, "")[:10]


class SitePage:
    """What every page of the public site shares (a mixin, before `Page` in the bases).

    Its description and image for search engines and social networks (read by the
    `social_meta` template tag in base.html) and its body grouped in sections.
    """

    # "article" for news, "website" for the other pages (OpenGraph's og:type).
    og_type = "website"

    def get_meta_description(self):
        text = self.search_description or strip_tags(str(getattr(self, "intro", "") or ""))
        return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)

    def get_meta_image(self):
        return None

    @property
    def sections(self):
        return group_sections(getattr(self, "body", None) or [])


class HomePage(SitePage, Page):
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
    subpage_types = [
        "website.NewsIndexPage",
        "website.PressReviewPage",
        "website.DossierIndexPage",
        "website.StandardPage",
        "website.ContactPage",
    ]
    template = "website/home_page.html"

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = selectors.latest_news(limit=3)
        context["news_index"] = selectors.news_index()
        context["figures"] = selectors.network_figures()
        context["home_sections"] = home_sections.sections_for(request)
        return context


class StandardPage(SitePage, Page):
    """An editorial page: the programme, the legal notice, the accessibility statement..."""

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

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


# --- News (actualités) ----------------------------------------------------------------------


class NewsIndexPage(RoutablePageMixin, SitePage, Page):
    """The news: newest first, ten per page, filtered by `?tag=`; RSS and Atom feeds."""

    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count = 1
    parent_page_types = ["website.HomePage"]
    subpage_types = ["website.NewsPage"]
    template = "website/news_index_page.html"

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag = selectors.clean_tag(request.GET.get("tag"))
        news = selectors.news_under(self)
        context["tag"] = tag
        context["tags"] = selectors.news_tags(news)
        if tag:
            news = selectors.news_tagged(news, tag)
        context["news_page"] = news_page = Paginator(news, NEWS_PER_PAGE).get_page(page_number(request))
        context["news_params"] = {"tag": tag}
        context["canonical_query"] = urlencode(
            {key: value for key, value in (("tag", tag), ("page", news_page.number)) if value and value != 1}
        )
        context["news_index"] = self
        return context

    @property
    def rss_url(self):
        return self.url + self.reverse_subpage("rss")

    @property
    def atom_url(self):
        return self.url + self.reverse_subpage("atom")

    @path("flux/rss/", name="rss")
    def rss_feed(self, request):
        from website.feeds import NewsRssFeed

        return NewsRssFeed(self)(request)

    @path("flux/atom/", name="atom")
    def atom_feed(self, request):
        from website.feeds import NewsAtomFeed

        return NewsAtomFeed(self)(request)


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("website.NewsPage", on_delete=models.CASCADE, related_name="tagged_items")


class NewsPage(SitePage, Page):
    date = models.DateField(_("date"), default=timezone.localdate)
    author_name = models.CharField(
        _("author"), max_length=120, blank=True, help_text=_("As it should appear under the title.")
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown at the top of the article, in the lists and when the article is shared."),
    )
    intro = models.TextField(
        _("introduction"),
        max_length=600,
        blank=True,
        help_text=_("One or two sentences, shown in the lists and the feeds."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("tags"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("date"), FieldPanel("author_name")]), FieldPanel("tags")],
            heading=_("About this article"),
        ),
        FieldPanel("lead_image"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("author_name"),
        index.FilterField("date"),
    ]

    og_type = "article"
    parent_page_types = ["website.NewsIndexPage"]
    subpage_types = []
    template = "website/news_page.html"

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")

    def get_meta_image(self):
        return self.lead_image

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["news_index"] = NewsIndexPage.objects.ancestor_of(self).first()
        return context


# --- Press review (revue de presse) ---------------------------------------------------------


class PressReviewPage(SitePage, Page):
    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("entries", label=_("Articles"), heading=_("Articles about the network")),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count = 1
    parent_page_types = ["website.HomePage"]
    subpage_types = []
    template = "website/press_review_page.html"

    class Meta:
        verbose_name = _("press review")
        verbose_name_plural = _("press reviews")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        entries = self.entries.order_by("-date", "sort_order", "pk")
        context["entries_page"] = Paginator(entries, PRESS_ENTRIES_PER_PAGE).get_page(page_number(request))
        return context


class PressReviewEntry(Orderable):
    page = ParentalKey(PressReviewPage, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(_("title"), max_length=255)
    source = models.CharField(_("source"), max_length=120, help_text=_("The newspaper, radio or website."))
    date = models.DateField(_("date of publication"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    excerpt = models.TextField(_("excerpt"), max_length=1000, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("source"), FieldPanel("date")]),
        FieldPanel("title"),
        FieldPanel("url"),
        FieldPanel("excerpt"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("press article")
        verbose_name_plural = _("press articles")

    def __str__(self):
        return f"{self.source}: {self.title}"


# --- Thematic dossiers ----------------------------------------------------------------------


class DossierIndexPage(SitePage, Page):
    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count = 1
    parent_page_types = ["website.HomePage"]
    subpage_types = ["website.DossierPage"]
    template = "website/dossier_index_page.html"

    class Meta:
        verbose_name = _("dossiers index")
        verbose_name_plural = _("dossiers indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["dossiers"] = DossierPage.objects.child_of(self).live().public().order_by("title")
        return context


class DossierPage(SitePage, Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel("documents", label=_("Document"), heading=_("Documents to download")),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["website.DossierIndexPage"]
    subpage_types = []
    template = "website/dossier_page.html"

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["documents"] = self.documents.select_related("document").order_by("sort_order", "pk")
        return context


class DossierDocument(Orderable):
    page = ParentalKey(DossierPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE)
    title = models.CharField(
        _("title"), max_length=255, blank=True, help_text=_("Leave empty to use the document's own title.")
    )

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("related document")
        verbose_name_plural = _("related documents")

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        return self.title or self.document.title


# --- Contact form ---------------------------------------------------------------------------


def _as_text(value):
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


class ContactFormField(AbstractFormField):
    page = ParentalKey("website.ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(SitePage, AbstractEmailForm):
    """Wagtail's form builder, with spam protection that needs no outside service.

    A honeypot field (hidden from people, filled by robots), a signed timestamp (a form
    sent back within `spam.MIN_FILL_SECONDS` of its display is refused) and a limit per
    IP address (`spam.RATE_LIMIT` submissions per `spam.RATE_WINDOW` seconds). A refused
    form is shown again with what was typed and says why. Submissions are stored (read
    them at /cms/); they are e-mailed to `to_address` only when it is set.
    """

    intro = RichTextField(_("introduction"), features=INTRO_FEATURES, blank=True)
    thank_you_text = RichTextField(
        _("thank-you text"),
        features=INTRO_FEATURES,
        blank=True,
        help_text=_("Shown once the message has been sent."),
    )

    form_builder = ContactFormBuilder

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("E-mail"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    max_count = 1
    parent_page_types = ["website.HomePage"]
    subpage_types = []
    template = "website/contact_page.html"
    landing_page_template = "website/contact_page_landing.html"

    class Meta:
        verbose_name = _("contact page")
        verbose_name_plural = _("contact pages")

    def serve(self, request, *args, **kwargs):
        status = 200
        if request.method == "POST":
            limited = spam.rate_limited(request, scope=f"contact:{self.pk}")
            form = self.get_form(request.POST, page=self, user=request.user, rate_limited=limited)
            if form.is_valid():
                submission = self.process_form_submission(form)
                return self.render_landing_page(request, submission, *args, **kwargs)
            status = 429 if limited else 200
        else:
            form = self.get_form(page=self, user=request.user)
        context = self.get_context(request)
        context["form"] = form
        return TemplateResponse(request, self.get_template(request), context, status=status)

    def send_mail(self, form):
        # The submission is stored already: a mail server failure is logged, and the
        # message stays readable at /cms/.
        try:
            super().send_mail(form)
        except Exception:
            logger.exception("Contact form: the e-mail to %s could not be sent.", self.to_address)

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        context = self.get_context(request)
        context["form_submission"] = form_submission
        if form_submission is not None:
            data = form_submission.get_data()
            context["sent_fields"] = [
                (field.label, _as_text(data.get(field.clean_name))) for field in self.get_form_fields()
            ]
        return TemplateResponse(request, self.get_landing_page_template(request), context)


# --- The pages every public body's site links from its footer -------------------------------------


@register_setting(icon="doc-full")
class FooterPages(BaseSiteSetting):
    """The legal pages the footer links to, chosen by the editors at /cms/settings/.

    The demo creates them (`website.demo`); a page left empty, or not live, is simply not
    linked. The footer reads them through `website.footer` (one query, cached).
    """

    class Compliance(models.TextChoices):
        NONE = "none", _("not compliant")
        PARTIAL = "partial", _("partially compliant")
        FULL = "full", _("fully compliant")

    legal_notice = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("legal notice"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    accessibility = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("accessibility statement"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    accessibility_compliance = models.CharField(
        _("state of compliance"), max_length=10, choices=Compliance.choices, default=Compliance.PARTIAL,
        help_text=_("The state of compliance with the RGAA given by the accessibility statement; "
                    "the footer shows it, as the law requires."),
    )
    personal_data = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("personal data"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    contact = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    panels = [
        FieldPanel("legal_notice"),
        MultiFieldPanel([FieldPanel("accessibility"), FieldPanel("accessibility_compliance")],
                        heading=_("Accessibility")),
        FieldPanel("personal_data"),
        FieldPanel("contact"),
    ]

    class Meta:
        verbose_name = _("footer pages")


# The footer's cache follows the pages and this setting (its signal receivers).
from website import footer  # noqa: E402, F401
