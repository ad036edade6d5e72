# i18n-domain: requests
"""The one presenter of a request in messages: the staff card, alerts to staff, notices to the requester.

A card is posted once per tier in that tier's staff chat (its outbox dedupe key
`req:<id>:card:t<tier>`) and then edited in place, so the chat shows the truth without scrolling;
when the request climbs, the old card says where it went and loses its buttons. Everything is
queued in the caller's transaction. The buttons these messages carry are defined here, once, and
routed back by bot/handlers/staff_cards.py (staff) and bot/handlers/requests.py (requester).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.callbacks import Action
from bot.domain import requests as rules
from bot.domain.erasure import PLACEHOLDER
from bot.domain.escalation import TOP_TIER, hold_until, short_duration
from bot.msgids import N_
from bot.services.requests.base import RequestUseCases
from bot.services.requests.views import HistoryLine, RequestView, enterprise_name
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox as outbox_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.outbox import Buttons
from bot.storage.requests import RequestRow

log = logging.getLogger(__name__)

CARD_HISTORY = 8  # events shown on a card; /req shows them all

# The staff card's buttons ("1|rq|<action>|<request id>"): only a wish, checked when pressed.
CLAIM = Action("rq", "claim")
ASK = Action("rq", "ask")
NOTE = Action("rq", "note")
RESOLVE = Action("rq", "res")
ESCALATE = Action("rq", "esc")
STAFF_BUTTON_LABELS = {
    CLAIM: N_("✋ Claim"),
    ASK: N_("❓ Need info"),
    NOTE: N_("📝 Note"),
    RESOLVE: N_("✅ Resolve"),
    ESCALATE: N_("⬆️ Escalate"),
}
# The requester's buttons under a resolution notice (and in /myrequests): rate it, or "not solved".
RATE = Action("req", "rate")
NOT_SOLVED = Action("req", "ns")


class Cards(RequestUseCases):
    """Renders a request for its readers and queues it, in the caller's transaction."""

    async def view(
        self, conn: aiosqlite.Connection, r: RequestRow, lang: str, *, history: int | None = CARD_HISTORY
    ) -> RequestView:
        """The request in `lang` with its last `history` events (None: all of them)."""
        now = self.now()
        enterprise = await enterprises_repo.get(conn, r.enterprise_id) if r.enterprise_id else None
        building = await buildings_repo.get(conn, r.building_id) if r.building_id else None
        events = await repo.events(conn, r.id)
        shown = events if history is None else events[-history:]
        people = await users_repo.get_many(
            conn,
            sorted(
                {r.requester_id, *(x for x in (r.claimed_by,) if x)}
                | {e.actor_id for e in shown if e.actor_id}
            ),
        )

        def name(user_id: int | None) -> str | None:
            if user_id is None:
                return None
            user = people.get(user_id)
            return user.name if user else str(user_id)

        left = self.sla.time_left(r.resolve_by, now) if r.status in ("new", "claimed") else None
        earlier = []
        for card in await repo.cards(conn, r.id):
            if card.tier < r.tier:
                earlier.append((card.tier, await self._card_link(conn, card.card_key)))
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
            age=short_duration(now - r.created_at),
            resolve_by=r.resolve_by if r.status in rules.OPEN_STATUSES else None,
            left=short_duration(left) if left is not None else None,
            overdue=left is not None and left < timedelta(0),
            claimed_by=name(r.claimed_by),
            question=r.question,
            resolution=r.resolution,
            rating=r.rating,
            rating_comment=r.rating_comment,
            reopenable=rules.may_reopen(
                r.status,
                self.calendar.local_date(r.resolved_at) if r.resolved_at else None,
                self.calendar.local_date(now),
            ),
            history=[HistoryLine(e.at, name(e.actor_id), e.kind, e.tier, e.note) for e in shown],
            earlier_cards=earlier,
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

    def _buttons(self, r: RequestRow, lang: str) -> Buttons | None:
        """What staff can do next: claim or ask while new, note while handled, resolve, escalate below tier 4."""
        if r.status not in rules.OPEN_STATUSES:
            return None

        def b(action: Action) -> dict[str, str]:
            return action.button(self.gettext(lang, STAFF_BUTTON_LABELS[action]), r.id)

        rows = []
        if r.status == "new":
            rows.append([b(CLAIM), b(ASK)])
        elif r.status == "claimed":
            rows.append([b(ASK), b(NOTE)])
        else:
            rows.append([b(NOTE)])
        last = [b(RESOLVE)]
        if r.status == "new":
            last.insert(0, b(NOTE))
        if r.tier < TOP_TIER:
            last.append(b(ESCALATE))
        rows.append(last)
        return rows

    async def _text(
        self, conn: aiosqlite.Connection, r: RequestRow, lang: str, *, passed_to: int | None = None
    ) -> str:
        return self.render(
            lang, "requests/card.html", card=await self.view(conn, r, lang), passed_to=passed_to
        )

    async def post(self, conn: aiosqlite.Connection, r: RequestRow, now: datetime) -> None:
        """The card of the request's current tier, in that tier's chat (once per tier, ever)."""
        chat = await roles_repo.chat_for(conn, r.tier, r.building_id)
        if chat is None:
            log.warning("no staff chat bound for tier %s (request %s): card not posted", r.tier, r.reference)
            return
        key = f"req:{r.id}:card:t{r.tier}"
        if not await repo.add_card(conn, r.id, r.tier, chat.chat_id, key, now):
            return
        lang = self.staff_lang
        await outbox_repo.enqueue(
            conn,
            chat_id=chat.chat_id,
            kind="staff_card",
            text=await self._text(conn, r, lang),
            buttons=self._buttons(r, lang),
            now=now,
            dedupe_key=key,
        )
        if r.attachment_kind and r.attachment_ref:
            await outbox_repo.enqueue(
                conn,
                chat_id=chat.chat_id,
                kind="staff_card",
                text=self.render(lang, "requests/attachment.html", reference=r.reference),
                now=now,
                dedupe_key=f"req:{r.id}:att:t{r.tier}",
                media_kind=r.attachment_kind,
                media_ref=r.attachment_ref,
                media_name=r.attachment_name,
            )

    async def refresh(self, conn: aiosqlite.Connection, r: RequestRow, now: datetime) -> None:
        """Edit the current tier's card in place so the chat shows the truth without scrolling."""
        for card in await repo.cards(conn, r.id):
            if card.tier != r.tier:
                continue
            lang = self.staff_lang
            await outbox_repo.enqueue_edit(
                conn,
                edit_of=card.card_key,
                chat_id=card.chat_id,
                kind="staff_card",
                text=await self._text(conn, r, lang),
                buttons=self._buttons(r, lang),
                now=now,
            )

    async def ensure(self, conn: aiosqlite.Connection, r: RequestRow, now: datetime) -> None:
        """Refresh the current tier's card, or post it if that tier never had one."""
        if any(card.tier == r.tier for card in await repo.cards(conn, r.id)):
            await self.refresh(conn, r, now)
        else:
            await self.post(conn, r, now)

    async def pass_on(self, conn: aiosqlite.Connection, r: RequestRow, old_tier: int, now: datetime) -> None:
        """The card of the tier the request left says where it went, without buttons; then the new card."""
        for card in await repo.cards(conn, r.id):
            if card.tier == old_tier:
                await outbox_repo.enqueue_edit(
                    conn,
                    edit_of=card.card_key,
                    chat_id=card.chat_id,
                    kind="staff_card",
                    text=await self._text(conn, r, self.staff_lang, passed_to=r.tier),
                    buttons=None,
                    now=now,
                )
        await self.post(conn, r, now)

    async def redraw(self, conn: aiosqlite.Connection, request_id: int, now: datetime) -> set[str]:
        """Draw every card of the request again from what is stored now (after an erasure
        changed its text); returns the cards' keys."""
        r = await repo.get(conn, request_id)
        if r is None:
            return set()
        lang = self.staff_lang
        cards = await repo.cards(conn, r.id)
        for card in cards:
            current = card.tier == r.tier
            await outbox_repo.enqueue_edit(
                conn,
                edit_of=card.card_key,
                chat_id=card.chat_id,
                kind="staff_card",
                text=await self._text(conn, r, lang, passed_to=None if current else r.tier),
                buttons=self._buttons(r, lang) if current else None,
                now=now,
            )
        return {card.card_key for card in cards}

    async def show_erased(self, conn: aiosqlite.Connection, request_id: int, now: datetime) -> None:
        """After the requester's data was erased: its cards are drawn again ("[erased]" where
        their data was), and every other message about it still on a staff chat's screen (the
        attachment, alerts, their answers) says it was erased."""
        r = await repo.get(conn, request_id)
        if r is None:
            return
        drawn = await self.redraw(conn, request_id, now)
        for key, chat_id in await outbox_repo.sent_about(conn, f"req:{r.id}:", not_to=r.requester_id):
            if key not in drawn:
                await outbox_repo.enqueue_edit(
                    conn,
                    edit_of=key,
                    chat_id=chat_id,
                    kind="staff_alert",
                    text=self.render(
                        self.staff_lang,
                        "requests/erased.html",
                        reference=r.reference,
                        placeholder=PLACEHOLDER,
                    ),
                    now=now,
                )

    async def alert_staff(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        *,
        key: str,
        template: str,
        held_as: str | None = None,
        **values: Any,
    ) -> None:
        """A message about the request to its current tier's chat.

        With `held_as` (the alert's kind), outside working hours it waits for the morning digest.
        """
        chat = await roles_repo.chat_for(conn, r.tier, r.building_id)
        if chat is None:
            return
        if held_as is not None:
            release = hold_until(now, self.calendar, urgent=r.never_hold)
            if release is not None:
                await repo.hold_alert(conn, chat.chat_id, r.id, held_as, now, release)
                return
        view = await self.view(conn, r, self.staff_lang, history=0)
        await outbox_repo.enqueue(
            conn,
            chat_id=chat.chat_id,
            kind="staff_alert",
            text=self.render(self.staff_lang, template, card=view, **values),
            now=now,
            dedupe_key=key,
        )

    async def tell_requester(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        key: str,
        template: str,
        buttons: Callable[[str], Buttons] | None = None,
        **values: Any,
    ) -> None:
        """A notice to the requester in their language; `buttons(lang)` builds its keyboard."""
        lang = await self.lang_of(conn, r.requester_id)
        view = await self.view(conn, r, lang, history=0)
        await outbox_repo.enqueue(
            conn,
            chat_id=r.requester_id,
            kind="request_status",
            text=self.render(lang, template, card=view, **values),
            buttons=buttons(lang) if buttons else None,
            now=now,
            dedupe_key=key,
        )

    def rating_buttons(self, request_id: int, lang: str) -> Buttons:
        """One to five stars (one tap confirms it is solved), or "not solved"."""
        stars = [RATE.button("⭐" * n, request_id, n) for n in range(1, 6)]
        return [
            stars[:3],
            stars[3:],
            [NOT_SOLVED.button(self.gettext(lang, N_("❌ Not solved")), request_id)],
        ]
