"""A report shared with a funder: read-only, no account, under /rapports/ (namespace
"rapports-partages"); the link is revocable."""

from django.urls import path

from mediation import share_views

app_name = "rapports-partages"

urlpatterns = [
    path("<str:token>/", share_views.shared_report, name="report"),
    path("<str:token>/export.csv", share_views.shared_csv, name="export-csv"),
    path("<str:token>/export.xlsx", share_views.shared_xlsx, name="export-xlsx"),
]
