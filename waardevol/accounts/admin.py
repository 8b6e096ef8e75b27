from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Membership
from waardevol.audit.models import AuditKind
from waardevol.audit.services import VIA_ADMIN, audit_member, audit_membership_saved
from waardevol.text import CleanTextAdminMixin

from .sessions import sessions_end_on_commit

User = get_user_model()


# Names typed in the admin are cleaned like names typed anywhere else.
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CleanTextAdminMixin, auth_admin.UserAdmin):
    """Blocking a member's account, or deleting it (which ends its membership), is recorded in
    the municipality's history, as every other change of who has access."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or "is_active" not in form.changed_data:
            return
        if obj.is_active:
            sessions_end_on_commit(obj.pk)  # a login that was under way during the block
        membership = Membership.objects.select_related("user").filter(user=obj).first()
        if membership is not None:
            audit_member(user=request.user, membership=membership, via=VIA_ADMIN,
                         kind=AuditKind.MEMBER_REACTIVATED if obj.is_active
                         else AuditKind.MEMBER_DEACTIVATED)

    def has_delete_permission(self, request, obj=None):
        # Not one's own account: the record of its removal would name the account being removed.
        return super().has_delete_permission(request, obj) and obj != request.user

    def delete_model(self, request, obj):
        self._record_removals(request, [obj.pk])
        super().delete_model(request, obj)

    @transaction.atomic  # the change list's "delete selected" is not atomic by itself
    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        if request.user.pk in pks:
            raise PermissionDenied
        self._record_removals(request, pks)
        super().delete_queryset(request, queryset)

    @staticmethod
    def _record_removals(request, user_pks) -> None:
        for membership in Membership.objects.select_related("user").filter(user__in=user_pks):
            audit_membership_saved(user=request.user, before=membership, after=None,
                                   via=VIA_ADMIN)


# A second factor belongs to its user, who sets it up at login. django-otp hides a device's key
# and recovery codes once it exists (OTP_ADMIN_HIDE_SENSITIVE_DATA), but its add form shows
# them: a superuser could add a device for someone else and hold that user's second factor.
# Removing a lost device stays possible.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class OwnTOTPDeviceAdmin(TOTPDeviceAdmin):
    def has_add_permission(self, request) -> bool:
        return False


@admin.register(StaticDevice)
class OwnStaticDeviceAdmin(StaticDeviceAdmin):
    def has_add_permission(self, request) -> bool:
        return False
