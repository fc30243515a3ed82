from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from members import permissions, services


class AccountAdapter(DefaultAccountAdapter):
    """Signups create pending accounts; approved members land on their desk."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        return services.member_register(
            user=user,
            display_name=data["display_name"],
            territory=data["territory"],
            venue=data.get("venue"),
        )

    def get_login_redirect_url(self, request):
        if permissions.is_partner(request.user):
            return settings.PARTNER_DESK_PREFIXES[0]  # a prescriber's account: its vouchers
        if not permissions.is_approved(request.user):
            return reverse("desk:pending")
        return super().get_login_redirect_url(request)
