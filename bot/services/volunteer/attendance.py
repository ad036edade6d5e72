"""Attendance as the district reports it: a month's CSV for the national volunteer platform, and
the figures of the stats feature (sign-ups, attendance rate, hours served, no-shows)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

from bot.domain import shifts as rules
from bot.services.access import NOT_ORGANISER, attendance_projects, ensure, may_export_attendance
from bot.services.base import InvalidInput, UseCases
from bot.storage import shifts as repo

CSV_COLUMNS = ["volunteer_id", "name", "project", "project_title", "date", "start", "end", "hours", "status"]


class Attendance(UseCases):
    async def attendance_csv(self, actor_id: int | None, month: str) -> tuple[bytes, str]:
        """A month's attendance (shifts starting in it) as CSV for the national volunteer platform.

        `actor_id=None` is the command line (an operator with database access): every project.
        """
        tz = self.settings.tz
        try:
            first = date.fromisoformat(f"{month.strip()}-01")
        except ValueError:
            raise InvalidInput("bad_month", month=month[:20]) from None
        nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        start = datetime.combine(first, time(0), tz)
        end = datetime.combine(nxt, time(0), tz)
        async with self.db.read() as conn:
            keys = None
            if actor_id is not None:
                access = await self.services.access.of_in(conn, actor_id)
                ensure(may_export_attendance(access), NOT_ORGANISER)
                keys = attendance_projects(access)
            rows = await repo.attendance_between(conn, start, end, keys)
        now = self.now()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            local_start, local_end = r.starts_at.astimezone(tz), r.ends_at.astimezone(tz)
            if r.attended:
                status = "attended"
            elif r.ends_at > now:
                status = "upcoming"
            else:
                status = "absent" if r.attended is False else "no_show"
            writer.writerow([
                r.user_id, _csv_safe(r.name), r.project_key, _csv_safe(r.project_title),
                local_start.date().isoformat(), f"{local_start:%H:%M}", f"{local_end:%H:%M}",
                rules.hours_of(r.starts_at, r.ends_at) if r.attended else 0, status,
            ])  # fmt: skip
        return ("\ufeff" + out.getvalue()).encode("utf-8"), f"volunteer-attendance-{first:%Y-%m}.csv"

    async def figures(self, since: datetime, until: datetime) -> dict[str, float]:
        """Sign-ups, attendance rate, hours served and no-shows of shifts starting in [since, until)."""
        async with self.db.read() as conn:
            f = await repo.figures(conn, since, until, self.now())
        ended, attended = int(f["ended"]), int(f["attended"])
        return {
            "signups": int(f["signups"]),
            "attendance_rate": round(attended / ended, 3) if ended else 0.0,
            "hours_served": round(f["hours"], 2),
            "no_shows": ended - attended,
            "late_cancellations": int(f["late"]),
        }


def _csv_safe(value: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
