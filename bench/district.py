"""A synthetic Jing'an district at full scale, built once and cached, for every large benchmark.

Why synthetic and why this shape: the goals are about the district's real size (30,000 workers,
1,500 enterprises in 38 buildings, 200,000 historical requests of which 5,000 open, 20,000
volunteer shifts with sign-ups), and about the history a few years of service leave behind
(request events, posted cards, sent messages, visits). Timings on a nearly empty database say
nothing about indexes, so the history is here too, spread over two years before `NOW`.

How: the real migrations create the schema (so the benchmark follows every feature's schema),
then rows are written with `executemany` in a few big transactions — through bot/storage's own
bulk functions where they exist (colour history, follow-up clocks), otherwise with plain INSERTs
in this bench-local helper (the one place outside bot/storage allowed raw SQL, for bulk
synthetic data only). Columns a table does not have are dropped, so a feature adding a column
with a default does not break the build.

The file is cached under bench/results/ keyed by the schema (user_version and a hash of the
migration files), this generator's version and the scale: repeated runs reuse it in well under a
second; a changed migration rebuilds it. Scenarios work on copies (`copy_of`).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bot.domain.requests import CATEGORIES
from bot.storage import enterprise_risk as risk_repo
from bot.storage.db import MIGRATIONS_DIR, Database, migrations, ts

RESULTS = Path(__file__).with_name("results")
GENERATOR_VERSION = 3  # bump when the shape of the synthetic data changes

# The bench's "now": a Monday, 10:00 in Shanghai (working hours, so nothing is held overnight).
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

ADMIN_ID = 9001
WORKER_BASE = 100_000_000  # worker i has Telegram id WORKER_BASE + i (i from 1)
NEWCOMER_BASE = 200_000_000  # people not yet in the database (onboarding)
STAFF_BASE = 900_000
ORGANISER_ID = 900_500
GROUP_BASE = -1_002_000_000_000  # staff chat of tier t, building b: GROUP_BASE - 100 * t - b

FULL = {
    "users": 30_000,
    "enterprises": 1_500,
    "requests": 200_000,
    "open_requests": 5_000,
    "shifts": 20_000,
}

LANG_WEIGHTS = (("zh", 70), ("en", 20), ("fr", 10))
COLOUR_WEIGHTS = (("green", 40), ("blue", 35), ("yellow", 15), ("orange", 7), ("red", 3))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
LATIN = ("Alice", "Bruno", "Chloé", "David", "Emma", "Louis", "Léa", "Marc", "Nina", "Tom")
DESCRIPTIONS = (
    "公司下月搬迁，想咨询办公场地和注册地址变更需要准备哪些材料。",
    "新入职员工的社保和公积金开户流程是什么？",
    "请问发票机在哪里可以使用，需要预约吗？",
    "We need help with a residence permit renewal for two foreign employees.",
    "Nous cherchons une salle de réunion pour une formation de 30 personnes.",
    "党员组织关系转入需要哪些证明？",
    "员工压力比较大，想预约减压室和心理咨询。",
)


@dataclass(frozen=True)
class Size:
    users: int
    enterprises: int
    requests: int
    open_requests: int
    shifts: int

    @classmethod
    def at(cls, scale: float) -> Size:
        def n(key: str, floor: int) -> int:
            return max(floor, round(FULL[key] * scale))

        return cls(
            users=n("users", 60),
            enterprises=n("enterprises", 38),
            requests=n("requests", 120),
            open_requests=n("open_requests", 30),
            shifts=n("shifts", 40),
        )


@dataclass
class District:
    """A built district database and the ids the scenarios drive (read back from the file)."""

    path: Path
    scale: float
    size: Size
    build_seconds: float
    cached: bool
    buildings: list[int] = field(default_factory=list)
    staff: list[tuple[int, int, int | None]] = field(default_factory=list)  # (user, tier, building)
    staff_chats: list[tuple[int, int, int | None]] = field(default_factory=list)  # (chat, tier, building)
    # Open tier-1 requests nobody claimed yet: (request id, reference, building)
    claimable: list[tuple[int, str, int | None]] = field(default_factory=list)
    future_shifts: list[int] = field(default_factory=list)

    def worker(self, i: int) -> int:
        """Telegram id of the i-th onboarded worker (wraps around the population)."""
        return WORKER_BASE + 1 + (i % self.size.users)

    def chat_for(self, tier: int, building: int | None) -> int | None:
        """The staff chat a card of this tier and building goes to (the building's, else district's)."""
        for chat, t, b in self.staff_chats:
            if t == tier and b == building:
                return chat
        for chat, t, b in self.staff_chats:
            if t == tier and b is None:
                return chat
        return None

    def staff_for(self, tier: int, building: int | None) -> int | None:
        for user, t, b in self.staff:
            if t == tier and (b is None or b == building):
                return user
        return None


def cache_key(scale: float) -> str:
    """Schema version + migration contents + generator version: any change rebuilds the file."""
    digest = hashlib.sha256(f"generator {GENERATOR_VERSION}".encode())
    found = migrations()
    for _number, path in found:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    number = found[-1][0] if found else 0
    # Data migrations (.py) may read shipped files (buildings.csv): hash that folder too.
    data = MIGRATIONS_DIR.parent.parent / "data" / "buildings.csv"
    if data.exists():
        digest.update(data.read_bytes())
    return f"s{scale:g}-v{number}-{digest.hexdigest()[:10]}"


async def ensure(scale: float = 1.0, *, seed: int = 2026, folder: Path | None = None) -> District:
    """The cached district at `scale` (built now if missing or stale). Never modify it: copy it."""
    folder = folder or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    key = cache_key(scale)
    path = folder / f"district-{key}.sqlite3"
    started = time.perf_counter()
    cached = path.exists()
    if not cached:
        for stale in folder.glob(f"district-s{scale:g}-*.sqlite3*"):
            stale.unlink(missing_ok=True)
        partial = path.with_suffix(".building")
        partial.unlink(missing_ok=True)
        await _build(partial, Size.at(scale), random.Random(seed))
        partial.rename(path)
    district = District(path, scale, Size.at(scale), time.perf_counter() - started, cached)
    await _describe(district)
    return district


def copy_of(district: District, dest: Path) -> Path:
    """A private copy to run against (scenarios write to it; the cache stays pristine)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(district.path, dest)
    return dest


# ---------------------------------------------------------------------------------- reading back


async def _describe(district: District) -> None:
    async with aiosqlite.connect(district.path) as conn:
        district.buildings = [
            r[0] for r in await conn.execute_fetchall("SELECT id FROM buildings ORDER BY id")
        ]
        district.staff = [
            (r[0], r[1], r[2])
            for r in await conn.execute_fetchall(
                "SELECT user_id, tier, building_id FROM roles WHERE role = 'staff' AND revoked_at IS NULL"
                " ORDER BY id"
            )
        ]
        district.staff_chats = [
            (r[0], r[1], r[2])
            for r in await conn.execute_fetchall(
                "SELECT chat_id, tier, building_id FROM staff_chats ORDER BY chat_id"
            )
        ]
        district.claimable = [
            (r[0], r[1], r[2])
            for r in await conn.execute_fetchall(
                "SELECT id, reference, building_id FROM requests WHERE status = 'new' AND tier = 1 ORDER BY id"
            )
        ]
        district.future_shifts = [
            r[0]
            for r in await conn.execute_fetchall(
                "SELECT s.id FROM vol_shifts s WHERE s.starts_at > ? AND s.status = 'open'"
                " AND (SELECT COUNT(*) FROM vol_signups g WHERE g.shift_id = s.id AND g.status = 'confirmed')"
                " < s.capacity ORDER BY s.starts_at",
                (ts(NOW + timedelta(days=2)),),
            )
        ]


# ---------------------------------------------------------------------------------- building


class _Writer:
    """INSERT helper: keeps only the columns the table has, one executemany per batch."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.columns: dict[str, set[str]] = {}

    async def has(self, table: str) -> bool:
        return bool(await self._columns(table))

    async def _columns(self, table: str) -> set[str]:
        if table not in self.columns:
            rows = await self.conn.execute_fetchall(f"PRAGMA table_info({table})")
            self.columns[table] = {r[1] for r in rows}
        return self.columns[table]

    async def insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        known = await self._columns(table)
        if not known:
            return  # a feature's table not in this tree yet
        names = [c for c in dict.fromkeys(k for row in rows for k in row) if c in known]
        await self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            [tuple(row.get(c) for c in names) for row in rows],
        )


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _name(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(LATIN)


def _ago(rng: random.Random, days: float) -> datetime:
    return NOW - timedelta(seconds=rng.uniform(60, days * 86400))


async def _build(path: Path, size: Size, rng: random.Random) -> None:
    async with Database(path) as db:
        await db.migrate()
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        # A throw-away build: no journal, no fsync; the finished file is switched to WAL below.
        await conn.execute("PRAGMA journal_mode=OFF")
        await conn.execute("PRAGMA synchronous=OFF")
        await conn.execute("PRAGMA foreign_keys=OFF")
        await conn.execute("PRAGMA cache_size=-200000")
        w = _Writer(conn)
        await conn.execute("BEGIN")
        buildings = [r[0] for r in await conn.execute_fetchall("SELECT id FROM buildings ORDER BY id")]
        people = await _people(w, size, rng, buildings)
        chats = await _staff(w, rng, buildings)
        enterprises = await _enterprises(conn, w, size, rng, buildings, people)
        await conn.execute("COMMIT")
        await conn.execute("BEGIN")
        await _requests(w, size, rng, people, enterprises, chats)
        await conn.execute("COMMIT")
        await conn.execute("BEGIN")
        await _volunteering(w, size, rng, buildings, people)
        await _events(w, size, rng, people)
        await conn.execute("COMMIT")
        await conn.execute("PRAGMA journal_mode=WAL")
    # A real database reaches this size over years with its WAL checkpointed: no leftover WAL.
    async with Database(path) as db:
        await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def _people(
    w: _Writer, size: Size, rng: random.Random, buildings: list[int]
) -> list[tuple[int, int, str]]:
    """Workers (onboarded), staff, the organiser and the administrator: (id, building, language)."""
    rows, people = [], []
    for i in range(1, size.users + 1):
        lang = _pick(rng, LANG_WEIGHTS)
        building = buildings[i % len(buildings)]
        joined = ts(_ago(rng, 730))
        rows.append(
            {
                "id": WORKER_BASE + i,
                "first_name": _name(rng, lang),
                "display_name": None,
                "language": lang,
                "telegram_language": lang,
                "building_id": building,
                "company": None,
                "onboarded_at": joined,
                "created_at": joined,
                "updated_at": joined,
            }
        )
        people.append((WORKER_BASE + i, building, lang))
    joined = ts(NOW - timedelta(days=800))
    for uid, name in [(ADMIN_ID, "管理员"), (ORGANISER_ID, "志愿者组织者")] + [
        (STAFF_BASE + k, f"社工{k}") for k in range(1, len(buildings) + 7)
    ]:
        rows.append(
            {
                "id": uid,
                "first_name": name,
                "language": "zh",
                "telegram_language": "zh",
                "onboarded_at": joined,
                "created_at": joined,
                "updated_at": joined,
            }
        )
    await w.insert("users", rows)
    return people


async def _staff(w: _Writer, rng: random.Random, buildings: list[int]) -> dict[tuple[int, int | None], int]:
    """A tier-1 worker and chat per building, tiers 2-4 district-wide; the organiser role."""
    granted = ts(NOW - timedelta(days=800))
    roles, chats, digests = [], [], []
    slots: list[tuple[int, int | None]] = [(1, b) for b in buildings] + [(2, None), (3, None), (4, None)]
    slots += [(1, None)]  # tier 1 catches what has no building
    for k, (tier, building) in enumerate(slots, start=1):
        roles.append(
            {"user_id": STAFF_BASE + k, "role": "staff", "building_id": building, "tier": tier,
             "granted_by": ADMIN_ID, "granted_at": granted}
        )  # fmt: skip
        chat_id = GROUP_BASE - 100 * tier - (building or 0)
        chats.append(
            {"chat_id": chat_id, "title": f"Tier {tier} {building or 'district'}", "tier": tier,
             "building_id": building, "bound_by": ADMIN_ID, "bound_at": granted}
        )  # fmt: skip
        # Next 09:00 digest: tomorrow morning (today's went out at 09:00, before NOW).
        digests.append(
            {
                "chat_id": chat_id,
                "next_at": ts(NOW + timedelta(hours=23)),
                "last_sent_at": ts(NOW - timedelta(hours=1)),
            }
        )
    roles.append(
        {
            "user_id": ORGANISER_ID,
            "role": "organiser",
            "scope": None,
            "granted_by": ADMIN_ID,
            "granted_at": granted,
        }
    )
    await w.insert("roles", roles)
    await w.insert("staff_chats", chats)
    await w.insert("request_digests", digests)
    return {(c["tier"], c["building_id"]): c["chat_id"] for c in chats}


async def _enterprises(
    conn: aiosqlite.Connection,
    w: _Writer,
    size: Size,
    rng: random.Random,
    buildings: list[int],
    people: list[tuple[int, int, str]],
) -> list[tuple[int, int]]:
    """Enterprises with colours, visits, colour history and one follow-up clock each: (id, building)."""
    rows, result = [], []
    created = NOW - timedelta(days=800)
    for i in range(1, size.enterprises + 1):
        building = buildings[i % len(buildings)]
        colour = _pick(rng, COLOUR_WEIGHTS)
        rows.append(
            {
                "id": i,
                "key": f"91310106{i:010d}",
                "name": f"上海静安{rng.choice(('科技', '咨询', '贸易', '传媒', '金融', '设计'))}有限公司{i}",
                "name_en": f"Jing'an Company {i} Ltd",
                "building_id": building,
                "floor_unit": f"{rng.randint(2, 60)}F-{rng.randint(1, 20):02d}",
                "industry": rng.choice(("tech", "finance", "trade", "media", "consulting")),
                "headcount_band": rng.choice(("1-9", "10-49", "50-249", "250+")),
                "lease_end": (NOW.date() + timedelta(days=rng.randint(-30, 1500))).isoformat(),
                "party_org": rng.choice(("own", "joint", "none")),
                "colour": colour,
                "colour_changed_at": ts(_ago(rng, 400)),
                "liaison_user_id": rng.choice(people)[0] if rng.random() < 0.3 else None,
                "created_at": ts(created),
                "updated_at": ts(created),
            }
        )
        result.append((i, building))
    await w.insert("enterprises", rows)
    if not await w.has("enterprise_followups"):
        return result
    await risk_repo.add_changes(
        conn, [(r["id"], None, r["colour"], "import", "import") for r in rows], created
    )
    visits, clocks = [], []
    for r in rows:
        last = None
        for _ in range(rng.randint(2, 14)):
            at = _ago(rng, 730)
            last = max(last or at, at)
            visits.append(
                {"enterprise_id": r["id"], "visited_at": ts(at), "visitor_id": STAFF_BASE + 1,
                 "outcome": rng.choice(("stable", "stable", "needs_help", "may_move", "not_met")),
                 "notes": "走访了解经营情况", "created_at": ts(at)}
            )  # fmt: skip
        # Most clocks run into the coming weeks; a handful are just overdue (the tick's work).
        due = (
            NOW - timedelta(minutes=rng.randint(1, 20))
            if rng.random() < 0.004
            else NOW + timedelta(hours=rng.uniform(1, 24 * 90))
        )
        clocks.append((r["id"], r["colour"], last or created, due))
    await w.insert("enterprise_visits", visits)
    await risk_repo.set_followups(conn, clocks)
    await w.insert("enterprise_sweeps", [{"name": "signals", "next_at": ts(NOW + timedelta(minutes=45))}])
    return result


async def _requests(
    w: _Writer,
    size: Size,
    rng: random.Random,
    people: list[tuple[int, int, str]],
    enterprises: list[tuple[int, int]],
    chats: dict[tuple[int, int | None], int],
) -> None:
    """Two years of requests (closed, a few resolved), the open ones, their events, cards and messages."""
    historical = size.requests - size.open_requests
    created = sorted(
        [(_ago(rng, 730), False) for _ in range(historical)]
        + [(_ago(rng, 10), True) for _ in range(size.open_requests)]
    )
    requests, events, cards, outbox = [], [], [], []
    counters: dict[int, int] = {}
    message_ids: dict[int, int] = {}
    for idx, (at, is_open) in enumerate(created):
        rid = idx + 1
        year = at.year
        counters[year] = counters.get(year, 0) + 1
        requester, building, _lang = rng.choice(people)
        ent = rng.choice(enterprises) if rng.random() < 0.6 else None
        tier = 1 if rng.random() < 0.85 else rng.choice((2, 2, 3, 4))
        row: dict[str, Any] = {
            "id": rid,
            "reference": f"JA-{year}-{counters[year]:06d}",
            "requester_id": requester,
            "category": rng.choice(CATEGORIES),
            "enterprise_id": ent[0] if ent else None,
            "enterprise_name": None if ent else "个人",
            "building_id": building,
            "description": rng.choice(DESCRIPTIONS),
            "never_hold": 0,
            "tier": tier,
            "tier_started_at": ts(at),
            "reminders": 0,
            "not_solved": 0,
            "created_at": ts(at),
        }
        events.append(
            {"request_id": rid, "at": ts(at), "actor_id": requester, "kind": "created", "tier": tier}
        )
        if is_open:
            status = rng.choices(("new", "claimed", "waiting"), (40, 45, 15))[0]
            # Deadlines run into the coming days; a few are just due (what one tick finds).
            soon = rng.random() < 0.002
            resolve_by = (
                NOW - timedelta(minutes=rng.randint(1, 10))
                if soon
                else NOW + timedelta(hours=rng.uniform(0.5, 240))
            )
            row.update(
                status=status,
                resolve_by=ts(resolve_by),
                warn_at=ts(NOW + timedelta(hours=rng.uniform(0.2, 100))) if rng.random() < 0.3 else None,
                respond_by=ts(NOW + timedelta(minutes=rng.uniform(1, 120)))
                if status == "new" and rng.random() < 0.05
                else None,
                updated_at=ts(at),
            )
            if status != "new":
                staff = STAFF_BASE + 1
                row.update(claimed_by=staff, claimed_at=ts(at + timedelta(minutes=30)))
                events.append(
                    {
                        "request_id": rid,
                        "at": ts(at + timedelta(minutes=30)),
                        "actor_id": staff,
                        "kind": "claimed",
                        "tier": tier,
                    }
                )
            if status == "waiting":
                row.update(
                    paused_at=ts(at + timedelta(hours=1)),
                    question="请补充营业执照照片",
                    asked_by=STAFF_BASE + 1,
                )
        else:
            done = at + timedelta(hours=rng.uniform(1, 120))
            recent = NOW - done < timedelta(days=7)
            if done > NOW:
                done = NOW - timedelta(minutes=5)
            status = "resolved" if recent else "closed"
            row.update(
                status=status,
                claimed_by=STAFF_BASE + 1,
                claimed_at=ts(at + timedelta(minutes=20)),
                resolution="已电话沟通并办理完毕。",
                resolved_by=STAFF_BASE + 1,
                resolved_at=ts(done),
                closed_at=None if recent else ts(done + timedelta(days=7)),
                rating=rng.randint(3, 5) if rng.random() < 0.4 else None,
                rated_at=ts(done + timedelta(hours=2)) if rng.random() < 0.4 else None,
                updated_at=ts(done),
            )
            events.append(
                {
                    "request_id": rid,
                    "at": ts(at + timedelta(minutes=20)),
                    "actor_id": STAFF_BASE + 1,
                    "kind": "claimed",
                    "tier": tier,
                }
            )
            events.append(
                {
                    "request_id": rid,
                    "at": ts(done),
                    "actor_id": STAFF_BASE + 1,
                    "kind": "resolved",
                    "tier": tier,
                }
            )
        chat = chats.get((tier, building)) or chats.get((tier, None))
        key = f"req:{rid}:card:t{tier}"
        if chat is not None:
            message_ids[chat] = message_ids.get(chat, 0) + 1
            cards.append(
                {"request_id": rid, "tier": tier, "chat_id": chat, "card_key": key, "posted_at": ts(at)}
            )
            outbox.append(_sent(chat, "staff_card", "📋 " + row["reference"], at, key, message_ids[chat]))
        message_ids[requester] = message_ids.get(requester, 0) + 1
        outbox.append(
            _sent(
                requester,
                "status",
                "✅ " + row["reference"],
                at,
                f"req:{rid}:status:0",
                message_ids[requester],
            )
        )
        requests.append(row)
    await w.insert("requests", requests)
    await w.insert("request_counters", [{"year": y, "last": n} for y, n in counters.items()])
    await w.insert("request_events", events)
    await w.insert("request_cards", cards)
    await w.insert("outbox", outbox)


def _sent(
    chat_id: int, kind: str, text: str, at: datetime, key: str | None, message_id: int
) -> dict[str, Any]:
    """A message the outbox delivered long ago (history the sender's queries must not wade through)."""
    stamp = ts(at)
    return {
        "chat_id": chat_id, "kind": kind, "text": text, "not_before": stamp, "dedupe_key": key, "attempts": 1,
        "sent_at": stamp, "message_id": message_id, "created_at": stamp,
    }  # fmt: skip


async def _volunteering(
    w: _Writer, size: Size, rng: random.Random, buildings: list[int], people: list[tuple[int, int, str]]
) -> None:
    """20 projects with schedules, shifts over two years and the next four weeks, sign-ups, reminders."""
    if not await w.has("vol_shifts"):
        return
    local_today = (NOW + timedelta(hours=8)).date()
    projects, schedules = [], []
    count = 20
    slots = ("early", "lunch", "evening", "weekend")
    for p in range(1, count + 1):
        stamp = ts(NOW - timedelta(days=800))
        projects.append(
            {"id": p, "key": f"bench-{p:02d}", "kind": "service",
             "title_zh": f"志愿服务项目{p}", "title_en": f"Volunteer project {p}", "title_fr": f"Projet bénévole {p}",
             "description_zh": "为楼宇白领提供志愿服务。", "description_en": "Volunteer service for office workers.",
             "description_fr": "Service bénévole pour les employés de bureau.",
             "place_zh": "党群服务站", "place_en": "Service station", "place_fr": "Station de services",
             "address": "南京西路1486号", "building_id": buildings[p % len(buildings)],
             "organiser_user_id": ORGANISER_ID, "capacity": 10, "reminders": "eve 20:00,60m",
             "slot": slots[p % len(slots)], "weeks_ahead": 4, "checkin_code": f"bench{p:04d}", "active": 1,
             "created_at": stamp, "updated_at": stamp}
        )  # fmt: skip
        schedules.append(
            {"id": p, "project_id": p, "weekdays": "0,1,2,3,4,5,6", "start_time": "12:00", "end_time": "13:30",
             "capacity": 10, "first_day": (local_today - timedelta(days=800)).isoformat(),
             "generated_until": (local_today + timedelta(weeks=4)).isoformat(), "active": 1}
        )  # fmt: skip
    await w.insert("vol_projects", projects)
    await w.insert("vol_schedules", schedules)
    future = max(count, size.shifts // 20)  # the coming four weeks
    past = size.shifts - future
    shifts, signups, reminders = [], [], []
    sid = 0
    span_past = 730 * 86400 / max(1, past // count)
    span_future = 28 * 86400 / max(1, future // count)
    for k in range(size.shifts):
        p = k % count + 1
        n = k // count
        if k < past:
            starts = NOW - timedelta(days=730) + timedelta(seconds=n * span_past)
        else:
            starts = NOW + timedelta(days=2) + timedelta(seconds=(n - past // count) * span_future)
        starts = starts.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=p)
        sid += 1
        shifts.append(
            {"id": sid, "project_id": p, "schedule_id": p, "starts_at": ts(starts),
             "ends_at": ts(starts + timedelta(minutes=90)), "capacity": 10, "status": "open",
             "fill_offered_at": ts(starts - timedelta(days=1)) if starts < NOW + timedelta(days=1) else None,
             "created_at": ts(starts - timedelta(days=28))}
        )  # fmt: skip
        taken = rng.randint(4, 9) if k < past else rng.randint(0, 5)
        for uid, _b, _lang in rng.sample(people, taken):
            at = starts - timedelta(days=rng.uniform(1, 20))
            row = {"shift_id": sid, "user_id": uid, "status": "confirmed", "queued_at": ts(at),
                   "created_at": ts(at), "updated_at": ts(at)}  # fmt: skip
            if k < past:
                row.update(
                    attended=1 if rng.random() < 0.9 else 0, checked_in_at=ts(starts), checkin_method="qr"
                )
            else:
                for label, when in (
                    ("eve", starts - timedelta(hours=16)),
                    ("60m", starts - timedelta(minutes=60)),
                ):
                    reminders.append(
                        {"chat_id": uid, "kind": "vol_reminder", "text": "⏰ 志愿服务提醒", "not_before": ts(when),
                         "expires_at": ts(starts), "dedupe_key": f"vol:{sid}:{uid}:{label}", "created_at": ts(at)}
                    )  # fmt: skip
            signups.append(row)
    await w.insert("vol_shifts", shifts)
    await w.insert("vol_signups", signups)
    await w.insert("outbox", reminders)
    availability = [
        {
            "user_id": uid,
            "slots": ",".join(rng.sample(slots, 2)),
            "building_id": b,
            "updated_at": ts(_ago(rng, 300)),
        }
        for uid, b, _lang in rng.sample(people, min(len(people), size.users // 15))
    ]
    await w.insert("vol_availability", availability)


async def _events(w: _Writer, size: Size, rng: random.Random, people: list[tuple[int, int, str]]) -> None:
    """Topic subscriptions (a third of the workers) and a year of published events with RSVPs."""
    if not await w.has("topic_subscriptions"):
        return
    topics = ("study", "college", "relief", "charity", "party")
    subs = []
    for uid, _b, _lang in rng.sample(people, len(people) // 3):
        for topic in rng.sample(topics, rng.randint(1, 2)):
            subs.append({"user_id": uid, "topic": topic, "subscribed_at": ts(_ago(rng, 400))})
    await w.insert("topic_subscriptions", subs)
    events, rsvps = [], []
    for e in range(1, max(5, round(200 * size.users / FULL["users"])) + 1):
        starts = _ago(rng, 365)
        events.append(
            {"id": e, "topic": rng.choice(topics), "title_zh": f"活动{e}", "title_en": f"Event {e}",
             "starts_at": ts(starts), "place": "党群服务站", "capacity": 30, "status": "published",
             "created_by": ADMIN_ID, "created_at": ts(starts - timedelta(days=10)),
             "published_at": ts(starts - timedelta(days=9)), "updated_at": ts(starts)}
        )  # fmt: skip
        for uid, _b, _lang in rng.sample(people, min(len(people), 25)):
            stamp = ts(starts - timedelta(days=3))
            rsvps.append(
                {"event_id": e, "user_id": uid, "status": "going", "joined_at": stamp, "updated_at": stamp}
            )
    await w.insert("events", events)
    await w.insert("event_rsvps", rsvps)


if __name__ == "__main__":
    import sys

    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    d = asyncio.run(ensure(scale))
    print(f"{d.path} ({d.path.stat().st_size / 1e6:.0f} MB) in {d.build_seconds:.1f} s, cached={d.cached}")
