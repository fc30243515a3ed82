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
    FooterPages,
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

# The pages every public body's site links from its footer (website.models.FooterPages).
NB = "\u00a0"
LEGAL_NOTICE = [
    ("heading", "Éditeur du site"),
    ("paragraph",
     "<p>Association Maillage (fictive), association régie par la loi du 1er juillet 1901, "
     "3 boulevard Gambetta, 46000 Saint-Aurèle.<br/>"
     "Téléphone" + NB + ": 05 00 00 00 00 (fictif). Courriel" + NB + ": contact@maillage.test.</p>"
     "<p>Directrice de la publication" + NB + ": Claire Dumas, présidente de l'association.</p>"),
    ("heading", "Hébergement"),
    ("paragraph",
     "<p>Site de démonstration hébergé localement. Un site en service indique ici le nom, "
     "l'adresse et le téléphone de son hébergeur (article 6 de la loi n° 2004-575 du 21 juin 2004 "
     "pour la confiance dans l'économie numérique).</p>"),
    ("heading", "Contenus et réutilisation"),
    ("paragraph",
     "<p>Les textes des pages publiques peuvent être réutilisés librement en citant la source. "
     "Les informations de l'annuaire des lieux sont publiées en données ouvertes, au format du schéma "
     "national « Lieux de médiation numérique », sous Licence Ouverte 2.0 (Etalab).</p>"
     "<p>Les messages publiés dans le bureau des membres (forum, discussions, groupes de travail) "
     "restent la propriété de leurs auteurs et ne sont pas publics.</p>"),
    ("heading", "Accessibilité et données personnelles"),
    ("paragraph",
     "<p>L'état d'accessibilité du site est décrit dans la <a href=\"/accessibilite/\">déclaration "
     "d'accessibilité</a>, le traitement de vos données dans la page "
     "<a href=\"/donnees-personnelles/\">Données personnelles</a>.</p>"),
]

ACCESSIBILITY = [
    ("paragraph",
     "<p>L'association Maillage s'engage à rendre son site accessible, conformément à l'article 47 "
     "de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité s'applique au site "
     "Maillage" + NB + ": pages publiques, annuaire des lieux et bureau des membres.</p>"),
    ("heading", "État de conformité"),
    ("paragraph",
     "<p>Le site Maillage est <strong>partiellement conforme</strong> avec le référentiel général "
     "d'amélioration de l'accessibilité (RGAA), version 4.1.2, en raison des non-conformités énumérées "
     "ci-dessous.</p>"),
    ("heading", "Résultats des tests"),
    ("paragraph",
     "<p>Autoévaluation menée en décembre 2026 par l'équipe du réseau" + NB + ": test automatique "
     "(axe-core) de chaque gabarit de page à 1" + NB + "280 et à 320 pixels de large, vérifications "
     "manuelles à la souris et au clavier seul, sans JavaScript et avec un zoom de 200" + NB + "%. "
     "Un audit complet des 106 critères du RGAA par un auditeur externe reste à faire" + NB + ": "
     "aucun taux de conformité n'est donc publié pour l'instant.</p>"),
    ("heading", "Pages vérifiées"),
    ("paragraph",
     "<ul><li>Accueil, actualités et un article, dossiers, revue de presse</li>"
     "<li>Contact, mentions légales, plan du site, recherche</li>"
     "<li>Annuaire des lieux (liste, carte et fiche d'un lieu)</li>"
     "<li>Connexion et création de compte</li>"
     "<li>Bureau des membres" + NB + ": tableau de bord, forum, discussions, groupes de travail, "
     "annuaire des membres, profil, lieux</li></ul>"),
    ("heading", "Contenus non accessibles"),
    ("paragraph",
     "<p>Non-conformités connues" + NB + ":</p>"
     "<ul><li>la carte de l'annuaire n'est pas utilisable au clavier pour tous ses repères" + NB + "; "
     "la liste des lieux, sous la carte, donne les mêmes informations" + NB + ";</li>"
     "<li>les documents PDF des dossiers et ceux que les membres déposent dans le forum et les "
     "groupes ne sont pas tous balisés pour les lecteurs d'écran" + NB + ";</li>"
     "<li>les vidéos intégrées depuis d'autres sites n'ont pas toujours de sous-titres.</li></ul>"
     "<p>Contenus non soumis à l'obligation d'accessibilité" + NB + ": les fichiers bureautiques publiés "
     "avant le 23 septembre 2018 et les contenus de tiers que le réseau ne maîtrise pas.</p>"),
    ("heading", "Technologies et environnement de test"),
    ("paragraph",
     "<p>HTML5, CSS, JavaScript et WAI-ARIA. Tests avec Chromium et Firefox récents, axe-core et le "
     "clavier seul.</p>"),
    ("heading", "Retour d'information et contact"),
    ("paragraph",
     "<p>Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez-nous par le "
     "<a href=\"/contact/\">formulaire de contact</a> ou à accessibilite@maillage.test (adresse "
     "fictive)" + NB + ": nous vous orienterons vers une alternative accessible ou vous enverrons le "
     "contenu sous une autre forme, sous une semaine.</p>"),
    ("heading", "Voies de recours"),
    ("paragraph",
     "<p>Si vous nous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu "
     "ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez" + NB + ":</p>"
     "<ul><li>écrire un message au Défenseur des droits "
     "(<a href=\"https://formulaire.defenseurdesdroits.fr/\">formulaire en ligne</a>)" + NB + ";</li>"
     "<li>contacter le délégué du Défenseur des droits dans votre région "
     "(<a href=\"https://www.defenseurdesdroits.fr/saisir/delegues\">liste des délégués</a>)" + NB + ";</li>"
     "<li>envoyer un courrier par la poste (gratuit, ne pas mettre de timbre)" + NB + ": "
     "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.</li></ul>"),
]

PERSONAL_DATA = [
    ("paragraph",
     "<p>Cette page explique quelles données personnelles le site Maillage traite, pourquoi, combien "
     "de temps, et comment exercer vos droits (règlement général sur la protection des données, RGPD).</p>"),
    ("heading", "Responsable du traitement"),
    ("paragraph",
     "<p>Association Maillage (fictive), 3 boulevard Gambetta, 46000 Saint-Aurèle, représentée par sa "
     "présidente, Claire Dumas.</p>"),
    ("heading", "Données, finalités et bases légales"),
    ("paragraph",
     "<ul><li><strong>Compte des membres</strong> (nom, adresse électronique, territoire, lieu, "
     "compétences, photo et coordonnées facultatives)" + NB + ": donner accès au bureau, à l'annuaire des "
     "membres, au forum, aux discussions et aux notifications. Base légale" + NB + ": l'exécution des "
     "conditions d'utilisation acceptées en créant le compte (article 6.1.b du RGPD).</li>"
     "<li><strong>Messages du formulaire de contact</strong>" + NB + ": vous répondre. Base légale" + NB + ": "
     "l'intérêt légitime de l'association à répondre aux demandes qu'elle reçoit (article 6.1.f).</li>"
     "<li><strong>Journaux techniques</strong> (adresse IP, date, page demandée)" + NB + ": la sécurité du "
     "site. Base légale" + NB + ": l'obligation légale de conservation (article 6.1.c).</li></ul>"),
    ("heading", "Destinataires"),
    ("paragraph",
     "<p>La coordination du réseau et les référents de votre territoire, pour valider votre adhésion" + NB + "; "
     "les autres membres voient ce que vous choisissez de montrer sur votre profil. Aucune donnée n'est "
     "vendue ni transmise à des fins commerciales. Les données sont hébergées dans l'Union européenne.</p>"),
    ("heading", "Durées de conservation"),
    ("paragraph",
     "<ul><li>Compte" + NB + ": tant qu'il est actif, puis supprimé trois ans après la dernière "
     "connexion" + NB + ";</li>"
     "<li>demande d'adhésion refusée" + NB + ": six mois" + NB + ";</li>"
     "<li>messages du formulaire de contact" + NB + ": un an" + NB + ";</li>"
     "<li>journaux techniques" + NB + ": un an.</li></ul>"),
    ("heading", "Vos droits"),
    ("paragraph",
     "<p>Vous pouvez accéder à vos données, les rectifier, les effacer, en limiter le traitement, vous "
     "y opposer et en demander la portabilité. La plupart se modifient directement dans votre profil" + NB + "; "
     "pour le reste, écrivez à la déléguée à la protection des données" + NB + ": dpo@maillage.test "
     "(adresse fictive) ou par courrier à l'adresse ci-dessus. Réponse sous un mois.</p>"
     "<p>Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à "
     "la <a href=\"https://www.cnil.fr/fr/plaintes\">CNIL</a>.</p>"),
    ("heading", "Cookies"),
    ("paragraph",
     "<p>Le site ne dépose que les cookies nécessaires à son fonctionnement, exemptés de consentement" + NB + ":</p>"
     "<ul><li><strong>sessionid</strong>" + NB + ": garder votre connexion" + NB + ";</li>"
     "<li><strong>csrftoken</strong>" + NB + ": protéger les formulaires contre les envois frauduleux" + NB + ";</li>"
     "<li><strong>django_language</strong>" + NB + ": retenir la langue choisie.</li></ul>"
     "<p>Aucune mesure d'audience, aucun traceur publicitaire, aucun bouton de réseau social. "
     "Seule la carte de l'annuaire charge ses fonds de carte depuis un serveur de tuiles, qui voit "
     "votre adresse IP mais ne dépose aucun cookie.</p>"),
]

# Bodies an earlier demo wrote, replaced by the texts above when found unchanged.
OUTDATED_MARKERS = {
    "mentions-legales": "Les messages envoyés par le formulaire de contact sont conservés un an puis",
    "accessibilite": "Le site n'a pas encore fait l'objet d'un audit",
}

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
    ("mentions-legales", "Mentions légales", False, LEGAL_NOTICE),
    ("accessibilite", "Déclaration d'accessibilité", False, ACCESSIBILITY),
    ("donnees-personnelles", "Données personnelles", False, PERSONAL_DATA),
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

    def footer_pages(self, home, **pages):
        """The footer's setting of the home page's site, pointing at the demo pages; a
        choice an editor made already is kept."""
        site = home.get_site()
        if site is None:
            return
        setting = FooterPages.for_site(site)
        changed = [name for name, page in pages.items() if getattr(setting, f"{name}_id") is None]
        if not changed and setting.pk:
            return
        for name in changed:
            setattr(setting, name, pages[name])
        setting.save()
        self.created += 1
        self.log("Footer pages chosen.")

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

    standard = {}
    for slug, title, in_menu, body in STANDARD_PAGES:
        page = seed.existing(home, StandardPage, slug)
        if page is None:
            page = seed.publish(home, StandardPage(title=title, slug=slug, show_in_menus=in_menu, body=body))
        elif slug in OUTDATED_MARKERS and OUTDATED_MARKERS[slug] in str(page.body.get_prep_value()):
            page.body = body
            page.save_revision().publish()
            log(f"Page « {page.title} » rewritten.")
        standard[slug] = page

    contact = seed.existing(home, ContactPage, "contact")
    if contact is None:
        fields = [
            ContactFormField(sort_order=number, label=label, field_type=kind, required=True)
            for number, (label, kind) in enumerate(CONTACT_FIELDS)
        ]
        contact = seed.publish(home, ContactPage(**CONTACT, form_fields=fields))

    seed.footer_pages(
        home,
        legal_notice=standard["mentions-legales"],
        accessibility=standard["accessibilite"],
        personal_data=standard["donnees-personnelles"],
        contact=contact,
    )
    return seed.created
