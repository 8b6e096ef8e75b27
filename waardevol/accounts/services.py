"""Writes of accounts: invitations, memberships, organisation accounts and second factors."""

import base64
import copy
import hashlib
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Invitation, Membership, Municipality, Role
from waardevol.audit import services as audit
from waardevol.audit.models import AuditKind
from waardevol.text import clean_text, has_hidden_characters, is_visible

from .models import OIDCIdentity
from .sessions import sessions_end_on_commit


def invitation_unsaved(*, membership: Membership, email: str, role: str) -> Invitation:
    """An invitation by the beheerder `membership`, not stored yet: its token (and so its link)
    exists already, so the e-mail can be sent first and nothing is kept if it cannot be."""
    return Invitation(municipality=membership.municipality, email=email, role=role,
                      invited_by=membership.user)


@transaction.atomic
def invitation_store(*, invitation: Invitation) -> Invitation:
    """Store a sent (or queued) invitation, recorded in the municipality's history."""
    invitation.save()
    audit.audit_invitation(user=invitation.invited_by, invitation=invitation)
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, user: AbstractBaseUser,
                        pending_only: bool = False) -> bool:
    """Delete an invitation, so its link stops working. True when one not accepted yet was
    withdrawn (on the record); an accepted one is only tidied away (the admin) or, with
    `pending_only` (a beheerder, who may have seen it open a moment ago), left alone, as is one
    gone already (another beheerder was first)."""
    invitations = Invitation.objects.select_for_update().filter(pk=invitation.pk)
    if pending_only:
        invitations = invitations.filter(accepted_at__isnull=True)
    current = invitations.first()
    if current is None:
        return False
    withdrawn = current.accepted_at is None
    if withdrawn:
        audit.audit_invitation(user=user, invitation=current,
                                   kind=AuditKind.INVITATION_WITHDRAWN)
    current.delete()
    return withdrawn


class InvitationUsed(Exception):
    """The invitation was accepted already (perhaps a moment ago, in another tab)."""


@transaction.atomic
def invitation_accept(*, invitation: Invitation, username: str, password: str,
                      first_name: str = "", last_name: str = "") -> AbstractBaseUser:
    if not Invitation.objects.select_for_update().filter(
        pk=invitation.pk, accepted_at__isnull=True
    ).exists():
        raise InvitationUsed
    user = get_user_model().objects.create_user(
        username=username, email=invitation.email, password=password,
        first_name=first_name, last_name=last_name,
    )
    _join_by_invitation(user=user, invitation=invitation)
    return user


class AlreadyMember(Exception):
    """The account belongs to a municipality already (one account, one municipality), or may not
    belong to one (see `may_join_by_invitation`)."""


def may_join_by_invitation(user: AbstractBaseUser) -> bool:
    """An account with no municipality may join one by invitation; one with access to the admin
    (VNG editors, the hosting party) may not: as a member it would be no VNG editor any more,
    and one its beheerders could not block."""
    return not (user.is_staff or user.is_superuser
                or Membership.objects.filter(user_id=user.pk).exists())


@transaction.atomic
def invitation_accept_existing(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """An existing account without a municipality (an administrator ended its membership) joins
    by an invitation to its own address, keeping its login."""
    if not Invitation.objects.select_for_update().filter(
        pk=invitation.pk, accepted_at__isnull=True
    ).exists():
        raise InvitationUsed
    # The account's row locked: two tabs accepting two invitations make one membership.
    account = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not may_join_by_invitation(account):
        raise AlreadyMember
    return _join_by_invitation(user=user, invitation=invitation)


def _join_by_invitation(*, user: AbstractBaseUser, invitation: Invitation) -> Membership:
    membership = Membership.objects.create(user=user, municipality=invitation.municipality,
                                           role=invitation.role)
    audit.audit_member_joined(user=user, membership=membership, via=audit.VIA_INVITATION)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def member_access_set(*, membership: Membership, active: bool, user: AbstractBaseUser) -> bool:
    """Block a colleague's account (they can no longer log in, with a password or an organisation
    account, and their sessions end: see sessions.py) or unblock it; recorded in the
    municipality's history. False when it was so already (another beheerder was first)."""
    manager_confirm_locked(user=user, member=membership)
    # Both accounts locked too, in one order: of two beheerders blocking each other at the same
    # moment, the second finds itself blocked and is refused.
    accounts = {account.pk: account for account in get_user_model().objects.select_for_update()
                .filter(pk__in=[membership.user_id, user.pk]).order_by("pk")}
    account = accounts[membership.user_id]
    if not accounts[user.pk].is_active:
        raise PermissionDenied("Blocked meanwhile")
    if account.is_staff or account.is_superuser:
        # Accounts with access to the admin are the hosting party's to block, not a municipality's.
        raise PermissionDenied("An account with admin access")
    if account.is_active == active:
        return False
    account.is_active = active
    account.save(update_fields=["is_active"])  # its post_save drops the cached login user
    if active:
        sessions_end_on_commit(account.pk)  # a login that was under way during the block
    audit.audit_member(user=user, membership=membership,
                       kind=AuditKind.MEMBER_REACTIVATED if active
                       else AuditKind.MEMBER_DEACTIVATED)
    return True


def manager_confirm_locked(*, user: AbstractBaseUser, member: Membership) -> None:
    """Inside the transaction that changes a colleague's membership or account: lock both
    memberships, in one order (always before the accounts), and refuse (PermissionDenied) a user
    who is no longer a beheerder of the colleague's municipality. Of two beheerders taking each
    other's beheerder flag at the same moment, the second is refused, so a municipality never
    loses both at once."""
    locked = (Membership.objects.select_for_update()
              .filter(Q(pk=member.pk) | Q(user_id=user.pk)).order_by("pk"))
    own = next((membership for membership in locked if membership.user_id == user.pk), None)
    if own is None or not own.can_invite or own.municipality_id != member.municipality_id:
        raise PermissionDenied("No longer a beheerder of this member")


def membership_create(*, user: AbstractBaseUser, municipality: Municipality,
                      role: str = Role.EDITOR, is_manager: bool = False) -> Membership:
    return Membership.objects.create(user=user, municipality=municipality, role=role,
                                     is_manager=is_manager)


class OIDCRefused(Exception):
    """An identity provider vouched for someone we have no account for and may not create one."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _oidc_username(issuer: str, subject: str) -> str:
    # Nobody types it (they log in at their provider); it only has to be unique and stable.
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).digest()
    return "oidc-" + base64.b32encode(digest).decode()[:24].lower()


def _email_taken(email: str, *, other_than=None) -> bool:
    users = get_user_model().objects.filter(email__iexact=email)
    if other_than is not None:
        users = users.exclude(pk=other_than.pk)
    return bool(email) and users.exists()


def _names_from_claims(claims: dict) -> dict[str, str]:
    """First and last name from the standard claims (OpenID Connect Core 5.1), only those sent
    (an empty claim never clears a name). A provider that sends only `name` has it as the first
    name, and no last name, so that colleagues see a name on *Leden* and in the history, not the
    generated username; a claim that is not text is left out."""
    def claim(key: str) -> str:
        # Cleaned as typed names are (waardevol.text): a provider's claim must not smuggle in a
        # bidirectional override that shows one person's name as a colleague's.
        value = claims.get(key)
        if not isinstance(value, str):
            return ""
        # (Tabs and line breaks are kept by the cleaning, then become single spaces.)
        value = " ".join(clean_text(value, multiline=True).split())[:150]
        return value if is_visible(value) else ""

    names = {field: value for field, value in (("first_name", claim("given_name")),
                                                ("last_name", claim("family_name"))) if value}
    if not names and claim("name"):
        names = {"first_name": claim("name"), "last_name": ""}
    return names


def _email_from_claims(claims: dict) -> str:
    """The `email` claim if it is one address; otherwise none (a provider's odd value must not
    end up where a colleague or a mail server reads it)."""
    value = claims.get("email")
    value = value.strip() if isinstance(value, str) else ""
    if has_hidden_characters(value):  # it would show as another address
        return ""
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value if len(value) <= 254 else ""  # cut short it would be someone else's address


@transaction.atomic
def oidc_login_resolve(*, issuer: str, subject: str, claims: dict,
                       invitation_token: str | None = None) -> AbstractBaseUser:
    """The user for a verified (issuer, sub): the linked one, or a new one from the invitation
    being accepted or from the municipality in the claims; otherwise OIDCRefused.

    With a role claim configured the provider is authoritative for the role at every login; a
    provider that places a known user in another municipality is refused, not obeyed, because
    moving a member would hand them the other municipality's projects.
    """
    from . import oidc  # the claim mapping lives beside the backend that reads the claims

    email = _email_from_claims(claims)
    names = _names_from_claims(claims)
    code = oidc.municipality_code_from_claims(claims)
    role = oidc.role_from_claims(claims)

    identity = (OIDCIdentity.objects.select_related("user", "user__membership")
                .filter(issuer=issuer, subject=subject).first())
    if identity is not None:
        user = identity.user
        if not user.is_active:
            # Blocked by a beheerder (a colleague who left): the provider vouching for them
            # changes nothing, and their role is not updated either.
            raise OIDCRefused("blocked")
        changed = [field for field, value in names.items() if getattr(user, field) != value]
        for field in changed:
            setattr(user, field, names[field])
        if email and email.lower() != user.email.lower() and not _email_taken(email, other_than=user):
            user.email = email
            changed.append("email")
        if changed:
            user.save(update_fields=changed)
        membership = getattr(user, "membership", None)
        if membership is None and code:
            municipality = Municipality.objects.filter(cbs_code=code).first()
            if municipality is not None:
                membership = membership_create(user=user, municipality=municipality,
                                               role=role[0] if role else Role.READER,
                                               is_manager=bool(role and role[1]))
                audit.audit_member_joined(user=user, membership=membership,
                                          via=audit.VIA_IDENTITY_PROVIDER)
        elif membership is not None:
            if code and code != membership.municipality.cbs_code:
                raise OIDCRefused("other_municipality")
            if role and (membership.role, membership.is_manager) != role:
                before = copy.copy(membership)
                membership.role, membership.is_manager = role
                membership.save(update_fields=["role", "is_manager"])
                # The provider decided; the trail names the user whose login carried its word.
                audit.audit_membership_saved(user=user, before=before, after=membership,
                                             via=audit.VIA_IDENTITY_PROVIDER)
        return user

    invitation = None
    if invitation_token:
        invitation = (Invitation.objects.usable().select_for_update()
                      .filter(token=_uuid_or_none(invitation_token))
                      .select_related("municipality").first())
    if invitation is not None:
        municipality, role = invitation.municipality, (invitation.role, False)
        email = email or invitation.email
    else:
        municipality = Municipality.objects.filter(cbs_code=code).first() if code else None
        role = role or (Role.READER, False)
    if municipality is not None:
        # First logins into one municipality take turns. Side by side, two found the address
        # free and each made an account with it (the 500 hunt made four), or two made one
        # identity. (NO KEY: rows that only refer to the municipality, a project or an audit
        # event, are not held up meanwhile.) Not across municipalities: the address has no
        # unique index.
        Municipality.objects.select_for_update(no_key=True).filter(pk=municipality.pk).exists()
    if OIDCIdentity.objects.filter(issuer=issuer, subject=subject).exists():
        # Another login made this identity while this one waited for the municipality's lock
        # or the invitation's (the same invitation opened in two tabs, which this one then
        # found accepted): it is now a login of a known user.
        return oidc_login_resolve(issuer=issuer, subject=subject, claims=claims)
    if municipality is None:
        raise OIDCRefused("no_municipality")
    if _email_taken(email):
        # One person, one account: whoever has this address already logs in with a password.
        raise OIDCRefused("email_taken")
    user = get_user_model().objects.create_user(
        username=_oidc_username(issuer, subject), email=email, password=None, **names)
    OIDCIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    membership = membership_create(user=user, municipality=municipality, role=role[0],
                                   is_manager=role[1])
    audit.audit_member_joined(user=user, membership=membership,
                              via=audit.VIA_INVITATION if invitation is not None
                              else audit.VIA_IDENTITY_PROVIDER)
    if invitation is not None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


RECOVERY_CODE_COUNT = 10


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator app being set up: the one waiting for its first code, or a new one (so
    reloading the page keeps the QR code that was scanned already)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=False)


def _second_factor_locked(user: AbstractBaseUser) -> None:
    """Changes to one user's second factor take turns. Two requests at once (a double click on
    "new recovery codes") each found no recovery-code device and each made one; with several,
    every later change of that user's second factor was a 500 (found by the 500 hunt)."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).exists()


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice) -> list[str]:
    """The app gave a right code: it is the user's second factor from now on, replacing any
    earlier one, with a fresh set of recovery codes (returned to show once)."""
    _second_factor_locked(device.user)
    if not TOTPDevice.objects.filter(pk=device.pk).exists():
        # Another tab confirmed another app meanwhile, replacing this one.
        raise TOTPDevice.DoesNotExist
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_replace(user=device.user)


@transaction.atomic
def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    _second_factor_locked(user)
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
    # A second device (left by that race before the lock) goes, with its codes.
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
