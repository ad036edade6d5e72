"""A request's screen in the Mini App: its whole history and conversation, and claim and resolve
through the chat cards' own use cases (services.requests.staff), so the card in the staff chat is
edited and the requester told, exactly as after a press of ✋ Claim or ✅ Resolve.

The queue screen that leads here is the staff desk's own queue (services.requests.queue `whole`):
the same sections, counts, lines and order as /queue in private.
"""

from __future__ import annotations

from bot.domain import requests as rules
from bot.services.access import NOT_STAFF, ensure, may_handle_request, may_open_staff_app, sees_request
from bot.services.requests.base import NOT_ALLOWED, RequestUseCases
from bot.services.requests.views import RequestView
from bot.storage import requests as requests_repo


class RequestScreens(RequestUseCases):
    async def page(self, user_id: int, request_id: int, lang: str) -> tuple[RequestView, bool]:
        """A request's whole history and conversation (the /req rule), and whether they may act on it."""
        async with self.db.read() as conn:
            access = await self.services.access.of_in(conn, user_id)
            ensure(may_open_staff_app(access), NOT_STAFF)
            r = await requests_repo.get(conn, request_id)
            ensure(r is not None and sees_request(access, r), NOT_ALLOWED)
            assert r is not None  # refused above
            view = await self.requests.cards.view(conn, r, lang, history=None)
            return view, may_handle_request(access, r) and r.status in rules.OPEN_STATUSES

    async def claim(self, user_id: int, request_id: int, lang: str) -> tuple[RequestView, bool]:
        """The card's ✋ Claim: the same use case, so the staff chat's card and the requester follow."""
        await self.requests.staff.claim(user_id, request_id)
        return await self.page(user_id, request_id, lang)

    async def resolve(self, user_id: int, request_id: int, text: str, lang: str) -> tuple[RequestView, bool]:
        """The card's ✅ Resolve with its typed resolution: the requester is asked to rate it."""
        await self.requests.staff.resolve(user_id, request_id, text)
        return await self.page(user_id, request_id, lang)
