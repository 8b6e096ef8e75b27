"""Login, password reset, invitations and members, under /account/.

The names stay global ("login", "password_reset", …): Django's auth views and settings use them.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord-vergeten/", views.password_reset_view,
         name="password_reset"),
    path("wachtwoord-vergeten/verzonden/",
         auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("wachtwoord-herstellen/<uidb64>/<token>/",
         views.password_reset_confirm_view, name="password_reset_confirm"),
    path("wachtwoord-herstellen/klaar/",
         auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("uitnodigen/", views.invite_create, name="invite_create"),
    path("leden/", views.members, name="members"),
    path("leden/<int:pk>/", views.member_edit, name="member_edit"),
    path("leden/<int:pk>/toegang/", views.member_access, name="member_access"),
    path("leden/uitnodiging/<int:pk>/intrekken/", views.invitation_withdraw,
         name="invitation_withdraw"),
    path("uitnodiging/<uuid:token>/", views.invite_accept, name="invite_accept"),
    # The callback is the redirect URI to register at the identity provider.
    path("oidc/inloggen/", oidc.oidc_start, name="oidc_start"),
    path("oidc/callback/", oidc.oidc_callback, name="oidc_callback"),
    path("tweestapsverificatie/", views.two_factor_verify, name="two_factor_verify"),
    path("tweestapsverificatie/instellen/", views.two_factor_setup, name="two_factor_setup"),
    path("tweestapsverificatie/herstelcodes/", views.two_factor_recovery_codes,
         name="two_factor_recovery_codes"),
]
