from django.urls import path

from workgroups import views

app_name = "workgroups"
urlpatterns = [
    path("", views.workgroup_list, name="list"),
    path("nouveau/", views.workgroup_create, name="create"),
    path("invitations/", views.my_invitations, name="invitations"),
    path("invitations/<int:pk>/accepter/", views.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decliner/", views.invitation_decline, name="invitation-decline"),
    path("invitations/<int:pk>/retirer/", views.invitation_revoke, name="invitation-revoke"),
    path("demandes/<int:pk>/accepter/", views.join_request_accept, name="request-accept"),
    path("demandes/<int:pk>/refuser/", views.join_request_refuse, name="request-refuse"),
    path("<int:pk>/", views.workgroup_detail, name="detail"),
    path("<int:pk>/modifier/", views.workgroup_edit, name="edit"),
    path("<int:pk>/membres/", views.workgroup_members, name="members"),
    path("<int:pk>/activite/", views.workgroup_activity, name="activity"),
    path("<int:pk>/rejoindre/", views.workgroup_join, name="join"),
    path("<int:pk>/demander/", views.join_request_create, name="request"),
    path("<int:pk>/demande/retirer/", views.join_request_cancel, name="request-cancel"),
    path("<int:pk>/inviter/", views.invite, name="invite"),
    path("<int:pk>/quitter/", views.workgroup_leave, name="leave"),
    path("<int:pk>/archiver/", views.workgroup_archive, name="archive"),
    path("<int:pk>/rouvrir/", views.workgroup_reopen, name="reopen"),
    path("<int:pk>/approuver/", views.workgroup_approve, name="approve"),
    path("<int:pk>/refuser/", views.workgroup_refuse, name="refuse"),
    path("<int:pk>/membres/<int:user_pk>/retirer/", views.member_remove, name="member-remove"),
    path("<int:pk>/membres/<int:user_pk>/role/", views.member_role, name="member-role"),
]
