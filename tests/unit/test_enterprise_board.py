"""The /board picture: a valid PNG, phone-wide, every colour present, overdue cells outlined."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from bot.domain.risk import COLOURS, RGB
from bot.services.enterprises import drawing
from bot.services.enterprises.drawing import OUTLINE
from bot.storage.buildings import Building
from bot.storage.enterprises import BoardCell

BUILDINGS = [
    Building(i, f"B{i}", f"楼{i}", f"Building {i}", f"Immeuble {i}", "", None, None) for i in range(1, 39)
]
CELLS = [
    BoardCell(
        n, f"公司{n}", f"Company {n}" if n % 3 else None, 1 + n % 38, COLOURS[n % 5], overdue=n % 17 == 0
    )
    for n in range(1, 1521)
]
MOMENT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def colours_of(png: bytes) -> tuple[Image.Image, set[tuple[int, int, int]]]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.verify()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image, {c for _, c in image.getcolors(1 << 22)}


def test_district_overview() -> None:
    image, colours = colours_of(drawing.district(BUILDINGS, CELLS, MOMENT))
    assert image.width == 1080
    assert 2000 < image.height < 6000  # one long phone scroll, within Telegram's photo limits
    assert image.width + image.height <= 10000 and image.height / image.width <= 20
    assert all(RGB[c] in colours for c in COLOURS)
    assert OUTLINE in colours


def test_building_zoom_with_names() -> None:
    mine = [c for c in CELLS if c.building_id == 1]
    image, colours = colours_of(drawing.building(BUILDINGS[0], mine, MOMENT))
    assert image.width == 1080
    assert all(RGB[c] in colours for c in COLOURS)


def test_empty_building() -> None:
    image, _ = colours_of(drawing.building(BUILDINGS[5], [], MOMENT))
    assert image.width == 1080


def test_the_configured_font_comes_first_and_a_missing_one_is_skipped(tmp_path: Path) -> None:
    """settings.board_font (BOT_BOARD_FONT) before the usual system fonts; drawing never fails on it."""
    configured = tmp_path / "cjk.ttf"
    configured.write_bytes(b"not really a font")
    assert drawing.cjk_font_path(configured) == configured
    assert drawing.cjk_font_path(tmp_path / "gone.ttf") == drawing.cjk_font_path(None)
    image, _ = colours_of(drawing.building(BUILDINGS[0], CELLS[:10], MOMENT, configured))
    assert image.width == 1080
    image, _ = colours_of(drawing.district(BUILDINGS, CELLS[:10], MOMENT, configured))
    assert image.width == 1080


def test_the_district_view_names_buildings_in_chinese_and_english() -> None:
    """Why: the district view showed building codes and English names but no Chinese names."""
    gohigh = Building(1, "GOHIGH", "静安高和大厦", "JA Gohigh Building", "JA Gohigh", "", None, None)
    assert drawing.building_label(gohigh, cjk=True) == "静安高和大厦 · JA Gohigh Building"
    assert drawing.building_label(gohigh, cjk=False) == "JA Gohigh Building"  # no font can draw Chinese
