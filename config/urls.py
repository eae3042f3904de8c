from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crm.urls import case_urls, customer_urls
from crm.views import general as crm_views

# Under /api/ these answer the API's JSON error body; elsewhere the pages (templates/404.html, 400.html, 500.html).
handler400 = "crm.api.errors.bad_request"
handler404 = "crm.api.errors.not_found"
handler500 = "crm.api.errors.server_error"

# Language comes from the language cookie (set by /i18n/setlang/) or Accept-Language, not the URL,
# so agents keep their bookmarks when they switch between 中文 and English.
urlpatterns = [
    path("", crm_views.home, name="home"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's, the API's): the app's own icon.
    path("favicon.ico", crm_views.favicon),
    path("healthz", crm_views.health, name="health"),
    path("healthz/live", crm_views.health_live, name="health-live"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("calls/", include("callbacks.urls")),
    path("cases/", include(case_urls)),
    path("customers/", include(customer_urls)),
    path("manager/", include("reports.urls")),
    path("admin/", admin.site.urls),
    path("twilio/", include("callbacks.webhooks.urls")),
    path("api/", include("crm.api.urls")),
    path("api/", include("reviews.api.urls")),
    path("reviews/", include("reviews.urls")),
    path("api/", include("logistics.api.urls")),
    path("hooks/", include("logistics.hooks.urls")),
    path("logistics/", include("logistics.urls")),
    path("retention/", include("retention.urls")),
    path("letters/", include("letters.urls")),
]
