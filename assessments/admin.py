from django.contrib import admin

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


@admin.register(Project)
class ProjectAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "municipality", "phase", "updated_at"]
    list_filter = ["municipality", "phase"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]


@admin.register(Assessment)
class AssessmentAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["project", "status", "started_at", "completed_at", "overall_score"]
    list_filter = ["status"]
    raw_id_fields = ["project", "started_by", "completed_by", "reopened_from"]
    # What a completed assessment showed is frozen: the admin shows it but does not change it.
    readonly_fields = ["status", "content", "characteristics", "overall_score", "result",
                       "completed_by", "completed_at"]


@admin.register(Invitation)
class InvitationAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["email", "municipality", "role", "created_at", "accepted_at"]
    raw_id_fields = ["invited_by"]


@admin.register(Action)
class ActionAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["description", "assessment", "owner", "status"]
    raw_id_fields = ["assessment", "created_by"]
