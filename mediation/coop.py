"""The vocabulary of an activity record, in the shape of the national "Coop de la médiation
numérique" (ANCT): the values its CSV import and its statistics use, so that what an
animator records here is exported in that shape and never typed twice.

Each class is a `TextChoices` whose value is the Coop's own name of the member (what its
exports carry) and whose label is the French text its forms show.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INDIVIDUAL = "Individuel", _("Individual")
    COLLECTIVE = "Collectif", _("Collective (workshop)")


class PlaceType(models.TextChoices):
    VENUE = "LieuActivite", _("At a venue")
    HOME = "Domicile", _("At the person's home")
    REMOTE = "ADistance", _("Remotely")
    OTHER = "Autre", _("Elsewhere")


class Autonomy(models.TextChoices):
    ACCOMPANIED = "EntierementAccompagne", _("Fully accompanied")
    PARTLY = "PartiellementAutonome", _("Partly autonomous")
    AUTONOMOUS = "Autonome", _("Autonomous")


class Equipment(models.TextChoices):
    COMPUTER = "Ordinateur", _("Computer")
    PHONE = "Telephone", _("Phone")
    TABLET = "Tablette", _("Tablet")
    OTHER = "Autre", _("Other")
    NONE = "Aucun", _("None")


class Level(models.TextChoices):
    BEGINNER = "Debutant", _("Beginner")
    INTERMEDIATE = "Intermediaire", _("Intermediate")
    ADVANCED = "Avance", _("Advanced")


class Theme(models.TextChoices):
    DIAGNOSTIC = "DiagnosticNumerique", _("Digital skills diagnosis")
    HARDWARE = "PrendreEnMainDuMateriel", _("Getting started with a device")
    MAINTENANCE = "MaintenanceDeMateriel", _("Device maintenance")
    CONTENTS = "GereSesContenusNumeriques", _("Managing one's digital content")
    BROWSING = "NavigationSurInternet", _("Browsing the Internet")
    EMAIL = "Email", _("E-mail")
    OFFICE = "Bureautique", _("Office software")
    SOCIAL = "ReseauxSociaux", _("Social networks, communication")
    HEALTH = "Sante", _("Health")
    BANKING = "BanqueEtAchatsEnLigne", _("Online banking and shopping")
    BUSINESS = "Entrepreneuriat", _("Helping a professional")
    EMPLOYMENT = "InsertionProfessionnelle", _("Finding work")
    SECURITY = "SecuriteNumerique", _("Staying safe online")
    PARENTING = "Parentalite", _("Parenting")
    SCHOOL = "ScolariteEtNumerique", _("School and digital tools")
    CREATING = "CreerAvecLeNumerique", _("Creating with digital tools")
    CULTURE = "CultureNumerique", _("Digital culture")
    AI = "IntelligenceArtificielle", _("Artificial intelligence (AI)")
    PAPERWORK = "AideAuxDemarchesAdministratives", _("Help with administrative procedures")
    # Administrative procedures (with PAPERWORK).
    PAPERS = "PapiersElectionsCitoyennete", _("Procedures: identity papers, elections, citizenship")
    FAMILY = "FamilleScolarite", _("Procedures: family, schooling")
    WELFARE = "SocialSante", _("Procedures: welfare, health (CAF, ameli)")
    WORK = "TravailFormation", _("Procedures: work, training")
    HOUSING = "Logement", _("Procedures: housing")
    TRANSPORT = "TransportsMobilite", _("Procedures: transport, driving")
    TAXES = "ArgentImpots", _("Procedures: money, taxes")
    JUSTICE = "Justice", _("Procedures: justice")
    FOREIGNERS = "EtrangersEurope", _("Procedures: foreigners, Europe")
    LEISURE = "LoisirsSportsCulture", _("Procedures: leisure, sports, culture")


# The procedure themes, recorded only with "Help with administrative procedures".
PROCEDURE_THEMES = frozenset({
    Theme.PAPERS, Theme.FAMILY, Theme.WELFARE, Theme.WORK, Theme.HOUSING, Theme.TRANSPORT,
    Theme.TAXES, Theme.JUSTICE, Theme.FOREIGNERS, Theme.LEISURE,
})


class Gender(models.TextChoices):
    MALE = "Masculin", _("Man")
    FEMALE = "Feminin", _("Woman")
    UNKNOWN = "NonCommunique", _("Not given")


class AgeBracket(models.TextChoices):
    MINOR = "Mineur", _("Under 18")
    AGE_18_24 = "DixHuitVingtQuatre", _("18 to 24")
    AGE_25_39 = "VingtCinqTrenteNeuf", _("25 to 39")
    AGE_40_59 = "QuaranteCinquanteNeuf", _("40 to 59")
    AGE_60_69 = "SoixanteSoixanteNeuf", _("60 to 69")
    AGE_70 = "SoixanteDixPlus", _("70 or over")
    UNKNOWN = "NonCommunique", _("Not given")


class Situation(models.TextChoices):
    STUDENT = "Scolarise", _("In education")
    JOBSEEKER = "SansEmploi", _("Without a job")
    EMPLOYED = "EnEmploi", _("In work")
    RETIRED = "Retraite", _("Retired")
    UNKNOWN = "NonCommunique", _("Not given or mixed")


# Durations offered as one tap (minutes); any other is typed.
DURATIONS = (15, 30, 45, 60, 90, 120)

# The duration buckets of the Coop's statistics: (label, lowest minute included, highest excluded).
DURATION_BUCKETS = (
    (_("Under 30 min"), 0, 30),
    (_("30 min to 1 h"), 30, 60),
    (_("1 h to 2 h"), 60, 120),
    (_("2 h or more"), 120, None),
)

# A workshop's themes come from the national venue schema's services; an activity record
# made from a session carries the nearest Coop themes.
SERVICE_THEMES = {
    "Aide aux démarches administratives": (Theme.PAPERWORK,),
    "Maîtrise des outils numériques du quotidien": (Theme.HARDWARE, Theme.BROWSING),
    "Insertion professionnelle via le numérique": (Theme.EMPLOYMENT,),
    "Utilisation sécurisée du numérique": (Theme.SECURITY,),
    "Parentalité et éducation avec le numérique": (Theme.PARENTING,),
    "Loisirs et créations numériques": (Theme.CREATING,),
    "Compréhension du monde numérique": (Theme.CULTURE,),
    "Accès internet et matériel informatique": (Theme.HARDWARE,),
    "Acquisition de matériel informatique à prix solidaire": (Theme.HARDWARE,),
}

# A workshop's level (workshops.Workshop.Level) in the Coop's words.
WORKSHOP_LEVELS = {"beginner": Level.BEGINNER, "intermediate": Level.INTERMEDIATE, "advanced": Level.ADVANCED}
