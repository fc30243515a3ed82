"""A report's exports: CSV (one view, or every view one after the other, each under a title
row) for French Excel, and XLSX (one sheet per view, numbers as numbers)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from core import spreadsheets
from mediation.reports import Euros, Hours, Percent, Report, Score, View, cell_text

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {Percent: "0%", Euros: '#,##0.00 "€"', Hours: "0.0", Score: "0.0"}
# A sheet's name: at most 31 characters, none of these.
SHEET_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


def _csv_rows(view: View) -> list[list[str]]:
    return [list(map(str, view.columns))] + [
        [cell_text(value, plain=True) for value in row] for row in view.rows
    ]


def csv_response(report: Report, view_key: str | None) -> HttpResponse:
    """One view (404 when no view has this key), or every view one after another, each under
    a row with its title, an empty row between them. UTF-8 with a byte order mark, ";"."""
    if view_key is not None:
        view = report.view(view_key)
        if view is None:
            raise Http404
        views = [view]
    else:
        views = report.views
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheets.writer(buffer)
    for index, view in enumerate(views):
        if view_key is None:
            if index:
                writer.writerow([])
            writer.writerow([view.title])
        writer.writerows(_csv_rows(view))
    name = f"rapport-{report.slug}" + (f"-{view_key}" if view_key else "")
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _sheet_title(title: str, taken: set[str]) -> str:
    base = title.translate(SHEET_FORBIDDEN).strip()[:31] or "Feuille"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" {number}"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _xlsx_value(value: Any) -> tuple[Any, str | None]:
    """(what the cell holds, its number format)."""
    if value is None:
        return None, None
    for kind, number_format in FORMATS.items():
        if isinstance(value, kind):
            return (float(value) if isinstance(value, Percent) else Decimal(str(value))), number_format
    if isinstance(value, int | Decimal):
        return value, None
    return str(value), None


def xlsx_response(report: Report) -> HttpResponse:
    """One sheet per view (named after its title), its header row bold; numbers as numbers,
    percentages and amounts formatted."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    taken: set[str] = set()
    for view in report.views:
        sheet = workbook.create_sheet(_sheet_title(view.title, taken))
        sheet.append([str(column) for column in view.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in view.rows:
            values = [_xlsx_value(value) for value in row]
            sheet.append([value for value, _format in values])
            for cell, (_value, number_format) in zip(sheet[sheet.max_row], values, strict=True):
                if number_format:
                    cell.number_format = number_format
        sheet.column_dimensions["A"].width = max([len(str(row[0])) for row in view.rows] + [12]) + 2
        for letter in "BCDEF"[: len(view.columns) - 1]:
            sheet.column_dimensions[letter].width = 22
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="rapport-{report.slug}.xlsx"'
    return response
