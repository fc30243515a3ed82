"""Demo workshops for `seed_demo`, placed relative to today so that the demo always looks alive.

Seven workshops, one in every state: a proposal waiting, an accepted one waiting for its
dates, two scheduled (a network one with two sessions; a public one whose session is full,
with a waiting list and an offered place, and another session close by), a cycle of six
tablet sessions for seniors (public), one held (attendance and anonymous evaluations), one
cancelled; three requests with voices. The coordination's login sees all of it: proposals,
requests, registrations, an offer, an evaluation to fill in.

Idempotent: a workshop (and a request) is found by its title; a rerun creates nothing twice.
Rows are written with the models directly (as the services leave them), without
notifications.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from directory import schema
from members.demo import DEMO_DOMAIN
from members.models import Territory, User
from workshops.models import (
    DEFAULT_TZ,
    Answer,
    Attendance,
    Demand,
    DemandVote,
    EvaluationDone,
    EvaluationResponse,
    Question,
    Registration,
    Session,
    SessionDate,
    Workshop,
)

PARIS = ZoneInfo(DEFAULT_TZ)
Service = schema.Service

PROPOSAL = "Accompagner les démarches ANTS"
ACCEPTED = "Réparer et réemployer les ordinateurs"
NETWORK = "Animer un atelier de montage vidéo"
FULL = "Créer et utiliser son adresse e-mail"
CYCLE = "La tablette pour les seniors"
HELD = "Sécuriser ses comptes en ligne"
CANCELLED = "Initiation à l’impression 3D"
TITLES = (PROPOSAL, ACCEPTED, NETWORK, FULL, CYCLE, HELD, CANCELLED)

# Visitors of the public sessions (name, e-mail, phone).
VISITORS = [
    ("Odette Mercier", "odette.mercier@exemple.fr", ""),
    ("Gérard Lafon", "", "06 12 45 78 90"),
    ("Simone Taillefer", "simone.t@exemple.fr", "05 65 22 33 44"),
    ("Bernard Couderc", "bernard.couderc@exemple.fr", ""),
    ("Yvette Salgues", "", "06 98 76 54 32"),
    ("Fatima Benaïssa", "fatima.b@exemple.fr", ""),
    ("Jean-Pierre Vialard", "jp.vialard@exemple.fr", "05 65 10 20 30"),
    ("Colette Bru", "", "06 33 44 55 66"),
]


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def _next_weekday(day: date, weekday: int, *, at_least: int = 0) -> date:
    """The first `weekday` (0 = Monday) on or after `day + at_least` days."""
    day += timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _venue(name: str):
    from directory.models import Venue

    return Venue.objects.get(slug=slugify(name))


def _workshop(title: str, created: list[Workshop], **fields) -> tuple[Workshop, bool]:
    existing = Workshop.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    workshop = Workshop.objects.create(title=title, **fields)
    created.append(workshop)
    return workshop, True


def _session(workshop: Workshop, dates: list[tuple[datetime, datetime]], *, animators=(), **fields) -> Session:
    session = Session.objects.create(workshop=workshop, start=dates[0][0], end=dates[-1][1],
                                     created_by=fields.pop("created_by", None), **fields)
    SessionDate.objects.bulk_create([SessionDate(session=session, start=start, end=end) for start, end in dates])
    session.animators.set(animators)
    return session


def _member(session: Session, local: str, **fields) -> Registration:
    now = timezone.now()
    fields.setdefault("confirmed_at", now if fields.get("status", "confirmed") == "confirmed" else None)
    return Registration.objects.create(session=session, user=_user(local), kind=Registration.Kind.MEMBER, **fields)


def _visitor(session: Session, index: int, *, on_site_by: User | None = None, **fields) -> Registration:
    name, email, phone = VISITORS[index % len(VISITORS)]
    now = timezone.now()
    status = fields.get("status", "confirmed")
    return Registration.objects.create(
        session=session, kind=Registration.Kind.ON_SITE if on_site_by else Registration.Kind.VISITOR,
        name=name, email=email, phone=phone, registered_by=on_site_by,
        consent_at=None if on_site_by else now, confirmed_at=now if status == "confirmed" else None, **fields)


@transaction.atomic
def seed(log=print, today: date | None = None) -> int:
    """The demo's workshops; returns how many workshops were created."""
    today = today or timezone.localdate()
    now = timezone.now()
    coordination, referent = _user("coordination"), _user("referent")
    causses = Territory.objects.filter(slug="pays-des-causses").first()
    saint_aurele = Territory.objects.filter(slug="ville-de-saint-aurele").first()
    tanneurs = Territory.objects.filter(slug="quartier-des-tanneurs").first()
    created: list[Workshop] = []

    # Requests for workshops, with voices (the author's voice counts).
    demands = {}
    for title, author, voices, territory, status, themes, description in [
        ("Réemploi et reconditionnement des ordinateurs", "thomas.vidal", ["youssef.amrani", "coordination"],
         causses, Demand.Status.ANSWERED, [Service.EQUIPMENT],
         "Savoir diagnostiquer un vieux portable, changer un disque, installer un système léger."),
        ("Utiliser France Identité et l’identité numérique", "ines.garcia",
         ["jeanne.roux", "amelie.faure", "helene.morel"], None, Demand.Status.OPEN, [Service.PAPERWORK],
         "Les usagers nous demandent de plus en plus d’aide pour activer l’application France Identité."),
        ("Programmer avec Scratch pour les enfants", "julien.castel", ["nadia.cherif"], tanneurs,
         Demand.Status.OPEN, [Service.PARENTING, Service.LEISURE],
         "Pour lancer des ateliers du mercredi avec les centres de loisirs."),
    ]:
        demand = Demand.objects.filter(title=title).first()
        if demand is None:
            demand = Demand.objects.create(title=title, description=description, themes=themes, territory=territory,
                                           created_by=_user(author), status=status)
        for local in [author, *voices]:
            DemandVote.objects.get_or_create(demand=demand, user=_user(local))
        Demand.objects.filter(pk=demand.pk).update(votes=DemandVote.objects.filter(demand=demand).count())
        demands[title] = demand

    # 1. A proposal waiting for the coordination.
    _workshop(PROPOSAL, created, proposed_by=_user("jeanne.roux"), territory=causses, status=Workshop.Status.PROPOSED,
              summary="Accompagner une demande de carte d’identité, de passeport ou de permis sur le site de l’ANTS.",
              description="Les pièges les plus courants, les justificatifs, la pré-demande en ligne, "
                          "et comment accompagner sans faire à la place.",
              themes=[Service.PAPERWORK], level=Workshop.Level.INTERMEDIATE, duration_minutes=150,
              prerequisites="Avoir déjà accompagné quelques démarches en ligne.")

    # 2. Accepted, waiting for its dates; it answers a request.
    _workshop(ACCEPTED, created, proposed_by=_user("thomas.vidal"), territory=causses, status=Workshop.Status.ACCEPTED,
              status_changed_at=now - timedelta(days=3), status_changed_by=referent,
              demand=demands["Réemploi et reconditionnement des ordinateurs"],
              summary="Diagnostiquer, réparer et installer un système léger sur un ordinateur donné.",
              themes=[Service.EQUIPMENT, Service.ACCESS], level=Workshop.Level.INTERMEDIATE, duration_minutes=180,
              to_bring="Un tournevis cruciforme, une clé USB de 8 Go.")

    # 3. For the network's staff, scheduled: two sessions (at a venue, and online).
    workshop, new = _workshop(
        NETWORK, created, proposed_by=_user("paul.lacombe"), status=Workshop.Status.SCHEDULED,
        status_changed_at=now - timedelta(days=10), status_changed_by=coordination,
        summary="Monter une courte vidéo sur smartphone, puis l’animer avec un groupe.",
        themes=[Service.LEISURE], level=Workshop.Level.BEGINNER, duration_minutes=180,
        to_bring="Un smartphone chargé et son câble.")
    if new:
        day = _next_weekday(today, 3, at_least=8)
        session = _session(workshop, [(_at(day, 9, 30), _at(day, 12, 30))], venue=_venue("EPM des Tanneurs"),
                           location="Salle informatique, rez-de-chaussée", capacity=8,
                           animators=[_user("paul.lacombe")], created_by=coordination)
        for local in ("coordination", "animateur", "lucas.bonnet", "julien.castel", "amelie.faure"):
            _member(session, local)
        day = _next_weekday(today, 1, at_least=16)
        session = _session(workshop, [(_at(day, 14), _at(day, 17))], online_url="https://visio.exemple.fr/montage-video",
                           capacity=20, animators=[_user("paul.lacombe"), _user("lucas.bonnet")],
                           created_by=coordination)
        for local in ("animatrice", "ines.garcia", "youssef.amrani"):
            _member(session, local)

    # 4. Public, scheduled: a session full (a place offered to the coordination, a waiting
    # list), and another at a venue close by with places left.
    workshop, new = _workshop(
        FULL, created, proposed_by=_user("animateur"), territory=saint_aurele, status=Workshop.Status.SCHEDULED,
        audience=Workshop.Audience.PUBLIC, status_changed_at=now - timedelta(days=12), status_changed_by=coordination,
        summary="Créer une adresse, lire et envoyer un message, joindre un document, éviter les arnaques.",
        themes=[Service.EVERYDAY_TOOLS], publics=[schema.Public.SENIORS], level=Workshop.Level.BEGINNER,
        duration_minutes=120, prerequisites="Savoir utiliser une souris ou un écran tactile.",
        to_bring="Votre téléphone portable (pour recevoir un code).")
    if new:
        day = _next_weekday(today, 4, at_least=6)
        full = _session(workshop, [(_at(day, 10), _at(day, 12))],
                        venue=_venue("Médiathèque municipale de Saint-Aurèle"), location="Espace multimédia, 1er étage",
                        capacity=4, animators=[_user("animateur")],
                        registration_deadline=_at(day - timedelta(days=1), 18), created_by=coordination)
        _visitor(full, 0)
        _visitor(full, 1, on_site_by=_user("animateur"))
        _visitor(full, 2)
        _member(full, "coordination", status=Registration.Status.OFFERED, offer_expires_at=now + timedelta(hours=20),
                waiting_since=now - timedelta(days=2))
        _visitor(full, 3, status=Registration.Status.WAITING, waiting_since=now - timedelta(days=1))
        _member(full, "helene.morel", status=Registration.Status.WAITING, waiting_since=now - timedelta(hours=5))
        _visitor(full, 4, status=Registration.Status.CANCELLED, cancelled_at=now - timedelta(days=2))
        day = _next_weekday(today, 2, at_least=13)
        close = _session(workshop, [(_at(day, 14), _at(day, 16))], venue=_venue("Cyber-base de l'Office de tourisme"),
                         capacity=10, animators=[_user("animateur")], created_by=coordination)
        _visitor(close, 5)
        _visitor(close, 6)

    # 5. A cycle of six tablet sessions for seniors (public), Tuesdays 14 h - 16 h.
    workshop, new = _workshop(
        CYCLE, created, proposed_by=_user("helene.morel"), territory=tanneurs, status=Workshop.Status.SCHEDULED,
        audience=Workshop.Audience.PUBLIC, status_changed_at=now - timedelta(days=20), status_changed_by=referent,
        summary="Six séances pour apprivoiser sa tablette : les gestes, les photos, les messages, "
                "les appels vidéo, les applications utiles et la sécurité.",
        themes=[Service.EVERYDAY_TOOLS, Service.SAFETY], publics=[schema.Public.SENIORS],
        level=Workshop.Level.BEGINNER, duration_minutes=120,
        to_bring="Votre tablette chargée (des tablettes sont prêtées à qui n’en a pas).")
    if new:
        first = _next_weekday(today, 1, at_least=5)
        dates = [(_at(first + timedelta(weeks=i), 14), _at(first + timedelta(weeks=i), 16)) for i in range(6)]
        cycle = _session(workshop, dates, title="Tablette, 6 séances", venue=_venue("Espace public numérique du CCAS"),
                         capacity=8, animators=[_user("helene.morel"), _user("youssef.amrani")], created_by=referent)
        for index in range(5):
            _visitor(cycle, index + 3, on_site_by=_user("helene.morel") if index % 2 else None)
        _member(cycle, "coordination")

    # 6. Held ten days ago: attendance taken, evaluations answered (anonymous).
    workshop, new = _workshop(
        HELD, created, proposed_by=_user("youssef.amrani"), status=Workshop.Status.HELD,
        status_changed_at=now - timedelta(days=9), status_changed_by=coordination,
        summary="Mots de passe, gestionnaire, double authentification : les bons réflexes à transmettre.",
        themes=[Service.SAFETY], level=Workshop.Level.BEGINNER, duration_minutes=150)
    if new:
        day = today - timedelta(days=10)
        held = _session(workshop, [(_at(day, 14), _at(day, 16, 30))],
                        venue=_venue("EPM de la Maison des associations"), capacity=12,
                        animators=[_user("youssef.amrani")], created_by=coordination,
                        evaluation_sent_at=_at(day, 16, 30) + timedelta(hours=1))
        marks = [("coordination", "present", ""), ("jeanne.roux", "present", ""), ("thomas.vidal", "present", ""),
                 ("nadia.cherif", "present", ""), ("amelie.faure", "excused", "Formation"),
                 ("animatrice", "no_show", "")]
        date_row = held.dates.get()
        registrations = {}
        for local, mark, reason in marks:
            registration = _member(held, local, reminder_sent_at=_at(day, 14) - timedelta(hours=48))
            Attendance.objects.create(registration=registration, date=date_row, status=mark, reason=reason,
                                      recorded_by=_user("youssef.amrani"), recorded_at=_at(day, 16, 45))
            registrations[local] = registration
        questions = list(Question.objects.filter(workshop__isnull=True).order_by("order", "pk"))
        answers = {  # the three who answered (the coordination has not yet)
            "jeanne.roux": [5, 4, 5, "Adapté", "Oui", "Le gestionnaire de mots de passe, enfin compris."],
            "thomas.vidal": [4, 4, 4, "Trop rapide", "Oui", "Un peu rapide sur la double authentification."],
            "nadia.cherif": [5, 5, 4, "Adapté", "Peut-être", ""],
        }
        for local, values in answers.items():
            response = EvaluationResponse.objects.create(session=held, submitted_on=day + timedelta(days=1))
            for question, value in zip(questions, values, strict=False):
                if value == "":
                    continue
                Answer.objects.create(response=response, question=question,
                                      score=value if isinstance(value, int) else None,
                                      text=value if isinstance(value, str) else "")
            EvaluationDone.objects.create(registration=registrations[local])

    # 7. Cancelled, with notice to those registered.
    workshop, new = _workshop(
        CANCELLED, created, proposed_by=_user("nadia.cherif"), territory=causses, status=Workshop.Status.CANCELLED,
        audience=Workshop.Audience.PUBLIC, status_changed_at=now - timedelta(days=2), status_changed_by=coordination,
        status_reason="L’imprimante 3D est en réparation : l’atelier reviendra au printemps.",
        summary="Découvrir la modélisation et imprimer un petit objet.", themes=[Service.LEISURE],
        level=Workshop.Level.BEGINNER, duration_minutes=180)
    if new:
        day = _next_weekday(today, 5, at_least=9)
        cancelled = _session(workshop, [(_at(day, 9), _at(day, 12))], venue=_venue("Tiers-lieu La Fabrique du Lys"),
                             capacity=6, animators=[_user("nadia.cherif")], status=Session.Status.CANCELLED,
                             cancel_reason="L’imprimante 3D est en réparation.", created_by=coordination)
        for index in (0, 5):
            _visitor(cancelled, index, status=Registration.Status.CANCELLED, cancelled_at=now - timedelta(days=2))
        _member(cancelled, "coordination", status=Registration.Status.CANCELLED, cancelled_at=now - timedelta(days=2))
        Session.objects.filter(pk=cancelled.pk).update(updated_at=now - timedelta(days=2))

    log(f"Demo workshops ready: {Workshop.objects.filter(title__in=TITLES).count()} workshops "
        f"({len(created)} new), {Demand.objects.count()} requests.")
    return len(created)
