"""The demo venues (seed_demo), with believable national-schema details, varied but deterministic."""

from django.utils.text import slugify

from directory import schema
from directory.models import Venue

HOURS = (
    "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off",
    "Tu,Th 14:00-18:00; We 10:00-12:00,14:00-19:00; Sa 10:00-13:00; PH off",
    "Mo-Fr 08:30-12:30,13:30-17:00; PH off",
    'We 13:30-18:00; Sa 09:00-12:00 "sur rendez-vous"; PH off',
    "Mo-Sa 10:00-19:00; PH off",
)
SERVICES = list(schema.Service.values)
PUBLICS = list(schema.Public.values)
TYPOLOGIES = (["COMMUNE"], ["ASSO"], ["BIB", "COMMUNE"], ["CCAS"], ["TIERS_LIEUX", "ASSO"], ["FRANCE_SERVICES"])


def venue_details(index, name, city):
    """Extra fields for the demo venue number `index` (all valid against the schema)."""
    services = [SERVICES[(index + k) % len(SERVICES)] for k in range(2 + index % 3)]
    return {
        "pivot": f"{21460000000000 + index * 1013:014d}" if index % 4 else "",
        "typology": TYPOLOGIES[index % len(TYPOLOGIES)],
        "phone": f"+3356522{index:04d}",
        "emails": [f"contact@lieu-{index + 1}.exemple.fr"],
        "websites": [f"https://lieu-{index + 1}.exemple.fr/"] if index % 3 else [],
        "opening_hours": HOURS[index % len(HOURS)],
        "description": (
            f"{name} accueille les habitants de {city} et des environs : postes en accès libre, "
            "ateliers d'initiation en petit groupe et accompagnement individuel aux démarches en ligne. "
            "Un animateur ou une animatrice multimédia est présent aux heures d'ouverture."
        ),
        "source": "Réseau Maillage",
        "itinerance": ["Fixe"] if index % 7 else ["Fixe", "Itinérant"],
        "services": services,
        "publics": [PUBLICS[index % len(PUBLICS)]] if index % 2 else [],
        "specific_support": ["Illettrisme"] if index % 5 == 0 else [],
        "fees": ["Gratuit"] if index % 4 else ["Gratuit sous condition", "Payant"],
        "national_programmes": ["Conseillers numériques"]
        if index % 2 == 0
        else ["France Services"]
        if index % 5 == 1
        else [],
        "access_modes": ["Se présenter", "Téléphoner"] if index % 3 else ["Prendre un RDV en ligne"],
        "support_modes": ["En autonomie", "Accompagnement individuel"]
        + (["Dans un atelier collectif"] if index % 2 else []),
        "appointment_url": "https://www.rdv-solidarites.fr/" if index % 3 == 0 else "",
        "equipment": ["ordinateurs", "wifi"]
        + (["visio"] if index % 4 == 1 else [])
        + (["impression"] if index % 2 else []),
    }


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


def seed_venues(territories):
    """The demo venues of `territories` (the members demo's, in order), made once."""
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
    return venues
