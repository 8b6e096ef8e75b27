from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from assessments import account_views
from waardevol.views import health

urlpatterns = [
    path("", include("perspectives.urls")),
    path("gemeente/", include("assessments.urls")),
    path("toegankelijkheid/",
         TemplateView.as_view(template_name="accessibility.html"), name="accessibility"),
    path("account/login/", account_views.login_view, name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/wachtwoord-vergeten/", account_views.password_reset_view,
         name="password_reset"),
    path("account/wachtwoord-vergeten/verzonden/",
         auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("account/wachtwoord-herstellen/<uidb64>/<token>/",
         account_views.password_reset_confirm_view, name="password_reset_confirm"),
    path("account/wachtwoord-herstellen/klaar/",
         auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/uitnodigen/", account_views.invite_create, name="invite_create"),
    path("account/leden/", account_views.members, name="members"),
    path("account/leden/<int:pk>/", account_views.member_edit, name="member_edit"),
    path("account/uitnodiging/<uuid:token>/", account_views.invite_accept, name="invite_accept"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("healthz", health, name="health"),
]

handler400 = "waardevol.views.bad_request"
handler403 = "waardevol.views.permission_denied"
handler404 = "waardevol.views.page_not_found"
handler500 = "waardevol.views.server_error"
