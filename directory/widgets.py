from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, register_nav
from members import permissions

# Every member: the page lists the venues they keep up to date (their own, their territories').
register_nav(NavEntry(key="venues", label=_("Venues"), url_name="directory:venues", order=87,
                      visible=permissions.is_approved))
