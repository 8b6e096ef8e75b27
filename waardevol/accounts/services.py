"""Writes of accounts: invitations and memberships."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments.models import Invitation, Membership, Municipality, Role


def invitation_create(*, membership: Membership, email: str, role: str) -> Invitation:
    return Invitation.objects.create(municipality=membership.municipality, email=email,
                                     role=role, invited_by=membership.user)


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
    Membership.objects.create(user=user, municipality=invitation.municipality,
                              role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


def membership_create(*, user: AbstractBaseUser, municipality: Municipality,
                      role: str = Role.EDITOR, is_manager: bool = False) -> Membership:
    return Membership.objects.create(user=user, municipality=municipality, role=role,
                                     is_manager=is_manager)
