"""Service guide: relevance and speed of sentence search.

Relevance: the questions of bench/guide_questions.yaml (50+ per language, as people type them:
whole sentences, colloquial, typos, mixed Chinese and English), each with the entries that answer
it; top-1 and top-3 accuracy per language on the shipped catalogue. Chinese questions are read
in each of the three ways the analyser knows (bot/domain/guide.py CHINESE_MODES) — jieba words
with bigrams for words the catalogue lacks, jieba words alone, and character bigrams (the search
before jieba) — so the comparison that chose the default stays visible. Goals: top-1 >= 85 % and
top-3 >= 95 % in every language.

Speed: p95 of a whole search (index lookup, ranking, reading the entries, writing a miss) over the
benchmark questions, on the shipped catalogue and on a 1,000-entry catalogue (the shipped one
grown with mixtures of its entries, fixed seed, so the vocabulary is real): goal < 20 ms. Also the
time to build the index, which the first search after a start or an import pays.
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
from bot.domain.guide import CHINESE_MODES
from bot.domain.guide_catalogue import LANGS
from bot.services.guide import SHIPPED, GuideService
from bot.storage.db import Database

QUESTIONS = Path(__file__).with_name("guide_questions.yaml")
ENTRIES = 1000
GOAL_MS = 20.0
TOP1_GOAL, TOP3_GOAL = 0.85, 0.95


def questions() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return data


def synthetic_catalogue(count: int = ENTRIES, seed: int = 2026) -> str:
    """YAML for `count` entries: the shipped ones, then mixtures of them."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    shipped: list[dict[str, Any]] = data["entries"]
    rng = random.Random(seed)
    entries = list(shipped)
    for i in range(len(shipped), count):
        base, other, third = shipped[i % len(shipped)], rng.choice(shipped), rng.choice(shipped)
        entry = dict(base)
        entry["id"] = f"{base['id'][:30]}-{i}"
        entry["title"] = {
            lang: f"{base['title'][lang][:80]} · {other['title'][lang][:20]} {i}" for lang in LANGS
        }
        entry["summary"] = {lang: f"{other['summary'][lang]} {third['summary'][lang]}" for lang in LANGS}
        entry["keywords"] = {
            lang: list(base["keywords"][lang][:2] + other["keywords"][lang][:2]) for lang in LANGS
        }
        entries.append(entry)
    return yaml.safe_dump({"places": data["places"], "entries": entries}, allow_unicode=True)


def _service(db: Database, chinese: str | None = None) -> GuideService:
    services = SimpleNamespace(
        db=db, clock=ManualClock(), settings=SimpleNamespace(tz=ZoneInfo("Asia/Shanghai")), renderer=None
    )
    return GuideService(services, chinese=chinese)  # type: ignore[arg-type]


async def relevance(
    db: Database, chinese: str, langs: tuple[str, ...]
) -> dict[str, tuple[float, float, int]]:
    """(top-1, top-3, questions) per language."""
    guide = _service(db, chinese)
    index = await guide.index()
    out = {}
    for lang in langs:
        items = questions()[lang]
        top1 = top3 = 0
        for item in items:
            found = [h.key for h in index.search(index.query(item["q"]), 3)]
            top1 += bool(found) and found[0] in item["a"]
            top3 += any(key in item["a"] for key in found)
        out[lang] = (top1 / len(items), top3 / len(items), len(items))
    return out


async def latency(db: Database, rounds: int) -> tuple[list[float], float]:
    """Search times in ms over every benchmark question, and the index build in ms."""
    guide = _service(db)
    started = time.perf_counter()
    await guide.index()
    build = (time.perf_counter() - started) * 1000
    texts = [item["q"] for items in questions().values() for item in items]
    for text in texts:  # warm caches and compiled patterns once
        await guide.search(text)
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            await guide.search(text)
            timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings), build


def p95(timings: list[float]) -> float:
    return timings[max(0, int(len(timings) * 0.95) - 1)]


async def run(quick: bool) -> list[dict[str, Any]]:
    rounds = 2 if quick else 10
    rows: list[dict[str, Any]] = []
    row = {"scenario": "guide"}
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "shipped.sqlite3") as db:
            await db.migrate()
            for chinese in CHINESE_MODES:
                default = chinese == CHINESE_MODES[0]
                scores = await relevance(db, chinese, LANGS if default else ("zh",))
                for lang, (top1, top3, n) in scores.items():
                    label = f"{lang} ({n} questions)" + ("" if default else f", Chinese as {chinese}")
                    rows.append(
                        {**row, "metric": f"top-1 {label}", "value": round(top1 * 100, 1), "unit": "%",
                         "goal": f">= {TOP1_GOAL:.0%}" if default else "", "met": top1 >= TOP1_GOAL if default else None}
                    )  # fmt: skip
                    rows.append(
                        {**row, "metric": f"top-3 {label}", "value": round(top3 * 100, 1), "unit": "%",
                         "goal": f">= {TOP3_GOAL:.0%}" if default else "", "met": top3 >= TOP3_GOAL if default else None}
                    )  # fmt: skip
            timings, build = await latency(db, rounds)
            entries = len((await _service(db).index()).keys)
            rows += [
                {**row, "metric": f"search p95 ({entries} entries)", "value": round(p95(timings), 2), "unit": "ms",
                 "goal": f"< {GOAL_MS:g} ms", "met": p95(timings) < GOAL_MS},
                {**row, "metric": f"search median ({entries} entries)", "value": round(statistics.median(timings), 2),
                 "unit": "ms", "goal": "", "met": None},
                {**row, "metric": f"index build ({entries} entries)", "value": round(build, 1), "unit": "ms",
                 "goal": "", "met": None},
            ]  # fmt: skip
        async with Database(Path(folder) / "big.sqlite3") as db:
            await db.migrate()
            guide = _service(db)
            started = time.perf_counter()
            imported = await guide.replace(synthetic_catalogue(), source_name="bench.yaml", actor_id=None)
            import_ms = (time.perf_counter() - started) * 1000
            timings, build = await latency(db, max(1, rounds // 2))
            rows += [
                {**row, "metric": f"search p95 ({imported} entries)", "value": round(p95(timings), 2), "unit": "ms",
                 "goal": f"< {GOAL_MS:g} ms", "met": p95(timings) < GOAL_MS},
                {**row, "metric": f"import {imported} entries", "value": round(import_ms, 1), "unit": "ms",
                 "goal": "", "met": None},
                {**row, "metric": f"index build ({imported} entries)", "value": round(build, 1), "unit": "ms",
                 "goal": "", "met": None},
            ]  # fmt: skip
    return rows


if __name__ == "__main__":
    import asyncio

    for result in asyncio.run(run(quick=False)):
        print(result)
