from django.utils.translation import gettext_lazy as _

from extranet.dashboard import NavEntry, register_nav
from members import permissions

register_nav(NavEntry(key="venues", label=_("Venues of my territories"), url_name="directory:venues", order=87,
                      visible=permissions.is_local_admin))
