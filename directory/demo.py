"""Believable national-schema details for the demo venues (seed_demo), varied but deterministic."""

from directory import schema

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
