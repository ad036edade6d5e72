"""The board: the district's enterprises as coloured cells in a PNG, drawn to be read on a phone.

Why a picture: staff want to *see* where the reds and oranges are, not read 1,500 lines. The
overview is 1,080 px wide (a phone screen's native width, so Telegram does not shrink the text):
one block per building, one cell per enterprise filled with its colour (worst first), counts per
colour for the district and for each building, and a dark outline around every enterprise whose
follow-up visit is overdue. `/board <building>` zooms into one building with a labelled cell per
enterprise.

Text in the picture is only names, codes, numbers and the date (the caption carries the words, in
the reader's language). Fonts: Pillow's built-in scalable font always works but has no Chinese
glyphs, and a Chinese font is not guaranteed on a fresh machine (the smallest PyPI package that
ships one is ~17 MB). So when a CJK font is installed (BOT_BOARD_FONT, i.e. `settings.board_font`,
else a usual system path) the overview names each building in Chinese and English and the zoom
uses enterprises' Chinese names; without one, English names (else an enterprise's number).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.domain.risk import COLOURS, RGB
from bot.storage.buildings import Building
from bot.storage.enterprises import BoardCell

WIDTH = 1080
MARGIN = 24
BACKGROUND = (250, 250, 247)
INK = (30, 30, 35)
MUTED = (110, 110, 120)
OUTLINE = (20, 20, 20)
BLOCK_BG = (255, 255, 255)
BLOCK_BORDER = (215, 215, 210)

CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=4)
def cjk_font_path(configured: Path | None = None) -> Path | None:
    """A font with Chinese glyphs: the configured one (BOT_BOARD_FONT), else a usual system one."""
    for candidate in (configured, *(Path(p) for p in CJK_FONTS)):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=32)
def font(size: int, path: Path | None = None) -> Font:
    """A font of `size` pixels: the font file at `path` (a CJK font), else Pillow's built-in one."""
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _text_width(draw: ImageDraw.ImageDraw, text: str, f: Font) -> float:
    return draw.textlength(text, font=f)


def _fit(draw: ImageDraw.ImageDraw, text: str, f: Font, width: float) -> str:
    """Cut `text` with an ellipsis so it fits `width` pixels."""
    if _text_width(draw, text, f) <= width:
        return text
    while text and _text_width(draw, text + "…", f) > width:
        text = text[:-1]
    return text + "…"


def _legend(
    draw: ImageDraw.ImageDraw, x: int, y: int, counts: dict[str, int], overdue: int, size: int
) -> None:
    """■ n for each colour, then an outlined cell and the overdue count."""
    f = font(size)
    for colour in COLOURS:
        draw.rounded_rectangle((x, y, x + size, y + size), radius=4, fill=RGB[colour])
        label = str(counts.get(colour, 0))
        draw.text((x + size + 8, y + size / 2), label, font=f, fill=INK, anchor="lm")
        x += size + 8 + int(_text_width(draw, label, f)) + 26
    draw.rounded_rectangle((x, y, x + size, y + size), radius=4, fill=BLOCK_BG, outline=OUTLINE, width=4)
    draw.text((x + size + 8, y + size / 2), f"! {overdue}", font=f, fill=INK, anchor="lm")


def _counts(cells: Sequence[BoardCell]) -> dict[str, int]:
    counts = dict.fromkeys(COLOURS, 0)
    for cell in cells:
        counts[cell.colour] += 1
    return counts


def _cell(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], cell: BoardCell) -> None:
    draw.rounded_rectangle(box, radius=3, fill=RGB[cell.colour])
    if cell.overdue:
        x0, y0, x1, y1 = box
        draw.rounded_rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), radius=4, outline=OUTLINE, width=4)


def building_label(b: Building, cjk: bool) -> str:
    """A building's names under its code: Chinese and English when Chinese can be drawn."""
    return f"{b.name_zh} · {b.name_en}" if cjk else b.name_en


def district(
    buildings: Sequence[Building],
    cells: Sequence[BoardCell],
    moment: datetime,
    font_file: Path | None = None,
) -> bytes:
    """The overview: every building a block of cells, two blocks per row.

    `font_file` is the configured CJK font (settings.board_font); without one a system font is used.
    """
    by_building: dict[int | None, list[BoardCell]] = {}
    for cell in cells:
        by_building.setdefault(cell.building_id, []).append(cell)
    columns = 2
    gap = 16
    block_w = (WIDTH - 2 * MARGIN - gap * (columns - 1)) // columns
    size, step = 20, 26  # cell size and pitch: outlines of neighbours never touch
    per_row = (block_w - 20) // step
    header_h = 56

    def block_height(n: int) -> int:
        rows = max(1, -(-n // per_row))
        return header_h + rows * step + 14

    heights = [block_height(len(by_building.get(b.id, []))) for b in buildings]
    rows_h = [max(heights[i : i + columns]) for i in range(0, len(heights), columns)]
    top = 166
    height = top + sum(h + gap for h in rows_h) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)

    overdue = sum(c.overdue for c in cells)
    cjk = cjk_font_path(font_file)
    draw.text(
        (MARGIN, MARGIN), "Jing'an Temple · 静安寺" if cjk else "Jing'an Temple", font=font(40, cjk), fill=INK
    )
    draw.text(
        (WIDTH - MARGIN, MARGIN + 8),
        moment.strftime("%Y-%m-%d %H:%M"),
        font=font(28),
        fill=MUTED,
        anchor="ra",
    )
    draw.text((MARGIN, MARGIN + 52), f"{len(cells)} · {len(buildings)}", font=font(26), fill=MUTED)
    _legend(draw, MARGIN, 116, _counts(cells), overdue, 30)

    y = top
    for row_index, row_h in enumerate(rows_h):
        for col in range(columns):
            index = row_index * columns + col
            if index >= len(buildings):
                break
            b = buildings[index]
            mine = by_building.get(b.id, [])
            x = MARGIN + col * (block_w + gap)
            draw.rounded_rectangle(
                (x, y, x + block_w, y + row_h), radius=10, fill=BLOCK_BG, outline=BLOCK_BORDER
            )
            counts = _counts(mine)
            late = sum(c.overdue for c in mine)
            draw.text((x + 10, y + 8), b.code, font=font(24), fill=INK)
            draw.text((x + block_w - 10, y + 10), str(len(mine)), font=font(22), fill=INK, anchor="ra")
            name = _fit(draw, building_label(b, cjk is not None), font(16, cjk), block_w - 20)
            draw.text((x + 10, y + 36), name, font=font(16, cjk), fill=MUTED)
            # Per-colour counts under the code: small coloured numbers, worst colours first.
            cx = x + 10 + _text_width(draw, b.code, font(24)) + 14
            for colour in reversed(COLOURS):
                if counts[colour]:
                    label = str(counts[colour])
                    draw.text((cx, y + 12), label, font=font(20), fill=RGB[colour])
                    cx += _text_width(draw, label, font(20)) + 10
            if late:
                draw.text((cx + 4, y + 12), f"!{late}", font=font(20), fill=OUTLINE)
            for i, c in enumerate(mine):
                cx0 = x + 10 + (i % per_row) * step
                cy0 = y + header_h + (i // per_row) * step
                _cell(draw, (cx0, cy0, cx0 + size, cy0 + size), c)
        y += row_h + gap
    return _png(image)


def building(
    b: Building, cells: Sequence[BoardCell], moment: datetime, font_file: Path | None = None
) -> bytes:
    """One building: a labelled cell per enterprise, two columns, worst colours first."""
    cjk = cjk_font_path(font_file)
    columns = 2
    gap = 12
    cell_w = (WIDTH - 2 * MARGIN - gap * (columns - 1)) // columns
    cell_h = 46
    top = 166
    rows = max(1, -(-len(cells) // columns))
    height = top + rows * (cell_h + gap) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title = f"{b.code} · {b.name_zh}" if cjk else f"{b.code} · {b.name_en}"
    draw.text(
        (MARGIN, MARGIN),
        _fit(draw, title, font(36, cjk), WIDTH - 2 * MARGIN - 250),
        font=font(36, cjk),
        fill=INK,
    )
    draw.text(
        (WIDTH - MARGIN, MARGIN + 8),
        moment.strftime("%Y-%m-%d %H:%M"),
        font=font(26),
        fill=MUTED,
        anchor="ra",
    )
    draw.text((MARGIN, MARGIN + 50), str(len(cells)), font=font(26), fill=MUTED)
    _legend(draw, MARGIN, 116, _counts(cells), sum(c.overdue for c in cells), 30)
    label_font = font(22, cjk)
    for i, c in enumerate(cells):
        x = MARGIN + (i % columns) * (cell_w + gap)
        y = top + (i // columns) * (cell_h + gap)
        _cell(draw, (x, y, x + cell_w, y + cell_h), c)
        name = c.name if cjk else (c.name_en or f"#{c.id}")
        text_colour = INK if c.colour == "yellow" else (255, 255, 255)
        label = _fit(draw, f"{c.id} {name}", label_font, cell_w - 24)
        draw.text((x + 12, y + cell_h / 2), label, font=label_font, fill=text_colour, anchor="lm")
    return _png(image)
