from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from trialsite import api, offline, views, views_account

api_v1 = [
    path("token/", api.TokenView.as_view(), name="api_token"),
    path("logout/", api.LogoutView.as_view(), name="api_logout"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("", include("enrollment.api_urls")),
    path("", include("observations.api_urls")),
    path("", include("observations.safety.api_urls")),
    path("", include("analysis.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="web_manifest"),
    path("offline/", offline.offline_page, name="offline"),
    path("accounts/login/", views_account.SignInView.as_view(), name="login"),
    path("accounts/password/", views_account.password_change, name="password_change"),
    path("accounts/two-factor/", views_account.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", views_account.two_factor_setup, name="two_factor_setup"),
    path("me/", views_account.security, name="security"),
    path("me/recovery-codes/", views_account.recovery_codes_new, name="recovery_codes_new"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/api-tokens/<int:user_id>/revoke/", views.revoke_api_tokens, name="revoke_api_tokens"),
    path("language/", views.set_language, name="set_language"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/<str:app_label>/<str:model_name>/<str:pk>/", views.record_history, name="record_history"),
    path("enrollment/", include("enrollment.urls")),
    path("observations/", include("observations.urls")),
    path("safety/", include("observations.safety.urls")),
    path("analysis/export/", include("analysis.exports.urls")),
    path("analysis/", include("analysis.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

handler500 = "trialsite.views.server_error"
