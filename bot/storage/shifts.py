"""Volunteer projects, schedules, shifts, sign-ups, teams and availability (all SQL of the feature).

Every function takes the caller's connection: the service decides the transaction, so a sign-up,
its waitlist position and its reminders are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

import aiosqlite

from bot.storage.db import from_ts, ts
from bot.storage.rows import required_ts

LANGS = ("zh", "en", "fr")


async def _one(cur: aiosqlite.Cursor) -> aiosqlite.Row:
    """The row of a query that always returns exactly one (an aggregate, INSERT ... RETURNING)."""
    row = await cur.fetchone()
    if row is None:
        raise LookupError("the query returned no row")
    return row


def _new_id(cur: aiosqlite.Cursor) -> int:
    """The id of the row an INSERT just added."""
    if cur.lastrowid is None:
        raise LookupError("the INSERT added no row")
    return cur.lastrowid


@dataclass(frozen=True)
class Project:
    id: int
    key: str
    kind: str
    title: dict[str, str]
    description: dict[str, str]
    requirements: dict[str, str]
    place: dict[str, str]
    address: str
    latitude: float | None
    longitude: float | None
    radius_m: int
    building_id: int | None
    organiser_user_id: int | None
    capacity: int
    reminders: str
    slot: str
    weeks_ahead: int
    checkin_code: str
    active: bool
    topic: str = "community"
    addresses: dict[str, str] | None = None  # en and fr beside `address` (Chinese); "" when not given

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title["zh"]

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description["zh"]

    def requirements_in(self, lang: str) -> str:
        return self.requirements.get(lang) or self.requirements["zh"]

    def place_in(self, lang: str) -> str:
        return self.place.get(lang) or self.place["zh"] or self.address

    def address_in(self, lang: str) -> str:
        """The street address in the reader's language when the projects file gives one."""
        return ((self.addresses or {}).get(lang) or "") or self.address

    @property
    def location(self) -> tuple[float, float] | None:
        return (
            (self.latitude, self.longitude)
            if self.latitude is not None and self.longitude is not None
            else None
        )


_PROJECT_COLUMNS = (
    "id, key, kind, title_zh, title_en, title_fr, description_zh, description_en, description_fr,"
    " requirements_zh, requirements_en, requirements_fr, place_zh, place_en, place_fr, address, latitude,"
    " longitude, radius_m, building_id, organiser_user_id, capacity, reminders, slot, weeks_ahead,"
    " checkin_code, active, topic, address_en, address_fr"
)


def _project(r: aiosqlite.Row) -> Project:
    def three(prefix: str) -> dict[str, str]:
        return {lang: r[f"{prefix}_{lang}"] for lang in LANGS}

    return Project(
        id=r["id"],
        key=r["key"],
        kind=r["kind"],
        title=three("title"),
        description=three("description"),
        requirements=three("requirements"),
        place=three("place"),
        address=r["address"],
        latitude=r["latitude"],
        longitude=r["longitude"],
        radius_m=r["radius_m"],
        building_id=r["building_id"],
        organiser_user_id=r["organiser_user_id"],
        capacity=r["capacity"],
        reminders=r["reminders"],
        slot=r["slot"],
        weeks_ahead=r["weeks_ahead"],
        checkin_code=r["checkin_code"],
        active=bool(r["active"]),
        topic=r["topic"],
        addresses={"zh": r["address"], "en": r["address_en"], "fr": r["address_fr"]},
    )


@dataclass(frozen=True)
class Shift:
    id: int
    project_id: int
    schedule_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: str
    fill_offered_at: datetime | None
    place_note: str | None = None  # the organiser moved this shift: its place, as they typed it
    checkin_secret: str | None = None
    cut_due_at: datetime | None = None  # capacity cut below the confirmed count, undecided until then

    @property
    def minutes(self) -> int:
        return round((self.ends_at - self.starts_at).total_seconds() / 60)


_SHIFT_COLUMNS = (
    "id, project_id, schedule_id, starts_at, ends_at, capacity, status, fill_offered_at, place_note,"
    " checkin_secret, cut_due_at"
)


def _shift(r: aiosqlite.Row | Mapping[str, Any]) -> Shift:
    return Shift(
        id=r["id"],
        project_id=r["project_id"],
        schedule_id=r["schedule_id"],
        starts_at=required_ts(r["starts_at"]),
        ends_at=required_ts(r["ends_at"]),
        capacity=r["capacity"],
        status=r["status"],
        fill_offered_at=from_ts(r["fill_offered_at"]),
        place_note=r["place_note"],
        checkin_secret=r["checkin_secret"],
        cut_due_at=from_ts(r["cut_due_at"]),
    )


@dataclass(frozen=True)
class Signup:
    id: int
    shift_id: int
    user_id: int
    status: str
    queued_at: datetime
    offer_expires_at: datetime | None
    late_cancel: bool
    coming_at: datetime | None
    team_id: int | None
    checked_in_at: datetime | None
    checkin_method: str | None
    location_ok: bool | None
    attended: bool | None
    verified: bool | None = None  # the check-in's proof held (None: no check-in)
    checkin_distance_m: int | None = None
    credited_minutes: int | None = None  # the organiser's correction (None: the shift's length)
    position_told: int | None = None
    series_id: int | None = None
    cut_keep: bool | None = None


_SIGNUP_COLUMNS = (
    "id, shift_id, user_id, status, queued_at, offer_expires_at, late_cancel, coming_at, team_id,"
    " checked_in_at, checkin_method, location_ok, attended, verified, checkin_distance_m, credited_minutes,"
    " position_told, series_id, cut_keep"
)


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _signup(r: aiosqlite.Row) -> Signup:
    return Signup(
        id=r["id"],
        shift_id=r["shift_id"],
        user_id=r["user_id"],
        status=r["status"],
        queued_at=required_ts(r["queued_at"]),
        offer_expires_at=from_ts(r["offer_expires_at"]),
        late_cancel=bool(r["late_cancel"]),
        coming_at=from_ts(r["coming_at"]),
        team_id=r["team_id"],
        checked_in_at=from_ts(r["checked_in_at"]),
        checkin_method=r["checkin_method"],
        location_ok=_flag(r["location_ok"]),
        attended=_flag(r["attended"]),
        verified=_flag(r["verified"]),
        checkin_distance_m=r["checkin_distance_m"],
        credited_minutes=r["credited_minutes"],
        position_told=r["position_told"],
        series_id=r["series_id"],
        cut_keep=_flag(r["cut_keep"]),
    )


# ----------------------------------------------------------------------------------- projects


async def project_by_key(conn: aiosqlite.Connection, key: str) -> Project | None:
    cur = await conn.execute(f"SELECT {_PROJECT_COLUMNS} FROM vol_projects WHERE key = ?", (key,))
    row = await cur.fetchone()
    return _project(row) if row else None


async def project(conn: aiosqlite.Connection, project_id: int) -> Project | None:
    cur = await conn.execute(f"SELECT {_PROJECT_COLUMNS} FROM vol_projects WHERE id = ?", (project_id,))
    row = await cur.fetchone()
    return _project(row) if row else None


async def project_by_code(conn: aiosqlite.Connection, code: str) -> Project | None:
    cur = await conn.execute(f"SELECT {_PROJECT_COLUMNS} FROM vol_projects WHERE checkin_code = ?", (code,))
    row = await cur.fetchone()
    return _project(row) if row else None


async def active_projects(conn: aiosqlite.Connection) -> list[Project]:
    cur = await conn.execute(f"SELECT {_PROJECT_COLUMNS} FROM vol_projects WHERE active = 1 ORDER BY id")
    return [_project(r) for r in await cur.fetchall()]


async def upsert_project(
    conn: aiosqlite.Connection, values: dict[str, object], code: str, now: datetime
) -> int:
    """Create a project or update it by key (the check-in code of an existing project is kept)."""
    columns = [c for c in values if c != "key"]
    existing = await project_by_key(conn, str(values["key"]))
    if existing is None:
        names = ["key", *columns, "checkin_code", "created_at", "updated_at"]
        params = [values["key"], *(values[c] for c in columns), code, ts(now), ts(now)]
        cur = await conn.execute(
            f"INSERT INTO vol_projects ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", params
        )
        return _new_id(cur)
    sets = ", ".join(f"{c} = ?" for c in columns)
    await conn.execute(
        f"UPDATE vol_projects SET {sets}, active = 1, updated_at = ? WHERE id = ?",
        (*(values[c] for c in columns), ts(now), existing.id),
    )
    return existing.id


# ---------------------------------------------------------------------------------- schedules


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    project_id: int
    weekdays: frozenset[int]
    start_time: str
    end_time: str
    capacity: int
    first_day: date
    last_day: date | None
    skip_days: frozenset[date]
    generated_until: date | None


def _schedule(r: aiosqlite.Row) -> ScheduleRow:
    return ScheduleRow(
        id=r["id"],
        project_id=r["project_id"],
        weekdays=frozenset(int(d) for d in r["weekdays"].split(",") if d),
        start_time=r["start_time"],
        end_time=r["end_time"],
        capacity=r["capacity"],
        first_day=date.fromisoformat(r["first_day"]),
        last_day=date.fromisoformat(r["last_day"]) if r["last_day"] else None,
        skip_days=frozenset(date.fromisoformat(d) for d in r["skip_days"].split(",") if d),
        generated_until=date.fromisoformat(r["generated_until"]) if r["generated_until"] else None,
    )


class ScheduleValues(TypedDict):
    """A recurring schedule as the projects file gives it (days and times as stored)."""

    weekdays: frozenset[int]
    start_time: str  # HH:MM, local
    end_time: str
    capacity: int
    first_day: str  # ISO dates
    last_day: str | None
    skip_days: set[str]


async def replace_schedules(
    conn: aiosqlite.Connection, project_id: int, schedules: list[ScheduleValues]
) -> None:
    """The YAML file is the truth for recurring schedules: old ones stop generating, new ones start."""
    await conn.execute("UPDATE vol_schedules SET active = 0 WHERE project_id = ?", (project_id,))
    for s in schedules:
        await conn.execute(
            "INSERT INTO vol_schedules (project_id, weekdays, start_time, end_time, capacity, first_day, last_day,"
            " skip_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                project_id,
                ",".join(str(d) for d in sorted(s["weekdays"])),
                s["start_time"],
                s["end_time"],
                s["capacity"],
                s["first_day"],
                s["last_day"],
                ",".join(sorted(s["skip_days"])),
            ),
        )


async def active_schedules(conn: aiosqlite.Connection) -> list[ScheduleRow]:
    cur = await conn.execute(
        "SELECT s.* FROM vol_schedules s JOIN vol_projects p ON p.id = s.project_id"
        " WHERE s.active = 1 AND p.active = 1 ORDER BY s.id"
    )
    return [_schedule(r) for r in await cur.fetchall()]


async def set_generated_until(conn: aiosqlite.Connection, schedule_id: int, day: date) -> None:
    await conn.execute(
        "UPDATE vol_schedules SET generated_until = ? WHERE id = ?", (day.isoformat(), schedule_id)
    )


# ------------------------------------------------------------------------------------- shifts


async def insert_shift(
    conn: aiosqlite.Connection,
    project_id: int,
    schedule_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
) -> int | None:
    """A new concrete shift; None when the project already has one starting then."""
    cur = await conn.execute(
        "INSERT INTO vol_shifts (project_id, schedule_id, starts_at, ends_at, capacity, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(project_id, starts_at) DO NOTHING",
        (project_id, schedule_id, ts(starts_at), ts(ends_at), capacity, ts(now)),
    )
    return _new_id(cur) if cur.rowcount else None


async def shift(conn: aiosqlite.Connection, shift_id: int) -> Shift | None:
    cur = await conn.execute(f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE id = ?", (shift_id,))
    row = await cur.fetchone()
    return _shift(row) if row else None


async def shift_at(conn: aiosqlite.Connection, project_id: int, starts_at: datetime) -> Shift | None:
    cur = await conn.execute(
        f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE project_id = ? AND starts_at = ?",
        (project_id, ts(starts_at)),
    )
    row = await cur.fetchone()
    return _shift(row) if row else None


async def upcoming_shifts(
    conn: aiosqlite.Connection, project_id: int, after: datetime, limit: int = 50, offset: int = 0
) -> list[Shift]:
    cur = await conn.execute(
        f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE project_id = ? AND status = 'open' AND starts_at > ?"
        " ORDER BY starts_at LIMIT ? OFFSET ?",
        (project_id, ts(after), limit, offset),
    )
    return [_shift(r) for r in await cur.fetchall()]


async def shifts_between(
    conn: aiosqlite.Connection, first: datetime, last: datetime, project_ids: list[int] | None = None
) -> list[Shift]:
    sql = f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE starts_at >= ? AND starts_at < ?"
    params: list[object] = [ts(first), ts(last)]
    if project_ids is not None:
        sql += f" AND project_id IN ({','.join('?' * len(project_ids)) or 'NULL'})"
        params.extend(project_ids)
    cur = await conn.execute(sql + " ORDER BY starts_at, id", params)
    return [_shift(r) for r in await cur.fetchall()]


async def future_shifts_of_schedule(
    conn: aiosqlite.Connection, schedule_id: int, after: datetime
) -> list[Shift]:
    cur = await conn.execute(
        f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE schedule_id = ? AND starts_at > ? AND status = 'open'",
        (schedule_id, ts(after)),
    )
    return [_shift(r) for r in await cur.fetchall()]


async def cancel_shift(conn: aiosqlite.Connection, shift_id: int, by: int | None, now: datetime) -> bool:
    cur = await conn.execute(
        "UPDATE vol_shifts SET status = 'cancelled', cancelled_at = ?, cancelled_by = ? WHERE id = ? AND status = 'open'",
        (ts(now), by, shift_id),
    )
    return cur.rowcount > 0


async def set_shift_capacity(conn: aiosqlite.Connection, shift_id: int, capacity: int) -> None:
    await conn.execute("UPDATE vol_shifts SET capacity = ? WHERE id = ?", (capacity, shift_id))


async def reopen_shift(conn: aiosqlite.Connection, shift_id: int, ends_at: datetime, capacity: int) -> None:
    """A date cancelled earlier and scheduled again by a new file: a fresh, empty shift."""
    await conn.execute(
        "UPDATE vol_shifts SET status = 'open', ends_at = ?, capacity = ?, cancelled_at = NULL, cancelled_by = NULL,"
        " fill_offered_at = NULL WHERE id = ?",
        (ts(ends_at), capacity, shift_id),
    )


async def shifts_to_fill(conn: aiosqlite.Connection, now: datetime, until: datetime) -> list[Shift]:
    """Open shifts starting before `until` that have not had their one fill round yet."""
    cur = await conn.execute(
        f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE status = 'open' AND fill_offered_at IS NULL"
        " AND starts_at > ? AND starts_at <= ? ORDER BY starts_at",
        (ts(now), ts(until)),
    )
    return [_shift(r) for r in await cur.fetchall()]


async def mark_fill_offered(conn: aiosqlite.Connection, shift_id: int, now: datetime) -> None:
    await conn.execute("UPDATE vol_shifts SET fill_offered_at = ? WHERE id = ?", (ts(now), shift_id))


# ------------------------------------------------------------------------------------ signups


@dataclass(frozen=True)
class Counts:
    confirmed: int
    offered: int
    waiting: int


async def counts(conn: aiosqlite.Connection, shift_id: int) -> Counts:
    cur = await conn.execute(
        "SELECT SUM(status = 'confirmed'), SUM(status = 'offered'), SUM(status = 'waitlisted')"
        " FROM vol_signups WHERE shift_id = ?",
        (shift_id,),
    )
    r = await _one(cur)
    return Counts(r[0] or 0, r[1] or 0, r[2] or 0)


async def counts_many(conn: aiosqlite.Connection, shift_ids: list[int]) -> dict[int, Counts]:
    if not shift_ids:
        return {}
    cur = await conn.execute(
        "SELECT shift_id, SUM(status = 'confirmed'), SUM(status = 'offered'), SUM(status = 'waitlisted')"
        f" FROM vol_signups WHERE shift_id IN ({','.join('?' * len(shift_ids))}) GROUP BY shift_id",
        shift_ids,
    )
    found = {r[0]: Counts(r[1] or 0, r[2] or 0, r[3] or 0) for r in await cur.fetchall()}
    return {sid: found.get(sid, Counts(0, 0, 0)) for sid in shift_ids}


async def signup(conn: aiosqlite.Connection, shift_id: int, user_id: int) -> Signup | None:
    cur = await conn.execute(
        f"SELECT {_SIGNUP_COLUMNS} FROM vol_signups WHERE shift_id = ? AND user_id = ?", (shift_id, user_id)
    )
    row = await cur.fetchone()
    return _signup(row) if row else None


async def signup_by_id(conn: aiosqlite.Connection, signup_id: int) -> Signup | None:
    cur = await conn.execute(f"SELECT {_SIGNUP_COLUMNS} FROM vol_signups WHERE id = ?", (signup_id,))
    row = await cur.fetchone()
    return _signup(row) if row else None


async def put_signup(
    conn: aiosqlite.Connection,
    shift_id: int,
    user_id: int,
    status: str,
    now: datetime,
    *,
    offer_expires_at: datetime | None = None,
    team_id: int | None = None,
    series_id: int | None = None,
) -> int:
    """Create or reset a person's sign-up (re-joining after a cancellation goes to the back)."""
    cur = await conn.execute(
        "INSERT INTO vol_signups (shift_id, user_id, status, queued_at, offer_expires_at, team_id, series_id,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(shift_id, user_id) DO UPDATE SET status = excluded.status, queued_at = excluded.queued_at,"
        " offer_expires_at = excluded.offer_expires_at, team_id = excluded.team_id, late_cancel = 0,"
        " coming_at = NULL, series_id = excluded.series_id, position_told = NULL, cut_keep = NULL,"
        " updated_at = excluded.updated_at RETURNING id",
        (
            shift_id,
            user_id,
            status,
            ts(now),
            ts(offer_expires_at) if offer_expires_at else None,
            team_id,
            series_id,
            ts(now),
            ts(now),
        ),
    )
    return int((await _one(cur))[0])


async def set_status(
    conn: aiosqlite.Connection,
    signup_id: int,
    status: str,
    now: datetime,
    *,
    offer_expires_at: datetime | None = None,
    late_cancel: bool | None = None,
) -> None:
    sql = "UPDATE vol_signups SET status = ?, offer_expires_at = ?, updated_at = ?"
    params: list[object] = [status, ts(offer_expires_at) if offer_expires_at else None, ts(now)]
    if late_cancel is not None:
        sql += ", late_cancel = ?"
        params.append(int(late_cancel))
    await conn.execute(sql + " WHERE id = ?", (*params, signup_id))


async def set_coming(conn: aiosqlite.Connection, signup_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE vol_signups SET coming_at = ?, updated_at = ? WHERE id = ?", (ts(now), ts(now), signup_id)
    )


async def record_checkin(
    conn: aiosqlite.Connection,
    signup_id: int,
    method: str,
    verified: bool,
    distance_m: int | None,
    now: datetime,
) -> None:
    """A check-in with its proof. Verified: the hours are credited (attended); unverified: they wait
    for the organiser. The first check-in's time is kept when a later proof upgrades it."""
    await conn.execute(
        "UPDATE vol_signups SET checked_in_at = COALESCE(checked_in_at, ?), checkin_method = ?, verified = ?,"
        " checkin_distance_m = COALESCE(?, checkin_distance_m), location_ok = CASE WHEN ? = 'location'"
        " THEN ? ELSE location_ok END, attended = CASE WHEN ? THEN 1 ELSE attended END, updated_at = ?"
        " WHERE id = ?",
        (
            ts(now),
            method,
            int(verified),
            distance_m,
            method,
            int(verified),
            int(verified),
            ts(now),
            signup_id,
        ),
    )


async def set_credited(
    conn: aiosqlite.Connection, signup_id: int, minutes: int, by: int, now: datetime
) -> None:
    """The organiser corrects the time credited (present, with this many minutes)."""
    await conn.execute(
        "UPDATE vol_signups SET credited_minutes = ?, attended = 1, marked_by = ?, updated_at = ? WHERE id = ?",
        (minutes, by, ts(now), signup_id),
    )


async def set_checkin_secret(conn: aiosqlite.Connection, shift_id: int, secret: str) -> str:
    """The shift's check-in secret, made once (a concurrent first use keeps the first one)."""
    await conn.execute(
        "UPDATE vol_shifts SET checkin_secret = ? WHERE id = ? AND checkin_secret IS NULL", (secret, shift_id)
    )
    cur = await conn.execute("SELECT checkin_secret FROM vol_shifts WHERE id = ?", (shift_id,))
    return str((await _one(cur))[0])


async def mark_attendance(
    conn: aiosqlite.Connection, signup_id: int, present: bool, by: int, now: datetime
) -> None:
    await conn.execute(
        "UPDATE vol_signups SET attended = ?, marked_by = ?, updated_at = ?,"
        " checked_in_at = CASE WHEN ? THEN COALESCE(checked_in_at, ?) ELSE checked_in_at END,"
        " checkin_method = CASE WHEN ? THEN COALESCE(checkin_method, 'organiser') ELSE checkin_method END"
        " WHERE id = ?",
        (int(present), by, ts(now), int(present), ts(now), int(present), signup_id),
    )


async def of_shift(conn: aiosqlite.Connection, shift_id: int, statuses: tuple[str, ...]) -> list[Signup]:
    """Sign-ups of one shift in these statuses, in waitlist (press) order."""
    marks = ",".join("?" * len(statuses))
    cur = await conn.execute(
        f"SELECT {_SIGNUP_COLUMNS} FROM vol_signups WHERE shift_id = ? AND status IN ({marks})"
        " ORDER BY queued_at, id",
        (shift_id, *statuses),
    )
    return [_signup(r) for r in await cur.fetchall()]


async def of_user(
    conn: aiosqlite.Connection, user_id: int, statuses: tuple[str, ...], after: datetime | None = None
) -> list[tuple[Signup, Shift]]:
    marks = ",".join("?" * len(statuses))
    sql = (
        f"SELECT {', '.join('g.' + c.strip() for c in _SIGNUP_COLUMNS.split(','))},"
        f" {', '.join('s.' + c.strip() + ' AS s_' + c.strip() for c in _SHIFT_COLUMNS.split(','))}"
        f" FROM vol_signups g JOIN vol_shifts s ON s.id = g.shift_id WHERE g.user_id = ? AND g.status IN ({marks})"
    )
    params: list[object] = [user_id, *statuses]
    if after is not None:
        sql += " AND s.ends_at > ? AND s.status = 'open'"
        params.append(ts(after))
    cur = await conn.execute(sql + " ORDER BY s.starts_at", params)
    out = []
    for r in await cur.fetchall():
        shift_row = {c.strip(): r["s_" + c.strip()] for c in _SHIFT_COLUMNS.split(",")}
        out.append((_signup(r), _shift(shift_row)))
    return out


async def expired_offers(conn: aiosqlite.Connection, now: datetime, limit: int = 200) -> list[Signup]:
    cur = await conn.execute(
        f"SELECT {_SIGNUP_COLUMNS} FROM vol_signups WHERE status = 'offered' AND offer_expires_at <= ?"
        " ORDER BY offer_expires_at LIMIT ?",
        (ts(now), limit),
    )
    return [_signup(r) for r in await cur.fetchall()]


@dataclass(frozen=True)
class AttendanceRow:
    user_id: int
    name: str
    project_key: str
    project_title: str
    starts_at: datetime
    ends_at: datetime
    attended: bool | None
    checked_in_at: datetime | None
    checkin_method: str | None
    minutes: int = 0  # credited (the organiser's correction, else the shift's length)


_CREDITED = "COALESCE(g.credited_minutes, CAST(ROUND((julianday(s.ends_at) - julianday(s.starts_at)) * 1440) AS INTEGER))"


async def attendance_between(
    conn: aiosqlite.Connection, first: datetime, last: datetime, project_keys: list[str] | None = None
) -> list[AttendanceRow]:
    """Confirmed sign-ups of shifts that started in [first, last) (the month's attendance)."""
    sql = (
        "SELECT g.user_id, COALESCE(u.display_name, NULLIF(u.first_name, ''), CAST(g.user_id AS TEXT)),"
        " p.key, p.title_zh, s.starts_at, s.ends_at, g.attended, g.checked_in_at, g.checkin_method,"
        f" {_CREDITED}"
        " FROM vol_signups g JOIN vol_shifts s ON s.id = g.shift_id JOIN vol_projects p ON p.id = s.project_id"
        " LEFT JOIN users u ON u.id = g.user_id"
        " WHERE g.status = 'confirmed' AND s.status = 'open' AND s.starts_at >= ? AND s.starts_at < ?"
    )
    params: list[object] = [ts(first), ts(last)]
    if project_keys is not None:
        sql += f" AND p.key IN ({','.join('?' * len(project_keys)) or 'NULL'})"
        params.extend(project_keys)
    cur = await conn.execute(sql + " ORDER BY s.starts_at, p.key, g.id", params)
    return [
        AttendanceRow(
            r[0],
            r[1],
            r[2],
            r[3],
            required_ts(r[4]),
            required_ts(r[5]),
            None if r[6] is None else bool(r[6]),
            from_ts(r[7]),
            r[8],
            int(r[9]),
        )
        for r in await cur.fetchall()
    ]


@dataclass(frozen=True)
class ServedRow:
    project_id: int
    starts_at: datetime
    ends_at: datetime
    minutes: int  # credited


async def served(conn: aiosqlite.Connection, user_id: int) -> list[ServedRow]:
    """Shifts this person attended (credited hours: a verified check-in or the organiser's mark)."""
    cur = await conn.execute(
        f"SELECT s.project_id, s.starts_at, s.ends_at, {_CREDITED} FROM vol_signups g"
        " JOIN vol_shifts s ON s.id = g.shift_id"
        " WHERE g.user_id = ? AND g.status = 'confirmed' AND g.attended = 1 AND s.status = 'open'"
        " ORDER BY s.starts_at",
        (user_id,),
    )
    return [ServedRow(r[0], required_ts(r[1]), required_ts(r[2]), int(r[3])) for r in await cur.fetchall()]


async def no_shows(conn: aiosqlite.Connection, user_id: int, now: datetime) -> int:
    cur = await conn.execute(
        "SELECT COUNT(*) FROM vol_signups g JOIN vol_shifts s ON s.id = g.shift_id"
        " WHERE g.user_id = ? AND g.status = 'confirmed' AND IFNULL(g.attended, 0) = 0 AND s.status = 'open'"
        " AND s.ends_at <= ?",
        (user_id, ts(now)),
    )
    return int((await _one(cur))[0])


async def figures(
    conn: aiosqlite.Connection, first: datetime, last: datetime, now: datetime
) -> dict[str, float]:
    """Sign-ups made, and attendance of the shifts that ended, for shifts starting in [first, last)."""
    cur = await conn.execute(
        "SELECT COUNT(*),"
        " SUM(s.ends_at <= ?),"
        " SUM(s.ends_at <= ? AND g.attended = 1),"
        " SUM(CASE WHEN s.ends_at <= ? AND g.attended = 1"
        f"  THEN {_CREDITED} / 60.0 ELSE 0 END),"
        " SUM(g.late_cancel)"
        " FROM vol_signups g JOIN vol_shifts s ON s.id = g.shift_id"
        " WHERE s.status = 'open' AND s.starts_at >= ? AND s.starts_at < ?"
        " AND (g.status = 'confirmed' OR (g.status = 'cancelled' AND g.late_cancel = 1))",
        (ts(now), ts(now), ts(now), ts(first), ts(last)),
    )
    r = await _one(cur)
    total, ended, attended, hours, late = (r[0] or 0), (r[1] or 0), (r[2] or 0), (r[3] or 0.0), (r[4] or 0)
    return {"signups": total, "ended": ended, "attended": attended, "hours": float(hours), "late": late}


# -------------------------------------------------------------------------------------- teams


@dataclass(frozen=True)
class Team:
    id: int
    shift_id: int
    enterprise_id: int
    liaison_user_id: int
    places: int
    code: str
    release_at: datetime
    released_at: datetime | None


_TEAM_COLUMNS = "id, shift_id, enterprise_id, liaison_user_id, places, code, release_at, released_at"


def _team(r: aiosqlite.Row) -> Team:
    return Team(
        r["id"],
        r["shift_id"],
        r["enterprise_id"],
        r["liaison_user_id"],
        r["places"],
        r["code"],
        required_ts(r["release_at"]),
        from_ts(r["released_at"]),
    )


async def insert_team(
    conn: aiosqlite.Connection,
    shift_id: int,
    enterprise_id: int,
    liaison: int,
    places: int,
    code: str,
    release_at: datetime,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO vol_teams (shift_id, enterprise_id, liaison_user_id, places, code, release_at, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (shift_id, enterprise_id, liaison, places, code, ts(release_at), ts(now)),
    )
    return _new_id(cur)


async def team_by_code(conn: aiosqlite.Connection, code: str) -> Team | None:
    cur = await conn.execute(f"SELECT {_TEAM_COLUMNS} FROM vol_teams WHERE code = ?", (code,))
    row = await cur.fetchone()
    return _team(row) if row else None


async def held_places(conn: aiosqlite.Connection, shift_id: int) -> int:
    """Places claimed by teams and not yet taken by their members (until the team's release)."""
    cur = await conn.execute(
        "SELECT IFNULL(SUM(MAX(0, t.places - (SELECT COUNT(*) FROM vol_signups g WHERE g.team_id = t.id"
        " AND g.status = 'confirmed'))), 0) FROM vol_teams t WHERE t.shift_id = ? AND t.released_at IS NULL",
        (shift_id,),
    )
    return int((await _one(cur))[0])


async def team_members(conn: aiosqlite.Connection, team_id: int) -> int:
    cur = await conn.execute(
        "SELECT COUNT(*) FROM vol_signups WHERE team_id = ? AND status = 'confirmed'", (team_id,)
    )
    return int((await _one(cur))[0])


async def teams_to_release(conn: aiosqlite.Connection, now: datetime) -> list[Team]:
    cur = await conn.execute(
        f"SELECT {_TEAM_COLUMNS} FROM vol_teams WHERE released_at IS NULL AND release_at <= ?", (ts(now),)
    )
    return [_team(r) for r in await cur.fetchall()]


async def release_team(conn: aiosqlite.Connection, team_id: int, now: datetime) -> None:
    await conn.execute("UPDATE vol_teams SET released_at = ? WHERE id = ?", (ts(now), team_id))


# ------------------------------------------------------------------------ availability, asks


async def set_availability(
    conn: aiosqlite.Connection, user_id: int, slots: list[str], building_id: int | None, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO vol_availability (user_id, slots, building_id, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(user_id) DO UPDATE SET slots = excluded.slots, building_id = excluded.building_id,"
        " updated_at = excluded.updated_at",
        (user_id, ",".join(slots), building_id, ts(now)),
    )


async def availability(conn: aiosqlite.Connection, user_id: int) -> tuple[list[str], int | None]:
    cur = await conn.execute("SELECT slots, building_id FROM vol_availability WHERE user_id = ?", (user_id,))
    row = await cur.fetchone()
    return ([s for s in row[0].split(",") if s], row[1]) if row else ([], None)


async def available_for(
    conn: aiosqlite.Connection, slot: str, building_id: int | None, shift_id: int
) -> list[int]:
    """Volunteers free in `slot`, near the building (or with no building given), not on the shift, not yet asked."""
    cur = await conn.execute(
        "SELECT a.user_id FROM vol_availability a JOIN users u ON u.id = a.user_id"
        " WHERE (',' || a.slots || ',') LIKE ? AND (? IS NULL OR a.building_id IS NULL OR a.building_id = ?)"
        " AND u.forgotten_at IS NULL AND u.unreachable_at IS NULL"
        " AND a.user_id NOT IN (SELECT user_id FROM vol_signups WHERE shift_id = ?"
        "  AND status IN ('confirmed', 'waitlisted', 'offered'))"
        " AND a.user_id NOT IN (SELECT user_id FROM vol_fill_asks WHERE shift_id = ?) ORDER BY a.user_id",
        (f"%,{slot},%", building_id, building_id, shift_id, shift_id),
    )
    return [r[0] for r in await cur.fetchall()]


async def record_ask(conn: aiosqlite.Connection, shift_id: int, user_id: int, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO vol_fill_asks (shift_id, user_id, asked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (shift_id, user_id, ts(now)),
    )


async def asked(conn: aiosqlite.Connection, shift_id: int) -> list[int]:
    cur = await conn.execute(
        "SELECT user_id FROM vol_fill_asks WHERE shift_id = ? ORDER BY asked_at", (shift_id,)
    )
    return [r[0] for r in await cur.fetchall()]


# ------------------------------------------------------------- positions, changes, capacity cuts


async def set_position_told(conn: aiosqlite.Connection, signup_id: int, position: int) -> None:
    await conn.execute("UPDATE vol_signups SET position_told = ? WHERE id = ?", (position, signup_id))


async def move_shift(
    conn: aiosqlite.Connection, shift_id: int, starts_at: datetime, ends_at: datetime
) -> None:
    await conn.execute(
        "UPDATE vol_shifts SET starts_at = ?, ends_at = ?, fill_offered_at = NULL WHERE id = ?",
        (ts(starts_at), ts(ends_at), shift_id),
    )


async def set_place_note(conn: aiosqlite.Connection, shift_id: int, note: str | None) -> None:
    await conn.execute("UPDATE vol_shifts SET place_note = ? WHERE id = ?", (note, shift_id))


async def set_cut(
    conn: aiosqlite.Connection, shift_id: int, asked_at: datetime | None, due_at: datetime | None
) -> None:
    """Ask (or stop asking) the organiser who stays on a shift cut below its confirmed count."""
    await conn.execute(
        "UPDATE vol_shifts SET cut_asked_at = ?, cut_due_at = ? WHERE id = ?",
        (ts(asked_at) if asked_at else None, ts(due_at) if due_at else None, shift_id),
    )


async def set_keep(conn: aiosqlite.Connection, signup_id: int, keep: bool | None) -> None:
    await conn.execute(
        "UPDATE vol_signups SET cut_keep = ? WHERE id = ?", (None if keep is None else int(keep), signup_id)
    )


async def cuts_due(conn: aiosqlite.Connection, now: datetime) -> list[Shift]:
    cur = await conn.execute(
        f"SELECT {_SHIFT_COLUMNS} FROM vol_shifts WHERE cut_due_at IS NOT NULL AND cut_due_at <= ?"
        " ORDER BY cut_due_at",
        (ts(now),),
    )
    return [_shift(r) for r in await cur.fetchall()]


async def organisers_of(conn: aiosqlite.Connection, project_key: str) -> list[int]:
    """The people holding the organiser role of this project."""
    cur = await conn.execute(
        "SELECT DISTINCT user_id FROM roles WHERE role = 'organiser' AND scope = ? AND revoked_at IS NULL"
        " ORDER BY user_id",
        (project_key,),
    )
    return [r[0] for r in await cur.fetchall()]


# ------------------------------------------------------------------------------------- series


@dataclass(frozen=True)
class Series:
    id: int
    user_id: int
    schedule_id: int
    weekday: int
    start_time: str
    cancelled_at: datetime | None


async def insert_series(
    conn: aiosqlite.Connection, user_id: int, schedule_id: int, weekday: int, start_time: str, now: datetime
) -> int:
    cur = await conn.execute(
        "INSERT INTO vol_series (user_id, schedule_id, weekday, start_time, created_at) VALUES (?, ?, ?, ?, ?)",
        (user_id, schedule_id, weekday, start_time, ts(now)),
    )
    return _new_id(cur)


async def series(conn: aiosqlite.Connection, series_id: int) -> Series | None:
    cur = await conn.execute(
        "SELECT id, user_id, schedule_id, weekday, start_time, cancelled_at FROM vol_series WHERE id = ?",
        (series_id,),
    )
    r = await cur.fetchone()
    return Series(r[0], r[1], r[2], r[3], r[4], from_ts(r[5])) if r else None


async def cancel_series(conn: aiosqlite.Connection, series_id: int, now: datetime) -> None:
    await conn.execute("UPDATE vol_series SET cancelled_at = ? WHERE id = ?", (ts(now), series_id))


async def series_signups(conn: aiosqlite.Connection, series_id: int) -> list[Signup]:
    cur = await conn.execute(
        f"SELECT {_SIGNUP_COLUMNS} FROM vol_signups WHERE series_id = ? ORDER BY id", (series_id,)
    )
    return [_signup(r) for r in await cur.fetchall()]


async def schedule(conn: aiosqlite.Connection, schedule_id: int) -> ScheduleRow | None:
    cur = await conn.execute("SELECT * FROM vol_schedules WHERE id = ?", (schedule_id,))
    r = await cur.fetchone()
    return _schedule(r) if r else None


# ------------------------------------------------------------------------------------- finder


@dataclass(frozen=True)
class Candidate:
    """One open shift in the finder's window, before the person's filters are applied."""

    shift_id: int
    project_id: int
    starts_at: datetime


@dataclass(frozen=True)
class LocalSlot:
    """Local start times a finder filter keeps, for SQL: weekdays (Monday 0) and [start, end) as
    "HH:MM", at a zone offset that is constant over the window searched."""

    offset_minutes: int
    weekdays: frozenset[int]
    start: str = "00:00"
    end: str = "24:00"


async def candidates(
    conn: aiosqlite.Connection,
    first: datetime,
    last: datetime,
    *,
    topic: str = "",
    project_ids: list[int] | None = None,
    slot: LocalSlot | None = None,
    first_per_project: bool = False,
) -> list[Candidate]:
    """Open shifts of active projects starting in [first, last), soonest first (3 columns only:
    the finder ranks thousands of them before loading any card). `first_per_project` keeps each
    project's soonest shift only (SQLite returns the row of MIN() for the bare columns)."""
    start = "MIN(s.starts_at)" if first_per_project else "s.starts_at"
    sql = (
        f"SELECT s.id, s.project_id, {start} FROM vol_shifts s JOIN vol_projects p ON p.id = s.project_id"
        " WHERE s.status = 'open' AND s.starts_at >= ? AND s.starts_at < ? AND p.active = 1"
    )
    params: list[object] = [ts(first), ts(last)]
    if topic:
        sql += " AND p.topic = ?"
        params.append(topic)
    if project_ids is not None:
        sql += f" AND s.project_id IN ({','.join('?' * len(project_ids)) or 'NULL'})"
        params.extend(project_ids)
    if slot is not None:
        shift = f"'{int(slot.offset_minutes):+d} minutes'"
        days = ",".join(f"'{(d + 1) % 7}'" for d in sorted(slot.weekdays))  # SQLite's %w: Sunday is 0
        sql += (
            f" AND strftime('%w', s.starts_at, {shift}) IN ({days})"
            f" AND strftime('%H:%M', s.starts_at, {shift}) >= ? AND strftime('%H:%M', s.starts_at, {shift}) < ?"
        )
        params.extend([slot.start, slot.end])
    if first_per_project:
        sql += " GROUP BY s.project_id"
    cur = await conn.execute(sql + " ORDER BY 3, s.id", params)
    return [Candidate(r[0], r[1], required_ts(r[2])) for r in await cur.fetchall()]


@dataclass(frozen=True)
class Place:
    """Where a project is, for "near my building"; and the text it is searched by."""

    project_id: int
    latitude: float | None
    longitude: float | None
    building_id: int | None
    search_text: str


async def places(conn: aiosqlite.Connection, *, with_text: bool = False) -> list[Place]:
    """Where every running project is (and, for a typed search only, the text it is found by)."""
    text = "search_text" if with_text else "''"
    cur = await conn.execute(
        f"SELECT id, latitude, longitude, building_id, {text} FROM vol_projects WHERE active = 1"
    )
    return [Place(r[0], r[1], r[2], r[3], r[4]) for r in await cur.fetchall()]


async def set_search_text(conn: aiosqlite.Connection, project_id: int, text: str) -> None:
    await conn.execute("UPDATE vol_projects SET search_text = ? WHERE id = ?", (text, project_id))


async def projects_many(conn: aiosqlite.Connection, ids: list[int]) -> dict[int, Project]:
    if not ids:
        return {}
    cur = await conn.execute(
        f"SELECT {_PROJECT_COLUMNS} FROM vol_projects WHERE id IN ({','.join('?' * len(ids))})", ids
    )
    return {r["id"]: _project(r) for r in await cur.fetchall()}


async def topic_counts(conn: aiosqlite.Connection) -> dict[str, int]:
    cur = await conn.execute("SELECT topic, COUNT(*) FROM vol_projects WHERE active = 1 GROUP BY topic")
    return {r[0]: r[1] for r in await cur.fetchall()}


async def insert_search(conn: aiosqlite.Connection, user_id: int, query: str, now: datetime) -> int:
    cur = await conn.execute(
        "INSERT INTO vol_searches (user_id, query, created_at) VALUES (?, ?, ?)", (user_id, query, ts(now))
    )
    return _new_id(cur)


async def search_query(conn: aiosqlite.Connection, search_id: int, user_id: int) -> str | None:
    """A stored search of this person (another person's id finds nothing)."""
    cur = await conn.execute(
        "SELECT query FROM vol_searches WHERE id = ? AND user_id = ?", (search_id, user_id)
    )
    r = await cur.fetchone()
    return str(r[0]) if r else None


# ------------------------------------------------------------------------------- team claims


@dataclass(frozen=True)
class Claim:
    """A company's claim: places on one shift, or on every shift of a project for a period."""

    id: int
    code: str
    enterprise_id: int
    liaison_user_id: int
    project_id: int
    places: int
    adopted: bool
    created_at: datetime


_CLAIM_COLUMNS = "id, code, enterprise_id, liaison_user_id, project_id, places, adopted, created_at"


def _claim(r: aiosqlite.Row) -> Claim:
    return Claim(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), required_ts(r[7]))


async def insert_claim(
    conn: aiosqlite.Connection,
    code: str,
    enterprise_id: int,
    liaison: int,
    project_id: int,
    places: int,
    adopted: bool,
    now: datetime,
) -> int:
    cur = await conn.execute(
        "INSERT INTO vol_claims (code, enterprise_id, liaison_user_id, project_id, places, adopted, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code, enterprise_id, liaison, project_id, places, int(adopted), ts(now)),
    )
    return _new_id(cur)


async def claim_by_code(conn: aiosqlite.Connection, code: str) -> Claim | None:
    cur = await conn.execute(f"SELECT {_CLAIM_COLUMNS} FROM vol_claims WHERE code = ?", (code,))
    r = await cur.fetchone()
    return _claim(r) if r else None


async def claim(conn: aiosqlite.Connection, claim_id: int) -> Claim | None:
    cur = await conn.execute(f"SELECT {_CLAIM_COLUMNS} FROM vol_claims WHERE id = ?", (claim_id,))
    r = await cur.fetchone()
    return _claim(r) if r else None


async def claims_of(conn: aiosqlite.Connection, liaison: int, limit: int = 10) -> list[Claim]:
    cur = await conn.execute(
        f"SELECT {_CLAIM_COLUMNS} FROM vol_claims WHERE liaison_user_id = ? ORDER BY id DESC LIMIT ?",
        (liaison, limit),
    )
    return [_claim(r) for r in await cur.fetchall()]


async def set_team_claim(conn: aiosqlite.Connection, team_id: int, claim_id: int) -> None:
    await conn.execute("UPDATE vol_teams SET claim_id = ? WHERE id = ?", (claim_id, team_id))


async def teams_of_claim(conn: aiosqlite.Connection, claim_id: int) -> list[Team]:
    cur = await conn.execute(
        f"SELECT {', '.join('t.' + c.strip() for c in _TEAM_COLUMNS.split(','))} FROM vol_teams t"
        " JOIN vol_shifts s ON s.id = t.shift_id WHERE t.claim_id = ? ORDER BY s.starts_at",
        (claim_id,),
    )
    return [_team(r) for r in await cur.fetchall()]


async def team_member_ids(conn: aiosqlite.Connection, team_id: int) -> list[int]:
    cur = await conn.execute(
        "SELECT user_id FROM vol_signups WHERE team_id = ? AND status = 'confirmed' ORDER BY queued_at",
        (team_id,),
    )
    return [r[0] for r in await cur.fetchall()]


async def teams_to_warn(conn: aiosqlite.Connection, until: datetime) -> list[Team]:
    """Teams not yet released, not yet warned, whose release comes before `until`."""
    cur = await conn.execute(
        f"SELECT {_TEAM_COLUMNS} FROM vol_teams WHERE released_at IS NULL AND warned_at IS NULL"
        " AND release_at <= ? ORDER BY release_at",
        (ts(until),),
    )
    return [_team(r) for r in await cur.fetchall()]


async def mark_team_warned(conn: aiosqlite.Connection, team_id: int, now: datetime) -> None:
    await conn.execute("UPDATE vol_teams SET warned_at = ? WHERE id = ?", (ts(now), team_id))


async def projects_page(
    conn: aiosqlite.Connection, topic: str, offset: int, limit: int, project_ids: list[int] | None = None
) -> list[Project]:
    """Active projects of a topic (or these ids), by id, one page."""
    sql = f"SELECT {_PROJECT_COLUMNS} FROM vol_projects WHERE active = 1"
    params: list[object] = []
    if topic:
        sql += " AND topic = ?"
        params.append(topic)
    if project_ids is not None:
        sql += f" AND id IN ({','.join('?' * len(project_ids)) or 'NULL'})"
        params.extend(project_ids)
    cur = await conn.execute(sql + " ORDER BY id LIMIT ? OFFSET ?", (*params, limit, offset))
    return [_project(r) for r in await cur.fetchall()]


async def attach_series(conn: aiosqlite.Connection, shift_id: int, user_id: int, series_id: int) -> None:
    """A date the person already held becomes part of their series (so it is cancelled with it)."""
    await conn.execute(
        "UPDATE vol_signups SET series_id = ? WHERE shift_id = ? AND user_id = ?",
        (series_id, shift_id, user_id),
    )
