from django.urls import path

from workgroups import views

app_name = "workgroups"
urlpatterns = [
    path("", views.workgroup_list, name="list"),
]
