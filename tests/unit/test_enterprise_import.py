"""CSV import of the enterprise registry: the 1,500-row sample is fast and idempotent; a file with
bad rows (and in the encodings and line ends offices really produce) imports the good rows and
reports each bad one by line number and reason; the export re-imports unchanged."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.data import export_enterprises, import_file
from bot.clock import ManualClock
from bot.domain.enterprise_csv import UnreadableFile, parse
from bot.services import Services, build_services
from bot.settings import Settings
from bot.storage.db import Database

SAMPLE = Path(__file__).resolve().parents[2] / "bot" / "data" / "enterprises_sample.csv"
HEADER = "key,name,name_en,building,floor_unit,industry,headcount_band,lease_end,party_org,colour,notes"
ADMIN = 9001


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    settings = Settings.from_mapping(
        {"BOT_DB_PATH": str(tmp_path / "t.sqlite3"), "BOT_ADMIN_IDS": str(ADMIN)}
    )
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
    assert rejected[(3, "K2")].startswith("unknown colour “purple”")
    assert rejected[(4, "K3")] == "unknown building “NOWHERE”"
    assert rejected[(5, "K1")] == "the key “K1” is already on line 2 (keys ignore case and spaces)"
    assert "not a date" in rejected[(6, "K4")]
    assert rejected[(7, "")] == "missing key"
    assert "party_org “maybe”" in rejected[(12, "K7")]
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
    with pytest.raises(UnreadableFile, match="Missing column"):
        await services.enterprises.registry.import_csv(b"name,colour\nX,red\n")
    assert await count(services, "SELECT COUNT(*) FROM enterprises") == 0


def test_parse_accepts_building_names_and_ids() -> None:
    data = f"{HEADER}\nA,甲,A,park place,,,,,,,\nB,乙,B,7,,,,,,,\n".encode()
    parsed = parse(data, {"PARKPL": 2, "Park Place": 2, "7": 7})
    assert [(r.key, r.building_id) for r in parsed.rows] == [("A", 2), ("B", 7)]


def test_cli_import_reports_lines_and_export_writes_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_mapping(
        {"BOT_DB_PATH": str(tmp_path / "cli.sqlite3"), "BOT_DEFAULT_LANGUAGE": "en"}
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes(MESSY.encode("gbk"))
    assert import_file(settings, "enterprises", bad) == 1
    err = capsys.readouterr().err
    assert "Rows: 3 new · 0 changed · 0 unchanged · 6 rejected." in err
    assert "line 3 [K2]: unknown colour “purple”" in err
    assert import_file(settings, "enterprises", bad) == 1
    assert "Rows: 0 new · 0 changed · 3 unchanged · 6 rejected." in capsys.readouterr().err
    assert export_enterprises(settings) == 0
    exported = capsys.readouterr().out
    assert exported.startswith("key,name,") and "InterBridge Group Shanghai" in exported


ORIGINAL = f"{HEADER}\nM-1,华建科技,Huajian Tech,GOHIGH,3F,tech,1-9,2028-01-01,none,red,\nM-2,乙公司,B Co,GOHIGH,2F,tech,1-9,,none,blue,\n"


async def colour_of(services: Services, key: str) -> tuple[str, str]:
    async with services.db.read() as conn:
        cur = await conn.execute("SELECT colour, colour_source FROM enterprises WHERE key = ?", (key,))
        row = await cur.fetchone()
        return row[0], row[1]


async def staff_sets(services: Services, key: str, colour: str, reason: str) -> None:
    async with services.db.read() as conn:
        cur = await conn.execute("SELECT id FROM enterprises WHERE key = ?", (key,))
        (enterprise_id,) = await cur.fetchone()
    await services.enterprises.colours.set_colour(ADMIN, enterprise_id, colour, reason)


async def test_a_reimport_never_overrules_a_staff_colour_unless_asked(services: Services) -> None:
    """Why: staff set M-1 red -> green ("visited: stable now"); re-importing the original CSV turned it
    back to red, audited only as "import", and the summary said "1 updated"."""
    await services.enterprises.registry.import_csv(ORIGINAL.encode(), ADMIN)
    assert await colour_of(services, "M-1") == ("red", "import")
    assert await colour_of(services, "M-2") == ("blue", "import")
    await staff_sets(services, "M-1", "green", "visited: stable now")
    assert await colour_of(services, "M-1") == ("green", "staff")

    preview = await services.enterprises.imports.preview(ORIGINAL.encode())
    assert preview.dry_run and (preview.updated, preview.unchanged) == (0, 2)
    (conflict,) = preview.conflicts
    assert (conflict.key, conflict.staff_colour, conflict.file_colour) == ("M-1", "green", "red")
    assert conflict.staff_reason == "visited: stable now"

    kept = await services.enterprises.registry.import_csv(ORIGINAL.encode(), ADMIN)
    assert [c.key for c in kept.conflicts] == ["M-1"] and kept.colour_changes == 0
    assert await colour_of(services, "M-1") == ("green", "staff")
    assert (
        await count(services, "SELECT COUNT(*) FROM enterprise_colour_history WHERE colour_to = 'red'") == 1
    )

    overwritten = await services.enterprises.registry.import_csv(ORIGINAL.encode(), ADMIN, overwrite=True)
    assert (overwritten.overwritten, overwritten.colour_changes, overwritten.conflicts) == (1, 1, [])
    assert await colour_of(services, "M-1") == ("red", "import")
    async with services.db.read() as conn:
        cur = await conn.execute(
            "SELECT colour_from, colour_to, source, changed_by FROM enterprise_colour_history ORDER BY id DESC LIMIT 1"
        )
        assert tuple(await cur.fetchone()) == ("green", "red", "import", ADMIN)


async def test_a_file_dated_after_the_staff_change_applies_its_colour(services: Services) -> None:
    await services.enterprises.registry.import_csv(ORIGINAL.encode(), ADMIN)
    await staff_sets(services, "M-1", "green", "visited")  # on 2026-11-23
    older = ORIGINAL.replace("colour,notes", "colour,notes,colour_date").replace(
        "red,\n", "red,,2026-11-20\n"
    )
    report = await services.enterprises.registry.import_csv(older.encode(), ADMIN)
    assert [c.file_date.isoformat() for c in report.conflicts if c.file_date] == ["2026-11-20"]
    assert await colour_of(services, "M-1") == ("green", "staff")
    newer = older.replace("2026-11-20", "2026-11-24")
    report = await services.enterprises.registry.import_csv(newer.encode(), ADMIN)
    assert report.conflicts == [] and report.colour_changes == 1
    assert await colour_of(services, "M-1") == ("red", "import")


async def test_keys_match_the_registry_ignoring_case_and_spaces(services: Services) -> None:
    await services.enterprises.registry.import_csv(ORIGINAL.encode(), ADMIN)
    report = await services.enterprises.registry.import_csv(
        f"{HEADER}\n m-1 ,华建科技,Huajian Tech,GOHIGH,9F,tech,1-9,2028-01-01,none,,\n".encode(), ADMIN
    )
    assert (report.added, report.updated) == (0, 1)
    assert await count(services, "SELECT COUNT(*) FROM enterprises") == 2
    assert (
        await count(services, "SELECT COUNT(*) FROM enterprises WHERE key = 'M-1' AND floor_unit = '9F'") == 1
    )
    assert (await services.enterprises.registry.find(ADMIN, "m-1")).card is not None


def test_cli_dry_run_and_explicit_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings.from_mapping(
        {
            "BOT_DB_PATH": str(tmp_path / "cli.sqlite3"),
            "BOT_DEFAULT_LANGUAGE": "en",
            "BOT_ADMIN_IDS": str(ADMIN),
        }
    )
    original = tmp_path / "original.csv"
    original.write_text(ORIGINAL, encoding="utf-8")
    assert import_file(settings, "enterprises", original, dry_run=True) == 0
    assert "Dry run of" in capsys.readouterr().out
    assert import_file(settings, "enterprises", original) == 0
    assert "Rows: 2 new" in capsys.readouterr().out

    async def staff_change() -> None:
        from bot.cli.data import with_services

        await with_services(settings, lambda s: staff_sets(s, "M-1", "green", "visited: stable now"))

    import asyncio

    asyncio.run(staff_change())
    assert import_file(settings, "enterprises", original) == 0
    out = capsys.readouterr().out
    assert "Conflicts with colours set by staff (1)" in out and "M-1 华建科技" in out
    assert "--overwrite-conflicts" in out
    assert import_file(settings, "enterprises", original, overwrite=True) == 0
    assert "Colours set by staff overwritten at your explicit request: 1." in capsys.readouterr().out
