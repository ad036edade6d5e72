"""The outbox table's rules, without Telegram: what is offered to the sender, and in which order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import outbox as outbox_repo
from bot.storage import users as users_repo
from bot.storage.db import Database

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database(tmp_path / "bot.sqlite3") as database:
        await database.migrate()
        yield database


async def add(db: Database, chat_id: int, text: str, **kw: object) -> int:
    async with db.tx() as conn:
        row_id = await outbox_repo.enqueue(
            conn, chat_id=chat_id, kind=kw.pop("kind", "reminder"), text=text, now=NOW, **kw
        )  # type: ignore[arg-type]
    assert row_id is not None
    return row_id


async def due_texts(db: Database, now: datetime = NOW, exclude: tuple[int, ...] = ()) -> list[str]:
    async with db.read() as conn:
        return [r.text for r in await outbox_repo.due(conn, now, exclude=exclude)]


async def test_only_the_oldest_pending_row_of_each_chat_is_offered(db: Database) -> None:
    a1 = await add(db, 1, "a1")
    await add(db, 1, "a2")
    await add(db, 2, "b1")
    await add(db, 1, "a0 later", not_before=NOW + timedelta(hours=1))
    assert await due_texts(db) == ["a1", "b1"]

    # a1 in flight: a2 still waits behind it (one request per chat at a time).
    assert await due_texts(db, exclude=(a1,)) == ["b1"]

    # a1 failed and waits for its backoff: a2 must not overtake it.
    async with db.tx() as conn:
        await outbox_repo.mark_retry(conn, a1, "NetworkError", NOW + timedelta(seconds=30))
    assert await due_texts(db) == ["b1"]
    assert await due_texts(db, NOW + timedelta(seconds=31)) == ["a1", "b1"]

    async with db.tx() as conn:
        await outbox_repo.mark_sent(conn, a1, 77, NOW)
    assert await due_texts(db) == ["a2", "b1"]


async def test_a_future_row_does_not_hold_back_due_rows_of_its_chat(db: Database) -> None:
    await add(db, 1, "tomorrow", not_before=NOW + timedelta(days=1))
    await add(db, 1, "now")
    assert await due_texts(db) == ["now"]
    async with db.read() as conn:
        assert await outbox_repo.next_due_at(conn) == NOW


async def test_next_due_at_counts_the_retry_time(db: Database) -> None:
    row = await add(db, 1, "x")
    async with db.tx() as conn:
        await outbox_repo.mark_retry(conn, row, "TimedOut", NOW + timedelta(seconds=8))
    async with db.read() as conn:
        assert await outbox_repo.next_due_at(conn) == NOW + timedelta(seconds=8)


async def test_rows_carry_whether_the_recipient_blocked_the_bot(db: Database) -> None:
    async with db.tx() as conn:
        await users_repo.upsert_seen(conn, 1, "Ann", None, "zh", NOW)
        await users_repo.mark_unreachable(conn, 1, NOW)
    await add(db, 1, "to ann")
    await add(db, 2, "to someone unknown")
    async with db.read() as conn:
        rows = {r.chat_id: r for r in await outbox_repo.due(conn, NOW)}
    assert rows[1].recipient_unreachable_at == NOW
    assert rows[2].recipient_unreachable_at is None


async def test_same_dedupe_key_keeps_one_row(db: Database) -> None:
    await add(db, 1, "first", dedupe_key="shift:1:user:1:h-24")
    async with db.tx() as conn:
        again = await outbox_repo.enqueue(
            conn, chat_id=1, kind="reminder", text="second", now=NOW, dedupe_key="shift:1:user:1:h-24"
        )
    assert again is None
    assert await due_texts(db) == ["first"]


async def test_cancel_prefix_treats_like_wildcards_literally(db: Database) -> None:
    await add(db, 1, "mine", dedupe_key="shift:4_2:user:7:h-1")
    await add(db, 2, "not mine", dedupe_key="shift:4x2:user:7:h-1")
    await add(db, 3, "also not", dedupe_key="shift:4%:user:7:h-1")
    async with db.tx() as conn:
        assert await outbox_repo.cancel_prefix(conn, "shift:4_2:", NOW) == 1
        assert await outbox_repo.cancel(conn, ["shift:4%:user:7:h-1", "unknown"], NOW) == 1
        assert await outbox_repo.cancel(conn, [], NOW) == 0
    assert await due_texts(db) == ["not mine"]


async def test_only_the_newest_pending_edit_of_a_card_is_kept(db: Database) -> None:
    await add(db, -5, "card", dedupe_key="card:1")
    async with db.tx() as conn:
        await outbox_repo.enqueue_edit(
            conn, edit_of="card:1", chat_id=-5, kind="card", text="claimed", now=NOW
        )
        await outbox_repo.enqueue_edit(
            conn, edit_of="card:1", chat_id=-5, kind="card", text="resolved", now=NOW
        )
    async with db.read() as conn:
        cur = await conn.execute("SELECT text FROM outbox WHERE action = 'edit' AND cancelled_at IS NULL")
        assert [r[0] for r in await cur.fetchall()] == ["resolved"]


async def test_edit_target_follows_the_card(db: Database) -> None:
    card = await add(db, -5, "card", dedupe_key="card:1", media_kind="photo", media_ref="AgAD")
    async with db.read() as conn:
        assert (await outbox_repo.edit_target(conn, "card:1")).state == "pending"
        assert (await outbox_repo.edit_target(conn, "card:404")).state == "gone"
    async with db.tx() as conn:
        await outbox_repo.mark_sent(conn, card, 31, NOW)
    async with db.read() as conn:
        target = await outbox_repo.edit_target(conn, "card:1")
        assert (target.state, target.chat_id, target.message_id, target.media_kind) == (
            "sent",
            -5,
            31,
            "photo",
        )
        assert await outbox_repo.message_id_of(conn, "card:1") == (-5, 31)


async def test_status_counts_by_kind_with_reasons(db: Database) -> None:
    sent = await add(db, 1, "a", kind="reminder")
    dead = await add(db, 2, "b", kind="reminder")
    await add(db, 3, "c", kind="staff_card", not_before=NOW - timedelta(minutes=5))
    await add(db, 4, "d", kind="staff_card", not_before=NOW + timedelta(hours=1))
    async with db.tx() as conn:
        await outbox_repo.mark_sent(conn, sent, 1, NOW)
        await outbox_repo.mark_dead(conn, dead, "Forbidden: bot was blocked by the user", NOW)
        status = await outbox_repo.status_counts(conn, NOW)
    assert status["kinds"]["reminder"] == {
        "queued": 0, "due": 0, "retrying": 0, "sent": 1, "dead": 1, "missed": 0, "cancelled": 0,
    }  # fmt: skip
    assert status["kinds"]["staff_card"]["queued"] == 2 and status["kinds"]["staff_card"]["due"] == 1
    assert status["oldest_queued_age"] == timedelta(minutes=5)
    assert status["recent_dead"][0]["reason"] == "Forbidden: bot was blocked by the user"


async def test_enqueue_many_queues_a_fan_out_and_keeps_dedupe_keys(db: Database) -> None:
    later = NOW + timedelta(seconds=5)
    batch = [
        outbox_repo.Message(1, "announcement", "hello 1", dedupe_key="ev:1:1"),
        outbox_repo.Message(2, "announcement", "hello 2", not_before=later, dedupe_key="ev:1:2"),
    ]
    async with db.tx() as conn:
        await outbox_repo.enqueue_many(conn, batch, NOW)
        await outbox_repo.enqueue_many(conn, batch, NOW)  # announced twice: still one row each
    assert await due_texts(db) == ["hello 1"]
    assert await due_texts(db, later) == ["hello 1", "hello 2"]


async def test_the_due_query_looks_at_a_chat_s_pending_rows_not_its_whole_history(db: Database) -> None:
    """A staff group collects thousands of sent cards over the years: looking for a due row's
    earlier pending rows must use the index of pending rows, or every sender round walks the
    group's history (5 ms a round with a few cards due, in the throughput benchmark)."""
    seen: list[str] = []
    await db.trace(seen.append)
    await due_texts(db)
    await db.trace(None)
    [statement] = [s for s in seen if "FROM outbox o" in s]
    plan = [r[3] for r in await db.conn.execute_fetchall("EXPLAIN QUERY PLAN " + statement)]
    assert any("outbox_pending_chat" in line for line in plan), plan
    assert not any("outbox_chat " in line for line in plan), plan
