"""Service requests, split by use case; callers write `services.requests.<part>.<method>(...)`.

- intake: filing a request (choices, checks of what was typed, submit)
- requester: /myrequests, answers to staff questions, rating, "not solved"
- staff: the card's buttons (claim, note, ask, resolve, escalate), /req, /bindchat
- cards: the one presenter of a request in messages (staff card, staff alerts, requester notices)
- ladder: a step up the four tiers, and the scheduler tick (deadlines, reminders, digests)
- figures: the numbers /stats reads

Who may do what is decided by the "requests rules" of services/access.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.requests.cards import Cards
from bot.services.requests.figures import Figures
from bot.services.requests.intake import Intake
from bot.services.requests.ladder import EscalationLadder
from bot.services.requests.requester import Requester
from bot.services.requests.staff import StaffDesk

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Requests:
    intake: Intake
    requester: Requester
    staff: StaffDesk
    cards: Cards
    ladder: EscalationLadder
    figures: Figures


def build(services: Services) -> Requests:
    return Requests(
        intake=Intake(services),
        requester=Requester(services),
        staff=StaffDesk(services),
        cards=Cards(services),
        ladder=EscalationLadder(services),
        figures=Figures(services),
    )
