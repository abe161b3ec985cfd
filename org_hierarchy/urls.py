from django.urls import path

from . import views

app_name = "org_hierarchy"

urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
]
