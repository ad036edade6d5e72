# i18n-domain: enterprises
"""The registry: find and show an enterprise, link its liaison; import and export the CSV (imports.py).

It also answers, for every use case of the feature, "who is asking, and may they touch this
enterprise?" (`staff_in`, `editable_in`), with the rules of services/access.py, at the moment of
the action.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiosqlite

from bot.domain import names
from bot.services.access import (
    NOT_STAFF,
    Access,
    ensure,
    enterprise_refusal,
    may_edit_enterprise,
    may_see_enterprises,
)
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.cards import Card, card_of
from bot.services.enterprises.deadlines import Deadlines
from bot.services.enterprises.imports import ImportReport
from bot.storage import buildings as buildings_repo
from bot.storage import enterprise_risk as risk_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import roles as roles_repo
from bot.storage.buildings import Building
from bot.storage.db import ts
from bot.storage.enterprises import Enterprise

if TYPE_CHECKING:
    from bot.services import Services


LINK_CODE_DAYS = 7
QUERY_MAX = 100


@dataclass(frozen=True)
class Found:
    """The answer to /ent <query>: one card, or a short list to choose from (possibly empty)."""

    card: Card | None
    matches: list[Enterprise] = field(default_factory=list)
    buildings: dict[int, Building] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkCode:
    enterprise: Enterprise
    code: str
    expires_at: datetime


class Registry(UseCases):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.deadlines = Deadlines(self.settings)

    # ------------------------------------------------------------------ who may touch what

    async def staff_in(self, conn: aiosqlite.Connection, user_id: int) -> Access:
        """The person's access, if they may use the registry at all (else NotAllowed)."""
        access = await self.services.access.of_in(conn, user_id)
        ensure(may_see_enterprises(access), NOT_STAFF)
        return access

    async def editable_in(self, conn: aiosqlite.Connection, access: Access, enterprise_id: int) -> Enterprise:
        """The enterprise, if it exists and `access` covers its building."""
        enterprise = await enterprises_repo.get(conn, enterprise_id)
        if enterprise is None:
            raise InvalidInput("ent_unknown")
        ensure(may_edit_enterprise(access, enterprise), enterprise_refusal(access))
        return enterprise

    async def card_in(self, conn: aiosqlite.Connection, enterprise: Enterprise) -> Card:
        return await card_of(conn, enterprise, self.now(), self.deadlines.rules)

    # ------------------------------------------------------------------ finding and showing

    async def find(self, user_id: int, query: str) -> Found:
        """/ent <name, key or id>: a card when one enterprise fits, else the best few to choose from."""
        query = " ".join((query or "").split())
        if not query:
            raise InvalidInput("ent_usage")
        if len(query) > QUERY_MAX:
            raise InvalidInput("ent_query_long")
        async with self.db.read() as conn:
            access = await self.staff_in(conn, user_id)
            direct = None
            if query.lstrip("#").isdigit():
                direct = await enterprises_repo.get(conn, int(query.lstrip("#")))
            direct = direct or await enterprises_repo.by_key(conn, query)
            if direct is not None and may_edit_enterprise(access, direct):
                return Found(await self.card_in(conn, direct))
            ranked = names.rank(query, await enterprises_repo.names(conn), limit=30)
            found = await enterprises_repo.get_many(conn, [i for i, _ in ranked])
            matches = [found[i] for i, _ in ranked if may_edit_enterprise(access, found[i])][:8]
            buildings = {b.id: b for b in await buildings_repo.all_buildings(conn)}
            if len(matches) == 1 or (
                matches and ranked[0][1] >= 1.0 and (len(ranked) == 1 or ranked[1][1] < 1.0)
            ):
                return Found(await self.card_in(conn, matches[0]))
            return Found(None, matches, buildings)

    async def card(self, user_id: int, enterprise_id: int) -> Card:
        async with self.db.read() as conn:
            access = await self.staff_in(conn, user_id)
            return await self.card_in(conn, await self.editable_in(conn, access, enterprise_id))

    # ------------------------------------------------------------------ liaisons

    async def link_code(self, user_id: int, enterprise_id: int) -> LinkCode:
        """A one-time code (and deep link) that links a liaison's Telegram account to the enterprise."""
        now = self.now()
        code = secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
        expires = now + timedelta(days=LINK_CODE_DAYS)
        async with self.db.tx() as conn:
            access = await self.staff_in(conn, user_id)
            enterprise = await self.editable_in(conn, access, enterprise_id)
            await risk_repo.add_link_code(conn, code, enterprise.id, user_id, now, expires)
            await roles_repo.audit(conn, now, user_id, "enterprise.link_code", f"enterprise:{enterprise.id}")
        return LinkCode(enterprise, code, expires)

    async def redeem(self, user_id: int, code: str) -> Enterprise:
        """`/start ent-<code>`: the person becomes the enterprise's liaison (codes are single-use)."""
        code = (code or "").strip()
        if not code or len(code) > 40:
            raise InvalidInput("ent_code_bad")
        now = self.now()
        async with self.db.tx() as conn:
            enterprise_id = await risk_repo.use_link_code(conn, code, user_id, now)
            if enterprise_id is None:
                raise InvalidInput("ent_code_bad")
            await enterprises_repo.set_liaison(conn, enterprise_id, user_id, ts(now))
            await roles_repo.audit(conn, now, user_id, "enterprise.liaison", f"enterprise:{enterprise_id}")
            enterprise = await enterprises_repo.get(conn, enterprise_id)
        if enterprise is None:
            raise InvalidInput("ent_unknown")
        return enterprise

    # ------------------------------------------------------------------ import / export

    async def import_csv(
        self, data: bytes, actor_id: int | None = None, *, overwrite: bool = False
    ) -> ImportReport:
        """Import a registry CSV (see services/enterprises/imports.py): staff colours are kept."""
        return await self.services.enterprises.imports.run(data, actor_id, overwrite=overwrite)

    async def export_csv(self) -> str:
        return await self.services.enterprises.imports.export()
