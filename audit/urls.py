from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.LedgerSearchView.as_view(), name="ledger"),
    path("export.<str:fmt>", views.LedgerExportView.as_view(), name="export"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("timeline/<slug:key>/<int:pk>/", views.TimelineView.as_view(), name="timeline"),
    path("personal-data/", views.PersonalDataAccessListView.as_view(), name="personal_data"),
]
