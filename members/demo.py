"""A believable, fictional network for trying Maillage (`manage.py seed_demo`).

Idempotent: running it again changes nothing. Refuses to touch a database holding
accounts outside the demo domain unless forced.
"""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.text import slugify

from directory.demo import venue_details
from directory.models import Venue
from members import services
from members.models import Follow, Territory, User

DEMO_DOMAIN = "@maillage.test"
DEMO_PASSWORD = "maillage-demo"

TERRITORIES = [
    ("Pays des Causses", Territory.Kind.PAYS),
    ("Communauté de communes de la Vallée du Lys", Territory.Kind.INTERCOMMUNALITY),
    ("Ville de Saint-Aurèle", Territory.Kind.COMMUNE),
    ("Quartier des Tanneurs", Territory.Kind.DISTRICT),
]

# name, territory index, address, postal code, city, latitude, longitude
VENUES = [
    ("EPM de Montcabrier-sur-Causse", 0, "2 place de la Mairie", "46700", "Montcabrier-sur-Causse", 44.5401, 1.0782),
    ("Cyber-base de Laroque-des-Arcs", 0, "12 rue du Lot", "46090", "Laroque-des-Arcs", 44.4701, 1.4660),
    ("Médiathèque de Gramat-le-Vieux", 0, "Avenue Louis Mazet", "46500", "Gramat-le-Vieux", 44.7790, 1.7260),
    ("PAPI de Limogne", 0, "Place du Marché", "46260", "Limogne-en-Quercy", 44.3960, 1.7700),
    ("Espace numérique de Labastide", 0, "1 chemin des Écoles", "46150", "Labastide-du-Vert", 44.5150, 1.2690),
    ("Maison France services de Vayrac-le-Haut", 1, "Rue de la Gare", "46110", "Vayrac-le-Haut", 44.9540, 1.7030),
    ("Cyber-base de Bretenoux", 1, "Quai de la Cère", "46130", "Bretenoux", 44.9150, 1.8390),
    ("EPM du Centre social des Rives", 1, "8 allée des Saules", "46130", "Biars-sur-Cère", 44.9270, 1.8530),
    ("PAPI de Martel-Bourg", 1, "Place des Consuls", "46600", "Martel-Bourg", 44.9370, 1.6090),
    ("Tiers-lieu La Fabrique du Lys", 1, "Zone artisanale du Lys", "46200", "Souillac-sur-Lys", 44.8970, 1.4770),
    ("Médiathèque municipale de Saint-Aurèle", 2, "3 boulevard Gambetta", "46000", "Saint-Aurèle", 44.4480, 1.4410),
    ("EPM de la Maison des associations", 2, "15 rue Joachim Murat", "46000", "Saint-Aurèle", 44.4470, 1.4390),
    ("Cyber-base de l'Office de tourisme", 2, "Place François Mitterrand", "46000", "Saint-Aurèle", 44.4495, 1.4415),
    ("Point numérique de la Mission locale", 2, "22 rue Wilson", "46000", "Saint-Aurèle", 44.4460, 1.4430),
    ("Espace public numérique du CCAS", 2, "4 rue du Président Wilson", "46000", "Saint-Aurèle", 44.4455, 1.4425),
    ("EPM des Tanneurs", 3, "1 place des Tanneurs", "46000", "Saint-Aurèle", 44.4420, 1.4350),
    ("Centre social et culturel des Tanneurs", 3, "9 rue des Teinturiers", "46000", "Saint-Aurèle", 44.4415, 1.4360),
    ("Bibliothèque de quartier Jean-Jaurès", 3, "30 avenue Jean Jaurès", "46000", "Saint-Aurèle", 44.4400, 1.4370),
    ("PAPI de la Régie de quartier", 3, "5 impasse des Mégissiers", "46000", "Saint-Aurèle", 44.4410, 1.4340),
    ("Atelier numérique de l'Association Passerelles", 3, "11 rue des Cordonniers", "46000", "Saint-Aurèle",
     44.4425, 1.4355),
]

# email local part, display name, territory index, venue index, job, extra settings
ACCOUNTS = [
    ("coordination", "Claire Dumas", 2, 10, "Coordinatrice du réseau", {"is_coordinator": True}),
    ("referent", "Marc Delpech", 0, 0, "Référent territorial du Pays des Causses", {"referent_of": [0]}),
    ("animateur", "Karim Benali", 0, 1, "Animateur multimédia", {}),
    ("animatrice", "Léa Fournier", 0, 1, "Animatrice multimédia", {}),
    ("editeur", "Sophie Marchal", 2, 10, "Chargée de communication", {"site_editor": True}),
]
MEMBERS = [
    ("jeanne.roux", "Jeanne Roux", 0, 2, "Animatrice multimédia", ["accompagnement démarches", "tablettes"]),
    ("thomas.vidal", "Thomas Vidal", 0, 3, "Animateur numérique", ["Linux", "réemploi"]),
    ("ines.garcia", "Inès Garcia", 1, 5, "Conseillère numérique", ["accompagnement démarches", "France services"]),
    ("paul.lacombe", "Paul Lacombe", 1, 6, "Animateur multimédia", ["montage vidéo", "photo"]),
    ("nadia.cherif", "Nadia Chérif", 1, 9, "Fabmanageuse", ["impression 3D", "Arduino"]),
    ("lucas.bonnet", "Lucas Bonnet", 2, 11, "Animateur multimédia", ["montage vidéo", "réseaux sociaux"]),
    ("amelie.faure", "Amélie Faure", 2, 13, "Conseillère numérique", ["emploi", "CV en ligne"]),
    ("youssef.amrani", "Youssef Amrani", 3, 15, "Animateur de quartier", ["Linux", "dépannage"]),
    ("helene.morel", "Hélène Morel", 3, 16, "Médiatrice numérique", ["seniors", "tablettes"]),
    ("julien.castel", "Julien Castel", 3, 19, "Animateur multimédia", ["programmation", "Scratch"]),
]


# follower, followed (local parts): contacts, so that the activity stream has something to show
FOLLOWS = [("animateur", "jeanne.roux"), ("animateur", "thomas.vidal"), ("animatrice", "paul.lacombe"),
           ("referent", "ines.garcia")]


class DemoRefused(Exception):
    pass


def _verified(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _member(email, name, territory, venue, job, status=User.Status.APPROVED):
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        user = User(email=email, display_name=name, territory=territory, job_title=job, status=status)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.venues.add(venue)
    _verified(user)
    return user, created


@transaction.atomic
def seed(*, force=False, log=print):
    strangers = User.objects.exclude(email__endswith=DEMO_DOMAIN)
    if strangers.exists() and not force:
        raise DemoRefused(
            f"This database holds {strangers.count()} account(s) outside the demo; "
            "seed_demo refuses to touch it. Use --force to add the demo anyway."
        )
    territories = []
    for name, kind in TERRITORIES:
        territory, _created = Territory.objects.get_or_create(slug=slugify(name), defaults={"name": name, "kind": kind})
        territories.append(territory)
    venues = []
    for index, (name, t_index, address, postal_code, city, lat, lon) in enumerate(VENUES):
        venue, _created = Venue.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name, "territory": territories[t_index], "address": address,
                "postal_code": postal_code, "city": city, "latitude": lat, "longitude": lon,
                "summary": "Accès libre, initiations et accompagnement aux démarches en ligne.",
                **venue_details(index, name, city),
            },
        )
        venues.append(venue)
    created_count = 0
    for local, name, t_index, v_index, job, extra in ACCOUNTS:
        user, created = _member(f"{local}{DEMO_DOMAIN}", name, territories[t_index], venues[v_index], job)
        created_count += created
        if created:
            if extra.get("is_coordinator"):
                user.is_coordinator = True
                user.save(update_fields=["is_coordinator"])
            if extra.get("referent_of"):
                user.referent_territories.set([territories[i] for i in extra["referent_of"]])
            services.set_role_groups(
                user, coordinator=bool(extra.get("is_coordinator")), site_editor=bool(extra.get("site_editor"))
            )
    for local, name, t_index, v_index, job, skills in MEMBERS:
        user, created = _member(f"{local}{DEMO_DOMAIN}", name, territories[t_index], venues[v_index], job)
        created_count += created
        if created:
            user.skills.set(skills)
    for follower, followed in FOLLOWS:
        follower, followed = (User.objects.get(email=f"{local}{DEMO_DOMAIN}") for local in (follower, followed))
        if not Follow.objects.filter(follower=follower, followed=followed).exists():
            services.follow_create(actor=follower, member=followed)
    # The pending account goes through the real signup service, so its approvers are notified.
    pending_email = f"en-attente{DEMO_DOMAIN}"
    if not User.objects.filter(email=pending_email).exists():
        newcomer = User(email=pending_email)
        newcomer.set_password(DEMO_PASSWORD)
        services.member_register(
            user=newcomer, display_name="Romain Espitalier", territory=territories[0], venue=venues[1]
        )
        created_count += 1
    newcomer = User.objects.get(email=pending_email)
    _verified(newcomer)
    services.member_request_announce(member=newcomer)
    log(f"Demo network ready: {len(territories)} territories, {len(venues)} venues, "
        f"{User.objects.filter(email__endswith=DEMO_DOMAIN).count()} accounts ({created_count} new). "
        f"Password of every demo account: {DEMO_PASSWORD}")
    return created_count
