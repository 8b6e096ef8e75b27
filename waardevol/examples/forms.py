"""Forms validate and convert; the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.forms import QUERY_MAX
from assessments.models import DESCRIPTION_MAX as PROJECT_DESCRIPTION_MAX
from assessments.models import NAME_MAX
from perspectives.models import Characteristic, Phase
from waardevol.forms import DistinctMultipleChoiceField, QueryFilterForm
from waardevol.text import CleanCharField

from .models import DESCRIPTION_MAX, TITLE_MAX
from .selectors import LibraryFilters


class LibraryFilterForm(QueryFilterForm):
    """The library's search and filters, from the query string. A value no form of ours sends is
    named on the page and left out; the other filters still apply."""

    q = CleanCharField(label=_("Zoek in titel en omschrijving"), required=False,
                       max_length=QUERY_MAX)
    fase = forms.ChoiceField(label=_("Fase"), required=False)
    kenmerk = DistinctMultipleChoiceField(
        label=_("Kenmerken"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Characteristic.choices,
        help_text=_("Voorbeelden met al deze kenmerken."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fase"].choices = [("", _("Alle fasen")), *Phase.choices]

    def filters(self) -> LibraryFilters:
        """The valid filters (call after is_valid(); an invalid one is left out)."""
        data = getattr(self, "cleaned_data", {})
        return LibraryFilters(query=data.get("q") or "", phase=data.get("fase") or "",
                              characteristics=tuple(data.get("kenmerk") or ()))


class PublishForm(forms.Form):
    # The page validates on the server (novalidate); a required attribute would make NL Design
    # System's textarea show an empty description as an error before anything was typed.
    use_required_attribute = False

    title = CleanCharField(
        label=_("Titel van het voorbeeld"), max_length=TITLE_MAX,
        help_text=_("Ingevuld met de naam van het project. Iedere gemeente ziet deze titel: "
                    "verander hem als de projectnaam niet gedeeld mag worden."))
    description = CleanCharField(
        label=_("Omschrijving"), max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Wat voor project is het, en wat kunnen andere gemeenten ervan leren? "
                    "Noem geen namen van personen."))
    include_notes = forms.BooleanField(
        label=_("Toelichtingen meepubliceren"), required=False,
        help_text=_("De toelichtingen bij de antwoorden en de redenen voor ‘niet van "
                    "toepassing’. Zonder dit vinkje ziet men alleen de antwoorden."))
    no_names = forms.BooleanField(
        label=_("Ik heb gecontroleerd dat de titel, de omschrijving en (als ik ze meepubliceer) "
                "de toelichtingen geen namen van personen bevatten."),
        error_messages={"required": _("Controleer eerst dat er geen namen van personen in "
                                      "staan, en vink dat aan.")})


class StartFromExampleForm(forms.Form):
    name = CleanCharField(
        label=_("Naam van uw project"), max_length=NAME_MAX,
        help_text=_("Bijvoorbeeld ‘Slimme lantaarnpalen Centrum’."))
    description = CleanCharField(
        label=_("Omschrijving (optioneel)"), max_length=PROJECT_DESCRIPTION_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 3}))
    copy_answers = forms.BooleanField(
        label=_("Antwoorden van het voorbeeld overnemen als startpunt"), required=False,
        initial=True,
        help_text=_("Elk overgenomen antwoord staat gemarkeerd als ‘overgenomen uit voorbeeld’ "
                    "tot u het bevestigt of wijzigt. Toelichtingen worden nooit overgenomen."))
