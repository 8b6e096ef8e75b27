from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail ("Geschiedenis"): who changed what in a project and its assessments.

    An app of its own so it has its own migrations and can grow (share links, exports) without
    touching the assessments' models. It depends on `assessments`, never the other way round:
    services there call `audit.services.audit_record` with the acting user.
    """

    name = "waardevol.audit"
    label = "audit"
    verbose_name = _("Geschiedenis")
