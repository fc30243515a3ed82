"""CSV files for spreadsheets, as the desk's exports write them for French Excel: ";" between
fields, CRLF line ends (the caller writes the byte order mark).

A text cell starting with "=", "+", "-", "@", a tab or a carriage return is one a spreadsheet
would run as a formula (CSV injection: a first name typed as `=HYPERLINK(...)` by someone
outside the network, opened by a coordinator): it is written with a leading apostrophe, which
the spreadsheet shows as text. Numbers, and signed figures such as "-33 pts" or "+12 %", are
written as they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed figure ("-33 pts", "+12 %", "+33 6 12 34 56 78") calls no function: kept as it is.
SIGNED_FIGURE = re.compile(r"^[+-][\d\s.,\u00a0\u202f]*(?:%|pts|€)?$")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not SIGNED_FIGURE.match(value):
        return "'" + value
    return value


class Writer:
    """`csv.writer` with the desk's dialect, neutralising formula-like text cells."""

    def __init__(self, file: Any) -> None:
        self._writer = csv.writer(file, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file: Any) -> Writer:
    return Writer(file)
