"""/mydata's volunteering section: what the feature holds about a person, in their words (titles,
dates and statuses instead of the internal ids of the raw tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.finder import AVAILABILITY
from bot.services.privacy import Section
from bot.storage import shifts as repo
from bot.storage import vol_certificates as certificates_repo

if TYPE_CHECKING:
    from bot.services import Services

STATUSES = ("confirmed", "waitlisted", "offered", "cancelled", "passed", "expired")


async def volunteering_section(services: Services, user_id: int, lang: str) -> Section | None:
    tz = services.settings.tz
    async with services.db.read() as conn:
        signups = await repo.of_user(conn, user_id, STATUSES)
        slots, _building = await repo.availability(conn, user_id)
        certificates = await certificates_repo.of_user(conn, user_id)
        projects = await repo.projects_many(conn, sorted({shift.project_id for _, shift in signups}))
    if not (signups or slots or certificates):
        return None
    now = services.clock.now()
    rows = []
    credited: list[float] = []
    for signup, shift in signups:
        minutes = signup.credited_minutes if signup.credited_minutes is not None else shift.minutes
        credited.append(round(minutes / 60, 2) if signup.attended else 0.0)
        project = projects.get(shift.project_id)
        local = shift.starts_at.astimezone(tz)
        rows.append({
            "project": project.title_in(lang) if project else "",
            "date": local.date().isoformat(),
            "start": f"{local:%H:%M}",
            "end": f"{shift.ends_at.astimezone(tz):%H:%M}",
            "place": shift.place_note or (project.place_in(lang) if project else ""),
            "status": signup.status,
            "shift_cancelled": shift.status == "cancelled",
            "late_cancellation": signup.late_cancel,
            "checked_in_at": signup.checked_in_at.astimezone(tz).isoformat(timespec="minutes") if signup.checked_in_at else None,
            "check_in_proof": signup.checkin_method,
            "check_in_verified": signup.verified,
            "distance_m": signup.checkin_distance_m,
            "hours_credited": credited[-1],
        })  # fmt: skip
    data = {
        "shifts": rows,
        "usually_free": slots,
        "certificates": [
            {"serial": c.serial, "name": c.name, "hours": c.hours, "issued": c.issued_at.astimezone(tz).date().isoformat()}
            for c in certificates
        ],
    }  # fmt: skip
    upcoming = [
        (shift, projects.get(shift.project_id))
        for signup, shift in signups
        if signup.status in ("confirmed", "waitlisted", "offered")
        and shift.ends_at > now
        and shift.status == "open"
    ]
    summary = services.renderer.render(
        lang,
        "volunteer/mydata.html",
        signed_up=len(signups),
        attended=sum(1 for h in credited if h),
        hours=round(sum(credited), 2),
        upcoming=upcoming[:5],
        slots=[AVAILABILITY[s] for s in slots if s in AVAILABILITY],
        certificates=certificates,
    )
    return Section(summary, data)
