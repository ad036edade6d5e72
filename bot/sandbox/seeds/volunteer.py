"""Demo volunteering: the article's three projects, Hu Jun on tomorrow's 06:00 hospital desk (so the
demo shows the 20:00 and 05:00 reminders when the clock is moved), a full lunch-time tutoring
shift with a waitlist (Li Na first in line), availability for filling empty places, and Chen Yu's
company team adopting the litter jogging for four weeks (/myteams shows its link and who joined)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.sandbox.seeds import LIAISON, ORGANISER, VOLUNTEER, WORKER

if TYPE_CHECKING:
    from bot.services import Services

PROJECTS = Path(__file__).resolve().parents[2] / "data" / "projects.yaml"
# Extra demo volunteers (ids below the fixed people's) to fill the tutoring shift.
EXTRA = [(1101, "Wei"), (1102, "Fang"), (1103, "Lei"), (1104, "Ting"), (1105, "Hao"), (1106, "Yan")]


async def seed(services: Services) -> None:
    vol = services.volunteer
    await vol.imports.import_projects(PROJECTS.read_text(encoding="utf-8"))
    projects = {p.key: p for p in await vol.browse.projects()}
    _, hospital, _ = await vol.browse.project_page(VOLUNTEER, projects["hospital-guide"].id)
    if hospital:
        await vol.signups.sign_up(VOLUNTEER, hospital[0].id)
        await vol.signups.sign_up(ORGANISER, hospital[0].id)
    _, tutoring, _ = await vol.browse.project_page(WORKER, projects["smartphone-elderly"].id)
    if tutoring:
        for uid, name in EXTRA:
            await services.users.seen(uid, name, None, "zh")
            await vol.signups.sign_up(uid, tutoring[0].id)
        await vol.signups.sign_up(WORKER, tutoring[0].id)  # full: Li Na is first on the waitlist
    for uid in (WORKER, LIAISON):
        await vol.browse.set_availability(uid, ["early", "lunch"])
    if len(hospital) > 1:
        await vol.signups.sign_up(VOLUNTEER, hospital[1].id)  # a regular: the day after too
    # Chen Yu (liaison of a Park Place company, linked by the enterprises seed) adopts the jogging.
    await vol.teams.adopt(LIAISON, projects["jogging-litter"].id, 3)
