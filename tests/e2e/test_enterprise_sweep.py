"""The hourly signal sweep is incremental (issue 21): it checks only the enterprises whose facts
changed since the last sweep, or change by time passing, and staff chats still hear every
suggestion they heard when every enterprise was checked every hour.

A change is marked by a trigger in the transaction that makes it (migration 0080): a row, so a
restart between the change and the sweep loses nothing. Facts that change by time alone (a visit
falls due, a lease enters its last six months) are rows with a due time, not a full scan."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import on_shutdown
from bot.services.requests.intake import Draft
from bot.storage import enterprises as enterprises_repo
from bot.storage import visits as visits_repo
from bot.storage.db import Database, migrations, ts
from tests.e2e.test_enterprise_signals import (
    CSV,
    TIERS,
    WORKER,
    chats,
    enterprise_id,
    log_visit,
    suggestions,
    worker,
)

STAFF = 2003


async def station(bot_factory, **env: str):
    """A bot with the two-company registry swept once, its tier-1 chat and a staff member."""
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en", **env)
    await bot.services.enterprises.registry.import_csv(CSV)
    staff = bot.emu.user(STAFF, "Hua", language_code="en")
    await bot.make_staff(staff, tier=1)
    groups = await chats(bot, staff, tiers=(1,))
    await bot.advance(minutes=1)  # the first sweep checks the new enterprises
    return bot, staff, groups[1]


async def checks(bot) -> dict[int, str]:
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT enterprise_id, due_at FROM enterprise_signal_checks")
        return {r[0]: r[1] for r in await cur.fetchall()}


async def rated(bot, staff_id: int, enterprise: int, stars: int) -> str:
    """A worker's request for the enterprise, resolved by staff and rated by the worker."""
    await worker(bot)
    request = await bot.services.requests.intake.submit(
        WORKER, Draft(category="hr", enterprise_id=enterprise, description="Social insurance for new staff")
    )
    await bot.services.requests.staff.claim(staff_id, request.id)
    await bot.services.requests.staff.resolve(staff_id, request.id, "Done: accounts opened")
    await bot.services.requests.requester.rate(WORKER, request.id, stars)
    return request.reference


async def test_only_enterprises_whose_facts_changed_are_checked_again(bot_factory, monkeypatch) -> None:
    bot, _staff, _group = await station(bot_factory)
    acme, ibg = await enterprise_id(bot, "ACME"), await enterprise_id(bot, "IBG-SH")
    checked: list[list[int]] = []
    read = enterprises_repo.risk_inputs

    async def spy(conn, ids):
        checked.append(sorted(ids))
        return await read(conn, ids)

    monkeypatch.setattr(enterprises_repo, "risk_inputs", spy)
    await bot.advance(hours=1)
    assert checked == []  # nothing changed: nothing is read again
    async with bot.services.db.tx() as conn:
        await visits_repo.add(conn, acme, bot.clock.now(), STAFF, "stable", "All well", bot.clock.now())
    await bot.advance(hours=1)
    assert checked == [[acme]]  # the visited company alone
    assert ibg not in checked[0]
    await bot.advance(hours=1)
    assert checked == [[acme]]


async def test_a_bad_rating_and_a_visits_finding_reach_the_digest_after_the_incremental_sweep(
    bot_factory,
) -> None:
    bot, staff, group = await station(bot_factory)
    assert suggestions(group) == []
    acme = await enterprise_id(bot, "ACME")
    reference = await rated(bot, STAFF, acme, 1)
    await log_visit(staff, "IBG-SH", "May move out", "They visit offices in Hongqiao")
    await bot.advance(hours=1)
    (digest,) = suggestions(group)
    assert (
        "🔵 → 🟡 阿克米贸易" in digest and "a low satisfaction rating (1/5)" in digest and reference in digest
    )
    assert "🔵 → 🟠 英桥集团上海" in digest and "found they may move out" in digest


async def test_a_visit_falling_due_is_caught_by_its_due_time_without_any_change(bot_factory) -> None:
    """Nothing happens to the company: only time passes, and the "no visit" fact appears."""
    bot, _staff, group = await station(bot_factory, BOT_ENTERPRISE_FOLLOWUP="blue=1d")
    acme = await enterprise_id(bot, "ACME")
    async with bot.services.db.read() as conn:
        (due,) = await conn.execute_fetchall(
            "SELECT due_at FROM enterprise_followups WHERE enterprise_id = ?", (acme,)
        )
    assert (await checks(bot))[acme] == due[0]  # checked again when the visit falls due, not before
    await bot.advance(hours=23)
    assert suggestions(group) == []
    await bot.advance(hours=2)  # Tuesday 10:31: a day and an hour after the import
    (digest,) = suggestions(group)
    assert "阿克米贸易" in digest and "no visit since the follow-up was due on 2026-11-24" in digest


async def test_a_lease_entering_its_last_six_months_is_caught_on_that_day(bot_factory) -> None:
    bot = await bot_factory(BOT_DEFAULT_LANGUAGE="en")
    await bot.services.enterprises.registry.import_csv(
        "key,name,name_en,building,lease_end,colour\nTIDE,潮汐科技,Tide Tech,GOHIGH,2027-06-01,green\n".encode()
    )
    staff = bot.emu.user(STAFF, "Hua", language_code="en")
    await bot.make_staff(staff, tier=1)
    group = (await chats(bot, staff, tiers=(1,)))[1]
    await bot.advance(minutes=1)
    tide = await enterprise_id(bot, "TIDE")
    # 2027-06-01 minus 183 days is Monday 2026-11-30, from midnight at the station.
    assert (await checks(bot))[tide] == ts(datetime(2026, 11, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    await bot.advance(days=6, hours=23)  # Monday 08:31: the check ran, digests wait for opening
    await bot.advance(hours=1)
    (digest,) = suggestions(group)
    assert "潮汐科技" in digest and "the lease ends on 2027-06-01, within 6 months" in digest


@pytest.mark.slow
async def test_a_change_before_a_restart_is_swept_after_it(bot_factory) -> None:
    bot, _staff, _group = await station(bot_factory)
    acme = await enterprise_id(bot, "ACME")
    reference = await rated(bot, STAFF, acme, 2)
    assert (await checks(bot))[acme] == ""  # marked in the rating's transaction

    # The bot stops before its next sweep; another process starts on the same database file.
    await bot.app.updater.stop()
    await bot.app.stop()
    await on_shutdown(bot.app)
    again = await bot_factory(
        BOT_DEFAULT_LANGUAGE="en", BOT_DB_PATH=str(bot.settings.db_path), clock=bot.clock
    )
    staff = again.emu.user(STAFF, "Hua", language_code="en")
    group = again.emu.group(TIERS[1], "Tier 1", [staff])
    await again.advance(hours=1)
    (digest,) = suggestions(group)
    assert "阿克米贸易" in digest and "(2/5)" in digest and reference in digest


async def test_the_first_sweep_after_the_migration_checks_every_enterprise(tmp_path, monkeypatch) -> None:
    """Enterprises registered before incremental sweeps existed are all checked once."""
    everything = migrations()
    monkeypatch.setattr("bot.storage.db.migrations", lambda: [m for m in everything if m[0] < 80])
    async with Database(tmp_path / "bot.db") as db:
        await db.migrate()
        async with db.tx() as conn:
            for n in range(3):
                await enterprises_repo.insert(
                    conn, key=f"K{n}", name=f"公司{n}", building_id=None, now="2026-11-23T01:00:00.000000Z"
                )
        monkeypatch.setattr("bot.storage.db.migrations", lambda: everything)
        await db.migrate()
        rows = await db.conn.execute_fetchall("SELECT due_at FROM enterprise_signal_checks")
        assert [r[0] for r in rows] == ["", "", ""]


async def test_a_low_rating_stops_counting_after_90_days_and_its_suggestion_is_retired(bot_factory) -> None:
    """Only time passes: the rating leaves its 90-day window, found by the check's due time."""
    bot, _staff, group = await station(bot_factory)
    acme = await enterprise_id(bot, "ACME")
    await rated(bot, STAFF, acme, 1)
    rated_at = bot.clock.now()
    await bot.advance(hours=1)
    assert len(suggestions(group)) == 1
    assert (await checks(bot))[acme] == ts(rated_at + timedelta(days=90))

    await bot.advance(days=89, hours=23)  # still within the window: the suggestion stays
    assert await live(bot, acme) == ["open"]
    await bot.advance(hours=2)  # the window ended an hour ago (the visit is due only tomorrow)
    assert await live(bot, acme) == []
    async with bot.services.db.read() as conn:
        (due,) = await conn.execute_fetchall(
            "SELECT due_at FROM enterprise_followups WHERE enterprise_id = ?", (acme,)
        )
    assert (await checks(bot))[acme] == due[0]  # next checked when the visit falls due


async def live(bot, enterprise: int) -> list[str]:
    async with bot.services.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT status FROM enterprise_suggestions WHERE enterprise_id = ? AND status IN ('open', 'dismissed')",
            (enterprise,),
        )
    return [r[0] for r in rows]
