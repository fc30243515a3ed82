"""The demo public site (website.demo.seed_public_site): believable and idempotent."""

import pytest
from wagtail.contrib.forms.models import FormSubmission
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from website.demo import seed_public_site
from website.models import (
    ContactPage,
    DossierDocument,
    DossierPage,
    NewsPage,
    PressReviewEntry,
    PressReviewPage,
    StandardPage,
)

pytestmark = pytest.mark.django_db


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "entries": PressReviewEntry.objects.count(),
        "documents": get_document_model().objects.count(),
        "dossier documents": DossierDocument.objects.count(),
        "images": get_image_model().objects.count(),
        "submissions": FormSubmission.objects.count(),
    }


def test_seed_public_site_is_believable_and_idempotent(client, home):
    lines = []
    created = seed_public_site(log=lines.append)
    assert created > 0 and lines
    first = counts()

    news = NewsPage.objects.live().order_by("-date")
    assert news.count() == 4
    assert all(item.tags.exists() and item.intro for item in news)
    assert PressReviewPage.objects.get().entries.count() == 4
    dossier = DossierPage.objects.get()
    assert dossier.documents.get().document.file.read().decode().startswith("Le ticket déclic")
    assert set(StandardPage.objects.values_list("title", flat=True)) >= {
        "Le programme",
        "Mentions légales",
        "Déclaration d'accessibilité",
    }
    contact = ContactPage.objects.get()
    assert [f.clean_name for f in contact.form_fields.all()] == ["nom", "adresse_electronique", "message"]
    assert Page.find_problems() == ([], [], [], [], [])

    # Every page of the demo answers.
    for page in Page.objects.live().filter(depth__gte=2):
        assert client.get(page.url).status_code == 200, page.url
    assert client.get("/actualites/flux/rss/").status_code == 200

    lines.clear()
    assert seed_public_site(log=lines.append) == 0
    assert counts() == first
    assert lines == []
