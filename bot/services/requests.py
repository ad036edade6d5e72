"""Service requests: intake, the staff cards, the requester's answers and ratings, the ladder tick.

Every method is one transaction that checks who is acting (services.access, at the moment of the
press), changes the request, writes an event row (the request's audit trail) and, for staff, the
shared audit log, and queues every resulting message through the outbox in that same transaction:
the card in the staff chat is edited in place (its dedupe key `req:<id>:card:t<tier>`), the
requester is told in their language. The scheduler tick reads only what is due and clears or moves
the deadline it acted on in the same transaction, so a restart neither skips nor repeats a step.

Staff chats have no language of their own: cards and alerts there use BOT_DEFAULT_LANGUAGE.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.callbacks import pack
from bot.domain import requests as rules
from bot.domain.escalation import (
    TOP_TIER,
    Deadlines,
    Ladder,
    due_today,
    hold_until,
    never_held,
    next_digest_at,
    next_tier,
    short_duration,
    starting_tier,
)
from bot.domain.requests import NotAllowed
from bot.domain.worktime import WorkCalendar
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.storage import buildings as buildings_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox as outbox_repo
from bot.storage import requests as repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.enterprises import Enterprise
from bot.storage.requests import RequestRow

if TYPE_CHECKING:
    from bot.services import Services
    from bot.services.access import Access

log = logging.getLogger(__name__)

CARD_HISTORY = 8  # events shown on a card; /req shows them all
ENTERPRISE_BUTTONS = 8
STAFF_BUTTON_LABELS = {
    "claim": N_("✋ Claim"),
    "ask": N_("❓ Need info"),
    "note": N_("📝 Note"),
    "res": N_("✅ Resolve"),
    "esc": N_("⬆️ Escalate"),
}


@dataclass
class Draft:
    """What the requester has chosen so far in the intake (kept in the conversation, not the DB)."""

    category: str | None = None
    enterprise_id: int | None = None
    enterprise_name: str | None = None
    description: str | None = None
    suggestion: str | None = None
    attachment_kind: str | None = None
    attachment_ref: str | None = None
    attachment_name: str | None = None


@dataclass(frozen=True)
class DraftView:
    category: str
    enterprise: str | None
    building: str | None
    description: str
    attachment_kind: str | None
    attachment_name: str | None


@dataclass(frozen=True)
class IntakeChoices:
    building: str | None
    enterprises: list[Enterprise]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str | None
    kind: str
    tier: int
    note: str | None

    @property
    def label(self) -> str:
        return rules.EVENT_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class RequestView:
    """A request as people read it (templates get this, never a storage row)."""

    id: int
    reference: str
    category: str
    status: str
    tier: int
    enterprise: str | None
    building: str | None
    requester: str
    description: str
    attachment_kind: str | None
    created_at: datetime
    age: tuple[int, int, int]
    resolve_by: datetime | None
    left: tuple[int, int, int] | None
    overdue: bool
    claimed_by: str | None
    question: str | None
    resolution: str | None
    rating: int | None
    rating_comment: str | None
    reopenable: bool
    history: list[HistoryLine] = field(default_factory=list)
    earlier_cards: list[tuple[int, str | None]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status]

    @property
    def tier_label(self) -> str:
        return rules.TIER_LABELS[self.tier]


@dataclass(frozen=True)
class Outcome:
    """What a staff or requester action did, for the handler's one-line answer."""

    reference: str
    result: str  # 'claimed', 'noted', 'asked', 'resolved', 'escalated', 'reopened', 'answered', ...
    tier: int


def _tier_label(tier: int) -> str:
    return rules.TIER_LABELS[tier]


class RequestService:
    def __init__(self, services: Services) -> None:
        self.s = services
        settings = services.settings
        self.cal = WorkCalendar(settings.tz)
        self.ladder = Ladder.from_settings(
            settings.sla_clock, settings.sla_tiers, settings.sla_first_response, settings.tz
        )
        self.staff_lang = settings.default_language

    # ------------------------------------------------------------------ helpers

    @property
    def db(self):
        return self.s.db

    def _now(self) -> datetime:
        return self.s.clock.now()

    def _render(self, lang: str, template: str, **values: Any) -> str:
        return self.s.renderer.render(lang, template, **values)

    def _t(self, lang: str, message: str, **values: Any) -> str:
        return self.s.renderer.gettext(lang, message, **values)

    async def _lang_of(self, conn, user_id: int) -> str:
        return self.s.users.language_of(await users_repo.get(conn, user_id))

    @staticmethod
    def _deadlines(r: RequestRow) -> Deadlines:
        return Deadlines(r.respond_by, r.resolve_by, r.warn_at)

    @staticmethod
    def _may_handle(access: Access, r: RequestRow) -> bool:
        """Staff of the request's building or district-wide, at the request's tier or above."""
        if access.is_admin:
            return True
        return any(
            (role.building_id is None or role.building_id == r.building_id) and (role.tier or 1) >= r.tier
            for role in access.staff
        )

    async def _staff_request(self, conn, actor_id: int, request_id: int) -> RequestRow:
        """The request a staff button refers to, if this person may act on it now."""
        r = await repo.get(conn, request_id)
        access = await self.s.access.of_in(conn, actor_id)
        if r is None or not self._may_handle(access, r):
            raise NotAllowed()
        if r.status not in rules.OPEN_STATUSES:
            raise InvalidInput("not_open", reference=r.reference)
        return r

    def _enterprise_name(self, e: Enterprise | None, typed: str | None, lang: str) -> str | None:
        if e is None:
            return typed
        return e.name_en if lang != "zh" and e.name_en else e.name

    async def view(
        self, conn, r: RequestRow, lang: str, *, history: int | None = CARD_HISTORY
    ) -> RequestView:
        now = self._now()
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

        left = self.ladder.time_left(r.resolve_by, now) if r.status in ("new", "claimed") else None
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
            enterprise=self._enterprise_name(enterprise, r.enterprise_name, lang),
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
                self.cal.local_date(r.resolved_at) if r.resolved_at else None,
                self.cal.local_date(now),
            ),
            history=[HistoryLine(e.at, name(e.actor_id), e.kind, e.tier, e.note) for e in shown],
            earlier_cards=earlier,
        )

    async def _card_link(self, conn, card_key: str) -> str | None:
        """A t.me link to an earlier card (only supergroups have such links)."""
        where = await repo.card_message(conn, card_key)
        if where is None:
            return None
        chat_id, message_id = where
        text = str(chat_id)
        if not text.startswith("-100"):
            return None
        return f"https://t.me/c/{text[4:]}/{message_id}"

    def _card_buttons(self, r: RequestRow, lang: str) -> list[list[dict[str, str]]] | None:
        if r.status not in rules.OPEN_STATUSES:
            return None

        def b(action: str) -> dict[str, str]:
            return {
                "text": self._t(lang, STAFF_BUTTON_LABELS[action]),
                "callback_data": pack("rq", action, r.id),
            }

        rows = []
        if r.status == "new":
            rows.append([b("claim"), b("ask")])
        elif r.status == "claimed":
            rows.append([b("ask"), b("note")])
        else:
            rows.append([b("note")])
        last = [b("res")]
        if r.status == "new":
            last.insert(0, b("note"))
        if r.tier < TOP_TIER:
            last.append(b("esc"))
        rows.append(last)
        return rows

    async def _card_text(self, conn, r: RequestRow, lang: str, *, passed_to: int | None = None) -> str:
        return self._render(
            lang, "requests/card.html", card=await self.view(conn, r, lang), passed_to=passed_to
        )

    async def _post_card(self, conn, r: RequestRow, now: datetime) -> None:
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
            text=await self._card_text(conn, r, lang),
            buttons=self._card_buttons(r, lang),
            now=now,
            dedupe_key=key,
        )
        if r.attachment_kind and r.attachment_ref:
            await outbox_repo.enqueue(
                conn,
                chat_id=chat.chat_id,
                kind="staff_card",
                text=self._render(lang, "requests/attachment.html", reference=r.reference),
                now=now,
                dedupe_key=f"req:{r.id}:att:t{r.tier}",
                media_kind=r.attachment_kind,
                media_ref=r.attachment_ref,
                media_name=r.attachment_name,
            )

    async def _refresh_card(self, conn, r: RequestRow, now: datetime) -> None:
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
                text=await self._card_text(conn, r, lang),
                buttons=self._card_buttons(r, lang),
                now=now,
            )

    async def _staff_alert(
        self, conn, r: RequestRow, now: datetime, kind: str, key: str, template: str, **values: Any
    ) -> None:
        """A ping to the current tier's chat; outside working hours it waits for the morning digest."""
        chat = await roles_repo.chat_for(conn, r.tier, r.building_id)
        if chat is None:
            return
        release = hold_until(now, self.cal, urgent=r.never_hold)
        if release is not None:
            await repo.hold_alert(conn, chat.chat_id, r.id, kind, now, release)
            return
        view = await self.view(conn, r, self.staff_lang, history=0)
        await outbox_repo.enqueue(
            conn,
            chat_id=chat.chat_id,
            kind="staff_alert",
            text=self._render(self.staff_lang, template, card=view, **values),
            now=now,
            dedupe_key=key,
        )

    async def _tell_requester(
        self, conn, r: RequestRow, now: datetime, key: str, template: str, buttons=None, **values: Any
    ) -> None:
        lang = await self._lang_of(conn, r.requester_id)
        view = await self.view(conn, r, lang, history=0)
        await outbox_repo.enqueue(
            conn,
            chat_id=r.requester_id,
            kind="request_status",
            text=self._render(lang, template, card=view, **values),
            buttons=buttons(lang) if buttons else None,
            now=now,
            dedupe_key=key,
        )

    async def _audit(
        self, conn, now: datetime, actor_id: int, action: str, r: RequestRow, detail: str = ""
    ) -> None:
        await roles_repo.audit(conn, now, actor_id, f"request.{action}", r.reference, detail[:200])

    # ------------------------------------------------------------------ intake

    async def intake_choices(self, user_id: int, lang: str) -> IntakeChoices:
        """The user's building and its companies (their own company first) for the enterprise step."""
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
            if user is None or user.building_id is None:
                return IntakeChoices(None, [])
            building = await buildings_repo.get(conn, user.building_id)
            companies = await enterprises_repo.in_building(conn, user.building_id)
            represented = await enterprises_repo.of_liaison(conn, user_id)
        own = (user.company or "").casefold()

        def mine(e: Enterprise) -> bool:
            return bool(own) and (own in e.name.casefold() or own in (e.name_en or "").casefold())

        # A liaison reports on behalf of the companies they represent: those come first.
        others = [e for e in companies if e.id not in {r.id for r in represented}]
        others.sort(key=lambda e: not mine(e))
        return IntakeChoices(
            building.name(lang) if building else None, [*represented, *others][:ENTERPRISE_BUTTONS]
        )

    async def find_enterprises(self, user_id: int, words: str) -> list[Enterprise]:
        """Typed company name -> registry matches, the user's building first, then the district."""
        words = " ".join(words.split())
        if not words or len(words) > rules.ENTERPRISE_NAME_MAX:
            raise InvalidInput("enterprise_length", max=rules.ENTERPRISE_NAME_MAX)
        async with self.db.read() as conn:
            user = await users_repo.get(conn, user_id)
            found: list[Enterprise] = []
            if user and user.building_id:
                found = await enterprises_repo.search_by_name(conn, words, user.building_id, limit=6)
            if not found:
                found = await enterprises_repo.search_by_name(conn, words, limit=6)
        return found

    async def enterprise(self, enterprise_id: int) -> Enterprise:
        async with self.db.read() as conn:
            found = await enterprises_repo.get(conn, enterprise_id)
        if found is None:
            raise InvalidInput("enterprise")
        return found

    @staticmethod
    def check_description(text: str | None) -> str:
        cleaned = rules.clean_text(text)
        problem = rules.description_problem(cleaned)
        if problem:
            raise InvalidInput(problem, length=len(cleaned), max=rules.DESCRIPTION_MAX)
        return cleaned

    @staticmethod
    def check_category(category: str | None) -> str:
        if category not in rules.CATEGORIES:
            raise InvalidInput("category")
        return category  # type: ignore[return-value]

    async def preview(self, user_id: int, draft: Draft, lang: str) -> DraftView:
        async with self.db.read() as conn:
            building_id, enterprise = await self._building_of(conn, user_id, draft)
            building = await buildings_repo.get(conn, building_id) if building_id else None
        return DraftView(
            category=rules.CATEGORY_LABELS[self.check_category(draft.category)],
            enterprise=self._enterprise_name(enterprise, draft.enterprise_name, lang),
            building=building.name(lang) if building else None,
            description=draft.description or "",
            attachment_kind=draft.attachment_kind,
            attachment_name=draft.attachment_name,
        )

    async def _building_of(self, conn, user_id: int, draft: Draft) -> tuple[int | None, Enterprise | None]:
        """The request's building: its enterprise's, else the requester's own."""
        enterprise = await enterprises_repo.get(conn, draft.enterprise_id) if draft.enterprise_id else None
        if enterprise is not None and enterprise.building_id is not None:
            return enterprise.building_id, enterprise
        user = await users_repo.get(conn, user_id)
        return (user.building_id if user else None), enterprise

    async def submit(self, user_id: int, draft: Draft) -> RequestView:
        """File the request: number it, start its ladder, post the card, confirm to the requester."""
        category = self.check_category(draft.category)
        description = self.check_description(draft.description)
        now = self._now()
        async with self.db.tx() as conn:
            building_id, enterprise = await self._building_of(conn, user_id, draft)
            if draft.enterprise_id and enterprise is None:
                raise InvalidInput("enterprise")
            colour = enterprise.colour if enterprise else None
            tier = starting_tier(colour)
            number = await repo.next_number(conn, self.cal.local_date(now).year)
            d = self.ladder.deadlines(tier, now)
            request_id = await repo.insert(
                conn,
                reference=rules.reference(self.cal.local_date(now).year, number),
                requester_id=user_id,
                category=category,
                enterprise_id=enterprise.id if enterprise else None,
                enterprise_name=None if enterprise else (draft.enterprise_name or None),
                building_id=building_id,
                description=description,
                attachment_kind=draft.attachment_kind,
                attachment_ref=draft.attachment_ref,
                attachment_name=draft.attachment_name,
                never_hold=never_held(colour),
                status="new",
                tier=tier,
                tier_started_at=now,
                respond_by=d.respond_by,
                resolve_by=d.resolve_by,
                warn_at=d.warn_at,
                created_at=now,
                updated_at=now,
            )
            await repo.add_event(conn, request_id, now, user_id, "created", tier)
            r = await repo.get(conn, request_id)
            assert r is not None
            await self._post_card(conn, r, now)
            lang = await self._lang_of(conn, user_id)
            return await self.view(conn, r, lang, history=0)

    # ------------------------------------------------------------------ the requester

    async def mine(self, user_id: int, lang: str) -> list[RequestView]:
        async with self.db.read() as conn:
            return [await self.view(conn, r, lang, history=0) for r in await repo.of_requester(conn, user_id)]

    async def of_my_companies(self, user_id: int, lang: str) -> list[RequestView]:
        """What colleagues asked about the companies this person represents (a linked liaison)."""
        async with self.db.read() as conn:
            return [await self.view(conn, r, lang, history=0) for r in await repo.of_liaison(conn, user_id)]

    async def _own(self, conn, user_id: int, request_id: int) -> RequestRow:
        """A request of this requester (a user sees and answers only their own)."""
        r = await repo.get(conn, request_id)
        if r is None or r.requester_id != user_id:
            raise NotAllowed()
        return r

    async def answer(
        self, user_id: int, text: str, *, reply_to: int | None = None, only_reply: bool = False
    ) -> Outcome | None:
        """The requester's answer to a staff question; None when nothing is waiting for one.

        A reply to the question message answers that request; otherwise the oldest open question
        (unless `only_reply`: the person is busy in another conversation).
        """
        async with self.db.read() as conn:
            if not await repo.waiting_for(conn, user_id):
                return None  # the usual case: no write transaction for every message a person sends
        now = self._now()
        async with self.db.tx() as conn:
            target: RequestRow | None = None
            if reply_to is not None:
                request_id = await repo.request_of_message(conn, user_id, reply_to, "req:")
                if request_id is not None:
                    candidate = await repo.get(conn, request_id)
                    if candidate and candidate.requester_id == user_id and candidate.status == "waiting":
                        target = candidate
            if target is None and not only_reply:
                waiting = await repo.waiting_for(conn, user_id)
                target = waiting[0] if waiting else None
            if target is None:
                return None
            answer = rules.clean_text(text)
            problem = rules.description_problem(answer)
            if problem:
                raise InvalidInput(problem, length=len(answer), max=rules.DESCRIPTION_MAX)
            r = target
            assert r.paused_at is not None
            resumed = self.ladder.resume(self._deadlines(r), r.paused_at, now)
            await repo.update(
                conn,
                r.id,
                now,
                status="claimed" if r.claimed_by else "new",
                paused_at=None,
                question=None,
                asked_by=None,
                respond_by=resumed.respond_by,
                resolve_by=resumed.resolve_by,
                warn_at=resumed.warn_at,
            )
            event_id = await repo.add_event(conn, r.id, now, user_id, "answered", r.tier, answer)
            r = await repo.get(conn, r.id)
            assert r is not None
            chat = await roles_repo.chat_for(conn, r.tier, r.building_id)
            if chat is not None:
                view = await self.view(conn, r, self.staff_lang, history=0)
                await outbox_repo.enqueue(
                    conn,
                    chat_id=chat.chat_id,
                    kind="staff_alert",
                    text=self._render(
                        self.staff_lang, "requests/staff_answer.html", card=view, answer=answer
                    ),
                    now=now,
                    dedupe_key=f"req:{r.id}:answer:{event_id}",
                )
            await self._refresh_card(conn, r, now)
            return Outcome(r.reference, "answered", r.tier)

    async def rate(self, user_id: int, request_id: int, stars: int) -> Outcome:
        """One tap: the requester confirms it is solved and rates the handling."""
        if not 1 <= stars <= 5:
            raise NotAllowed()
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._own(conn, user_id, request_id)
            if r.rating is not None:
                raise InvalidInput("already_rated", reference=r.reference)
            if r.status not in ("resolved", "closed"):
                raise InvalidInput("not_resolved", reference=r.reference)
            if r.status == "resolved":
                await repo.add_event(conn, r.id, now, user_id, "confirmed", r.tier)
            await repo.update(
                conn, r.id, now, status="closed", closed_at=r.closed_at or now, rating=stars, rated_at=now
            )
            await repo.add_event(conn, r.id, now, user_id, "rated", r.tier, "★" * stars)
            r = await repo.get(conn, r.id)
            assert r is not None
            await self._refresh_any_card(conn, r, now)
            return Outcome(r.reference, "rated", r.tier)

    async def comment(self, user_id: int, request_id: int, text: str) -> Outcome:
        comment = rules.clean_text(text)
        if not comment or len(comment) > rules.COMMENT_MAX:
            raise InvalidInput("comment_length", max=rules.COMMENT_MAX)
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._own(conn, user_id, request_id)
            if r.rating is None or r.rating_comment is not None:
                raise InvalidInput("not_rated", reference=r.reference)
            await repo.update(conn, r.id, now, rating_comment=comment)
            await repo.add_event(conn, r.id, now, user_id, "rated", r.tier, comment)
            r = await repo.get(conn, r.id)
            assert r is not None
            await self._refresh_any_card(conn, r, now)
            return Outcome(r.reference, "commented", r.tier)

    async def can_reopen(self, user_id: int, request_id: int) -> str:
        """Before asking for the reason: is "not solved" still possible? Returns the reference."""
        async with self.db.read() as conn:
            r = await self._own(conn, user_id, request_id)
        self._check_reopen(r)
        return r.reference

    def _check_reopen(self, r: RequestRow) -> None:
        today = self.cal.local_date(self._now())
        resolved_on = self.cal.local_date(r.resolved_at) if r.resolved_at else None
        if not rules.may_reopen(r.status, resolved_on, today):
            raise InvalidInput("not_reopenable", reference=r.reference, days=rules.REOPEN_DAYS)

    async def not_solved(self, user_id: int, request_id: int, reason: str) -> Outcome:
        """Back before the current tier's staff with the reason; the second time, one tier up at once."""
        reason = rules.clean_text(reason)
        if not reason or len(reason) > rules.NOTE_MAX:
            raise InvalidInput("reason_length", max=rules.NOTE_MAX)
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._own(conn, user_id, request_id)
            self._check_reopen(r)
            await repo.add_event(conn, r.id, now, user_id, "not_solved", r.tier, reason)
            if r.not_solved >= 1 and r.tier < TOP_TIER:
                r = await self._escalate(conn, r, now, actor_id=user_id, reason=reason, kind="not_solved")
                return Outcome(r.reference, "escalated", r.tier)
            d = self.ladder.deadlines(r.tier, now)
            await repo.update(
                conn,
                r.id,
                now,
                status="new",
                claimed_by=None,
                claimed_at=None,
                tier_started_at=now,
                respond_by=d.respond_by,
                resolve_by=d.resolve_by,
                warn_at=d.warn_at,
                resolved_at=None,
                resolved_by=None,
                closed_at=None,
                rating=None,
                rating_comment=None,
                rated_at=None,
                not_solved=r.not_solved + 1,
            )
            r = await repo.get(conn, r.id)
            assert r is not None
            event = (await repo.events(conn, r.id))[-1]
            await self._ensure_card(conn, r, now)
            await self._staff_alert(
                conn,
                r,
                now,
                "reopened",
                f"req:{r.id}:reopened:{event.id}",
                "requests/staff_reopened.html",
                reason=reason,
            )
            return Outcome(r.reference, "reopened", r.tier)

    async def _ensure_card(self, conn, r: RequestRow, now: datetime) -> None:
        """Refresh the current tier's card, or post it if that tier never had one."""
        if any(card.tier == r.tier for card in await repo.cards(conn, r.id)):
            await self._refresh_card(conn, r, now)
        else:
            await self._post_card(conn, r, now)

    async def _refresh_any_card(self, conn, r: RequestRow, now: datetime) -> None:
        await self._refresh_card(conn, r, now)

    # ------------------------------------------------------------------ staff

    async def may_act(self, actor_id: int, request_id: int) -> str:
        """Checked when a card button that needs typing is pressed (and again when the text comes)."""
        async with self.db.read() as conn:
            r = await self._staff_request(conn, actor_id, request_id)
        return r.reference

    async def claim(self, actor_id: int, request_id: int) -> Outcome:
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._staff_request(conn, actor_id, request_id)
            if r.claimed_by is not None:
                raise InvalidInput("already_claimed", reference=r.reference)
            await repo.update(
                conn,
                r.id,
                now,
                status="waiting" if r.status == "waiting" else "claimed",
                claimed_by=actor_id,
                claimed_at=now,
                respond_by=None,
            )
            event_id = await repo.add_event(conn, r.id, now, actor_id, "claimed", r.tier)
            await self._audit(conn, now, actor_id, "claim", r)
            r = await repo.get(conn, r.id)
            assert r is not None
            await self._refresh_card(conn, r, now)
            await self._tell_requester(
                conn, r, now, f"req:{r.id}:n:claimed:{event_id}", "requests/notice_claimed.html"
            )
            return Outcome(r.reference, "claimed", r.tier)

    async def note(self, actor_id: int, request_id: int, text: str) -> Outcome:
        note = self._check_note(text)
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._staff_request(conn, actor_id, request_id)
            await repo.add_event(conn, r.id, now, actor_id, "note", r.tier, note)
            await self._audit(conn, now, actor_id, "note", r, note)
            await repo.update(conn, r.id, now)
            await self._refresh_card(conn, r, now)
            return Outcome(r.reference, "noted", r.tier)

    async def ask(self, actor_id: int, request_id: int, text: str) -> Outcome:
        """Need info: the question goes to the requester and the clock stops until they answer."""
        question = self._check_note(text)
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._staff_request(conn, actor_id, request_id)
            if r.status == "waiting":
                raise InvalidInput("already_waiting", reference=r.reference)
            await repo.update(
                conn, r.id, now, status="waiting", paused_at=now, question=question, asked_by=actor_id
            )
            event_id = await repo.add_event(conn, r.id, now, actor_id, "asked", r.tier, question)
            await self._audit(conn, now, actor_id, "ask", r, question)
            r = await repo.get(conn, r.id)
            assert r is not None
            await self._refresh_card(conn, r, now)
            await self._tell_requester(
                conn, r, now, f"req:{r.id}:ask:{event_id}", "requests/notice_question.html", question=question
            )
            return Outcome(r.reference, "asked", r.tier)

    async def resolve(self, actor_id: int, request_id: int, text: str) -> Outcome:
        resolution = self._check_note(text)
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._staff_request(conn, actor_id, request_id)
            await repo.update(
                conn,
                r.id,
                now,
                status="resolved",
                resolution=resolution,
                resolved_by=actor_id,
                resolved_at=now,
                claimed_by=r.claimed_by or actor_id,
                claimed_at=r.claimed_at or now,
                respond_by=None,
                resolve_by=None,
                warn_at=None,
                paused_at=None,
                question=None,
                asked_by=None,
            )
            event_id = await repo.add_event(conn, r.id, now, actor_id, "resolved", r.tier, resolution)
            await self._audit(conn, now, actor_id, "resolve", r, resolution)
            r = await repo.get(conn, r.id)
            assert r is not None
            await self._refresh_card(conn, r, now)

            def buttons(lang: str) -> list[list[dict[str, str]]]:
                stars = [
                    {"text": "⭐" * n, "callback_data": pack("req", "rate", r.id, n)} for n in range(1, 6)
                ]
                return [
                    stars[:3],
                    stars[3:],
                    [{"text": self._t(lang, N_("❌ Not solved")), "callback_data": pack("req", "ns", r.id)}],
                ]

            await self._tell_requester(
                conn, r, now, f"req:{r.id}:n:resolved:{event_id}", "requests/notice_resolved.html", buttons
            )
            return Outcome(r.reference, "resolved", r.tier)

    async def escalate(self, actor_id: int, request_id: int, text: str) -> Outcome:
        reason = self._check_note(text)
        now = self._now()
        async with self.db.tx() as conn:
            r = await self._staff_request(conn, actor_id, request_id)
            if r.tier >= TOP_TIER:
                raise InvalidInput("top_tier", reference=r.reference)
            await self._audit(conn, now, actor_id, "escalate", r, reason)
            r = await self._escalate(conn, r, now, actor_id=actor_id, reason=reason, kind="escalated")
            return Outcome(r.reference, "escalated", r.tier)

    @staticmethod
    def _check_note(text: str | None) -> str:
        note = rules.clean_text(text)
        if not note or len(note) > rules.NOTE_MAX:
            raise InvalidInput("note_length", max=rules.NOTE_MAX)
        return note

    async def _escalate(
        self, conn, r: RequestRow, now: datetime, *, actor_id: int | None, reason: str | None, kind: str
    ) -> RequestRow:
        """One step up: fresh deadlines, the old card marked as passed on, a new card, the requester told."""
        new_tier = next_tier(r.tier)
        assert new_tier is not None
        d = self.ladder.deadlines(new_tier, now)
        await repo.add_event(
            conn,
            r.id,
            now,
            actor_id,
            "deadline_escalated" if kind == "deadline" else "escalated",
            r.tier,
            reason,
        )
        await repo.update(
            conn,
            r.id,
            now,
            tier=new_tier,
            tier_started_at=now,
            status="new",
            claimed_by=None,
            claimed_at=None,
            respond_by=d.respond_by,
            resolve_by=d.resolve_by,
            warn_at=d.warn_at,
            paused_at=None,
            question=None,
            asked_by=None,
            not_solved=0,
            resolved_at=None,
            resolved_by=None,
            resolution=None,
            closed_at=None,
            rating=None,
            rating_comment=None,
            rated_at=None,
        )
        old_tier = r.tier
        r = await repo.get(conn, r.id)  # type: ignore[assignment]
        assert r is not None
        lang = self.staff_lang
        for card in await repo.cards(conn, r.id):
            if card.tier == old_tier:
                await outbox_repo.enqueue_edit(
                    conn,
                    edit_of=card.card_key,
                    chat_id=card.chat_id,
                    kind="staff_card",
                    text=await self._card_text(conn, r, lang, passed_to=new_tier),
                    buttons=None,
                    now=now,
                )
        await self._post_card(conn, r, now)
        await self._tell_requester(
            conn,
            r,
            now,
            f"req:{r.id}:n:esc:t{new_tier}",
            "requests/notice_escalated.html",
            tier_label=_tier_label(new_tier),
        )
        return r

    async def history(self, actor_id: int, reference_text: str, lang: str) -> RequestView:
        """/req <reference>: the card and its whole audit trail, for staff who cover its building."""
        reference = rules.parse_reference(reference_text)
        if reference is None:
            raise InvalidInput("reference")
        async with self.db.read() as conn:
            access = await self.s.access.of_in(conn, actor_id)
            if not access.is_staff:
                raise NotAllowed()
            r = await repo.by_reference(conn, reference)
            if r is None or not access.covers_building(r.building_id):
                raise InvalidInput("unknown_reference", reference=reference)
            return await self.view(conn, r, lang, history=None)

    async def bind_chat(
        self, actor_id: int, chat_id: int, title: str, args: list[str]
    ) -> tuple[int, str | None]:
        """/bindchat <1-4> [building code] in a group: administrators only. Returns (tier, building)."""
        now = self._now()
        async with self.db.tx() as conn:
            access = await self.s.access.of_in(conn, actor_id)
            if not access.is_admin:
                raise NotAllowed()
            if chat_id >= 0:
                raise InvalidInput("bind_private")
            if not 1 <= len(args) <= 2 or args[0] not in ("1", "2", "3", "4"):
                raise InvalidInput("bind_usage")
            tier = int(args[0])
            building = None
            if len(args) == 2:
                building = await buildings_repo.by_code(conn, args[1])
                if building is None:
                    raise InvalidInput("bind_building", building=args[1][:40])
            await roles_repo.bind_chat(
                conn, chat_id, title[:128], tier, building.id if building else None, actor_id, now
            )
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "staffchat.bind",
                str(chat_id),
                f"tier={tier} building={building.code if building else '-'}",
            )
            await repo.set_digest_time(conn, chat_id, next_digest_at(now, self.cal))
        return tier, building.name(self.staff_lang) if building else None

    # ------------------------------------------------------------------ the scheduler

    async def tick(self) -> dict[str, int]:
        """Deadlines, auto-closing, the 09:00 digests and held alerts: read what is due, act, record."""
        now = self._now()
        done = {"escalated": 0, "reminded": 0, "pinged": 0, "warned": 0, "closed": 0, "digests": 0}
        async with self.db.tx() as conn:
            for r in await repo.due(conn, now):
                due = self.ladder.due(r.tier, self._deadlines(r), now)
                if due.escalate:
                    await self._escalate(conn, r, now, actor_id=None, reason=None, kind="deadline")
                    done["escalated"] += 1
                    continue
                if due.remind:
                    count = r.reminders + 1
                    await repo.update(
                        conn, r.id, now, reminders=count, resolve_by=self.ladder.next_reminder(now)
                    )
                    await repo.add_event(conn, r.id, now, None, "reminded", r.tier)
                    r = await repo.get(conn, r.id)  # type: ignore[assignment]
                    await self._staff_alert(
                        conn,
                        r,
                        now,
                        "reminder",
                        f"req:{r.id}:remind:{count}",
                        "requests/staff_reminder.html",
                        count=count,
                    )
                    done["reminded"] += 1
                if due.ping:
                    await repo.update(conn, r.id, now, respond_by=None)
                    await repo.add_event(conn, r.id, now, None, "first_response_missed", r.tier)
                    await self._staff_alert(
                        conn,
                        r,
                        now,
                        "ping",
                        f"req:{r.id}:ping:t{r.tier}:{r.tier_started_at.timestamp():.0f}",
                        "requests/staff_ping.html",
                    )
                    done["pinged"] += 1
                if due.warn:
                    await repo.update(conn, r.id, now, warn_at=None)
                    await repo.add_event(conn, r.id, now, None, "warned", r.tier)
                    r = await repo.get(conn, r.id)  # type: ignore[assignment]
                    await self._staff_alert(
                        conn,
                        r,
                        now,
                        "warning",
                        f"req:{r.id}:warn:t{r.tier}:{r.tier_started_at.timestamp():.0f}",
                        "requests/staff_warning.html",
                    )
                    done["warned"] += 1
                fresh = await repo.get(conn, r.id)
                assert fresh is not None
                await self._refresh_card(conn, fresh, now)
            done["closed"] = await self._auto_close(conn, now)
            done["digests"] = await self._digests(conn, now)
        return done

    async def _auto_close(self, conn, now: datetime) -> int:
        """Resolved and never confirmed: closed after the reopen window, so the figures settle."""
        closed = 0
        for r in await repo.resolved_before(conn, now - timedelta(days=rules.REOPEN_DAYS)):
            await repo.update(conn, r.id, now, status="closed", closed_at=now)
            await repo.add_event(conn, r.id, now, None, "closed", r.tier)
            closed += 1
        return closed

    async def _digests(self, conn, now: datetime) -> int:
        """Each staff chat's 09:00 digest (overdue and due-today items plus alerts held overnight)."""
        sent = 0
        chats = await roles_repo.all_staff_chats(conn)
        times = await repo.digest_times(conn)
        held = await repo.held_due(conn, now)
        for chat in chats:
            next_at = times.get(chat.chat_id)
            if next_at is None:
                await repo.set_digest_time(conn, chat.chat_id, next_digest_at(now, self.cal))
                continue
            alerts = held.pop(chat.chat_id, [])
            if next_at > now and not alerts:
                continue
            digest_due = next_at <= now
            overdue: list[RequestView] = []
            today: list[RequestView] = []
            if digest_due:
                for r in await repo.open_at_tier(conn, chat.tier):
                    if chat.building_id is not None and r.building_id != chat.building_id:
                        continue
                    if chat.building_id is None:
                        own = await roles_repo.chat_for(conn, chat.tier, r.building_id)
                        if own is not None and own.chat_id != chat.chat_id:
                            continue
                    if r.resolve_by is not None and r.resolve_by <= now and r.status != "waiting":
                        overdue.append(await self.view(conn, r, self.staff_lang, history=0))
                    elif due_today(r.resolve_by, now, self.cal):
                        today.append(await self.view(conn, r, self.staff_lang, history=0))
                await repo.set_digest_time(conn, chat.chat_id, next_digest_at(now, self.cal), now)
            held_views = []
            by_request = await repo.get_many(conn, sorted({a.request_id for a in alerts}))
            for alert in alerts:
                r = by_request.get(alert.request_id)
                if r is not None and r.status in rules.OPEN_STATUSES:
                    held_views.append((alert, await self.view(conn, r, self.staff_lang, history=0)))
            await repo.release(conn, [a.id for a in alerts], now)
            if not (overdue or today or held_views):
                continue
            await outbox_repo.enqueue(
                conn,
                chat_id=chat.chat_id,
                kind="staff_digest",
                text=self._render(
                    self.staff_lang,
                    "requests/digest.html",
                    overdue=overdue,
                    today=today,
                    held=held_views,
                    daily=digest_due,
                ),
                now=now,
                dedupe_key=f"req:digest:{chat.chat_id}:{now.timestamp():.0f}",
            )
            sent += 1
        return sent

    # ------------------------------------------------------------------ figures for /stats

    async def figures(self, since: datetime, until: datetime) -> dict[str, Any]:
        """Request figures for [since, until), for the reporting feature's /stats.

        Keys: opened, resolved, by_category {key: n}, resolution_hours {tier: {median, p90, n}}
        (wall hours from filing to resolution, by the tier that resolved it), breaches {tier: n}
        (deadlines missed, i.e. automatic escalations from that tier, plus tier-4 reminders),
        escalated_by_hand {tier: n}, satisfaction (average stars or None), ratings (n).
        """
        async with self.db.read() as conn:
            opened = await repo.created_between(conn, since, until)
            resolved = await repo.events_between(conn, ("resolved",), since, until)
            breaches = await repo.events_between(conn, ("deadline_escalated", "reminded"), since, until)
            by_hand = await repo.events_between(conn, ("escalated",), since, until)
            rows = await repo.get_many(conn, sorted({e.request_id for e in resolved}))
            ratings = await repo.rated_between(conn, since, until)
        by_category = {key: 0 for key in rules.CATEGORIES}
        for r in opened:
            by_category[r.category] = by_category.get(r.category, 0) + 1
        durations: dict[int, list[float]] = {t: [] for t in range(1, TOP_TIER + 1)}
        for e in resolved:
            r = rows.get(e.request_id)
            if r is not None:
                durations[e.tier].append((e.at - r.created_at).total_seconds() / 3600)
        return {
            "opened": len(opened),
            "resolved": len(resolved),
            "by_category": by_category,
            "resolution_hours": {t: _spread(values) for t, values in durations.items()},
            "breaches": {t: sum(1 for e in breaches if e.tier == t) for t in range(1, TOP_TIER + 1)},
            "escalated_by_hand": {t: sum(1 for e in by_hand if e.tier == t) for t in range(1, TOP_TIER + 1)},
            "satisfaction": round(statistics.fmean(ratings), 2) if ratings else None,
            "ratings": len(ratings),
        }


def _spread(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"n": len(values), "median": round(statistics.median(ordered), 2), "p90": round(p90, 2)}
