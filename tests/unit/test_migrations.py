"""Migrations build the schema on a fresh database and are a no-op when re-run."""

from pathlib import Path

from bot.storage.db import Database, migrations


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    async with Database(tmp_path / "sub" / "bot.db") as db:
        version = await db.migrate()
        assert version == migrations()[-1][0]
        cur = await db.conn.execute("SELECT COUNT(*) FROM buildings")
        assert (await cur.fetchone())[0] == 38
        cur = await db.conn.execute("PRAGMA journal_mode")
        assert (await cur.fetchone())[0] == "wal"
        cur = await db.conn.execute("PRAGMA foreign_keys")
        assert (await cur.fetchone())[0] == 1


async def test_rerun_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    async with Database(path) as db:
        first = await db.migrate()
    async with Database(path) as db:
        assert await db.pending_migrations() == []
        assert await db.migrate() == first
        cur = await db.conn.execute("SELECT COUNT(*) FROM buildings")
        assert (await cur.fetchone())[0] == 38


async def test_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.db") as db:
        await db.migrate()
        try:
            async with db.tx() as conn:
                await conn.execute(
                    "INSERT INTO buildings (code, name_zh, name_en, name_fr) VALUES ('X', 'x', 'x', 'x')"
                )
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        cur = await db.conn.execute("SELECT COUNT(*) FROM buildings WHERE code = 'X'")
        assert (await cur.fetchone())[0] == 0


def test_migration_numbers_are_unique_and_ordered() -> None:
    numbers = [n for n, _ in migrations()]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 1
