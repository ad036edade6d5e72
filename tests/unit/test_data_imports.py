"""Imports that would delete much need an explicit confirmation (issue 15, "Why" 9: a guide.yaml
cut at an entry boundary replaced the catalogue, 47 -> 5 entries, exit 0), and every data set
goes through one path with a dry run (the command line here; Telegram in tests/e2e)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.cli.data import import_file, with_services
from bot.cli.guide import import_guide
from bot.services.data.datasets import detect
from bot.settings import Settings

DATA = Path(__file__).resolve().parents[2] / "bot" / "data"


def settings_for(tmp_path: Path) -> Settings:
    return Settings.from_mapping({"BOT_DB_PATH": str(tmp_path / "bot.sqlite3"), "BOT_DEFAULT_LANGUAGE": "en"})


def cut_guide(entries: int) -> str:
    """The shipped guide.yaml, cut at an entry boundary after `entries` entries (still valid YAML)."""
    text = (DATA / "guide.yaml").read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^  - id: ", text, re.M)]
    return text[: starts[entries]]


def guide_keys(settings: Settings) -> list[str]:
    async def read(services) -> list[str]:  # type: ignore[no-untyped-def]
        await services.guide.ensure_catalogue()
        async with services.db.read() as conn:
            cur = await conn.execute("SELECT key FROM guide_entries ORDER BY position")
            return [r[0] for r in await cur.fetchall()]

    return asyncio.run(with_services(settings, read))


def test_a_guide_cut_at_an_entry_boundary_does_not_silently_replace_the_catalogue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path)
    shipped = guide_keys(settings)
    total = len(shipped)
    assert total > 10
    cut = tmp_path / "guide.yaml"
    cut.write_text(cut_guide(5), encoding="utf-8")

    assert import_guide(settings, cut) == 1
    err = capsys.readouterr().err
    assert f"This file deletes {total - 5} of {total}, more than 20% of them" in err
    assert "add --confirm-deletions" in err
    assert shipped[5] in err  # the entries it would delete are listed
    assert guide_keys(settings) == shipped

    assert import_file(settings, "guide", cut, dry_run=True, confirm_deletions=True) == 0
    assert guide_keys(settings) == shipped  # a dry run writes nothing
    capsys.readouterr()

    assert import_file(settings, "guide", cut, confirm_deletions=True) == 0
    assert (
        f"Entries: 0 new · 0 changed · 5 unchanged · {total - 5} deleted (of {total} now)."
        in capsys.readouterr().out
    )
    assert guide_keys(settings) == shipped[:5]


def test_a_guide_deleting_a_few_entries_needs_no_confirmation(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    shipped = guide_keys(settings)
    fewer = tmp_path / "guide.yaml"
    fewer.write_text(cut_guide(len(shipped) - 2), encoding="utf-8")
    assert import_guide(settings, fewer) == 0
    assert guide_keys(settings) == shipped[:-2]


def test_the_share_is_a_setting(tmp_path: Path) -> None:
    settings = Settings.from_mapping(
        {"BOT_DB_PATH": str(tmp_path / "bot.sqlite3"), "BOT_IMPORT_DELETE_SHARE": "95%"}
    )
    cut = tmp_path / "guide.yaml"
    cut.write_text(cut_guide(20), encoding="utf-8")  # deletes ~92 % of the catalogue: under 95 %
    assert import_guide(settings, cut) == 0


def test_a_broken_guide_is_refused_with_its_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = settings_for(tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("entries:\n  - id: x\n    audience: nobody\n", encoding="utf-8")
    assert import_guide(settings, broken) == 1
    err = capsys.readouterr().err
    assert f"Nothing was imported from {broken}." in err and f"{broken}:3:" in err


def test_a_projects_file_cancelling_most_future_shifts_needs_a_confirmation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_for(tmp_path)
    projects = tmp_path / "projects.yaml"
    projects.write_text((DATA / "projects.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert import_file(settings, "projects", projects) == 0
    assert "Projects: 3 new · 0 updated." in capsys.readouterr().out

    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(
        projects.read_text(encoding="utf-8").replace("days: weekdays", "days: mon"), encoding="utf-8"
    )
    assert import_file(settings, "projects", fewer, dry_run=True) == 1
    out = capsys.readouterr().err
    match = re.search(r"Future shifts: 0 created · (\d+) cancelled \(of (\d+)\)", out)
    assert match is not None, out
    cancelled, total = int(match[1]), int(match[2])
    assert cancelled > 0.2 * total
    assert import_file(settings, "projects", fewer) == 1
    assert "add --confirm-deletions" in capsys.readouterr().err

    async def open_shifts(services) -> int:  # type: ignore[no-untyped-def]
        async with services.db.read() as conn:
            cur = await conn.execute("SELECT COUNT(*) FROM vol_shifts WHERE status = 'open'")
            return int((await cur.fetchone())[0])

    assert asyncio.run(with_services(settings, open_shifts)) == total
    assert import_file(settings, "projects", fewer, confirm_deletions=True) == 0
    assert asyncio.run(with_services(settings, open_shifts)) == total - cancelled


@pytest.mark.parametrize(
    ("name", "data", "caption", "kind"),
    [
        ("registry.csv", b"key,name", None, "enterprises"),
        ("x.yaml", b"# projects\nprojects:\n  - key: a\n", None, "projects"),
        ("guide.yml", b"places:\n  a: {}\nentries: []\n", None, "guide"),
        ("file.txt", b"anything", "guide", "guide"),
        ("file.txt", b"anything", "企业名录", "enterprises"),
        ("file.xlsx", b"PK", None, None),
        ("notes.yaml", b"something: else\n", None, None),
    ],
)
def test_which_data_set_a_file_holds(name: str, data: bytes, caption: str | None, kind: str | None) -> None:
    assert detect(name, data, caption) == kind


def test_the_command_line_offers_every_data_set() -> None:
    from bot.cli.data import DATASETS
    from bot.services.data.datasets import KINDS

    assert DATASETS == tuple(KINDS)


ADMIN = 9001
REGISTRY = "key,name,building,colour\nA-1,甲公司,GOHIGH,red\nA-2,乙公司,PARKPL,blue\n"


@pytest.fixture
async def services(tmp_path: Path):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from bot.clock import ManualClock
    from bot.services import build_services
    from bot.storage.db import Database

    settings = Settings.from_mapping(
        {"BOT_DB_PATH": str(tmp_path / "t.sqlite3"), "BOT_ADMIN_IDS": str(ADMIN)}
    )
    db = Database(settings.db_path)
    await db.open()
    await db.migrate()
    yield build_services(settings, ManualClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC), frozen=True), db)
    await db.close()


async def enterprises(services) -> int:  # type: ignore[no-untyped-def]
    async with services.db.read() as conn:
        return int((await (await conn.execute("SELECT COUNT(*) FROM enterprises")).fetchone())[0])


async def test_an_import_that_fails_half_way_writes_nothing(services, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Nothing half-written: the alerts come last in the import's transaction; if anything fails,
    the rows written before it are rolled back with it."""

    async def broken(*args: object) -> set[int]:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services.enterprises.colours, "alert", broken)
    with pytest.raises(RuntimeError):
        await services.enterprises.imports.run(REGISTRY.encode(), ADMIN)
    assert await enterprises(services) == 0
    async with services.db.read() as conn:
        assert (await (await conn.execute("SELECT COUNT(*) FROM enterprise_colour_history")).fetchone())[
            0
        ] == 0


async def test_an_unconfirmed_upload_expires_and_keeps_nothing(services) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from bot.services.base import InvalidInput

    received = await services.data.uploads.receive(ADMIN, "registry.csv", REGISTRY.encode())
    assert received.upload_id is not None and received.report.added == 2
    services.clock.advance(timedelta(hours=2, minutes=1))
    assert await services.data.uploads.expire() == 1
    with pytest.raises(InvalidInput):
        await services.data.uploads.confirm(ADMIN, received.upload_id)
    assert await enterprises(services) == 0
    async with services.db.read() as conn:
        cur = await conn.execute("SELECT status, content FROM data_uploads")
        assert tuple(await cur.fetchone()) == ("expired", None)
