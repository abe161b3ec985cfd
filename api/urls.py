"""``/api/``: the versioned resources under ``v1/``, the OpenAPI schema and its two readers."""

from django.conf import settings
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from . import decisions, dossiers, ledger, pages, tasks, views, webhook_api, webhook_pages

app_name = "api"

# Redoc draws with styles it injects (styled-components) and searches in a worker it starts from a blob: the one
# page whose policy allows inline styles, and nothing else more than the site's.
REDOC_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE], "worker-src": [CSP.SELF, "blob:"]}

v1 = [
    path("units/", views.UnitListView.as_view(), name="units"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit"),
    path("units/<int:pk>/children/", views.UnitChildrenView.as_view(), name="unit_children"),
    path("award-types/", views.AwardTypeListView.as_view(), name="award_types"),
    path("award-types/<int:pk>/", views.AwardTypeDetailView.as_view(), name="award_type"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign"),
    path("dossiers/", dossiers.DossierListView.as_view(), name="dossiers"),
    path("dossiers/<int:pk>/", dossiers.DossierDetailView.as_view(), name="dossier"),
    path("dossiers/<int:pk>/nominees/", dossiers.NomineeListView.as_view(), name="dossier_nominees"),
    path("dossiers/<int:pk>/eligibility/", dossiers.EligibilityView.as_view(), name="dossier_eligibility"),
    path("dossiers/<int:pk>/submit/", dossiers.SubmitView.as_view(), name="dossier_submit"),
    path("dossiers/<int:pk>/withdraw/", dossiers.WithdrawView.as_view(), name="dossier_withdraw"),
    path("dossiers/<int:pk>/resubmit/", dossiers.ResubmitView.as_view(), name="dossier_resubmit"),
    path("tasks/", tasks.TaskListView.as_view(), name="tasks"),
    path("tasks/queue/", tasks.QueueView.as_view(), name="task_queue"),
    path("tasks/<int:pk>/", tasks.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/act/", tasks.TaskActView.as_view(), name="task_act"),
    path("decisions/", decisions.DecisionListView.as_view(), name="decisions"),
    path("decisions/<int:pk>/", decisions.DecisionDetailView.as_view(), name="decision"),
    path("decisions/<int:pk>/document/", decisions.DecisionDocumentView.as_view(), name="decision_document"),
    path(
        "decisions/<int:pk>/certificates/",
        decisions.DecisionCertificateListView.as_view(),
        name="decision_certificates",
    ),
    path(
        "decisions/<int:pk>/certificates/document/",
        decisions.DecisionCertificatesDocumentView.as_view(),
        name="decision_certificates_document",
    ),
    path("certificates/<int:pk>/", decisions.CertificateDetailView.as_view(), name="certificate"),
    path("certificates/<int:pk>/document/", decisions.CertificateDocumentView.as_view(), name="certificate_document"),
    path("verify/<str:code>/", decisions.VerifyView.as_view(), name="verify"),
    path("ledger/", ledger.LedgerListView.as_view(), name="ledger"),
    path("ledger/verification/", ledger.LedgerVerificationView.as_view(), name="ledger_verification"),
    path("", include("api.statistics")),
    path("webhooks/", webhook_api.SubscriptionListView.as_view(), name="v1_webhooks"),
    path("webhooks/<int:pk>/", webhook_api.SubscriptionDetailView.as_view(), name="v1_webhook"),
    path("webhooks/<int:pk>/deliveries/", webhook_api.DeliveryListView.as_view(), name="v1_webhook_deliveries"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]), name="schema"
    ),
    path(
        "schema/swagger/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", permission_classes=[AllowAny], template_name="api/swagger_ui.html"
        ),
        name="swagger",
    ),
    path(
        "schema/redoc/",
        csp_override(REDOC_CSP)(
            SpectacularRedocView.as_view(
                url_name="api:schema",
                permission_classes=[AllowAny],
                authentication_classes=[],
                template_name="api/redoc.html",
            )
        ),
        name="redoc",
    ),
    path("accounts/", pages.AccountListView.as_view(), name="accounts"),
    path("accounts/new/", pages.AccountCreateView.as_view(), name="account_create"),
    path("accounts/<int:pk>/", pages.AccountDetailView.as_view(), name="account"),
    path("accounts/<int:pk>/tokens/new/", pages.TokenIssueView.as_view(), name="token_issue"),
    path("accounts/<int:pk>/tokens/<int:token_pk>/revoke/", pages.TokenRevokeView.as_view(), name="token_revoke"),
    path("webhooks/", webhook_pages.SubscriptionListView.as_view(), name="webhooks"),
    path("webhooks/new/", webhook_pages.SubscriptionCreateView.as_view(), name="webhook_create"),
    path("webhooks/<int:pk>/", webhook_pages.SubscriptionDetailView.as_view(), name="webhook"),
    path("webhooks/<int:pk>/change/", webhook_pages.SubscriptionEditView.as_view(), name="webhook_edit"),
    path(
        "webhooks/<int:pk>/deactivate/", webhook_pages.SubscriptionDeactivateView.as_view(), name="webhook_deactivate"
    ),
    path("webhooks/deliveries/<int:pk>/retry/", webhook_pages.DeliveryRetryView.as_view(), name="webhook_retry"),
    re_path(r"^v1/.*$", views.NotFoundView.as_view(), name="not_found"),
]
