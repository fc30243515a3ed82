"""Open data: export the venues in the national schema, import a file of it.

Export (`/annuaire/export.csv`, `/annuaire/export.json`, public): every venue, one row
each, with exactly the columns of `directory.schema.COLUMN_NAMES` in that order; lists
joined with `|`, `date_maj` the Paris date of the last update, `pivot` the schema's
placeholder when unknown, empty strings for empty optional fields. One query whatever
the number of venues (`values_list().iterator()`), written out in chunks.

Import (`venues_import`, used by `manage.py import_venues` and the Wagtail admin): a CSV
file of the same schema. Rows are matched on `id` (`Venue.identifier`): known venues are
updated with `directory.services.venue_update`, others created with `venue_create`,
both as `VenueRevision.Kind.IMPORTED` (the services check permissions, validate and
record a revision). Each row is its own transaction: an invalid row imports nothing and
is reported field by field (under the schema's column names); the others go in. A
problem with the file itself (encoding, size, CSV syntax, missing columns) imports
nothing. `dry_run=True` runs everything in a transaction rolled back at the end, so the
report tells what would happen and the database is left as it was.
"""

import contextlib
import csv
import datetime
import decimal
import io
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from directory import schema, selectors, services
from directory.fields import PipeListField, join_values, split_values
from directory.models import Venue, VenueRevision
from members import permissions

EXPORT_CHUNK_SIZE = 2000  # rows fetched from the database at a time
EXPORT_WRITE_BATCH = 200  # rows written per chunk of the response
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

# The model fields behind the columns, in the export's order.
EXPORT_FIELDS = tuple(schema.FIELD_FOR_COLUMN[column] for column in schema.COLUMN_NAMES)
COORDINATE_COLUMNS = ("latitude", "longitude")


# --- Export ---------------------------------------------------------------------------------


def plain_number(value):
    """`Decimal("43.526090")` -> `"43.52609"`, `Decimal("5.000000")` -> `"5"`; None -> `""` (no exponent)."""
    if value is None:
        return ""
    text = format(decimal.Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def export_date(moment):
    """The Paris (default time zone) date of `moment`, ISO: `2024-04-02`."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date().isoformat()


def export_records(queryset=None, *, chunk_size=EXPORT_CHUNK_SIZE):
    """Each venue as `{column: value}` in the schema's order.

    Values are strings, except latitude and longitude: a `Decimal`, or None when unknown.
    One query in all (the rows are streamed from the database `chunk_size` at a time).
    """
    queryset = Venue.objects.order_by("pk") if queryset is None else queryset
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=chunk_size)
    for row in rows:
        record = {}
        for column, field_name, value in zip(schema.COLUMN_NAMES, EXPORT_FIELDS, row, strict=True):
            if column in COORDINATE_COLUMNS:
                record[column] = value
            elif field_name == "updated_at":
                record[column] = export_date(value)
            elif field_name == "pivot":
                record[column] = value or schema.UNKNOWN_PIVOT
            elif field_name == "phone":
                # Numbers saved before the services normalised them (`05 65...`) leave as +33...
                record[column] = services.normalize_phone(value) if value else ""
            elif isinstance(value, list):
                record[column] = join_values(value)
            else:
                record[column] = "" if value is None else str(value)
        yield record


def csv_row(record):
    return [plain_number(value) if column in COORDINATE_COLUMNS else value for column, value in record.items()]


def json_record(record):
    """The record with numbers for the coordinates (or None), as the JSON export writes it."""
    return {
        column: (None if value is None else float(value)) if column in COORDINATE_COLUMNS else value
        for column, value in record.items()
    }


def export_csv_chunks(queryset=None):
    """The CSV file (UTF-8, comma, quoted as needed, header first) as a series of strings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(schema.COLUMN_NAMES)
    for count, record in enumerate(export_records(queryset), start=1):
        writer.writerow(csv_row(record))
        if count % EXPORT_WRITE_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_json_chunks(queryset=None):
    """A JSON list of objects with the schema's keys in its order, as a series of strings."""
    yield "["
    batch = []
    first = True
    for record in export_records(queryset):
        batch.append(json.dumps(json_record(record), ensure_ascii=False))
        if len(batch) == EXPORT_WRITE_BATCH:
            yield ("" if first else ",\n") + ",\n".join(batch)
            first, batch = False, []
    if batch:
        yield ("" if first else ",\n") + ",\n".join(batch)
    yield "]\n"


def export_filename(extension):
    return f"lieux-mediation-numerique-{timezone.localdate().isoformat()}.{extension}"


# --- Import: the report ---------------------------------------------------------------------


@dataclass
class RowReport:
    """What happened to one row of the file: `line` is where it starts (the header is line 1)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"

    line: int
    identifier: str = ""
    name: str = ""
    status: str = ""
    # [(column, message)]: column is a schema column name, or "" for the row as a whole.
    errors: list = field(default_factory=list)
    venue_id: int | None = None
    dry_run: bool = False

    @property
    def ok(self):
        return self.status != self.FAILED

    def status_text(self, dry_run=None):
        dry_run = self.dry_run if dry_run is None else dry_run
        if self.status == self.CREATED:
            return _("would be created") if dry_run else pgettext("venue import", "created")
        if self.status == self.UPDATED:
            return _("would be updated") if dry_run else pgettext("venue import", "updated")
        if self.status == self.UNCHANGED:
            return pgettext("venue import", "unchanged")
        return pgettext("venue import", "errors")

    def error_texts(self):
        return [
            _("%(column)s: %(message)s") % {"column": column, "message": message} if column else message
            for column, message in self.errors
        ]

    def summary(self, dry_run=None):
        """`line 3: created`, `line 4: errors — code_postal: ...` (in the active language)."""
        if self.ok:
            return _("line %(line)d: %(status)s") % {"line": self.line, "status": self.status_text(dry_run)}
        return _("line %(line)d: errors — %(errors)s") % {"line": self.line, "errors": " ; ".join(self.error_texts())}


@dataclass
class ImportReport:
    dry_run: bool = False
    rows: list = field(default_factory=list)
    # Problems with the file as a whole (nothing was imported) and warnings (ignored columns).
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def _count(self, status):
        return sum(1 for row in self.rows if row.status == status)

    @property
    def created(self):
        return self._count(RowReport.CREATED)

    @property
    def updated(self):
        return self._count(RowReport.UPDATED)

    @property
    def unchanged(self):
        return self._count(RowReport.UNCHANGED)

    @property
    def failed(self):
        return self._count(RowReport.FAILED)

    @property
    def ok(self):
        """No file-level error and no row in error."""
        return not self.errors and not self.failed

    def totals_text(self):
        if self.dry_run:
            text = _(
                "Dry run, nothing was saved: %(created)d would be created, %(updated)d would be updated, "
                "%(unchanged)d unchanged, %(failed)d in error."
            )
        else:
            text = _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(failed)d in error.")
        return text % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }


class FileError(Exception):
    """The file cannot be imported at all (its message says why)."""


# --- Import: reading the file ---------------------------------------------------------------

DATE_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_FR_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _read_bytes(file):
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_BYTES + 1)
        if isinstance(data, str):
            data = data.encode()
    if len(data) > MAX_BYTES:
        raise FileError(
            _("The file is larger than %(limit)d MB: split it into several files and import them one by one.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    return data


def _decode(data):
    try:
        # utf-8-sig: with or without the byte order mark spreadsheets add.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(
            _(
                "The file is not encoded in UTF-8 (line %(line)d cannot be read). Save it again as "
                "« CSV UTF-8 » from your spreadsheet, then import it again."
            )
            % {"line": line}
        ) from None


def _delimiter(text):
    first_line = text.split("\n", 1)[0]
    # A French spreadsheet often saves with semicolons: accept them when the header shows it.
    if "," not in first_line and ";" in first_line:
        return ";"
    return ","


def read_table(file):
    """(header, [(line, cells)]) of a CSV file; `FileError` when it cannot be read as a whole."""
    text = _decode(_read_bytes(file))
    if not text.strip():
        raise FileError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows = []
    try:
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as exc:
        raise FileError(
            _("The file is not a valid CSV file (line %(line)d: %(error)s). Check its quotes and separators.")
            % {"line": reader.line_num, "error": exc}
        ) from None
    if not rows:
        raise FileError(_("The file is empty."))
    (_line, header), body = rows[0], rows[1:]
    if len(body) > MAX_ROWS:
        raise FileError(
            _("The file holds more than %(limit)d venues: split it into several files and import them one by one.")
            % {"limit": MAX_ROWS}
        )
    return [name.strip().lower() for name in header], body


def _check_header(header):
    """Warnings about the header; `FileError` if it is unusable."""
    seen = set()
    for name in header:
        if name and name in seen:
            raise FileError(_("The column « %(column)s » appears twice in the header.") % {"column": name})
        seen.add(name)
    missing = [column for column in schema.REQUIRED_COLUMNS if column not in seen]
    if missing:
        raise FileError(
            _("Required columns are missing: %(columns)s. The first line must name the schema's columns.")
            % {"columns": ", ".join(missing)}
        )
    unknown = [name for name in header if name and name not in schema.FIELD_FOR_COLUMN]
    warnings = []
    if unknown:
        warnings.append(_("Unknown columns, ignored: %(columns)s.") % {"columns": ", ".join(unknown)})
    if any(not name for name in header):
        warnings.append(_("Columns without a name were ignored."))
    return warnings


def parse_date(text):
    """A date_maj: `2024-04-02` (the schema's format) or `02/04/2024` (as spreadsheets show it)."""
    text = text.strip()
    try:
        if DATE_ISO_RE.match(text):
            return datetime.date.fromisoformat(text)
        match = DATE_FR_RE.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        pass
    raise ValueError(
        _("« %(value)s » is not a date: write it as YYYY-MM-DD, for example 2024-04-02.") % {"value": text[:40]}
    )


def parse_coordinate(text):
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = decimal.Decimal(text)
    except decimal.InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(_("« %(value)s » is not a number (for example 44.44795).") % {"value": text[:40]})
    return value.quantize(decimal.Decimal("0.000001"), rounding=decimal.ROUND_HALF_UP)


@dataclass
class ParsedRow:
    line: int
    identifier: str
    name: str
    updated_at: datetime.datetime | None
    data: dict
    errors: list
    duplicate: bool = False


def parse_row(line, header, cells):
    """The service data of one row, and what could not be read (under column names)."""
    columns = dict(zip(header, cells, strict=False))
    identifier = columns.get("id", "").strip()
    parsed = ParsedRow(line, identifier, columns.get("nom", "").strip(), None, {}, [])
    if len(cells) != len(header):
        parsed.errors.append(
            (
                "",
                _("This line has %(found)d values where the header has %(expected)d columns.")
                % {"found": len(cells), "expected": len(header)},
            )
        )
        return parsed
    if not identifier:
        parsed.errors.append(("id", _("This required value is missing.")))
    for column, value in columns.items():
        field_name = schema.FIELD_FOR_COLUMN.get(column)
        if field_name is None or column == "id":
            continue
        if column == "date_maj":
            if not value.strip():
                parsed.errors.append((column, _("This required value is missing.")))
                continue
            try:
                parsed.updated_at = services.local_noon(parse_date(value))
            except ValueError as exc:
                parsed.errors.append((column, str(exc)))
        elif column in COORDINATE_COLUMNS:
            try:
                parsed.data[field_name] = parse_coordinate(value)
            except ValueError as exc:
                parsed.errors.append((column, str(exc)))
        elif column == "pivot":
            value = value.strip()
            parsed.data[field_name] = "" if value == schema.UNKNOWN_PIVOT else value
        elif isinstance(Venue._meta.get_field(field_name), PipeListField):
            parsed.data[field_name] = split_values(value)
        else:
            parsed.data[field_name] = value.strip()
    return parsed


# --- Import: saving -------------------------------------------------------------------------


class _Rollback(Exception):
    """Undo a row tried only to collect its validation errors."""


def _column(field_name):
    if field_name == NON_FIELD_ERRORS:
        return ""
    return schema.COLUMN_FOR_FIELD.get(field_name, field_name)


def service_errors(exc):
    """A service's `ValidationError` as [(column, message)], model field names turned into columns."""
    if hasattr(exc, "error_dict"):
        return [
            (_column(field_name), message)
            for field_name, errors in exc.error_dict.items()
            for message in ValidationError(errors).messages
        ]
    return [("", message) for message in exc.messages]


def _save_row(*, actor, territory, parsed):
    """Create or update the row's venue; returns (status, venue). Raises the services' exceptions."""
    venue = Venue.objects.filter(identifier=parsed.identifier).first() if parsed.identifier else None
    if venue is not None:
        before = selectors.latest_revision_id(venue)
        venue = services.venue_update(
            actor=actor,
            venue=venue,
            data=parsed.data,
            updated_at=parsed.updated_at,
            kind=VenueRevision.Kind.IMPORTED,
        )
        changed = selectors.latest_revision_id(venue) != before
        return (RowReport.UPDATED if changed else RowReport.UNCHANGED), venue
    if territory is None:
        if parsed.errors:
            raise _Rollback  # refused already: the missing territory would only add noise
        raise ValidationError(
            _("This venue is new and no territory was chosen for new venues: choose one and import again.")
        )
    venue = services.venue_create(
        actor=actor,
        territory=territory,
        data=parsed.data,
        identifier=parsed.identifier or None,
        updated_at=parsed.updated_at,
        kind=VenueRevision.Kind.IMPORTED,
    )
    return RowReport.CREATED, venue


def import_row(*, actor, territory, parsed):
    """One row in its own transaction (a savepoint): all of it, or nothing and its errors."""
    report = RowReport(line=parsed.line, identifier=parsed.identifier, name=parsed.name)
    errors = list(parsed.errors)
    try:
        with transaction.atomic():
            status, venue = _save_row(actor=actor, territory=territory, parsed=parsed)
            if errors:
                # The row is refused already; the services ran to report the other fields too.
                raise _Rollback
        report.status, report.venue_id = status, venue.pk
        return report
    except _Rollback:
        pass
    except ValidationError as exc:
        failed_columns = {column for column, _message in errors}
        errors += [(column, message) for column, message in service_errors(exc) if column not in failed_columns]
    except PermissionDenied as exc:
        errors.append(("", str(exc) or _("You are not allowed to change this venue.")))
    except IntegrityError:
        errors.append(("", _("This row clashes with a venue saved at the same time: import it again.")))
    report.status, report.errors = RowReport.FAILED, errors
    return report


def venues_import(*, actor, file, territory=None, dry_run=False):
    """Import a CSV file of the national schema; returns an `ImportReport`.

    `actor`: the user importing (None: the command line, every right); `file`: bytes or
    a binary file object; `territory`: where new venues go (None: new venues are refused,
    updates still apply). Raises `PermissionDenied` when `actor` may not import (only
    local admins and coordinators do) or may not add venues to `territory`.
    """
    if actor is not None:
        if not permissions.is_local_admin(actor):
            raise PermissionDenied(_("Only local admins and coordinators import venues."))
        if territory is not None and not permissions.can_create_venue(actor, territory):
            raise PermissionDenied(_("You cannot add a venue in this territory."))
    report = ImportReport(dry_run=dry_run)
    try:
        header, body = read_table(file)
        report.warnings = _check_header(header)
    except FileError as exc:
        report.errors.append(str(exc))
        return report
    if not body:
        report.errors.append(_("The file holds no venue: only its header line."))
        return report
    first_line = {}
    parsed_rows = []
    for line, cells in body:
        parsed = parse_row(line, header, cells)
        if parsed.identifier:
            if parsed.identifier in first_line:
                parsed.errors.insert(
                    0,
                    (
                        "id",
                        _("The id « %(id)s » is already used on line %(line)d of this file.")
                        % {"id": parsed.identifier[:100], "line": first_line[parsed.identifier]},
                    ),
                )
                parsed.duplicate = True
            else:
                first_line[parsed.identifier] = line
        parsed_rows.append(parsed)
    # A dry run is one transaction rolled back at the end; otherwise each row commits alone.
    with transaction.atomic() if dry_run else contextlib.nullcontext():
        for parsed in parsed_rows:
            if parsed.duplicate or (parsed.errors and not parsed.data):
                # A repeated id would change the first row's venue: never run it.
                report.rows.append(
                    RowReport(
                        line=parsed.line,
                        identifier=parsed.identifier,
                        name=parsed.name,
                        status=RowReport.FAILED,
                        errors=parsed.errors,
                    )
                )
                continue
            report.rows.append(import_row(actor=actor, territory=territory, parsed=parsed))
        if dry_run:
            transaction.set_rollback(True)
    for row in report.rows:
        row.dry_run = dry_run
    return report
