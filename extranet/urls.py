from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from extranet import views
from website import views as website_views

desk_patterns = (
    [
        path("", views.desk_home, name="home"),
        path("en-attente/", views.pending, name="pending"),
        path("notifications/", views.notification_list, name="notifications"),
        path("notifications/<int:pk>/lire/", views.notification_read, name="notification-read"),
        path("notifications/tout-lire/", views.notification_read_all, name="notifications-read-all"),
        path("parametres/", views.account_settings, name="settings"),
        path("tableau-de-bord/personnaliser/", views.dashboard_customize, name="dashboard-customize"),
        path("tableau-de-bord/reinitialiser/", views.dashboard_reset, name="dashboard-reset"),
        path("activite/", views.activity_list, name="activity"),
        path("espaces/", views.space_list, name="spaces"),
        path("espaces/<int:pk>/", views.space_detail, name="space"),
    ],
    "desk",
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/", include("allauth.urls")),
    path("bureau/", include(desk_patterns)),
    path("bureau/membres/", include("members.urls")),
    path("bureau/lieux/", include("directory.urls")),
    path("bureau/groupes/", include("workgroups.urls")),
    path("bureau/forum/", include("forum.urls")),
    path("bureau/discussions/", include("chat.urls")),
    path("bureau/agenda/", include("calendar_app.urls")),
    path("bureau/ateliers/", include("workshops.urls")),
    path("bureau/tickets/", include("mediation.voucher_urls")),
    path("bureau/activites/", include("mediation.activity_urls")),
    path("bureau/rapports/", include("mediation.report_urls")),
    path("bureau/materiel/", include("lending.urls")),
    path("bureau/fichiers/", include("files.urls")),
    path("bureau/ressources/", include("resources.urls")),
    path("invitation/", include("members.invitation_urls")),
    path("annuaire/", include("directory.public_urls")),
    path("agenda/", include("calendar_app.public_urls")),
    path("ateliers/", include("workshops.public_urls")),
    path("rapports/", include("mediation.share_urls")),
    path("ressources/", include("resources.public_urls")),
    # One way in: allauth's login (e-mail verification, two-factor, rate limits), never
    # Wagtail's own login form.
    path("cms/login/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="cms-login"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Public site outside the page tree (website app).
    path("robots.txt", website_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", website_views.sitemap, name="sitemap"),
    path("recherche/", website_views.site_search, name="site-search"),
    path("plan-du-site/", website_views.site_map, name="site-map"),
]

if settings.DEBUG:
    # Local development only; in production the reverse proxy or S3 serves uploads.
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

# Wagtail's page tree answers every other URL: keep it last.
urlpatterns.append(path("", include(wagtail_urls)))
