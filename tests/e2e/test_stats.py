"""Figures through the emulator: /stats for staff only, the Monday report, `report --month`."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from bot.__main__ import main
from bot.app import build_application, on_shutdown, running
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import ts
from tests.conftest import ADMIN_ID, START, BotHarness

TIER2_CHAT = -2002


async def file_requests(bot, requester_id: int) -> None:
    """Three requests filed this week (Monday 23 Nov 2026); the first resolved at tier 1 in 2 h, rated 4."""
    async with bot.services.db.tx() as conn:
        now = bot.clock.now()
        await users_repo.upsert_seen(conn, requester_id, "Req", None, "zh", now)
        for n in range(3):
            created = START - timedelta(hours=3 - n * 0.5)
            await conn.execute(
                "INSERT INTO requests (reference, requester_id, category, description, tier, tier_started_at,"
                " status, created_at, updated_at) VALUES (?, ?, 'other', 'help', 1, ?, 'new', ?, ?)",
                (f"JA-2026-{n:06d}", requester_id, ts(created), ts(created), ts(created)),
            )
        resolved = START - timedelta(hours=1)
        await conn.execute(
            "UPDATE requests SET status = 'resolved', resolved_at = ?, rating = 4, rated_at = ? WHERE id = 1",
            (ts(resolved), ts(resolved)),
        )
        await conn.execute(
            "INSERT INTO request_events (request_id, at, actor_id, kind, tier) VALUES (1, ?, NULL, 'resolved', 1)",
            (ts(resolved),),
        )


async def test_stats_counts_for_staff_and_a_refusal_for_a_worker(bot) -> None:
    await file_requests(bot, 401)
    staff = bot.emu.user(402, "Min", language_code="en")
    await bot.make_staff(staff, tier=2)
    async with bot.services.db.tx() as conn:
        await users_repo.update(conn, staff.id, bot.clock.now(), language="en")

    await staff.send("/stats")
    week = await staff.wait_for("Figures for this week (2026-W48)")
    assert "Opened: 3 · resolved: 1" in week.plain
    assert "Tier 1: 1 resolved, median 2.0 h" in week.plain
    assert "Satisfaction: 4.0 / 5 (1 rating(s))" in week.plain
    await staff.press("This month")
    month = await staff.wait_for("Figures for this month (2026-11)")
    assert "Opened: 3 · resolved: 1" in month.plain

    worker = bot.emu.user(403, "Wang", language_code="en")
    await worker.send("/stats")
    refusal = await worker.wait_for("only for station staff")
    assert "Opened" not in refusal.plain
    answer = await worker.press_data("1|st|month")  # a forged button: refused, nothing shown
    assert answer is not None and answer.show_alert and "only for station staff" in (answer.text or "")
    assert not any("Opened" in m.plain for m in worker.inbox)


async def restart(bot: BotHarness) -> tuple[BotHarness, object]:
    """Stop the running bot the way a shutdown would, and start a fresh one on the same database."""
    app = bot.app
    await app.updater.stop()
    await app.stop()
    await on_shutdown(app)
    await app.shutdown()
    fresh = build_application(bot.settings, bot.clock)
    ctx = running(fresh, poll_timeout=0.5)
    await ctx.__aenter__()
    return BotHarness(bot.emu, fresh, bot.clock, fresh.bot_data["services"], bot.settings), ctx


async def test_weekly_report_fires_once_on_monday_0900_even_across_a_restart(bot) -> None:
    staff = bot.emu.user(411, "Min", language_code="zh")
    group = bot.emu.group(TIER2_CHAT, "二级·平台协同", [staff])
    async with bot.services.db.tx() as conn:
        await roles_repo.bind_chat(conn, TIER2_CHAT, group.title, 2, None, ADMIN_ID, bot.clock.now())
    await file_requests(bot, 412)
    await bot.tick()  # first start: the first report is due next Monday 09:00

    await bot.advance(days=6, hours=23)  # Monday 30 Nov, 08:30
    assert group.inbox == []
    await bot.advance(minutes=30)  # 09:00 Shanghai
    text, chart = group.inbox
    assert "2026-W48" in text.plain and "每周报告" in text.plain
    assert "3" in text.plain
    assert chart.kind == "photo" and chart.photo is not None
    picture = Image.open(io.BytesIO(chart.photo))
    assert picture.format == "PNG" and picture.size[0] >= 600
    await bot.advance(minutes=10)
    assert len(group.inbox) == 2

    second, ctx = await restart(bot)
    try:
        await second.tick()
        await second.advance(hours=2)
        assert len(group.inbox) == 2  # the restart neither repeats the report...
        await second.advance(days=7)  # ...nor skips the next Monday's
        assert len(group.inbox) == 4 and "2026-W49" in group.inbox[2].plain
    finally:
        await ctx.__aexit__(None, None, None)


async def test_report_month_writes_csv_and_a_valid_png(bot, tmp_path: Path, monkeypatch) -> None:
    await file_requests(bot, 421)
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("BOT_DB_PATH", str(bot.settings.db_path))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)

    assert await asyncio.to_thread(main, ["report", "--month", "2026-13", "--out", str(out)]) == 2
    assert not out.exists()
    assert await asyncio.to_thread(main, ["report", "--month", "2026-11", "--out", str(out)]) == 0

    rows = list(csv.DictReader(io.StringIO((out / "figures-2026-11.csv").read_text(encoding="utf-8-sig"))))
    values = {(r["metric"], r["qualifier"]): r["value"] for r in rows}
    assert values[("requests.opened", "")] == "3"
    assert values[("requests.resolved", "")] == "1"
    assert values[("requests.median_hours", "tier 1")] == "2.0"
    assert values[("trend.opened", "11-23")] == "3"
    assert all(r["period"] == "2026-11" and r["label"] for r in rows)
    picture = Image.open(out / "trend-2026-11.png")
    picture.verify()
    assert picture.format == "PNG"
