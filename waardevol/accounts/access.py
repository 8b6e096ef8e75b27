"""One access helper per object type: every object a user asks for by id goes through here.

Objects are scoped to the user's municipality, so another municipality's id is a 404 (we do not
confirm it exists). A lezer who tries to write gets a 403.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import Action, Assessment, Membership, Project


def is_vng_editor(user: AbstractBaseUser) -> bool:
    """Staff without a municipality: their work is the admin, not a municipality's pages."""
    return user.is_authenticated and user.is_staff and getattr(user, "membership", None) is None


def membership_for_user(user: AbstractBaseUser, *, write: bool = False) -> Membership:
    """The user's membership; users without a municipality (e.g. VNG editors) get a 403."""
    membership = getattr(user, "membership", None) if user.is_authenticated else None
    if membership is None:
        raise PermissionDenied("No municipality")
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    return membership


def _membership_or_404(user: AbstractBaseUser) -> Membership:
    try:
        return membership_for_user(user, write=False)
    except PermissionDenied as exc:
        # Without a municipality nothing exists for this user: 404, not 403.
        raise Http404 from exc


def project_for_user(user: AbstractBaseUser, pk: int, *, write: bool = False) -> Project:
    membership = _membership_or_404(user)
    project = get_object_or_404(
        Project.objects.select_related("municipality", "owner"),
        pk=pk, municipality_id=membership.municipality_id,
    )
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    return project


def assessment_for_user(user: AbstractBaseUser, pk: int, *, write: bool = False,
                        defer: tuple[str, ...] = ()) -> Assessment:
    """`defer` leaves large fields a view does not need unread (loaded when used after all)."""
    membership = _membership_or_404(user)
    assessment = get_object_or_404(
        Assessment.objects.select_related(
            "project", "project__municipality", "started_by", "completed_by", "content"
        ).defer(*defer),
        pk=pk, project__municipality_id=membership.municipality_id,
    )
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    return assessment


def action_for_user(user: AbstractBaseUser, pk: int, *, write: bool = False) -> Action:
    membership = _membership_or_404(user)
    action = get_object_or_404(
        Action.objects.select_related("assessment", "assessment__project", "perspective"),
        pk=pk, assessment__project__municipality_id=membership.municipality_id,
    )
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    return action


def member_for_manager(user: AbstractBaseUser, pk: int) -> Membership:
    """A colleague's membership, for a beheerder of the same municipality.

    Another municipality's member is a 404; a user who is not a beheerder gets a 403, and so does
    a beheerder for their own membership (nobody takes away their own rights by accident).
    """
    membership = _membership_or_404(user)
    member = get_object_or_404(Membership.objects.select_related("user"), pk=pk,
                               municipality_id=membership.municipality_id)
    if not membership.can_invite or member.pk == membership.pk:
        raise PermissionDenied("Not a beheerder of this member")
    return member


def vng_editor_required(user: AbstractBaseUser) -> None:
    """Pages across municipalities (the national benchmark) are for VNG editors only: anyone else
    who is logged in gets a 403."""
    if not is_vng_editor(user):
        raise PermissionDenied("Not a VNG editor")


def manager_membership(user: AbstractBaseUser) -> Membership:
    """The membership of a beheerder, for the municipality's settings; anyone else gets a 403."""
    membership = membership_for_user(user)
    if not membership.can_invite:
        raise PermissionDenied("Not a beheerder")
    return membership
