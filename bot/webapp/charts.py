"""Chart geometry for the Mini App's figures, drawn as inline SVG by the templates.

Why server-side SVG: crisp on every phone, follows the theme's colours through CSS classes, works
with no JavaScript and no chart library, and the numbers stay text a screen reader can read.
These functions only place shapes; the words (in the reader's language) are in the templates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.charts import TrendPoint

WIDTH, HEIGHT = 320.0, 150.0
LEFT, RIGHT, TOP, BOTTOM = 28.0, 4.0, 8.0, 20.0


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    kind: str  # "opened" or "resolved": the CSS class that colours it


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class TrendChart:
    width: float
    height: float
    left: float
    bottom: float  # the y of the axis
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]


def nice_ceiling(value: int) -> int:
    """The axis' top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def trend(points: Sequence[TrendPoint]) -> TrendChart:
    """Paired bars (opened, resolved) per period, with three grid lines."""
    top = nice_ceiling(max((max(p.opened, p.resolved) for p in points), default=0))
    axis = HEIGHT - BOTTOM
    plot_height = axis - TOP
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(points))
    bar = min(14.0, slot * 0.36)
    bars, labels = [], []
    for i, p in enumerate(points):
        middle = LEFT + slot * (i + 0.5)
        for value, x, kind in ((p.opened, middle - bar, "opened"), (p.resolved, middle, "resolved")):
            h = plot_height * value / top
            bars.append(Bar(round(x, 1), round(axis - h, 1), round(bar, 1), round(h, 1), value, kind))
        labels.append(Label(round(middle, 1), p.label))
    ticks = [Tick(round(axis - plot_height * f, 1), round(top * f)) for f in (0.0, 0.5, 1.0)]
    return TrendChart(WIDTH, HEIGHT, LEFT, axis, bars, ticks, labels)


@dataclass(frozen=True)
class Segment:
    key: str
    x: float  # percent of the whole bar
    width: float
    value: int


def stacked(counts: Mapping[str, int] | Sequence[tuple[str, int]]) -> list[Segment]:
    """One bar split in proportion to the counts (in percent of its length), in the given order."""
    items = list(counts.items()) if isinstance(counts, Mapping) else list(counts)
    total = sum(n for _, n in items)
    segments, x = [], 0.0
    for key, n in items:
        if n <= 0 or total <= 0:
            continue
        width = 100.0 * n / total
        segments.append(Segment(key, round(x, 3), round(width, 3), n))
        x += width
    return segments
