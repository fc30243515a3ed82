"""A believable, fictional network for trying Maillage (`manage.py seed_demo`).

Idempotent: running it again changes nothing. Refuses to touch a database holding
accounts outside the demo domain unless forced.
"""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils.text import slugify

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
def seed(*, make_venues, force=False, log=print):
    """The demo's territories and accounts; `make_venues(territories)` gives the venues the
    accounts work in (the directory's demo: extranet/management/commands/seed_demo.py)."""
    strangers = User.objects.exclude(email__endswith=DEMO_DOMAIN)
    if strangers.exists() and not force:
        raise DemoRefused(
            f"This database holds {strangers.count()} account(s) outside the demo; "
            "seed_demo refuses to touch it. Use --force to add the demo anyway."
        )
    territories = []
    for name, kind in TERRITORIES:
        territory = Territory.objects.filter(slug=slugify(name)).first() or services.territory_insert(
            Territory(name=name, slug=slugify(name), kind=kind))
        territories.append(territory)
    venues = make_venues(territories)
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
