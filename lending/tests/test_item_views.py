"""The catalogue's writing pages (lending/item_views.py) through the test client: forms shown,
refused forms redisplayed with everything typed, 404 for what one may not see, 403 with the
reason for what one may not do, the categories page's queries."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from extranet.testing.assertions import png
from extranet.testing.factories import (
    CoordinatorFactory,
    EquipmentCategoryFactory,
    ItemFactory,
    KitFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction
from lending.models import Category, Item, ItemEvent, Kit
from members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            venue_a, venue_b = VenueFactory(name="Médiathèque d'Aval"), VenueFactory(name="Tiers-lieu Bel-Air")
            data = {
                "venue_a": venue_a, "venue_b": venue_b,
                "coordinator": CoordinatorFactory(),
                "animator_a": UserFactory(venues=[venue_a]),
                "animator_b": UserFactory(venues=[venue_b]),
                "member": UserFactory(),
                "category": EquipmentCategoryFactory(name="Vidéoprojecteurs"),
            }
        yield data


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fresh = dict(world)
    for key in ("coordinator", "animator_a", "animator_b", "member"):
        fresh[key] = User.objects.get(pk=world[key].pk)
    return fresh


def client_of(user):
    return english_client(user)


def messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def summary(response):
    node = soup(response).select_one(".form-errors")
    return text_of(node) if node else ""


def item_data(w, **changes):
    data = {"name": "Vidéoprojecteur Epson", "category": w["category"].pk, "description": "Pour les ateliers",
            "owner": str(w["venue_a"].pk), "home_venue": str(w["venue_a"].pk), "inventory_number": "",
            "condition": "good", "notes": "", "may_leave_venue": "on", "buffer_before": "1", "buffer_after": "2",
            "accessories": ["Télécommande", "", "Câble HDMI"]}
    data.update(changes)
    return data


# --- Items ------------------------------------------------------------------------------------


def test_the_create_form_offers_the_actors_owners(w):
    page = soup(client_of(w["animator_a"]).get(reverse("materiel:item-create")))
    assert [o.get_text() for o in page.select("#id_owner option")] == ["Médiathèque d'Aval"]
    homes = [o.get_text() for o in page.select("#id_home_venue option")]
    assert homes[0] == "At the resource centre" and "Tiers-lieu Bel-Air (Cahors)" in homes
    assert len(page.select("input[name=accessories]")) == 3
    page = soup(client_of(w["coordinator"]).get(reverse("materiel:item-create")))
    assert [o.get_text() for o in page.select("#id_owner option")][0] == "Resource centre"


def test_who_adds_nothing_gets_a_403_with_the_reason(w):
    response = client_of(w["member"]).get(reverse("materiel:item-create"))
    assert response.status_code == 403
    assert "You may add equipment only for a venue you work in or administer." in response.content.decode()


def test_create(w):
    response = client_of(w["animator_a"]).post(reverse("materiel:item-create"),
                                               item_data(w, photos=[png("face.png")]))
    item = Item.objects.get(name="Vidéoprojecteur Epson")
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert (item.owner_venue, item.buffer_before, item.buffer_after) == (w["venue_a"], 1, 2)
    assert list(item.accessories.values_list("name", flat=True)) == ["Télécommande", "Câble HDMI"]
    assert item.photos.count() == 1
    assert messages(response) == [f"« Vidéoprojecteur Epson » is in the catalogue (number {item.inventory_number})."]


def test_a_refused_create_keeps_everything_typed(w):
    ItemFactory(name="Tablette 3", inventory_number="TAB-3")
    response = client_of(w["animator_a"]).post(reverse("materiel:item-create"),
                                               item_data(w, inventory_number="tab-3", buffer_after="20"))
    assert response.status_code == 200
    text = summary(response)
    assert "The inventory number tab-3 is already given to « Tablette 3 »." not in text  # the form refused first
    assert "Days kept free after each loan" in text
    page = soup(response)
    assert page.select_one("#id_name")["value"] == "Vidéoprojecteur Epson"
    assert page.select_one("#id_description").get_text().strip() == "Pour les ateliers"
    assert [i.get("value") for i in page.select("input[name=accessories]")] == [
        "Télécommande", "Câble HDMI", "", "", ""]
    # Once the form is valid, the service's refusal shows the same way.
    response = client_of(w["animator_a"]).post(reverse("materiel:item-create"), item_data(w, inventory_number="tab-3"))
    assert "The inventory number tab-3 is already given to « Tablette 3 »." in summary(response)
    assert soup(response).select_one("#id_inventory_number")["value"] == "tab-3"
    assert not Item.objects.filter(name="Vidéoprojecteur Epson").exists()


def test_edit(w):
    item = ItemFactory(name="Tablette", owner_venue=w["venue_a"], home_venue=w["venue_a"], accessories=["Housse"])
    url = reverse("materiel:item-edit", args=[item.pk])
    page = soup(client_of(w["animator_a"]).get(url))
    assert page.select_one("#id_name")["value"] == "Tablette"
    assert [i.get("value") for i in page.select("input[name=accessories]")] == ["Housse", "", "", ""]
    response = client_of(w["animator_a"]).post(url, item_data(w, name="Tablette 10 pouces", condition="worn",
                                                               inventory_number=item.inventory_number,
                                                               accessories=["Housse", "Chargeur"]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.name, item.condition) == ("Tablette 10 pouces", "worn")
    assert list(item.accessories.values_list("name", flat=True)) == ["Housse", "Chargeur"]
    assert sorted(item.events.values_list("kind", flat=True)) == ["condition", "edited"]


def test_edit_by_someone_else(w):
    item = ItemFactory(owner_venue=w["venue_a"])
    url = reverse("materiel:item-edit", args=[item.pk])
    response = client_of(w["animator_b"]).get(url)
    assert response.status_code == 403
    assert "Only the managers of this equipment may change it." in response.content.decode()
    assert client_of(w["animator_b"]).post(url, item_data(w, name="À moi")).status_code == 403
    Item.objects.filter(pk=item.pk).update(status="retired")
    assert client_of(w["animator_b"]).get(url).status_code == 404
    assert client_of(w["animator_a"]).get(url).status_code == 200
    assert client_of(w["animator_b"]).get(reverse("materiel:item-edit", args=[item.pk + 1000])).status_code == 404


def test_repair_and_back(w):
    item = ItemFactory(name="Robot", owner_venue=w["venue_a"])
    loan = reservation_make(item=item, venue=w["venue_b"], status="approved")
    url = reverse("materiel:item-repair", args=[item.pk])
    client = client_of(w["animator_a"])
    page = soup(client.get(url))
    assert page.select_one("form textarea[name=note]") is not None
    assert page.select_one(f"a[href='{loan.get_absolute_url()}']") is not None
    response = client.post(url, {"note": ""})
    assert response.status_code == 200 and "Say what is wrong with it." in summary(response)
    response = client.post(url, {"note": "Une roue cassée"})
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    shown = messages(response)
    assert shown[0] == "« Robot » is in repair: it cannot be booked until it is back."
    assert f'href="{loan.get_absolute_url()}"' in shown[1]
    item.refresh_from_db()
    assert item.status == "repair"
    page = soup(client.get(url))
    assert page.select_one("select[name=condition]") is not None
    response = client.post(url, {"condition": "good", "note": "Roue changée"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "available"
    assert list(item.events.order_by("pk").values_list("kind", flat=True)) == ["repair_start", "repair_end"]


def test_repair_of_a_retired_item_says_why(w):
    item = ItemFactory(owner_venue=w["venue_a"], status="retired")
    response = client_of(w["animator_a"]).post(reverse("materiel:item-repair", args=[item.pk]), {"note": "x"})
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert messages(response) == ["This equipment is retired."]
    assert not ItemEvent.objects.filter(item=item).exists()


def test_repair_by_someone_else(w):
    item = ItemFactory(owner_venue=w["venue_a"])
    response = client_of(w["animator_b"]).post(reverse("materiel:item-repair", args=[item.pk]), {"note": "x"})
    assert response.status_code == 403
    assert "Only the managers of this equipment may send it to repair." in response.content.decode()


def test_retire(w):
    item = ItemFactory(name="Tablette", owner_venue=w["venue_a"])
    pickup = timezone.localdate() + timedelta(days=4)
    loan = reservation_make(item=item, venue=w["venue_b"], pickup=pickup, return_date=pickup)
    url = reverse("materiel:item-retire", args=[item.pk])
    client = client_of(w["animator_a"])
    page = soup(client.get(url))
    assert page.select_one(f".item-loans a[href='{loan.get_absolute_url()}']") is not None
    response = client.post(url, {"note": "Hors d'usage"})
    assert response.status_code == 200
    assert "A loan to come holds this equipment: Tiers-lieu Bel-Air" in summary(response)
    assert soup(response).select_one("textarea[name=note]").get_text().strip() == "Hors d'usage"
    loan.status = "cancelled"
    loan.save()
    loan.bookings.update(holds=False)
    response = client.post(url, {"note": "Hors d'usage"})
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).status == "retired"
    assert client_of(w["animator_b"]).post(url, {"note": "x"}).status_code == 404


# --- Kits -------------------------------------------------------------------------------------


def test_kit_form_lists_the_owners_items_by_category(w):
    screens = EquipmentCategoryFactory(name="Écrans")
    ItemFactory(name="Caméra", owner_venue=w["venue_a"])
    ItemFactory(name="Écran 24", owner_venue=w["venue_a"], category=screens)
    ItemFactory(name="Écran d'ailleurs", owner_venue=w["venue_b"], category=screens)
    ItemFactory(name="Vieil écran", owner_venue=w["venue_a"], category=screens, status="retired")
    page = soup(client_of(w["animator_a"]).get(reverse("materiel:kit-create")))
    groups = {text_of(f.legend): [text_of(label) for label in f.select("label")]
              for f in page.select(".kit-form__group")}
    assert set(groups) == {"Vidéoprojecteurs", "Écrans"}
    assert [name.split(" MAT-")[0] for name in groups["Écrans"]] == ["Écran 24"]
    assert page.select_one("input[name=owner][type=hidden]")["value"] == str(w["venue_a"].pk)


def test_kit_create_and_edit(w):
    camera = ItemFactory(name="Caméra", owner_venue=w["venue_a"])
    micro = ItemFactory(name="Micro", owner_venue=w["venue_a"])
    client = client_of(w["animator_a"])
    data = {"name": "Kit visio", "description": "", "owner": str(w["venue_a"].pk), "items": [str(camera.pk)]}
    response = client.post(reverse("materiel:kit-create"), data)
    assert response.status_code == 200
    assert "Choose at least two items: a kit lends several items together." in summary(response)
    assert soup(response).select_one(f"#kit-item-{camera.pk}").has_attr("checked")
    response = client.post(reverse("materiel:kit-create"), {**data, "items": [str(camera.pk), str(micro.pk)]})
    kit = Kit.objects.get(name="Kit visio")
    assert response.status_code == 302 and response["Location"] == kit.get_absolute_url()
    url = reverse("materiel:kit-edit", args=[kit.pk])
    page = soup(client.get(url))
    assert page.select_one(f"#kit-item-{micro.pk}").has_attr("checked")
    assert client_of(w["animator_b"]).get(url).status_code == 403
    response = client.post(url, {"name": "Kit visio 2", "owner": str(w["venue_a"].pk),
                                 "items": [str(camera.pk), str(micro.pk)], "auto_approve": "on"})
    assert response.status_code == 302
    kit.refresh_from_db()
    assert (kit.name, kit.auto_approve) == ("Kit visio 2", True)


def test_kit_owner_choice_without_javascript(w):
    ItemFactory(name="Caméra du centre", owner_venue=None)
    ItemFactory(name="Caméra d'Aval", owner_venue=w["venue_a"])
    client = client_of(w["coordinator"])
    response = client.post(reverse("materiel:kit-create"), {"name": "Kit", "owner": "centre", "choose_owner": "1"})
    assert response.status_code == 200 and not summary(response)
    labels = [text_of(label) for label in soup(response).select(".kit-form__group label")]
    assert any(label.startswith("Caméra du centre") for label in labels)
    assert not any(label.startswith("Caméra d'Aval") for label in labels)
    assert soup(response).select_one("#id_name")["value"] == "Kit"
    assert not Kit.objects.exists()


# --- Categories -------------------------------------------------------------------------------


def test_categories_page_for_coordinators_only(w):
    response = client_of(w["animator_a"]).get(reverse("materiel:categories"))
    assert response.status_code == 403
    assert "Only the coordinators manage the categories." in response.content.decode()


def test_categories_add_rename_delete(w):
    client = client_of(w["coordinator"])
    url = reverse("materiel:categories")
    response = client.post(url, {"action": "create", "new-name": "Robots"})
    assert response.status_code == 302
    robots = Category.objects.get(name="Robots")
    response = client.post(url, {"action": "create", "new-name": "robots"})
    assert response.status_code == 200 and "A category « Robots » already exists." in summary(response)
    assert soup(response).select_one("#id_new-name")["value"] == "robots"
    response = client.post(url, {"action": "rename", "category": robots.pk, "name": "vidéoprojecteurs"})
    row = soup(response).select_one(f"#category-{robots.pk}")
    assert "A category « Vidéoprojecteurs » already exists." in text_of(row)
    assert row.select_one("input[name=name]")["value"] == "vidéoprojecteurs"
    response = client.post(url, {"action": "rename", "category": robots.pk, "name": "Robots éducatifs"})
    assert response.status_code == 302
    assert Category.objects.get(pk=robots.pk).name == "Robots éducatifs"
    ItemFactory(category=robots)
    response = client.post(url, {"action": "delete", "category": robots.pk})
    assert "« Robots éducatifs » holds 1 item: move it to another category first." in text_of(
        soup(response).select_one(f"#category-{robots.pk}"))
    Item.objects.filter(category=robots).delete()
    assert client.post(url, {"action": "delete", "category": robots.pk}).status_code == 302
    assert not Category.objects.filter(pk=robots.pk).exists()
    assert client.post(url, {"action": "delete", "category": "x"}).status_code == 404


def test_categories_page_queries_are_flat(w):
    client = client_of(w["coordinator"])
    made = []

    def grow(factor):
        for _ in range(factor):
            category = EquipmentCategoryFactory()
            made.append(category)
            ItemFactory(category=category)
            ItemFactory(category=category, status="retired")

    queries, page = queries_flat(client, reverse("materiel:categories"), grow)
    assert queries == 6, queries
    row = page.select_one(f"#category-{made[0].pk}")
    assert "1 item" in text_of(row) and "(and 1 retired)" in text_of(row)


def test_events_are_not_written_by_a_refused_form(w):
    item = ItemFactory(owner_venue=w["venue_a"])
    client_of(w["animator_a"]).post(reverse("materiel:item-edit", args=[item.pk]), item_data(w, name=""))
    assert not ItemEvent.objects.filter(item=item).exists()


def test_kit_of_someone_else_inactive_is_missing(w):
    kit = KitFactory(owner_venue=w["venue_a"], is_active=False)
    assert client_of(w["animator_b"]).get(reverse("materiel:kit-edit", args=[kit.pk])).status_code == 404
