"""The staff desk's rows: pauses with their due times, reply prompts, cards shown by handlers,
and the reads behind the work queue and the search (migration 0030)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.requests import _COLUMNS, RequestRow, _row
from bot.storage.rows import inserted_id, required_ts

OPEN = "status IN ('new', 'claimed', 'waiting')"


# ----------------------------------------------------------------------------- pauses


@dataclass(frozen=True)
class PauseRow:
    id: int
    request_id: int
    reason: str
    party: str | None
    expected_on: date | None
    started_at: datetime
    started_by: int | None
    nudge_at: datetime | None
    close_at: datetime | None
    remind_at: datetime | None
    ended_at: datetime | None
    ended_how: str | None


_PAUSE_COLUMNS = (
    "id, request_id, reason, party, expected_on, started_at, started_by, nudge_at, close_at, remind_at,"
    " ended_at, ended_how"
)


def _pause(r: aiosqlite.Row) -> PauseRow:
    return PauseRow(
        id=r[0],
        request_id=r[1],
        reason=r[2],
        party=r[3],
        expected_on=date.fromisoformat(r[4]) if r[4] else None,
        started_at=required_ts(r[5]),
        started_by=r[6],
        nudge_at=from_ts(r[7]),
        close_at=from_ts(r[8]),
        remind_at=from_ts(r[9]),
        ended_at=from_ts(r[10]),
        ended_how=r[11],
    )


async def start_pause(
    conn: aiosqlite.Connection,
    request_id: int,
    reason: str,
    now: datetime,
    by: int | None,
    *,
    party: str | None = None,
    expected_on: date | None = None,
    nudge_at: datetime | None = None,
    close_at: datetime | None = None,
    remind_at: datetime | None = None,
) -> int:
    cur = await conn.execute(
        "INSERT INTO request_pauses (request_id, reason, party, expected_on, started_at, started_by,"
        " nudge_at, close_at, remind_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            request_id,
            reason,
            party,
            expected_on.isoformat() if expected_on else None,
            ts(now),
            by,
            ts(nudge_at) if nudge_at else None,
            ts(close_at) if close_at else None,
            ts(remind_at) if remind_at else None,
        ),
    )
    return inserted_id(cur)


async def open_pauses(conn: aiosqlite.Connection, request_ids: list[int]) -> dict[int, PauseRow]:
    """The pause each of these requests is in now (requests not paused are left out)."""
    if not request_ids:
        return {}
    marks = ",".join("?" * len(request_ids))
    cur = await conn.execute(
        f"SELECT {_PAUSE_COLUMNS} FROM request_pauses WHERE ended_at IS NULL AND request_id IN ({marks})",
        request_ids,
    )
    return {p.request_id: p for p in map(_pause, await cur.fetchall())}


async def latest_pause(conn: aiosqlite.Connection, request_id: int) -> PauseRow | None:
    """The request's most recent pause, open or ended (an auto-close keeps its question there)."""
    cur = await conn.execute(
        f"SELECT {_PAUSE_COLUMNS} FROM request_pauses WHERE request_id = ? ORDER BY id DESC LIMIT 1",
        (request_id,),
    )
    found = await cur.fetchone()
    return _pause(found) if found else None


async def pause_count(conn: aiosqlite.Connection, request_id: int) -> int:
    cur = await conn.execute("SELECT COUNT(*) FROM request_pauses WHERE request_id = ?", (request_id,))
    found = await cur.fetchone()
    return int(found[0]) if found else 0


async def end_pause(conn: aiosqlite.Connection, request_id: int, now: datetime, how: str) -> bool:
    """End the request's open pause (if any); its pending nudges and reminders go with it."""
    cur = await conn.execute(
        "UPDATE request_pauses SET ended_at = ?, ended_how = ?, nudge_at = NULL, close_at = NULL,"
        " remind_at = NULL WHERE request_id = ? AND ended_at IS NULL",
        (ts(now), how, request_id),
    )
    return cur.rowcount > 0


async def clear_due(conn: aiosqlite.Connection, pause_id: int, column: str) -> None:
    """The tick acted on this due time: it is never due again."""
    if column not in ("nudge_at", "close_at", "remind_at"):
        raise ValueError(column)
    await conn.execute(f"UPDATE request_pauses SET {column} = NULL WHERE id = ?", (pause_id,))


async def due_pauses(
    conn: aiosqlite.Connection, column: str, now: datetime, limit: int = 200
) -> list[PauseRow]:
    """Open pauses whose `column` (nudge_at, close_at or remind_at) has come."""
    if column not in ("nudge_at", "close_at", "remind_at"):
        raise ValueError(column)
    cur = await conn.execute(
        f"SELECT {_PAUSE_COLUMNS} FROM request_pauses WHERE ended_at IS NULL AND {column} IS NOT NULL"
        f" AND {column} <= ? ORDER BY {column}, id LIMIT ?",
        (ts(now), limit),
    )
    return [_pause(r) for r in await cur.fetchall()]


async def pauses_started_between(
    conn: aiosqlite.Connection, since: datetime, until: datetime
) -> dict[str, int]:
    """How many pauses began in [since, until), by reason (for the figures)."""
    cur = await conn.execute(
        "SELECT reason, COUNT(*) FROM request_pauses WHERE started_at >= ? AND started_at < ? GROUP BY reason",
        (ts(since), ts(until)),
    )
    return {r[0]: int(r[1]) for r in await cur.fetchall()}


# ----------------------------------------------------------------------------- reply prompts


@dataclass(frozen=True)
class PromptRow:
    chat_id: int
    user_id: int
    prompt_id: int
    action: str
    request_id: int
    arg: str | None
    created_at: datetime
    expires_at: datetime


_PROMPT_COLUMNS = "chat_id, user_id, prompt_id, action, request_id, arg, created_at, expires_at"


def _prompt(r: aiosqlite.Row) -> PromptRow:
    return PromptRow(r[0], r[1], r[2], r[3], r[4], r[5], required_ts(r[6]), required_ts(r[7]))


async def add_prompt(
    conn: aiosqlite.Connection,
    *,
    chat_id: int,
    user_id: int,
    prompt_id: int,
    action: str,
    request_id: int,
    arg: str | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        f"INSERT OR REPLACE INTO request_prompts ({_PROMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (chat_id, user_id, prompt_id, action, request_id, arg, ts(now), ts(expires_at)),
    )


async def prompt(conn: aiosqlite.Connection, chat_id: int, user_id: int, prompt_id: int) -> PromptRow | None:
    cur = await conn.execute(
        f"SELECT {_PROMPT_COLUMNS} FROM request_prompts WHERE chat_id = ? AND user_id = ? AND prompt_id = ?",
        (chat_id, user_id, prompt_id),
    )
    found = await cur.fetchone()
    return _prompt(found) if found else None


async def prompts_of(conn: aiosqlite.Connection, chat_id: int, user_id: int) -> list[PromptRow]:
    """This person's open prompts in this chat, newest first."""
    cur = await conn.execute(
        f"SELECT {_PROMPT_COLUMNS} FROM request_prompts WHERE chat_id = ? AND user_id = ?"
        " ORDER BY created_at DESC, prompt_id DESC",
        (chat_id, user_id),
    )
    return [_prompt(r) for r in await cur.fetchall()]


async def drop_prompt(conn: aiosqlite.Connection, chat_id: int, user_id: int, prompt_id: int) -> bool:
    cur = await conn.execute(
        "DELETE FROM request_prompts WHERE chat_id = ? AND user_id = ? AND prompt_id = ?",
        (chat_id, user_id, prompt_id),
    )
    return cur.rowcount > 0


async def drop_expired_prompts(conn: aiosqlite.Connection, before: datetime) -> int:
    cur = await conn.execute("DELETE FROM request_prompts WHERE expires_at < ?", (ts(before),))
    return cur.rowcount


# ----------------------------------------------------------------------------- cards shown by handlers


async def remember_shown(
    conn: aiosqlite.Connection, chat_id: int, message_id: int, request_id: int, now: datetime
) -> None:
    await conn.execute(
        "INSERT OR REPLACE INTO request_messages (chat_id, message_id, request_id, shown_at) VALUES (?, ?, ?, ?)",
        (chat_id, message_id, request_id, ts(now)),
    )


async def shown_request(conn: aiosqlite.Connection, chat_id: int, message_id: int) -> int | None:
    cur = await conn.execute(
        "SELECT request_id FROM request_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )
    found = await cur.fetchone()
    return int(found[0]) if found else None


async def forget_shown_before(conn: aiosqlite.Connection, moment: datetime) -> int:
    cur = await conn.execute("DELETE FROM request_messages WHERE shown_at < ?", (ts(moment),))
    return cur.rowcount


# ----------------------------------------------------------------------------- cards that move


async def move_card(
    conn: aiosqlite.Connection, request_id: int, tier: int, chat_id: int, card_key: str, now: datetime
) -> None:
    """The tier's card now lives in another chat (the request moved building, or a chat was bound)."""
    await conn.execute(
        "UPDATE request_cards SET chat_id = ?, card_key = ?, posted_at = ? WHERE request_id = ? AND tier = ?",
        (chat_id, card_key, ts(now), request_id, tier),
    )


# ----------------------------------------------------------------------------- the queue and the search


async def open_requests(conn: aiosqlite.Connection, max_tier: int = 4) -> list[RequestRow]:
    """Every open request up to `max_tier`, the most urgent deadline first."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE {OPEN} AND tier <= ? ORDER BY resolve_by IS NULL, resolve_by, id",
        (max_tier,),
    )
    return [_row(r) for r in await cur.fetchall()]


async def open_with_card_in(conn: aiosqlite.Connection, chat_id: int) -> list[RequestRow]:
    """Open requests whose current tier's card is in this chat (wherever it was posted from)."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests r WHERE {OPEN} AND EXISTS (SELECT 1 FROM request_cards c"
        " WHERE c.request_id = r.id AND c.tier = r.tier AND c.chat_id = ?)"
        " ORDER BY resolve_by IS NULL, resolve_by, id",
        (chat_id,),
    )
    return [_row(r) for r in await cur.fetchall()]


async def with_words(conn: aiosqlite.Connection, words: list[str], limit: int = 200) -> list[RequestRow]:
    """Requests whose description contains every one of `words` (any case), newest first."""
    if not words:
        return []
    where = " AND ".join("instr(lower(description), ?) > 0" for _ in words)
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ?",
        (*[w.lower() for w in words], limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def of_enterprises(
    conn: aiosqlite.Connection, enterprise_ids: list[int], limit: int = 200
) -> list[RequestRow]:
    if not enterprise_ids:
        return []
    marks = ",".join("?" * len(enterprise_ids))
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE enterprise_id IN ({marks}) ORDER BY created_at DESC, id DESC LIMIT ?",
        (*enterprise_ids, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def of_requesters(
    conn: aiosqlite.Connection, user_ids: list[int], limit: int = 200
) -> list[RequestRow]:
    if not user_ids:
        return []
    marks = ",".join("?" * len(user_ids))
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE requester_id IN ({marks}) ORDER BY created_at DESC, id DESC LIMIT ?",
        (*user_ids, limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def typed_company_names(conn: aiosqlite.Connection) -> list[tuple[int, str]]:
    """(request id, company name as the requester typed it) of requests outside the registry."""
    cur = await conn.execute("SELECT id, enterprise_name FROM requests WHERE enterprise_name IS NOT NULL")
    return [(int(r[0]), str(r[1])) for r in await cur.fetchall()]


async def requester_names(conn: aiosqlite.Connection) -> list[tuple[int, str, str | None, str | None]]:
    """(user id, display name, first name, username) of everyone who filed a request."""
    cur = await conn.execute(
        "SELECT u.id, COALESCE(u.display_name, ''), u.first_name, u.username FROM users u"
        " WHERE u.id IN (SELECT DISTINCT requester_id FROM requests)"
    )
    return [(int(r[0]), str(r[1]), r[2], r[3]) for r in await cur.fetchall()]


async def of_enterprise(
    conn: aiosqlite.Connection, enterprise_id: int, since: datetime, limit: int = 8
) -> list[RequestRow]:
    """An enterprise's open requests and those filed since `since`, open ones first, newest first."""
    cur = await conn.execute(
        f"SELECT {_COLUMNS} FROM requests WHERE enterprise_id = ? AND ({OPEN} OR created_at >= ?)"
        f" ORDER BY {OPEN} DESC, created_at DESC, id DESC LIMIT ?",
        (enterprise_id, ts(since), limit),
    )
    return [_row(r) for r in await cur.fetchall()]


async def closed_between(conn: aiosqlite.Connection, reason: str, since: datetime, until: datetime) -> int:
    cur = await conn.execute(
        "SELECT COUNT(*) FROM requests WHERE close_reason = ? AND closed_at >= ? AND closed_at < ?",
        (reason, ts(since), ts(until)),
    )
    found = await cur.fetchone()
    return int(found[0]) if found else 0
