from django.contrib import admin

from waardevol.audit.admin import ReadOnlyAdminMixin
from waardevol.text import CleanTextAdminMixin

from .models import Action, Assessment, Invitation, Membership, Municipality, Project


class MembershipInline(CleanTextAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "cbs_code"]
    search_fields = ["name", "cbs_code"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["user", "municipality", "role", "is_manager"]
    list_filter = ["role", "is_manager", "municipality"]
    search_fields = ["user__username", "user__email", "municipality__name"]
    raw_id_fields = ["user"]


# A municipality's projects, assessments and actions are shown to superusers (the hosting party's
# support) but changed only in the application: there every change is recorded in the project's
# audit trail, a stale save is detected and a completed assessment stays as it was. An admin edit
# did none of that, and an assessment moved to another project could cross municipalities.


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "municipality", "phase", "updated_at"]
    list_filter = ["municipality", "phase"]
    search_fields = ["name"]
    list_select_related = ["municipality"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "status", "started_at", "completed_at", "overall_score"]
    list_filter = ["status"]
    list_select_related = ["project"]


@admin.register(Invitation)
class InvitationAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["email", "municipality", "role", "created_at", "accepted_at"]
    raw_id_fields = ["invited_by"]


@admin.register(Action)
class ActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["description", "assessment", "owner", "status"]
    list_select_related = ["assessment__project"]
