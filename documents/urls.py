from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("dossiers/<int:pk>/decision.pdf", views.DecisionPdfView.as_view(), name="decision_pdf"),
    path("dossiers/<int:pk>/certificates.pdf", views.CertificatesPdfView.as_view(), name="certificates_pdf"),
    path(
        "dossiers/<int:pk>/certificates/<int:record_pk>.pdf",
        views.CertificatePdfView.as_view(),
        name="certificate_pdf",
    ),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("verify/<str:code>/", views.VerifyView.as_view(), name="verify_code"),
]
