"""Service guide search on a 1,000-entry catalogue: goal < 20 ms per question (95th percentile).

The synthetic catalogue is the shipped one grown to 1,000 entries: each extra entry mixes the
titles, summaries and keywords of real ones (fixed random seed), so the text has the real
length and vocabulary and the trigram index is as crowded as a big catalogue would make it.
Questions are the kinds people type: whole sentences in three languages, Chinese without spaces,
typos, mixed scripts, one- and two-character Chinese, and questions that find nothing (which
also write a miss count).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.clock import ManualClock
from bot.domain.guide_catalogue import LANGS, Entry, parse_catalogue
from bot.services.guide import SHIPPED, GuideService
from bot.storage.db import Database

ENTRIES = 1000
GOAL_MS = 20.0
QUESTIONS = [
    "我想转组织关系",
    "how do I renew my residence permit",
    "où est la machine fiscale",
    "社保卡",
    "tax machine",
    "reunion room booking",
    "税",
    "社保",
    "公积金怎么取",
    "residnce permit",
    "tax机器",
    "预约meeting room",
    "je veux être bénévole à l'hôpital",
    "where can I print my business licence",
    "稅務機器",
    "I feel stressed at work",
    "注册公司需要什么材料",
    "carte de securite sociale perdue",
    "recette des crêpes au chocolat",
    "附近哪里有托育班",
]


def _text(texts: dict[str, str]) -> dict[str, str]:
    return {lang: texts[lang] for lang in LANGS}


def synthetic_catalogue(count: int = ENTRIES, seed: int = 2026) -> str:
    """YAML for `count` entries: the shipped ones, then mixtures of them."""
    source = SHIPPED.read_text(encoding="utf-8")
    shipped: list[Entry] = parse_catalogue(source)
    places = yaml.safe_load(source)["places"]
    rng = random.Random(seed)
    entries: list[dict[str, Any]] = []
    for i in range(count):
        base = shipped[i % len(shipped)]
        data = base.to_json()
        if i >= len(shipped):
            other, third = rng.choice(shipped), rng.choice(shipped)
            data["id"] = f"{base.id[:30]}-{i}"
            data["title"] = {
                lang: f"{getattr(base.title, lang)} · {getattr(other.title, lang)[:20]} {i}" for lang in LANGS
            }
            data["summary"] = {
                lang: f"{getattr(other.summary, lang)} {getattr(third.summary, lang)}" for lang in LANGS
            }
            data["keywords"] = {
                lang: list(getattr(base.keywords, lang)[:2] + getattr(other.keywords, lang)[:2])
                for lang in LANGS
            }
        where = data.pop("where")
        if where:
            data["where"] = {"place": "station", "floor": _text(where["floor"]) if where["floor"] else None}
            if data["where"]["floor"] is None:
                del data["where"]["floor"]
            if where["hours"]:
                data["where"]["hours"] = _text(where["hours"])
        for key in ("bring", "keywords"):
            if not any(data[key].values()):
                del data[key]
        if not data.get("link"):
            data.pop("link", None)
        entries.append(data)
    return yaml.safe_dump({"places": {"station": places["station"]}, "entries": entries}, allow_unicode=True)


async def run(quick: bool) -> list[dict]:
    rounds = 3 if quick else 15
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.sqlite3") as db:
            await db.migrate()
            services = SimpleNamespace(
                db=db,
                clock=ManualClock(),
                settings=SimpleNamespace(tz=ZoneInfo("Asia/Shanghai")),
                renderer=None,
            )
            guide = GuideService(services)  # type: ignore[arg-type]
            source = synthetic_catalogue()
            started = time.perf_counter()
            imported = await guide.replace(source, source_name="bench.yaml", actor_id=None)
            import_seconds = time.perf_counter() - started
            for question in QUESTIONS:  # warm the page cache and compiled patterns once
                await guide.search(question)
            timings = []
            for _ in range(rounds):
                for question in QUESTIONS:
                    started = time.perf_counter()
                    await guide.search(question)
                    timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    row = {"scenario": "guide", "unit": "ms"}
    return [
        {
            **row,
            "metric": f"search p95 ({imported} entries)",
            "value": round(p95, 2),
            "goal": f"< {GOAL_MS:g} ms",
            "met": p95 < GOAL_MS,
        },
        {
            **row,
            "metric": "search median",
            "value": round(statistics.median(timings), 2),
            "goal": "",
            "met": None,
        },
        {**row, "metric": "search max", "value": round(timings[-1], 2), "goal": "", "met": None},
        {
            **row,
            "metric": f"import {imported} entries",
            "value": round(import_seconds * 1000, 1),
            "goal": "",
            "met": None,
        },
    ]


if __name__ == "__main__":
    import asyncio

    for result in asyncio.run(run(quick=False)):
        print(result)
