# i18n-domain: enterprises
"""The registry's CSV in and out: a dry run that says exactly what an import would do, the import
itself in one transaction, and the formula-safe export.

An import never overrules staff: a row whose colour differs from one staff set after the file's
own date (its colour_date column; without it, any colour staff set) is a conflict — reported with
both values and left as staff set it, unless the administrator explicitly chose to overwrite it.
Every colour an import does change is a change like any other (history with its source, the
follow-up clock, the tier chats told: one digest per chat, not one message per company).
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

import aiosqlite

from bot.domain import enterprise_csv
from bot.domain.enterprise_csv import Parsed, Rejected, Row
from bot.msgids import N_
from bot.services.base import UseCases
from bot.services.enterprises.colours import Change
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import from_ts, ts
from bot.storage.enterprises import Enterprise, ImportState

AMBIGUOUS = N_(
    "the registry holds %(count)s enterprises whose keys differ only in case (%(keys)s): this row cannot say which"
)


@dataclass(frozen=True)
class Conflict:
    """A row whose colour differs from the one staff set: staff's colour stays unless overwritten."""

    line: int
    key: str
    name: str
    staff_colour: str
    staff_since: datetime | None
    staff_by: str | None
    staff_reason: str | None
    file_colour: str
    file_date: date | None


@dataclass(frozen=True)
class ImportReport:
    encoding: str
    added: int
    updated: int
    unchanged: int
    rejected: list[Rejected]
    seconds: float = 0.0
    conflicts: list[Conflict] = field(default_factory=list)
    colour_changes: int = 0  # colours of existing enterprises changed (overwritten conflicts included)
    overwritten: int = 0  # conflicts overwritten by the administrator's explicit choice
    alerted: frozenset[int] = frozenset()  # tiers whose staff chats were told
    dry_run: bool = False


@dataclass
class _Plan:
    """What a file does to the registry, row by row (computed the same way for a dry run and for real)."""

    parsed: Parsed
    new: list[Row] = field(default_factory=list)
    data: list[tuple[Row, ImportState]] = field(default_factory=list)  # rows whose data changes
    colours: list[tuple[Row, ImportState]] = field(default_factory=list)  # colours that change
    unchanged: int = 0
    conflicts: list[tuple[Row, ImportState]] = field(default_factory=list)  # kept as staff set them
    overwritten: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def _values(row: Row) -> dict[str, object]:
    return {
        "name": row.name,
        "name_en": row.name_en,
        "building_id": row.building_id,
        "floor_unit": row.floor_unit,
        "industry": row.industry,
        "headcount_band": row.headcount_band,
        "lease_end": row.lease_end.isoformat() if row.lease_end else None,
        "party_org": row.party_org,
        "notes": row.notes,
    }


class Imports(UseCases):
    def staff_day(self, moment: datetime | None) -> date | None:
        return moment.astimezone(self.settings.tz).date() if moment else None

    def overrules_staff(self, row: Row, current: ImportState) -> bool:
        """Would this row's colour undo a staff decision? (Staff set it after the file's date, or the
        file gives no date.) A staff colour of unknown time is always a staff decision."""
        if current.colour_source != "staff":
            return False
        staff_day = self.staff_day(current.colour_changed_at)
        return row.colour_date is None or staff_day is None or staff_day >= row.colour_date

    async def _parse(self, conn: aiosqlite.Connection, data: bytes) -> Parsed:
        spellings: dict[str, int] = {}
        for b in await buildings_repo.all_buildings(conn):
            for spelling in (b.code, str(b.id), b.name_zh, b.name_en, b.name_fr):
                spellings.setdefault(spelling, b.id)
        return enterprise_csv.parse(data, spellings)

    async def _plan(
        self, conn: aiosqlite.Connection, data: bytes, overwrite: bool | Collection[str]
    ) -> _Plan:
        """Raises UnreadableFile (nothing to import) or returns what each row would do."""
        parsed = await self._parse(conn, data)
        plan = _Plan(parsed, rejected=list(parsed.rejected))
        state = await enterprises_repo.import_state(conn)
        for row in parsed.rows:
            found = state.get(row.folded_key, [])
            if len(found) > 1:
                keys = ", ".join(s.key for s in found)
                plan.rejected.append(
                    Rejected(row.line, row.key, AMBIGUOUS, {"count": len(found), "keys": keys})
                )
                continue
            if not found:
                plan.new.append(row)
                continue
            current = found[0]
            same = current.values == tuple(_values(row)[c] for c in enterprises_repo.IMPORTED)
            recolour = row.colour is not None and row.colour != current.colour
            if recolour and self.overrules_staff(row, current):
                chosen = overwrite is True or (
                    not isinstance(overwrite, bool) and row.folded_key in overwrite
                )
                if chosen:
                    plan.overwritten += 1
                else:
                    plan.conflicts.append((row, current))
                    recolour = False
            if not same:
                plan.data.append((row, current))
            if recolour:
                plan.colours.append((row, current))
            if same and not recolour:
                plan.unchanged += 1
        plan.rejected.sort(key=lambda r: r.line)
        return plan

    async def _conflicts(self, conn: aiosqlite.Connection, plan: _Plan) -> list[Conflict]:
        found = []
        for row, current in plan.conflicts:
            last = await risk_repo.history(conn, current.id, limit=1)
            who = None
            if last and last[0].changed_by:
                person = await users_repo.get(conn, last[0].changed_by)
                who = person.name if person else None
            found.append(
                Conflict(
                    line=row.line,
                    key=current.key,
                    name=row.name,
                    staff_colour=current.colour,
                    staff_since=current.colour_changed_at,
                    staff_by=who,
                    staff_reason=last[0].reason if last else None,
                    file_colour=row.colour or current.colour,
                    file_date=row.colour_date,
                )
            )
        return found

    def _report(self, plan: _Plan, conflicts: list[Conflict], started: float, **more: object) -> ImportReport:
        changed = {id(r) for r, _ in plan.data} | {id(r) for r, _ in plan.colours}
        return ImportReport(
            encoding=plan.parsed.encoding,
            added=len(plan.new),
            updated=len(changed),
            unchanged=plan.unchanged,
            rejected=plan.rejected,
            seconds=time.perf_counter() - started,
            conflicts=conflicts,
            colour_changes=len(plan.colours),
            overwritten=plan.overwritten,
            **more,  # type: ignore[arg-type]  # alerted / dry_run, typed on ImportReport
        )

    async def preview(self, data: bytes, overwrite: bool | Collection[str] = False) -> ImportReport:
        """The dry run: what `run` would do now, without writing anything."""
        started = time.perf_counter()
        async with self.db.read() as conn:
            plan = await self._plan(conn, data, overwrite)
            conflicts = await self._conflicts(conn, plan)
        return self._report(plan, conflicts, started, dry_run=True)

    async def run(
        self,
        data: bytes,
        actor_id: int | None = None,
        *,
        source_name: str = "import",
        overwrite: bool | Collection[str] = False,
    ) -> ImportReport:
        """Import in one transaction: every accepted row written, every rejected row reported.

        `overwrite`: True, or the folded keys of the conflicts the administrator chose to overwrite.
        """
        started = time.perf_counter()
        now = self.now()
        stamp = ts(now)
        colours = self.services.enterprises.colours
        reason = source_name[:120]
        async with self.db.tx() as conn:
            plan = await self._plan(conn, data, overwrite)
            conflicts = await self._conflicts(conn, plan)
            changes: list[Change] = []
            quiet: list[tuple[int, str | None, str, str, str]] = []
            clocks: list[tuple[int, str, datetime, datetime]] = []
            for row in plan.new:
                colour = row.colour or "blue"
                values = _values(row)
                source = "import" if row.colour else "rule"
                new_id = await enterprises_repo.insert_imported(conn, row.key, values, colour, source, stamp)
                due = colours.deadlines.due(colour, now)
                clocks.append((new_id, colour, now, due))
                if colours.deadlines.rules[colour].alert_tier is None:
                    quiet.append((new_id, None, colour, reason, "import"))
                    continue
                change_id = await risk_repo.add_change(
                    conn, new_id, None, colour, reason, "import", actor_id, now
                )
                created = Enterprise(
                    new_id, row.key, row.name, row.name_en, row.building_id, row.floor_unit, row.industry,
                    row.headcount_band, row.lease_end, row.party_org, colour, None, row.notes,
                )  # fmt: skip
                changes.append(Change(change_id, created, None, colour, reason, "import", actor_id, due))
            await risk_repo.add_changes(conn, quiet, now)
            await risk_repo.set_followups(conn, clocks)
            for row, current in plan.data:
                await enterprises_repo.update_imported(conn, current.id, _values(row), stamp)
            for row, current in plan.colours:
                enterprise = await enterprises_repo.get(conn, current.id)
                if enterprise is not None and row.colour is not None:
                    changes.append(
                        await colours.change(conn, enterprise, row.colour, reason, "import", actor_id)
                    )
            alerted = await colours.alert(conn, changes)
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "enterprise.import",
                "enterprises",
                f"{source_name}: added {len(plan.new)}, changed {len(plan.data) + len(plan.colours)},"
                f" unchanged {plan.unchanged}, conflicts kept {len(plan.conflicts)},"
                f" overwritten {plan.overwritten}, rejected {len(plan.rejected)}",
            )
        return self._report(plan, conflicts, started, alerted=frozenset(alerted))

    async def export(self) -> str:
        """The registry as CSV text (formula-safe), with each colour's date for a later re-import."""
        async with self.db.read() as conn:
            rows = await enterprises_repo.export_rows(conn)
        for row in rows:
            changed = row.pop("colour_changed_at", None)
            day = self.staff_day(from_ts(str(changed))) if changed else None
            row["colour_date"] = day.isoformat() if day else None
        return enterprise_csv.write(rows)
