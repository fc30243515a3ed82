"""Dashboard widgets and navigation entries of the members app."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, Widget, register_nav, register_widget
from members import permissions, selectors


def my_profile(request):
    return {"member": request.user}


def venue_members(request):
    return {"colleagues": list(selectors.venue_colleagues(user=request.user))}


register_widget(Widget(key="profile", title=_("My profile"),
                       template="members/widgets/profile.html", context=my_profile, order=20))
register_widget(Widget(key="venue-members", title=_("Members of my venue"),
                       template="members/widgets/venue_members.html", context=venue_members, order=30))
register_nav(NavEntry(key="members", label=_("Members"), url_name="members:directory", order=70))
register_nav(NavEntry(key="contacts", label=_("My contacts"), url_name="members:contacts", order=75))
register_nav(NavEntry(key="profile", label=_("My profile"), url_name="members:profile-edit", order=80))
register_nav(NavEntry(key="pending", label=_("Membership requests"), url_name="members:pending", order=85,
                      visible=permissions.can_approve_members))
register_nav(NavEntry(key="invitations", label=_("Invitations"), url_name="members:invitations", order=86,
                      visible=permissions.can_invite_members))
