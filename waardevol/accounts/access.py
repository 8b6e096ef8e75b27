"""One access helper per object type: every object a user asks for by id goes through here.

Objects are scoped to the user's municipality, so another municipality's id is a 404 (we do not
confirm it exists). A lezer who tries to write gets a 403.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from assessments.models import (
    Action,
    Assessment,
    Invitation,
    Membership,
    Project,
    Rater,
    RatingRound,
)
from waardevol.examples.models import PublishedExample


def is_vng_editor(user: AbstractBaseUser) -> bool:
    """Staff without a municipality: their work is the admin, not a municipality's pages."""
    return user.is_authenticated and user.is_staff and getattr(user, "membership", None) is None


def has_municipality(user: AbstractBaseUser) -> bool:
    return user.is_authenticated and getattr(user, "membership", None) is not None


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
        # The content snapshot is read through revision_snapshot, parsed once per process.
        Assessment.objects.select_related(
            "project", "project__municipality", "started_by", "completed_by", "content"
        ).defer("content__snapshot", *defer),
        pk=pk, project__municipality_id=membership.municipality_id,
    )
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    if assessment.is_concept:
        ensure_rating_submitted(user, assessment_id=assessment.pk)
    return assessment


def action_for_user(user: AbstractBaseUser, pk: int, *, write: bool = False) -> Action:
    membership = _membership_or_404(user)
    action = get_object_or_404(
        Action.objects.select_related("assessment", "assessment__project", "perspective"),
        pk=pk, assessment__project__municipality_id=membership.municipality_id,
    )
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    if action.assessment.is_concept:
        ensure_rating_submitted(user, assessment_id=action.assessment_id)
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


def invitation_for_manager(user: AbstractBaseUser, pk: int) -> Invitation:
    """A not yet accepted invitation of the beheerder's municipality: another municipality's (or
    an accepted one) is a 404, a user who is not a beheerder gets a 403."""
    membership = _membership_or_404(user)
    invitation = get_object_or_404(Invitation, pk=pk, accepted_at__isnull=True,
                                   municipality_id=membership.municipality_id)
    if not membership.can_invite:
        raise PermissionDenied("Not a beheerder")
    return invitation


class RatingNotSubmitted(PermissionDenied):
    """A rater of an open round sees nobody else's answers (the assessment's nor the other
    raters') until they have submitted their own: the page says so and links to their scores."""

    def __init__(self, round_id: int):
        super().__init__("Rating not submitted yet")
        self.round_id = round_id


def ensure_rating_submitted(user: AbstractBaseUser, *, assessment_id: int | None = None,
                            project_id: int | None = None) -> None:
    """Raise RatingNotSubmitted when the user still has to submit in an open round of this
    assessment (or of any assessment of this project)."""
    pending = Rater.objects.filter(user=user, submitted_at__isnull=True,
                                   round__closed_at__isnull=True)
    if assessment_id is not None:
        pending = pending.filter(round__assessment_id=assessment_id)
    else:
        pending = pending.filter(round__assessment__project_id=project_id)
    round_id = pending.values_list("round_id", flat=True).first()
    if round_id is not None:
        raise RatingNotSubmitted(round_id)


def _round_in_municipality(user: AbstractBaseUser, pk: int) -> tuple[RatingRound, Membership]:
    membership = _membership_or_404(user)
    rating_round = get_object_or_404(
        RatingRound.objects.select_related("assessment", "assessment__project",
                                           "assessment__project__municipality", "started_by"),
        pk=pk, assessment__project__municipality_id=membership.municipality_id,
    )
    return rating_round, membership


def rater_for_user(user: AbstractBaseUser, pk: int) -> Rater:
    """The user's own place in rating round `pk`: only the round's raters fill in scores (another
    colleague gets a 403, another municipality's round is a 404). A lezer may be a rater: their
    scores are their own, and change the assessment only when bewerkers choose them."""
    rating_round, _membership = _round_in_municipality(user, pk)
    rater = Rater.objects.filter(round=rating_round, user=user).first()
    if rater is None:
        raise PermissionDenied("Not a rater of this round")
    rater.round = rating_round
    return rater


def rating_round_for_user(user: AbstractBaseUser, pk: int, *, write: bool = False) -> RatingRound:
    """A round's discussion: for the municipality's bewerkers and for the round's raters who
    submitted (a lezer among them reads it); choosing answers (`write`) is for bewerkers. Whoever
    still has to submit in an open round of the assessment sees nothing of it yet."""
    rating_round, membership = _round_in_municipality(user, pk)
    if write and not membership.can_edit:
        raise PermissionDenied("Read-only role")
    if not membership.can_edit and not Rater.objects.filter(
            round=rating_round, user=user, submitted_at__isnull=False).exists():
        raise PermissionDenied("Not a rater of this round")
    ensure_rating_submitted(user, assessment_id=rating_round.assessment_id)
    return rating_round


def example_for_user(user: AbstractBaseUser, pk: int) -> PublishedExample:
    """A published example, for a member of any municipality: that is what publishing means.
    A withdrawn example is a 404 for everyone, its publisher too, from the moment it is
    withdrawn; users without a municipality (VNG editors) get a 404 as for all municipal data."""
    _membership_or_404(user)
    return get_object_or_404(
        PublishedExample.objects.published().select_related("municipality", "content")
        .defer("content__snapshot"), pk=pk)


def example_for_withdrawal(user: AbstractBaseUser, pk: int) -> PublishedExample:
    """A published example, for a bewerker of the municipality that published it. Members of
    other municipalities can see it, so for them it is a 403, not a 404; so for a lezer."""
    membership = _membership_or_404(user)
    # Its own municipality still finds a withdrawn one (a double click is told it is done);
    # for everyone else it is gone.
    example = get_object_or_404(
        PublishedExample.objects.filter(Q(withdrawn_at__isnull=True)
                                        | Q(municipality_id=membership.municipality_id)), pk=pk)
    if example.municipality_id != membership.municipality_id or not membership.can_edit:
        raise PermissionDenied("Not a bewerker of the publishing municipality")
    return example


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
