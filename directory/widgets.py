"""Desk widgets of the venue form, and the desk navigation entry.

`HoursWidget`: opening hours as one row per day (closed, or time ranges) plus public
holidays, rendered as plain inputs (no JavaScript needed: static/js/hours_editor.js only
adds "add a range" / "remove" buttons), with the raw OpenStreetMap value in a
"Saisie avancée" <details> for experts.
"""


from django import forms
from django.template.loader import get_template
from django.utils.dates import WEEKDAYS
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, register_nav
from directory import hours
from members import permissions

# Every member: the page lists the venues they keep up to date (their own, their territories').
register_nav(NavEntry(key="venues", label=_("Venues"), url_name="directory:venues", order=87,
                      visible=permissions.is_approved))




def _day_names():
    return {code: capfirst(str(WEEKDAYS[index])) for index, code in enumerate(hours.DAY_CODES)}


class HoursWidget(forms.Widget):
    """One row per day + public holidays + the raw value; posts `name` (raw) and `name__*` rows."""

    template_name = "directory/widgets/hours_editor.html"

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
        return get_template(self.template_name).render(self.get_context(name, value, attrs))

    def id_for_label(self, id_):
        return id_


def _display(time_text):
    """`24:00` is midnight at the end of a day: an <input type="time"> shows it as 00:00."""
    return "00:00" if time_text == "24:00" else time_text
