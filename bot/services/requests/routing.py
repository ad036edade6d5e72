# i18n-domain: requests
"""Routing a request: who handles it (assign, hand over, unclaim), where it belongs (category,
building) and the closings that are not a resolution (a duplicate, out of the station's scope).

Every step is one transaction: checked at the moment of the action, an event in the history, the
card refreshed (or moved to the right chat), and the people concerned told through the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.callbacks import Action
from bot.domain import requests as rules
from bot.services.access import ensure, may_take_over, sees_request
from bot.services.base import InvalidInput
from bot.services.requests.base import NOT_ALLOWED, RequestUseCases, checked_words
from bot.services.requests.views import Outcome
from bot.storage import buildings as buildings_repo
from bot.storage import guide as guide_repo
from bot.storage import outbox as outbox_repo
from bot.storage import request_desk as desk_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.buildings import Building
from bot.storage.requests import RequestRow

COLLEAGUES_SHOWN = 24
GUIDE_PREFIX = "guide:"
# The service guide's "open an entry" button (routed by bot/handlers/guide.py).
GUIDE_ENTRY = Action("guide", "open")


@dataclass(frozen=True)
class Colleague:
    user_id: int
    name: str


class Routing(RequestUseCases):
    """Who handles a request and where it belongs."""

    # ------------------------------------------------------------------ who handles it

    async def colleagues(self, actor_id: int, request_id: int) -> tuple[str, list[Colleague]]:
        """Staff who could handle this request themselves (the current handler left out)."""
        async with self.db.read() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            found: list[Colleague] = []
            for holder in await roles_repo.holders(conn):
                user_id = holder.role.user_id
                if user_id == r.claimed_by or any(c.user_id == user_id for c in found):
                    continue
                if may_take_over(await self.services.access.of_in(conn, user_id), r):
                    found.append(Colleague(user_id, holder.name))
        return r.reference, found[:COLLEAGUES_SHOWN]

    async def assign(
        self,
        actor_id: int,
        request_id: int,
        assignee_id: int,
        note: str | None = None,
        *,
        kind: str = "assigned",
    ) -> Outcome:
        """The request goes to a colleague who covers it; they are told in private, the card shows them."""
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            ensure(may_take_over(await self.services.access.of_in(conn, assignee_id), r), NOT_ALLOWED)
            people = await users_repo.get_many(conn, [actor_id, assignee_id])
            assignee = people[assignee_id].name if assignee_id in people else str(assignee_id)
            await repo.update(
                conn,
                r.id,
                now,
                status="waiting" if r.status == "waiting" else "claimed",
                claimed_by=assignee_id,
                claimed_at=now,
                respond_by=None,
            )
            detail = f"→ {assignee}" + (f": {note}" if note else "")
            event_id = await repo.add_event(conn, r.id, now, actor_id, kind, r.tier, detail)
            await self.requests.staff.audit(conn, now, actor_id, kind, r, f"to={assignee_id}")
            changed = r.claimed_by != assignee_id
            r = await self.reload(conn, r)
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            if assignee_id != actor_id:
                lang = await self.lang_of(conn, assignee_id)
                await outbox_repo.enqueue(
                    conn,
                    chat_id=assignee_id,
                    kind="staff_alert",
                    text=self.render(
                        lang,
                        "requests/staff_assigned.html",
                        card=await cards.view(conn, r, lang, history=0),
                        by=people[actor_id].name if actor_id in people else str(actor_id),
                        note=note,
                        kind=kind,
                    ),
                    now=now,
                    dedupe_key=f"req:{r.id}:assigned:{event_id}",
                )
            if changed:
                await cards.tell_requester(
                    conn, r, now, f"req:{r.id}:n:claimed:{event_id}", "requests/notice_claimed.html"
                )
            return Outcome(r.reference, kind, r.tier, assignee)

    async def hand_over(self, actor_id: int, request_id: int, assignee_id: int, text: str | None) -> Outcome:
        """Assign with a note for the colleague taking over (what was done, what is left)."""
        note = checked_words(text, rules.NOTE_MAX, "note_length")
        return await self.assign(actor_id, request_id, assignee_id, note, kind="handed_over")

    async def unclaim(self, actor_id: int, request_id: int) -> Outcome:
        """Nobody handles it any more: back to "new", and the first-response clock starts again."""
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            if r.claimed_by is None:
                raise InvalidInput("not_claimed", reference=r.reference)
            running = r.status != "waiting"
            await repo.update(
                conn,
                r.id,
                now,
                status="new" if running else "waiting",
                claimed_by=None,
                claimed_at=None,
                respond_by=self.sla.clock.add(now, self.sla.first_response) if running else None,
            )
            await repo.add_event(conn, r.id, now, actor_id, "unclaimed", r.tier)
            await self.requests.staff.audit(conn, now, actor_id, "unclaim", r)
            r = await self.reload(conn, r)
            await self.requests.cards.refresh(conn, r, now)
            return Outcome(r.reference, "unclaimed", r.tier)

    # ------------------------------------------------------------------ where it belongs

    async def recategorise(self, actor_id: int, request_id: int, category: str) -> Outcome:
        if category not in rules.CATEGORIES:
            raise InvalidInput("category")
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            if category == r.category:
                raise InvalidInput("same_category", reference=r.reference)
            await repo.update(conn, r.id, now, category=category)
            event_id = await repo.add_event(
                conn, r.id, now, actor_id, "recategorised", r.tier, f"{r.category} → {category}"
            )
            await self.requests.staff.audit(conn, now, actor_id, "category", r, category)
            r = await self.reload(conn, r)
            await self.requests.cards.refresh(conn, r, now)
            await self.requests.cards.tell_requester(
                conn, r, now, f"req:{r.id}:n:cat:{event_id}", "requests/notice_recategorised.html"
            )
            return Outcome(r.reference, "recategorised", r.tier, rules.CATEGORY_LABELS[category])

    async def buildings(self) -> list[Building]:
        async with self.db.read() as conn:
            return await buildings_repo.all_buildings(conn)

    async def move(self, actor_id: int, request_id: int, building_id: int) -> Outcome:
        """Misfiled: the request belongs to another building; its card moves to that building's chat."""
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            building = await buildings_repo.get(conn, building_id)
            if building is None:
                raise InvalidInput("building")
            if building.id == r.building_id:
                raise InvalidInput("same_building", reference=r.reference)
            old = await buildings_repo.get(conn, r.building_id) if r.building_id else None
            await repo.update(conn, r.id, now, building_id=building.id)
            event_id = await repo.add_event(
                conn, r.id, now, actor_id, "moved", r.tier, f"{old.code if old else '-'} → {building.code}"
            )
            await self.requests.staff.audit(conn, now, actor_id, "move", r, building.code)
            r = await self.reload(conn, r)
            cards = self.requests.cards
            await cards.relocate(conn, r, now, moved_to=building.name(self.staff_lang))
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:n:moved:{event_id}",
                "requests/notice_moved.html",
                building=building,
            )
            return Outcome(r.reference, "moved", r.tier, building.name(self.staff_lang))

    # ------------------------------------------------------------------ closings that are not a resolution

    async def close_in(
        self, conn: aiosqlite.Connection, r: RequestRow, now: datetime, reason: str, **fields: object
    ) -> RequestRow:
        """Closed (no rating asked): the clock, the pause and the deadlines stop."""
        await desk_repo.end_pause(conn, r.id, now, "closed")
        await repo.update(
            conn,
            r.id,
            now,
            status="closed",
            close_reason=reason,
            closed_at=now,
            respond_by=None,
            resolve_by=None,
            warn_at=None,
            paused_at=None,
            wait_on=None,
            question=None,
            asked_by=None,
            **fields,
        )
        return await self.reload(conn, r)

    async def close_duplicate(self, actor_id: int, request_id: int, text: str | None) -> Outcome:
        """Closed as a duplicate of another request (linked both ways); the requester is told which."""
        reference = rules.parse_reference(text or "")
        if reference is None:
            raise InvalidInput("reference")
        now = self.now()
        async with self.db.tx() as conn:
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            other = await repo.by_reference(conn, reference)
            access = await self.services.access.of_in(conn, actor_id)
            if other is None or not sees_request(access, other):
                raise InvalidInput("unknown_reference", reference=reference)
            if other.id == r.id or other.duplicate_of == r.id:
                raise InvalidInput("same_request", reference=reference)
            r = await self.close_in(conn, r, now, "duplicate", duplicate_of=other.id)
            event_id = await repo.add_event(conn, r.id, now, actor_id, "duplicate", r.tier, other.reference)
            await repo.add_event(
                conn, other.id, now, actor_id, "note", other.tier, f"{r.reference} = {other.reference}"
            )
            await self.requests.staff.audit(conn, now, actor_id, "duplicate", r, other.reference)
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            await cards.refresh(conn, other, now)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:n:dup:{event_id}",
                "requests/notice_duplicate.html",
                other=other.reference,
            )
            return Outcome(r.reference, "duplicate", r.tier, other.reference)

    async def close_out_of_scope(self, actor_id: int, request_id: int, text: str | None) -> Outcome:
        """Not something the station handles: closed with where to turn (a guide entry's key, or words)."""
        words = checked_words(text, rules.REFERRAL_MAX, "referral_length")
        now = self.now()
        await self.services.guide.ensure_catalogue()
        async with self.db.tx() as conn:
            entry = await guide_repo.get(conn, words) if " " not in words else None
            referral = f"{GUIDE_PREFIX}{entry.id}" if entry else words
            r = await self.requests.staff.handled(conn, actor_id, request_id)
            r = await self.close_in(conn, r, now, "out_of_scope", referral=referral)
            event_id = await repo.add_event(conn, r.id, now, actor_id, "out_of_scope", r.tier, referral)
            await self.requests.staff.audit(conn, now, actor_id, "out_of_scope", r, referral)
            cards = self.requests.cards
            await cards.refresh(conn, r, now)
            await cards.tell_requester(
                conn,
                r,
                now,
                f"req:{r.id}:n:oos:{event_id}",
                "requests/notice_out_of_scope.html",
                (lambda lang: [[GUIDE_ENTRY.button(entry.title.in_(lang)[:60], entry.id)]])
                if entry
                else None,
                entry=entry,
                words=None if entry else words,
            )
            return Outcome(r.reference, "out_of_scope", r.tier)
