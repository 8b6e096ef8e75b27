"""Reads of the library of examples."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from assessments.models import Assessment, Status

from .models import PublishedExample


@dataclass(frozen=True)
class LibraryFilters:
    """What the library shows; every field empty means every published example."""

    query: str = ""  # part of the title or the description
    phase: str = ""
    characteristics: tuple[str, ...] = ()  # the example has every one of these


def examples_published(*, filters: LibraryFilters | None = None) -> QuerySet[PublishedExample]:
    """Every municipality's published examples, newest first, without their frozen copy (the
    list shows none of it)."""
    examples = (PublishedExample.objects.published().select_related("municipality")
                .defer("result"))
    filters = filters or LibraryFilters()
    if filters.query:
        examples = examples.filter(Q(title__icontains=filters.query)
                                   | Q(description__icontains=filters.query))
    if filters.phase:
        examples = examples.filter(phase=filters.phase)
    for code in filters.characteristics:
        examples = examples.filter(characteristic_codes__contains=f" {code} ")
    return examples.order_by("-published_at", "-pk")


def example_of_assessment(*, assessment: Assessment) -> PublishedExample | None:
    """The assessment's example as published now, if it is."""
    if assessment.status != Status.COMPLETED:
        return None
    return PublishedExample.objects.published().filter(source=assessment).first()
