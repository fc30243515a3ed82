"""lending.dates: a loan's dates in words, written by hand in both languages."""

from datetime import date

import pytest
from django.utils.translation import override

from lending.dates import period_text


@pytest.mark.parametrize(("start", "end", "french", "english"), [
    (date(2026, 12, 17), date(2026, 12, 17), "le 17 décembre 2026", "on 17 December 2026"),
    (date(2026, 12, 17), date(2026, 12, 19), "du 17 au 19 décembre 2026", "from 17 to 19 December 2026"),
    (date(2026, 11, 30), date(2026, 12, 2), "du 30 novembre au 2 décembre 2026",
     "from 30 November to 2 December 2026"),
    (date(2026, 12, 30), date(2027, 1, 2), "du 30 décembre 2026 au 2 janvier 2027",
     "from 30 December 2026 to 2 January 2027"),
])
def test_period_text(start, end, french, english):
    with override("fr"):
        assert period_text(start, end) == french
    with override("en"):
        assert period_text(start, end) == english
