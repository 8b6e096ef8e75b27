"""Geometry of the radar chart of the ten perspectives, drawn as inline SVG by a template.

Pure arithmetic: the template only places the numbers this returns. Coordinates are returned as
strings with a decimal point, because a template would localise floats ("440,5" in Dutch), which
SVG cannot read.

A comparison draws an earlier assessment's scores as a second polygon under the later one, with a
legend below the chart; without one the chart is exactly the single radar of page and report.
"""

import math
from dataclasses import dataclass, field

from .readmodel import AssessmentResult

SIZE = 520
CENTER = SIZE / 2
RADIUS = 170
LABEL_RADIUS = RADIUS + 24
RINGS = (25, 50, 75, 100)
# Room below the chart for the comparison's legend (two lines).
LEGEND_HEIGHT = 100


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
class RadarPoint:
    x: str
    y: str


@dataclass
class RadarLegendLine:
    label: str  # "Eerder: 1 maart 2026"
    y: str  # the line's baseline
    line_y: str  # the sample stroke beside it


@dataclass
class RadarChart:
    size: int
    center: str
    axes: list[RadarAxis]
    rings: list[RadarRing]
    polygon: str
    # An earlier assessment's scores, drawn dashed in another colour (a comparison only).
    previous_polygon: str = ""
    previous_points: list[RadarPoint] = field(default_factory=list)
    legend: list[RadarLegendLine] = field(default_factory=list)

    @property
    def view_height(self) -> int:
        return self.size + 30 + (LEGEND_HEIGHT if self.legend else 0)


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _point(index: int, count: int, fraction: float, radius: float = RADIUS) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (CENTER + radius * fraction * math.cos(angle), CENTER + radius * fraction * math.sin(angle))


def _polygon(count: int, fraction: float) -> str:
    points = (_point(i, count, fraction) for i in range(count))
    return " ".join(f"{_coordinate(x)},{_coordinate(y)}" for x, y in points)


def _score(perspective) -> int | None:
    return perspective.score.score if perspective.score else None


def radar_chart(result: AssessmentResult, *, previous: AssessmentResult | None = None,
                labels: tuple[str, str] = ("", "")) -> RadarChart:
    """The chart of `result`; with `previous`, that one's scores as a second polygon and a
    legend naming both (`labels`: the earlier one's, then this one's)."""
    perspectives = result.perspectives
    count = len(perspectives)
    axes = []
    for index, perspective in enumerate(perspectives):
        score = _score(perspective)
        x, y = _point(index, count, 1)
        label_x, label_y = _point(index, count, 1, LABEL_RADIUS)
        point_x, point_y = _point(index, count, (score or 0) / 100)
        anchor = "middle" if abs(label_x - CENTER) < 10 else ("start" if label_x > CENTER else "end")
        axes.append(RadarAxis(
            perspective.number, perspective.title, score, _coordinate(x), _coordinate(y),
            _coordinate(label_x), _coordinate(label_y + 10), anchor, _coordinate(point_x),
            _coordinate(point_y),
        ))
    polygon = " ".join(f"{a.point_x},{a.point_y}" for a in axes)
    rings = [RadarRing(value, _polygon(count, value / 100), _coordinate(CENTER + 12),
                       _coordinate(CENTER - RADIUS * value / 100 - 4)) for value in RINGS]
    chart = RadarChart(SIZE, _coordinate(CENTER), axes, rings, polygon)
    if previous is not None:
        earlier = {p.number: _score(p) for p in previous.perspectives}
        points = [_point(index, count, (earlier.get(p.number) or 0) / 100)
                  for index, p in enumerate(perspectives)]
        chart.previous_points = [RadarPoint(_coordinate(x), _coordinate(y)) for x, y in points]
        chart.previous_polygon = " ".join(f"{p.x},{p.y}" for p in chart.previous_points)
        top = SIZE + 30
        chart.legend = [RadarLegendLine(label, _coordinate(top + 20 + 40 * row),
                                        _coordinate(top + 11 + 40 * row))
                        for row, label in enumerate(labels)]
    return chart
