"""One async SQLite database: WAL, foreign keys, busy timeout, numbered migrations.

Why one connection behind a lock: aiosqlite runs a connection on its own thread, and two
coroutines sharing it would interleave their statements inside each other's transactions.
Every unit of work therefore takes the lock for its whole transaction (`tx()`), which also makes
races such as "two presses for the last place" impossible to lose: the second press sees the
first one's commit. SQLite allows one writer at a time anyway; WAL lets backups and the
command line read concurrently from other processes.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def ts(moment: datetime) -> str:
    """A UTC timestamp as stored: fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are never stored: times must be timezone-aware")
    return moment.astimezone(UTC).strftime(_TS_FORMAT)


def from_ts(value: str | None) -> datetime | None:
    if value is None:
        return None
    return datetime.strptime(value, _TS_FORMAT).replace(tzinfo=UTC)


def migrations() -> list[tuple[int, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    numbers = [n for n, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number in {MIGRATIONS_DIR}")
    return found


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        # Called after every commit: the outbox sender registers its wake-up here, so a message
        # enqueued by any feature goes out at once without features knowing about the sender.
        self.after_commit: list[Callable[[], None]] = []

    async def open(self) -> Database:
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await conn.execute("PRAGMA synchronous=NORMAL")
        self._conn = conn
        return self

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: everything inside commits together or not at all."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")
        for callback in self.after_commit:
            callback()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read (a deferred transaction, so several SELECTs see one snapshot)."""
        async with self._lock:
            await self.conn.execute("BEGIN")
            try:
                yield self.conn
            finally:
                await self.conn.execute("COMMIT")

    async def schema_version(self) -> int:
        async with self._lock:
            cur = await self.conn.execute("PRAGMA user_version")
            row = await cur.fetchone()
            return int(row[0])

    async def pending_migrations(self) -> list[tuple[int, Path]]:
        current = await self.schema_version()
        return [(n, p) for n, p in migrations() if n > current]

    async def migrate(self) -> int:
        """Apply pending migrations in order, each in its own transaction; safe to re-run."""
        for number, path in await self.pending_migrations():
            async with self.tx() as conn:
                if path.suffix == ".sql":
                    for statement in _split_sql(path.read_text(encoding="utf-8")):
                        await conn.execute(statement)
                else:
                    spec = importlib.util.spec_from_file_location(f"_migration_{number}", path)
                    assert spec and spec.loader
                    module = importlib.util.module_from_spec(spec)
                    spec.loader.exec_module(module)
                    await module.up(conn)
                await conn.execute(f"PRAGMA user_version = {number}")
            log.info("applied migration %s", path.name)
        return await self.schema_version()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if buffer.strip().endswith(";") and _complete(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _complete(statement: str) -> bool:
    import sqlite3

    return sqlite3.complete_statement(statement) and not (
        "CREATE TRIGGER" in statement.upper() and not statement.upper().rstrip("; \n").endswith("END")
    )
