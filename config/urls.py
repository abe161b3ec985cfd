from django.contrib.auth.views import PasswordResetView
from django.urls import include, path
from viewflow.contrib.auth import AuthViewset

from . import health, views
from .site import site

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("accounts/two-factor/setup/", views.TwoFactorEnrolView.as_view(), name="two_factor_enrol"),
    path("accounts/two-factor/", views.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("accounts/profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "accounts/",
        AuthViewset(
            with_profile_view=False,
            pass_reset_view=PasswordResetView.as_view(form_class=views.PasswordResetForm),
        ).urls,
    ),
    path("org/", include("org_hierarchy.urls")),
    path("audit/", include("audit.urls")),
    path("notifications/", include("notifications.urls")),
    path("dossiers/", include("nominations.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("", include("documents.urls")),
    path("", include("workflows.urls")),
    # The Site (home page, administration and every application of the menu); see config/site.py.
    path("", site.urls),
]
