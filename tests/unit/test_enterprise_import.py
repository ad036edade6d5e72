"""CSV import of the enterprise registry: the 1,500-row sample is fast and idempotent; a file with
bad rows (and in the encodings and line ends offices really produce) imports the good rows and
reports each bad one by line number and reason; the export re-imports unchanged."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.enterprises import export_enterprises, import_enterprises
from bot.clock import ManualClock
from bot.domain.enterprise_csv import UnreadableFile, parse
from bot.services import Services, build_services
from bot.settings import Settings
from bot.storage.db import Database

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "enterprises_sample.csv"
HEADER = "key,name,name_en,building,floor_unit,industry,headcount_band,lease_end,party_org,colour,notes"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings.from_mapping({"BOT_DB_PATH": str(tmp_path / "t.sqlite3")})
    db = Database(settings.db_path)
    await db.open()
    await db.migrate()
    yield build_services(settings, ManualClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC), frozen=True), db)
    await db.close()


async def count(services: Services, sql: str) -> int:
    async with services.db.read() as conn:
        cur = await conn.execute(sql)
        return int((await cur.fetchone())[0])


async def test_sample_imports_fast_and_reimports_as_unchanged(services: Services) -> None:
    data = SAMPLE.read_bytes()
    started = time.perf_counter()
    report = await services.enterprises.registry.import_csv(data)
    assert time.perf_counter() - started < 3.0
    assert (report.added, report.updated, report.rejected) == (1520, 0, [])
    assert await count(services, "SELECT COUNT(DISTINCT building_id) FROM enterprises") == 38
    assert await count(services, "SELECT COUNT(*) FROM enterprise_followups") == 1520

    again = await services.enterprises.registry.import_csv(data)
    assert (again.added, again.updated, again.unchanged, again.rejected) == (0, 0, 1520, [])
    assert await count(services, "SELECT COUNT(*) FROM enterprises") == 1520
    assert await count(services, "SELECT COUNT(*) FROM enterprise_colour_history") == 1520

    exported = await services.enterprises.registry.export_csv()
    round_trip = await services.enterprises.registry.import_csv(exported.encode("utf-8-sig"))
    assert (round_trip.added, round_trip.updated, round_trip.unchanged) == (0, 0, 1520)


MESSY = (
    "\r\n".join(
        [
            HEADER,
            "K1,英桥集团上海,InterBridge Group Shanghai,GOHIGH,12F,consulting,50-199,2026-12-31,joint,红,",
            "K2,紫色公司,Purple Co,PARKPL,3F,trade,1-9,2028-01-01,none,purple,",
            "K3,无名大厦公司,Nowhere Co,NOWHERE,3F,trade,1-9,2028-01-01,none,blue,",
            "K1,英桥集团上海（重复）,InterBridge again,GOHIGH,12F,consulting,50-199,2026-12-31,joint,red,",
            "K4,日期不对,Bad Date Co,KERRY1,5F,tech,10-49,31/12/2026,own,green,",
            ",没有键,No Key Co,KERRY1,5F,tech,10-49,,own,green,",
            "",
            "K5,静安测试（上海）有限公司,Jing'an Test,静安嘉里中心一座,20F,tech,10-49,,own,,note with, a comma",
            'K6,"多行,名称",Quoted Co,Park Place,1F,tech,1-9,,none,蓝色,"two',
            'lines"',
            "K7,党组织不对,Bad Party Co,PARKPL,1F,tech,1-9,,maybe,blue,",
        ]
    )
    + "\r\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
async def test_bad_rows_are_reported_good_rows_imported(services: Services, encoding: str) -> None:
    report = await services.enterprises.registry.import_csv(MESSY.encode(encoding))
    assert report.encoding == ("gbk" if encoding == "gbk" else "utf-8")
    assert report.added == 3  # K1, K5 and K6 (whose quoted field spans two lines)
    rejected = {(r.line, r.key): r.reason for r in report.rejected}
    assert rejected[(3, "K2")].startswith("unknown colour 'purple'")
    assert rejected[(4, "K3")].startswith("unknown building 'NOWHERE'")
    assert rejected[(5, "K1")] == "duplicated key 'K1' (first on line 2)"
    assert "not a date" in rejected[(6, "K4")]
    assert rejected[(7, "")] == "missing key"
    assert "party_org 'maybe'" in rejected[(12, "K7")]
    assert len(report.rejected) == 6

    async with services.db.read() as conn:
        cur = await conn.execute("SELECT key, name, colour, building_id, notes FROM enterprises ORDER BY key")
        rows = {r[0]: tuple(r)[1:] for r in await cur.fetchall()}
    assert set(rows) == {"K1", "K5", "K6"}
    assert rows["K1"][:2] == ("英桥集团上海", "red")
    assert rows["K5"][1] == "blue"  # blank colour: a new enterprise starts blue
    assert rows["K5"][3] == "note with"  # an unquoted comma starts the next (ignored) column
    assert rows["K6"][:2] == ("多行,名称", "blue")


async def test_reimport_updates_changed_rows_and_keeps_staff_colours(services: Services) -> None:
    first = f"{HEADER}\nA,甲公司,A Co,GOHIGH,1F,tech,1-9,2028-01-01,none,,\nB,乙公司,B Co,GOHIGH,2F,tech,1-9,,none,green,\n"
    await services.enterprises.registry.import_csv(first.encode())
    async with services.db.tx() as conn:
        await conn.execute("UPDATE enterprises SET colour = 'orange' WHERE key = 'A'")
    second = first.replace("1F,tech", "9F,tech").replace(",green,", ",yellow,")
    report = await services.enterprises.registry.import_csv(second.encode())
    assert (report.added, report.updated, report.unchanged) == (0, 2, 0)
    async with services.db.read() as conn:
        cur = await conn.execute("SELECT key, floor_unit, colour FROM enterprises ORDER BY key")
        assert [tuple(r) for r in await cur.fetchall()] == [("A", "9F", "orange"), ("B", "2F", "yellow")]


async def test_a_file_that_is_not_csv_changes_nothing(services: Services) -> None:
    with pytest.raises(UnreadableFile):
        await services.enterprises.registry.import_csv(b"PK\x03\x04\x00\x00binary xlsx")
    with pytest.raises(UnreadableFile, match="missing column"):
        await services.enterprises.registry.import_csv(b"name,colour\nX,red\n")
    assert await count(services, "SELECT COUNT(*) FROM enterprises") == 0


def test_parse_accepts_building_names_and_ids() -> None:
    data = f"{HEADER}\nA,甲,A,park place,,,,,,,\nB,乙,B,7,,,,,,,\n".encode()
    parsed = parse(data, {"PARKPL": 2, "Park Place": 2, "7": 7})
    assert [(r.key, r.building_id) for r in parsed.rows] == [("A", 2), ("B", 7)]


def test_cli_import_reports_lines_and_export_writes_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_mapping({"BOT_DB_PATH": str(tmp_path / "cli.sqlite3")})
    bad = tmp_path / "bad.csv"
    bad.write_bytes(MESSY.encode("gbk"))
    assert import_enterprises(settings, bad) == 1
    out, err = capsys.readouterr()
    assert "3 added" in out and "6 rejected" in out
    assert f"{bad}:3: [K2] unknown colour 'purple'" in err
    assert import_enterprises(settings, bad) == 1
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert export_enterprises(settings) == 0
    exported = capsys.readouterr().out
    assert exported.startswith("key,name,") and "InterBridge Group Shanghai" in exported
