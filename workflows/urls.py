from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("steps/inbox/", views.InboxView.as_view(), name="inbox"),
    path("steps/queue/", views.QueueView.as_view(), name="queue"),
    path("journeys/<int:process_pk>/", views.ProcessView.as_view(), name="process"),
    path("journeys/<int:process_pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("dossiers/<int:dossier_pk>/resubmit/", views.ResubmitView.as_view(), name="resubmit"),
    path("units/search/", views.UnitSearchView.as_view(), name="units"),
]
