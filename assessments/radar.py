"""Geometry of the radar chart of the ten perspectives, drawn as inline SVG by a template.

Pure arithmetic: the template only places the numbers this returns.
"""

import math
from dataclasses import dataclass

from .selectors import AssessmentResult

SIZE = 520
CENTER = SIZE / 2
RADIUS = 170
LABEL_RADIUS = RADIUS + 22
RINGS = (25, 50, 75, 100)


@dataclass
class RadarAxis:
    number: int
    title: str
    score: int | None
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    point_x: float
    point_y: float


@dataclass
class RadarRing:
    value: int
    points: str
    label_x: float
    label_y: float


@dataclass
class RadarChart:
    size: int
    center: float
    axes: list[RadarAxis]
    rings: list[RadarRing]
    polygon: str
    title: str


def _point(index: int, count: int, fraction: float, radius: float = RADIUS) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (round(CENTER + radius * fraction * math.cos(angle), 1),
            round(CENTER + radius * fraction * math.sin(angle), 1))


def _polygon(count: int, fraction: float) -> str:
    return " ".join(f"{x},{y}" for x, y in (_point(i, count, fraction) for i in range(count)))


def radar_chart(result: AssessmentResult, title: str = "") -> RadarChart:
    perspectives = result.perspectives
    count = len(perspectives)
    axes = []
    for index, perspective in enumerate(perspectives):
        score = perspective.score.score if perspective.score else None
        x, y = _point(index, count, 1)
        label_x, label_y = _point(index, count, 1, LABEL_RADIUS)
        point_x, point_y = _point(index, count, (score or 0) / 100)
        anchor = "middle" if abs(label_x - CENTER) < 10 else ("start" if label_x > CENTER else "end")
        axes.append(RadarAxis(perspective.number, perspective.title, score, x, y, label_x,
                              label_y + 5, anchor, point_x, point_y))
    polygon = " ".join(f"{a.point_x},{a.point_y}" for a in axes)
    rings = [RadarRing(value, _polygon(count, value / 100), CENTER + 4,
                       round(CENTER - RADIUS * value / 100 - 3, 1)) for value in RINGS]
    return RadarChart(SIZE, CENTER, axes, rings, polygon, title)
