"""When an enterprise's next visit is due: each colour's follow-up rule (BOT_ENTERPRISE_FOLLOWUP),
counted in the station's working days where the rule says so.

Shared by the use cases that restart the follow-up clock: an import, a colour change, a visit.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.risk import FollowUpRule
from bot.domain.worktime import WorkCalendar
from bot.settings import Settings


class Deadlines:
    def __init__(self, settings: Settings) -> None:
        self.rules: dict[str, FollowUpRule] = dict(settings.enterprise_followup)
        self.cal = WorkCalendar(tz=settings.tz)

    def due(self, colour: str, since: datetime) -> datetime:
        """The next visit of an enterprise of `colour` whose clock started at `since`."""
        return self.rules[colour].due(since, self.cal)
