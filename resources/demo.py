"""Demo resource library for `seed_demo` (after the lending and workshop demos).

Nine resources written by the demo's animators: seven published (five of them public, so on the
public site at /ressources/), one draft, and the workshop kit "Atelier : créer son adresse
e-mail" (five steps, files, the resource centre's tablets, projector and screen to borrow),
linked to the demo workshop "Créer et utiliser son adresse e-mail" when it exists. Ratings from
colleagues, the "Favoris" of two members and a shared collection, an open report.

Everything goes through `resources.services` as a member would do it (the files are generated
bytes: a one-page PDF and a PNG from `files.demo`); publication dates are then set back a few
days so that the library looks alive. Idempotent: a resource is found by its title, a tag by
its slug, a collection by its owner and name, a rating or a report by its author; a rerun
creates nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.text import slugify

from files.demo import pdf_bytes, png_bytes
from lending.demo import EPSON, SCREEN, TABLET_CASE, THYMIO
from lending.models import Item
from members.demo import DEMO_DOMAIN
from members.models import User
from resources import services
from resources.models import Collection, CollectionItem, Rating, Report, Resource, Tag, WorkshopKit
from workshops.demo import FULL as EMAIL_WORKSHOP
from workshops.models import Workshop

KIT = "Atelier : créer son adresse e-mail"
DRAFT = "Tutoriel FranceConnect (brouillon)"
SHARED = "Pour l’accueil des seniors"


@dataclass
class Spec:
    title: str
    author: str  # local part of a demo account: the resource's first author
    summary: str
    body: str
    themes: list[str]
    publics: list[str]
    licence: str = "etalab-2.0"
    visibility: str = "public"
    coauthors: list[str] = field(default_factory=list)
    published_days_ago: int | None = 10  # None: a draft
    files: list[tuple[str, bytes, str]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    equipment: list[str] = field(default_factory=list)  # inventory numbers


STEPS = [
    {"title": "Accueil et tour de table", "duration_minutes": 10,
     "body": "Chacun dit pourquoi il veut une adresse e-mail (les impôts, les photos des petits-enfants, "
             "Pôle emploi…). Notez les besoins au tableau : ils guident les exemples de l’atelier."},
    {"title": "Qu’est-ce qu’une adresse e-mail ?", "duration_minutes": 15,
     "body": "Comparez avec une boîte aux lettres : l’adresse (prenom.nom@fournisseur.fr), le mot de passe "
             "(la clé), la boîte de réception. Montrez le schéma projeté, insistez sur l’arobase."},
    {"title": "Choisir son fournisseur et son adresse", "duration_minutes": 15,
     "body": "Présentez deux ou trois fournisseurs gratuits, sans en imposer un. Faites choisir une "
             "adresse simple à dicter au téléphone : éviter les chiffres de naissance et les tirets."},
    {"title": "Créer le compte sur la tablette", "duration_minutes": 40,
     "body": "Chaque participant crée son compte pas à pas. Le mot de passe : une phrase de quatre mots, "
             "notée sur le mémo papier remis (à garder chez soi, pas dans le portefeuille). Ajoutez un "
             "numéro de téléphone de récupération."},
    {"title": "Envoyer son premier message", "duration_minutes": 20,
     "body": "Les participants s’écrivent entre eux, puis à l’animateur, avec une photo en pièce jointe. "
             "Terminez par la déconnexion et le mémo : « où je retrouve mes messages chez moi »."},
]

SPECS = [
    Spec(KIT, "animatrice",
         "Un atelier de deux heures pour des débutants : comprendre ce qu’est une adresse e-mail, créer la "
         "sienne sur une tablette et envoyer son premier message. Déroulé pas à pas, support projeté, "
         "mémo à remettre et matériel à emprunter au centre de ressources.",
         "## Objectifs\n\n- Savoir ce qu’est une adresse e-mail et à quoi elle sert.\n"
         "- Créer son adresse et un mot de passe solide.\n- Envoyer et lire un message.\n\n"
         "## Public\n\nDes adultes débutants, six à huit personnes. Aucun prérequis, sinon savoir "
         "tenir une tablette.\n\n## Préparation\n\nVérifiez la veille que les tablettes sont chargées et "
         "que le Wi-Fi de la salle accepte autant d’appareils. Imprimez un mémo par personne.",
         ["Messagerie", "Premiers pas"], ["Débutants", "Seniors"], coauthors=["animateur"],
         published_days_ago=21,
         files=[("Support de l’atelier e-mail.pdf", pdf_bytes("Creer son adresse e-mail", [
             "Une adresse e-mail, c'est comme une boite aux lettres : prenom.nom@fournisseur.fr",
             "Le mot de passe est la cle : une phrase de quatre mots, rien que pour vous.",
             "Ne communiquez jamais votre mot de passe, meme a un conseiller.",
         ]), "application/pdf"),
                ("Schéma de la boîte de réception.png",
                 png_bytes(640, 400, [(0, 95, 107), (250, 250, 250), (232, 119, 46)]), "image/png")],
         steps=STEPS, equipment=[TABLET_CASE, EPSON, SCREEN]),
    Spec("Renouveler sa carte d’identité sur le site de l’ANTS", "ines.garcia",
         "Fiche pratique pour accompagner une pré-demande de carte nationale d’identité : les pièces, la "
         "photo d’identité numérique, la prise de rendez-vous en mairie.",
         "## Avant de commencer\n\n- Un compte ANTS ou FranceConnect.\n- Le code de la photo-signature "
         "numérique (e-photo), donné par le photographe ou la cabine agréée.\n- Un justificatif de domicile "
         "de moins d’un an.\n\n## Pas à pas\n\n1. Se connecter sur le site de l’ANTS.\n2. Remplir la "
         "pré-demande ; noter le numéro obtenu.\n3. Prendre rendez-vous dans une mairie équipée d’un "
         "dispositif de recueil (pas forcément celle de sa commune).\n\n> La personne garde la main sur "
         "le clavier : on explique, on ne fait pas à sa place.",
         ["Démarches en ligne"], ["Tout public"], licence="cc-by-sa-4.0", coauthors=["jeanne.roux"],
         published_days_ago=40,
         files=[("Pré-demande CNI - pas à pas.pdf", pdf_bytes("Pre-demande de carte d'identite", [
             "1. Se connecter sur ants.gouv.fr avec FranceConnect.",
             "2. Remplir la pre-demande et noter son numero.",
             "3. Prendre rendez-vous en mairie avec le numero et le code e-photo.",
         ]), "application/pdf")]),
    Spec("Repérer un message frauduleux (hameçonnage)", "thomas.vidal",
         "Cinq indices pour reconnaître un faux message de la banque, de l’Assurance maladie ou d’un "
         "transporteur, et quoi faire quand on a cliqué.",
         "## Les cinq indices\n\n1. L’urgence : « votre compte sera fermé sous 24 h ».\n2. L’adresse de "
         "l’expéditeur, qui ne correspond pas à l’organisme.\n3. Le lien, qui mène ailleurs que sur le site "
         "officiel (survoler sans cliquer).\n4. La demande de code ou de numéro de carte.\n5. Les fautes et "
         "les logos flous.\n\n## Si l’on a cliqué\n\nChanger le mot de passe, appeler sa banque, signaler "
         "le message sur signal-spam.fr et le site de l’État cybermalveillance.gouv.fr.",
         ["Sécurité numérique"], ["Tout public", "Seniors"], published_days_ago=12),
    Spec("Prendre en main une tablette Android", "helene.morel",
         "Un guide imprimable pour les seniors qui découvrent la tablette : allumer, les gestes, le Wi-Fi, "
         "agrandir les caractères, installer une application.",
         "## Les gestes\n\nToucher, glisser, pincer pour agrandir. On s’entraîne sur la galerie de photos.\n\n"
         "## Le confort\n\nDans les paramètres, « Affichage » puis « Taille de la police » : on choisit une "
         "taille lisible sans lunettes.\n\n## Le Wi-Fi\n\nLe nom du réseau et sa clé sont souvent sous la box.",
         ["Tablettes et smartphones", "Premiers pas"], ["Seniors"], licence="cc-by-4.0",
         published_days_ago=30),
    Spec("Initier les enfants à la programmation avec les robots Thymio", "julien.castel",
         "Trois séances d’une heure pour des 8-12 ans : faire réagir le robot aux obstacles, puis le "
         "programmer en blocs. Les robots s’empruntent à la Fabrique du Lys.",
         "## Séance 1 : les modes préprogrammés\n\nLes couleurs du robot et ses comportements.\n\n"
         "## Séance 2 : programmer en VPL\n\nÉvénement → action : « quand je touche le bouton, il avance ».\n\n"
         "## Séance 3 : un parcours\n\nPar équipes, faire suivre une ligne noire au robot.",
         ["Programmation"], ["Jeunes"], coauthors=["nadia.cherif"], published_days_ago=5,
         equipment=[THYMIO]),
    Spec("Créer son CV en ligne avec un modèle gratuit", "amelie.faure",
         "Accompagner un demandeur d’emploi dans la création d’un CV clair avec un modèle gratuit, puis "
         "son dépôt sur le site de France Travail.",
         "## Préparer\n\nLister avec la personne ses expériences, même bénévoles.\n\n## Rédiger\n\nUn modèle "
         "sobre, une page, des verbes d’action.\n\n## Enregistrer\n\nEn PDF, nommé « CV-Prénom-Nom ».",
         ["Emploi"], ["Demandeurs d’emploi"], licence="cc-by-nc-sa-4.0", visibility="members",
         published_days_ago=18),
    Spec("Grille de repérage des compétences numériques", "coordination",
         "La grille commune du réseau pour faire le point, au premier rendez-vous, sur ce qu’une personne "
         "sait déjà faire (dix questions, trois niveaux).",
         "## Utilisation\n\nLa grille se remplit avec la personne, jamais à sa place, en dix minutes.\n\n"
         "## Les trois niveaux\n\n- Je ne sais pas encore.\n- Je sais avec de l’aide.\n- Je sais seul.",
         ["Accompagnement"], ["Animateurs"], licence="none", visibility="members", published_days_ago=60),
    Spec("Accueillir une personne en difficulté avec l’écrit", "jeanne.roux",
         "Des repères pour repérer discrètement une difficulté avec la lecture ou l’écriture et adapter "
         "l’accompagnement numérique : vocabulaire, pictogrammes, dictée vocale.",
         "## Repérer sans stigmatiser\n\n« J’ai oublié mes lunettes » : une phrase qui doit alerter.\n\n"
         "## Adapter\n\nLa dictée vocale, les pictogrammes, un vocabulaire simple ; on vérifie la "
         "compréhension en faisant reformuler.",
         ["Accompagnement"], ["Tout public"], visibility="members", published_days_ago=8),
    Spec(DRAFT, "youssef.amrani",
         "Se connecter aux services publics avec FranceConnect : les comptes possibles, les pièges, et "
         "que faire quand on a oublié lequel on a utilisé.",
         "## À compléter\n\nCaptures d’écran à refaire avec la nouvelle page de connexion.",
         ["Démarches en ligne"], ["Tout public"], visibility="members", published_days_ago=None),
]

# (resource title, member, score, comment)
RATINGS = [
    (KIT, "jeanne.roux", 4, "Testé à Gramat avec six personnes : le déroulé tient en deux heures, le mémo "
                            "papier a beaucoup plu."),
    (KIT, "thomas.vidal", 3, "Très bien ; prévoir un quart d’heure de plus quand le Wi-Fi de la salle est lent."),
    (KIT, "ines.garcia", 4, ""),
    ("Renouveler sa carte d’identité sur le site de l’ANTS", "animateur", 4, "Clair et à jour, merci !"),
    ("Repérer un message frauduleux (hameçonnage)", "helene.morel", 4, "Je l’imprime pour le club des aînés."),
    ("Repérer un message frauduleux (hameçonnage)", "paul.lacombe", 2, "Il manque les faux SMS de livraison."),
    ("Prendre en main une tablette Android", "jeanne.roux", 3, ""),
]

# (owner, collection name or None for "Favoris", shared, description, titles)
COLLECTIONS = [
    ("animateur", None, False, "", [KIT, "Repérer un message frauduleux (hameçonnage)"]),
    ("jeanne.roux", None, False, "", ["Accueillir une personne en difficulté avec l’écrit"]),
    ("helene.morel", SHARED, True,
     "Les ressources que j’utilise avec les clubs d’aînés et les résidences autonomie du quartier.",
     ["Prendre en main une tablette Android", "Repérer un message frauduleux (hameçonnage)", KIT]),
]


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


def _tag_ids(spec: Spec) -> list[int]:
    ids = []
    for kind, names in ((Tag.Kind.THEME, spec.themes), (Tag.Kind.PUBLIC, spec.publics)):
        for name in names:
            tag, _created = Tag.objects.get_or_create(kind=kind, slug=slugify(name)[:90], defaults={"name": name})
            ids.append(tag.pk)
    return ids


def _resource(spec: Spec, now: Any) -> tuple[Resource, bool]:
    existing = Resource.objects.filter(title=spec.title).first()
    if existing is not None:
        return existing, False
    actor = _user(spec.author)
    items = list(Item.objects.filter(inventory_number__in=spec.equipment).values_list("pk", flat=True))
    resource = services.resource_create(
        actor=actor, title=spec.title, summary=spec.summary, body=spec.body, licence=spec.licence,
        visibility=spec.visibility, tag_ids=_tag_ids(spec),
        author_ids=[actor.pk, *(_user(local).pk for local in spec.coauthors)],
        uploads=[SimpleUploadedFile(name, content, content_type=content_type)
                 for name, content, content_type in spec.files],
        steps=spec.steps, equipment_item_ids=items,
    )
    if spec.published_days_ago is not None:
        services.resource_publish(actor=actor, resource_id=resource.pk)
        moment = now - timedelta(days=spec.published_days_ago)
        Resource.objects.filter(pk=resource.pk).update(published_at=moment, created_at=moment - timedelta(days=2),
                                                       updated_at=moment)
    return resource, True


def seed(log: Callable[[str], object] = print) -> int:
    """The demo library; returns how many resources were created."""
    now = timezone.now()
    resources: dict[str, Resource] = {}
    created = 0
    for spec in SPECS:
        resource, new = _resource(spec, now)
        resources[spec.title] = resource
        created += new

    kit = resources[KIT]
    workshop = Workshop.objects.filter(title=EMAIL_WORKSHOP).first()
    if workshop is not None and not WorkshopKit.objects.filter(workshop=workshop, resource=kit).exists():
        services.workshop_kit_link(actor=_user("coordination"), resource_id=kit.pk, workshop_id=workshop.pk)

    for title, local, score, comment in RATINGS:
        member = _user(local)
        if not Rating.objects.filter(resource=resources[title], user=member).exists():
            services.rating_save(actor=member, resource_id=resources[title].pk, score=score, comment=comment)

    for local, name, shared, description, titles in COLLECTIONS:
        owner = _user(local)
        collection_id = None
        if name is not None:
            collection = Collection.objects.filter(owner=owner, name=name).first()
            if collection is None:
                collection = services.collection_create(actor=owner, name=name, description=description,
                                                        is_shared=shared)
            collection_id = collection.pk
        for title in titles:
            resource = resources[title]
            in_it = CollectionItem.objects.filter(collection__owner=owner, resource=resource)
            in_it = in_it.filter(collection_id=collection_id) if collection_id else in_it.filter(
                collection__is_default=True)
            if not in_it.exists():
                services.collection_add(actor=owner, resource_id=resource.pk, collection_id=collection_id)

    reporter = _user("lucas.bonnet")
    reported = resources["Renouveler sa carte d’identité sur le site de l’ANTS"]
    if not Report.objects.filter(resource=reported, reporter=reporter).exists():
        services.report_create(
            actor=reporter, resource_id=reported.pk, reason=Report.Reason.OUTDATED,
            comment="Depuis cette année, la mairie de Saint-Aurèle prend les rendez-vous sur une plateforme "
                    "régionale : l’étape 3 n’est plus exacte.")

    log(f"Demo resources ready: {len(resources)} resources ({created} new), "
        f"{Rating.objects.filter(resource__in=resources.values()).count()} ratings, "
        f"{Report.objects.filter(status=Report.Status.OPEN).count()} open report.")
    return created
