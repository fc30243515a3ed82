"""files/demo.py and resources/demo.py: the demo files and library (seeded once for the module,
after the demos they build on); a second run creates nothing."""

from __future__ import annotations

import pytest

from directory import demo as directory_demo
from extranet.testing.shared import building, shared_transaction
from files import demo as files_demo
from files.models import Drive, File, FileVersion, Folder
from lending import demo as lending_demo
from members import demo as members_demo
from resources import demo as resources_demo
from resources.models import (
    Collection,
    CollectionItem,
    KitStep,
    Rating,
    Report,
    Resource,
    ResourceFile,
    Tag,
    WorkshopKit,
)
from workgroups import demo as workgroups_demo
from workshops import demo as workshops_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

MODELS = (Folder, File, FileVersion, Resource, ResourceFile, KitStep, Tag, Collection, CollectionItem, Rating,
          Report, WorkshopKit)


def quiet(_line: str) -> None:
    pass


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            members_demo.seed(make_venues=directory_demo.seed_venues, log=quiet)
            workgroups_demo.seed(log=quiet)
            workshops_demo.seed(log=quiet)
            lending_demo.seed(log=quiet)
            made = (files_demo.seed(log=quiet), resources_demo.seed(log=quiet))
        yield made


def test_seeding_twice_creates_nothing_new(demo):
    # 8 files in the three drives, the one with two versions, the one sent to the trash; 9 resources.
    assert demo == (10, 9)
    before = counts()
    assert files_demo.seed(log=quiet) == 0
    assert resources_demo.seed(log=quiet) == 0
    assert counts() == before


def test_files_are_in_three_drives_with_versions_and_trash():
    drives = {file.drive_id for file in File.objects.all()}
    assert len(drives) == 3
    assert Drive.objects.filter(pk__in=drives, space__kind="network").count() == 1
    assert Drive.objects.filter(pk__in=drives, space__kind="territory").count() == 1
    assert Drive.objects.filter(pk__in=drives, space__kind="workgroup").count() == 1
    report = File.objects.get(name=files_demo.TWO_VERSIONS)
    assert list(report.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert report.current.number == 2
    trashed = File.objects.get(name=files_demo.TRASHED)
    assert trashed.deleted_at is not None
    # The generated PNG and PDF passed the content checks (real bytes).
    assert File.objects.get(name="Bandeau des affiches.png").is_image
    assert File.objects.get(name="Charte graphique du réseau.pdf").content_type == "application/pdf"
    # Quotas count every stored version.
    for drive in Drive.objects.filter(pk__in=drives):
        assert drive.used == sum(FileVersion.objects.filter(file__drive=drive).values_list("size", flat=True))


def test_the_library_has_every_state():
    assert Resource.objects.count() == 9
    assert Resource.objects.filter(status="published").count() == 8
    assert Resource.objects.filter(status="published", visibility="public").count() == 5
    draft = Resource.objects.get(status="draft")
    assert draft.title == "Tutoriel FranceConnect (brouillon)"
    assert Resource.objects.get(title="Grille de repérage des compétences numériques").licence == "none"


def test_the_workshop_kit_is_complete_and_linked():
    kit = Resource.objects.get(title="Atelier : créer son adresse e-mail")
    assert kit.is_public
    assert [step.title for step in kit.steps.order_by("position")] == [
        "Accueil et tour de table",
        "Qu’est-ce qu’une adresse e-mail ?",
        "Choisir son fournisseur et son adresse",
        "Créer le compte sur la tablette",
        "Envoyer son premier message",
    ]
    assert sorted(kit.equipment_items.values_list("inventory_number", flat=True)) == [
        "CRN-TAB-001", "CRN-VP-001", "CRN-VP-003"]
    assert kit.files.count() == 2
    assert list(kit.author_links.order_by("position").values_list("user__email", flat=True)) == [
        "animatrice@maillage.test", "animateur@maillage.test"]
    link = WorkshopKit.objects.get(resource=kit)
    assert link.workshop.title == "Créer et utiliser son adresse e-mail"
    # 4 + 3 + 4 by three colleagues.
    kit.refresh_from_db()
    assert (kit.rating_count, kit.rating_sum) == (3, 11)


def test_collections_ratings_and_report():
    assert Rating.objects.count() == 7
    favourites = Collection.objects.filter(is_default=True)
    assert sorted(favourites.values_list("owner__email", flat=True)) == [
        "animateur@maillage.test", "jeanne.roux@maillage.test"]
    shared = Collection.objects.get(is_shared=True)
    assert shared.name == "Pour l’accueil des seniors"
    assert shared.items.count() == 3
    report = Report.objects.get()
    assert (report.status, report.reason, report.reporter.email) == ("open", "outdated", "lucas.bonnet@maillage.test")


def test_seed_demo_runs_both_demos_again():
    import io

    from django.core.management import call_command

    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo files ready: 0 new files, 0 new folders." in out.getvalue()
    assert "Demo resources ready: 9 resources (0 new)" in out.getvalue()
    assert counts() == before
