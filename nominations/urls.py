from django.urls import path

from . import views

app_name = "nominations"

urlpatterns = [
    path("", views.DossierListView.as_view(), name="dossier_list"),
    path("new/", views.DossierCreateView.as_view(), name="dossier_create"),
    path("register/", views.AwardRegisterView.as_view(), name="award_register"),
    path("postings/", views.PostingListView.as_view(), name="posting_list"),
    path("postings/<int:pk>/", views.PostingDetailView.as_view(), name="posting_detail"),
    path("award-history/import/", views.AwardHistoryImportView.as_view(), name="award_history_import"),
    path("award-history/template.xlsx", views.AwardHistoryTemplateView.as_view(), name="award_history_template"),
    path("<int:pk>/", views.DossierDetailView.as_view(), name="dossier_detail"),
    path("<int:pk>/edit/", views.DossierEditView.as_view(), name="dossier_edit"),
    path("<int:pk>/revoke/", views.RevocationView.as_view(), name="revoke"),
    path("<int:pk>/eligibility/", views.EligibilityView.as_view(), name="eligibility"),
    path("<int:pk>/nominees/new/", views.NomineeCreateView.as_view(), name="nominee_create"),
    path("<int:pk>/nominees/import/", views.NomineeImportView.as_view(), name="nominee_import"),
    path("<int:pk>/nominees/template.xlsx", views.NomineeTemplateView.as_view(), name="nominee_template"),
    path("<int:pk>/nominees/<int:nominee_pk>/edit/", views.NomineeEditView.as_view(), name="nominee_edit"),
    path("<int:pk>/nominees/<int:nominee_pk>/remove/", views.NomineeRemoveView.as_view(), name="nominee_remove"),
    path("<int:pk>/nominees/<int:nominee_pk>/national-id/", views.NationalIdView.as_view(), name="national_id"),
    path("<int:pk>/files/new/", views.AttachmentCreateView.as_view(), name="attachment_create"),
    path("<int:pk>/files/<int:attachment_pk>/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("<int:pk>/files/<int:attachment_pk>/view/", views.AttachmentPreviewView.as_view(), name="attachment_preview"),
    path("<int:pk>/files/<int:attachment_pk>/remove/", views.AttachmentRemoveView.as_view(), name="attachment_remove"),
]
