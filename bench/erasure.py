"""/forgetme on the large district: how long the erasure holds the database's write lock.

Erasure searches every text and quoting column of every row for the person's values (prefiltered
in SQL, matched in Python): its cost grows with the district, and while it runs no one else can
write. Measured for the requester with the most requests, on a copy of the synthetic district.
Goal: under 5 s at full scale (a rare action; every other writer waits that long once).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import district as districts
from bench.harness import bench_settings, quiet_logs
from bot.clock import ManualClock
from bot.services import build_services
from bot.storage.db import Database

GOAL_SECONDS = 5.0
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


async def measure(scale: float, folder: Path) -> dict[str, Any]:
    built = await districts.ensure(scale)
    path = folder / "erasure.sqlite3"
    shutil.copy(built.path, path)
    quiet_logs()
    db = await Database(path).open()
    try:
        await db.migrate()
        services = build_services(bench_settings(path, "http://127.0.0.1:9/"), ManualClock(NOW), db)
        async with db.read() as conn:
            cur = await conn.execute(
                "SELECT requester_id, COUNT(*) AS n FROM requests GROUP BY requester_id ORDER BY n DESC LIMIT 1"
            )
            row = await cur.fetchone()
            cur = await conn.execute("SELECT COUNT(*) FROM requests")
            total = (await cur.fetchone())[0]
        assert row is not None
        started = time.perf_counter()
        erasure = await services.privacy.forget(row[0])
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    return {"seconds": elapsed, "requests": total, "theirs": row[1], "rows": erasure.rows}


async def run(quick: bool, *, scale: float | None = None) -> list[dict[str, Any]]:
    scale = scale if scale is not None else (0.05 if quick else 1.0)
    with tempfile.TemporaryDirectory() as folder:
        m = await measure(scale, Path(folder))
    return [
        {"scenario": "erasure",
         "metric": f"/forgetme of a requester with {m['theirs']} of {m['requests']:,} requests ({m['rows']} rows)",
         "value": round(m["seconds"], 2), "unit": "s", "goal": f"< {GOAL_SECONDS:g} s",
         "met": m["seconds"] < GOAL_SECONDS},
    ]  # fmt: skip
