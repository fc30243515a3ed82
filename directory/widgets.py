# ruff: noqa: E501 (the HTML of HOURS_TEMPLATE keeps its long lines)
"""Desk widgets of the venue form, and the desk navigation entry.

`HoursWidget`: opening hours as one row per day (closed, or time ranges) plus public
holidays, rendered as plain inputs (no JavaScript needed: static/js/hours_editor.js only
adds "add a range" / "remove" buttons), with the raw OpenStreetMap value in a
"Saisie avancée" <details> for experts.
"""

import functools

from django import forms
from django.template import engines
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, register_nav
from directory import hours
from members import permissions

# Every member: the page lists the venues they keep up to date (their own, their territories').
register_nav(NavEntry(key="venues", label=_("Venues"), url_name="directory:venues", order=87,
                      visible=permissions.is_approved))


HOURS_TEMPLATE = """{% load i18n %}<div class="hours-editor" id="{{ id }}_editor" tabindex="-1" data-hours-editor
  data-label-add="{% translate 'Add a range' %}" data-label-remove="{% translate 'Remove this range' %}"
  data-label-start="{% translate 'Opens at' %}" data-label-end="{% translate 'Closes at' %}">
  <input type="hidden" name="{{ name }}__editor" value="1">
  <input type="hidden" name="{{ name }}__initial" value="{{ initial }}">
  {% if not representable %}<p class="hours-editor__notice" id="{{ id }}_notice">{% translate "These hours use the advanced syntax (a comment, months, weeks...), which the editor by day cannot show: change them in the advanced entry below, or fill in the days to replace them." %}</p>{% endif %}
  <p class="help" id="{{ id }}_days_help">{% translate "For each day, tick « Closed » or give the opening times (for example 09:00 to 12:00, then 14:00 to 18:00). Days with the same times are grouped in the published record." %}</p>
  <div class="hours-editor__days">
  {% for row in rows %}
  <fieldset class="hours-day" data-hours-day="{{ row.code }}">
    <legend class="hours-day__name">{{ row.name }}</legend>
    <div class="hours-day__closed">
      <input type="checkbox" name="{{ name }}__{{ row.code }}__closed" id="{{ id }}_{{ row.code }}_closed" value="1"{% if row.closed %} checked{% endif %}>
      <label for="{{ id }}_{{ row.code }}_closed">{% translate "Closed" %}</label>
    </div>
    <ol class="hours-day__ranges list-plain" data-hours-ranges>
      {% for start, end in row.ranges %}
      <li class="hours-range" data-hours-range>
        <span class="hours-range__field"><label for="{{ id }}_{{ row.code }}_start_{{ forloop.counter }}">{% translate "Opens at" %}<span class="visually-hidden">, {{ row.name }}, {% blocktranslate with n=forloop.counter %}range {{ n }}{% endblocktranslate %}</span></label>
        <input type="time" name="{{ name }}__{{ row.code }}__start" id="{{ id }}_{{ row.code }}_start_{{ forloop.counter }}" value="{{ start }}"></span>
        <span class="hours-range__field"><label for="{{ id }}_{{ row.code }}_end_{{ forloop.counter }}">{% translate "Closes at" %}<span class="visually-hidden">, {{ row.name }}, {% blocktranslate with n=forloop.counter %}range {{ n }}{% endblocktranslate %}</span></label>
        <input type="time" name="{{ name }}__{{ row.code }}__end" id="{{ id }}_{{ row.code }}_end_{{ forloop.counter }}" value="{{ end }}"></span>
      </li>
      {% endfor %}
    </ol>
  </fieldset>
  {% endfor %}
  <fieldset class="hours-day hours-day--holidays" data-hours-day="PH">
    <legend class="hours-day__name">{% translate "Public holidays" %}</legend>
    <div class="hours-day__choices">
      {% for value, label in holiday_choices %}
      <span><input type="radio" name="{{ name }}__PH" id="{{ id }}_PH_{{ value }}" value="{{ value }}"{% if value == holidays %} checked{% endif %}>
      <label for="{{ id }}_PH_{{ value }}">{{ label }}</label></span>
      {% endfor %}
    </div>
    <ol class="hours-day__ranges list-plain" data-hours-ranges>
      {% for start, end in holiday_ranges %}
      <li class="hours-range" data-hours-range>
        <span class="hours-range__field"><label for="{{ id }}_PH_start_{{ forloop.counter }}">{% translate "Opens at" %}<span class="visually-hidden">, {% translate "public holidays" %}, {% blocktranslate with n=forloop.counter %}range {{ n }}{% endblocktranslate %}</span></label>
        <input type="time" name="{{ name }}__PH__start" id="{{ id }}_PH_start_{{ forloop.counter }}" value="{{ start }}"></span>
        <span class="hours-range__field"><label for="{{ id }}_PH_end_{{ forloop.counter }}">{% translate "Closes at" %}<span class="visually-hidden">, {% translate "public holidays" %}, {% blocktranslate with n=forloop.counter %}range {{ n }}{% endblocktranslate %}</span></label>
        <input type="time" name="{{ name }}__PH__end" id="{{ id }}_PH_end_{{ forloop.counter }}" value="{{ end }}"></span>
      </li>
      {% endfor %}
    </ol>
  </fieldset>
  </div>
  <details class="hours-editor__raw"{% if raw_open %} open{% endif %}>
    <summary>{% translate "Advanced entry (OpenStreetMap format)" %}</summary>
    <label for="{{ id }}">{% translate "Opening hours in the OpenStreetMap format" %}</label>
    <input type="text" name="{{ name }}" id="{{ id }}" value="{{ raw }}" maxlength="500" aria-describedby="{{ id }}_raw_help{% if describedby %} {{ describedby }}{% endif %}"{% if invalid %} aria-invalid="true"{% endif %}>
    <p class="help" id="{{ id }}_raw_help">{% translate "For example « Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off » (Mo Tu We Th Fr Sa Su for the days, PH for public holidays), or in French « du lundi au vendredi 9h-12h et 14h-18h30 ». What you type here replaces the days above." %}</p>
  </details>
</div>"""


def _day_names():
    return {code: capfirst(str(WEEKDAYS[index])) for index, code in enumerate(hours.DAY_CODES)}


class HoursWidget(forms.Widget):
    """One row per day + public holidays + the raw value; posts `name` (raw) and `name__*` rows."""

    template_name = ""  # rendered from HOURS_TEMPLATE (see render)

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if not data.get(f"{name}__editor"):
            return raw  # a client posting the raw value only (tests, scripts)
        days = {}
        for code in hours.DAY_CODES + ("PH",):
            starts = data.getlist(f"{name}__{code}__start") if hasattr(data, "getlist") else []
            ends = data.getlist(f"{name}__{code}__end") if hasattr(data, "getlist") else []
            pairs = [(start.strip(), end.strip()) for start, end in zip(starts, ends, strict=False)]
            if len(starts) != len(ends):
                pairs.append(("?", "?"))
            days[code] = {"closed": bool(data.get(f"{name}__{code}__closed")), "ranges": pairs}
        return {
            "raw": raw or "",
            "initial": data.get(f"{name}__initial") or "",
            "days": days,
            "holidays": data.get(f"{name}__PH") or hours.PH_SAME,
        }

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}__editor" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        names = _day_names()
        rows = []
        if isinstance(value, dict):  # posted: shown as typed
            raw, initial = value.get("raw", ""), value.get("initial", "")
            representable = hours.schedule_from_value(initial) is not None
            for code in hours.DAY_CODES:
                day = value["days"][code]
                ranges = [pair for pair in day["ranges"] if any(pair) and pair != ("?", "?")]
                rows.append({"code": code, "name": names[code], "closed": day["closed"], "ranges": ranges})
            holidays = value.get("holidays") or hours.PH_SAME
            holiday_ranges = [pair for pair in value["days"]["PH"]["ranges"] if any(pair)]
        else:
            raw = initial = value or ""
            schedule = hours.schedule_from_value(raw)
            representable = schedule is not None
            if schedule is None:
                schedule = hours.Schedule(days={}, holidays=hours.PH_SAME)
            elif not raw.strip():
                schedule.holidays = hours.PH_OFF  # a new record: public holidays closed by default
            for code in hours.DAY_CODES:
                ranges = [(_display(start), _display(end)) for start, end in schedule.days[code]]
                rows.append({"code": code, "name": names[code], "closed": not ranges, "ranges": ranges})
            holidays = schedule.holidays
            holiday_ranges = [(_display(start), _display(end)) for start, end in schedule.holiday_ranges]
        for row in rows:
            row["ranges"] = list(row["ranges"]) + [("", "")]  # room for one more range without JavaScript
        attrs = context["widget"]["attrs"]
        context.update(
            rows=rows,
            raw=raw,
            initial=initial,
            representable=representable,
            holidays=holidays,
            holiday_ranges=list(holiday_ranges) + [("", "")],
            holiday_choices=(
                (hours.PH_OFF, _("closed")),
                (hours.PH_SAME, _("as on other days")),
                (hours.PH_HOURS, _("special hours:")),
            ),
            id=attrs.get("id") or f"id_{name}",
            describedby=attrs.get("aria-describedby", ""),
            invalid=attrs.get("aria-invalid") == "true",
            raw_open=not representable or (isinstance(value, dict) and raw.strip() != initial.strip()),
            name=name,
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        return _hours_template().render(context)

    def id_for_label(self, id_):
        return id_


@functools.lru_cache(maxsize=1)
def _hours_template():
    return engines["django"].from_string(HOURS_TEMPLATE)


def _display(time_text):
    """`24:00` is midnight at the end of a day: an <input type="time"> shows it as 00:00."""
    return "00:00" if time_text == "24:00" else time_text
