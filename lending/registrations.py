"""What equipment lending registers with the rest of the product: the navigation entry, the
notification verbs, and (on import of each module) the calendar source of loans, the
dashboard widget "Mes prêts" and the workshop session page's section."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, register_nav
from core.notifications import register_verb

register_nav(NavEntry(key="equipment", label=_("Equipment"), url_name="materiel:index", order=38))

# To the managers of the equipment.
register_verb("lending.requested", _("{actor} asks to borrow {target}"))
register_verb("lending.cancelled_by_borrower", _("{actor} cancelled the reservation of {target}"))
register_verb("lending.damaged", _("{actor} recorded damage on the return of {target}"))
register_verb("lending.overdue_owner", _("Not returned on time: {target}"))
# To the borrower.
register_verb("lending.approved", _("{actor} approved your reservation of {target}"))
register_verb("lending.refused", _("{actor} refused your reservation of {target}"))
register_verb("lending.cancelled_by_owner", _("{actor} cancelled your reservation of {target}"))
register_verb("lending.offered", _("The period you were waiting for is free: {target}"))
register_verb("lending.renewed", _("{actor} extended the loan of {target}"))
register_verb("lending.pickup_reminder", _("Pick-up soon: {target}"))
register_verb("lending.return_reminder", _("Return soon: {target}"))
register_verb("lending.overdue", _("Please return it: {target}"))

# Each of these registers, on import, its source, widget or section (added by their slices).
from lending import agenda, sections, widgets  # noqa: E402, F401
