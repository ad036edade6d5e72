"""One async SQLite database: WAL, foreign keys, busy timeout, numbered migrations.

Writes: one connection behind an asyncio lock. aiosqlite runs a connection on its own thread, and
two coroutines sharing it would interleave their statements inside each other's transactions, so
every unit of work takes the lock for its whole transaction (`tx()`, BEGIN IMMEDIATE). That also
makes races such as "two presses for the last place" impossible to lose: the second press sees
the first one's commit. SQLite allows one writer at a time anyway.

Reads: a few connections of their own (`read()`), opened read-only (query_only). In WAL mode a
reader sees the last commit and never waits for a writer, so a long write - ours, or another
process holding the write lock (a backup, the command line) - delays no screen that only reads.

A database that cannot be opened (missing directory rights, a read-only file, not a database)
raises `DatabaseUnavailable` with one clear line, after closing whatever it opened: an aiosqlite
connection is a thread, and one left running keeps the process alive after the error.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import overload

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
READERS = 3


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened or migrated; the message is one line naming the file."""


def ts(moment: datetime) -> str:
    """A UTC timestamp as stored: fixed width, so text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are never stored: times must be timezone-aware")
    return moment.astimezone(UTC).strftime(_TS_FORMAT)


@overload
def from_ts(value: str) -> datetime: ...
@overload
def from_ts(value: None) -> None: ...
@overload
def from_ts(value: str | None) -> datetime | None: ...
def from_ts(value: str | None) -> datetime | None:
    """A stored timestamp back as an aware UTC datetime (a NOT NULL column gives a datetime)."""
    if value is None:
        return None
    # fromisoformat reads the stored form ("...Z") some twenty times faster than strptime, and
    # every row read carries timestamps; a value without its zone is refused as strptime did.
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"a stored timestamp without its zone: {value!r}")
    return moment


def _probe(path: Path) -> None:
    """Can we open, read and write this database? Raises sqlite3.Error if not.

    Done with the plain sqlite3 module first: when aiosqlite fails to connect, its worker thread
    reports its own shutdown to an event loop that may be gone by then (a traceback on stderr).
    """
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


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
    def __init__(self, path: Path | str, *, readers: int = READERS) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._reader_count = 0 if self.memory else readers
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        # Called after every commit: the outbox sender registers its wake-up here, so a message
        # enqueued by any feature goes out at once without features knowing about the sender.
        self.after_commit: list[Callable[[], None]] = []

    @property
    def memory(self) -> bool:
        return str(self.path) == ":memory:"

    async def open(self) -> Database:
        try:
            if not self.memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                await asyncio.to_thread(_probe, self.path)
            self._conn = await self._connect(write=True)
            for _ in range(self._reader_count):
                self._readers.put_nowait(await self._connect(write=False))
        except (sqlite3.Error, OSError) as error:
            await self.close()
            raise DatabaseUnavailable(f"cannot open the database {self.path}: {error}") from None
        return self

    async def _connect(self, *, write: bool) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._all.append(conn)
        conn.row_factory = aiosqlite.Row
        if write:
            mode = await (await conn.execute("PRAGMA journal_mode=WAL")).fetchone()
            if not self.memory and (mode is None or str(mode[0]).lower() != "wal"):
                raise sqlite3.OperationalError(f"the database refused WAL mode ({mode[0] if mode else '?'})")
            await conn.execute("PRAGMA synchronous=NORMAL")
            # Deleted and overwritten values are zeroed on disk, not left in free space where a
            # copy of the file would still show what /forgetme erased.
            await conn.execute("PRAGMA secure_delete=ON")
        else:
            await conn.execute("PRAGMA query_only=ON")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        return conn

    async def close(self) -> None:
        connections, self._all, self._conn = self._all, [], None
        self._readers = asyncio.Queue()
        for conn in connections:
            try:
                await conn.close()
            except Exception:  # closing is best effort: the thread must stop whatever happened
                log.debug("closing a database connection failed", exc_info=True)

    async def __aenter__(self) -> Database:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        """The writing connection (maintenance and benchmarks; features use `tx()` and `read()`)."""
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    async def trace(self, callback: Callable[[str], None] | None) -> None:
        """Have every connection report each statement it runs (benchmarks: which plans a tick uses)."""
        for conn in self._all:
            await conn.set_trace_callback(callback)  # type: ignore[arg-type]  # aiosqlite's stub omits None, which sqlite3 takes to switch tracing off

    @asynccontextmanager
    async def tx(self, *, dry_run: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: everything inside commits together or not at all.

        `dry_run`: everything inside runs, then rolls back (an import's preview: the same code
        path reports what it would do, and nothing is written).
        """
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("ROLLBACK" if dry_run else "COMMIT")
        if dry_run:
            return
        for callback in self.after_commit:
            callback()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read (one snapshot for several SELECTs) that never waits for a writer."""
        if not self._reader_count:
            async with self._lock:
                await self.conn.execute("BEGIN")
                try:
                    yield self.conn
                finally:
                    await self.conn.execute("COMMIT")
            return
        if self._conn is None:
            raise RuntimeError("database is not open")
        conn = await self._readers.get()
        try:
            await conn.execute("BEGIN")
            try:
                yield conn
            finally:
                await conn.execute("COMMIT")
        finally:
            self._readers.put_nowait(conn)

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty it (TRUNCATE), so values just
        erased are in neither file any more; False when a reader kept it busy (then it is emptied
        at a later checkpoint). Waits for the writer's lock, and for readers up to busy_timeout."""
        async with self._lock:
            cur = await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = await cur.fetchone()
        busy = bool(row and row[0])
        if busy:
            log.warning("the write-ahead log could not be emptied now (a reader kept it busy)")
        return not busy

    async def schema_version(self) -> int:
        async with self._lock:
            cur = await self.conn.execute("PRAGMA user_version")
            row = await cur.fetchone()
            return int(row[0]) if row is not None else 0

    async def pending_migrations(self) -> list[tuple[int, Path]]:
        current = await self.schema_version()
        return [(n, p) for n, p in migrations() if n > current]

    async def migrate(self) -> int:
        """Apply pending migrations in order, each in its own transaction; safe to re-run."""
        try:
            return await self._migrate()
        except sqlite3.Error as error:
            raise DatabaseUnavailable(f"cannot migrate the database {self.path}: {error}") from None

    async def _migrate(self) -> int:
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
    return sqlite3.complete_statement(statement) and not (
        "CREATE TRIGGER" in statement.upper() and not statement.upper().rstrip("; \n").endswith("END")
    )
