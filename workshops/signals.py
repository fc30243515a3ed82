"""Domain signals of the workshops, for the apps above them.

- `attendance_recorded(sender=SessionDate, date=SessionDate, actor=User)`: the attendance
  sheet of one date of a session was saved, or the session's dates or place changed (then
  sent for each of its dates); sent after the commit. The activity records
  (mediation.activity) keep each date's record in step with it.
"""

from django.dispatch import Signal

attendance_recorded = Signal()
