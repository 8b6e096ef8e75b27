from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerspectivesConfig(AppConfig):
    name = "perspectives"
    verbose_name = _("Inhoud (perspectieven)")
