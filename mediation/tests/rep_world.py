"""The reports' tests' data (helper of test_rep_*.py): two territories, a venue in each, and
workshops, vouchers, statements and accompaniments in the first semester of 2025 and of 2024,
with what the report must read written by hand in the tests."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from mediation.models import ActivityBeneficiary, ActivityRecord, Settlement, Voucher, VoucherUse
from workshops.models import Answer, Attendance, EvaluationResponse, Question

PARIS = ZoneInfo("Europe/Paris")


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def session(factories, *, workshop, venue, dates, status="scheduled"):
    return factories.SessionFactory(workshop=workshop, venue=venue, status=status,
                                    dates=[(at(*day, hour), at(*day, hour + length)) for day, hour, length in dates])


def register(factories, session, status="confirmed"):
    return factories.RegistrationFactory(session=session, user=None, kind="on_site", name="Personne", status=status)


def mark(registration, day, status):
    Attendance.objects.create(registration=registration, date=day, status=status)


def evaluate(session, question, text_question, *scores):
    for score in scores:
        response = EvaluationResponse.objects.create(session=session, submitted_on=date(2025, 1, 1))
        Answer.objects.create(response=response, question=question, score=score)
        Answer.objects.create(response=response, question=text_question, text="Bien")


def voucher(factories, *, programme, organisation, issued, completed=None, uses=()):
    item = factories.VoucherFactory(programme=programme, organisation=organisation, valid_from=issued.date())
    Voucher.objects.filter(pk=item.pk).update(issued_at=issued, completed_at=completed)
    modules = list(programme.modules.order_by("position"))
    for position, (venue, day) in enumerate(uses):
        VoucherUse.objects.create(voucher=item, module=modules[position], venue=venue, date=day, duration_minutes=120)
    return item


def settlement(*, programme, venue, total, created, paid=None):
    return Settlement.objects.create(
        programme=programme, venue=venue, period_start=created.date(), period_end=created.date(),
        total=Decimal(total), created_at=created, paid_at=paid,
    )


def record(*, venue, territory, day, minutes, themes, kind="Individuel", participants=1, place="LieuActivite",
           ages=()):
    item = ActivityRecord.objects.create(
        venue=venue, territory=territory, date=day, duration_minutes=minutes, themes=themes, kind=kind,
        participants=participants, place_type=place,
    )
    ActivityBeneficiary.objects.bulk_create(ActivityBeneficiary(record=item, age_bracket=age) for age in ages)
    return item


def build_world(factories):
    """`factories`: extranet.testing.factories. Returns the named objects."""
    t1 = factories.TerritoryFactory(name="Rep Lot")
    t2 = factories.TerritoryFactory(name="Rep Tarn")
    v1 = factories.VenueFactory(territory=t1, name="Rep Médiathèque de Cahors")
    v2 = factories.VenueFactory(territory=t2, name="Rep Espace d'Albi")
    question = Question.objects.create(workshop=None, kind="scale", text="Rep satisfaction", order=90)
    text_question = Question.objects.create(workshop=None, kind="text", text="Rep remarks", order=91)

    # Workshops.
    w1 = factories.WorkshopFactory(territory=t1, status="held")
    w2 = factories.WorkshopFactory(territory=t2, status="held")
    s1 = session(factories, workshop=w1, venue=v1, dates=[((2025, 3, 10), 10, 2)])
    r1, r2, r3 = (register(factories, s1) for _ in range(3))
    r4 = register(factories, s1, status="cancelled")
    d1 = s1.dates.get()
    mark(r1, d1, "present")
    mark(r2, d1, "present")
    mark(r3, d1, "no_show")
    mark(r4, d1, "present")  # a cancelled registration's mark: not counted
    evaluate(s1, question, text_question, 5, 4)
    # Held at a venue of the second territory although the workshop is the first's.
    s2 = session(factories, workshop=w1, venue=v2, dates=[((2025, 5, 5), 14, 2), ((2025, 5, 12), 14, 2)])
    r5, r6 = register(factories, s2), register(factories, s2)
    first, second = s2.dates.order_by("start")
    mark(r5, first, "present")
    mark(r6, first, "excused")
    mark(r5, second, "present")
    mark(r6, second, "no_show")
    evaluate(s2, question, text_question, 2)
    # Online, on the last evening of the semester: the workshop's territory.
    s3 = session(factories, workshop=w2, venue=None, dates=[((2025, 6, 30), 20, 1)])
    mark(register(factories, s3), s3.dates.get(), "present")
    # Cancelled; and just after the semester (00:30 Paris, still 30 June in UTC).
    register(factories, session(factories, workshop=w1, venue=v1, dates=[((2025, 4, 1), 10, 2)], status="cancelled"))
    late = factories.SessionFactory(workshop=w1, venue=v1, dates=[(at(2025, 7, 1, 0, 30), at(2025, 7, 1, 2, 30))])
    register(factories, late)
    # A year before.
    s6 = session(factories, workshop=w1, venue=v1, dates=[((2024, 2, 1), 10, 2)])
    mark(register(factories, s6), s6.dates.get(), "present")
    evaluate(s6, question, text_question, 3)

    # Vouchers and statements.
    programme = factories.ProgrammeFactory(venues=[v1, v2])
    o1 = factories.OrganisationFactory(territory=t1, programmes=[programme])
    o2 = factories.OrganisationFactory(territory=t2, programmes=[programme])
    common = {"programme": programme}
    voucher(factories, **common, organisation=o1, issued=at(2025, 2, 1),
            uses=[(v1, date(2025, 2, 10)), (v1, date(2025, 3, 1))])
    voucher(factories, **common, organisation=o2, issued=at(2025, 3, 15), completed=at(2025, 6, 20),
            uses=[(v2, date(2025, 4, 1)), (v1, date(2025, 5, 1))])
    voucher(factories, **common, organisation=o2, issued=at(2025, 5, 1))
    voucher(factories, **common, organisation=o1, issued=at(2024, 12, 20), completed=at(2025, 1, 15),
            uses=[(v1, date(2024, 12, 28)), (v1, date(2025, 1, 10))])
    voucher(factories, **common, organisation=o1, issued=at(2024, 3, 1), uses=[(v1, date(2024, 3, 5))])
    voucher(factories, **common, organisation=o1, issued=at(2025, 7, 1, 0, 30))
    settlement(programme=programme, venue=v1, total="300.00", created=at(2025, 3, 31), paid=at(2025, 4, 15))
    settlement(programme=programme, venue=v2, total="150.00", created=at(2025, 6, 30))
    settlement(programme=programme, venue=v1, total="75.50", created=at(2024, 12, 31), paid=at(2025, 1, 20))
    settlement(programme=programme, venue=v1, total="40.00", created=at(2024, 6, 1), paid=at(2024, 6, 15))

    # Accompaniments.
    record(venue=v1, territory=t1, day=date(2025, 1, 15), minutes=30, themes=["Email", "Sante"],
           ages=["VingtCinqTrenteNeuf"])
    record(venue=v1, territory=t1, day=date(2025, 3, 3), minutes=120, themes=["Email"], kind="Collectif",
           participants=5, ages=["Mineur", "SoixanteSoixanteNeuf"])
    record(venue=v2, territory=t2, day=date(2025, 6, 30), minutes=45, themes=["BanqueEtAchatsEnLigne"],
           place="Domicile")
    record(venue=None, territory=t2, day=date(2025, 4, 10), minutes=15,
           themes=["Email", "SecuriteNumerique", "Sante"], place="ADistance", ages=["SoixanteDixPlus"])
    record(venue=v1, territory=t1, day=date(2025, 7, 1), minutes=60, themes=["Email"])
    record(venue=v2, territory=t2, day=date(2024, 5, 5), minutes=60, themes=["Email"], kind="Collectif",
           participants=3)
    return {"t1": t1, "t2": t2, "v1": v1, "v2": v2, "programme": programme, "o1": o1, "o2": o2,
            "w1": w1, "question": question}
