# i18n-domain: requests
"""How a request reads: the view every message is rendered from, the staff card's text and its
buttons. The buttons these messages carry are defined here, once, and routed back by
bot/handlers/staff_cards.py (staff), bot/handlers/requests.py and bot/handlers/replies.py.
"""

from __future__ import annotations

from datetime import timedelta

import aiosqlite

from bot.callbacks import Action
from bot.domain import requests as rules
from bot.domain.escalation import TOP_TIER
from bot.msgids import N_
from bot.services.enterprises.actions import TAG as STABILITY_TAG
from bot.services.enterprises.actions import TAG_LABEL as STABILITY_TAG_LABEL
from bot.services.miniapp.links import OPEN_APP, open_button, route
from bot.services.requests.base import RequestUseCases
from bot.services.requests.views import HistoryLine, RequestView, Wait, enterprise_name
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.outbox import Buttons
from bot.storage.requests import RequestRow

CARD_HISTORY = 8  # events shown on a card; /req shows them all

# The staff card's buttons ("1|rq|<action>|<request id>"): only a wish, checked when pressed.
CLAIM = Action("rq", "claim")
ASK = Action("rq", "ask")
NOTE = Action("rq", "note")
RESOLVE = Action("rq", "res")
ESCALATE = Action("rq", "esc")
MESSAGE = Action("rq", "msg")
RESUME = Action("rq", "resume")
MORE = Action("rq", "more")
STAFF_BUTTON_LABELS = {
    CLAIM: N_("✋ Claim"),
    ASK: N_("❓ Need info"),
    NOTE: N_("📝 Note"),
    RESOLVE: N_("✅ Resolve"),
    ESCALATE: N_("⬆️ Escalate"),
    MESSAGE: N_("✉️ Message requester"),
    RESUME: N_("▶️ Resume"),
    MORE: N_("⋯ More"),
}
# The requester's buttons: rate a resolution (or "not solved"), and answer the staff.
RATE = Action("req", "rate")
NOT_SOLVED = Action("req", "ns")
REPLY = Action("rqr", "reply")  # routed by bot/handlers/replies.py


class Presenter(RequestUseCases):
    """A request as people read it (`view`), and its staff card (`text`, `buttons`)."""

    async def view(
        self, conn: aiosqlite.Connection, r: RequestRow, lang: str, *, history: int | None = CARD_HISTORY
    ) -> RequestView:
        """The request in `lang` with its last `history` events (None: all of them)."""
        now = self.now()
        enterprise = await enterprises_repo.get(conn, r.enterprise_id) if r.enterprise_id else None
        building = await buildings_repo.get(conn, r.building_id) if r.building_id else None
        events = await repo.events(conn, r.id) if history != 0 else []
        shown = events if history is None else events[-history:] if history else []
        people = await users_repo.get_many(
            conn,
            sorted(
                {r.requester_id, *(x for x in (r.claimed_by, r.resolved_by) if x)}
                | {e.actor_id for e in shown if e.actor_id}
            ),
        )

        def name(user_id: int | None) -> str | None:
            if user_id is None:
                return None
            user = people.get(user_id)
            return user.name if user else str(user_id)

        running = r.status in ("new", "claimed")
        left = self.sla.time_left(r.resolve_by, now) if running else None
        earlier = []
        for card in await repo.cards(conn, r.id):
            if card.tier < r.tier:
                earlier.append((card.tier, await self._card_link(conn, card.card_key)))
        wait = None
        if r.status == "waiting":
            pause = (await desk_repo.open_pauses(conn, [r.id])).get(r.id)
            if pause is not None:
                wait = Wait(pause.reason, pause.party, pause.expected_on, pause.started_at, r.question)
        unbound = None
        if r.status in rules.OPEN_STATUSES and await roles_repo.chat_for(conn, r.tier, r.building_id) is None:
            unbound = r.tier
        duplicate = await repo.get(conn, r.duplicate_of) if r.duplicate_of else None
        resolved_on = self.calendar.local_date(r.resolved_at) if r.resolved_at else None
        return RequestView(
            id=r.id,
            reference=r.reference,
            category=rules.CATEGORY_LABELS.get(r.category, rules.CATEGORY_LABELS["other"]),
            status=r.status,
            tier=r.tier,
            enterprise=enterprise_name(enterprise, r.enterprise_name, lang),
            building=building.name(lang) if building else None,
            requester=name(r.requester_id) or "",
            description=r.description,
            attachment_kind=r.attachment_kind,
            created_at=r.created_at,
            age=self.span(now - r.created_at),
            resolve_by=r.resolve_by if r.status in rules.OPEN_STATUSES else None,
            left=self.span(left) if left is not None else None,
            overdue=left is not None and left < timedelta(0),
            claimed_by=name(r.claimed_by),
            question=r.question,
            resolution=r.resolution,
            rating=r.rating,
            rating_comment=r.rating_comment,
            reopenable=r.close_reason is None
            and rules.may_reopen(r.status, resolved_on, self.calendar.local_date(now)),
            history=[
                HistoryLine(e.at, name(e.actor_id), e.kind, e.tier, e.note, e.media_kind) for e in shown
            ],
            earlier_cards=earlier,
            resolved_by=name(r.resolved_by),
            wait=wait,
            close_reason=r.close_reason,
            duplicate_of=duplicate.reference if duplicate else None,
            referral=r.referral,
            unbound_tier=unbound,
            withdrawable=r.status in rules.OPEN_STATUSES,
        )

    async def _card_link(self, conn: aiosqlite.Connection, card_key: str) -> str | None:
        """A t.me link to an earlier card (only supergroups have such links)."""
        where = await repo.card_message(conn, card_key)
        if where is None:
            return None
        chat_id, message_id = where
        text = str(chat_id)
        if not text.startswith("-100"):
            return None
        return f"https://t.me/c/{text[4:]}/{message_id}"

    def buttons(self, r: RequestRow, lang: str) -> Buttons | None:
        """What staff can do next (the card's keyboard; the rest is behind "More")."""
        if r.status not in rules.OPEN_STATUSES:
            return None

        def b(action: Action) -> dict[str, str]:
            return action.button(self.gettext(lang, STAFF_BUTTON_LABELS[action]), r.id)

        if r.status == "new":
            first = [b(CLAIM), b(ASK), b(NOTE)]
        elif r.status == "claimed":
            first = [b(MESSAGE), b(ASK), b(NOTE)]
        else:
            first = [b(RESUME), b(NOTE)]
        last = [b(RESOLVE)]
        if r.tier < TOP_TIER:
            last.append(b(ESCALATE))
        if r.enterprise_id is not None:  # what the request means for the company (enterprises' signals)
            last.append(STABILITY_TAG.button(self.gettext(lang, STABILITY_TAG_LABEL), r.id))
        last.append(b(MORE))
        rows = [first, last]
        if r.status != "claimed":
            rows.insert(1, [b(MESSAGE)])
        # Cards live in staff groups: the Mini App opens there through its t.me link (when set).
        app = open_button(self.settings, self.gettext(lang, OPEN_APP), route("req", r.id), private=False)
        if app is not None:
            rows.append([app])
        return rows

    async def text(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        lang: str,
        *,
        passed_to: int | None = None,
        moved_to: str | None = None,
        view: RequestView | None = None,
    ) -> str:
        """The staff card's text (`view`: the request already read in `lang` for this change)."""
        return self.render(
            lang,
            "requests/card.html",
            card=view or await self.view(conn, r, lang),
            passed_to=passed_to,
            moved_to=moved_to,
        )
