"""The figures' trend picture: requests opened and resolved per period, as a PNG bar chart.

Why Pillow and not matplotlib: one paired bar chart does not justify a 40 MB dependency and its
font cache, and Pillow is already installed for the /board picture. The picture holds only
numbers and dates (the server may have no CJK font); the caption, in the reader's language,
says what the colours mean (see OPENED_COLOUR / RESOLVED_COLOUR).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OPENED_COLOUR = (59, 111, 182)  # blue
RESOLVED_COLOUR = (58, 154, 91)  # green
_GRID = (225, 228, 232)
_AXIS = (90, 96, 104)
_TEXT = (40, 44, 52)
WIDTH, HEIGHT = 900, 480
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 24, 36, 56


@dataclass(frozen=True)
class TrendPoint:
    label: str  # a date or week label: digits and Latin letters only
    opened: int
    resolved: int


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font still works
        return ImageFont.load_default()


def _nice_ceiling(value: int) -> int:
    """A round top for the axis (1, 2, 5 × 10^n) so grid labels are easy to read."""
    if value <= 5:
        return 5
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def trend_png(points: Sequence[TrendPoint]) -> bytes:
    """Paired bars per period (opened, resolved) with a labelled y axis; returns PNG bytes.

    No legend inside the picture: the caption or report text names the colours in the reader's
    language.
    """
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    small, tiny = _font(14), _font(12)
    top = _nice_ceiling(max([1, *(max(p.opened, p.resolved) for p in points)]))
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM
    base = _TOP + plot_h

    for i in range(6):  # horizontal grid with values
        value = top * i / 5
        y = base - plot_h * i / 5
        draw.line([(_LEFT, y), (WIDTH - _RIGHT, y)], fill=_GRID, width=1)
        text = f"{value:g}"
        draw.text((_LEFT - 8, y), text, fill=_AXIS, font=small, anchor="rm")
    draw.line([(_LEFT, _TOP), (_LEFT, base)], fill=_AXIS, width=2)
    draw.line([(_LEFT, base), (WIDTH - _RIGHT, base)], fill=_AXIS, width=2)

    if points:
        slot = plot_w / len(points)
        bar = max(2.0, min(36.0, slot * 0.36))
        label_every = max(1, math.ceil(44 / slot))
        for index, point in enumerate(points):
            centre = _LEFT + slot * (index + 0.5)
            for offset, value, colour in (
                (-bar, point.opened, OPENED_COLOUR),
                (0.0, point.resolved, RESOLVED_COLOUR),
            ):
                x0 = centre + offset
                height = plot_h * value / top
                if value:
                    draw.rectangle([x0, base - height, x0 + bar - 1, base - 1], fill=colour)
                if slot >= 28:
                    draw.text(
                        (x0 + bar / 2, base - height - 3), str(value), fill=_TEXT, font=tiny, anchor="md"
                    )
            if index % label_every == 0:  # dates must not overlap: a month shows every other day
                draw.text(
                    (centre, base + 8),
                    point.label,
                    fill=_TEXT,
                    font=tiny if slot < 60 else small,
                    anchor="ma",
                )

    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_trend_png(points: Sequence[TrendPoint], path: Path) -> Path:
    """Write the chart atomically (a half-written file must never be sent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(trend_png(points))
    tmp.replace(path)
    return path
