"""Operator tasks on the database file: a consistent online backup and integrity checks.

Why sqlite3's backup API (not a file copy): copying bot.sqlite3 while the bot writes can catch
the main file and its -wal journal at different moments, giving a torn, corrupt copy. The backup
API copies every page inside one read transaction, so the copy is exactly the database as of
one commit, while the bot goes on writing (WAL lets readers and the writer proceed together).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    schema_version: int
    integrity: str  # "ok", or SQLite's description of what is wrong


def backup_path(dest: Path, now: datetime) -> Path:
    """DEST itself, or a time-stamped file inside DEST when it is a directory."""
    if dest.is_dir() or str(dest).endswith(os.sep):
        return dest / f"bot-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    return dest


def online_backup(source: Path, dest: Path, *, now: datetime | None = None) -> BackupResult:
    """Copy the live database at `source` to `dest` (a file, or a directory for a dated file).

    The copy is written next to its final name and renamed only once it passed
    `PRAGMA integrity_check`, so DEST never holds a half-written backup.
    """
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    target = backup_path(dest, now or datetime.now(UTC))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one snapshot, even while the bot commits
            # A backup is one self-contained file: no -wal/-shm companions to forget.
            dst.execute("PRAGMA journal_mode=DELETE")
            integrity = "; ".join(r[0] for r in dst.execute("PRAGMA integrity_check").fetchall())
            version = int(dst.execute("PRAGMA user_version").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    if integrity != "ok":
        raise RuntimeError(f"the backup failed its integrity check: {integrity} (kept at {partial})")
    os.replace(partial, target)
    return BackupResult(target, target.stat().st_size, version, integrity)


async def integrity_check(conn: aiosqlite.Connection) -> str:
    """'ok', or what SQLite found wrong (first 10 problems)."""
    cur = await conn.execute("PRAGMA integrity_check(10)")
    return "; ".join(r[0] for r in await cur.fetchall())
