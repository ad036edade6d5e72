"""storage/personal_data.py is complete by construction: every table and every text column of a
freshly migrated database is listed there with how it is erased, and nothing listed is gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import privacy as privacy_repo
from bot.storage.db import Database
from bot.storage.personal_data import TABLES, How


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database(tmp_path / "bot.db").open()
    await database.migrate()
    yield database
    await database.close()


async def test_every_table_and_text_column_is_listed_with_how_it_is_erased(db: Database) -> None:
    async with db.read() as conn:
        problems = await privacy_repo.unlisted(conn)
    assert problems == [], "\n".join(problems)


async def test_a_migration_adding_an_unlisted_text_column_or_table_is_caught(db: Database) -> None:
    """What a migration of another feature would do, and what the test above would then say."""
    async with db.tx() as conn:
        await conn.execute("ALTER TABLE requests ADD COLUMN callback_note TEXT")
        await conn.execute("ALTER TABLE users ADD COLUMN nickname")  # untyped: may hold text
        await conn.execute("ALTER TABLE events ADD COLUMN extra JSON")  # NUMERIC affinity, holds text
        await conn.execute("CREATE TABLE staff_notes (id INTEGER PRIMARY KEY, body TEXT, n INTEGER)")
    async with db.read() as conn:
        problems = await privacy_repo.unlisted(conn)
    assert any("requests.callback_note" in p for p in problems)
    assert any("users.nickname" in p for p in problems)
    assert any("events.extra" in p for p in problems)
    assert any("table staff_notes is not listed" in p for p in problems)
    assert not any(".n " in p for p in problems)  # a number column names no one's text


def test_every_not_personal_column_says_why_and_owners_are_columns_of_their_table() -> None:
    for table in TABLES:
        for column in table.columns:
            assert column.how is not How.NOT_PERSONAL or column.why, f"{table.name}.{column.name}"
        names = [c.name for c in table.columns]
        assert len(names) == len(set(names)), table.name


async def test_the_erasure_queries_run_on_an_empty_database(db: Database) -> None:
    """Every owner column and `about` condition is valid SQL against the real schema."""
    async with db.tx() as conn:
        assert await privacy_repo.export(conn, 1) == {}
        values = await privacy_repo.values_of(conn, 1)
        assert not values.needles()
        assert await privacy_repo.erase_rows(conn, 1) == 0
