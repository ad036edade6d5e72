# i18n-domain: enterprises
"""Suggestions: the hourly sweep compares every colour with what its facts point to, and each
building's staff chat gets at most one digest of new suggestions a day, worst first.

The facts are those staff can check: the lease end, requests staff tagged as relevant to
stability (with their references and categories: a category alone never counts), a low rating
and its request, the last visit's findings, a visit overdue. A suggestion lists them; dismissing
one needs a reason and keeps it quiet until a fact appears that it did not rest on; accepting
changes the colour like a staff member would (with the facts as its reason). The rules
themselves are pure, in bot/domain/risk.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.callbacks import Action
from bot.domain import risk
from bot.domain.escalation import next_digest_at
from bot.domain.requests import CATEGORY_LABELS
from bot.domain.worktime import WorkCalendar, is_working_time
from bot.msgids import N_
from bot.render import MESSAGE_LIMIT, visible_length
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.actions import FEATURE
from bot.services.enterprises.cards import OPEN_CARD, Card
from bot.services.enterprises.colours import ColourChanged
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprise_signals as signals_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import outbox
from bot.storage import roles as roles_repo
from bot.storage import visits as visits_repo
from bot.storage.buildings import Building
from bot.storage.enterprise_risk import SuggestionRow
from bot.storage.enterprises import Enterprise, RiskInput

if TYPE_CHECKING:
    from bot.services import Services


# A suggestion's buttons: "1|ent|sa|<suggestion id>" and "1|ent|sd|<suggestion id>" (notices already
# posted in staff chats must keep working).
ACCEPT = Action(FEATURE, "sa")
DISMISS = Action(FEATURE, "sd")
ACCEPT_LABEL = N_("Accept %(colour)s")
DISMISS_LABEL = N_("Dismiss")

SWEEP_EVERY = timedelta(hours=1)
SWEEP_BATCH = 200  # enterprises one round checks (the first sweep after migration 0080 checks them all)
DIGEST_SIZE = 10  # suggestions in one chat's daily digest (the rest follow in the next days')
DIGEST_CHATS_PER_ROUND = 4  # chats whose digest one tick round posts (the next round does the next ones)
FINDINGS_FOR = timedelta(days=180)  # a visit's finding counts this long (until the next visit)


@dataclass(frozen=True)
class Candidate:
    """An enterprise whose facts point to a worse colour, and what was said about it before."""

    row: RiskInput
    suggestion: risk.Suggestion
    live: list[SuggestionRow]


@dataclass(frozen=True)
class Reason:
    """One line of a suggestion: what it means, and the requests it rests on."""

    msgid: str
    params: dict[str, str]
    evidence: list[tuple[str, str]]  # (reference, category label msgid)


@dataclass(frozen=True)
class Item:
    """A suggestion as its digest shows it."""

    suggestion: SuggestionRow
    enterprise: Enterprise
    reasons: list[Reason]
    dismissed: SuggestionRow | None


def reasons_of(row: SuggestionRow) -> list[Reason]:
    return [
        Reason(
            risk.REASONS[r["code"]],
            dict(r["params"]),
            [(ref, CATEGORY_LABELS.get(cat, CATEGORY_LABELS["other"])) for ref, cat in r.get("evidence", [])],
        )
        for r in row.reasons
        if r["code"] in risk.REASONS
    ]


class Suggestions(UseCases):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.calendar = WorkCalendar(tz=self.settings.tz)

    # ------------------------------------------------------------------ staff decide

    async def check(self, user_id: int, suggestion_id: int) -> Enterprise:
        """Dismiss was pressed: may this person decide it, and is it still open? (The reason is asked next.)"""
        async with self.db.read() as conn:
            row, enterprise = await self._decidable(conn, user_id, suggestion_id)
        if row.status != "open":
            raise InvalidInput("ent_suggestion_closed")
        return enterprise

    def reason_text(self, row: SuggestionRow) -> str:
        """The facts as one line, the reason of the colour change an acceptance makes."""
        lang = self.settings.default_language
        parts = []
        for reason in reasons_of(row):
            text = self.gettext(lang, reason.msgid, **reason.params)
            if reason.evidence:
                text += " (" + ", ".join(ref for ref, _ in reason.evidence) + ")"
            parts.append(text)
        return "; ".join(parts)[:500]

    async def accept(self, user_id: int, suggestion_id: int) -> ColourChanged:
        registry = self.services.enterprises.registry
        colours = self.services.enterprises.colours
        async with self.db.tx() as conn:
            row, enterprise = await self._decidable(conn, user_id, suggestion_id)
            if row.status != "open" or enterprise.colour != row.colour_from:
                raise InvalidInput("ent_suggestion_closed")
            change = await colours.change(
                conn, enterprise, row.colour_to, self.reason_text(row), "suggestion", user_id
            )
            tiers = await colours.alert(conn, [change])
            # The change superseded every live suggestion; this one was accepted.
            await risk_repo.mark_accepted(conn, row.id, user_id)
            changed = await enterprises_repo.get(conn, enterprise.id)
            card = await registry.card_in(conn, changed or enterprise)
        return ColourChanged(card, max(tiers, default=None))

    async def dismiss(self, user_id: int, suggestion_id: int, reason: str) -> Card:
        reason = self.services.enterprises.colours.clean_reason(reason)
        now = self.now()
        async with self.db.tx() as conn:
            row, enterprise = await self._decidable(conn, user_id, suggestion_id)
            if not await risk_repo.decide_suggestion(conn, row.id, "dismissed", user_id, now, reason):
                raise InvalidInput("ent_suggestion_closed")
            await roles_repo.audit(
                conn, now, user_id, "enterprise.suggestion_dismissed", f"enterprise:{enterprise.id}", reason
            )
            return await self.services.enterprises.registry.card_in(conn, enterprise)

    async def _decidable(
        self, conn: aiosqlite.Connection, user_id: int, suggestion_id: int
    ) -> tuple[SuggestionRow, Enterprise]:
        """The suggestion and its enterprise, if this person may decide it (open or not)."""
        registry = self.services.enterprises.registry
        access = await registry.staff_in(conn, user_id)
        row = await risk_repo.suggestion(conn, suggestion_id)
        if row is None:
            raise InvalidInput("ent_bad_button")
        return row, await registry.editable_in(conn, access, row.enterprise_id)

    # ------------------------------------------------------------------ the hourly sweep

    async def sweep(self) -> None:
        """Hourly: record the suggestions the facts call for now, checking only the enterprises
        whose facts changed, or change by time passing, since the last sweep (a batch per round:
        with more waiting, the next round goes on). Every tick in working hours while digests are
        due: post them, a few chats per round (a round stays short for everyone)."""
        now = self.now()
        async with self.db.tx() as conn:
            if await risk_repo.sweep_due(conn, "signals", now):
                ids = await risk_repo.checks_due(conn, now, SWEEP_BATCH)
                more = len(ids) == SWEEP_BATCH
                await risk_repo.set_sweep(conn, "signals", now if more else now + SWEEP_EVERY)
                candidates = await self._candidates(conn, ids, now) if ids else []
                await self._record(conn, candidates, now)
                if candidates:
                    await risk_repo.set_sweep(conn, "suggestion_digests", now)
            if await risk_repo.sweep_due(conn, "suggestion_digests", now) and is_working_time(
                now, self.calendar
            ):
                finished = await self._digests(conn, now)
                if finished:
                    await risk_repo.set_sweep(conn, "suggestion_digests", next_digest_at(now, self.calendar))

    async def _facts(
        self, conn: aiosqlite.Connection, ids: list[int], now: datetime
    ) -> tuple[dict[int, dict[str, Any]], dict[int, list[datetime]]]:
        """These enterprises' facts besides their lease, and the moments after `now` at which one
        of them changes by time alone (a visit falls due, a rating, tag or finding stops counting)."""
        tz = self.settings.tz
        found: dict[int, dict[str, Any]] = defaultdict(dict)
        changes: dict[int, list[datetime]] = defaultdict(list)
        for enterprise_id, due in (await risk_repo.due_dates(conn, ids)).items():
            if due <= now:
                found[enterprise_id]["visit_due"] = due.astimezone(tz).date()
            else:
                changes[enterprise_id].append(due)
        tagged: dict[int, dict[str, list[risk.Evidence]]] = defaultdict(lambda: defaultdict(list))
        for t in await signals_repo.tagged_requests(conn, now, ids):
            tagged[t.enterprise_id][t.tag].append(risk.Evidence(t.request.reference, t.request.category))
            if t.counts_until is not None:
                changes[t.enterprise_id].append(t.counts_until)
        for enterprise_id, by_tag in tagged.items():
            found[enterprise_id]["tagged"] = {tag: tuple(refs) for tag, refs in by_tag.items()}
        for low in await signals_repo.low_ratings(conn, now, ids):  # lowest first
            evidence = risk.Evidence(low.request.reference, low.request.category)
            found[low.enterprise_id].setdefault("low_rating", (low.rating, evidence))
            changes[low.enterprise_id].append(low.counts_until)
        for enterprise_id, (outcome, at, visit_id) in (
            await visits_repo.last_visits(conn, ids, now - FINDINGS_FOR)
        ).items():
            if outcome in risk.VISIT_FINDINGS:
                found[enterprise_id]["last_visit"] = (outcome, at.astimezone(tz).date(), visit_id)
                changes[enterprise_id].append(at + FINDINGS_FOR)
        return found, changes

    def _lease_changes(self, lease_end: date | None, today: date) -> datetime | None:
        """The station's midnight at which the lease's signal next changes by time alone."""
        day = risk.lease_changes_on(lease_end, today)
        return None if day is None else datetime.combine(day, time(0), tzinfo=self.settings.tz)

    async def _candidates(self, conn: aiosqlite.Connection, ids: list[int], now: datetime) -> list[Candidate]:
        """Of these enterprises, those worth a (new) suggestion; live suggestions whose facts went
        away are retired. Each is checked again when a fact changes by time alone (or changes)."""
        today = now.astimezone(self.settings.tz).date()
        facts_by_id, changes = await self._facts(conn, ids, now)
        live = await risk_repo.live_suggestions(conn, ids)
        next_check: dict[int, datetime | None] = dict.fromkeys(ids)
        candidates: list[Candidate] = []
        for row in await enterprises_repo.risk_inputs(conn, ids):
            lease = self._lease_changes(row.lease_end, today)
            next_check[row.id] = min([*changes.get(row.id, []), *([lease] if lease else [])], default=None)
            facts = risk.Facts(
                today=today, colour=row.colour, lease_end=row.lease_end, **facts_by_id.get(row.id, {})
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
            candidates.append(Candidate(row, suggestion, mine))
        await risk_repo.schedule_checks(conn, next_check)
        return candidates

    async def _record(self, conn: aiosqlite.Connection, candidates: list[Candidate], now: datetime) -> None:
        """Record the suggestions (each replaces its enterprise's older ones); digests will show them."""
        for candidate in candidates:
            if candidate.live:
                await risk_repo.supersede(conn, candidate.row.id, now)
        await risk_repo.add_suggestions(
            conn,
            [
                risk_repo.NewSuggestion(
                    c.row.id,
                    c.row.colour,
                    c.suggestion.colour,
                    c.suggestion.signature,
                    [s.as_dict() for s in c.suggestion.signals],
                    next((s.id for s in reversed(c.live) if s.status == "dismissed"), None),
                )
                for c in candidates
            ],
            now,
        )

    # ------------------------------------------------------------------ the daily digests

    async def _digests(self, conn: aiosqlite.Connection, now: datetime) -> bool:
        """Each chat with waiting suggestions gets today's one digest (worst first), a few chats per
        round; True when no chat is left for today."""
        waiting = await risk_repo.unposted(conn)
        staff_chats = await roles_repo.all_staff_chats(conn)
        by_chat: dict[int, list[risk_repo.Waiting]] = defaultdict(list)
        for w in waiting:
            chat = roles_repo.chat_among(staff_chats, 1, w.building_id)
            if chat is not None:
                by_chat[chat.chat_id].append(w)
        day = now.astimezone(self.settings.tz).date().isoformat()
        had = await risk_repo.had_digests(conn, list(by_chat), "suggestions", day)
        due = [c for c in by_chat if c not in had]
        if not due:
            return True
        buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
        for chat_id in due[:DIGEST_CHATS_PER_ROUND]:
            await risk_repo.claim_digest(conn, chat_id, "suggestions", day, now)
            await self._post(conn, chat_id, by_chat[chat_id], buildings, now)
        return len(due) <= DIGEST_CHATS_PER_ROUND

    async def _post(
        self,
        conn: aiosqlite.Connection,
        chat_id: int,
        waiting: list[risk_repo.Waiting],
        buildings: dict[int, Building],
        now: datetime,
    ) -> None:
        """One chat's digest: its worst waiting suggestions, with their facts and buttons."""
        waiting.sort(key=lambda w: (-risk.SEVERITY[w.colour_to], w.id))
        picked = waiting[:DIGEST_SIZE]
        rows = await risk_repo.suggestions(conn, [w.id for w in picked])
        earlier = await risk_repo.suggestions(
            conn, [r.after_dismissal for r in rows.values() if r.after_dismissal]
        )
        enterprises = await enterprises_repo.get_many(conn, [w.enterprise_id for w in picked])
        shown = [
            Item(
                rows[w.id],
                enterprises[w.enterprise_id],
                reasons_of(rows[w.id]),
                earlier.get(rows[w.id].after_dismissal or 0),
            )
            for w in picked
            if w.id in rows and w.enterprise_id in enterprises
        ]
        lang = self.settings.default_language
        while True:
            text = self.renderer.render(
                lang,
                "enterprises/suggestions_digest.html",
                10 * MESSAGE_LIMIT,
                items=shown,
                more=len(waiting) - len(shown),
                buildings=buildings,
                emoji=risk.EMOJI,
                labels=risk.LABELS,
            )
            if visible_length(text) <= MESSAGE_LIMIT or len(shown) <= 1:
                break
            shown.pop()
        buttons = []
        for n, item in enumerate(shown, 1):
            sid, colour = item.suggestion.id, risk.EMOJI[item.suggestion.colour_to]
            buttons.append(
                [
                    ACCEPT.button(f"{n}. " + self.gettext(lang, ACCEPT_LABEL, colour=colour), sid),
                    DISMISS.button(f"{n}. " + self.gettext(lang, DISMISS_LABEL), sid),
                    OPEN_CARD.button(f"{n}. 📇", item.enterprise.id),
                ]
            )
        await outbox.enqueue(
            conn,
            chat_id=chat_id,
            kind="enterprise_suggestion",
            text=text,
            now=now,
            dedupe_key=f"ent:suggestions:{chat_id}:{now.astimezone(self.settings.tz).date().isoformat()}",
            buttons=buttons,
        )
        await risk_repo.mark_posted(conn, [i.suggestion.id for i in shown], chat_id, now)
