"""Reports for funders, on the desk: the page (a scope, a period, the figures beside the same
period a year before, each view as a chart and its table) and its CSV and XLSX exports. A
scope one may not read answers 404 (the form lists only the allowed ones); who may read no
report at all gets 403 with the reason."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from mediation import exports, permissions, reports
from mediation.scopes import Period, Scope, available_scopes, period_choices, scope_from_key

SCOPE_PARAM = "perimetre"
VIEW_PARAM = "vue"


def _chosen(request: HttpRequest) -> tuple[Scope, Period, list[Scope]]:
    """The scope and period the query string names (the first allowed scope by default: the
    network for coordinators), and the scopes one may choose."""
    scopes = available_scopes(request.user)
    key = request.GET.get(SCOPE_PARAM)
    if key:
        scope = next((scope for scope in scopes if scope.key == key), None)
        if scope is None:
            scope = scope_from_key(key)
            if scope is None or not permissions.can_view_report(request.user, scope):
                raise Http404
    elif scopes:
        scope = scopes[0]
    else:
        permissions.can_view_report(request.user, Scope.network()).check()
        raise Http404  # not reached: nobody without scopes may read the network's report
    return scope, Period.from_query(request.GET, timezone.localdate()), scopes


def _query(scope: Scope, period: Period, **extra: Any) -> str:
    return urlencode({SCOPE_PARAM: scope.key, **period.as_query(), **extra})


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    scope, period, scopes = _chosen(request)
    built = reports.build(scope=scope, period=period)
    query = _query(scope, period)
    return render(request, "mediation/reports/index.html", {
        "report": built,
        "scope": scope,
        "period": period,
        "territory_scopes": [s for s in scopes if s.kind == "territory"],
        "venue_scopes": [s for s in scopes if s.kind == "venue"],
        "network_scope": next((s for s in scopes if s.kind == "network"), None),
        "period_groups": period_choices(timezone.localdate(), period),
        "query": query,
        "previous_query": _query(scope, period.previous()),
        "next_query": _query(scope, period.next()),
        "view_queries": {view.key: _query(scope, period, **{VIEW_PARAM: view.key}) for view in built.views},
        "can_share": permissions.can_manage_any_programme(request.user),
        "can_share_this": permissions.can_share_report(request.user, scope),
    })


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    scope, period, _scopes = _chosen(request)
    return exports.csv_response(reports.build(scope=scope, period=period), request.GET.get(VIEW_PARAM) or None)


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    scope, period, _scopes = _chosen(request)
    return exports.xlsx_response(reports.build(scope=scope, period=period))
