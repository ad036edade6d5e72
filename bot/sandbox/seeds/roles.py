"""Demo data for roles and privacy: invitations in every state, their audit trail, a shared phone.

(Open `/staff` and `/audit` as the demo administrator, `/privacy` and `/mydata` as Li Na.)
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.sandbox.seeds import ADMIN, STAFF_TIER, WORKER
from bot.storage import buildings as buildings_repo
from bot.storage import invitations as invitations_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo

if TYPE_CHECKING:
    from bot.services import Services


async def seed(services: Services) -> None:
    now = services.clock.now()
    async with services.db.tx() as conn:
        park_place = await buildings_repo.by_code(conn, "PARKPL")
        # Wang Shan joined through a link two days ago (the core seed gave her the role).
        roles = await roles_repo.active_roles(conn, STAFF_TIER[1])
        used = await invitations_repo.create(
            conn,
            token=secrets.token_urlsafe(18),
            role="staff",
            building_id=park_place.id if park_place else None,
            tier=1,
            scope=None,
            created_by=ADMIN,
            now=now - timedelta(days=2),
            expires_at=now + timedelta(hours=0),
        )
        if roles:
            await invitations_repo.mark_used(
                conn, used, STAFF_TIER[1], roles[0].id, now - timedelta(days=2) + timedelta(hours=1)
            )
        await roles_repo.audit(
            conn,
            now - timedelta(days=2),
            ADMIN,
            "invite.create",
            f"invitation:{used}",
            "staff tier=1 building=PARKPL",
        )
        await roles_repo.audit(
            conn,
            now - timedelta(days=2) + timedelta(hours=1),
            STAFF_TIER[1],
            "role.grant",
            f"user:{STAFF_TIER[1]}",
            f"invitation:{used} by:{ADMIN}",
        )
        # An invitation still open (for an organiser of the elderly smartphone lessons) and one that expired.
        open_id = await invitations_repo.create(
            conn,
            token=secrets.token_urlsafe(18),
            role="organiser",
            building_id=None,
            tier=None,
            scope="elderly-phones",
            created_by=ADMIN,
            now=now - timedelta(hours=3),
            expires_at=now + timedelta(hours=45),
        )
        await roles_repo.audit(
            conn,
            now - timedelta(hours=3),
            ADMIN,
            "invite.create",
            f"invitation:{open_id}",
            "organiser project=elderly-phones",
        )
        await invitations_repo.create(
            conn,
            token=secrets.token_urlsafe(18),
            role="staff",
            building_id=None,
            tier=2,
            scope=None,
            created_by=ADMIN,
            now=now - timedelta(days=5),
            expires_at=now - timedelta(days=3),
        )
        # Li Na shared her phone number with the contact button.
        await users_repo.update(conn, WORKER, now, phone="+8613800138000")
