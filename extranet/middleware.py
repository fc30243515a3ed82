from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from members import permissions

DESK_PREFIX = "/bureau/"
CMS_PREFIX = "/cms/"


class DeskAccessMiddleware:
    """Every URL under /bureau/ is for approved members.

    A partner organisation's account (`User.status = partner`, a voucher prescriber) reaches
    only the desk pages under `settings.PARTNER_DESK_PREFIXES`; any other desk URL sends it
    to the first of them.

    Anonymous visitors go to the login page; pending (or refused) members go to the
    "waiting for approval" page, whatever desk URL they open. New desk routes are
    protected without doing anything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith(CMS_PREFIX) and permissions.is_pending(request.user):
            # Wagtail checks only its own permission; a pending or refused account never
            # reaches the editing interface, whatever group it is in.
            return redirect(reverse("desk:pending"))
        if path.startswith(DESK_PREFIX):
            pending_url = reverse("desk:pending")
            if not permissions.is_authenticated(request.user):
                # redirect_to_login encodes `next`: a query string with "&" survives whole.
                return redirect_to_login(request.get_full_path())
            if permissions.is_partner(request.user):
                # A partner organisation's account (a voucher prescriber) reaches only its pages.
                if not path.startswith(tuple(settings.PARTNER_DESK_PREFIXES)):
                    return redirect(settings.PARTNER_DESK_PREFIXES[0])
                return self.get_response(request)
            if not permissions.is_approved(request.user) and path != pending_url:
                return redirect(pending_url)
        return self.get_response(request)


class LanguageMiddleware(LocaleMiddleware):
    """French unless the person chose another language with the footer switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; Maillage's
    interface is French for everyone by default, English only on request (cookie).
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
