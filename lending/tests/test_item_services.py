"""The catalogue's writing services (lending/catalogue.py): allowed, denied, invalid, and the
history each change writes. People, venues and a category are built once for the module."""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    EquipmentCategoryFactory,
    ItemFactory,
    KitFactory,
    PendingUserFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.shared import building, shared_transaction
from lending import catalogue
from lending.models import Accessory, AccessoryCheck, Category, Item, ItemEvent, ItemPhoto, Kit
from members.models import User

pytestmark = pytest.mark.django_db


def period(start, end):
    """A loan's dates as the English messages write them (lending/tests/test_dates.py pins the rule)."""
    if start == end:
        return f"on {start.day} {start:%B %Y}"
    if start.year != end.year:
        return f"from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    if start.month != end.month:
        return f"from {start.day} {start:%B} to {end.day} {end:%B %Y}"
    return f"from {start.day} to {end.day} {end:%B %Y}"


def state():
    return {
        "items": sorted(Item.objects.values_list("pk", "name", "status", "condition", "owner_venue_id",
                                                 "inventory_number", "buffer_before", "category_id")),
        "accessories": sorted(Accessory.objects.values_list("pk", "item_id", "name", "position")),
        "events": ItemEvent.objects.count(),
        "photos": ItemPhoto.objects.count(),
        "kits": sorted(Kit.objects.values_list("pk", "name", "is_active", "owner_venue_id")),
        "kit_items": sorted(Kit.items.through.objects.values_list("kit_id", "item_id")),
        "categories": sorted(Category.objects.values_list("pk", "name")),
        "media": assertions.media_files(),
    }


refused = partial(assertions.refused, state)


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
                "admin_a": UserFactory(referent_of=[venue_a.territory]),
                "member": UserFactory(),
                "pending": PendingUserFactory(),
                "category": EquipmentCategoryFactory(name="Vidéoprojecteurs"),
            }
        yield data


@pytest.fixture
def w(world):
    """The world, the people reloaded (no role cached by another test)."""
    fresh = dict(world)
    for key in ("coordinator", "animator_a", "animator_b", "admin_a", "member", "pending"):
        fresh[key] = User.objects.get(pk=world[key].pk)
    return fresh


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    """Messages in English; photos stored under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


def create(w, actor, **fields):
    arguments = {"name": "Vidéoprojecteur Epson", "category": w["category"], "owner_venue": w["venue_a"],
                 "home_venue": w["venue_a"], "condition": "good"}
    arguments.update(fields)
    return catalogue.item_create(actor=actor, **arguments)


# --- item_create ------------------------------------------------------------------------------


def test_create_gives_a_number_and_writes_the_history(w):
    item = create(w, w["animator_a"], accessories=["Télécommande", " ", "  Câble   HDMI "],
                  photos=[assertions.png("face.png")], buffer_before=2, buffer_after=14, auto_approve=True)
    item.refresh_from_db()
    assert item.inventory_number == f"MAT-{item.pk:05d}"
    assert (item.owner_venue, item.home_venue, item.buffer_before, item.buffer_after, item.auto_approve) == (
        w["venue_a"], w["venue_a"], 2, 14, True)
    assert list(item.accessories.values_list("name", "position")) == [("Télécommande", 0), ("Câble HDMI", 1)]
    assert list(item.photos.values_list("name", "is_image")) == [("face.png", True)]
    assert list(item.events.values_list("kind", "actor_id", "condition")) == [
        ("created", w["animator_a"].pk, "good")]
    assert item.created_by == w["animator_a"]


def test_create_for_the_resource_centre_by_a_coordinator(w):
    item = create(w, w["coordinator"], owner_venue=None, home_venue=None, inventory_number=" ab-12 ")
    assert (item.owner_venue_id, item.inventory_number) == (None, "ab-12")


def test_a_generated_number_skips_a_taken_one(w):
    first = create(w, w["coordinator"], owner_venue=None)
    # The next item takes the next id; the number after it is already typed on it.
    ItemFactory(inventory_number=f"MAT-{first.pk + 2:05d}")
    item = create(w, w["coordinator"], owner_venue=None)
    assert item.inventory_number == f"MAT-{item.pk + 1:05d}"


@pytest.mark.parametrize(("who", "owner", "message"), [
    ("animator_b", "venue_a", "You may add equipment only for a venue you work in or administer."),
    ("animator_a", None, "Only the coordinators add the resource centre's equipment."),
    ("member", "venue_a", "You may add equipment only for a venue you work in or administer."),
    ("pending", "venue_a", "Only members of the network may add equipment."),
])
def test_create_denied(w, who, owner, message):
    with refused(PermissionDenied, message):
        create(w, w[who], owner_venue=w[owner] if owner else None)


def test_a_local_admin_adds_for_their_territory(w):
    assert create(w, w["admin_a"]).owner_venue == w["venue_a"]


def test_a_typed_number_already_given_is_refused(w):
    ItemFactory(name="Tablette 3", inventory_number="TAB-003")
    with refused(ValidationError, "The inventory number tab-003 is already given to « Tablette 3 ».",
                 "inventory_number"):
        create(w, w["animator_a"], inventory_number="tab-003")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": "  "}, "name", "Give a name."),
    ({"buffer_before": 15}, "buffer_before", "A number of days from 0 to 14."),
    ({"buffer_after": -1}, "buffer_after", "A number of days from 0 to 14."),
    ({"condition": "superb"}, "condition", "Choose the condition of the equipment."),
    ({"category": None}, "category", "Choose a category."),
    ({"may_leave_venue": False, "home_venue": None}, "may_leave_venue",
     "Equipment that does not leave its venue must be kept at a venue: choose where it is kept."),
    ({"accessories": ["x" * 121]}, "accessories",
     "« xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… »: an accessory's name has at most 120 characters."),
])
def test_create_invalid(w, fields, field, message):
    with refused(ValidationError, message, field):
        create(w, w["animator_a"], **fields)


def test_photos_must_be_images(w):
    pdf = SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice", content_type="application/pdf")
    with refused(ValidationError, "« notice.pdf » is not a photo: add images (JPEG, PNG, GIF or WebP).", "photos"):
        create(w, w["animator_a"], photos=[pdf])
    fake = SimpleUploadedFile("face.png", b"not a picture at all", content_type="image/png")
    with refused(ValidationError, "« face.png » is not really a .png file.", "photos"):
        create(w, w["animator_a"], photos=[fake])
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        create(w, w["animator_a"], photos=[pdf])
    assert "notice.pdf" in error.value.message_dict["photos"][0]


# --- item_update ------------------------------------------------------------------------------


@pytest.fixture
def item(w):
    return ItemFactory(name="Tablette", owner_venue=w["venue_a"], home_venue=w["venue_a"], condition="good",
                       accessories=["Chargeur", "Housse"])


def test_a_condition_change_and_other_changes_write_their_events(w, item):
    catalogue.item_update(actor=w["animator_a"], item=item, name="Tablette Samsung", condition="worn",
                          buffer_before=3, description="")
    item.refresh_from_db()
    assert (item.name, item.condition, item.buffer_before) == ("Tablette Samsung", "worn", 3)
    events = list(item.events.order_by("pk").values_list("kind", "condition", "note"))
    assert events == [("condition", "worn", "Good → Worn, works"),
                      ("edited", "", "Changed: name, days kept free before a loan.")]


def test_nothing_changed_nothing_written(w, item):
    with assertions.nothing_saved(state):
        catalogue.item_update(actor=w["animator_a"], item=item, name="Tablette", condition="good",
                              accessories=["Chargeur", "Housse"])


def test_accessories_keep_their_checked_rows(w, item):
    charger, case = item.accessories.order_by("position")
    loan = reservation_make(item=item, status="returned")
    AccessoryCheck.objects.create(reservation=loan, accessory=charger, moment="out", present=True)
    catalogue.item_update(actor=w["animator_a"], item=item, accessories=["Stylet", "Chargeur", ""])
    rows = list(item.accessories.order_by("position").values_list("pk", "name", "position"))
    assert rows[1] == (charger.pk, "Chargeur", 1)
    assert rows[0][1:] == ("Stylet", 0)
    assert not Accessory.objects.filter(pk=case.pk).exists()
    assert AccessoryCheck.objects.filter(accessory=charger).count() == 1
    assert item.events.get().note == "Changed: accessories. Accessories removed: Housse."


def test_an_accessory_out_on_the_current_loan_stays(w, item):
    charger = item.accessories.get(name="Chargeur")
    loan = reservation_make(item=item, status="out")
    AccessoryCheck.objects.create(reservation=loan, accessory=charger, moment="out", present=True)
    with refused(ValidationError, "« Chargeur » went out with the current loan: take it out of the list after the "
                 "return.", "accessories"):
        catalogue.item_update(actor=w["animator_a"], item=item, accessories=["Housse"])


def test_photos_added_and_removed(w, item):
    catalogue.item_update(actor=w["animator_a"], item=item, photos_add=[assertions.png("a.png"),
                                                                        assertions.png("b.png")])
    first = item.photos.get(name="a.png")
    catalogue.item_update(actor=w["animator_a"], item=item, photos_remove=[first.pk])
    assert list(item.photos.values_list("name", flat=True)) == ["b.png"]
    assert [e.note for e in item.events.order_by("pk")] == ["Changed: photos.", "Changed: photos."]
    other = ItemFactory()
    ItemPhoto.objects.create(item=other, name="x.png", stored_name="x.png", size=1, content_type="image/png")
    with refused(ValidationError, "A photo to remove is not one of this item's.", "photos"):
        catalogue.item_update(actor=w["animator_a"], item=item, photos_remove=[other.photos.get().pk])


def test_someone_of_another_venue_may_not_edit(w, item):
    with refused(PermissionDenied, "Only the managers of this equipment may change it."):
        catalogue.item_update(actor=w["animator_b"], item=item, name="À moi")


def test_a_duplicate_number_on_edit(w, item):
    ItemFactory(name="Autre", inventory_number="X-1")
    with refused(ValidationError, "The inventory number X-1 is already given to « Autre ».", "inventory_number"):
        catalogue.item_update(actor=w["animator_a"], item=item, inventory_number="X-1")


def test_changing_the_owner_needs_both(w, item):
    with refused(PermissionDenied, "You may give this equipment only to an owner whose equipment you manage."):
        catalogue.item_update(actor=w["animator_a"], item=item, owner_venue=w["venue_b"])
    catalogue.item_update(actor=w["coordinator"], item=item, owner_venue=None)
    item.refresh_from_db()
    assert item.owner_venue is None
    assert item.events.get().note == "Changed: owner."


def test_an_item_of_a_kit_keeps_its_owner(w, item):
    KitFactory(name="Kit tablettes", owner_venue=w["venue_a"], items=[item, ItemFactory(owner_venue=w["venue_a"])])
    with refused(ValidationError, "This item is part of the kit « Kit tablettes », which has one owner: take it out "
                 "of the kit first.", "owner_venue"):
        catalogue.item_update(actor=w["coordinator"], item=item, owner_venue=None)


# --- Repair and retirement -------------------------------------------------------------------


def test_repair_returns_the_loans_to_come_and_back(w, item):
    today = timezone.localdate()
    approved = reservation_make(item=item, pickup=today + timedelta(days=5), status="approved")
    pending = reservation_make(item=item, pickup=today + timedelta(days=20), status="pending")
    reservation_make(item=item, pickup=today + timedelta(days=40), status="cancelled")
    reservation_make(item=item, pickup=today - timedelta(days=30), status="returned")
    affected = catalogue.item_send_to_repair(actor=w["animator_a"], item=item, note="L'écran ne s'allume plus")
    assert [r.pk for r in affected] == [approved.pk, pending.pk]
    item.refresh_from_db()
    assert item.status == "repair"
    with refused(ValidationError, "This equipment is already in repair."):
        catalogue.item_send_to_repair(actor=w["animator_a"], item=item, note="encore")
    catalogue.item_end_repair(actor=w["admin_a"], item=item, condition="worn", note="Écran changé")
    item.refresh_from_db()
    assert (item.status, item.condition) == ("available", "worn")
    assert list(item.events.order_by("pk").values_list("kind", "actor_id", "condition", "note")) == [
        ("repair_start", w["animator_a"].pk, "good", "L'écran ne s'allume plus"),
        ("repair_end", w["admin_a"].pk, "worn", "Écran changé"),
    ]


def test_repair_denied_and_invalid(w, item):
    with refused(PermissionDenied, "Only the managers of this equipment may send it to repair."):
        catalogue.item_send_to_repair(actor=w["animator_b"], item=item, note="cassé")
    with refused(ValidationError, "Say what is wrong with it.", "note"):
        catalogue.item_send_to_repair(actor=w["animator_a"], item=item, note=" ")
    with refused(ValidationError, "This equipment is not in repair."):
        catalogue.item_end_repair(actor=w["animator_a"], item=item, condition="good")
    Item.objects.filter(pk=item.pk).update(status="repair")
    with refused(PermissionDenied, "Only the managers of this equipment may say it is back from repair."):
        catalogue.item_end_repair(actor=w["animator_b"], item=item, condition="good")
    with refused(ValidationError, "Choose the condition of the equipment.", "condition"):
        catalogue.item_end_repair(actor=w["animator_a"], item=item, condition="")


def test_retire_refused_while_loans_are_to_come(w, item):
    pickup = timezone.localdate() + timedelta(days=3)
    loan = reservation_make(item=item, pickup=pickup, return_date=pickup + timedelta(days=1), status="approved",
                            venue=w["venue_b"])
    expected = (f"A loan to come holds this equipment: Tiers-lieu Bel-Air, "
                f"{period(pickup, pickup + timedelta(days=1))}. Cancel it first.")
    with refused(ValidationError, expected):
        catalogue.item_retire(actor=w["animator_a"], item=item, note="Trop vieux")
    loan.status = "out"
    loan.save()
    with refused(ValidationError, f"This equipment is out on loan (Tiers-lieu Bel-Air, "
                 f"{period(pickup, pickup + timedelta(days=1))}): record its return first."):
        catalogue.item_retire(actor=w["animator_a"], item=item, note="Trop vieux")


def test_retire(w, item):
    reservation_make(item=item, pickup=timezone.localdate() - timedelta(days=20), status="returned")
    with refused(PermissionDenied, "Only the managers of this equipment may change it."):
        catalogue.item_retire(actor=w["animator_b"], item=item, note="Trop vieux")
    with refused(ValidationError, "Say why it is retired.", "note"):
        catalogue.item_retire(actor=w["animator_a"], item=item, note="")
    catalogue.item_retire(actor=w["animator_a"], item=item, note="Trop vieux")
    item.refresh_from_db()
    assert item.status == "retired"
    assert list(item.events.values_list("kind", "note")) == [("retired", "Trop vieux")]
    with refused(ValidationError, "This equipment is already retired."):
        catalogue.item_retire(actor=w["animator_a"], item=item, note="encore")


# --- Kits -------------------------------------------------------------------------------------


def test_kit_create_and_its_rules(w):
    camera = ItemFactory(name="Caméra", owner_venue=w["venue_a"])
    micro = ItemFactory(name="Micro", owner_venue=w["venue_a"])
    theirs = ItemFactory(name="Écran", owner_venue=w["venue_b"])
    old = ItemFactory(name="Vieux micro", owner_venue=w["venue_a"], status="retired")
    with refused(PermissionDenied, "You may add equipment only for a venue you work in or administer."):
        catalogue.kit_create(actor=w["animator_b"], name="Kit", owner_venue=w["venue_a"], items=[camera, micro])
    with refused(ValidationError, "« Écran » does not belong to the kit's owner: a kit gathers the equipment of one "
                 "owner.", "items"):
        catalogue.kit_create(actor=w["animator_a"], name="Kit", owner_venue=w["venue_a"], items=[camera, theirs])
    with refused(ValidationError, "« Vieux micro » is retired: it cannot be part of a kit.", "items"):
        catalogue.kit_create(actor=w["animator_a"], name="Kit", owner_venue=w["venue_a"], items=[camera, old])
    with refused(ValidationError, "Choose at least two items: a kit lends several items together.", "items"):
        catalogue.kit_create(actor=w["animator_a"], name="Kit", owner_venue=w["venue_a"], items=[camera, camera])
    kit = catalogue.kit_create(actor=w["animator_a"], name=" Kit  visio ", owner_venue=w["venue_a"],
                               items=[camera, micro], auto_approve=True)
    assert (kit.name, kit.owner_venue, kit.auto_approve) == ("Kit visio", w["venue_a"], True)
    assert set(kit.items.values_list("name", flat=True)) == {"Caméra", "Micro"}


def test_kit_update(w):
    a, b, c = (ItemFactory(name=n, owner_venue=w["venue_a"]) for n in ("A", "B", "C"))
    kit = KitFactory(name="Kit", owner_venue=w["venue_a"], items=[a, b])
    with refused(PermissionDenied, "Only the managers of this equipment may change it."):
        catalogue.kit_update(actor=w["animator_b"], kit=kit, name="Le mien")
    catalogue.kit_update(actor=w["animator_a"], kit=kit, name="Kit 2", items=[a, b, c])
    assert set(kit.items.values_list("name", flat=True)) == {"A", "B", "C"}
    pickup = timezone.localdate() + timedelta(days=2)
    reservation_make(kit=kit, venue=w["venue_b"], pickup=pickup, return_date=pickup, status="approved")
    with refused(ValidationError, f"Loans of this kit are to come (Tiers-lieu Bel-Air, {period(pickup, pickup)}): "
                 "its items cannot change, nor can it be withdrawn, before they are over."):
        catalogue.kit_update(actor=w["animator_a"], kit=kit, items=[a, b])
    catalogue.kit_update(actor=w["animator_a"], kit=kit, description="Pour les visios")
    kit.refresh_from_db()
    assert (kit.name, kit.description) == ("Kit 2", "Pour les visios")


# --- Categories -------------------------------------------------------------------------------


def test_categories(w):
    screens = catalogue.category_create(actor=w["coordinator"], name="Écrans")
    with refused(ValidationError, "A category « Écrans » already exists.", "name"):
        catalogue.category_create(actor=w["coordinator"], name=" écrans ")
    with refused(ValidationError, "A category « Vidéoprojecteurs » already exists.", "name"):
        catalogue.category_rename(actor=w["coordinator"], category=screens, name="VIDÉOPROJECTEURS")
    catalogue.category_rename(actor=w["coordinator"], category=screens, name="écrans")
    assert Category.objects.get(pk=screens.pk).name == "écrans"
    ItemFactory(category=screens, status="retired")
    with refused(ValidationError, "« écrans » holds 1 item: move it to another category first."):
        catalogue.category_delete(actor=w["coordinator"], category=screens)
    Item.objects.filter(category=screens).update(category=w["category"])
    catalogue.category_delete(actor=w["coordinator"], category=screens)
    assert not Category.objects.filter(pk=screens.pk).exists()


def test_categories_are_for_coordinators(w):
    for who in ("animator_a", "admin_a", "pending"):
        with refused(PermissionDenied, "Only the coordinators manage the categories."):
            catalogue.category_create(actor=w[who], name="Robots")
        with refused(PermissionDenied, "Only the coordinators manage the categories."):
            catalogue.category_delete(actor=w[who], category=w["category"])
