"""The attendance sheet's form: for each confirmed registration a status (present, excused
absence, no-show; none yet is allowed) and a reason. It parses; `attendance.attendance_record`
validates and decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import pgettext_lazy

from workshops.attendance import EXCUSED, NO_SHOW, PRESENT, REASON_MAX
from workshops.models import Attendance, Registration

STATUS_CHOICES = [
    (str(PRESENT), pgettext_lazy("attendance choice", "Present")),
    (str(EXCUSED), pgettext_lazy("attendance choice", "Excused absence")),
    (str(NO_SHOW), pgettext_lazy("attendance choice", "Absent without excuse")),
]


class AttendanceSheetForm(forms.Form):
    """Fields `status-<registration id>` (radio buttons, no empty choice) and
    `reason-<registration id>`, in the order of `registrations`."""

    def __init__(self, data: Any = None, *, registrations: Sequence[Registration],
                 recorded: dict[int, Attendance], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.registrations = list(registrations)
        for registration in self.registrations:
            attendance = recorded.get(registration.pk)
            self.fields[self.status_name(registration)] = forms.ChoiceField(
                label=registration.display_name, choices=STATUS_CHOICES, widget=forms.RadioSelect,
                required=False, initial=attendance.status if attendance else None,
            )
            self.fields[self.reason_name(registration)] = forms.CharField(
                label=pgettext_lazy("attendance sheet", "Reason"), max_length=REASON_MAX, required=False,
                initial=attendance.reason if attendance else "",
            )

    @staticmethod
    def status_name(registration: Registration) -> str:
        return f"status-{registration.pk}"

    @staticmethod
    def reason_name(registration: Registration) -> str:
        return f"reason-{registration.pk}"

    def marks(self, *, everybody_present: bool = False,
              recorded: dict[int, Attendance] | None = None) -> dict[int, tuple[str, str]]:
        """{registration id: (status, reason)} of the rows given a status. With
        `everybody_present`, every row with no status yet (neither chosen here nor recorded
        before) is marked present."""
        recorded = recorded or {}
        marks: dict[int, tuple[str, str]] = {}
        for registration in self.registrations:
            status = self.cleaned_data.get(self.status_name(registration)) or ""
            reason = self.cleaned_data.get(self.reason_name(registration)) or ""
            if status:
                marks[registration.pk] = (status, reason)
            elif everybody_present and registration.pk not in recorded:
                marks[registration.pk] = (str(PRESENT), "")
        return marks

    def service_field(self, registration_id: int) -> str | None:
        """The field that shows an error about one registration."""
        name = f"status-{registration_id}"
        return name if name in self.fields else None
