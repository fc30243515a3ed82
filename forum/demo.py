"""Demo forum for `seed_demo`, made through the real services (idempotent)."""

from forum import services
from forum.models import Category
from members.demo import DEMO_DOMAIN
from members.models import Territory, User
from members.spaces import network_space
from workgroups.models import Workgroup


def _user(local):
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


# (space, moderator who creates it, name, description, announcements only)
def _categories():
    network = network_space()
    causses = Territory.objects.get(slug="pays-des-causses").space
    linux = Workgroup.objects.get(name="Réemploi et Linux").space
    return [
        (network, "coordination", "Annonces", "Les nouvelles de la coordination du réseau.", True),
        (network, "coordination", "Entraide", "Une question, un blocage ? Demandez aux collègues.", False),
        (network, "coordination", "Pratiques d'animation", "Ateliers, supports, retours d'expérience.", False),
        (causses, "referent", "Vie du territoire", "Ce qui se passe dans les lieux du Pays des Causses.", False),
        (linux, "thomas.vidal", "Distributions et installations", "Choisir, installer, dépanner.", False),
    ]


# (category name, author, title, body, replies [(author, body)])
TOPICS = [
    ("Annonces", "coordination", "Assises de la médiation numérique : réservez la date",
     "Les Assises 2027 auront lieu au printemps à Cahors. Le programme suit dans le groupe dédié.\n\n"
     "Merci de **relayer** auprès des animateurs de vos lieux.", []),
    ("Entraide", "animateur", "Imprimante partagée qui ne répond plus après la mise à jour",
     "Depuis la dernière mise à jour de Windows, l'imprimante réseau de la cyber-base n'imprime plus "
     "depuis les postes publics. Quelqu'un a déjà eu le cas ?",
     [("thomas.vidal", "Oui, il faut réinstaller le pilote en mode « IPP ». Je vous envoie la fiche."),
      ("animatrice", "@**Thomas Vidal** merci, ça marche chez nous aussi !")]),
    ("Pratiques d'animation", "ines.garcia", "Vos supports pour un atelier « premiers pas sur smartphone »",
     "Je prépare un cycle de 4 séances pour des seniors. Qu'utilisez-vous comme supports ?\n\n"
     "- fiches imprimées\n- tablettes de prêt\n- vidéos courtes",
     [("jeanne.roux", "Des fiches en gros caractères, une notion par séance. Je les mets en pièce jointe bientôt.")]),
    ("Vie du territoire", "referent", "Permanences d'été dans les lieux des Causses",
     "Merci d'indiquer vos horaires d'été sur la fiche de votre lieu avant le 15 juin.", []),
    ("Distributions et installations", "thomas.vidal", "Quelle distribution pour les PC de 2012 ?",
     "Linux Mint Xfce ou Debian avec LXQt ? Vos retours sur les machines données par la mairie.",
     [("youssef.amrani", "Mint Xfce sans hésiter pour le public : l'interface rassure.")]),
]


def seed(log=print):
    if Category.objects.exists():
        return
    categories = {}
    for space, moderator, name, description, announcements in _categories():
        categories[name] = services.category_create(
            actor=_user(moderator), space=space, name=name, description=description,
            managers_only_topics=announcements,
        )
    for category, author, title, body, replies in TOPICS:
        topic = services.topic_create(actor=_user(author), category=categories[category], title=title, body=body)
        for replier, text in replies:
            services.post_create(actor=_user(replier), topic=topic, body=text)
    log(f"Demo forum: {len(categories)} categories, {len(TOPICS)} topics.")
