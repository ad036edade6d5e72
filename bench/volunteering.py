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
from datetime import datetime, time, timedelta

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
                start = rng.choice((time(6, 0), time(6, 30), time(7, 0), time(7, 30), time(8, 0)))
                lat, lon = (
                    _point(rng, huashan_m + 150, 2_500) if start == time(6, 0) else _point(rng, 50, 2_500)
                )
            else:
                start = {
                    "lunch": time(12, rng.choice((0, 15, 30))),
                    "evening": time(18, 30),
                    "weekend": time(9, 30),
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
