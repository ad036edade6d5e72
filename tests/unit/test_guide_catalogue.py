"""The catalogue file: the shipped one is complete in three languages; a broken file is refused
with every problem at its line and column; importing replaces the whole catalogue or nothing."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.cli.guide import import_guide
from bot.clock import ManualClock
from bot.domain import guide as rules
from bot.domain.guide_catalogue import AUDIENCES, CATEGORIES, SECTIONS, CatalogueError, parse_catalogue
from bot.services.guide import SHIPPED, GuideService
from bot.settings import Settings
from bot.storage.db import Database

GOOD = """\
places:
  station:
    name: {zh: 服务站, en: Station, fr: Station}
    hours: {zh: 9-17, en: 9-17, fr: 9h-17h}
entries:
  - id: tax-machine
    audience: individual
    kind: self-service
    category: tax
    title: {zh: 自助办税, en: Tax machine, fr: Borne fiscale}
    summary: {zh: 办税, en: Pay tax, fr: Payer}
    eligible: {zh: 所有人, en: Anyone, fr: Tous}
    where: {place: station}
"""

BROKEN = """\
places:
  station:
    name: {zh: 服务站, en: Station, fr: Station}
entries:
  - id: Bad Id
    audience: robots
    kind: self-service
    category: tax
    title: {zh: 自助办税, en: Tax machine}
    summary: {zh: 办税, en: Pay tax, fr: Payer}
    eligible: {zh: 所有人, en: Anyone, fr: Tous}
    where: {place: nowhere}
  - id: online-thing
    audience: individual
    kind: online
    category: sport
    title: {zh: 网上, en: Online, fr: En ligne}
    summary: {zh: 办税, en: Pay tax, fr: Payer}
    eligible: {zh: 所有人, en: Anyone, fr: Tous}
    colour: red
"""


# The seed article: "30 one-stop on-site services ... and more than 200 self-services".
ON_SITE_MIN, SELF_SERVICE_MIN = 30, 200
# Official portals whose existence is certain; no other address may appear in the catalogue.
OFFICIAL_LINKS = {
    "https://zwdt.sh.gov.cn/",
    "https://www.12371.cn/",
    "https://etax.shanghai.chinatax.gov.cn/",
    "https://yct.sh.gov.cn/",
    "https://www.shgjj.com/",
    "https://www.volunteer.sh.cn/",
    "https://www.xuexi.cn/",
}
# Public hotlines everyone in Shanghai can check; any other number in the file would be made up.
HOTLINES = {"12345", "12366", "12333", "12329", "12348", "12315", "12123", "962525", "120"}


def test_the_shipped_catalogue_has_the_station_s_services_complete_in_three_languages() -> None:
    entries = parse_catalogue(SHIPPED.read_text(encoding="utf-8"))
    kinds = Counter(e.kind for e in entries)
    assert kinds["on-site"] >= ON_SITE_MIN and kinds["self-service"] >= SELF_SERVICE_MIN, kinds
    assert {e.audience for e in entries} == set(AUDIENCES)
    assert {e.shelf for e in entries} == set(SECTIONS)  # organised as the station is
    assert set(CATEGORIES) - {e.category for e in entries} == set()
    for entry in entries:
        for text in (entry.title, entry.summary, entry.eligible, entry.duration):
            assert text is not None and all(text.all()), entry.id
        assert entry.keywords.zh and entry.keywords.en and entry.keywords.fr, entry.id
        assert entry.link is None or entry.link in OFFICIAL_LINKS, (entry.id, entry.link)
        if entry.kind == "on-site":
            assert entry.where is not None and entry.where.hours is not None, entry.id
        else:
            assert entry.link or (entry.where and entry.where.hours), entry.id
    assert min(Counter(e.shelf for e in entries).values()) >= 3  # every area has several


def test_the_shipped_catalogue_invents_no_phone_numbers_addresses_or_fees() -> None:
    source = SHIPPED.read_text(encoding="utf-8")
    numbers = set(re.findall(r"(?<![\d.])\d{3,}(?![\d.])", source))
    # The Company Law's year, the Party site's name, a keyword people type ("996"), the law's
    # overtime rates (150/200/300 %) and the USD 50,000 threshold of outbound payments.
    known = {"2024", "12371", "996", "150", "200", "300", "000"}
    assert numbers - HOTLINES - known == set(), numbers
    assert not re.search(r"\d+\s*(元|yuan|rmb|euros?)\b", source, re.IGNORECASE)  # no fees
    assert "12 Middle Wulumuqi Road" in source  # the one street address: Huashan Hospital's


def test_every_problem_is_reported_at_its_line() -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(BROKEN)
    problems = {(p.line, p.message.split(" ", 3)[-1][:40]) for p in caught.value.problems}
    lines = sorted(p.line for p in caught.value.problems)
    messages = "\n".join(map(str, caught.value.problems))
    assert "5:9: entry 1 id 'Bad Id': use 2-40 lower-case letters" in messages
    assert "6:15: entry 1 audience 'robots' is not one of" in messages
    assert "9:12: entry 1 title is missing 'fr'" in messages
    assert "12:20: entry 1 where place 'nowhere' is not defined under places" in messages
    assert "16:15: entry 'online-thing' category 'sport' is not one of" in messages
    assert "20:5: entry 2 has an unknown key 'colour'" in messages
    assert "13:5: entry 'online-thing' is online: give its link" in messages
    assert lines == sorted(lines) and len(problems) == 7


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", "1:1: the file is empty"),
        ("entries: [\n  {id: x\n", "not valid YAML"),
        ("entries: []\n", "entries must be a non-empty list"),
        (GOOD + GOOD.split("entries:\n")[1], "entry id 'tax-machine' is used twice (first on line 6)"),
        (
            GOOD.replace("kind: self-service", "kind: on-site").replace("    where: {place: station}\n", ""),
            "say where",
        ),
        (
            GOOD.replace("    where: {place: station}\n", ""),
            "self-service: say where (a machine's place) or give its link",
        ),
        (GOOD.replace("category: tax", "category: tax\n    section: sport"), "section 'sport' is not one of"),
        (
            GOOD.replace("category: tax", "category: tax\n    duration: {zh: 几分钟}"),
            "duration is missing 'en'",
        ),
        (GOOD.replace("hours: {zh: 9-17, en: 9-17, fr: 9h-17h}", "lat: 31.2"), "needs both lat and lon"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(source: str, expected: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(source)
    assert expected in str(caught.value)


def test_normalisation_folds_case_accents_width_and_traditional_characters() -> None:
    assert rules.normalise("Où est la RÉUNION ?") == "ou est la reunion"
    assert rules.normalise("ＴＡＸ　機器") == rules.normalise("tax 机器")
    assert rules.normalise("黨員組織關係轉接") == "党员组织关系转接"
    assert rules.normalise("L’œuvre") == "l oeuvre"


def test_misses_are_counted_per_week_of_the_station() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    sunday_night = datetime(2026, 11, 29, 15, 59, tzinfo=UTC)  # 23:59 Sunday in Shanghai
    assert rules.week_start(sunday_night, tz).isoformat() == "2026-11-23"
    assert rules.week_start(sunday_night + timedelta(minutes=1), tz).isoformat() == "2026-11-30"


async def _service(path: Path) -> tuple[Database, GuideService]:
    db = await Database(path).open()
    await db.migrate()
    clock = ManualClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC), frozen=True)
    services = SimpleNamespace(
        db=db, clock=clock, settings=SimpleNamespace(tz=ZoneInfo("Asia/Shanghai")), renderer=None
    )
    return db, GuideService(services)  # type: ignore[arg-type]


def test_import_replaces_the_whole_catalogue_or_nothing(tmp_path: Path, capsys) -> None:
    settings = Settings.from_mapping(
        {
            "BOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
            "TELEGRAM_BOT_TOKEN": "1:x",
            "BOT_DEFAULT_LANGUAGE": "en",
            "BOT_IMPORT_DELETE_SHARE": "100",  # replacing the 47 shipped entries by 1 is the point here
        }
    )
    good, broken = tmp_path / "good.yaml", tmp_path / "broken.yaml"
    good.write_text(GOOD, encoding="utf-8")
    broken.write_text(BROKEN, encoding="utf-8")

    assert import_guide(settings, good) == 0
    assert "Entries: 0 new · 1 changed · 0 unchanged" in capsys.readouterr().out
    assert import_guide(settings, broken) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported" in err and f"{broken}:6:15:" in err
    assert import_guide(settings, tmp_path / "missing.yaml") == 1

    async def check() -> None:
        db, guide = await _service(settings.db_path)
        try:
            await guide.ensure_catalogue()  # an imported catalogue is kept, not replaced by the shipped one
            assert [e.id for e in (await guide.search("tax machine")).entries] == ["tax-machine"]
            assert (await guide.search("社保卡")).entries == []
            async with db.read() as conn:
                cur = await conn.execute("SELECT action, subject FROM audit_log")
                assert [tuple(r) for r in await cur.fetchall()] == [("guide.import", "good.yaml")]
        finally:
            await db.close()

    asyncio.run(check())


async def test_misses_are_counted_without_the_person(tmp_path: Path) -> None:
    db, guide = await _service(tmp_path / "bot.sqlite3")
    try:
        for question in ("Recette des crêpes", "recette des CRÊPES", "社保卡", "快递柜"):
            await guide.search(question)
        since = datetime(2026, 11, 20, tzinfo=UTC)
        assert await guide.top_misses(since) == [("Recette des crêpes", 2), ("快递柜", 1)]
        assert await guide.top_misses(since, limit=1) == [("Recette des crêpes", 2)]
        async with db.read() as conn:
            cur = await conn.execute("SELECT * FROM guide_misses")
            columns = [c[0] for c in cur.description]
        assert columns == ["id", "week", "query", "shown", "count"]  # nothing that identifies who searched
    finally:
        await db.close()


async def test_the_shipped_catalogue_is_reloaded_when_the_file_changes(tmp_path: Path, monkeypatch) -> None:
    shipped = tmp_path / "guide.yaml"
    shipped.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr("bot.services.guide.SHIPPED", shipped)
    db, guide = await _service(tmp_path / "bot.sqlite3")
    try:
        await guide.ensure_catalogue()
        assert (await guide.entry("tax-machine")).title.en == "Tax machine"
        shipped.write_text(GOOD.replace("en: Tax machine", "en: Tax kiosk"), encoding="utf-8")
        restarted = GuideService(guide.services)  # a new process: checks the file again
        await restarted.ensure_catalogue()
        assert (await restarted.entry("tax-machine")).title.en == "Tax kiosk"
    finally:
        await db.close()


async def test_start_up_builds_the_search_index_only_for_a_loaded_catalogue(tmp_path: Path) -> None:
    db, guide = await _service(tmp_path / "bot.sqlite3")
    try:
        await guide.warm()  # a new database: nothing imported behind the bot's back
        async with db.read() as conn:
            assert [tuple(r) for r in await conn.execute_fetchall("SELECT COUNT(*) FROM guide_entries")] == [
                (0,)
            ]
        await guide.ensure_catalogue()
        restarted = GuideService(guide.services)
        await restarted.warm()  # after a restart: the first question finds the index ready
        assert restarted._index is not None and len(restarted._index) > 200
    finally:
        await db.close()
