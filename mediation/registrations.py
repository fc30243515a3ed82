"""What vouchers, activity records and reports register with the rest of the product: the
navigation entries, and (on import of each module) their verbs and signal receivers."""

from django.utils.translation import gettext_lazy

from core.dashboard import NavEntry, register_nav

register_nav(NavEntry(key="activity-records", label=gettext_lazy("Accompaniments"),
                      url_name="activites:index", order=38))
# Partners (prescribers' accounts) see this entry, and only it.
register_nav(NavEntry(key="vouchers", label=gettext_lazy("Vouchers"), url_name="tickets:index", order=39,
                      partner=True))
register_nav(NavEntry(key="reports", label=gettext_lazy("Reports"), url_name="rapports:index", order=40))

# Each of these registers, on import, its verbs or its signal receivers.
from mediation import activity, tasks  # noqa: E402, F401
