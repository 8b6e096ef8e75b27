from django.contrib import admin
from django.urls import include, path

from waardevol.views import accessibility_statement, favicon, health

urlpatterns = [
    path("", include("perspectives.urls")),
    path("gemeente/", include("assessments.urls")),
    path("gemeente/", include("waardevol.audit.urls")),
    path("", include("waardevol.examples.urls")),
    path("landelijk/", include("waardevol.benchmark.urls")),
    path("toegankelijkheid/", accessibility_statement, name="accessibility"),
    path("account/", include("waardevol.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("healthz", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
]

handler400 = "waardevol.views.bad_request"
handler403 = "waardevol.views.permission_denied"
handler404 = "waardevol.views.page_not_found"
handler500 = "waardevol.views.server_error"
