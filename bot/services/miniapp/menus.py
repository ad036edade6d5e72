# i18n-domain: webapp
"""The menu button of each staff member's private chat opens the Mini App, in their language.

Kept as rows (what each chat was last given) compared with what each person should have now:
staff and administrators the Mini App, anyone whose role ended the default button back. The
job in bot/jobs/menus.py sends only the differences (setChatMenuButton) and records each
result, so a role granted or revoked, a language chosen or a new BOT_WEBAPP_URL is followed within
a tick, and a restart sends nothing that is already right.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.base import UseCases
from bot.services.miniapp.links import MENU_LABEL, app_url
from bot.storage import webapp as repo

# Which menu button a person's chat was given (no text of theirs).

DEFAULT = "default"


@dataclass(frozen=True)
class MenuChange:
    user_id: int
    state: str  # what to record once Telegram took it
    text: str | None  # the button's label; None: give the default button back
    url: str | None


class MenuButtons(UseCases):
    async def pending(self) -> list[MenuChange]:
        """Each person whose chat's menu button differs from what they should have now."""
        url = app_url(self.settings)
        async with self.db.read() as conn:
            staff = await repo.staff_people(conn)
            staff += [
                p
                for p in await repo.people(conn, sorted(self.settings.admin_ids))
                if p.user_id not in {s.user_id for s in staff}
            ]
            given = await repo.menu_states(conn)
        changes = []
        wanted: set[int] = set()
        for person in staff if url else []:
            wanted.add(person.user_id)
            lang = self.services.users.language_of(None, person.language or person.telegram_language)
            state = f"app {lang} {url}"
            if given.get(person.user_id) != state:
                changes.append(MenuChange(person.user_id, state, self.gettext(lang, MENU_LABEL), url))
        for user_id, state in sorted(given.items()):
            if user_id not in wanted and state != DEFAULT:
                changes.append(MenuChange(user_id, DEFAULT, None, None))
        return changes

    async def record(self, change: MenuChange, ok: bool) -> None:
        """What Telegram answered: a refusal is kept too, so it is not retried every tick."""
        async with self.db.tx() as conn:
            await repo.set_menu_state(conn, change.user_id, change.state, ok, self.now())
