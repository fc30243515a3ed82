"""Demo vouchers and activity records for `seed_demo`, placed relative to today.

A network "Ticket déclic" programme (10 modules of 2 h, 150 € per completed voucher, valid
12 months + 30 days, paid by the Conseil départemental and the CAF) run by the coordination at
six demo venues; two prescribing organisations (a Mission locale and a CAF) with one partner
account each (`prescription@` and `caf@`, the demo password); twelve vouchers at every stage
(just issued, in progress with modules at two venues, two completed, one expiring in 20 days,
one expired, one cancelled); two statements (one paid, one not); thirty accompaniments by hand
over the last fourteen months (individual and collective), so that the reports show a period
and the one before.

Idempotent: the programme, organisations and accounts are found by name or e-mail, a voucher
by its programme and first name, a record by its notes' demo marker; a rerun creates nothing.
Rows are written with the models directly (as the services leave them), without notifications;
each voucher module gets its activity record through `activity.record_from_use`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mediation import activity, codes, coop, validity
from mediation.models import (
    ActivityBeneficiary,
    ActivityRecord,
    Organisation,
    PrescriberSeat,
    Programme,
    ProgrammeModule,
    Settlement,
    Voucher,
    VoucherUse,
)
from members.demo import DEMO_DOMAIN, DEMO_PASSWORD
from members.models import Territory, User

PARIS = ZoneInfo("Europe/Paris")
EXPIRING = -1  # "issued" so that the voucher's validity ends in 20 days
PROGRAMME = "Ticket déclic"
DEMO_MARK = "[démo]"

MODULES = [
    ("Découvrir l’ordinateur", "Allumer et éteindre, reconnaître l’unité centrale, l’écran et les "
     "périphériques, ouvrir une session."),
    ("Clavier et souris", "Cliquer, double-cliquer, faire défiler ; écrire un texte, les majuscules, les accents "
     "et l’arobase."),
    ("Naviguer sur Internet", "Ouvrir un navigateur, saisir une adresse, faire une recherche, reconnaître "
     "un site officiel et une publicité."),
    ("Créer son adresse e-mail", "Choisir un fournisseur, créer son adresse et un mot de passe solide, "
     "se connecter et se déconnecter."),
    ("Envoyer une pièce jointe", "Photographier ou numériser un document, le joindre à un message, "
     "ouvrir et enregistrer une pièce jointe reçue."),
    ("Se protéger en ligne", "Reconnaître une arnaque (hameçonnage, faux SMS), gérer ses mots de passe, "
     "faire les mises à jour."),
    ("Démarches : impots.gouv.fr", "Créer son espace particulier avec FranceConnect, consulter son avis, "
     "déclarer ses revenus."),
    ("Démarches : CAF et ameli", "Se connecter à caf.fr et à ameli.fr, télécharger une attestation, "
     "déclarer un changement de situation."),
    ("Candidater en ligne", "Créer son espace France Travail, mettre son CV en ligne, répondre à une offre "
     "par e-mail."),
    ("Faire le point", "Revoir ce qui a été appris, repérer ce qui reste difficile, connaître les lieux "
     "où trouver de l’aide ensuite."),
]

# Venue names of the directory's demo (directory/demo.py) taking part in the programme.
LAROQUE = "Cyber-base de Laroque-des-Arcs"
MONTCABRIER = "EPM de Montcabrier-sur-Causse"
GRAMAT = "Médiathèque de Gramat-le-Vieux"
LIMOGNE = "PAPI de Limogne"
MEDIATHEQUE = "Médiathèque municipale de Saint-Aurèle"
POINT_ML = "Point numérique de la Mission locale"
VENUES = (LAROQUE, MONTCABRIER, GRAMAT, LIMOGNE, MEDIATHEQUE, POINT_ML)
# Who records the modules at each venue (its animators in members/demo.py).
RECORDERS = {LAROQUE: "animateur", MONTCABRIER: "referent", GRAMAT: "jeanne.roux", LIMOGNE: "thomas.vidal",
             MEDIATHEQUE: "coordination", POINT_ML: "amelie.faure"}

# (local part, display name, organisation index, job)
PRESCRIBERS = [
    ("prescription", "Sandrine Lafage", 0, "Conseillère en insertion, Mission locale"),
    ("caf", "Olivier Mazet", 1, "Travailleur social, CAF du Lot"),
]
ORGANISATIONS = [
    ("Mission locale du Pays des Causses", Organisation.Kind.MISSION_LOCALE, "pays-des-causses"),
    ("CAF du Lot", Organisation.Kind.CAF, None),
]

A = coop.AgeBracket
S = coop.Situation
# first name, organisation index, age, situation, commune, INSEE, issued (days ago),
# [(venue, modules)], status; the modules are done in order, a week apart from the day after issue.
VOUCHERS: list[tuple[str, int, str, str, str, str, int, list[tuple[str, int]], str]] = [
    ("Nadège", 0, A.AGE_18_24, S.JOBSEEKER, "Cahors", "46042", 160, [(LAROQUE, 10)], "completed"),
    ("Bernard", 1, A.AGE_60_69, S.RETIRED, "Gramat", "46128", 130, [(LAROQUE, 5), (MONTCABRIER, 5)], "completed"),
    ("Sylvie", 1, A.AGE_40_59, S.EMPLOYED, "Gramat", "46128", 90, [(LAROQUE, 3), (GRAMAT, 3)], "active"),
    ("Kévin", 0, A.AGE_18_24, S.JOBSEEKER, "Limogne-en-Quercy", "46173", 70, [(LIMOGNE, 4)], "active"),
    ("Yasmina", 0, A.AGE_25_39, S.JOBSEEKER, "Cahors", "46042", 40, [(POINT_ML, 2)], "active"),
    ("Lucien", 1, A.AGE_70, S.RETIRED, "Cahors", "46042", 3, [], "active"),
    # Issued so that its validity ends in 20 days (EXPIRING).
    ("Monique", 1, A.AGE_60_69, S.RETIRED, "Laroque-des-Arcs", "46156", EXPIRING, [(LAROQUE, 4)], "active"),
    ("Ahmed", 0, A.AGE_25_39, S.JOBSEEKER, "Cahors", "46042", 430, [(MEDIATHEQUE, 2)], "expired"),
    ("Chantal", 1, A.AGE_40_59, S.UNKNOWN, "Cahors", "46042", 60, [(MEDIATHEQUE, 1)], "cancelled"),
    ("Théo", 0, A.MINOR, S.STUDENT, "Cahors", "46042", 75, [(MEDIATHEQUE, 4), (POINT_ML, 4)], "active"),
    ("Emma", 0, A.AGE_18_24, S.STUDENT, "Montcabrier", "46201", 25, [(MONTCABRIER, 2)], "active"),
    ("Jean-Marc", 1, A.AGE_40_59, S.JOBSEEKER, "Gramat", "46128", 50, [(GRAMAT, 5)], "active"),
]

T = coop.Theme
# Accompaniments by hand: (days ago, recorder, venue or None (at home / remotely), kind,
# minutes, themes, participants, [(age, situation, gender)], title (collective)).
RECORDS: list[tuple[int, str, str | None, str, int, list[str], int, list[tuple[str, str, str]], str]] = [
    (2, "animateur", LAROQUE, "ind", 45, [T.WELFARE], 1, [(A.AGE_40_59, S.JOBSEEKER, "F")], ""),
    (5, "animatrice", LAROQUE, "ind", 30, [T.EMAIL, T.SECURITY], 1, [(A.AGE_70, S.RETIRED, "F")], ""),
    (9, "animateur", LAROQUE, "col", 120, [T.SECURITY], 8, [(A.AGE_60_69, S.RETIRED, "F")] * 3,
     "Repérer les arnaques en ligne"),
    (12, "jeanne.roux", GRAMAT, "ind", 60, [T.TAXES], 1, [(A.AGE_60_69, S.RETIRED, "M")], ""),
    (16, "thomas.vidal", LIMOGNE, "ind", 90, [T.MAINTENANCE], 1, [(A.AGE_25_39, S.EMPLOYED, "M")], ""),
    (20, "amelie.faure", POINT_ML, "col", 150, [T.EMPLOYMENT, T.OFFICE], 6, [(A.AGE_18_24, S.JOBSEEKER, "?")] * 6,
     "Mon CV en ligne"),
    (27, "coordination", MEDIATHEQUE, "ind", 40, [T.PAPERS], 1, [(A.AGE_25_39, S.EMPLOYED, "F")], ""),
    (33, "referent", MONTCABRIER, "ind", 30, [T.HARDWARE], 1, [(A.AGE_70, S.RETIRED, "M")], ""),
    (41, "animateur", None, "ind", 60, [T.HARDWARE, T.HEALTH], 1, [(A.AGE_70, S.RETIRED, "F")], ""),
    (48, "jeanne.roux", GRAMAT, "col", 120, [T.CONTENTS], 5, [], "Trier et sauvegarder ses photos"),
    (55, "ines.garcia", None, "ind", 20, [T.WELFARE], 1, [(A.AGE_40_59, S.UNKNOWN, "?")], ""),
    (63, "animatrice", LAROQUE, "ind", 45, [T.BANKING], 1, [(A.AGE_60_69, S.RETIRED, "F")], ""),
    (75, "amelie.faure", POINT_ML, "ind", 60, [T.WORK], 1, [(A.AGE_18_24, S.JOBSEEKER, "M")], ""),
    (88, "thomas.vidal", LIMOGNE, "col", 180, [T.CREATING], 7, [(A.MINOR, S.STUDENT, "?")] * 4,
     "Fabriquer un jeu avec Scratch"),
    (102, "coordination", MEDIATHEQUE, "ind", 30, [T.BROWSING], 1, [], ""),
    (120, "animateur", LAROQUE, "ind", 50, [T.HOUSING], 1, [(A.AGE_25_39, S.JOBSEEKER, "F")], ""),
    (145, "referent", MONTCABRIER, "col", 120, [T.HARDWARE], 6, [(A.AGE_70, S.RETIRED, "F")] * 2,
     "Prendre en main sa tablette"),
    (170, "jeanne.roux", GRAMAT, "ind", 40, [T.FAMILY, T.SCHOOL], 1, [(A.AGE_40_59, S.EMPLOYED, "F")], ""),
    (196, "amelie.faure", POINT_ML, "ind", 90, [T.EMPLOYMENT], 1, [(A.AGE_18_24, S.JOBSEEKER, "M")], ""),
    (220, "animatrice", LAROQUE, "col", 120, [T.EMAIL], 9, [(A.AGE_60_69, S.RETIRED, "?")] * 5,
     "Mes premiers e-mails"),
    (245, "thomas.vidal", None, "ind", 30, [T.MAINTENANCE], 1, [(A.AGE_40_59, S.EMPLOYED, "M")], ""),
    (268, "coordination", MEDIATHEQUE, "ind", 25, [T.TRANSPORT], 1, [(A.AGE_18_24, S.STUDENT, "F")], ""),
    (290, "animateur", LAROQUE, "ind", 60, [T.WELFARE, T.HEALTH], 1, [(A.AGE_60_69, S.RETIRED, "M")], ""),
    (312, "jeanne.roux", GRAMAT, "col", 120, [T.CULTURE, T.AI], 10, [], "L’intelligence artificielle, c’est quoi ?"),
    (335, "referent", MONTCABRIER, "ind", 45, [T.TAXES], 1, [(A.AGE_70, S.RETIRED, "F")], ""),
    (350, "amelie.faure", POINT_ML, "col", 150, [T.EMPLOYMENT], 5, [(A.AGE_18_24, S.JOBSEEKER, "?")] * 5,
     "Candidater en ligne"),
    (372, "animatrice", LAROQUE, "ind", 30, [T.SOCIAL], 1, [(A.AGE_25_39, S.EMPLOYED, "F")], ""),
    (390, "thomas.vidal", LIMOGNE, "ind", 60, [T.DIAGNOSTIC], 1, [(A.AGE_40_59, S.JOBSEEKER, "M")], ""),
    (405, "coordination", MEDIATHEQUE, "col", 90, [T.PARENTING], 6, [(A.AGE_25_39, S.EMPLOYED, "F")] * 3,
     "Le contrôle parental"),
    (420, "animateur", LAROQUE, "ind", 40, [T.PAPERWORK], 1, [(A.AGE_60_69, S.RETIRED, "F")], ""),
]
GENDERS = {"F": coop.Gender.FEMALE, "M": coop.Gender.MALE, "?": coop.Gender.UNKNOWN}
EQUIPMENT: list[list[str]] = [[coop.Equipment.COMPUTER], [coop.Equipment.PHONE], [coop.Equipment.TABLET],
             [coop.Equipment.COMPUTER, coop.Equipment.PHONE]]
AUTONOMY = [coop.Autonomy.ACCOMPANIED, coop.Autonomy.PARTLY, coop.Autonomy.AUTONOMOUS]


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


def _venue(name: str) -> Any:
    from directory.models import Venue

    return Venue.objects.get(slug=slugify(name))


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), PARIS)


def _programme(coordination: User, venues: list[Any]) -> tuple[Programme, bool]:
    programme = Programme.objects.filter(name=PROGRAMME, territory__isnull=True).first()
    if programme is not None:
        return programme, False
    programme = Programme.objects.create(
        name=PROGRAMME, funders="Conseil départemental, CAF", amount=Decimal("150.00"),
        payment_rule=Programme.PaymentRule.PER_VOUCHER, validity_months=12, grace_days=30, created_by=coordination,
        description="Dix modules de deux heures pour prendre en main l’ordinateur et Internet et faire ses "
                    "démarches en ligne, dans les lieux du réseau, sans frais pour la personne.",
    )
    ProgrammeModule.objects.bulk_create([
        ProgrammeModule(programme=programme, position=position, title=title, objectives=objectives)
        for position, (title, objectives) in enumerate(MODULES, start=1)
    ])
    programme.venues.set(venues)
    return programme, True


def _prescriber(local: str, name: str, organisation: Organisation, job: str, coordination: User) -> bool:
    from members.demo import _verified

    user = User.objects.filter(email=f"{local}{DEMO_DOMAIN}").first()
    created = user is None
    if user is None:
        user = User(email=f"{local}{DEMO_DOMAIN}", display_name=name, job_title=job, status=User.Status.PARTNER)
        user.set_password(DEMO_PASSWORD)
        user.save()
    _verified(user)
    if not PrescriberSeat.objects.filter(user=user).exists():
        PrescriberSeat.objects.create(user=user, organisation=organisation, added_by=coordination)
    return created


def _voucher(programme: Programme, organisations: list[Organisation], prescribers: list[User], row: tuple,
             modules: list[ProgrammeModule], today: date) -> Voucher | None:
    first_name, org_index, age, situation, commune, insee, issued_ago, uses, status = row
    if Voucher.objects.filter(programme=programme, first_name=first_name).exists():
        return None
    if issued_ago == EXPIRING:
        issued = today + timedelta(days=21) - relativedelta(months=programme.validity_months)
    else:
        issued = today - timedelta(days=issued_ago)
    voucher = Voucher.objects.create(
        programme=programme, organisation=organisations[org_index], issued_by=prescribers[org_index],
        code=codes.generate(), issued_at=_at(issued, 10), valid_from=issued,
        valid_until=validity.valid_until(programme, issued), first_name=first_name, age_bracket=age,
        situation=situation, commune=commune, commune_insee=insee, consent_at=_at(issued, 10), status=status,
        status_reason="Déménagement hors du département." if status == "cancelled" else "",
    )
    day, position = issued + timedelta(days=1), 0
    for venue_name, count in uses:
        venue, recorder = _venue(venue_name), _user(RECORDERS[venue_name])
        for _i in range(count):
            module = modules[position]
            use = VoucherUse.objects.create(voucher=voucher, module=module, venue=venue, date=day,
                                            duration_minutes=module.duration_minutes, recorded_by=recorder,
                                            recorded_at=_at(day, 17))
            activity.record_from_use(use)
            position += 1
            day += timedelta(days=7)
    Voucher.objects.filter(pk=voucher.pk).update(
        modules_done=position, completed_at=_at(day - timedelta(days=7), 17) if status == "completed" else None)
    return voucher


def _settle(programme: Programme, voucher: Voucher, coordination: User, *, paid: bool) -> None:
    """One statement per venue that served `voucher` (a completed one): 15 € a module."""
    uses = list(voucher.uses.filter(settlement__isnull=True).order_by("date"))
    by_venue: dict[int, list[VoucherUse]] = {}
    for use in uses:
        by_venue.setdefault(use.venue_id, []).append(use)
    share = (programme.amount / len(MODULES)).quantize(Decimal("0.01"))
    for venue_id, venue_uses in by_venue.items():
        start, end = venue_uses[0].date.replace(day=1), venue_uses[-1].date
        settlement = Settlement.objects.create(
            programme=programme, venue_id=venue_id, period_start=start, period_end=end,
            total=share * len(venue_uses), vouchers_count=1, modules_count=len(venue_uses), created_by=coordination,
            created_at=_at(end + timedelta(days=3), 9),
            paid_at=_at(end + timedelta(days=20), 11) if paid else None, paid_by=coordination if paid else None,
            payment_reference=f"Mandat {end:%Y}-{venue_id:04d}" if paid else "",
        )
        VoucherUse.objects.filter(pk__in=[use.pk for use in venue_uses]).update(settlement=settlement, amount=share)


def _record(row: tuple, index: int, today: date) -> bool:
    days_ago, local, venue_name, kind, minutes, themes, participants, people, title = row
    notes = f"{DEMO_MARK} accompagnement {index + 1}"
    if ActivityRecord.objects.filter(notes=notes).exists():
        return False
    recorder = _user(local)
    venue = _venue(venue_name) if venue_name else None
    collective = kind == "col"
    # PipeListField (themes, equipment) is typed as a CharField: mypy wants a str.
    record = ActivityRecord.objects.create(  # type: ignore[misc]
        kind=coop.Kind.COLLECTIVE if collective else coop.Kind.INDIVIDUAL, date=today - timedelta(days=days_ago),
        duration_minutes=minutes, venue=venue, territory_id=venue.territory_id if venue else recorder.territory_id,
        place_type=coop.PlaceType.VENUE if venue else (coop.PlaceType.HOME if index % 2 else coop.PlaceType.REMOTE),
        commune="" if venue else "Cahors", commune_insee="" if venue else "46042",
        themes=themes, level=coop.Level.BEGINNER if collective else "", title=title,
        autonomy="" if collective else AUTONOMY[index % 3], equipment=EQUIPMENT[index % 4],
        participants=participants if collective else 1, recorded_by=recorder, notes=notes,
        redirected_to="France services" if index % 7 == 3 else "",
    )
    ActivityBeneficiary.objects.bulk_create([
        ActivityBeneficiary(record=record, age_bracket=age, situation=situation, gender=GENDERS[gender])
        for age, situation, gender in people
    ])
    return True


@transaction.atomic
def seed(log: Callable[[str], Any] = print, today: date | None = None) -> int:
    """The demo's programme, prescribers, vouchers and accompaniments; returns how many rows
    (programme, organisations, accounts, vouchers, records) were created."""
    today = today or timezone.localdate()
    coordination = _user("coordination")
    venues = [_venue(name) for name in VENUES]
    programme, new = _programme(coordination, venues)
    created = int(new)
    organisations = []
    for name, kind, territory_slug in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            territory = Territory.objects.filter(slug=territory_slug).first() if territory_slug else None
            organisation = Organisation.objects.create(name=name, kind=kind, territory=territory)
            created += 1
        organisation.programmes.add(programme)
        organisations.append(organisation)
    for local, name, org_index, job in PRESCRIBERS:
        created += _prescriber(local, name, organisations[org_index], job, coordination)
    prescribers = [_user(local) for local, *_rest in PRESCRIBERS]
    modules = list(programme.modules.order_by("position"))
    vouchers = {}
    for row in VOUCHERS:
        voucher = _voucher(programme, organisations, prescribers, row, modules, today)
        if voucher is not None:
            vouchers[voucher.first_name] = voucher
            created += 1
    if "Nadège" in vouchers:
        _settle(programme, vouchers["Nadège"], coordination, paid=True)
    if "Bernard" in vouchers:
        _settle(programme, vouchers["Bernard"], coordination, paid=False)
    for index, record_row in enumerate(RECORDS):
        created += _record(record_row, index, today)
    log(f"Demo vouchers ready: {programme.vouchers.count()} vouchers of « {PROGRAMME} », "
        f"{ActivityRecord.objects.filter(notes__startswith=DEMO_MARK).count()} accompaniments by hand "
        f"({created} new rows). Prescribers: prescription{DEMO_DOMAIN}, caf{DEMO_DOMAIN}.")
    return created

