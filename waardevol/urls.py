from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from waardevol.views import health

urlpatterns = [
    path("", include("perspectives.urls")),
    path("gemeente/", include("assessments.urls")),
    path("gemeente/", include("waardevol.audit.urls")),
    path("toegankelijkheid/",
         TemplateView.as_view(template_name="accessibility.html"), name="accessibility"),
    path("account/", include("waardevol.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("healthz", health, name="health"),
]

handler400 = "waardevol.views.bad_request"
handler403 = "waardevol.views.permission_denied"
handler404 = "waardevol.views.page_not_found"
handler500 = "waardevol.views.server_error"
