# i18n-domain: enterprises
"""Stability tags: staff say what a request means for its company ("relocation risk", "layoffs",
"rent arrears", "expansion"), from a button on the request's staff card.

Only tagged requests count towards a suggested colour: a request's category alone says nothing
about stability (an "office space" request may be about a printer). Tags are kept apart from
the request itself (their own table), so the staff desk and the signals evolve independently.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from bot.domain import risk
from bot.services.access import NOT_STAFF, ensure, may_tag_request
from bot.services.base import InvalidInput, UseCases
from bot.services.enterprises.actions import TAG, TAG_LABEL, TOGGLE
from bot.storage import enterprise_signals as signals_repo
from bot.storage import enterprises as enterprises_repo
from bot.storage import requests as requests_repo
from bot.storage import roles as roles_repo
from bot.storage.enterprises import Enterprise
from bot.storage.requests import RequestRow

__all__ = ["TAG", "TAG_LABEL", "TOGGLE", "Tagged", "Tags"]


@dataclass(frozen=True)
class Tagged:
    request: RequestRow
    enterprise: Enterprise
    tags: frozenset[str]


class Tags(UseCases):
    async def _request(self, conn: aiosqlite.Connection, user_id: int, request_id: int) -> Tagged:
        access = await self.services.access.of_in(conn, user_id)
        ensure(access.is_staff, NOT_STAFF)
        request = await requests_repo.get(conn, request_id)
        if request is None or request.enterprise_id is None:
            raise InvalidInput("ent_bad_button")
        ensure(may_tag_request(access, request), NOT_STAFF)
        enterprise = await enterprises_repo.get(conn, request.enterprise_id)
        if enterprise is None:
            raise InvalidInput("ent_unknown")
        return Tagged(request, enterprise, frozenset(await signals_repo.tags_of(conn, request.id)))

    async def show(self, user_id: int, request_id: int) -> Tagged:
        """The request's company and tags, if this person may tag it."""
        async with self.db.read() as conn:
            return await self._request(conn, user_id, request_id)

    async def toggle(self, user_id: int, request_id: int, tag: str) -> Tagged:
        """Set the tag, or clear it when it is set; recorded in the audit log."""
        if tag not in risk.STABILITY_TAGS:
            raise InvalidInput("ent_bad_button")
        now = self.now()
        async with self.db.tx() as conn:
            found = await self._request(conn, user_id, request_id)
            if tag in found.tags:
                await signals_repo.remove_tag(conn, request_id, tag)
                action = "enterprise.untag"
            else:
                await signals_repo.add_tag(conn, request_id, tag, user_id, now)
                action = "enterprise.tag"
            await roles_repo.audit(conn, now, user_id, action, f"request:{request_id}", tag)
            return await self._request(conn, user_id, request_id)
