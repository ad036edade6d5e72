"""A district of 2,500 volunteer projects and 20,000 coming shifts, beside the real three.

Used by the end-to-end test of /volunteer at scale (tests/e2e/test_volunteer_scale.py) and by
`python -m bench --only volunteering` (every /volunteer path, timed, through the emulator).

Shape: projects spread over Jing'an (within ~2.5 km of JA Gohigh), seven topics, schedules of
one or two weekdays at the times volunteering really happens (before work, lunchtime, evening,
weekend days). Before-work shifts start between 06:00 and 08:00; the ones at 06:00 sharp are
placed farther from JA Gohigh than Huashan Hospital, the nearer ones start later, so that
"before work this week near JA Gohigh" exercises both of the finder's sort keys (soonest, then
nearest) on the real 06:00 hospital desk. Rows go in through bot/storage's own functions.
"""

from __future__ import annotations

import math
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

from bot.domain.checkin import distance_m
from bot.domain.finder import TOPICS, search_text
from bot.services import Services
from bot.storage import shifts as repo

GOHIGH = (31.2235, 121.4505)
HUASHAN = (31.2166, 121.4436)
_WORDS = ("社区", "关爱", "服务", "陪伴", "讲座", "清洁", "绿化", "读书", "义诊", "助老")


def _point(rng: random.Random, low_m: float, high_m: float) -> tuple[float, float]:
    distance = rng.uniform(low_m, high_m)
    angle = rng.uniform(0, 2 * math.pi)
    return (
        GOHIGH[0] + distance * math.cos(angle) / 111_000,
        GOHIGH[1] + distance * math.sin(angle) / (111_000 * math.cos(math.radians(GOHIGH[0]))),
    )


async def populate(services: Services, projects: int = 2_500, shifts: int = 20_000, seed: int = 18) -> int:
    """Add `projects` synthetic projects with `shifts` shifts over the next four weeks; returns shifts made."""
    rng = random.Random(seed)
    tz = services.settings.tz
    now = services.clock.now()
    today = now.astimezone(tz).date()
    huashan_m = distance_m(*GOHIGH, *HUASHAN)
    per_project = max(1, shifts // projects)
    topics = list(TOPICS)
    made = 0
    async with services.db.tx() as conn:
        for p in range(1, projects + 1):
            slot = rng.choice(("early", "lunch", "lunch", "evening", "evening", "weekend"))
            if slot == "early":
                start = rng.choice(
                    (
                        clock_time(6, 0),
                        clock_time(6, 30),
                        clock_time(7, 0),
                        clock_time(7, 30),
                        clock_time(8, 0),
                    )
                )
                lat, lon = (
                    _point(rng, huashan_m + 150, 2_500)
                    if start == clock_time(6, 0)
                    else _point(rng, 50, 2_500)
                )
            else:
                start = {
                    "lunch": clock_time(12, rng.choice((0, 15, 30))),
                    "evening": clock_time(18, 30),
                    "weekend": clock_time(9, 30),
                }[slot]
                lat, lon = _point(rng, 50, 2_500)
            topic = topics[p % len(topics)]
            words = "".join(rng.sample(_WORDS, 2))
            values: dict[str, object] = {
                "key": f"syn-{p:04d}", "kind": topic, "topic": topic,
                "title_zh": f"{words}志愿项目{p}", "title_en": f"Volunteer project {p}", "title_fr": f"Projet bénévole {p}",
                "description_zh": "为社区居民提供志愿服务。", "description_en": "Volunteer service for neighbours.",
                "description_fr": "Service bénévole pour le quartier.",
                "requirements_zh": "", "requirements_en": "", "requirements_fr": "",
                "place_zh": f"活动点{p}", "place_en": f"Meeting point {p}", "place_fr": f"Point de rendez-vous {p}",
                "address": f"静安区示例路{p}号", "address_en": "", "address_fr": "", "latitude": lat, "longitude": lon,
                "radius_m": 300, "building_id": None, "capacity": 10, "reminders": "eve 20:00,60m", "slot": slot,
                "weeks_ahead": 4,
            }  # fmt: skip
            project_id = await repo.upsert_project(conn, values, f"syn{p:06d}", now)
            await repo.set_search_text(
                conn,
                project_id,
                search_text(
                    [str(values[f"title_{lang}"]) for lang in repo.LANGS],
                    [str(values[f"description_{lang}"]) for lang in repo.LANGS],
                ),
            )
            weekdays = [5, 6] if slot == "weekend" else rng.sample(range(5), 2)
            day, count = today, 0
            while count < per_project and day <= today + timedelta(days=35):
                if day.weekday() in weekdays:
                    starts = datetime.combine(day, start, tz)
                    if starts > now and await repo.insert_shift(
                        conn, project_id, None, starts, starts + timedelta(hours=1), 10, now
                    ):
                        count += 1
                        made += 1
                day += timedelta(days=1)
    return made


# ----------------------------------------------------------------------------------- the scenario

GOAL_MS = 300.0  # a /volunteer answer (send or press to the bot's reply) at the 95th percentile
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai


async def run(quick: bool, size: tuple[int, int] | None = None) -> list[dict[str, object]]:
    """Every /volunteer path, timed end to end through the emulator, with 2,500 projects
    (`size`: projects and shifts, for the smoke test)."""
    import statistics
    import tempfile
    from pathlib import Path

    from bench.harness import bench_settings, quiet_logs
    from bot.app import build_application, handling, running
    from bot.clock import ManualClock
    from bot.sandbox.emulator import Emulator, Limits

    projects, shifts = size or ((500, 4_000) if quick else (2_500, 20_000))
    quiet_logs()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        async with Emulator(limits=Limits(enabled=False)) as emu:
            app = build_application(
                bench_settings(Path(folder) / "v.sqlite3", emu.api_url), ManualClock(NOW, frozen=True)
            )
            emu.bot_busy = lambda: handling(app)
            async with running(app, poll_timeout=0.5):
                services = app.bot_data["services"]
                projects_file = Path(__file__).resolve().parents[1] / "bot" / "data" / "projects.yaml"
                await services.volunteer.imports.import_projects(projects_file.read_text(encoding="utf-8"))
                await populate(services, projects, shifts)
                hu = emu.user(4242, "Hu", language_code="en")
                await services.users.seen(hu.id, "Hu", None, "en")
                await services.users.set_language(hu.id, "en")
                timings: dict[str, list[float]] = {}

                async def timed(path: str, action: object) -> None:
                    hu.mark()
                    started = time.perf_counter()
                    await action  # type: ignore[misc]  # a coroutine of the person's API
                    await hu.wait_for(lambda m: True, timeout=30)
                    timings.setdefault(path, []).append((time.perf_counter() - started) * 1000)

                for _ in range(2 if quick else 5):
                    await timed("/volunteer", hu.send("/volunteer"))
                    await timed("before work", hu.press("Before work (06:00–09:00)"))
                    if hu.last is not None and "More ›" in hu.last.buttons:
                        await timed("more", hu.press("More ›"))
                    await timed("weekend", hu.press("Weekend"))
                    await timed("4 weeks", hu.press("🗓 This week"))
                    await timed("topics", hu.press("🏷 Topics"))
                    await timed("a topic", hu.press("Hospital guides"))
                    await timed("search", hu.send("/volunteer 老人 关爱"))
                every = [t for values in timings.values() for t in values]
                for path, values in timings.items():
                    rows.append({"scenario": "volunteering", "metric": f"{path} (median)", "value": statistics.median(values),
                                 "unit": "ms", "goal": "", "met": None})  # fmt: skip
                p95 = statistics.quantiles(every, n=20)[-1] if len(every) > 1 else every[0]
                rows.append({"scenario": "volunteering", "metric": f"any /volunteer answer, p95 ({projects} projects)",
                             "value": p95, "unit": "ms", "goal": f"< {GOAL_MS:.0f}", "met": p95 < GOAL_MS})  # fmt: skip
                rows.append({"scenario": "volunteering", "metric": "Bot API errors", "value": float(len(emu.error_log)),
                             "unit": "", "goal": "0", "met": not emu.error_log})  # fmt: skip
    return rows
