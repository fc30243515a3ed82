from datetime import date

from django import template

from lending.dates import period_text

register = template.Library()


@register.simple_tag
def loan_period(start: date, end: date) -> str:
    """{% loan_period reservation.pickup_date reservation.return_date %}: "du 17 au 19 décembre 2026"."""
    return period_text(start, end)
