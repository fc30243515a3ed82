"""Vouchers ("ticket déclic"), under /bureau/tickets/ (namespace "tickets"). The only desk
pages a partner organisation's account reaches (settings.PARTNER_DESK_PREFIXES)."""

from django.urls import path

from mediation import programme_views, settlement_views, use_views, voucher_views

app_name = "tickets"

urlpatterns = [
    # Home: by role (a prescriber's vouchers, a venue's vouchers in progress, programmes).
    path("", voucher_views.index, name="index"),
    # Issuing and following (prescribers; managers see every voucher of their programmes).
    path("emettre/", voucher_views.issue, name="issue"),
    path("liste/", voucher_views.voucher_list, name="list"),
    path("liste.csv", voucher_views.voucher_list_csv, name="list-csv"),
    path("<int:pk>/", voucher_views.voucher_detail, name="voucher"),
    path("<int:pk>/carte/", voucher_views.card, name="card"),
    path("<int:pk>/qr.svg", voucher_views.qr_svg, name="qr"),
    path("<int:pk>/annuler/", voucher_views.cancel, name="cancel"),
    path("<int:pk>/effacer/", voucher_views.erase, name="erase"),
    # Using: a venue's animator enters or scans the code, records a module.
    path("saisir/", use_views.enter_code, name="enter"),
    path("code/<str:code>/", use_views.by_code, name="code"),
    path("<int:pk>/module/", use_views.record_module, name="record-module"),
    path("lieux/<int:venue_pk>/", use_views.venue_vouchers, name="venue"),
    # Programmes (coordinators, local admins): modules, venues, rule, validity, funders.
    path("programmes/", programme_views.programme_list, name="programmes"),
    path("programmes/nouveau/", programme_views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", programme_views.programme_detail, name="programme"),
    path("programmes/<int:pk>/modifier/", programme_views.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/modules/", programme_views.modules_edit, name="modules-edit"),
    # Prescribing organisations and their prescribers' accounts.
    path("prescripteurs/", programme_views.organisation_list, name="organisations"),
    path("prescripteurs/nouvelle/", programme_views.organisation_create, name="organisation-create"),
    path("prescripteurs/<int:pk>/", programme_views.organisation_detail, name="organisation"),
    path("prescripteurs/<int:pk>/modifier/", programme_views.organisation_edit, name="organisation-edit"),
    path("prescripteurs/<int:pk>/ajouter/", programme_views.seat_add, name="seat-add"),
    path("prescripteurs/sieges/<int:pk>/retirer/", programme_views.seat_remove, name="seat-remove"),
    # Settlement: statements per venue and period, paid; the closing statement.
    path("reglements/", settlement_views.settlement_list, name="settlements"),
    path("reglements/nouveau/", settlement_views.settlement_create, name="settlement-create"),
    path("reglements/<int:pk>/", settlement_views.settlement_detail, name="settlement"),
    path("reglements/<int:pk>.csv", settlement_views.settlement_csv, name="settlement-csv"),
    path("reglements/<int:pk>/paye/", settlement_views.settlement_paid, name="settlement-paid"),
    path("programmes/<int:pk>/cloture/", settlement_views.closing, name="closing"),
    path("programmes/<int:pk>/cloture.csv", settlement_views.closing_csv, name="closing-csv"),
]
