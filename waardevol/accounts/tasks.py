"""Work off the request path (django-tasks): e-mail.

With the default immediate backend a task runs at once in the request; with a worker backend
(see the README) it runs elsewhere, so for instance a password reset answers equally fast for an
address that has an account and one that has not. Arguments are plain values (JSON).
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_password_reset(*, email: str, domain: str, use_https: bool, language: str) -> None:
    """Send the reset link to the accounts with this address, if there are any."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(domain_override=domain, use_https=use_https,
                  from_email=settings.DEFAULT_FROM_EMAIL)


@task()
def send_invitation(*, email: str, link: str, municipality: str, inviter: str,
                    language: str) -> None:
    with translation.override(language):
        send_mail(
            _("Uitnodiging voor Waardevol"),
            render_to_string("registration/invitation_email.txt", {
                "link": link, "municipality": municipality, "inviter": inviter}),
            None, [email],
        )
