"""What the library registers with the rest of the product: the navigation entry, the
notification and activity verbs, and (on import of each module) the dashboard widget
"Ressources récentes", the workshop page's section (its kit) and the resource links."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, register_nav

register_nav(NavEntry(key="resources", label=_("Resources"), url_name="ressources:index", order=32))
