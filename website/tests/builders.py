"""Building public pages in tests: published through revisions, as editors do."""

import io
from datetime import date

import PIL.Image
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from website.models import (
    ContactFormField,
    ContactPage,
    DossierDocument,
    DossierIndexPage,
    DossierPage,
    NewsIndexPage,
    NewsPage,
    PressReviewEntry,
    PressReviewPage,
    StandardPage,
)


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def add_news_index(home, **kwargs):
    kwargs = {"title": "Actualités", "slug": "actualites", "show_in_menus": True, **kwargs}
    return publish(home, NewsIndexPage(**kwargs))


def add_news(index, title="Une actualité", *, tags=(), **kwargs):
    kwargs.setdefault("slug", None)
    if kwargs["slug"] is None:
        kwargs["slug"] = f"actualite-{NewsPage.objects.count() + 1}"
    kwargs.setdefault("date", date(2025, 3, 4))
    page = NewsPage(title=title, **kwargs)
    if tags:
        page.tags.add(*tags)
    return publish(index, page)


def add_press_review(home, entries=(), **kwargs):
    kwargs = {"title": "Revue de presse", "slug": "revue-de-presse", **kwargs}
    page = PressReviewPage(**kwargs, entries=[PressReviewEntry(**entry) for entry in entries])
    return publish(home, page)


def add_dossier_index(home, **kwargs):
    kwargs = {"title": "Dossiers", "slug": "dossiers", **kwargs}
    return publish(home, DossierIndexPage(**kwargs))


def add_dossier(index, title="Le ticket déclic", *, documents=(), **kwargs):
    kwargs.setdefault("slug", "ticket-declic")
    page = DossierPage(
        title=title,
        documents=[DossierDocument(document=document, title=doc_title) for document, doc_title in documents],
        **kwargs,
    )
    return publish(index, page)


def add_standard(parent, title="Le programme", **kwargs):
    kwargs.setdefault("slug", "le-programme")
    return publish(parent, StandardPage(title=title, **kwargs))


CONTACT_FIELDS = [
    ("Nom", "singleline"),
    ("Adresse électronique", "email"),
    ("Message", "multiline"),
]


def add_contact(home, **kwargs):
    kwargs = {
        "title": "Contact",
        "slug": "contact",
        "thank_you_text": "<p>Merci pour votre message.</p>",
        **kwargs,
    }
    fields = [
        ContactFormField(sort_order=index, label=label, field_type=kind, required=True)
        for index, (label, kind) in enumerate(CONTACT_FIELDS)
    ]
    return publish(home, ContactPage(form_fields=fields, **kwargs))


def make_document(title="Guide du ticket déclic", content=b"Vingt heures d'initiation.\n", name="guide.txt"):
    document = get_document_model()(title=title, file_size=len(content))
    document.file.save(name, ContentFile(content), save=False)
    document.save()
    return document


def make_image(title="Atelier tablettes", size=(1600, 900)):
    buffer = io.BytesIO()
    PIL.Image.new("RGB", size, (0, 95, 107)).save(buffer, "PNG")
    image = get_image_model()(title=title, description=f"{title} (photo)")
    image.file.save("atelier.png", ImageFile(buffer, name="atelier.png"), save=False)
    image.save()
    return image
