"""(being written by the "rsvp" helper) Invitations and answers (yes / maybe / no), exact capacity."""


def panel(user, event) -> dict | None:
    """Context of `calendar_app/includes/answer_panel.html` on an event's page, or None."""
    return None
