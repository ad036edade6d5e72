"""SQL behind /mydata and /forgetme, driven by the list in storage/personal_data.py.

Table and column names come from that list (code, never user input); they are still checked to
be plain identifiers before they reach an SQL string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import aiosqlite

from bot.domain import erasure
from bot.domain.erasure import Form, Needles
from bot.storage.db import ts
from bot.storage.personal_data import TABLES, Column, How, Table

# One stored value, as SQLite gives it back.
Cell = str | int | float | bytes | None

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PENDING = "sent_at IS NULL AND dead_at IS NULL AND missed_at IS NULL AND cancelled_at IS NULL"
_ANCHORS_PER_QUERY = 100
# Declared types with INTEGER or REAL affinity (SQLite's rules): such a column holds no text.
_NUMBERS_ONLY = re.compile(
    r"INT|REAL|FLOA|DOUB"
)  # SQLite's expression depth limit is 1,000: an OR chain stays well below


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name[:64]!r}")
    return f'"{name}"'


async def _existing(conn: aiosqlite.Connection) -> list[Table]:
    """The listed tables this database has (an old backup may predate some)."""
    cur = await conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    names = {r[0] for r in await cur.fetchall()}
    return [t for t in TABLES if t.name in names]


def _owned(table: Table) -> str:
    assert table.owner is not None
    return f"{_ident(table.owner)} = ?"


async def export(conn: aiosqlite.Connection, user_id: int) -> dict[str, list[dict[str, Cell]]]:
    """Every row that is the person's (by each table's owner column), all columns, per table."""
    found: dict[str, list[dict[str, Cell]]] = {}
    for table in await _existing(conn):
        if table.owner is None:
            continue
        cur = await conn.execute(
            f"SELECT * FROM {_ident(table.name)} WHERE {_owned(table)} ORDER BY rowid", (user_id,)
        )
        rows = [dict(zip(r.keys(), tuple(r), strict=True)) for r in await cur.fetchall()]
        if rows:
            found[table.name] = rows
    return found


@dataclass
class Values:
    """What the person's rows (and the rows about them) hold, to be searched for elsewhere."""

    names: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # what they wrote (their own rows)
    about: list[str] = field(default_factory=list)  # what others wrote about them: only its numbers
    files: list[str] = field(default_factory=list)

    def needles(self) -> Needles:
        return erasure.needles(names=self.names, texts=self.texts, files=self.files, numbers_from=self.about)


async def values_of(conn: aiosqlite.Connection, user_id: int) -> Values:
    values = Values()

    def keep(column: Column, value: object, own: bool) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        if not own or column.how is How.REMARK:
            values.about.append(value)
        elif column.form is Form.FILE:
            values.files.append(value)
        elif column.how is How.TEXT:
            values.texts.append(value)
        else:
            values.names.append(value)

    for table in await _existing(conn):
        owned = table.of(How.NAME, How.IDENTIFIER, How.TEXT, How.REMARK)
        queries = [(_owned(table), owned, True)] if table.owner else []
        queries += [(where, table.of(How.TEXT), False) for where in table.about]
        for where, columns, own in queries:
            if not columns:
                continue
            cur = await conn.execute(
                f"SELECT {', '.join(_ident(c.name) for c in columns)} FROM {_ident(table.name)} WHERE {where}",
                (user_id,),
            )
            for row in await cur.fetchall():
                for column, value in zip(columns, tuple(row), strict=True):
                    keep(column, value, own)
    return values


async def erase_rows(conn: aiosqlite.Connection, user_id: int) -> int:
    """On the person's rows: names, details and texts become the placeholder, identifiers NULL;
    on the rows about them, texts become the placeholder. Returns the rows changed."""
    placeholder = erasure.PLACEHOLDER
    changed = 0
    for table in await _existing(conn):
        targets: list[tuple[str, list[Column]]] = []
        if table.owner:
            targets.append(
                (_owned(table), table.of(How.NAME, How.DETAIL, How.TEXT, How.REMARK, How.IDENTIFIER))
            )
        targets += [(where, table.of(How.TEXT)) for where in table.about]
        for where, columns in targets:
            replaced = [c for c in columns if c.how is not How.IDENTIFIER]
            cleared = [c for c in columns if c.how is How.IDENTIFIER]
            if not columns:
                continue
            assignments = [
                f"{_ident(c.name)} = CASE WHEN IFNULL({_ident(c.name)}, '') IN ('', ?) THEN {_ident(c.name)} ELSE ? END"
                for c in replaced
            ] + [f"{_ident(c.name)} = NULL" for c in cleared]
            changes = " OR ".join(
                [f"IFNULL({_ident(c.name)}, '') NOT IN ('', ?)" for c in replaced]
                + [f"{_ident(c.name)} IS NOT NULL" for c in cleared]
            )
            cur = await conn.execute(
                f"UPDATE {_ident(table.name)} SET {', '.join(assignments)} WHERE ({where}) AND ({changes})",
                (*([placeholder, placeholder] * len(replaced)), user_id, *([placeholder] * len(replaced))),
            )
            changed += cur.rowcount
    return changed


@dataclass
class Scrubbed:
    """What `scrub` changed: per table, the keys (rowid, or the table's key) of the rows."""

    rows: dict[str, set[tuple[Cell, ...]]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(keys) for keys in self.rows.values())


async def scrub(conn: aiosqlite.Connection, found: Needles) -> Scrubbed:
    """Erase the person's values from every TEXT and QUOTING column of every row. A cheap SQL
    prefilter (`Needles.anchors`) picks the rows worth reading."""
    scrubbed = Scrubbed()
    if not found:
        return scrubbed
    for table in await _existing(conn):
        for column in table.of(How.TEXT, How.REMARK, How.QUOTING):
            keys = await _scrub_column(
                conn, table, column, found.without_writing() if column.own_words else found
            )
            if keys:
                scrubbed.rows.setdefault(table.name, set()).update(keys)
    return scrubbed


async def _scrub_column(
    conn: aiosqlite.Connection, table: Table, column: Column, found: Needles
) -> set[tuple[Cell, ...]]:
    col, name = _ident(column.name), _ident(table.name)
    keys = table.key or ("rowid",)
    select = ", ".join(k if k == "rowid" else _ident(k) for k in keys)
    anchors = found.anchors(column.form)
    if anchors is None:  # no substring is sure to be there: read every non-empty value
        chunks: list[list[str]] = [[]]
    else:
        chunks = [anchors[i : i + _ANCHORS_PER_QUERY] for i in range(0, len(anchors), _ANCHORS_PER_QUERY)]
    candidates: dict[tuple[Cell, ...], str] = {}
    for chunk in chunks:
        where = f"{col} IS NOT NULL AND {col} <> ''"
        if chunk:
            where += " AND (" + " OR ".join([f"instr(lower({col}), ?) > 0"] * len(chunk)) + ")"
        cur = await conn.execute(f"SELECT {select}, {col} FROM {name} WHERE {where}", chunk)
        for row in await cur.fetchall():
            candidates[tuple(row)[:-1]] = row[-1]
    changed: set[tuple[Cell, ...]] = set()
    for key, value in candidates.items():
        new = erasure.scrub(value, found, column.form)
        if new == value:
            continue
        changed.add(key)
        if table.key:
            await _rekey(conn, table, column, key, new)
        else:
            await conn.execute(f"UPDATE {name} SET {col} = ? WHERE rowid = ?", (new, key[0]))
    return changed


async def _rekey(
    conn: aiosqlite.Connection, table: Table, column: Column, key: tuple[Cell, ...], new: str
) -> None:
    """A row of a table keyed by its text (the guide's misses): it moves to its erased key, and
    joins the row already there by adding up its counts."""
    name = _ident(table.name)
    match = " AND ".join(f"{_ident(k)} = ?" for k in table.key)
    cur = await conn.execute(f"SELECT * FROM {name} WHERE {match}", key)
    row = await cur.fetchone()
    if row is None:
        return
    values = dict(zip(row.keys(), tuple(row), strict=True))
    values[column.name] = new
    await conn.execute(f"DELETE FROM {name} WHERE {match}", key)
    columns = ", ".join(_ident(c) for c in values)
    sums = ", ".join(f"{_ident(s)} = {_ident(s)} + excluded.{_ident(s)}" for s in table.sums)
    conflict = f"DO UPDATE SET {sums}" if sums else "DO NOTHING"
    await conn.execute(
        f"INSERT INTO {name} ({columns}) VALUES ({', '.join('?' * len(values))})"
        f" ON CONFLICT({', '.join(_ident(k) for k in table.key)}) {conflict}",
        tuple(values.values()),
    )


async def request_ids_of(conn: aiosqlite.Connection, user_id: int) -> list[int]:
    cur = await conn.execute("SELECT id FROM requests WHERE requester_id = ? ORDER BY id", (user_id,))
    return [r[0] for r in await cur.fetchall()]


async def requests_quoting(conn: aiosqlite.Connection, scrubbed: Scrubbed) -> list[int]:
    """The requests whose own text or events' notes quoted the person (their cards show it)."""
    ids = {int(str(key[0])) for key in scrubbed.rows.get("requests", ())}
    events = [key[0] for key in scrubbed.rows.get("request_events", ())]
    if events:
        cur = await conn.execute(
            f"SELECT DISTINCT request_id FROM request_events WHERE id IN ({','.join('?' * len(events))})",
            events,
        )
        ids |= {r[0] for r in await cur.fetchall()}
    return sorted(ids)


async def cancel_pending_to(conn: aiosqlite.Connection, chat_id: int, now: datetime) -> int:
    """Withdraw what is still queued for the person and blank what was sent to them."""
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ? WHERE chat_id = ? AND {_PENDING}", (ts(now), chat_id)
    )
    await conn.execute(
        "UPDATE outbox SET text = '', buttons = NULL, media_ref = NULL, media_name = NULL, last_error = NULL"
        " WHERE chat_id = ? AND (text <> '' OR buttons IS NOT NULL OR media_ref IS NOT NULL"
        " OR media_name IS NOT NULL OR last_error IS NOT NULL)",
        (chat_id,),
    )
    return cur.rowcount


async def cancel_erased_files(conn: aiosqlite.Connection, now: datetime) -> int:
    """A queued message whose file was the person's (an ID-card photo for a staff chat) is not sent."""
    cur = await conn.execute(
        f"UPDATE outbox SET cancelled_at = ?, media_ref = NULL, text = '' WHERE media_ref = ? AND {_PENDING}",
        (ts(now), erasure.PLACEHOLDER),
    )
    return cur.rowcount


async def forgotten_at(conn: aiosqlite.Connection, user_id: int) -> str | None:
    cur = await conn.execute("SELECT forgotten_at FROM users WHERE id = ?", (user_id,))
    row = await cur.fetchone()
    return row[0] if row else None


async def mark_forgotten(conn: aiosqlite.Connection, user_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE users SET forgotten_at = ?, updated_at = ? WHERE id = ?", (ts(now), ts(now), user_id)
    )


async def count_erasure(conn: aiosqlite.Connection, now: datetime, *, people: int, rows: int) -> None:
    """Add to the day's anonymous count: `people` is 0 when this person was counted before."""
    await conn.execute(
        "INSERT INTO privacy_erasures (day, people, rows) VALUES (?, ?, ?)"
        " ON CONFLICT(day) DO UPDATE SET people = people + excluded.people, rows = rows + excluded.rows",
        (ts(now)[:10], people, rows),
    )


async def unlisted(conn: aiosqlite.Connection) -> list[str]:
    """What storage/personal_data.py fails to say of this database: tables and columns that may
    hold text (any declared type but INTEGER or REAL ones: TEXT, BLOB, JSON, untyped...) it does
    not list, and listed ones that do not exist. Empty when the
    list is complete; tests/unit/test_personal_data.py runs it on a freshly migrated database."""
    cur = await conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    present = sorted(r[0] for r in await cur.fetchall())
    wholes = [t.name for t in TABLES if t.whole]
    problems: list[str] = []
    listed = {t.name: t for t in TABLES}
    for name in present:
        if any(name == w or name.startswith(f"{w}_") for w in wholes):
            continue
        table = listed.get(name)
        cur = await conn.execute(f"PRAGMA table_xinfo({_ident(name)})")
        columns = {r[1]: str(r[2]).upper() for r in await cur.fetchall()}
        if table is None:
            problems.append(f"table {name} is not listed in storage/personal_data.py")
            continue
        known = {c.name for c in table.columns}
        for column, declared in columns.items():
            if column not in known and not _NUMBERS_ONLY.search(declared):
                problems.append(
                    f"{name}.{column} ({declared or 'untyped'}) is not listed in storage/personal_data.py"
                )
        problems += [f"{name}.{c} is listed but the table has no such column" for c in known - set(columns)]
    problems += [f"table {t} is listed but does not exist" for t in listed if t not in present]
    problems += [
        f"{t.name}.{c.name} is not personal but says not why"
        for t in TABLES
        for c in t.columns
        if c.how is How.NOT_PERSONAL and not c.why
    ]
    return problems
