from django import forms
from django.utils.translation import gettext_lazy as _

from perspectives.models import Characteristic, Phase
from waardevol.forms import DistinctMultipleChoiceField, QueryFilterForm

from .selectors import BenchmarkFilters


class BenchmarkFilterForm(QueryFilterForm):
    """The national page's filters, from the query string. A value no form of ours sends is an
    error the page names; the other filters still apply."""

    fase = forms.ChoiceField(label=_("Fase"), required=False,
                             choices=[("", _("Alle fasen")), *Phase.choices])
    kenmerk = DistinctMultipleChoiceField(
        label=_("Kenmerken (alle aangevinkte gelden)"), required=False,
        choices=Characteristic.choices, widget=forms.CheckboxSelectMultiple)

    def filters(self) -> BenchmarkFilters:
        """The valid filters (call after is_valid(); an invalid one is left out)."""
        data = getattr(self, "cleaned_data", {})
        return BenchmarkFilters(phase=data.get("fase") or "",
                                characteristics=tuple(sorted(data.get("kenmerk") or ())))


class ParticipationForm(forms.Form):
    """Join or leave: the state the beheerder chose, not a toggle (see services.participation_set)."""

    JOIN, LEAVE = "meedoen", "stoppen"
    keuze = forms.ChoiceField(choices=[(JOIN, _("Meedoen")), (LEAVE, _("Stoppen"))])

    @property
    def opted_in(self) -> bool:
        return self.cleaned_data["keuze"] == self.JOIN
