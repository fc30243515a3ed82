"""Where each page type may be created, and that each one routes and renders.

Tree: HomePage → NewsIndexPage → NewsPage; HomePage → PressReviewPage, ContactPage;
HomePage → DossierIndexPage → DossierPage; HomePage/StandardPage → StandardPage.
"""

from datetime import date

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from website.models import (
    ContactPage,
    DossierIndexPage,
    DossierPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PressReviewPage,
    StandardPage,
)
from website.tests import builders

ALL_TYPES = {
    HomePage,
    NewsIndexPage,
    NewsPage,
    PressReviewPage,
    DossierIndexPage,
    DossierPage,
    StandardPage,
    ContactPage,
}


class TestPageTree(WagtailPageTestCase):
    def test_home_page(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage, {NewsIndexPage, PressReviewPage, DossierIndexPage, StandardPage, ContactPage}
        )

    def test_news(self):
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedParentPageTypes(NewsPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsPage, set())

    def test_press_review(self):
        self.assertAllowedParentPageTypes(PressReviewPage, {HomePage})
        self.assertAllowedSubpageTypes(PressReviewPage, set())

    def test_dossiers(self):
        self.assertAllowedParentPageTypes(DossierIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(DossierIndexPage, {DossierPage})
        self.assertAllowedParentPageTypes(DossierPage, {DossierIndexPage})
        self.assertAllowedSubpageTypes(DossierPage, set())

    def test_standard_and_contact(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertAllowedParentPageTypes(ContactPage, {HomePage})
        self.assertAllowedSubpageTypes(ContactPage, set())

    def test_nothing_else_goes_under_the_leaves(self):
        for leaf in (NewsPage, PressReviewPage, DossierPage, ContactPage):
            for child in ALL_TYPES:
                self.assertCanNotCreateAt(leaf, child)
        for child in ALL_TYPES - {NewsPage}:
            self.assertCanNotCreateAt(NewsIndexPage, child)
        for child in ALL_TYPES - {DossierPage}:
            self.assertCanNotCreateAt(DossierIndexPage, child)


class TestCreationUnderAHome(WagtailPageTestCase):
    """Which page types an editor may add, in the real tree (max_count included)."""

    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()

    def test_an_empty_home_page_accepts_each_section_once(self):
        for model in (NewsIndexPage, PressReviewPage, DossierIndexPage, ContactPage, StandardPage):
            self.assertTrue(model.can_create_at(self.home), model)
        self.assertCanCreateAt(HomePage, NewsIndexPage)
        self.assertCanNotCreateAt(HomePage, NewsPage)
        self.assertCanNotCreateAt(HomePage, DossierPage)

        builders.add_news_index(self.home)
        builders.add_press_review(self.home)
        builders.add_dossier_index(self.home)
        builders.add_contact(self.home)
        builders.add_standard(self.home)
        # One of each section per site (max_count = 1); standard pages as many as needed.
        for model in (NewsIndexPage, PressReviewPage, DossierIndexPage, ContactPage, HomePage):
            self.assertFalse(model.can_create_at(self.home), model)
        self.assertTrue(StandardPage.can_create_at(self.home))


class TestEachPageRoutesAndRenders(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = HomePage.objects.get()
        cls.news_index = builders.add_news_index(cls.home)
        cls.news = builders.add_news(cls.news_index, "Rencontre des animateurs", tags=["réseau"])
        cls.press = builders.add_press_review(
            cls.home,
            entries=[{"source": "La Dépêche du Causse", "date": date(2025, 3, 8), "title": "Tablettes et seniors"}],
        )
        cls.dossiers = builders.add_dossier_index(cls.home)
        cls.dossier = builders.add_dossier(cls.dossiers)
        cls.standard = builders.add_standard(cls.home)
        cls.child_standard = builders.add_standard(cls.standard, "Nos partenaires", slug="partenaires")
        cls.contact = builders.add_contact(cls.home)

    def test_every_page_type_routes_and_renders(self):
        pages = [
            self.home,
            self.news_index,
            self.news,
            self.press,
            self.dossiers,
            self.dossier,
            self.standard,
            self.child_standard,
            self.contact,
        ]
        self.assertEqual({type(page) for page in pages}, ALL_TYPES)
        for page in pages:
            with self.subTest(page=type(page).__name__):
                self.assertPageIsRoutable(page)
                self.assertPageIsRenderable(page)

    def test_the_news_index_routes_its_feeds_and_filters(self):
        self.assertPageIsRoutable(self.news_index, "flux/rss/")
        self.assertPageIsRoutable(self.news_index, "flux/atom/")
        self.assertPageIsRenderable(self.news_index, "flux/rss/")
        self.assertPageIsRenderable(self.news_index, "flux/atom/")
        self.assertPageIsRenderable(self.news_index, query_data={"tag": "réseau", "page": "2"})
        with self.assertRaises(AssertionError):
            self.assertPageIsRoutable(self.news_index, "flux/inconnu/")

    def test_the_contact_page_renders_a_refused_post(self):
        # Sent at once: refused (too fast), the form is shown again with a 200.
        self.assertPageIsRenderable(self.contact, post_data={"nom": "Léa", "message": "Bonjour"})
