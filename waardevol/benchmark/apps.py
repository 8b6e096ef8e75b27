from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarkConfig(AppConfig):
    """The national benchmark (perspective 6): anonymised aggregates of the latest completed
    assessments of municipalities that opted in.

    An app of its own, with its own model for the opt-in, so it never needs a migration of the
    assessments app. It depends on `assessments`; the results presenter there asks it for a
    project's comparison, nothing else.
    """

    name = "waardevol.benchmark"
    label = "benchmark"
    verbose_name = _("Landelijke benchmark")
