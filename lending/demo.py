"""Demo equipment lending for `seed_demo`, placed relative to today so that it always looks alive.

The resource centre's equipment (video projectors, a screen, a case of tablets, laptops, a
360° camera, wireless microphones, a visio kit of camera + microphone + screen), a venue's
robots (Tiers-lieu La Fabrique du Lys), a venue's photo kit (Cyber-base de Bretenoux), and an
interactive screen that does not leave the Médiathèque municipale de Saint-Aurèle; one
projector in repair, buffers of a day on some, automatic approval on others. Eighteen
reservations, every status as the rules leave it: four loans returned (one with damage and a
missing accessory), three out now (one overdue, one a kit), five approved to come (one for
a demo workshop session), two pending requests, a slot offered to a waiting list, a request
on the waiting list, an expired offer, a refusal and a cancellation.

Idempotent: an item is found by its inventory number, a kit by its name, a reservation by its
purpose; a rerun creates nothing twice. The equipment is written with the models directly; every
loan goes through the services as a member would (`reservation_request` with the day it was
asked as `today=`, `reservation_approve` / `_refuse` / `_cancel`, `hand_over` and `take_back`
with their moment as `now=`, `offers_expire`), so its bookings, accessory checks and history are
the rules' own and the demo never double-books; the moments the services stamp with the present
(asked, decided, notified) are then set back to their day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from directory.models import Venue
from lending.models import (
    Accessory,
    Category,
    Condition,
    Item,
    ItemEvent,
    Kit,
    Reservation,
)
from members.demo import DEMO_DOMAIN
from members.models import User

PARIS = ZoneInfo("Europe/Paris")
Status = Reservation.Status

# The categories made by migration lending.0002 (found or made again: tests may flush them).
PROJECTORS = "Vidéoprojecteurs et écrans"
LAPTOPS = "Ordinateurs portables"
TABLETS = "Tablettes"
CAMERAS = "Appareils photo et caméras"
VISIO = "Kits de visioconférence"
ROBOTS = "Robots et programmation"
SOUND = "Son et micros"
CATEGORIES = (PROJECTORS, LAPTOPS, TABLETS, CAMERAS, VISIO, ROBOTS, SOUND)

# Venues of the directory's demo (directory/demo.py).
FABRIQUE = "Tiers-lieu La Fabrique du Lys"  # nadia.cherif
BRETENOUX = "Cyber-base de Bretenoux"  # paul.lacombe
MEDIATHEQUE = "Médiathèque municipale de Saint-Aurèle"  # coordination
LAROQUE = "Cyber-base de Laroque-des-Arcs"  # animateur, animatrice
GRAMAT = "Médiathèque de Gramat-le-Vieux"  # jeanne.roux
LIMOGNE = "PAPI de Limogne"  # thomas.vidal
VAYRAC = "Maison France services de Vayrac-le-Haut"  # ines.garcia
ASSOCIATIONS = "EPM de la Maison des associations"  # lucas.bonnet
MISSION_LOCALE = "Point numérique de la Mission locale"  # amelie.faure
TANNEURS = "EPM des Tanneurs"  # youssef.amrani
CENTRE_SOCIAL = "Centre social et culturel des Tanneurs"  # helene.morel
PASSERELLES = "Atelier numérique de l'Association Passerelles"  # julien.castel


@dataclass(frozen=True)
class ItemSpec:
    number: str
    name: str
    category: str
    description: str
    accessories: Sequence[str] = ()
    owner: str | None = None  # a venue's name; None: the resource centre
    home: str | None = None
    buffers: tuple[int, int] = (0, 0)
    auto_approve: bool = False
    may_leave: bool = True
    condition: str = Condition.GOOD
    status: str = Item.Status.AVAILABLE
    notes: str = ""


EPSON = "CRN-VP-001"
BENQ = "CRN-VP-002"
SCREEN = "CRN-VP-003"
TABLET_CASE = "CRN-TAB-001"
LAPTOPS_LOT = "CRN-PC-001"
CAMERA_360 = "CRN-CAM-001"
MICROS = "CRN-SON-001"
VISIO_CAMERA = "CRN-VIS-001"
VISIO_MICRO = "CRN-VIS-002"
VISIO_SCREEN = "CRN-VIS-003"
THYMIO = "FAB-ROB-001"
PHOTO_BODY = "BRE-PHO-001"
PHOTO_TRIPOD = "BRE-PHO-002"
PHOTO_LIGHT = "BRE-PHO-003"
INTERACTIVE = "MED-ECR-001"

ITEMS = [
    ItemSpec(EPSON, "Vidéoprojecteur Epson EB-W51", PROJECTORS,
             "Vidéoprojecteur WXGA de 4 000 lumens, lisible même dans une salle mal occultée. "
             "Entrées HDMI et VGA ; haut-parleur intégré suffisant pour une petite salle.",
             ["Câble HDMI (3 m)", "Télécommande", "Cordon d’alimentation", "Sacoche"], buffers=(1, 1)),
    ItemSpec(BENQ, "Vidéoprojecteur BenQ MW560", PROJECTORS,
             "Vidéoprojecteur WXGA de 4 000 lumens, entrées HDMI et VGA.",
             ["Câble HDMI (3 m)", "Télécommande", "Cordon d’alimentation", "Sacoche"], buffers=(1, 1),
             condition=Condition.DAMAGED, status=Item.Status.REPAIR,
             notes="La lampe s’éteint au bout de dix minutes : envoyé chez le réparateur."),
    ItemSpec(SCREEN, "Écran de projection sur trépied (180 cm)", PROJECTORS,
             "Écran enroulable 180 × 180 cm sur trépied, se monte en deux minutes. Tient dans un coffre de voiture.",
             ["Housse de transport"], auto_approve=True),
    ItemSpec(TABLET_CASE, "Valise de 8 tablettes", TABLETS,
             "Huit tablettes Samsung Galaxy Tab A9 (Android) dans une valise à roulettes qui les recharge. "
             "Applications des ateliers déjà installées ; un compte « atelier » sans carte bancaire.",
             ["8 chargeurs USB-C", "8 coques de protection", "8 stylets", "Borne Wi-Fi de la valise"],
             buffers=(0, 1), condition=Condition.GOOD),
    ItemSpec(LAPTOPS_LOT, "Lot de 6 ordinateurs portables", LAPTOPS,
             "Six Lenovo ThinkPad E14 sous Linux Mint, remis à zéro après chaque prêt "
             "(comptez une journée avant et après pour la préparation).",
             ["6 chargeurs", "6 souris", "Multiprise 6 prises", "Valise de transport"], buffers=(1, 1)),
    ItemSpec(CAMERA_360, "Caméra 360°", CAMERAS,
             "Caméra Insta360 X3 : photos et vidéos à 360°, pour les visites virtuelles ou les ateliers vidéo.",
             ["Perche à selfie", "Carte microSD 128 Go", "Chargeur", "Étui"], auto_approve=True),
    ItemSpec(MICROS, "Micros sans fil Shure (2 micros)", SOUND,
             "Deux micros main sans fil et leur récepteur, à brancher sur une sono ou une enceinte.",
             ["Récepteur", "Piles rechargeables et chargeur", "Câble XLR", "Mallette"]),
    ItemSpec(VISIO_CAMERA, "Caméra de visioconférence Logitech MeetUp", VISIO,
             "Caméra grand angle pour une salle de réunion, se branche en USB sur un ordinateur portable.",
             ["Câble USB", "Télécommande", "Alimentation"]),
    ItemSpec(VISIO_MICRO, "Micro de conférence Jabra Speak 750", SOUND,
             "Micro et haut-parleur de table pour une réunion de huit à dix personnes.",
             ["Câble USB", "Housse"]),
    ItemSpec(VISIO_SCREEN, "Écran 43 pouces sur pied roulant", PROJECTORS,
             "Écran 43 pouces sur pied à roulettes, pour voir les participants à distance.",
             ["Câble HDMI (3 m)", "Télécommande", "Cordon d’alimentation"]),
    ItemSpec(THYMIO, "Robots Thymio (lot de 6)", ROBOTS,
             "Six robots Thymio II pour initier enfants et adultes à la programmation (Scratch, Blockly, VPL).",
             ["6 câbles USB", "Dongle Wi-Fi", "Mallette"], owner=FABRIQUE, home=FABRIQUE, buffers=(0, 1),
             auto_approve=True),
    ItemSpec(PHOTO_BODY, "Appareil photo hybride Canon EOS M50", CAMERAS,
             "Appareil photo hybride avec objectif 15-45 mm, écran orientable.",
             ["Batterie et chargeur", "Carte SD 64 Go", "Sangle"], owner=BRETENOUX, home=BRETENOUX),
    ItemSpec(PHOTO_TRIPOD, "Trépied photo Manfrotto", CAMERAS,
             "Trépied léger avec rotule, jusqu’à 1,60 m.", ["Housse"], owner=BRETENOUX, home=BRETENOUX),
    ItemSpec(PHOTO_LIGHT, "Panneau LED et réflecteur", CAMERAS,
             "Panneau LED à température réglable et réflecteur pliable 5 en 1.",
             ["Pied d’éclairage", "Alimentation"], owner=BRETENOUX, home=BRETENOUX),
    ItemSpec(INTERACTIVE, "Écran interactif 65 pouces", PROJECTORS,
             "Écran tactile sur pied fixe, installé dans l’espace multimédia : il ne quitte pas la "
             "médiathèque, mais se réserve pour une réunion ou un atelier sur place.",
             ["Stylets", "Télécommande"], owner=MEDIATHEQUE, home=MEDIATHEQUE, may_leave=False),
]

# name, owner venue (None: the resource centre), description, items (inventory numbers).
KITS = [
    ("Kit visio", None, "Tout pour une réunion à distance dans une salle : caméra grand angle, "
     "micro de conférence et écran sur pied roulant.", [VISIO_CAMERA, VISIO_MICRO, VISIO_SCREEN]),
    ("Kit atelier photo", BRETENOUX, "Un appareil hybride, un trépied et un éclairage pour un atelier "
     "portrait ou photo de produits.", [PHOTO_BODY, PHOTO_TRIPOD, PHOTO_LIGHT]),
]


@dataclass
class Loan:
    """A demo reservation: days are relative to today."""

    purpose: str  # unique: finds the reservation again on a rerun
    subject: str  # an inventory number or a kit name
    requester: str  # local part of a demo account
    venue: str
    pickup: int
    days: int
    status: str
    decided_by: str | None = None  # None with a decided status: approved automatically
    created: int = 7  # days before the pick-up date the request was made (at least 1 day ago)
    extra: dict[str, Any] = field(default_factory=dict)
    handed_by: str | None = None
    returned_by: str | None = None
    condition_back: str = Condition.GOOD
    damage_note: str = ""
    missing_back: Sequence[str] = ()
    session: bool = False


LOANS = [
    # Returned.
    Loan("Soirée de présentation de Pix aux familles", EPSON, "animateur", LAROQUE, -40, 2, Status.RETURNED,
         decided_by="coordination", handed_by="coordination", returned_by="coordination"),
    Loan("Atelier tablette au club des aînés", TABLET_CASE, "helene.morel", CENTRE_SOCIAL, -30, 8, Status.RETURNED,
         decided_by="coordination", handed_by="coordination", returned_by="coordination",
         condition_back=Condition.WORN, missing_back=["8 stylets"],
         damage_note="Une tablette a l’écran fissuré dans un angle (elle fonctionne) ; "
                     "un stylet manque, il sera rapporté à la prochaine réunion."),
    Loan("Fête de la science : programmer un robot", THYMIO, "julien.castel", PASSERELLES, -20, 3, Status.RETURNED,
         handed_by="nadia.cherif", returned_by="nadia.cherif"),
    Loan("Permanence à distance avec la CAF", "Kit visio", "ines.garcia", VAYRAC, -15, 2, Status.RETURNED,
         decided_by="coordination", handed_by="coordination", returned_by="coordination"),
    # Out now (one overdue, one a kit).
    Loan("Visite virtuelle du tiers-lieu pour le site de la commune", CAMERA_360, "paul.lacombe", BRETENOUX, -2, 6,
         Status.OUT, handed_by="coordination"),
    Loan("Concert de fin d’année de l’école de musique", MICROS, "thomas.vidal", LIMOGNE, -12, 10, Status.OUT,
         decided_by="coordination", handed_by="coordination"),
    Loan("Atelier portrait pour les CV", "Kit atelier photo", "jeanne.roux", GRAMAT, -1, 8, Status.OUT,
         decided_by="paul.lacombe", handed_by="paul.lacombe"),
    # Approved, to come (one for a demo workshop session: its dates are the session's).
    Loan("Atelier « Animer un atelier de montage vidéo »", EPSON, "youssef.amrani", TANNEURS, 10, 1,
         Status.APPROVED, decided_by="coordination", session=True),
    Loan("Ateliers démarches en ligne à la Maison France services", TABLET_CASE, "ines.garcia", VAYRAC, 9, 3,
         Status.APPROVED, decided_by="coordination"),
    Loan("Mercredis du code avec le centre de loisirs", THYMIO, "julien.castel", PASSERELLES, 14, 3,
         Status.APPROVED),
    Loan("Réunion du réseau en visio avec la Région", INTERACTIVE, "coordination", MEDIATHEQUE, 3, 1,
         Status.APPROVED, decided_by="coordination"),
    # Cancelled once the open day below was on the waiting list: its days are offered to it.
    Loan("Projection-débat sur les écrans et les enfants", SCREEN, "lucas.bonnet", ASSOCIATIONS, 5, 2,
         Status.CANCELLED, created=15,
         extra={"cancel_reason": "L’intervenante ne peut pas venir : la soirée est reportée au printemps."}),
    Loan("Journée portes ouvertes du Point numérique", SCREEN, "amelie.faure", MISSION_LOCALE, 5, 2,
         Status.OFFERED, created=12),
    # Pending, waiting, expired, refused.
    Loan("Initiation au traitement de texte pour les demandeurs d’emploi", LAPTOPS_LOT, "animatrice", LAROQUE, 6, 3,
         Status.PENDING, created=4),
    Loan("Entretiens d’embauche à distance", "Kit visio", "amelie.faure", MISSION_LOCALE, 12, 2, Status.PENDING,
         created=10),
    Loan("Atelier « Mes photos sur la tablette »", TABLET_CASE, "jeanne.roux", GRAMAT, 9, 3, Status.WAITING,
         created=9),
    # Asked while the micros were out: it waited, and expired when its pick-up day passed.
    Loan("Forum des associations : sonoriser les stands", MICROS, "lucas.bonnet", ASSOCIATIONS, -5, 2,
         Status.EXPIRED, created=9),
    Loan("Formation bureautique des bénévoles", LAPTOPS_LOT, "thomas.vidal", LIMOGNE, 20, 5, Status.REFUSED,
         decided_by="coordination", created=8,
         extra={"refusal_reason": "Les portables servent cette semaine-là à la formation des conseillers "
                                  "numériques. Essayez la semaine suivante !"}),
]


def _fr(text: str) -> str:
    """French typography: a non-breaking space before « : ; ! ? » and inside the quotes."""
    for plain, tight in ((" :", "\u00a0:"), (" ;", "\u00a0;"), (" !", "\u00a0!"), (" ?", "\u00a0?"),
                         ("« ", "«\u00a0"), (" »", "\u00a0»")):
        text = text.replace(plain, tight)
    return text


# Who added each venue's equipment (the resource centre's: the coordination).
CREATORS = {FABRIQUE: "nadia.cherif", BRETENOUX: "paul.lacombe", MEDIATHEQUE: "coordination"}

# The accounts and venues read during one `seed` (emptied at its start).
_seen: dict[str, Any] = {}


def _user(local: str) -> User:
    key = f"user:{local}"
    if key not in _seen:
        _seen[key] = User.objects.get(email=f"{local}{DEMO_DOMAIN}")
    return _seen[key]


def _venue(name: str) -> Venue:
    key = f"venue:{name}"
    if key not in _seen:
        _seen[key] = Venue.objects.get(slug=slugify(name))
    return _seen[key]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def _items(created: list[Item], now: datetime) -> dict[str, Item]:
    categories = {}
    for position, name in enumerate(CATEGORIES):
        categories[name], _new = Category.objects.get_or_create(name=name, defaults={"position": position})
    coordination = _user("coordination")
    items = {}
    for spec in ITEMS:
        item = Item.objects.filter(inventory_number=spec.number).first()
        if item is None:
            owner = _venue(spec.owner) if spec.owner else None
            item = Item.objects.create(
                inventory_number=spec.number, name=spec.name, category=categories[spec.category],
                description=_fr(spec.description), owner_venue=owner,
                home_venue=_venue(spec.home) if spec.home else None,
                buffer_before=spec.buffers[0], buffer_after=spec.buffers[1], auto_approve=spec.auto_approve,
                may_leave_venue=spec.may_leave, condition=spec.condition, status=spec.status, notes=_fr(spec.notes),
                created_at=now - timedelta(days=200),
                created_by=_user(CREATORS[spec.owner]) if spec.owner else coordination)
            Accessory.objects.bulk_create([Accessory(item=item, name=name, position=position)
                                           for position, name in enumerate(spec.accessories)])
            ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.CREATED, at=item.created_at,
                                     actor=item.created_by, condition=Condition.NEW)
            if spec.status == Item.Status.REPAIR:
                ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.REPAIR_START, at=now - timedelta(days=6),
                                         actor=coordination, condition=spec.condition, note=_fr(spec.notes))
            created.append(item)
        items[spec.number] = item
    return items


def _kits(items: dict[str, Item], now: datetime) -> dict[str, Kit]:
    kits = {}
    for name, owner, description, numbers in KITS:
        kit = Kit.objects.filter(name=name).first()
        if kit is None:
            kit = Kit.objects.create(name=name, description=_fr(description),
                                     owner_venue=_venue(owner) if owner else None, created_at=now - timedelta(days=150))
            kit.items.set([items[number] for number in numbers])
        kits[name] = kit
    return kits


def _session(loan: Loan, today: date) -> tuple[Any, int]:
    """The demo workshop session the loan is for (workshops/demo.py), and its day from today;
    (None, the loan's own day) when the workshops' demo is absent or its session is too close."""
    from workshops.demo import NETWORK
    from workshops.models import Session

    session = (Session.objects.filter(workshop__title=NETWORK, venue__slug=slugify(loan.venue))
               .order_by("start").first())
    if session is None:
        return None, loan.pickup
    offset = (timezone.localtime(session.start, PARIS).date() - today).days
    if offset < 3:
        return None, loan.pickup
    return session, offset


def _reservation(loan: Loan, items: dict[str, Item], kits: dict[str, Kit], today: date,
                 now: datetime) -> Reservation:
    """The loan, asked and then decided, handed over and taken back through the services (each
    at its day: `today=` / `now=`), as the rules allow; its dates of request and decision are
    then set back to their day (the services write the present moment)."""
    from lending.handover import hand_over, take_back
    from lending.reservations import reservation_approve, reservation_refuse, reservation_request

    session, offset = (None, loan.pickup)
    if loan.session:
        session, offset = _session(loan, today)
    pickup = today + timedelta(days=offset)
    return_date = pickup + timedelta(days=loan.days - 1)
    item = items.get(loan.subject)
    kit = None if item is not None else kits[loan.subject]
    things = [item] if item is not None else list(kit.items.order_by("pk"))  # type: ignore[union-attr]
    asked_on = min(pickup - timedelta(days=loan.created), today)
    requester = _user(loan.requester)
    reservation = reservation_request(
        actor=requester, item=item, kit=kit, venue=_venue(loan.venue), pickup_date=pickup, return_date=return_date,
        purpose=_fr(loan.purpose), session=session,
        wait=loan.status in (Status.WAITING, Status.EXPIRED, Status.OFFERED), today=asked_on)
    asked_at = min(_at(asked_on, 10, 15), now - timedelta(hours=20))
    dates: dict[str, Any] = {"created_at": asked_at}
    if reservation.status == Status.APPROVED:  # approved automatically
        dates["decided_at"] = asked_at
    if reservation.status == Status.WAITING:
        dates["waiting_since"] = asked_at
    if loan.status == Status.REFUSED:
        reservation = reservation_refuse(actor=_user(loan.decided_by or "coordination"), reservation=reservation,
                                         reason=_fr(loan.extra.get("refusal_reason", "")))
        dates["decided_at"] = asked_at + timedelta(hours=5)
    elif reservation.status == Status.PENDING and loan.status in (Status.APPROVED, Status.OUT, Status.RETURNED):
        reservation = reservation_approve(actor=_user(loan.decided_by or "coordination"), reservation=reservation)
        dates["decided_at"] = asked_at + timedelta(hours=3)
    Reservation.objects.filter(pk=reservation.pk).update(**dates)
    if loan.status in (Status.OUT, Status.RETURNED):
        accessories = list(Accessory.objects.filter(item__in=things))
        reservation = hand_over(
            actor=_user(loan.handed_by or "coordination"), reservation=reservation, handed_to=requester.display_name,
            conditions={thing.pk: thing.condition for thing in things},
            accessories_present={a.pk for a in accessories}, now=_at(pickup, 9, 30))
        Reservation.objects.filter(pk=reservation.pk).update(pickup_reminded_at=_at(pickup - timedelta(days=2), 8))
        if loan.status == Status.RETURNED:
            reservation = take_back(
                actor=_user(loan.returned_by or "coordination"), reservation=reservation,
                conditions={thing.pk: loan.condition_back for thing in things},
                accessories_present={a.pk for a in accessories if a.name not in loan.missing_back},
                damage_note=_fr(loan.damage_note), now=_at(return_date, 17, 45))
        if return_date < today:
            Reservation.objects.filter(pk=reservation.pk).update(
                return_reminded_at=_at(return_date - timedelta(days=2), 8),
                overdue_notified_at=_at(return_date + timedelta(days=1), 8) if loan.status == Status.OUT else None)
    return reservation


def _after(made: Sequence[tuple[Loan, Reservation]], now: datetime) -> None:
    """What happens to the loans once all are asked: cancellations (their days offered to the
    waiting list), then the waiting requests whose pick-up passed expire."""
    from lending.reservations import offers_expire, reservation_cancel

    for loan, reservation in made:
        if loan.status == Status.CANCELLED:
            reservation_cancel(actor=_user(loan.requester), reservation=reservation,
                               reason=_fr(loan.extra.get("cancel_reason", "")))
            Reservation.objects.filter(pk=reservation.pk).update(cancelled_at=now - timedelta(days=2))
    if any(loan.status == Status.EXPIRED for loan, _reservation in made):
        offers_expire(now)


def _date_notifications(made: Sequence[Reservation], now: datetime) -> None:
    """The services notify at the present moment: each notification of a demo loan is set back
    to the moment of its event, and read (and e-mailed) when that is more than three days ago."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import Notification

    moments = {"lending.requested": "created_at", "lending.approved": "decided_at", "lending.refused": "decided_at",
               "lending.cancelled_by_borrower": "cancelled_at", "lending.damaged": "returned_at"}
    by_id = {str(r.pk): r for r in Reservation.objects.filter(pk__in=[r.pk for r in made])}
    rows = Notification.objects.filter(target_type=ContentType.objects.get_for_model(Reservation),
                                       target_id__in=list(by_id), verb__in=list(moments))
    for notification in rows:
        at = getattr(by_id[notification.target_id], moments[notification.verb]) or now
        old = at < now - timedelta(days=3)
        Notification.objects.filter(pk=notification.pk).update(
            created_at=at, emailed_at=at if old else notification.emailed_at,
            read_at=at + timedelta(hours=2) if old else None)


@transaction.atomic
def seed(log: Callable[[str], object] = print, today: date | None = None) -> int:
    """The demo's equipment and loans; returns how many reservations were created."""
    _seen.clear()
    today = today or timezone.localdate()
    now = timezone.now()
    new_items: list[Item] = []
    items = _items(new_items, now)
    kits = _kits(items, now)
    known = set(Reservation.objects.filter(purpose__in=[_fr(loan.purpose) for loan in LOANS])
                .values_list("purpose", flat=True))
    made = [(loan, _reservation(loan, items, kits, today, now)) for loan in LOANS if _fr(loan.purpose) not in known]
    _after(made, now)
    _date_notifications([reservation for _loan, reservation in made], now)
    log(f"Demo equipment ready: {len(items)} items ({len(new_items)} new), {len(kits)} kits, "
        f"{len(known) + len(made)} reservations ({len(made)} new).")
    return len(made)
