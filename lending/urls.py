"""/bureau/materiel/ (namespace "materiel")."""

from django.urls import path

from lending import catalogue_views, handover_views, item_views, reservation_views, stats_views

app_name = "materiel"

urlpatterns = [
    # The catalogue (read): catalogue_views.
    path("", catalogue_views.catalogue, name="index"),
    path("objets/<int:pk>/", catalogue_views.item_detail, name="item"),
    path("objets/<int:pk>/etiquette/", catalogue_views.item_label, name="item-label"),
    path("objets/<int:pk>/qr.svg", catalogue_views.item_qr, name="item-qr"),
    path("objets/<int:pk>/photos/<int:photo_pk>/", catalogue_views.item_photo, name="item-photo"),
    path("kits/", catalogue_views.kit_list, name="kits"),
    path("kits/<int:pk>/", catalogue_views.kit_detail, name="kit"),
    # The catalogue (write): item_views.
    path("objets/nouveau/", item_views.item_create, name="item-create"),
    path("objets/<int:pk>/modifier/", item_views.item_edit, name="item-edit"),
    path("objets/<int:pk>/reparation/", item_views.item_repair, name="item-repair"),
    path("objets/<int:pk>/retirer/", item_views.item_retire, name="item-retire"),
    path("kits/nouveau/", item_views.kit_create, name="kit-create"),
    path("kits/<int:pk>/modifier/", item_views.kit_edit, name="kit-edit"),
    path("categories/", item_views.categories, name="categories"),
    # Reservations: reservation_views.
    path("objets/<int:pk>/reserver/", reservation_views.reserve_item, name="reserve-item"),
    path("kits/<int:pk>/reserver/", reservation_views.reserve_kit, name="reserve-kit"),
    path("reservations/", reservation_views.my_reservations, name="reservations"),
    path("demandes/", reservation_views.requests, name="requests"),
    path("reservations/<int:pk>/", reservation_views.reservation_detail, name="reservation"),
    path("reservations/<int:pk>/approuver/", reservation_views.approve, name="approve"),
    path("reservations/<int:pk>/refuser/", reservation_views.refuse, name="refuse"),
    path("reservations/<int:pk>/annuler/", reservation_views.cancel, name="cancel"),
    path("reservations/<int:pk>/prolonger/", reservation_views.renew, name="renew"),
    path("reservations/<int:pk>/offre/", reservation_views.offer_answer, name="offer"),
    # Hand-over, return, history: handover_views.
    path("reservations/<int:pk>/remise/", handover_views.hand_over, name="hand-over"),
    path("reservations/<int:pk>/retour/", handover_views.take_back, name="take-back"),
    path("reservations/<int:pk>/photos/<int:photo_pk>/", handover_views.damage_photo, name="damage-photo"),
    path("objets/<int:pk>/historique/", handover_views.item_history, name="item-history"),
    path("lieux/<int:pk>/", handover_views.venue_history, name="venue-history"),
    # Statistics: stats_views.
    path("statistiques/", stats_views.stats, name="stats"),
    path("statistiques.csv", stats_views.stats_csv, name="stats-csv"),
]
