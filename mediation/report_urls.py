"""Reports for funders, under /bureau/rapports/ (namespace "rapports")."""

from django.urls import path

from mediation import report_views, share_views

app_name = "rapports"

urlpatterns = [
    path("", report_views.report, name="index"),
    path("export.csv", report_views.export_csv, name="export-csv"),
    path("export.xlsx", report_views.export_xlsx, name="export-xlsx"),
    path("partages/", share_views.share_list, name="shares"),
    path("partages/nouveau/", share_views.share_create, name="share-create"),
    path("partages/<int:pk>/revoquer/", share_views.share_revoke, name="share-revoke"),
]
