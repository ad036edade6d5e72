# i18n-domain: volunteer
"""Company teams: a linked enterprise liaison picks a project and a shift from buttons (or adopts a
whole project for four weeks), holds places for colleagues, shares a join link, sees who joined,
and is told before the places nobody took go back to everyone (the tick releases them).

One claim (vol_claims, its code in the join link) holds places on one shift or on every shift
of the adopted project (one vol_teams row per shift).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.msgids import N_
from bot.services.access import ensure, may_claim_team
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ShiftCard, open_shift, shift_card, snapshot
from bot.services.volunteer.signups import SignUpResult
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import shifts as repo
from bot.storage import users as users_repo

NOT_LIAISON = N_("Sorry, only a company's linked liaison can claim places for a team.")
MAX_TEAM = 50
ADOPT_WEEKS = 4
PAGE = 8
JOIN = "vt-"  # /start payload of a team's join link


@dataclass(frozen=True)
class TeamShift:
    """One shift of a claim: its card, the places held, and who of the team joined."""

    card: ShiftCard
    team: repo.Team
    members: list[str]

    @property
    def open_places(self) -> int:
        return 0 if self.team.released_at is not None else max(0, self.team.places - len(self.members))


@dataclass(frozen=True)
class ClaimView:
    claim: repo.Claim
    project: repo.Project
    shifts: list[TeamShift]


class Teams(UseCases):
    async def may_claim(self, user_id: int) -> None:
        async with self.db.read() as conn:
            ensure(may_claim_team(await enterprises_repo.of_liaison(conn, user_id)), NOT_LIAISON)

    async def projects(self, user_id: int, topic: str, page: int) -> tuple[list[repo.Project], bool]:
        """A page of projects to claim places on (a topic's, or all)."""
        async with self.db.read() as conn:
            ensure(may_claim_team(await enterprises_repo.of_liaison(conn, user_id)), NOT_LIAISON)
            found = await repo.projects_page(conn, topic, max(0, page) * PAGE, PAGE + 1)
        return found[:PAGE], len(found) > PAGE

    async def shifts(self, user_id: int, project_id: int) -> tuple[repo.Project, list[ShiftCard]]:
        """The next shifts of a project with places a team could hold."""
        async with self.db.read() as conn:
            ensure(may_claim_team(await enterprises_repo.of_liaison(conn, user_id)), NOT_LIAISON)
            project = await repo.project(conn, project_id)
            if project is None or not project.active:
                raise InvalidInput("project_gone")
            upcoming = await repo.upcoming_shifts(conn, project_id, self.now(), limit=PAGE)
            return project, [await shift_card(conn, s) for s in upcoming]

    async def claim(self, user_id: int, shift_id: int, places: int) -> ClaimView:
        """Hold places on one shift for the liaison's company team."""
        self._check_places(places)
        async with self.db.tx() as conn:
            now = self.now()
            company = await self._company(conn, user_id)
            shift = await open_shift(conn, shift_id, now)
            claim_id = await self._new_claim(conn, company, user_id, shift.project_id, places, False, now)
            await self._hold(conn, claim_id, company, user_id, shift, places, now, strict=True)
            await roles_repo.audit(
                conn, now, user_id, "vol.team_claim", f"shift:{shift_id}", f"{company.key} x{places}"
            )
            return await self._view(conn, claim_id)

    async def adopt(self, user_id: int, project_id: int, places: int) -> ClaimView:
        """Adopt a whole project: places held on each of its shifts of the next four weeks that has them."""
        self._check_places(places)
        async with self.db.tx() as conn:
            now = self.now()
            company = await self._company(conn, user_id)
            project = await repo.project(conn, project_id)
            if project is None or not project.active:
                raise InvalidInput("project_gone")
            upcoming = await repo.shifts_between(conn, now, now + timedelta(weeks=ADOPT_WEEKS), [project_id])
            claim_id = await self._new_claim(conn, company, user_id, project_id, places, True, now)
            held = 0
            for shift in upcoming:
                if shift.status == "open":
                    held += await self._hold(
                        conn, claim_id, company, user_id, shift, places, now, strict=False
                    )
            if held == 0:
                raise InvalidInput("team_too_many", free=0)
            await roles_repo.audit(
                conn, now, user_id, "vol.team_adopt", f"project:{project.key}", f"{company.key} x{places}"
            )
            return await self._view(conn, claim_id)

    async def mine(self, user_id: int) -> list[ClaimView]:
        """The liaison's claims, newest first, with who joined each shift."""
        async with self.db.read() as conn:
            return [await self._view(conn, c.id) for c in await repo.claims_of(conn, user_id)]

    async def view(self, user_id: int, claim_id: int) -> ClaimView:
        async with self.db.read() as conn:
            found = await repo.claim(conn, claim_id)
            if found is None or found.liaison_user_id != user_id:
                raise InvalidInput("bad_team_code")
            return await self._view(conn, claim_id)

    async def joinable(self, code: str) -> ClaimView:
        """What a join link offers: the claim's shifts that still have held places."""
        async with self.db.read() as conn:
            found = await repo.claim_by_code(conn, code.strip().upper()[:12])
            if found is None:
                raise InvalidInput("bad_team_code")
            return await self._view(conn, found.id)

    async def join(self, user_id: int, code: str, shift_id: int | None = None) -> SignUpResult:
        """A colleague joins with the team's link: one of its held places becomes theirs."""
        code = code.strip().upper()[:12]
        async with self.db.read() as conn:
            found = await repo.claim_by_code(conn, code) if code else None
            teams = await repo.teams_of_claim(conn, found.id) if found else []
            if not teams:
                legacy = await repo.team_by_code(conn, code) if code else None  # links shared before claims
                teams = [legacy] if legacy else []
            now = self.now()
            live = [t for t in teams if t.released_at is None]
            if shift_id is not None:
                live = [t for t in live if t.shift_id == shift_id]
            if not live:
                raise InvalidInput("bad_team_code")
            team = None
            for t in live:
                shift = await repo.shift(conn, t.shift_id)
                if (
                    shift is not None
                    and shift.starts_at > now
                    and await repo.team_members(conn, t.id) < t.places
                ):
                    team = t
                    break
            if team is None:
                raise InvalidInput("team_full")
        return await self.services.volunteer.signups.sign_up(user_id, team.shift_id, team_id=team.id)

    # ------------------------------------------------------------------ the tick's part

    async def warn_and_release(self, conn: aiosqlite.Connection, now: datetime) -> int:
        """Tell liaisons, ahead of the release, how many held places nobody took yet."""
        told = 0
        for team in await repo.teams_to_warn(conn, now + self.settings.vol_team_warning):
            await repo.mark_team_warned(conn, team.id, now)
            left = team.places - await repo.team_members(conn, team.id)
            shift = await repo.shift(conn, team.shift_id)
            if left <= 0 or shift is None or shift.status != "open" or team.release_at <= now:
                continue
            await self.services.volunteer.notices.notify(
                conn, team.liaison_user_id, "volunteer/team_warning.html", f"team:{team.id}:warn", now,
                starts_at=shift.starts_at, own=False, expires_at=team.release_at,
                card=await shift_card(conn, shift), left=left, team=team,
            )  # fmt: skip
            told += 1
        return told

    async def tell_released(self, conn: aiosqlite.Connection, team: repo.Team, now: datetime) -> None:
        left = team.places - await repo.team_members(conn, team.id)
        shift = await repo.shift(conn, team.shift_id)
        if left > 0 and shift is not None and shift.status == "open":
            await self.services.volunteer.notices.notify(
                conn, team.liaison_user_id, "volunteer/team_released.html", f"team:{team.id}:released", now,
                starts_at=shift.starts_at, own=False, expires_at=shift.starts_at,
                card=await shift_card(conn, shift), left=left,
            )  # fmt: skip

    # ------------------------------------------------------------------ helpers

    def _check_places(self, places: int) -> None:
        if not 1 <= places <= MAX_TEAM:
            raise InvalidInput("team_places")

    async def _company(self, conn: aiosqlite.Connection, user_id: int) -> enterprises_repo.Enterprise:
        companies = await enterprises_repo.of_liaison(conn, user_id)
        ensure(may_claim_team(companies), NOT_LIAISON)
        return companies[0]

    async def _new_claim(
        self,
        conn: aiosqlite.Connection,
        company: enterprises_repo.Enterprise,
        user_id: int,
        project_id: int,
        places: int,
        adopted: bool,
        now: datetime,
    ) -> int:
        code = secrets.token_hex(4).upper()
        return await repo.insert_claim(conn, code, company.id, user_id, project_id, places, adopted, now)

    async def _hold(
        self,
        conn: aiosqlite.Connection,
        claim_id: int,
        company: enterprises_repo.Enterprise,
        user_id: int,
        shift: repo.Shift,
        places: int,
        now: datetime,
        *,
        strict: bool,
    ) -> int:
        """Hold places on one shift (as many as are free when adopting); returns how many."""
        snap = await snapshot(conn, shift)
        available = max(0, snap.free - snap.waiting)
        if places > available and strict:
            raise InvalidInput("team_too_many", free=available)
        places = min(places, available)
        # Held until BOT_VOL_TEAM_RELEASE before the start; claimed later than that, until the last
        # hour (BOT_VOL_OFFER_LEAD), so the organiser still knows who comes before the desk opens.
        release = shift.starts_at - self.settings.vol_team_release
        if release <= now:
            release = shift.starts_at - self.settings.vol_offer_lead
        if places <= 0 or release <= now:
            if strict:
                raise InvalidInput("team_too_many", free=available if release > now else 0)
            return 0
        claim = await repo.claim(conn, claim_id)
        assert claim is not None
        team_id = await repo.insert_team(
            conn, shift.id, company.id, user_id, places, f"{claim.code}-{shift.id}", release, now
        )
        await repo.set_team_claim(conn, team_id, claim_id)
        return places

    async def _view(self, conn: aiosqlite.Connection, claim_id: int) -> ClaimView:
        found = await repo.claim(conn, claim_id)
        assert found is not None
        project = await repo.project(conn, found.project_id)
        assert project is not None
        shifts = []
        for team in await repo.teams_of_claim(conn, claim_id):
            shift = await repo.shift(conn, team.shift_id)
            assert shift is not None
            ids = await repo.team_member_ids(conn, team.id)
            names = await users_repo.get_many(conn, ids)
            shifts.append(
                TeamShift(
                    await shift_card(conn, shift),
                    team,
                    [names[i].name if i in names else str(i) for i in ids],
                )
            )
        return ClaimView(found, project, shifts)
