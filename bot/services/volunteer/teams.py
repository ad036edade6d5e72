# i18n-domain: volunteer
"""Company teams: a linked enterprise liaison holds places on one shift for their colleagues, who
join with the team's code; places nobody took are released to everyone before the shift (tick)."""

from __future__ import annotations

import secrets

from bot.msgids import N_
from bot.services.access import ensure, may_claim_team
from bot.services.base import InvalidInput, UseCases
from bot.services.volunteer.cards import ShiftCard, open_shift, shift_card, snapshot
from bot.services.volunteer.signups import SignUpResult
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage import shifts as repo

NOT_LIAISON = N_("Sorry, only a company's linked liaison can claim places for a team.")
MAX_TEAM = 50


class Teams(UseCases):
    async def claim(self, user_id: int, shift_id: int, places: int) -> tuple[repo.Team, ShiftCard]:
        """A linked enterprise liaison holds places on one shift for their company's team."""
        if not 1 <= places <= MAX_TEAM:
            raise InvalidInput("team_places")
        async with self.db.tx() as conn:
            now = self.now()
            companies = await enterprises_repo.of_liaison(conn, user_id)
            ensure(may_claim_team(companies), NOT_LIAISON)
            shift = await open_shift(conn, shift_id, now)
            snap = await snapshot(conn, shift)
            available = snap.free - snap.waiting
            if places > available:
                raise InvalidInput("team_too_many", free=max(0, available))
            release = max(
                now,
                min(
                    shift.starts_at - self.settings.vol_team_release,
                    shift.starts_at - self.settings.vol_offer_lead,
                ),
            )
            code = secrets.token_hex(3).upper()
            team_id = await repo.insert_team(
                conn, shift_id, companies[0].id, user_id, places, code, release, now
            )
            await roles_repo.audit(
                conn, now, user_id, "vol.team_claim", f"shift:{shift_id}", f"{companies[0].key} x{places}"
            )
            team = await repo.team_by_code(conn, code)
            assert team is not None and team.id == team_id
            return team, await shift_card(conn, shift, user_id)

    async def join(self, user_id: int, code: str) -> SignUpResult:
        """A colleague joins with the team's code: one of its held places becomes theirs."""
        code = code.strip().upper()[:12]
        async with self.db.read() as conn:
            team = await repo.team_by_code(conn, code) if code else None
            if team is None or team.released_at is not None:
                raise InvalidInput("bad_team_code")
            if await repo.team_members(conn, team.id) >= team.places:
                raise InvalidInput("team_full")
        return await self.services.volunteer.signups.sign_up(user_id, team.shift_id, team_id=team.id)
