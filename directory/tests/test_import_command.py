"""`manage.py import_venues FILE.csv [--dry-run] [--territory SLUG] [--as EMAIL]`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from directory.models import Venue, VenueRevision
from directory.tests.test_opendata import EXAMPLE_CSV, csv_bytes, valid_row
from extranet.testing.factories import VenueFactory


@pytest.fixture(autouse=True)
def english():
    # Source strings: the assertions below read them (the French is in locale/).
    with translation.override("en"):
        yield


def write(tmp_path, content, name="lieux.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def run(*args):
    """(stdout, stderr) of the command; CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_venues", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_clean_file_is_imported_and_summarised(tmp_path, territory):
    path = write(tmp_path, EXAMPLE_CSV)
    out, err = run(path, "--territory", territory.slug)
    assert out.splitlines() == ["line 2: created", "1 created, 0 updated, 0 unchanged, 0 in error."]
    assert err == ""
    venue = Venue.objects.get(identifier="structure-1")
    assert venue.territory == territory
    assert venue.revisions.get().author is None  # the command line: no author


def test_a_failed_row_is_listed_with_its_errors_and_the_command_fails(tmp_path, territory):
    path = write(tmp_path, csv_bytes([valid_row(id="lieu-1"), valid_row(id="lieu-2", code_postal="460")]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("import_venues", path, "--territory", territory.slug, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "line 2: created"
    assert lines[1].startswith("line 3: errors — code_postal: ")
    assert "five digits" in lines[1]
    assert lines[2] == "1 created, 0 updated, 0 unchanged, 1 in error."
    assert list(Venue.objects.values_list("identifier", flat=True)) == ["lieu-1"]


def test_a_file_level_error_fails_and_imports_nothing(tmp_path, territory):
    path = write(tmp_path, csv_bytes([valid_row(nom="Médiathèque")], encoding="latin-1"))
    with pytest.raises(CommandError, match="not encoded in UTF-8"):
        run(path, "--territory", territory.slug)
    assert not Venue.objects.exists()


def test_a_dry_run_says_what_would_happen_and_saves_nothing(tmp_path, venue):
    path = write(tmp_path, csv_bytes([valid_row(id=venue.identifier, nom="Renommé"), valid_row(id="lieu-neuf")]))
    out, _err = run(path, "--dry-run", "--territory", venue.territory.slug)
    assert out.splitlines() == [
        "line 2: would be updated",
        "line 3: would be created",
        "Dry run, nothing was saved: 1 would be created, 1 would be updated, 0 unchanged, 0 in error.",
    ]
    venue.refresh_from_db()
    assert venue.name == "EPM de Limogne"
    assert Venue.objects.count() == 1
    assert not VenueRevision.objects.exists()


def test_a_dry_run_with_errors_fails_too(tmp_path, territory):
    path = write(tmp_path, csv_bytes([valid_row(code_postal="x")]))
    with pytest.raises(CommandError):
        run(path, "--dry-run", "--territory", territory.slug)


def test_unknown_columns_are_a_warning_on_stderr(tmp_path, territory):
    columns = [*[column for column in valid_row()], "equipement"]
    path = write(tmp_path, csv_bytes([valid_row()], columns))
    out, err = run(path, "--territory", territory.slug)
    assert "Unknown columns, ignored: equipement." in err
    assert out.splitlines()[0] == "line 2: created"


def test_without_a_territory_new_venues_are_refused_and_updates_apply(tmp_path, venue):
    path = write(tmp_path, csv_bytes([valid_row(id=venue.identifier, nom="Renommé"), valid_row(id="lieu-neuf")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_venues", path, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "line 2: updated"
    assert lines[1].startswith("line 3: errors — ") and "territory" in lines[1]
    assert Venue.objects.get(pk=venue.pk).name == "Renommé"


def test_as_a_local_admin_a_venue_of_another_territory_is_refused(tmp_path, referent, territory, other_territory):
    VenueFactory(territory=other_territory, identifier="lieu-ailleurs", name="Cyber-base d'ailleurs")
    path = write(tmp_path, csv_bytes([valid_row(id="lieu-ailleurs", nom="Piraté"), valid_row(id="lieu-ici")]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_venues", path, "--territory", territory.slug, "--as", referent.email.upper(), stdout=out)
    assert out.getvalue().splitlines()[:2] == ["line 2: errors — You cannot edit this venue.", "line 3: created"]
    assert Venue.objects.get(identifier="lieu-ailleurs").name == "Cyber-base d'ailleurs"
    assert Venue.objects.get(identifier="lieu-ici").revisions.get().author == referent


def test_as_a_local_admin_another_territory_is_refused_at_once(tmp_path, referent, other_territory):
    path = write(tmp_path, csv_bytes([valid_row()]))
    with pytest.raises(CommandError, match="cannot add a venue in this territory"):
        run(path, "--territory", other_territory.slug, "--as", referent.email)
    assert not Venue.objects.exists()


def test_as_a_plain_member_nothing_is_imported(tmp_path, member, venue):
    path = write(tmp_path, csv_bytes([valid_row(id=venue.identifier, nom="Renommé")]))
    with pytest.raises(CommandError, match="Only local admins and coordinators"):
        run(path, "--as", member.email)
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--territory", "nulle-part"], "No territory has the slug « nulle-part »"),
        (["--as", "personne@exemple.test"], "No account has the e-mail address personne@exemple.test"),
    ],
)
def test_unknown_territory_or_account(tmp_path, territory, args, message):
    path = write(tmp_path, csv_bytes([valid_row()]))
    with pytest.raises(CommandError, match=message):
        run(path, *args)
    assert not Venue.objects.exists()


def test_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "absent.csv"))
