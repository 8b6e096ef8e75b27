"""Forms of accounts: invitations, accepting one, a colleague's role, a second-factor code."""

import re

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from assessments.models import Membership, Role
from waardevol.forms import SharedObjectForm
from waardevol.text import clean_text_formfield, has_hidden_characters


class MembershipForm(SharedObjectForm):
    """A beheerder changes a colleague's role and whether they may invite others."""

    class Meta(SharedObjectForm.Meta):
        model = Membership
        fields = ["role", "is_manager"]
        widgets = {"role": forms.RadioSelect}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van uw collega"), max_length=254)
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices, widget=forms.RadioSelect,
                             initial=Role.EDITOR)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if has_hidden_characters(email):
            raise forms.ValidationError(_("Dit e-mailadres bevat onzichtbare tekens. Typ het "
                                          "adres opnieuw."))
        # Only colleagues of the inviter's own municipality are named: whether an address has an
        # account elsewhere is not the inviter's business (the invitation link says so instead).
        if Membership.objects.filter(municipality=self.municipality,
                                     user__email__iexact=email).exists():
            raise forms.ValidationError(
                _("Er is al een collega met dit e-mailadres lid van uw gemeente. U kunt de rol "
                  "van uw collega wijzigen bij ‘Leden’."))
        return email


class InviteAcceptForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = ["username", "first_name", "last_name"]
        formfield_callback = clean_text_formfield


class OneTimeCodeInput(forms.TextInput):
    """A code works once, and a wrong one is no start for the next: the field comes back empty."""

    def format_value(self, value):
        return None


class SecondFactorForm(forms.Form):
    """A code from the authenticator app (six digits) or, if `recovery` is allowed, a recovery
    code (eight letters and digits); spaces and dashes as people copy them are ignored."""

    code = forms.CharField(label=_("Code"), max_length=20, strip=True, widget=OneTimeCodeInput)

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        widget = self.fields["code"].widget
        widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false",
                             "autocapitalize": "off", "size": "10"})
        if recovery:
            self.fields["code"].help_text = _(
                "De zes cijfers uit uw authenticator-app, of een van uw herstelcodes.")
        else:
            widget.attrs["inputmode"] = "numeric"
            self.fields["code"].help_text = _("De zes cijfers die de app nu toont.")

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        if re.fullmatch(r"\d{6}", code) or (self.recovery and re.fullmatch(r"[a-z2-7]{8}", code)):
            return code
        raise forms.ValidationError(
            _("Vul de zes cijfers uit uw authenticator-app in, of een herstelcode.")
            if self.recovery else _("Vul de zes cijfers uit uw authenticator-app in."))

    @property
    def is_recovery_code(self) -> bool:
        return not self.cleaned_data["code"].isdigit()
