"""The desk's workshops, under /bureau/ateliers/ (namespace "workshops")."""

from django.urls import path

from workshops import (
    attendance_views,
    booking_views,
    demand_views,
    evaluation_views,
    session_views,
    views,
)

app_name = "workshops"

urlpatterns = [
    # Workshops: upcoming sessions and my registrations; proposals; one workshop.
    path("", views.index, name="index"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("proposer/", views.propose, name="propose"),
    path("propositions/", views.proposals, name="proposals"),
    path("<int:pk>/", views.workshop_detail, name="workshop"),
    path("<int:pk>/modifier/", views.workshop_edit, name="workshop-edit"),
    path("<int:pk>/accepter/", views.workshop_accept, name="workshop-accept"),
    path("<int:pk>/refuser/", views.workshop_refuse, name="workshop-refuse"),
    path("<int:pk>/annuler/", views.workshop_cancel, name="workshop-cancel"),
    path("<int:pk>/cloturer/", views.workshop_close, name="workshop-close"),
    # Sessions: schedule (date or dates, venue, capacity, animators), change, cancel.
    path("<int:pk>/sessions/nouvelle/", session_views.session_create, name="session-create"),
    path("sessions/<int:pk>/", booking_views.session_detail, name="session"),
    path("sessions/<int:pk>/modifier/", session_views.session_edit, name="session-edit"),
    path("sessions/<int:pk>/annuler/", session_views.session_cancel, name="session-cancel"),
    # Registration: a member's own (one click), their offer, the list, on-site registration.
    path("sessions/<int:pk>/inscription/", booking_views.register, name="register"),
    path("sessions/<int:pk>/desinscription/", booking_views.unregister, name="unregister"),
    path("sessions/<int:pk>/offre/", booking_views.offer_answer, name="offer"),
    path("sessions/<int:pk>/inscrits/", booking_views.registrations, name="registrations"),
    path("sessions/<int:pk>/inscrits.csv", booking_views.registrations_csv, name="registrations-csv"),
    path("sessions/<int:pk>/inscrits/ajouter/", booking_views.register_on_site, name="register-on-site"),
    path("inscriptions/<int:pk>/annuler/", booking_views.registration_cancel, name="registration-cancel"),
    # Attendance: one sheet per date of a session (printable; fillable afterwards).
    path("sessions/<int:pk>/presence/<int:date_pk>/", attendance_views.sheet, name="attendance"),
    path("sessions/<int:pk>/presence/<int:date_pk>/imprimer/", attendance_views.sheet_print,
         name="attendance-print"),
    # Evaluation: the member's form; questions; results (per workshop, animator, period).
    path("sessions/<int:pk>/evaluation/", evaluation_views.evaluate, name="evaluate"),
    path("<int:pk>/questions/", evaluation_views.questions, name="questions"),
    path("questions/", evaluation_views.default_questions, name="default-questions"),
    path("<int:pk>/resultats/", evaluation_views.workshop_results, name="results"),
    path("resultats/", evaluation_views.results_overview, name="results-overview"),
    # Demand: ask for a workshop, add one's voice, the ranking with matching skills.
    path("demandes/", demand_views.demand_list, name="demands"),
    path("demandes/nouvelle/", demand_views.demand_create, name="demand-create"),
    path("demandes/<int:pk>/", demand_views.demand_detail, name="demand"),
    path("demandes/<int:pk>/soutenir/", demand_views.demand_vote, name="demand-vote"),
    path("demandes/<int:pk>/statut/", demand_views.demand_status, name="demand-status"),
]
