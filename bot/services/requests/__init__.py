"""Service requests, split by use case; callers write `services.requests.<part>.<method>(...)`.

- intake: filing a request (choices, checks of what was typed, submit)
- requester: /myrequests, answers to staff questions, rating, "not solved", withdrawing
- staff: the card's buttons (claim, note, ask, resolve, escalate), /req, /bindchat
- routing: assign, hand over, unclaim, category and building, duplicate and out-of-scope closings
- conversation: staff write to the requester, the requester's replies threaded under the card
- pauses: waiting on the requester, a department or a third party; nudges, closing, reminders
- prompts: typed answers taken only as a reply to their prompt, by its owner, in time
- queue / search: the work queue and /find, as plain data (the Mini App reuses them)
- cards: the one presenter of a request in messages (staff card, staff alerts, requester notices)
- ladder: a step up the four tiers, and the scheduler tick (deadlines, pauses, digests)
- figures: the numbers /stats reads

Who may do what is decided by the "requests rules" of services/access.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.services.requests.cards import Cards
from bot.services.requests.conversation import Conversation
from bot.services.requests.figures import Figures
from bot.services.requests.intake import Intake
from bot.services.requests.ladder import EscalationLadder
from bot.services.requests.pauses import Pauses
from bot.services.requests.prompts import Prompts
from bot.services.requests.queue import Queue
from bot.services.requests.requester import Requester
from bot.services.requests.routing import Routing
from bot.services.requests.search import Search
from bot.services.requests.staff import StaffDesk

if TYPE_CHECKING:
    from bot.services import Services


@dataclass(frozen=True)
class Requests:
    intake: Intake
    requester: Requester
    staff: StaffDesk
    routing: Routing
    conversation: Conversation
    pauses: Pauses
    prompts: Prompts
    queue: Queue
    search: Search
    cards: Cards
    ladder: EscalationLadder
    figures: Figures


def build(services: Services) -> Requests:
    return Requests(
        intake=Intake(services),
        requester=Requester(services),
        staff=StaffDesk(services),
        routing=Routing(services),
        conversation=Conversation(services),
        pauses=Pauses(services),
        prompts=Prompts(services),
        queue=Queue(services),
        search=Search(services),
        cards=Cards(services),
        ladder=EscalationLadder(services),
        figures=Figures(services),
    )
