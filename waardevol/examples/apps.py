from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamplesConfig(AppConfig):
    """The library of examples: completed assessments a municipality published for every other
    municipality to learn from, and starting a new project from one.

    It depends on `assessments` (and records in `audit`), never the other way round.
    """

    name = "waardevol.examples"
    label = "examples"
    verbose_name = _("Voorbeelden")
