from django import template

from assessments.labels import band_label
from assessments.scoring import score_band

register = template.Library()


@register.filter
def score_band_label(score: int | None) -> str:
    return band_label(score_band(score))
