from django.apps import AppConfig


class NldsConfig(AppConfig):
    """Forms in the NL Design System's look: the crispy-forms template pack (templates/nlds/)
    and the template tags that render controls, their ARIA wiring and error summaries."""

    name = "waardevol.nlds"
    label = "nlds"
