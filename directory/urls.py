from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.venue_list, name="venues"),
    path("<int:pk>/modifier/", views.venue_edit, name="venue-edit"),
]
