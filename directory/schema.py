"""The national open-data schema « Lieux de médiation numérique » (v1.0.2), in code.

`../shared/standards/lieux-mediation-numerique/schema.json` (Table Schema) is the
reference; this module holds what the application needs from it: the column order, the
closed vocabularies (their values are the schema's own French strings, stored and
exported as they are), the patterns, and which model field holds which column.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

SCHEMA_VERSION = "v1.0.2"
SEPARATOR = "|"

# Placeholder the national cartography uses when a venue has no known SIRET/RNA: the
# schema requires `pivot`, so the export writes this and the import reads it as "unknown".
UNKNOWN_PIVOT = "00000000000000"

PIVOT_RE = re.compile(r"^[a-zA-Z0-9]{9,14}$")
POSTAL_CODE_RE = re.compile(r"^\d{5}$")
INSEE_CODE_RE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")
PHONE_RE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")
# data.inclusion's structure types are codes such as CCAS, ASSO, TIERS_LIEUX, Autre.
TYPOLOGY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
SUMMARY_MAX_LENGTH = 280


class Itinerance(models.TextChoices):
    MOBILE = "Itinérant", "Itinérant"
    FIXED = "Fixe", "Fixe"


class Service(models.TextChoices):
    PAPERWORK = "Aide aux démarches administratives", "Aide aux démarches administratives"
    EVERYDAY_TOOLS = "Maîtrise des outils numériques du quotidien", "Maîtrise des outils numériques du quotidien"
    EMPLOYMENT = "Insertion professionnelle via le numérique", "Insertion professionnelle via le numérique"
    SAFETY = "Utilisation sécurisée du numérique", "Utilisation sécurisée du numérique"
    PARENTING = "Parentalité et éducation avec le numérique", "Parentalité et éducation avec le numérique"
    LEISURE = "Loisirs et créations numériques", "Loisirs et créations numériques"
    UNDERSTANDING = "Compréhension du monde numérique", "Compréhension du monde numérique"
    ACCESS = "Accès internet et matériel informatique", "Accès internet et matériel informatique"
    EQUIPMENT = (
        "Acquisition de matériel informatique à prix solidaire",
        "Acquisition de matériel informatique à prix solidaire",
    )


class Public(models.TextChoices):
    YOUTH = "Jeunes", "Jeunes"
    STUDENTS = "Étudiants", "Étudiants"
    FAMILIES = "Familles et/ou enfants", "Familles et/ou enfants"
    SENIORS = "Seniors", "Seniors"
    WOMEN = "Femmes", "Femmes"


class SpecificSupport(models.TextChoices):
    DEAFNESS = "Surdité", "Surdité"
    MOTOR = "Handicaps moteurs", "Handicaps moteurs"
    MENTAL = "Handicaps mentaux", "Handicaps mentaux"
    ILLITERACY = "Illettrisme", "Illettrisme"
    ENGLISH = "Langues étrangères (anglais)", "Langues étrangères (anglais)"
    OTHER_LANGUAGES = "Langues étrangères (autres)", "Langues étrangères (autres)"
    VISUAL = "Déficience visuelle", "Déficience visuelle"


class Fee(models.TextChoices):
    FREE = "Gratuit", "Gratuit"
    FREE_UNDER_CONDITION = "Gratuit sous condition", "Gratuit sous condition"
    PAID = "Payant", "Payant"


class NationalProgramme(models.TextChoices):
    AIDANTS_CONNECT = "Aidants Connect", "Aidants Connect"
    BNR = "Bibliothèques numérique de référence", "Bibliothèques numérique de référence"
    PIX = "Certification PIX", "Certification PIX"
    CONSEILLERS = "Conseillers numériques", "Conseillers numériques"
    EMMAUS = "Emmaüs Connect", "Emmaüs Connect"
    FRANCE_SERVICES = "France Services", "France Services"
    GEN = "Grande école du numérique", "Grande école du numérique"
    CROIX_ROUGE = "La Croix Rouge", "La Croix Rouge"
    CAF = "Point d'accès numérique CAF", "Point d'accès numérique CAF"
    PROMENEURS = "Promeneurs du net", "Promeneurs du net"
    RELAIS = "Relais numérique (Emmaüs Connect)", "Relais numérique (Emmaüs Connect)"


class TrainingLabel(models.TextChoices):
    MON_ESPACE_SANTE = "Formé à « Mon Espace Santé »", "Formé à « Mon Espace Santé »"
    DUPLEX = "Formé à « DUPLEX » (illettrisme)", "Formé à « DUPLEX » (illettrisme)"
    ARNIA = "Arnia/MedNum BFC (Bourgogne-Franche-Comté)", "Arnia/MedNum BFC (Bourgogne-Franche-Comté)"
    REEMPLOI = (
        "Collectif ressources et acteurs réemploi (Normandie)",
        "Collectif ressources et acteurs réemploi (Normandie)",
    )
    ETAPES = "Étapes numériques(La Poste)", "Étapes numériques (La Poste)"
    FABRIQUES = "Fabriques de Territoire", "Fabriques de Territoire"
    ECLAIREURS = "Les Éclaireurs du numérique (Drôme)", "Les Éclaireurs du numérique (Drôme)"
    MES_PAPIERS = "Mes Papiers (Métropole de Lyon)", "Mes Papiers (Métropole de Lyon)"
    ORDI = "ORDI 3.0", "ORDI 3.0"
    SUD_LABS = "SUD LABS (PACA)", "SUD LABS (PACA)"


class AccessMode(models.TextChoices):
    WALK_IN = "Se présenter", "Se présenter"
    PHONE = "Téléphoner", "Téléphoner"
    EMAIL = "Contacter par mail", "Contacter par mail"
    ONLINE_BOOKING = "Prendre un RDV en ligne", "Prendre un RDV en ligne"
    NO_PUBLIC = "Ce lieu n'accueille pas de public", "Ce lieu n'accueille pas de public"
    PRESCRIPTION = (
        "Envoyer un mail avec une fiche de prescription",
        "Envoyer un mail avec une fiche de prescription",
    )


class SupportMode(models.TextChoices):
    AUTONOMY = "En autonomie", "En autonomie"
    INDIVIDUAL = "Accompagnement individuel", "Accompagnement individuel"
    WORKSHOP = "Dans un atelier collectif", "Dans un atelier collectif"
    REMOTE = "À distance", "À distance"


class Equipment(models.TextChoices):
    """What the network records about a venue beyond the national schema (not exported)."""

    VISIO = "visio", _("Visio station (remote appointments with public services)")
    COMPUTERS = "ordinateurs", _("Computers in free access")
    WIFI = "wifi", _("Public Wi-Fi")
    PRINTER = "impression", _("Printing and scanning")
    TABLETS = "tablettes", _("Tablets")
    ACCESSIBLE = "accessible", _("Accessible to wheelchair users")


# National column -> model field, in the schema's order (the export's column order).
COLUMNS = (
    ("id", "identifier"),
    ("pivot", "pivot"),
    ("nom", "name"),
    ("commune", "city"),
    ("code_postal", "postal_code"),
    ("code_insee", "insee_code"),
    ("adresse", "address"),
    ("complement_adresse", "address_complement"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("typologie", "typology"),
    ("telephone", "phone"),
    ("courriels", "emails"),
    ("site_web", "websites"),
    ("horaires", "opening_hours"),
    ("presentation_resume", "summary"),
    ("presentation_detail", "description"),
    ("source", "source"),
    ("itinerance", "itinerance"),
    ("structure_parente", "parent_structure"),
    ("date_maj", "updated_at"),
    ("services", "services"),
    ("publics_specifiquement_adresses", "publics"),
    ("prise_en_charge_specifique", "specific_support"),
    ("frais_a_charge", "fees"),
    ("dispositif_programmes_nationaux", "national_programmes"),
    ("formations_labels", "training_labels"),
    ("autres_formations_labels", "other_labels"),
    ("modalites_acces", "access_modes"),
    ("modalites_accompagnement", "support_modes"),
    ("fiche_acces_libre", "accessibility_url"),
    ("prise_rdv", "appointment_url"),
)
COLUMN_NAMES = tuple(column for column, _field in COLUMNS)
FIELD_FOR_COLUMN = dict(COLUMNS)
COLUMN_FOR_FIELD = {field: column for column, field in COLUMNS}
REQUIRED_COLUMNS = ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj")

# The closed vocabularies, by model field.
VOCABULARIES = {
    "itinerance": Itinerance,
    "services": Service,
    "publics": Public,
    "specific_support": SpecificSupport,
    "fees": Fee,
    "national_programmes": NationalProgramme,
    "training_labels": TrainingLabel,
    "access_modes": AccessMode,
    "support_modes": SupportMode,
    "equipment": Equipment,
}

# Rough bounding boxes of metropolitan France (with Corsica) and the overseas territories
# the schema's phone prefixes cover: (name, south, north, west, east).
FRANCE_AREAS = (
    ("France métropolitaine", 41.2, 51.2, -5.3, 9.7),
    ("Guadeloupe", 15.8, 16.6, -61.9, -60.9),
    ("Martinique", 14.3, 14.9, -61.3, -60.7),
    ("Guyane", 2.0, 5.9, -54.7, -51.5),
    ("La Réunion", -21.5, -20.8, 55.2, 55.9),
    ("Mayotte", -13.1, -12.6, 44.9, 45.4),
    ("Saint-Pierre-et-Miquelon", 46.7, 47.2, -56.5, -56.1),
    ("Saint-Martin et Saint-Barthélemy", 17.8, 18.2, -63.2, -62.7),
    ("Nouvelle-Calédonie", -22.9, -19.5, 163.5, 168.2),
    ("Polynésie française", -28.0, -7.8, -154.8, -134.4),
    ("Wallis-et-Futuna", -14.4, -13.1, -178.3, -176.0),
)


def in_france(latitude, longitude):
    lat, lon = float(latitude), float(longitude)
    return any(south <= lat <= north and west <= lon <= east for _name, south, north, west, east in FRANCE_AREAS)


# Structure types (`typologie`): the data.inclusion vocabulary of structure types
# (https://www.data.inclusion.beta.gouv.fr/, "typologies de structure"), code -> French
# label. The schema stores the codes; people read the labels. The usual ones in digital
# mediation come first in the desk form (COMMON_STRUCTURE_TYPES).
STRUCTURE_TYPES = {
    "ACI": "Atelier chantier d'insertion (ACI)",
    "ACIPHC": "Atelier chantier d'insertion premières heures en chantier",
    "AFPA": "Agence nationale pour la formation professionnelle des adultes (AFPA)",
    "AI": "Association intermédiaire (AI)",
    "ASE": "Aide sociale à l'enfance (ASE)",
    "ASSO": "Association",
    "ASSO_CHOMEUR": "Association de chômeurs",
    "AVIP": "Crèche à vocation d'insertion professionnelle (AVIP)",
    "BIB": "Bibliothèque, médiathèque",
    "CAARUD": "Centre d'accueil et d'accompagnement à la réduction des risques (CAARUD)",
    "CADA": "Centre d'accueil de demandeurs d'asile (CADA)",
    "CAF": "Caisse d'allocations familiales (CAF)",
    "CAP_EMPLOI": "Cap emploi",
    "CAVA": "Centre d'adaptation à la vie active (CAVA)",
    "CC": "Communauté de communes",
    "CCAS": "Centre communal d'action sociale (CCAS)",
    "CCONS": "Chambre consulaire (CCI, CMA, chambre d'agriculture)",
    "CD": "Conseil départemental",
    "CDAS": "Centre départemental d'action sociale (CDAS)",
    "CFP": "Centre des finances publiques",
    "CHRS": "Centre d'hébergement et de réinsertion sociale (CHRS)",
    "CHU": "Centre d'hébergement d'urgence (CHU)",
    "CIAS": "Centre intercommunal d'action sociale (CIAS)",
    "CIDFF": "Centre d'information sur les droits des femmes et des familles (CIDFF)",
    "CITMET": "Cité des métiers",
    "CMP": "Centre médico-psychologique (CMP)",
    "CMS": "Centre médico-social (CMS)",
    "COMMUNE": "Commune, mairie",
    "CPH": "Centre provisoire d'hébergement (CPH)",
    "CS": "Centre social",
    "CSAPA": "Centre de soins, d'accompagnement et de prévention en addictologie (CSAPA)",
    "DEETS": "Direction de l'économie, de l'emploi, du travail et des solidarités (DEETS, DDETS)",
    "DEPT": "Services sociaux du département",
    "E2C": "École de la deuxième chance (E2C)",
    "EA": "Entreprise adaptée (EA)",
    "EATT": "Entreprise adaptée de travail temporaire (EATT)",
    "EI": "Entreprise d'insertion (EI)",
    "EITI": "Entreprise d'insertion par le travail indépendant (EITI)",
    "EPCI": "Intercommunalité (EPCI)",
    "EPIDE": "Établissement pour l'insertion dans l'emploi (EPIDE)",
    "ESS": "Entreprise de l'économie sociale et solidaire",
    "ETABL_PRI": "Établissement privé",
    "ETABL_PUB": "Établissement public",
    "ETTI": "Entreprise de travail temporaire d'insertion (ETTI)",
    "FAIS": "Fédération d'acteurs de l'insertion et de la solidarité",
    "FRANCE_SERVICES": "France services",
    "FT": "France Travail",
    "GEIQ": "Groupement d'employeurs pour l'insertion et la qualification (GEIQ)",
    "HUDA": "Hébergement d'urgence pour demandeurs d'asile (HUDA)",
    "MDE": "Maison de l'emploi",
    "MDEF": "Maison de l'emploi et de la formation",
    "MDPH": "Maison départementale des personnes handicapées (MDPH)",
    "MDS": "Maison départementale des solidarités",
    "MJC": "Maison des jeunes et de la culture (MJC)",
    "ML": "Mission locale",
    "MQ": "Maison de quartier",
    "MSA": "Mutualité sociale agricole (MSA)",
    "MUNI": "Municipalité",
    "OACAS": "Organisme d'accueil communautaire et d'activités solidaires (OACAS)",
    "ODC": "Organisme délégataire d'un conseil départemental",
    "OF": "Organisme de formation",
    "OIL": "Opérateur d'intermédiation locative",
    "OPCS": "Organisation porteuse de la clause sociale",
    "PAD": "Point d'accès au droit",
    "PENSION": "Pension de famille, résidence accueil",
    "PIJ_BIJ": "Point ou bureau information jeunesse (PIJ, BIJ)",
    "PIMMS": "Point information médiation multi-services (PIMMS)",
    "PJJ": "Protection judiciaire de la jeunesse (PJJ)",
    "PLIE": "Plan local pour l'insertion et l'emploi (PLIE)",
    "PREF": "Préfecture, sous-préfecture",
    "PREVENTION": "Service ou club de prévention",
    "REG": "Région",
    "RFS": "Réseau France services",
    "RS_FJT": "Résidence sociale, foyer de jeunes travailleurs",
    "SCP": "Service et club de prévention",
    "SPIP": "Service pénitentiaire d'insertion et de probation (SPIP)",
    "TIERS_LIEUX": "Tiers-lieu, coworking",
    "UDAF": "Union départementale des associations familiales (UDAF)",
    "Autre": "Autre",
}
COMMON_STRUCTURE_TYPES = (
    "ASSO", "COMMUNE", "BIB", "CCAS", "CIAS", "CS", "FRANCE_SERVICES", "TIERS_LIEUX", "EPCI", "MJC", "ML",
    "PIMMS", "DEPT", "CD",
)


def structure_type_label(code):
    """The French label of a structure type code ("ASSO" -> "Association"); an unknown code as it is."""
    return STRUCTURE_TYPES.get(code, code)


def structure_type_labels(codes):
    """["TIERS_LIEUX", "ASSO"] -> ["Tiers-lieu, coworking", "Association"] (order kept)."""
    return [structure_type_label(code) for code in codes]


def structure_type_choices(extra=()):
    """(code, label) pairs: the usual types first, then the others by label; `extra` codes
    (unknown to the vocabulary, such as an imported value) are kept as choices so that an
    edit never drops them."""
    others = sorted((code for code in STRUCTURE_TYPES if code not in COMMON_STRUCTURE_TYPES),
                    key=lambda code: STRUCTURE_TYPES[code].lower().replace("é", "e").replace("É", "E"))
    choices = [(code, STRUCTURE_TYPES[code]) for code in COMMON_STRUCTURE_TYPES]
    choices += [(code, STRUCTURE_TYPES[code]) for code in others]
    choices += [(code, code) for code in extra if code not in STRUCTURE_TYPES]
    return choices
