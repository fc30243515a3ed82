"""Shared reports: the links a coordinator or local admin made (list, create, revoke), and the
read-only page a funder opens without an account (`/rapports/<token>/`, its CSV and XLSX).

The public page says nothing of who is behind it: `noindex` (meta and X-Robots-Tag), and
`Referrer-Policy: no-referrer` so that the secret URL never leaves in a Referer. A revoked or
unknown link answers 404 with a page saying the link is no longer valid."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors, error_text, posted
from mediation import permissions, shares
from mediation.models import ReportShare
from mediation.scopes import Period
from mediation.share_forms import ShareForm, shareable_scopes

PAGE_SIZE = 25
PUBLIC_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


def _check_can_share(request: HttpRequest) -> None:
    if not permissions.can_manage_any_programme(request.user):
        raise PermissionDenied(_("Only coordinators and local admins share reports."))


@require_GET
def share_list(request: HttpRequest) -> HttpResponse:
    _check_can_share(request)
    page = Paginator(shares.shares_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    links = list(page.object_list)
    for share in links:
        share.scope = shares.share_scope(share)  # type: ignore[attr-defined]
        share.period_label = shares.share_period(share).label  # type: ignore[attr-defined]
        share.url = request.build_absolute_uri(share.get_absolute_url())  # type: ignore[attr-defined]
        share.can_revoke = share.revoked_at is None and permissions.can_revoke_share(  # type: ignore[attr-defined]
            request.user, share)
    return render(request, "mediation/shares/list.html", {
        "page": page, "links": links, "can_share": True, "current": "shares",
    })


@require_http_methods(["GET", "POST"])
def share_create(request: HttpRequest) -> HttpResponse:
    _check_can_share(request)
    scopes = shareable_scopes(request.user)
    period = Period.from_query(request.GET, timezone.localdate())
    initial: dict[str, Any] = {"periode": period.kind, "annee": period.year, "numero": period.number}
    # The report's own query string names its scope `perimetre` (mediation.report_views); `portee` too.
    key = request.GET.get("portee") or request.GET.get("perimetre")
    if key in scopes:
        initial["portee"] = key
    form = ShareForm(posted(request), initial=initial, scopes=scopes)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            share = shares.share_create(actor=request.user, label=data["label"], scope=data["scope"],
                                        period=data["period"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error("portee", str(exc))
        else:
            messages.success(request, _("The link is ready: copy it and send it to %(label)s.")
                             % {"label": share.label})
            return redirect("rapports:shares")
    return render(request, "mediation/shares/form.html", {"form": form, "can_share": True, "current": "shares"})


@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _check_can_share(request)
    share = shares.share_get_for_user(request.user, pk)
    try:
        shares.share_revoke(actor=request.user, share=share)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The link for %(label)s is revoked: it no longer opens the report.")
                         % {"label": share.label})
    return redirect("rapports:shares")


def _public(response: HttpResponse) -> HttpResponse:
    for header, value in PUBLIC_HEADERS.items():
        response[header] = value
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _public(render(request, "mediation/shares/gone.html", status=404))


def _live_share(token: str) -> ReportShare | None:
    try:
        return shares.share_get(token)
    except Http404:
        return None


def _report(share: ReportShare) -> Any:
    from mediation import reports

    return reports.build(scope=shares.share_scope(share), period=shares.share_period(share))


@require_GET
def shared_report(request: HttpRequest, token: str) -> HttpResponse:
    share = _live_share(token)
    if share is None:
        return _gone(request)
    report = _report(share)
    shares.share_viewed(share)
    return _public(render(request, "mediation/shares/report.html", {
        "share": share, "report": report, "scope": shares.share_scope(share),
        "period": shares.share_period(share),
    }))


@require_GET
def shared_csv(request: HttpRequest, token: str) -> HttpResponse:
    from mediation import exports

    share = _live_share(token)
    if share is None:
        return _gone(request)
    return _public(exports.csv_response(_report(share), request.GET.get("vue") or None))


@require_GET
def shared_xlsx(request: HttpRequest, token: str) -> HttpResponse:
    from mediation import exports

    share = _live_share(token)
    if share is None:
        return _gone(request)
    return _public(exports.xlsx_response(_report(share)))
