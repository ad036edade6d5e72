"""The projects file: `python -m bot import projects FILE.yaml` creates or updates projects, their
schedules and their future shifts; any problem in the file and nothing changes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import shifts as rules
from bot.domain.finder import TOPICS, search_text
from bot.domain.projects_yaml import ProjectFileError, ProjectSpec, ScheduleSpec, parse_projects
from bot.domain.text_safety import shown
from bot.services.base import UseCases
from bot.storage import buildings as buildings_repo
from bot.storage import roles as roles_repo
from bot.storage import shifts as repo

if TYPE_CHECKING:
    from bot.render import Renderer


@dataclass(frozen=True)
class ImportResult:
    added: list[str]
    updated: list[str]
    shifts_created: int
    shifts_cancelled: int
    cuts_asked: int = 0  # shifts now with fewer places than people: their organisers were asked who stays


class Imports(UseCases):
    async def import_projects(
        self, text: str, actor_id: int | None = None, *, dry_run: bool = False
    ) -> ImportResult:
        """Create or update projects from the YAML file; any problem raises and nothing changes.

        `dry_run`: the same import, rolled back: what it would do (the administrators' preview)."""
        now = self.now()
        specs = parse_projects(text, now, self.settings.tz)
        added: list[str] = []
        updated: list[str] = []
        created = cancelled = cuts = 0
        async with self.db.tx(dry_run=dry_run) as conn:
            for spec in specs:
                building_id = None
                if spec.building:
                    building = await buildings_repo.by_code(conn, spec.building)
                    if building is None:
                        raise ProjectFileError(
                            [f"line {spec.line}: unknown building code {shown(spec.building)}"]
                        )
                    building_id = building.id
                before = await repo.project_by_key(conn, spec.key)
                existed = before is not None
                project_id = await repo.upsert_project(
                    conn, _project_values(spec, building_id), secrets.token_hex(4), now
                )
                (updated if existed else added).append(spec.key)
                await repo.set_search_text(conn, project_id, _search_text(spec, self.renderer))
                after = await repo.project(conn, project_id)
                assert after is not None
                if before is not None and (before.place, before.address) != (after.place, after.address):
                    await self.services.volunteer.changes.project_moved(conn, after, now)
                await repo.replace_schedules(conn, project_id, [_schedule_values(s) for s in spec.schedules])
                c1, c2, c3 = await self._sync_shifts(conn, project_id, spec, now)
                created += c1
                cancelled += c2
                cuts += c3
            await roles_repo.audit(conn, now, actor_id, "vol.import", "projects", ", ".join(added + updated))
        return ImportResult(added, updated, created, cancelled, cuts)

    async def _sync_shifts(
        self, conn: aiosqlite.Connection, project_id: int, spec: ProjectSpec, now: datetime
    ) -> tuple[int, int, int]:
        """Make the project's future shifts match the file: new ones created, vanished ones cancelled,
        capacities changed (a cut below the confirmed count asks the organisers: counted third)."""
        tz = self.settings.tz
        today = now.astimezone(tz).date()
        horizon = today + timedelta(weeks=spec.weeks_ahead)
        wanted: dict[datetime, tuple[datetime, int]] = {}
        for s in spec.schedules:
            schedule = rules.Schedule(s.weekdays, s.start, s.end, s.capacity, s.first_day, s.last_day, s.skip)
            for starts, ends in rules.expand(schedule, today, horizon, tz):
                if starts > now:
                    wanted[starts] = (ends, s.capacity)
        for o in spec.one_offs:
            starts, ends = rules.local_slot(o.day, o.start, o.end, tz)
            wanted[starts] = (ends, o.capacity)
        created = cancelled = cuts = 0
        existing = await repo.shifts_between(conn, now, datetime.max.replace(tzinfo=UTC), [project_id])
        schedules = [row for row in await repo.active_schedules(conn) if row.project_id == project_id]
        for shift in existing:
            if shift.status != "open":
                continue
            if shift.starts_at not in wanted or wanted[shift.starts_at][0] != shift.ends_at:
                await self.services.volunteer.organisers.cancel_in(conn, shift, None, now)
                cancelled += 1
            else:
                if wanted[shift.starts_at][1] != shift.capacity:
                    cuts += await self.services.volunteer.changes.capacity_changed(
                        conn, shift, wanted[shift.starts_at][1], now
                    )
                del wanted[shift.starts_at]
        for starts, (ends, capacity) in sorted(wanted.items()):
            schedule_id = next((row.id for row in schedules if _in_schedule(row, starts, tz)), None)
            old = await repo.shift_at(conn, project_id, starts)
            if old is not None:
                await repo.reopen_shift(conn, old.id, ends, capacity)
                created += 1
            elif await repo.insert_shift(conn, project_id, schedule_id, starts, ends, capacity, now):
                created += 1
        for row in schedules:
            await repo.set_generated_until(conn, row.id, horizon)
        return created, cancelled, cuts


def _in_schedule(s: repo.ScheduleRow, starts: datetime, tz: tzinfo) -> bool:
    local = starts.astimezone(tz)
    return local.weekday() in s.weekdays and f"{local:%H:%M}" == s.start_time


def _project_values(spec: ProjectSpec, building_id: int | None) -> dict[str, object]:
    values: dict[str, object] = {"key": spec.key, "kind": spec.kind}
    for field_name in ("title", "description", "requirements", "place"):
        for lang in repo.LANGS:
            values[f"{field_name}_{lang}"] = getattr(spec, field_name)[lang]
    values.update(
        topic=spec.topic,
        address=spec.address,
        address_en=spec.addresses.get("en", ""),
        address_fr=spec.addresses.get("fr", ""),
        latitude=spec.latitude,
        longitude=spec.longitude,
        radius_m=spec.radius_m,
        building_id=building_id,
        capacity=spec.capacity,
        reminders=",".join(r.describe() for r in spec.reminders),
        slot=spec.slot,
        weeks_ahead=spec.weeks_ahead,
    )
    return values


def _search_text(spec: ProjectSpec, renderer: Renderer) -> str:
    """What free-text search reads: titles (weighing more), then descriptions, places, addresses and
    the topic's name, in every language."""
    rest = [*spec.description.values(), *spec.place.values(), spec.address, *spec.addresses.values()]
    rest += [renderer.gettext(lang, TOPICS[spec.topic]) for lang in repo.LANGS]
    return search_text(list(spec.title.values()), rest)


def _schedule_values(s: ScheduleSpec) -> repo.ScheduleValues:
    return {
        "weekdays": s.weekdays,
        "start_time": f"{s.start:%H:%M}",
        "end_time": f"{s.end:%H:%M}",
        "capacity": s.capacity,
        "first_day": s.first_day.isoformat(),
        "last_day": s.last_day.isoformat() if s.last_day else None,
        "skip_days": {d.isoformat() for d in s.skip},
    }
