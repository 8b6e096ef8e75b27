"""Geometry of the radar chart of the ten perspectives, drawn as inline SVG by a template.

Pure arithmetic: the template only places the numbers this returns. Coordinates are returned as
strings with a decimal point, because a template would localise floats ("440,5" in Dutch), which
SVG cannot read.
"""

import math
from dataclasses import dataclass

from .readmodel import AssessmentResult

SIZE = 520
CENTER = SIZE / 2
RADIUS = 170
LABEL_RADIUS = RADIUS + 24
RINGS = (25, 50, 75, 100)


@dataclass
class RadarAxis:
    number: int
    title: str
    score: int | None
    x: str
    y: str
    label_x: str
    label_y: str
    anchor: str
    point_x: str
    point_y: str


@dataclass
class RadarRing:
    value: int
    points: str
    label_x: str
    label_y: str


@dataclass
class RadarChart:
    size: int
    center: str
    axes: list[RadarAxis]
    rings: list[RadarRing]
    polygon: str


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _point(index: int, count: int, fraction: float, radius: float = RADIUS) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (CENTER + radius * fraction * math.cos(angle), CENTER + radius * fraction * math.sin(angle))


def _polygon(count: int, fraction: float) -> str:
    points = (_point(i, count, fraction) for i in range(count))
    return " ".join(f"{_coordinate(x)},{_coordinate(y)}" for x, y in points)


def radar_chart(result: AssessmentResult) -> RadarChart:
    perspectives = result.perspectives
    count = len(perspectives)
    axes = []
    for index, perspective in enumerate(perspectives):
        score = perspective.score.score if perspective.score else None
        x, y = _point(index, count, 1)
        label_x, label_y = _point(index, count, 1, LABEL_RADIUS)
        point_x, point_y = _point(index, count, (score or 0) / 100)
        anchor = "middle" if abs(label_x - CENTER) < 10 else ("start" if label_x > CENTER else "end")
        axes.append(RadarAxis(
            perspective.number, perspective.title, score, _coordinate(x), _coordinate(y),
            _coordinate(label_x), _coordinate(label_y + 9), anchor, _coordinate(point_x),
            _coordinate(point_y),
        ))
    polygon = " ".join(f"{a.point_x},{a.point_y}" for a in axes)
    rings = [RadarRing(value, _polygon(count, value / 100), _coordinate(CENTER + 5),
                       _coordinate(CENTER - RADIUS * value / 100 - 4)) for value in RINGS]
    return RadarChart(SIZE, _coordinate(CENTER), axes, rings, polygon)
