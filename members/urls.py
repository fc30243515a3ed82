from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("contacts/", views.contacts, name="contacts"),
    path("demandes/", views.pending_list, name="pending"),
    path("demandes/<int:pk>/approuver/", views.approve, name="approve"),
    path("demandes/<int:pk>/refuser/", views.refuse, name="refuse"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/retirer/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<int:pk>/renvoyer/", views.invitation_resend, name="invitation-resend"),
    path("profil/", views.profile_edit, name="profile-edit"),
    path("bien-demarrer/masquer/", views.onboarding_dismiss, name="onboarding-dismiss"),
    path("<int:pk>/", views.profile, name="profile"),
    path("<int:pk>/roles/", views.roles, name="roles"),
    path("<int:pk>/suivre/", views.follow, name="follow"),
    path("<int:pk>/ne-plus-suivre/", views.unfollow, name="unfollow"),
]
