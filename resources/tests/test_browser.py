"""The resource library's journeys, in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

1. At 1280 px: a member writes a resource (title, summary, body, the licence left at Etalab
   2.0, public, a theme, a picture), saves the draft and publishes it; a visitor of the public
   site finds it on /ressources/ by a word of its title, reads its licence and its author and
   downloads its file.
2. At 320 px, with JavaScript: a member rates another member's resource « Recommandée » with a
   comment and saves it into her « Favoris », which lists it; no page scrolls sideways.

Screenshots of the main pages go to $MAILLAGE_SHOTS when it is set (for a person to look at).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from extranet.testing.assertions import png
from extranet.testing.browser import NARROW, ensure_home_page, log_in
from extranet.testing.factories import ResourceFactory, ResourceTagFactory, UserFactory
from resources.models import Collection, Rating, Resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
TITLE = "Créer sa boîte mail en atelier collectif"
SUMMARY = "Une séance de deux heures pour ouvrir une adresse et envoyer son premier message."
BODY = "## Déroulé\n\nChaque participant crée son adresse, puis écrit à son voisin."


def fr(text: str, *, whole: bool = True) -> re.Pattern:
    """A French text as a regular expression: its non-breaking spaces match any white space."""
    body = re.escape(text).replace("\xa0", r"\s")
    return re.compile(rf"^\s*{body}\s*$" if whole else body)


def shot(page, name: str) -> None:
    """A full-page screenshot into $MAILLAGE_SHOTS (not in the repository), when it is set."""
    folder = os.environ.get("MAILLAGE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def no_sideways_scroll(page, width: int) -> None:
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate("""(width) => Array.from(document.querySelectorAll("body *"))
        .filter((e) => e.getBoundingClientRect().right > width + 1)
        .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)} px`).slice(0, 10)""",
                         width) if scroll > width else []
    assert scroll <= width, f"{page.url} scrolls sideways at {width} px: {scroll} px wide ({wide})"


def test_write_publish_then_find_it_on_the_public_site(new_context, territory, venue, tmp_path):
    from playwright.sync_api import expect

    ensure_home_page()
    author = UserFactory(territory=territory, venues=[venue], display_name="Nadia Rouquette")
    ResourceTagFactory(kind="theme", name="Messagerie")
    ResourceTagFactory(kind="theme", name="Démarches en ligne")
    picture = png("deroule.png", size=(40, 30)).read()
    (tmp_path / "deroule.png").write_bytes(picture)

    # The form, from the library.
    page = log_in(new_context(viewport=WIDE), author)
    page.goto("/bureau/ressources/")
    page.get_by_role("link", name="Nouvelle ressource").click()
    page.wait_for_url(re.compile(r"/bureau/ressources/nouvelle/$"))
    page.get_by_label(re.compile(r"^Titre( \*)?$")).fill(TITLE)
    page.get_by_label("Résumé", exact=True).fill(SUMMARY)
    page.get_by_label("Contenu (Markdown)").fill(BODY)
    expect(page.get_by_role("radio", name="Licence Ouverte / Etalab 2.0")).to_be_checked()
    page.get_by_role("group", name="Qui peut la lire une fois publiée").get_by_label(
        "Tout le monde (aussi sur le site public)").check()
    page.get_by_role("group", name="Thèmes", exact=True).get_by_label("Messagerie").check()
    page.get_by_label("Déposer des fichiers").set_input_files(str(tmp_path / "deroule.png"))
    shot(page, "resources-form-1280")
    page.get_by_role("button", name="Enregistrer le brouillon").click()

    # Saved as a draft, then published from its page.
    page.wait_for_url(re.compile(r"/bureau/ressources/\d+/$"))
    expect(page.get_by_text(fr(f"Le brouillon «\xa0{TITLE}\xa0» est enregistré. Publiez-le quand il sera prêt.")
                            )).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    resource = Resource.objects.get(title=TITLE)
    assert (resource.status, resource.visibility, resource.licence) == ("draft", "public", "etalab-2.0")
    assert list(resource.tags.values_list("name", flat=True)) == ["Messagerie"]
    assert list(resource.files.values_list("name", "size")) == [("deroule.png", len(picture))]
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_text(fr(f"«\xa0{TITLE}\xa0» est publiée."))).to_be_visible()
    assert Resource.objects.get(pk=resource.pk).status == "published"
    shot(page, "resources-detail-1280")

    # A visitor of the public site, in another browser: found by a word of its title.
    visitor = new_context(viewport=WIDE).new_page()
    visitor.goto("/ressources/")
    search = visitor.get_by_role("form", name="Rechercher dans les ressources")
    search.get_by_label("Chercher", exact=True).fill("boîte")
    search.get_by_role("button", name="Rechercher dans les ressources", exact=True).click()
    visitor.wait_for_url(re.compile(r"/ressources/\?q=bo"))
    expect(visitor.get_by_role("heading", name="1 ressource", exact=True)).to_be_visible()
    shot(visitor, "resources-public-library-1280")
    visitor.get_by_role("link", name=TITLE).click()
    visitor.wait_for_url(re.compile(rf"/ressources/{resource.pk}/[\w-]+/$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    facts = visitor.locator("dl.summary")
    expect(facts).to_contain_text("Nadia Rouquette")
    licence = facts.get_by_role("link", name="Licence Ouverte / Etalab 2.0")
    expect(licence).to_have_attribute("href", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    shot(visitor, "resources-public-detail-1280")

    # Its file, downloaded.
    with visitor.expect_download() as info:
        visitor.get_by_role("link", name="deroule.png", exact=True).click()
    download = info.value
    assert download.suggested_filename == "deroule.png"
    assert Path(download.path()).read_bytes() == picture
    assert Resource.objects.get(pk=resource.pk).downloads == 1


def test_rate_and_save_into_favourites_at_320_px(new_context, member, territory):
    from playwright.sync_api import expect

    other = UserFactory(territory=territory, display_name="Yannick Delmas")
    resource = ResourceFactory(title="Sécuriser son smartphone", created_by=other)

    page = log_in(new_context(viewport=NARROW), member)
    page.goto("/bureau/ressources/")
    page.get_by_role("link", name="Sécuriser son smartphone").click()
    page.wait_for_url(f"**/bureau/ressources/{resource.pk}/")
    no_sideways_scroll(page, NARROW["width"])

    # Her opinion, with a comment.
    opinions = page.get_by_role("region", name="Avis")
    opinions.get_by_role("group", name="Votre avis").get_by_role("radio", name="Recommandée", exact=True).check()
    opinions.get_by_label("Commentaire (facultatif)").fill("Clair, à compléter pour les iPhone.")
    opinions.get_by_role("button", name="Donner mon avis").click()
    expect(page.get_by_text(fr("Merci\xa0: votre avis est enregistré."))).to_be_visible()
    expect(page.get_by_role("region", name="Avis")).to_contain_text("Clair, à compléter pour les iPhone.")
    rating = Rating.objects.get(resource=resource)
    assert (rating.user_id, rating.score, rating.comment) == (member.pk, 3, "Clair, à compléter pour les iPhone.")

    # Saved into her "Favoris" (made on this first save).
    save = page.get_by_role("region", name="L’enregistrer")
    expect(save.get_by_label("Dans la collection")).to_have_value("")
    expect(save.get_by_label("Dans la collection").locator("option:checked")).to_have_text("Favoris")
    save.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text(fr("«\xa0Sécuriser son smartphone\xa0» est enregistrée dans Favoris."))).to_be_visible()
    no_sideways_scroll(page, NARROW["width"])
    shot(page, "resources-detail-320")
    favourites = Collection.objects.get(owner=member)
    assert (favourites.name, favourites.is_default, list(favourites.resources.all())) == ("Favoris", True, [resource])

    # The collection page lists it.
    page.goto("/bureau/ressources/collections/")
    page.get_by_role("link", name="Favoris", exact=True).click()
    page.wait_for_url(f"**/bureau/ressources/collections/{favourites.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Favoris")
    expect(page.get_by_role("link", name="Sécuriser son smartphone")).to_be_visible()
    no_sideways_scroll(page, NARROW["width"])
    shot(page, "resources-collection-320")
