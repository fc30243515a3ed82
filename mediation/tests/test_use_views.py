"""The animator's pages: enter or scan a code, record a module, a venue's vouchers."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from mediation.models import Voucher, VoucherUse

pytestmark = pytest.mark.django_db

CODE = "K7MPRT4WXC"


@pytest.fixture
def world():
    venue = VenueFactory(name="EPN de Figeac")
    other_venue = VenueFactory(name="Médiathèque de Gourdon")
    outside = VenueFactory(name="Tiers-lieu de Souillac")
    programme = ProgrammeFactory(name="Ticket déclic Lot", venues=[venue, other_venue])
    organisation = OrganisationFactory(programmes=[programme])
    voucher = VoucherFactory(programme=programme, organisation=organisation, code=CODE, first_name="Camille",
                             valid_from=date(2026, 1, 5), valid_until=date(2027, 1, 4))
    animator = UserFactory(venues=[venue])
    return {"venue": venue, "other_venue": other_venue, "outside": outside, "programme": programme,
            "organisation": organisation, "voucher": voucher, "animator": animator,
            "modules": list(programme.modules.all())}


def record_url(voucher):
    return reverse("tickets:record-module", args=[voucher.pk])


# --- Entering a code -------------------------------------------------------------------------------


def test_enter_page(world):
    response = english_client(world["animator"]).get(reverse("tickets:enter"))
    assert response.status_code == 200
    page = soup(response)
    field = page.select_one("input[name=code]")
    assert (field["autocomplete"], field["autocapitalize"], field["inputmode"]) == ("off", "characters", "text")
    assert text_of(page.select_one("label[for=id_code]")).startswith("Voucher code")
    assert "under the QR code" in text_of(page.select_one("#id_code_helptext"))
    assert page.select_one("nav.contact-tabs a[aria-current=page]")["href"] == reverse("tickets:enter")
    assert [(text_of(link), link["href"]) for link in page.select("#my-venues-title + ul a")] == [
        ("EPN de Figeac", reverse("tickets:venue", args=[world["venue"].pk]))]


def test_enter_a_code_goes_to_the_voucher(world):
    response = english_client(world["animator"]).post(reverse("tickets:enter"), {"code": "k7mp rt4w-xc"})
    assert response.status_code == 302
    assert response["Location"] == record_url(world["voucher"])


def test_enter_an_unknown_code_keeps_it(world):
    response = english_client(world["animator"]).post(reverse("tickets:enter"), {"code": "K7MP-RT4W-XA"})
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("input[name=code]")["value"] == "K7MP-RT4W-XA"
    assert text_of(page.select_one("#id_code_error")) == "No voucher has this code: check it on the card."


def test_enter_too_many_guesses(world, settings):
    settings.VOUCHER_GUESS_LIMIT = 2
    client = english_client(world["animator"])
    for _ in range(2):
        client.post(reverse("tickets:enter"), {"code": "AAAAAAAAAA"})
    response = client.post(reverse("tickets:enter"), {"code": CODE})
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#id_code_error")) == (
        "Too many attempts: try again in a quarter of an hour.")


def test_enter_denied_to_a_member_without_venue(world):
    response = english_client(UserFactory()).get(reverse("tickets:enter"))
    assert response.status_code == 403


def test_scanned_code_redirects(world):
    url = reverse("tickets:code", args=["K7MP-RT4W-XC"])
    response = english_client(world["animator"]).get(url)
    assert response.status_code == 302
    assert response["Location"] == record_url(world["voucher"])


def test_scanned_code_from_a_venue_outside_the_programme(world):
    stranger = UserFactory(venues=[world["outside"]])
    response = english_client(stranger).get(reverse("tickets:code", args=[CODE]))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("#id_code_error")) == "None of your venues takes part in Ticket déclic Lot."
    assert page.select_one("input[name=code]")["value"] == CODE


# --- Recording a module ----------------------------------------------------------------------------


def test_record_page(world):
    VoucherUse.objects.create(voucher=world["voucher"], module=world["modules"][0], venue=world["other_venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    Voucher.objects.filter(pk=world["voucher"].pk).update(modules_done=1)
    response = english_client(world["animator"]).get(record_url(world["voucher"]))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("h1")) == "Voucher K7MP-RT4W-XC"
    items = page.select(".voucher-modules__item")
    assert len(items) == 10
    assert text_of(items[0]) == "✓ 1. Module 1 done on 03/02/2026 at Médiathèque de Gourdon"
    radios = page.select("input[name=module]")
    assert len(radios) == 9
    assert radios[0].has_attr("checked") and radios[0]["value"] == str(world["modules"][1].pk)
    venue_options = page.select("select[name=venue] option")
    assert [(text_of(option), option.has_attr("selected")) for option in venue_options] == [
        ("EPN de Figeac (Cahors)", True)]
    assert page.select_one("input[name=date]")["value"] == timezone.localdate().isoformat()
    assert page.select_one("input[name=duration_minutes]")["value"] == "120"
    # Not served here yet: the beneficiary's first name is not shown.
    assert "Camille" not in text_of(page.select_one(".voucher-summary"))


def test_record_page_shows_the_name_once_served_here(world):
    VoucherUse.objects.create(voucher=world["voucher"], module=world["modules"][0], venue=world["venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    response = english_client(world["animator"]).get(record_url(world["voucher"]))
    assert "Camille" in text_of(soup(response).select_one(".voucher-summary"))


def test_record_a_module_through_the_page(world):
    client = english_client(world["animator"])
    today = timezone.localdate()
    response = client.post(record_url(world["voucher"]), {
        "module": world["modules"][2].pk, "venue": world["venue"].pk, "date": today.isoformat(),
        "duration_minutes": "90"}, follow=True)
    assert messages_of(response) == ["Module 3 recorded: 9 modules left."]
    use = VoucherUse.objects.get()
    assert (use.module.position, use.venue, use.date, use.duration_minutes) == (3, world["venue"], today, 90)


def test_record_the_last_module_through_the_page(world):
    for module in world["modules"][:9]:
        VoucherUse.objects.create(voucher=world["voucher"], module=module, venue=world["venue"],
                                  date=date(2026, 2, 3), duration_minutes=120)
    Voucher.objects.filter(pk=world["voucher"].pk).update(modules_done=9)
    response = english_client(world["animator"]).post(record_url(world["voucher"]), {
        "module": world["modules"][9].pk, "venue": world["venue"].pk, "date": timezone.localdate().isoformat(),
        "duration_minutes": ""}, follow=True)
    assert messages_of(response) == ["Module 10 recorded: the voucher is completed."]
    assert Voucher.objects.get(pk=world["voucher"].pk).status == "completed"
    page = soup(response)
    assert page.select("input[name=module]") == []  # nothing left to record
    assert text_of(page.select_one(".message--warning")) == "Every module of this voucher is already done."


def test_record_invalid_keeps_the_input(world):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = english_client(world["animator"]).post(record_url(world["voucher"]), {
        "module": world["modules"][4].pk, "venue": world["venue"].pk, "date": tomorrow.isoformat(),
        "duration_minutes": "45"})
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("#id_date_error")) == "The date cannot be in the future."
    assert page.select_one("input[name=date]")["value"] == tomorrow.isoformat()
    assert page.select_one("input[name=duration_minutes]")["value"] == "45"
    assert page.select_one(f"input[name=module][value='{world['modules'][4].pk}']").has_attr("checked")
    assert not VoucherUse.objects.exists()


def test_record_a_module_recorded_meanwhile(world):
    """The page was loaded before a colleague recorded module 2: the service's message."""
    VoucherUse.objects.create(voucher=world["voucher"], module=world["modules"][1], venue=world["other_venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    response = english_client(world["animator"]).post(record_url(world["voucher"]), {
        "module": world["modules"][1].pk, "venue": world["venue"].pk, "date": timezone.localdate().isoformat()})
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#id_module_error")) == (
        "Module 2 was already recorded on 03/02/2026 at Médiathèque de Gourdon.")
    assert VoucherUse.objects.count() == 1


def test_record_page_of_a_cancelled_voucher(world):
    Voucher.objects.filter(pk=world["voucher"].pk).update(status="cancelled")
    client = english_client(world["animator"])
    page = soup(client.get(record_url(world["voucher"])))
    assert text_of(page.select_one(".message--warning")) == "This voucher was cancelled."
    assert page.select("form.voucher-record-form") == []
    response = client.post(record_url(world["voucher"]), {
        "module": world["modules"][0].pk, "venue": world["venue"].pk, "date": timezone.localdate().isoformat()},
        follow=True)
    assert messages_of(response) == ["This voucher was cancelled."]
    assert not VoucherUse.objects.exists()


@pytest.mark.parametrize("who", ["outside", "no venue", "prescriber"])
def test_record_page_is_404_for_who_has_no_venue_in_the_programme(world, who):
    user = {
        "outside": lambda: UserFactory(venues=[world["outside"]]),
        "no venue": lambda: UserFactory(),
        "prescriber": lambda: PrescriberSeatFactory(organisation=world["organisation"], user=UserFactory()).user,
    }[who]()
    client = english_client(user)
    assert client.get(record_url(world["voucher"])).status_code == 404
    assert client.post(record_url(world["voucher"]), {"module": world["modules"][0].pk}).status_code == 404
    assert not VoucherUse.objects.exists()


def test_record_page_for_a_coordinator_lists_every_participating_venue(world):
    page = soup(english_client(CoordinatorFactory()).get(record_url(world["voucher"])))
    assert [text_of(option) for option in page.select("select[name=venue] option")] == [
        "Choose a venue", "EPN de Figeac (Cahors)", "Médiathèque de Gourdon (Cahors)"]


# --- A venue's vouchers ------------------------------------------------------------------------------


def test_venue_vouchers(world):
    voucher = world["voucher"]
    VoucherUse.objects.create(voucher=voucher, module=world["modules"][0], venue=world["venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    VoucherUse.objects.create(voucher=voucher, module=world["modules"][1], venue=world["other_venue"],
                              date=date(2026, 3, 10), duration_minutes=120)
    Voucher.objects.filter(pk=voucher.pk).update(modules_done=2)
    VoucherFactory(programme=world["programme"], organisation=world["organisation"])  # never served here
    served_elsewhere = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    VoucherUse.objects.create(voucher=served_elsewhere, module=world["modules"][0], venue=world["other_venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    response = english_client(world["animator"]).get(reverse("tickets:venue", args=[world["venue"].pk]))
    assert response.status_code == 200
    rows = soup(response).select("tbody tr")
    assert [[text_of(cell) for cell in row.select("th, td")] for row in rows] == [
        ["K7MP-RT4W-XC", "Camille", "Ticket déclic Lot", "2/10 modules", "10/03/2026", "expires on 4 January 2027"]]


def test_venue_vouchers_completed_tab(world):
    voucher = world["voucher"]
    VoucherUse.objects.create(voucher=voucher, module=world["modules"][0], venue=world["venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    client = english_client(world["animator"])
    url = reverse("tickets:venue", args=[world["venue"].pk])
    assert soup(client.get(url + "?etat=termines")).select("tbody tr") == []
    Voucher.objects.filter(pk=voucher.pk).update(status="completed", completed_at=timezone.now())
    assert soup(client.get(url)).select("tbody tr") == []
    rows = soup(client.get(url + "?etat=termines")).select("tbody tr")
    assert [text_of(row.select_one("th")) for row in rows] == ["K7MP-RT4W-XC"]


def test_venue_vouchers_denied(world):
    url = reverse("tickets:venue", args=[world["venue"].pk])
    assert english_client(UserFactory(venues=[world["other_venue"]])).get(url).status_code == 404
    assert english_client(world["animator"]).get(reverse("tickets:venue", args=[99999])).status_code == 404


def test_venue_vouchers_local_admin_sees_no_name_of_a_network_programme(world):
    VoucherUse.objects.create(voucher=world["voucher"], module=world["modules"][0], venue=world["venue"],
                              date=date(2026, 2, 3), duration_minutes=120)
    admin = UserFactory(referent_of=[world["venue"].territory])
    rows = soup(english_client(admin).get(reverse("tickets:venue", args=[world["venue"].pk]))).select("tbody tr")
    assert text_of(rows[0].select("td")[0]) == "—"


def test_venue_vouchers_query_count_is_flat(world):
    venue, programme, organisation = world["venue"], world["programme"], world["organisation"]
    module = world["modules"][0]

    def grow(factor):
        for _ in range(factor):
            other = ProgrammeFactory(venues=[venue], modules=3)
            for prog in (programme, other):
                voucher = VoucherFactory(programme=prog, organisation=organisation)
                first = module if prog is programme else other.modules.first()
                VoucherUse.objects.create(voucher=voucher, module=first, venue=venue, date=date(2026, 2, 3),
                                          duration_minutes=120)

    queries, page = queries_flat(english_client(world["animator"]), reverse("tickets:venue", args=[venue.pk]), grow)
    assert len(page.select("tbody tr")) == 20
    assert queries == 9


def test_record_page_query_count_is_flat(world):
    voucher = world["voucher"]
    done = iter(world["modules"])

    def grow(factor):
        for _ in range(factor):
            VoucherUse.objects.create(voucher=voucher, module=next(done), venue=world["venue"],
                                      date=date(2026, 2, 3), duration_minutes=120)

    queries, page = queries_flat(english_client(world["animator"]), record_url(voucher), grow)
    assert len(page.select(".voucher-modules__done")) == 10
    assert queries == 15  # the venue select is read twice by Django (its "required" attribute)
