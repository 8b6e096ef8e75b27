from django.contrib import admin
from django.db import transaction

from waardevol.accounts.services import invitation_withdraw
from waardevol.audit.admin import ReadOnlyAdminMixin
from waardevol.audit.services import VIA_ADMIN, audit_membership_saved
from waardevol.text import CleanTextAdminMixin

from .models import Action, Assessment, Invitation, Membership, Municipality, Project

# Memberships stay editable in the admin (the hosting party gives a municipality its first
# beheerder there), and each change is recorded in the municipality's history, as a beheerder's
# change on the members page is: who gave whom access is what an audit asks first.


def _stored_memberships(pks) -> dict[int, Membership]:
    return {m.pk: m for m in Membership.objects.select_related("user").filter(
        pk__in=[pk for pk in pks if pk is not None])}


class MembershipInline(CleanTextAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "cbs_code"]
    search_fields = ["name", "cbs_code"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Keyed by the form's object: a deleted one has lost its pk by the time it is recorded.
        stored = _stored_memberships(f.instance.pk for f in formset.forms)
        before = {id(f.instance): stored.get(f.instance.pk) for f in formset.forms}
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            audit_membership_saved(user=request.user, before=None, after=membership, via=VIA_ADMIN)
        for membership, _fields in formset.changed_objects:
            audit_membership_saved(user=request.user, before=before[id(membership)],
                                   after=membership, via=VIA_ADMIN)
        for membership in formset.deleted_objects:
            audit_membership_saved(user=request.user, before=before[id(membership)], after=None,
                                   via=VIA_ADMIN)


@admin.register(Membership)
class MembershipAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["user", "municipality", "role", "is_manager"]
    list_filter = ["role", "is_manager", "municipality"]
    search_fields = ["user__username", "user__email", "municipality__name"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        before = _stored_memberships([obj.pk]).get(obj.pk) if change else None
        super().save_model(request, obj, form, change)
        audit_membership_saved(user=request.user, before=before, after=obj, via=VIA_ADMIN)

    def delete_model(self, request, obj):
        audit_membership_saved(user=request.user, before=obj, after=None, via=VIA_ADMIN)
        super().delete_model(request, obj)

    @transaction.atomic  # the change list's "delete selected" is not atomic by itself
    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            audit_membership_saved(user=request.user, before=membership, after=None,
                                   via=VIA_ADMIN)
        super().delete_queryset(request, queryset)


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
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are sent in the application (an admin-made one would send no e-mail, and a
    changed one would hand a link to another address or role unrecorded); here they can be looked
    up, and withdrawn by deleting them, which the municipality's history records."""

    list_display = ["email", "municipality", "role", "created_at", "accepted_at"]
    list_filter = ["municipality"]
    list_select_related = ["municipality"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        invitation_withdraw(invitation=obj, user=request.user)

    @transaction.atomic  # the change list's "delete selected" is not atomic by itself
    def delete_queryset(self, request, queryset):
        for invitation in queryset:
            invitation_withdraw(invitation=invitation, user=request.user)


@admin.register(Action)
class ActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["description", "assessment", "owner", "status"]
    list_select_related = ["assessment__project"]
