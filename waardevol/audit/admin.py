from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdminMixin:
    """An admin that shows objects but never adds, changes or deletes them: what only the
    application may write (it records each change in the audit trail, detects stale saves and
    keeps completed assessments as they were)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the trail is written by the application only, and never changed."""

    list_display = ["created_at", "actor_name", "municipality", "project_id", "assessment_id",
                    "kind"]
    list_filter = ["kind", "municipality"]
    list_select_related = ["municipality"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
