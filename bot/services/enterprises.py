# i18n-domain: enterprises
"""The enterprise registry's use cases: find and show an enterprise, mark its colour with a reason,
log visits, link a liaison, suggest colours from signals, remind about follow-ups, draw the board,
count coverage, import and export the registry.

Every staff action checks `access` here, at the moment of the action, and writes the audit log;
every message the bot sends on its own (alerts, reminders, suggestion notices) is enqueued in the
outbox in the same transaction as the change that causes it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.callbacks import button
from bot.domain import enterprise_csv, names, risk
from bot.domain.worktime import WorkCalendar
from bot.msgids import N_
from bot.services.access import Access, NotAllowed
from bot.services.base import InvalidInput
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprise_signals as signals_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage import visits as visits_repo
from bot.storage.buildings import Building
from bot.storage.db import ts
from bot.storage.enterprises import Enterprise
from bot.storage.personal_data import PersonalData, register

if TYPE_CHECKING:
    import aiosqlite

    from bot.services import Services

# Where people are named in this feature's tables (for /mydata and /forgetme).
register(PersonalData("enterprise_colour_history", "changed_by", ("reason",)))
register(PersonalData("enterprise_visits", "visitor_id", ("notes", "next_step")))
register(PersonalData("enterprise_suggestions", "decided_by", ("dismiss_reason",)))
register(PersonalData("enterprise_link_codes", "used_by"))
register(PersonalData("enterprises", "liaison_user_id", (), ("liaison_user_id",)))

REASON_MAX = 500
NOTES_MAX = 1000
NEXT_STEP_MAX = 300
LINK_CODE_DAYS = 7
SWEEP_EVERY = timedelta(hours=1)
MAX_NOTICES_PER_SWEEP = 10
CARD_BUTTON = "o"  # callback action that opens a card (used in outbox messages' buttons)
FEATURE = "ent"
OPEN_CARD = N_("Open the card")
ACCEPT = N_("Accept %(colour)s")
DISMISS = N_("Dismiss")


@dataclass(frozen=True)
class Card:
    """Everything the enterprise card shows."""

    enterprise: Enterprise
    building: Building | None
    history: list[risk_repo.ColourChange]
    visits: list[visits_repo.Visit]
    followup: risk_repo.FollowUp | None
    overdue: bool
    rule: risk.FollowUpRule
    liaison: users_repo.UserRow | None
    people: dict[int, users_repo.UserRow]
    suggestion: risk_repo.SuggestionRow | None


@dataclass(frozen=True)
class Found:
    """The answer to /ent <query>: one card, or a short list to choose from (possibly empty)."""

    card: Card | None
    matches: list[Enterprise] = field(default_factory=list)
    buildings: dict[int, Building] = field(default_factory=dict)


@dataclass(frozen=True)
class ColourChanged:
    card: Card
    alerted_tier: int | None


@dataclass(frozen=True)
class LinkCode:
    enterprise: Enterprise
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class ImportReport:
    encoding: str
    added: int
    updated: int
    unchanged: int
    rejected: list[enterprise_csv.Rejected]
    seconds: float = 0.0


@dataclass(frozen=True)
class BoardPicture:
    png: bytes
    building: Building | None
    counts: dict[str, int]
    overdue: int
    total: int


@dataclass(frozen=True)
class CoverageLine:
    building: Building | None
    enterprises: int
    complete: int
    visited: int
    requests: int
    in_time: int

    @staticmethod
    def pct(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def complete_pct(self) -> int | None:
        return self.pct(self.complete, self.enterprises)

    @property
    def visited_pct(self) -> int | None:
        return self.pct(self.visited, self.enterprises)

    @property
    def in_time_pct(self) -> int | None:
        return self.pct(self.in_time, self.requests)


@dataclass(frozen=True)
class Coverage:
    district: CoverageLine
    buildings: list[CoverageLine]


class EnterpriseService:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db
        self.clock = services.clock
        self.settings = services.settings
        self.rules = dict(self.settings.enterprise_followup)
        self.cal = WorkCalendar(tz=self.settings.tz)

    # ------------------------------------------------------------------ permissions

    async def _staff(self, conn: aiosqlite.Connection, user_id: int) -> Access:
        return (await self.services.access.of_in(conn, user_id)).require_staff()

    async def _editable(
        self, conn: aiosqlite.Connection, user_id: int, enterprise_id: int
    ) -> tuple[Access, Enterprise]:
        """Staff whose role covers the enterprise's building (district staff cover all)."""
        access = await self._staff(conn, user_id)
        enterprise = await enterprises_repo.get(conn, enterprise_id)
        if enterprise is None:
            raise InvalidInput("ent_unknown")
        if not access.covers_building(enterprise.building_id):
            raise NotAllowed()
        return access, enterprise

    # ------------------------------------------------------------------ finding and showing

    async def find(self, user_id: int, query: str) -> Found:
        """/ent <name, key or id>: a card when one enterprise fits, else the best few to choose from."""
        query = " ".join((query or "").split())
        if not query:
            raise InvalidInput("ent_usage")
        if len(query) > 100:
            raise InvalidInput("ent_query_long")
        async with self.db.read() as conn:
            access = await self._staff(conn, user_id)
            direct = None
            if query.lstrip("#").isdigit():
                direct = await enterprises_repo.get(conn, int(query.lstrip("#")))
            direct = direct or await enterprises_repo.by_key(conn, query)
            if direct is not None and access.covers_building(direct.building_id):
                return Found(await self._card(conn, direct))
            ranked = names.rank(query, await enterprises_repo.names(conn), limit=30)
            found = await enterprises_repo.get_many(conn, [i for i, _ in ranked])
            matches = [found[i] for i, _ in ranked if access.covers_building(found[i].building_id)][:8]
            buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
            if len(matches) == 1 or (
                matches and ranked[0][1] >= 1.0 and (len(ranked) == 1 or ranked[1][1] < 1.0)
            ):
                return Found(await self._card(conn, matches[0]))
            return Found(None, matches, buildings)

    async def card(self, user_id: int, enterprise_id: int) -> Card:
        async with self.db.read() as conn:
            _, enterprise = await self._editable(conn, user_id, enterprise_id)
            return await self._card(conn, enterprise)

    async def _card(self, conn: aiosqlite.Connection, enterprise: Enterprise) -> Card:
        now = self.clock.now()
        building = await buildings_repo.get(conn, enterprise.building_id) if enterprise.building_id else None
        history = await risk_repo.history(conn, enterprise.id, limit=3)
        visits = await visits_repo.latest(conn, enterprise.id, limit=2)
        followup = await risk_repo.followup(conn, enterprise.id)
        ids = [h.changed_by for h in history if h.changed_by] + [v.visitor_id for v in visits if v.visitor_id]
        if enterprise.liaison_user_id:
            ids.append(enterprise.liaison_user_id)
        people = await users_repo.get_many(conn, sorted(set(ids)))
        live = (await risk_repo.live_suggestions(conn)).get(enterprise.id, [])
        open_suggestion = next((s for s in reversed(live) if s.status == "open"), None)
        return Card(
            enterprise=enterprise,
            building=building,
            history=history,
            visits=visits,
            followup=followup,
            overdue=followup is not None and followup.due_at <= now,
            rule=self.rules[enterprise.colour],
            liaison=people.get(enterprise.liaison_user_id) if enterprise.liaison_user_id else None,
            people=people,
            suggestion=open_suggestion,
        )

    # ------------------------------------------------------------------ colours

    async def check_colour(self, user_id: int, enterprise_id: int, colour: str) -> Enterprise:
        """A colour button was pressed: may this person set it? (The reason is asked next.)"""
        if colour not in risk.SEVERITY:
            raise InvalidInput("ent_bad_button")
        async with self.db.read() as conn:
            _, enterprise = await self._editable(conn, user_id, enterprise_id)
        if enterprise.colour == colour:
            raise InvalidInput("ent_same_colour", colour=colour)
        return enterprise

    async def set_colour(self, user_id: int, enterprise_id: int, colour: str, reason: str) -> ColourChanged:
        reason = " ".join((reason or "").split())
        if colour not in risk.SEVERITY:
            raise InvalidInput("ent_bad_button")
        if not reason:
            raise InvalidInput("ent_reason_missing")
        if len(reason) > REASON_MAX:
            raise InvalidInput("ent_reason_long", max=REASON_MAX)
        async with self.db.tx() as conn:
            _, enterprise = await self._editable(conn, user_id, enterprise_id)
            if enterprise.colour == colour:
                raise InvalidInput("ent_same_colour", colour=colour)
            tier = await self._change_colour(conn, enterprise, colour, reason, "staff", user_id)
            card = await self._card(conn, await enterprises_repo.get(conn, enterprise_id))  # type: ignore[arg-type]
        return ColourChanged(card, tier)

    async def _change_colour(
        self,
        conn: aiosqlite.Connection,
        enterprise: Enterprise,
        colour: str,
        reason: str,
        source: str,
        by: int | None,
    ) -> int | None:
        """Record the change, restart the follow-up clock, alert the colour's tier chat (once per change)."""
        now = self.clock.now()
        await enterprises_repo.set_colour(conn, enterprise.id, colour, ts(now))
        change_id = await risk_repo.add_change(
            conn, enterprise.id, enterprise.colour, colour, reason, source, by, now
        )
        await self._restart_clock(conn, enterprise.id, colour, now)
        await risk_repo.supersede(conn, enterprise.id, now)
        await roles_repo.audit(
            conn,
            now,
            by,
            "enterprise.colour",
            f"enterprise:{enterprise.id}",
            f"{enterprise.colour}->{colour}: {reason}",
        )
        rule = self.rules[colour]
        if rule.alert_tier is None:
            return None
        chat = await roles_repo.chat_for(conn, rule.alert_tier, enterprise.building_id)
        if chat is None:
            return None
        followup = await risk_repo.followup(conn, enterprise.id)
        actor = await users_repo.get(conn, by) if by else None
        building = await buildings_repo.get(conn, enterprise.building_id) if enterprise.building_id else None
        lang = self.settings.default_language
        text = self.services.renderer.render(
            lang,
            "enterprises/alert_colour.html",
            enterprise=enterprise,
            building=building,
            colour=colour,
            previous=enterprise.colour,
            reason=reason,
            actor=actor,
            due=followup.due_at if followup else None,
            emoji=risk.EMOJI,
            labels=risk.LABELS,
        )
        await outbox.enqueue(
            conn,
            chat_id=chat.chat_id,
            kind="enterprise_alert",
            text=text,
            now=now,
            dedupe_key=f"ent:{enterprise.id}:colour:{change_id}",
            buttons=[[self._open_button(lang, enterprise.id)]],
        )
        return rule.alert_tier

    def _open_button(self, lang: str, enterprise_id: int) -> dict[str, str]:

        return button(self.services.renderer.gettext(lang, OPEN_CARD), FEATURE, CARD_BUTTON, enterprise_id)

    async def _restart_clock(
        self, conn: aiosqlite.Connection, enterprise_id: int, colour: str, start: datetime
    ) -> None:
        await risk_repo.set_followup(
            conn, enterprise_id, colour, start, self.rules[colour].due(start, self.cal)
        )

    # ------------------------------------------------------------------ visits

    async def check_visit(self, user_id: int, enterprise_id: int) -> Enterprise:
        async with self.db.read() as conn:
            _, enterprise = await self._editable(conn, user_id, enterprise_id)
        return enterprise

    def parse_visit_notes(self, text: str) -> tuple[date | None, str]:
        """Notes may start with the visit's date (YYYY-MM-DD) when it was not today."""
        text = (text or "").strip()
        first, _, rest = text.partition(" ")
        try:
            return date.fromisoformat(first), rest.strip()
        except ValueError:
            return None, text

    def parse_next_step(self, text: str) -> tuple[date, str]:
        """'YYYY-MM-DD what to do' -> (date, what). Raises InvalidInput when the date is missing."""
        first, _, rest = (text or "").strip().partition(" ")
        try:
            when = date.fromisoformat(first)
        except ValueError:
            raise InvalidInput("ent_next_format") from None
        rest = " ".join(rest.split())
        if not rest:
            raise InvalidInput("ent_next_format")
        if len(rest) > NEXT_STEP_MAX:
            raise InvalidInput("ent_next_long", max=NEXT_STEP_MAX)
        return when, rest

    async def log_visit(
        self,
        user_id: int,
        enterprise_id: int,
        outcome: str,
        notes: str,
        next_step: str | None = None,
        next_step_on: date | None = None,
    ) -> Card:
        """A visit restarts the colour's follow-up clock (a next step's date may bring it forward)."""
        if outcome not in visits_repo.OUTCOMES:
            raise InvalidInput("ent_bad_button")
        visited_on, notes = self.parse_visit_notes(notes)
        notes = notes.strip()
        if not notes:
            raise InvalidInput("ent_notes_missing")
        if len(notes) > NOTES_MAX:
            raise InvalidInput("ent_notes_long", max=NOTES_MAX)
        now = self.clock.now()
        today = now.astimezone(self.settings.tz).date()
        if visited_on is not None and (visited_on > today or (today - visited_on).days > 365):
            raise InvalidInput("ent_visit_date")
        if next_step_on is not None and next_step_on < today:
            raise InvalidInput("ent_next_past")
        visited_at = now
        if visited_on is not None and visited_on != today:
            visited_at = datetime.combine(visited_on, time(12, 0), tzinfo=self.settings.tz)
        async with self.db.tx() as conn:
            _, enterprise = await self._editable(conn, user_id, enterprise_id)
            await visits_repo.add(
                conn, enterprise.id, visited_at, user_id, outcome, notes, now, next_step, next_step_on
            )
            started = max(visited_at, await self._colour_since(conn, enterprise.id) or visited_at)
            due = self.rules[enterprise.colour].due(started, self.cal)
            if next_step_on is not None:
                step_due = datetime.combine(next_step_on, time(9, 0), tzinfo=self.settings.tz)
                due = min(due, step_due)
            await risk_repo.set_followup(conn, enterprise.id, enterprise.colour, started, due)
            await roles_repo.audit(
                conn,
                now,
                user_id,
                "enterprise.visit",
                f"enterprise:{enterprise.id}",
                f"{outcome}: {notes[:200]}",
            )
            return await self._card(conn, enterprise)

    async def _colour_since(self, conn: aiosqlite.Connection, enterprise_id: int) -> datetime | None:
        from bot.storage.db import from_ts

        return from_ts(await enterprises_repo.colour_changed_at(conn, enterprise_id))

    # ------------------------------------------------------------------ liaisons

    async def link_code(self, user_id: int, enterprise_id: int) -> LinkCode:
        """A one-time code (and deep link) that links a liaison's Telegram account to the enterprise."""
        now = self.clock.now()
        code = secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
        expires = now + timedelta(days=LINK_CODE_DAYS)
        async with self.db.tx() as conn:
            _, enterprise = await self._editable(conn, user_id, enterprise_id)
            await risk_repo.add_link_code(conn, code, enterprise.id, user_id, now, expires)
            await roles_repo.audit(conn, now, user_id, "enterprise.link_code", f"enterprise:{enterprise.id}")
        return LinkCode(enterprise, code, expires)

    async def redeem(self, user_id: int, code: str) -> Enterprise:
        """`/start ent-<code>`: the person becomes the enterprise's liaison (codes are single-use)."""
        code = (code or "").strip()
        if not code or len(code) > 40:
            raise InvalidInput("ent_code_bad")
        now = self.clock.now()
        async with self.db.tx() as conn:
            enterprise_id = await risk_repo.use_link_code(conn, code, user_id, now)
            if enterprise_id is None:
                raise InvalidInput("ent_code_bad")
            await enterprises_repo.set_liaison(conn, enterprise_id, user_id, ts(now))
            await roles_repo.audit(conn, now, user_id, "enterprise.liaison", f"enterprise:{enterprise_id}")
            enterprise = await enterprises_repo.get(conn, enterprise_id)
        assert enterprise is not None
        return enterprise

    # ------------------------------------------------------------------ suggestions

    async def check_suggestion(self, user_id: int, suggestion_id: int) -> risk_repo.SuggestionRow:
        async with self.db.read() as conn:
            row = await risk_repo.suggestion(conn, suggestion_id)
            if row is None:
                raise InvalidInput("ent_bad_button")
            await self._editable(conn, user_id, row.enterprise_id)
        if row.status != "open":
            raise InvalidInput("ent_suggestion_closed")
        return row

    async def accept_suggestion(self, user_id: int, suggestion_id: int) -> ColourChanged:
        async with self.db.tx() as conn:
            row = await risk_repo.suggestion(conn, suggestion_id)
            if row is None:
                raise InvalidInput("ent_bad_button")
            _, enterprise = await self._editable(conn, user_id, row.enterprise_id)
            if row.status != "open" or enterprise.colour != row.colour_from:
                raise InvalidInput("ent_suggestion_closed")
            reasons = "; ".join(
                self.services.renderer.gettext(
                    self.settings.default_language, risk.REASONS[r["code"]], **r["params"]
                )
                for r in row.reasons
            )
            tier = await self._change_colour(conn, enterprise, row.colour_to, reasons, "suggestion", user_id)
            # _change_colour superseded every live suggestion; this one was accepted.
            await risk_repo.mark_accepted(conn, row.id, user_id)
            card = await self._card(conn, await enterprises_repo.get(conn, enterprise.id))  # type: ignore[arg-type]
        return ColourChanged(card, tier)

    async def dismiss_suggestion(self, user_id: int, suggestion_id: int, reason: str) -> Card:
        reason = " ".join((reason or "").split())
        if not reason:
            raise InvalidInput("ent_reason_missing")
        if len(reason) > REASON_MAX:
            raise InvalidInput("ent_reason_long", max=REASON_MAX)
        now = self.clock.now()
        async with self.db.tx() as conn:
            row = await risk_repo.suggestion(conn, suggestion_id)
            if row is None:
                raise InvalidInput("ent_bad_button")
            _, enterprise = await self._editable(conn, user_id, row.enterprise_id)
            if not await risk_repo.decide_suggestion(conn, row.id, "dismissed", user_id, now, reason):
                raise InvalidInput("ent_suggestion_closed")
            await roles_repo.audit(
                conn, now, user_id, "enterprise.suggestion_dismissed", f"enterprise:{enterprise.id}", reason
            )
            return await self._card(conn, enterprise)

    # ------------------------------------------------------------------ the scheduler tick

    async def tick(self) -> None:
        """Remind about passed follow-up deadlines, then (hourly) look for colours worth suggesting."""
        while await self._remind_batch():
            pass
        await self._sweep()

    async def _remind_batch(self) -> int:
        now = self.clock.now()
        lang = self.settings.default_language
        async with self.db.tx() as conn:
            due = await risk_repo.due_followups(conn, now, limit=100)
            if not due:
                return 0
            enterprises = await enterprises_repo.get_many(conn, [f.enterprise_id for f in due])
            buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
            for followup in due:
                enterprise = enterprises.get(followup.enterprise_id)
                escalate_tier = risk.ESCALATE_OVERDUE.get(followup.colour)
                if not await risk_repo.mark_reminded(
                    conn, followup.enterprise_id, followup.due_at, now, escalate_tier is not None
                ):
                    continue
                if enterprise is None:
                    continue
                last = await visits_repo.last_visit_at(conn, enterprise.id)
                building = buildings.get(enterprise.building_id) if enterprise.building_id else None
                values = dict(
                    enterprise=enterprise,
                    building=building,
                    followup=followup,
                    last_visit=last,
                    emoji=risk.EMOJI,
                    labels=risk.LABELS,
                )
                key = f"ent:{enterprise.id}:due:{ts(followup.due_at)}"
                buttons = [[self._open_button(lang, enterprise.id)]]
                chat = await roles_repo.chat_for(conn, 1, enterprise.building_id)
                if chat is not None:
                    text = self.services.renderer.render(
                        lang, "enterprises/reminder.html", escalated=False, **values
                    )
                    await outbox.enqueue(
                        conn,
                        chat_id=chat.chat_id,
                        kind="enterprise_reminder",
                        text=text,
                        now=now,
                        dedupe_key=key,
                        buttons=buttons,
                    )
                if escalate_tier is not None:
                    top = await roles_repo.chat_for(conn, escalate_tier, enterprise.building_id)
                    if top is not None and (chat is None or top.chat_id != chat.chat_id):
                        text = self.services.renderer.render(
                            lang, "enterprises/reminder.html", escalated=True, **values
                        )
                        await outbox.enqueue(
                            conn,
                            chat_id=top.chat_id,
                            kind="enterprise_escalation",
                            text=text,
                            now=now,
                            dedupe_key=key + ":esc",
                            buttons=buttons,
                        )
            return len(due)

    async def _sweep(self) -> None:
        """Compare every enterprise's colour with what its signals suggest; notice the worse ones once."""
        now = self.clock.now()
        today = now.astimezone(self.settings.tz).date()
        lang = self.settings.default_language
        async with self.db.tx() as conn:
            if not await risk_repo.sweep_due(conn, "signals", now):
                return
            await risk_repo.set_sweep(conn, "signals", now + SWEEP_EVERY)
            rows = await enterprises_repo.risk_inputs(conn)
            overdue = await risk_repo.overdue_ids(conn, now)
            facts_by_id = await signals_repo.request_facts(conn, now)
            live = await risk_repo.live_suggestions(conn)
            candidates: list[tuple[Any, risk.Suggestion, list[Any], Any]] = []
            for row in rows:
                req = facts_by_id.get(row.id, signals_repo.RequestFacts())
                facts = risk.Facts(
                    today=today,
                    colour=row.colour,
                    lease_end=row.lease_end,
                    follow_up_overdue=row.id in overdue,
                    office_requests=req.office_requests,
                    high_tier_requests=req.high_tier_requests,
                    overdue_requests=req.overdue_requests,
                    lowest_rating=req.lowest_rating,
                )
                suggestion = risk.suggest(facts)
                mine = live.get(row.id, [])
                open_row = next((s for s in reversed(mine) if s.status == "open"), None)
                dismissed = next((s for s in reversed(mine) if s.status == "dismissed"), None)
                if suggestion is None or not risk.worse(suggestion.colour, row.colour):
                    if mine:
                        await risk_repo.supersede(conn, row.id, now)
                    continue
                if not risk.worth_notice(
                    suggestion,
                    row.colour,
                    dismissed.signature if dismissed else None,
                    open_row.signature if open_row and open_row.colour_to == suggestion.colour else None,
                ):
                    continue
                candidates.append((row, suggestion, mine, dismissed))
            # Worst first, and only a chat-readable handful per sweep: the rest wait for the next one
            # (nothing is recorded for them, so they are found again).
            candidates.sort(key=lambda c: (-risk.SEVERITY[c[1].colour], c[0].id))
            for row, suggestion, mine, dismissed in candidates[:MAX_NOTICES_PER_SWEEP]:
                if mine:
                    await risk_repo.supersede(conn, row.id, now)
                chat = await roles_repo.chat_for(conn, 1, row.building_id)
                reasons = [s.as_dict() for s in suggestion.signals]
                sid = await risk_repo.add_suggestion(
                    conn,
                    row.id,
                    row.colour,
                    suggestion.colour,
                    suggestion.signature,
                    reasons,
                    chat.chat_id if chat else None,
                    now,
                )
                if chat is None:
                    continue
                await self._notice(conn, lang, chat.chat_id, sid, row, suggestion, dismissed, now)

    async def _notice(self, conn, lang, chat_id, sid, row, suggestion, dismissed, now) -> None:

        building = await buildings_repo.get(conn, row.building_id) if row.building_id else None
        text = self.services.renderer.render(
            lang,
            "enterprises/suggestion.html",
            enterprise=row,
            building=building,
            current=row.colour,
            suggested=suggestion.colour,
            reasons=[(risk.REASONS[s.code], dict(s.params)) for s in suggestion.signals],
            dismissed=dismissed,
            emoji=risk.EMOJI,
            labels=risk.LABELS,
        )
        translate = self.services.renderer.gettext
        buttons = [
            [
                button(
                    translate(lang, ACCEPT, colour=translate(lang, risk.LABELS[suggestion.colour])),
                    FEATURE,
                    "sa",
                    sid,
                ),
                button(translate(lang, DISMISS), FEATURE, "sd", sid),
            ],
            [self._open_button(lang, row.id)],
        ]
        await outbox.enqueue(
            conn,
            chat_id=chat_id,
            kind="enterprise_suggestion",
            text=text,
            now=now,
            dedupe_key=f"ent:{row.id}:suggestion:{sid}",
            buttons=buttons,
        )

    # ------------------------------------------------------------------ board and coverage

    async def board(self, user_id: int, building_query: str | None = None) -> BoardPicture:
        from bot.services import board as drawing

        now = self.clock.now()
        async with self.db.read() as conn:
            await self._staff(conn, user_id)
            buildings = await buildings_repo.all_buildings(conn)
            building = None
            if building_query and building_query.strip():
                building = self._building(buildings, building_query)
            cells = await enterprises_repo.board_cells(conn, ts(now), building.id if building else None)
        counts = dict.fromkeys(risk.COLOURS, 0)
        for cell in cells:
            counts[cell.colour] += 1
        local = now.astimezone(self.settings.tz)
        if building is None:
            png = drawing.district(buildings, cells, local)
        else:
            png = drawing.building(building, cells, local)
        return BoardPicture(png, building, counts, sum(c.overdue for c in cells), len(cells))

    @staticmethod
    def _building(buildings: list[Building], query: str) -> Building:
        q = query.strip()
        for b in buildings:
            if q.casefold() in (b.code.casefold(), str(b.id)):
                return b
        ranked = names.rank(q, [(b.id, b.name_zh, b.name_en) for b in buildings], limit=1, threshold=0.8)
        if not ranked:
            raise InvalidInput("ent_unknown_building", building=q[:40])
        return next(b for b in buildings if b.id == ranked[0][0])

    async def coverage(self, user_id: int) -> Coverage:
        """The article's three targets per building: base data complete, visited in time, requests in time."""
        now = self.clock.now()
        async with self.db.read() as conn:
            await self._staff(conn, user_id)
            buildings = await buildings_repo.all_buildings(conn)
            complete = await enterprises_repo.completeness(conn)
            visited = await visits_repo.coverage(conn, now)
            requests = await signals_repo.resolved_in_time(conn, now - timedelta(days=365))
        lines = []
        for b in buildings:
            total, done = complete.get(b.id, (0, 0))
            lines.append(
                CoverageLine(b, total, done, visited.get(b.id, (0, 0))[1], *requests.get(b.id, (0, 0)))
            )
        district = CoverageLine(
            None,
            sum(v[0] for v in complete.values()),
            sum(v[1] for v in complete.values()),
            sum(v[1] for v in visited.values()),
            sum(v[0] for v in requests.values()),
            sum(v[1] for v in requests.values()),
        )
        return Coverage(district, lines)

    async def figures(self, start: datetime | None = None, end: datetime | None = None) -> dict[str, Any]:
        """Numbers for the stats feature (no permission check: the caller decides who sees them).

        enterprises per colour, colour changes made by people in [start, end) (default: the last
        30 days), visits logged in that period, visit coverage and overdue follow-ups now.
        """
        now = self.clock.now()
        end = end or now
        start = start or end - timedelta(days=30)
        async with self.db.read() as conn:
            by_colour = await enterprises_repo.colour_counts(conn)
            changes = await risk_repo.changes_between(conn, start, end)
            visits = await visits_repo.count_between(conn, start, end)
            visited = await visits_repo.coverage(conn, now)
            overdue = len(await risk_repo.overdue_ids(conn, now))
        total = sum(by_colour.values())
        covered = sum(v[1] for v in visited.values())
        return {
            "period": (start, end),
            "enterprises": total,
            "by_colour": by_colour,
            "colour_changes": {c: changes.get(c, 0) for c in risk.COLOURS},
            "colour_changes_total": sum(changes.values()),
            "visits": visits,
            "visit_coverage": {
                "visited": covered,
                "total": total,
                "percent": round(100 * covered / total, 1) if total else None,
            },
            "overdue_followups": overdue,
        }

    # ------------------------------------------------------------------ import / export

    async def import_csv(self, data: bytes, actor_id: int | None = None) -> ImportReport:
        """Upsert by key; all accepted rows in one transaction, every rejected row reported.

        Colours in the file are applied (with a history entry 'import') but do not alert staff
        chats: an import is a bulk load, not news. A blank colour keeps the current one.
        """
        import time as _time

        started = _time.perf_counter()
        now = self.clock.now()
        stamp = ts(now)
        async with self.db.tx() as conn:
            buildings = await buildings_repo.all_buildings(conn)
            spellings: dict[str, int] = {}
            for b in buildings:
                for spelling in (b.code, str(b.id), b.name_zh, b.name_en, b.name_fr):
                    spellings.setdefault(spelling, b.id)
            parsed = enterprise_csv.parse(data, spellings)
            state = await enterprises_repo.import_state(conn)
            added = updated = unchanged = 0
            history: list[tuple[int, str | None, str, str, str]] = []
            clocks: list[tuple[int, str, datetime, datetime]] = []
            for row in parsed.rows:
                values: dict[str, object] = {
                    "name": row.name,
                    "name_en": row.name_en,
                    "building_id": row.building_id,
                    "floor_unit": row.floor_unit,
                    "industry": row.industry,
                    "headcount_band": row.headcount_band,
                    "lease_end": row.lease_end.isoformat() if row.lease_end else None,
                    "party_org": row.party_org,
                    "notes": row.notes,
                }
                current = state.get(row.key)
                if current is None:
                    colour = row.colour or "blue"
                    new_id = await enterprises_repo.insert_imported(conn, row.key, values, colour, stamp)
                    history.append((new_id, None, colour, "import", "import"))
                    clocks.append((new_id, colour, now, self.rules[colour].due(now, self.cal)))
                    added += 1
                    continue
                enterprise_id, colour_now, old = current
                same = old == tuple(values[c] for c in enterprises_repo.IMPORTED)
                recolour = row.colour is not None and row.colour != colour_now
                if same and not recolour:
                    unchanged += 1
                    continue
                if not same:
                    await enterprises_repo.update_imported(conn, enterprise_id, values, stamp)
                if recolour:
                    assert row.colour is not None
                    await enterprises_repo.set_colour(conn, enterprise_id, row.colour, stamp)
                    await risk_repo.supersede(conn, enterprise_id, now)
                    history.append((enterprise_id, colour_now, row.colour, "import", "import"))
                    clocks.append((enterprise_id, row.colour, now, self.rules[row.colour].due(now, self.cal)))
                updated += 1
            await risk_repo.add_changes(conn, history, now)
            await risk_repo.set_followups(conn, clocks)
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "enterprise.import",
                "enterprises",
                f"added {added}, updated {updated}, unchanged {unchanged}, rejected {len(parsed.rejected)}",
            )
        return ImportReport(
            parsed.encoding, added, updated, unchanged, parsed.rejected, _time.perf_counter() - started
        )

    async def export_csv(self) -> str:
        async with self.db.read() as conn:
            rows = await enterprises_repo.export_rows(conn)
        return enterprise_csv.write(rows)
