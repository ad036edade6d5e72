# i18n-domain: requests
"""Where a request's messages go: the staff card, alerts to staff, notices to the requester.

A card is posted once per tier (its outbox dedupe key `req:<id>:card:t<tier>`) and then edited in
place, so the chat shows the truth without scrolling; when the request climbs, the old card says
where it went and loses its buttons. A tier without a bound staff chat never swallows a card: it
goes to the nearest bound tier above with a warning (the administrators are asked to bind one),
or, with none above, to the administrators in private. Everything is queued in the caller's
transaction. What they say is the presenter's (bot/services/requests/presenter.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain import requests as rules
from bot.domain.erasure import PLACEHOLDER
from bot.domain.escalation import TOP_TIER, hold_until
from bot.msgids import N_
from bot.render import CAPTION_LIMIT, MESSAGE_LIMIT
from bot.services.requests.presenter import NOT_SOLVED, RATE, REPLY, Presenter
from bot.services.requests.views import RequestView
from bot.storage import buildings as buildings_repo
from bot.storage import outbox as outbox_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.outbox import Buttons
from bot.storage.requests import RequestRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Place:
    """Where a tier's card goes: its own chat, the nearest bound tier above, or the administrators."""

    how: str  # 'chat', 'above', 'admins' or 'nowhere'
    chat_ids: tuple[int, ...]
    title: str | None = None


class Cards(Presenter):
    """Posts a request's messages and keeps its card true, in the caller's transaction."""

    # ------------------------------------------------------------------ where a card goes

    async def place(self, conn: aiosqlite.Connection, r: RequestRow) -> Place:
        """The tier's chat, else the nearest bound tier above, else the administrators in private."""
        for tier in range(r.tier, TOP_TIER + 1):
            chat = await roles_repo.chat_for(conn, tier, r.building_id)
            if chat is not None:
                return Place("chat" if tier == r.tier else "above", (chat.chat_id,), chat.title)
        admins = await self.services.access.admin_ids(conn)
        return Place("admins", tuple(admins)) if admins else Place("nowhere", ())

    async def post(
        self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, view: RequestView | None = None
    ) -> Place:
        """The card of the request's current tier (once per tier, ever), wherever it can be seen."""
        place = await self.place(conn, r)
        key = f"req:{r.id}:card:t{r.tier}"
        if not place.chat_ids:
            log.error("request %s: no staff chat and no administrator to show its card to", r.reference)
            return place
        if not await repo.add_card(conn, r.id, r.tier, place.chat_ids[0], key, now):
            return place
        await self._send_card(conn, r, now, place, key, view)
        if place.how != "chat":
            await repo.add_event(conn, r.id, now, None, "unbound_tier", r.tier)
        if place.how == "above":
            await self._ask_to_bind(conn, r, now, place)
        return place

    async def _send_card(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        place: Place,
        key: str,
        view: RequestView | None = None,
    ) -> None:
        lang = self.staff_lang
        text = await self.text(conn, r, lang, view=view)
        for n, chat_id in enumerate(place.chat_ids):
            card_key = key if n == 0 else f"{key}:a{chat_id}"
            await outbox_repo.enqueue(
                conn,
                chat_id=chat_id,
                kind="staff_card",
                text=text,
                buttons=self.buttons(r, lang),
                now=now,
                dedupe_key=card_key,
            )
            if r.attachment_kind and r.attachment_ref:
                await outbox_repo.enqueue(
                    conn,
                    chat_id=chat_id,
                    kind="staff_card",
                    text=self.render(lang, "requests/attachment.html", reference=r.reference),
                    now=now,
                    dedupe_key=f"{card_key}:att",
                    media_kind=r.attachment_kind,
                    media_ref=r.attachment_ref,
                    media_name=r.attachment_name,
                    reply_to=card_key,
                )

    async def _ask_to_bind(
        self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, place: Place
    ) -> None:
        """Every administrator hears which tier needs a staff chat (once a day per tier and building)."""
        day = self.calendar.local_date(now).isoformat()
        admins = await self.services.access.admin_ids(conn)
        people = await users_repo.get_many(conn, admins)
        building = await buildings_repo.get(conn, r.building_id) if r.building_id else None
        for admin_id in admins:
            lang = self.services.users.language_of(people.get(admin_id))
            await outbox_repo.enqueue(
                conn,
                chat_id=admin_id,
                kind="admin",
                text=self.render(
                    lang,
                    "requests/bind_needed.html",
                    reference=r.reference,
                    tier=r.tier,
                    tier_label=rules.TIER_LABELS[r.tier],
                    chat_title=place.title,
                    building=building.name(lang) if building else None,
                    building_code=building.code if building else None,
                ),
                now=now,
                dedupe_key=f"req:bind:t{r.tier}:b{r.building_id or 0}:{day}:{admin_id}",
            )

    # ------------------------------------------------------------------ keeping cards true

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
                text=await self.text(conn, r, lang),
                buttons=self.buttons(r, lang),
                now=now,
            )

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
                text=await self.text(conn, r, lang, passed_to=None if current else r.tier),
                buttons=self.buttons(r, lang) if current else None,
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

    async def ensure(self, conn: aiosqlite.Connection, r: RequestRow, now: datetime) -> None:
        """Refresh the current tier's card, or post it if that tier never had one."""
        if any(card.tier == r.tier for card in await repo.cards(conn, r.id)):
            await self.refresh(conn, r, now)
        else:
            await self.post(conn, r, now)

    async def pass_on(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        old_tier: int,
        now: datetime,
        view: RequestView | None = None,
    ) -> Place:
        """The card of the tier the request left says where it went, without buttons; then the new
        card (both show the same request: `view`, read once in the staff's language)."""
        for card in await repo.cards(conn, r.id):
            if card.tier == old_tier:
                await outbox_repo.enqueue_edit(
                    conn,
                    edit_of=card.card_key,
                    chat_id=card.chat_id,
                    kind="staff_card",
                    text=await self.text(conn, r, self.staff_lang, passed_to=r.tier, view=view),
                    buttons=None,
                    now=now,
                )
        return await self.post(conn, r, now, view)

    async def relocate(self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, moved_to: str) -> None:
        """The request now belongs elsewhere (another building): its card follows it to that chat."""
        current = next((c for c in await repo.cards(conn, r.id) if c.tier == r.tier), None)
        place = await self.place(conn, r)
        if current is None:
            await self.post(conn, r, now)
            return
        if place.chat_ids and place.chat_ids[0] == current.chat_id:
            await self.refresh(conn, r, now)
            return
        await outbox_repo.enqueue_edit(
            conn,
            edit_of=current.card_key,
            chat_id=current.chat_id,
            kind="staff_card",
            text=await self.text(conn, r, self.staff_lang, moved_to=moved_to),
            buttons=None,
            now=now,
        )
        if not place.chat_ids:
            return
        key = f"req:{r.id}:card:t{r.tier}:m{now.timestamp():.0f}"
        await desk_repo.move_card(conn, r.id, r.tier, place.chat_ids[0], key, now)
        await self._send_card(conn, r, now, place, key)
        if place.how == "above":
            await self._ask_to_bind(conn, r, now, place)

    async def card_key(self, conn: aiosqlite.Connection, r: RequestRow) -> tuple[int, str] | None:
        """(chat, outbox key) of the current tier's card, if it was posted."""
        for card in await repo.cards(conn, r.id):
            if card.tier == r.tier:
                return card.chat_id, card.card_key
        return None

    # ------------------------------------------------------------------ messages about a request

    async def alert_staff(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        *,
        key: str,
        template: str,
        held_as: str | None = None,
        thread: bool = False,
        media: tuple[str, str, str | None] | None = None,
        **values: Any,
    ) -> None:
        """A message about the request where its current card is (`thread`: as a reply to the card).

        With `held_as` (the alert's kind), outside working hours it waits for the morning digest.
        """
        card = await self.card_key(conn, r)
        if card is None:
            place = await self.place(conn, r)
            if not place.chat_ids:
                return
            card = (place.chat_ids[0], "")
        chat_id, card_key = card
        if held_as is not None:
            release = hold_until(now, self.calendar, urgent=r.never_hold)
            if release is not None:
                await repo.hold_alert(conn, chat_id, r.id, held_as, now, release)
                return
        view = await self.view(conn, r, self.staff_lang, history=0)
        kind, ref, name = media or (None, None, None)
        await outbox_repo.enqueue(
            conn,
            chat_id=chat_id,
            kind="staff_alert",
            text=self.renderer.render(
                self.staff_lang, template, CAPTION_LIMIT if media else MESSAGE_LIMIT, card=view, **values
            ),
            now=now,
            dedupe_key=key,
            media_kind=kind,
            media_ref=ref,
            media_name=name,
            reply_to=card_key if thread and card_key else None,
        )

    async def tell_requester(
        self,
        conn: aiosqlite.Connection,
        r: RequestRow,
        now: datetime,
        key: str,
        template: str,
        buttons: Callable[[str], Buttons] | None = None,
        *,
        media: tuple[str, str, str | None] | None = None,
        staff_view: RequestView | None = None,
        **values: Any,
    ) -> None:
        """A notice to the requester in their language; `buttons(lang)` builds its keyboard
        (`staff_view`: the request already read in the staff's language, reused when it is theirs)."""
        lang = await self.lang_of(conn, r.requester_id)
        if staff_view is not None and lang == self.staff_lang:
            view = replace(staff_view, history=[])
        else:
            view = await self.view(conn, r, lang, history=0)
        kind, ref, name = media or (None, None, None)
        await outbox_repo.enqueue(
            conn,
            chat_id=r.requester_id,
            kind="request_status",
            text=self.renderer.render(
                lang, template, CAPTION_LIMIT if media else MESSAGE_LIMIT, card=view, **values
            ),
            buttons=buttons(lang) if buttons else None,
            now=now,
            dedupe_key=key,
            media_kind=kind,
            media_ref=ref,
            media_name=name,
        )

    def rating_buttons(self, request_id: int, lang: str) -> Buttons:
        """One to five stars (one tap confirms it is solved), or "not solved"."""
        stars = [RATE.button("⭐" * n, request_id, n) for n in range(1, 6)]
        return [
            stars[:3],
            stars[3:],
            [NOT_SOLVED.button(self.gettext(lang, N_("❌ Not solved")), request_id)],
        ]

    def reply_button(self, request_id: int, lang: str) -> Buttons:
        """Under a message from the staff (or a question): answer it."""
        return [[REPLY.button(self.gettext(lang, N_("↩️ Reply")), request_id)]]
