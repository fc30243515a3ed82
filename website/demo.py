"""A believable public site for the demo network (called by `manage.py seed_demo`).

Idempotent: every page is found by its slug under its parent, documents and images by
their title; running it again creates nothing. Pages are published through revisions,
as an editor would. Nothing here is real: names, newspapers and links are invented.
"""

import io
from datetime import date

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from website.models import (
    ContactFormField,
    ContactPage,
    DossierDocument,
    DossierIndexPage,
    DossierPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PressReviewEntry,
    PressReviewPage,
    StandardPage,
)

HOME_BODY = [
    ("heading", "Un réseau de lieux et de personnes"),
    (
        "paragraph",
        "<p>Espaces publics numériques, cyber-bases, médiathèques, France services, tiers-lieux : "
        "une vingtaine de lieux accueillent chaque semaine celles et ceux qui veulent apprendre, "
        "faire une démarche en ligne ou simplement accéder à un ordinateur. Leurs animatrices et "
        "animateurs mettent en commun ateliers, ressources et matériel.</p>",
    ),
    (
        "quote",
        {
            "text": "Avant, j'étais seule dans mon EPM. Aujourd'hui je sais à qui demander, "
            "et mes ateliers servent à tout le réseau.",
            "attribution": "Léa, animatrice multimédia à Laroque-des-Arcs",
        },
    ),
]

NEWS = [
    {
        "slug": "ateliers-seniors-tablettes",
        "title": "Des ateliers tablettes pour les seniors dans cinq lieux du réseau",
        "date": date(2025, 3, 4),
        "author_name": "Hélène Morel",
        "tags": ["ateliers", "seniors"],
        "image": "Atelier tablettes à la médiathèque",
        "intro": "De mars à juin, cinq lieux proposent un cycle de six séances pour apprivoiser "
        "la tablette : appels vidéo avec les petits-enfants, photos, démarches de santé en ligne.",
        "body": [
            (
                "paragraph",
                "<p>Les séances durent deux heures, en petits groupes de six personnes. "
                "Les tablettes sont prêtées par le centre de ressources ; chacun peut aussi venir avec la sienne.</p>",
            ),
            ("heading", "Où s'inscrire ?"),
            (
                "paragraph",
                "<p>Auprès de la médiathèque de Gramat-le-Vieux, de l'EPM des Tanneurs, du CCAS "
                "de Saint-Aurèle, de la Cyber-base de Bretenoux et du PAPI de Limogne.</p>",
            ),
        ],
    },
    {
        "slug": "ticket-declic-bilan-2024",
        "title": "Ticket déclic : 312 personnes accompagnées en 2024",
        "date": date(2025, 2, 12),
        "author_name": "Claire Dumas",
        "tags": ["ticket déclic", "bilan"],
        "image": "Le ticket déclic en chiffres",
        "intro": "Le ticket déclic offre vingt heures d'initiation aux personnes éloignées du numérique. "
        "Le bilan de l'année montre un public plus âgé et plus rural que prévu.",
        "body": [
            (
                "paragraph",
                "<p>Dix modules de deux heures, dans l'un des lieux partenaires, au choix de la "
                "personne : le dispositif a été utilisé dans 17 lieux sur 21.</p>",
            ),
            ("paragraph", "<p>Le bilan détaillé est disponible dans le dossier consacré au ticket déclic.</p>"),
        ],
    },
    {
        "slug": "rencontre-animateurs-printemps",
        "title": "Rencontre des animateurs : rendez-vous le 10 avril à Souillac-sur-Lys",
        "date": date(2025, 1, 28),
        "author_name": "Marc Delpech",
        "tags": ["réseau", "rencontres"],
        "image": "",
        "intro": "Une journée pour échanger sur nos pratiques, découvrir le fablab de la Fabrique du Lys "
        "et préparer ensemble le programme d'ateliers de l'automne.",
        "body": [
            (
                "paragraph",
                "<p>Au programme : tables rondes le matin, ateliers pratiques l'après-midi "
                "(impression 3D, réemploi d'ordinateurs sous Linux, montage vidéo). Repas partagé.</p>",
            ),
        ],
    },
    {
        "slug": "visio-guichets-france-services",
        "title": "Les points visio rapprochent les services publics des habitants",
        "date": date(2024, 12, 9),
        "author_name": "Inès Garcia",
        "tags": ["services publics", "visio"],
        "image": "",
        "intro": "Rendez-vous avec un conseiller de la CAF ou de France Travail sans faire quarante "
        "kilomètres : six lieux du réseau sont désormais équipés d'une borne visio.",
        "body": [
            (
                "paragraph",
                "<p>Le rendez-vous se prend à l'accueil du lieu ou par téléphone. L'animateur "
                "aide à préparer les documents et reste disponible pendant l'entretien si besoin.</p>",
            ),
        ],
    },
]

PRESS = [
    (
        "La Dépêche du Causse",
        date(2025, 3, 8),
        "Tablettes et seniors : le numérique s'invite à la médiathèque",
        "« On vient pour les photos des petits-enfants, on repart en sachant prendre rendez-vous chez le "
        "médecin », sourit une participante de Gramat-le-Vieux.",
    ),
    (
        "Radio Vallée du Lys",
        date(2025, 2, 14),
        "Le ticket déclic a trouvé son public",
        "Interview de la coordinatrice du réseau sur le bilan du dispositif d'initiation.",
    ),
    (
        "Le Petit Quercinois",
        date(2024, 12, 12),
        "Des bornes visio pour éviter la route",
        "À Vayrac-le-Haut, la Maison France services accueille déjà une dizaine de rendez-vous par mois.",
    ),
    (
        "Gazette des communes numériques",
        date(2024, 10, 3),
        "Mutualiser pour durer : l'exemple d'un réseau rural",
        "Comment une vingtaine de lieux partagent matériel, ateliers et savoir-faire.",
    ),
]

DOSSIER_TEXT = (
    "Le ticket déclic - guide pour les lieux partenaires\n"
    "===================================================\n\n"
    "1. Qui peut en bénéficier ? Toute personne éloignée du numérique, orientée par un travailleur "
    "social, une mairie ou un lieu du réseau.\n"
    "2. Que comprend-il ? Vingt heures d'initiation : dix modules de deux heures, dans le lieu choisi "
    "par la personne.\n"
    "3. Comment le lieu est-il rémunéré ? Un forfait de 150 euros par ticket réalisé, versé par "
    "l'organisme gestionnaire sur présentation de la feuille d'émargement.\n"
)

STANDARD_PAGES = [
    (
        "le-programme",
        "Le programme",
        True,
        [
            (
                "paragraph",
                "<p>Le réseau Maillage réunit les lieux d'accès public à Internet d'un territoire "
                "rural et urbain autour de trois engagements : un accueil de qualité, des ateliers partagés "
                "et l'entraide entre animateurs.</p>",
            ),
            ("heading", "Ce que le réseau apporte aux lieux"),
            (
                "paragraph",
                "<ul><li>Un bureau virtuel pour échanger entre animateurs</li>"
                "<li>Des ateliers mutualisés et des ressources sous licence libre</li>"
                "<li>Le prêt de matériel : vidéoprojecteurs, caméras, tablettes</li></ul>",
            ),
            ("heading", "Ce que le réseau apporte aux habitants"),
            (
                "paragraph",
                "<p>Près de chez soi, un lieu où apprendre, être accompagné dans ses démarches "
                "et rencontrer d'autres personnes.</p>",
            ),
        ],
    ),
    (
        "mentions-legales",
        "Mentions légales",
        False,
        [
            ("heading", "Éditeur du site"),
            (
                "paragraph",
                "<p>Association Maillage (fictive), 3 boulevard Gambetta, 46000 Saint-Aurèle. "
                "Directrice de la publication : Claire Dumas.</p>",
            ),
            ("heading", "Hébergement"),
            ("paragraph", "<p>Site de démonstration hébergé localement.</p>"),
            ("heading", "Données personnelles"),
            (
                "paragraph",
                "<p>Les messages envoyés par le formulaire de contact sont conservés un an puis "
                "supprimés. Vous pouvez demander leur suppression à tout moment.</p>",
            ),
        ],
    ),
    (
        "accessibilite",
        "Déclaration d'accessibilité",
        False,
        [
            (
                "paragraph",
                "<p>Le réseau Maillage s'engage à rendre son site accessible conformément à "
                "l'article 47 de la loi n° 2005-102 du 11 février 2005.</p>",
            ),
            ("heading", "État de conformité"),
            (
                "paragraph",
                "<p>Le site n'a pas encore fait l'objet d'un audit : il est non conforme au "
                "RGAA en attendant cet audit.</p>",
            ),
            ("heading", "Retour d'information et contact"),
            (
                "paragraph",
                "<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez-nous "
                "par le formulaire de contact : nous vous répondrons et vous proposerons une alternative.</p>",
            ),
        ],
    ),
]


DOSSIER = {
    "title": "Le ticket déclic",
    "slug": "ticket-declic",
    "intro": "Vingt heures d'initiation au numérique offertes aux personnes qui en sont éloignées, "
    "dans le lieu de leur choix.",
    "body": [
        ("heading", "Le principe"),
        (
            "paragraph",
            "<p>Un ticket donne droit à dix modules de deux heures. Le lieu qui accueille "
            "la personne reçoit un forfait de 150 euros par ticket réalisé.</p>",
        ),
        ("heading", "Pour les lieux partenaires"),
        (
            "paragraph",
            "<p>Le guide ci-dessous explique qui orienter, comment organiser les modules et "
            "comment se faire rembourser.</p>",
        ),
    ],
}
GUIDE_TITLE = "Guide pour les lieux partenaires"

CONTACT = {
    "title": "Contact",
    "slug": "contact",
    "show_in_menus": True,
    "intro": "<p>Une question sur le réseau, un lieu à signaler, une envie de rejoindre l'aventure ? "
    "Écrivez-nous : nous répondons sous une semaine.</p>",
    "thank_you_text": "<p>Merci, votre message est bien arrivé. Nous vous répondons sous une semaine.</p>",
    # E-mailed there too (printed in the terminal with the console e-mail backend).
    "to_address": "coordination@maillage.test",
    "subject": "Message envoyé depuis le site Maillage",
}
CONTACT_FIELDS = [("Nom", "singleline"), ("Adresse électronique", "email"), ("Message", "multiline")]


class _Seeder:
    """Creates what is missing and counts it; `log` tells what was created."""

    def __init__(self, log):
        self.log = log
        self.created = 0

    def existing(self, parent, model, slug):
        return model.objects.child_of(parent).filter(slug=slug).first()

    def publish(self, parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created += 1
        self.log(f"Page « {page.title} » created.")
        return page

    def image(self, title, colour):
        """A generated illustration (a plain picture with circles: no file to ship)."""
        from PIL import Image as PILImage
        from PIL import ImageDraw

        image = get_image_model().objects.filter(title=title).first()
        if image is not None:
            return image
        picture = PILImage.new("RGB", (1200, 675), colour)
        draw = ImageDraw.Draw(picture)
        for index, radius in enumerate((260, 180, 100)):
            shade = tuple(min(255, channel + 40 * (index + 1)) for channel in colour)
            draw.ellipse((900 - radius, 340 - radius, 900 + radius, 340 + radius), fill=shade)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        image = get_image_model()(title=title, description=title)
        name = f"{slugify(title)[:40]}.png"
        image.file.save(name, ImageFile(buffer, name=name), save=False)
        image.save()
        self.created += 1
        self.log(f"Image « {title} » created.")
        return image

    def document(self, title, filename, text):
        document = get_document_model().objects.filter(title=title).first()
        if document is not None:
            return document
        content = text.encode()
        document = get_document_model()(title=title, file_size=len(content))
        document.file.save(filename, ContentFile(content), save=False)
        document.save()
        self.created += 1
        self.log(f"Document « {title} » created.")
        return document


NEWS_COLOURS = [(0, 95, 107), (51, 107, 117)]


@transaction.atomic
def seed_public_site(log=print):
    """Create the demo pages under the home page; returns how many objects were created."""
    home = HomePage.objects.first()
    if home is None:
        log("No home page: run the migrations first.")
        return 0
    seed = _Seeder(log)
    if not home.body:
        home.body = HOME_BODY
        home.save_revision().publish()
        log("Home page filled in.")

    news_index = seed.existing(home, NewsIndexPage, "actualites") or seed.publish(
        home,
        NewsIndexPage(
            title="Actualités",
            slug="actualites",
            show_in_menus=True,
            intro="<p>La vie du réseau : ateliers, rencontres, dispositifs et bilans.</p>",
        ),
    )
    for index, item in enumerate(NEWS):
        if seed.existing(news_index, NewsPage, item["slug"]):
            continue
        news = NewsPage(**{key: value for key, value in item.items() if key not in ("tags", "image")})
        if item["image"]:
            news.lead_image = seed.image(item["image"], NEWS_COLOURS[index % len(NEWS_COLOURS)])
        news.tags.add(*item["tags"])
        seed.publish(news_index, news)

    if not seed.existing(home, PressReviewPage, "revue-de-presse"):
        entries = [
            PressReviewEntry(
                source=source,
                date=day,
                title=title,
                excerpt=excerpt,
                url=f"https://presse.example.org/article-{number}",
            )
            for number, (source, day, title, excerpt) in enumerate(PRESS, start=1)
        ]
        seed.publish(
            home,
            PressReviewPage(
                title="Revue de presse",
                slug="revue-de-presse",
                show_in_menus=True,
                intro="<p>Ce que la presse locale dit du réseau et de ses lieux.</p>",
                entries=entries,
            ),
        )

    dossiers = seed.existing(home, DossierIndexPage, "dossiers") or seed.publish(
        home,
        DossierIndexPage(
            title="Dossiers",
            slug="dossiers",
            show_in_menus=True,
            intro="<p>Des dossiers thématiques pour comprendre les dispositifs du réseau.</p>",
        ),
    )
    if not seed.existing(dossiers, DossierPage, "ticket-declic"):
        guide = seed.document("Guide du ticket déclic", "guide-ticket-declic.txt", DOSSIER_TEXT)
        seed.publish(dossiers, DossierPage(**DOSSIER, documents=[DossierDocument(document=guide, title=GUIDE_TITLE)]))

    for slug, title, in_menu, body in STANDARD_PAGES:
        if not seed.existing(home, StandardPage, slug):
            seed.publish(home, StandardPage(title=title, slug=slug, show_in_menus=in_menu, body=body))

    if not seed.existing(home, ContactPage, "contact"):
        fields = [
            ContactFormField(sort_order=number, label=label, field_type=kind, required=True)
            for number, (label, kind) in enumerate(CONTACT_FIELDS)
        ]
        seed.publish(home, ContactPage(**CONTACT, form_fields=fields))
    return seed.created
