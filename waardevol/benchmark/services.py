"""Writes of the national benchmark: a municipality's opt-in."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from assessments.models import Municipality
from waardevol.audit.models import AuditKind
from waardevol.audit.services import audit_municipality

from .models import BenchmarkParticipation
from .selectors import generation_bump


@transaction.atomic
def participation_set(*, municipality: Municipality, opted_in: bool,
                      user: AbstractBaseUser | None) -> bool:
    """Set whether the municipality is counted; True when that changed.

    The page sends the state the beheerder chose (join, or leave), not a toggle: two beheerders
    who act on the same old page both get what they asked for, and nothing is undone unseen.
    Cached figures are dropped at once, so leaving takes effect on the next page anyone opens.
    """
    participation, created = (BenchmarkParticipation.objects.select_for_update()
                              .get_or_create(municipality=municipality))
    changed = participation.opted_in != opted_in
    if not (changed or created):
        return False
    participation.opted_in = opted_in
    participation.changed_by = user
    participation.save()
    if changed:  # a first "no" is where every municipality starts: nothing to record
        audit_municipality(user=user, municipality=municipality,
                           kind=AuditKind.BENCHMARK_JOINED if opted_in else AuditKind.BENCHMARK_LEFT)
    # Now, and again after the commit: a page computed in between (from the data before this
    # change) must not stay cached under the new generation.
    generation_bump()
    transaction.on_commit(generation_bump)
    return changed
