"""`make run` without a token: the local Bot API emulator, the real bot pointed at it, a seeded
demo district, and a browser chat to act as any of its people — in one process.

Only TELEGRAM_API_URL differs from production: the bot is built by the same factory and talks
HTTP to the emulator exactly as it would to Telegram. The demo's clock can be moved forward from
the page, so a visitor can watch a reminder arrive or a request climb the tiers.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import json
import logging
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import build_application, running
from bot.clock import ManualClock
from bot.domain.worktime import WorkCalendar, is_working_time, next_working_start
from bot.jobs import menus
from bot.jobs.ticks import run_ticks
from bot.sandbox import seeds
from bot.sandbox.emulator import Emulator, SentMessage
from bot.sandbox.seeds.core import GROUP_TITLES, PEOPLE
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)
WEB = Path(__file__).with_name("web")

ROLES = {
    seeds.WORKER: "worker",
    seeds.VOLUNTEER: "volunteer",
    seeds.LIAISON: "enterprise liaison",
    seeds.STAFF_TIER[1]: "staff · tier 1 (building)",
    seeds.STAFF_TIER[2]: "staff · tier 2 (station)",
    seeds.STAFF_TIER[3]: "staff · tier 3 (sub-district)",
    seeds.STAFF_TIER[4]: "staff · tier 4 (district)",
    seeds.ORGANISER: "volunteer organiser",
    seeds.ADMIN: "administrator",
}


class Demo:
    """The browser chat's server side: personas, transcripts, actions and the time control."""

    def __init__(self, emu: Emulator, clock: ManualClock, settings: Settings) -> None:
        self.emu = emu
        self.clock = clock
        self.settings = settings
        self.services: Services | None = None
        self.transcripts: dict[int, list[tuple[str, Any]]] = {}
        self.languages: dict[int, str] = {}
        self._events = emu.subscribe()
        self._listeners: list[asyncio.Queue[dict[str, Any]]] = []
        self._pump: asyncio.Task[None] | None = None
        app = emu.web_app
        app.router.add_get("/", self.index)
        app.router.add_static("/static/", WEB)
        app.router.add_get("/demo/state", self.state)
        app.router.add_get("/demo/messages", self.messages)
        app.router.add_get("/demo/stream", self.stream)
        app.router.add_post("/demo/send", self.send)
        app.router.add_post("/demo/press", self.press)
        app.router.add_post("/demo/contact", self.contact)
        app.router.add_post("/demo/location", self.location)
        app.router.add_post("/demo/upload", self.upload)
        app.router.add_post("/demo/advance", self.advance)
        app.router.add_get("/demo/file/{file_id}", self.file)
        app.router.add_post("/demo/webapp", self.webapp)

    def populate(self) -> None:
        """The demo's people and staff groups, as the emulator knows them."""
        people = {}
        for user_id, first, _display, lang, _building, _company in PEOPLE:
            people[user_id] = self.emu.user(user_id, first, language_code=lang)
            self.languages[user_id] = lang
        for tier, chat_id in seeds.STAFF_CHAT.items():
            members = [people[seeds.STAFF_TIER[tier]], people[seeds.ADMIN]]
            self.emu.group(chat_id, GROUP_TITLES[tier], members)

    def start(self) -> None:
        self._pump = asyncio.create_task(self._forward_events(), name="demo-events")

    async def stop(self) -> None:
        if self._pump:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump

    async def _forward_events(self) -> None:
        while True:
            event = await self._events.get()
            if event.kind == "user_message" and event.chat_id is not None:
                self.transcripts.setdefault(event.chat_id, []).append(("user", event.data.get("message")))
            elif event.kind == "message" and event.chat_id is not None:
                self.transcripts.setdefault(event.chat_id, []).append(("bot", event.message))
            if event.kind in ("user_message", "message", "edit", "delete", "callback_answer"):
                for queue in list(self._listeners):
                    queue.put_nowait({"chat_id": event.chat_id})

    def now_text(self) -> str:
        local = self.clock.now().astimezone(self.settings.tz)
        return local.strftime("%Y-%m-%d %H:%M %a") + f" ({self.settings.timezone})"

    # ------------------------------------------------------------------ HTTP handlers

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(WEB / "index.html")

    async def state(self, request: web.Request) -> web.Response:
        personas = [
            {"id": uid, "name": display, "role": ROLES.get(uid, ""), "language": lang}
            for uid, _first, display, lang, _b, _c in PEOPLE
        ]
        chats = [{"id": uid, "title": display, "members": [uid]} for uid, _f, display, *_ in PEOPLE]
        chats += [
            {"id": g.id, "title": g.title, "members": [p.id for p in g.members]}
            for g in self.emu.groups.values()
        ]
        commands = {lang: self.emu.get_commands(None, lang) for lang in ("", "zh", "en", "fr")}
        menus = {uid: self.emu.menu_button_of(uid) for uid, *_ in PEOPLE}
        return web.json_response(
            {
                "now": self.now_text(),
                "personas": personas,
                "chats": chats,
                "commands": commands,
                "menus": menus,
            }
        )

    def _item(self, kind: str, value: Any) -> dict[str, Any]:
        tz = self.settings.tz
        if kind == "user":
            raw = value or {}
            sender = raw.get("from", {})
            text = raw.get("text") or raw.get("caption")
            if raw.get("contact"):
                text = f"📞 {raw['contact'].get('phone_number')}"
            item: dict[str, Any] = {
                "from_bot": False,
                "author": sender.get("first_name", ""),
                "message_id": raw.get("message_id"),
                "html": text,
                "time": _clock_time(raw.get("date"), tz),
            }
            if raw.get("location"):
                item["location"] = raw["location"]
            return item
        message: SentMessage = value
        markup = message.reply_markup or {}
        item = {
            "from_bot": True,
            "message_id": message.message_id,
            "html": message.text if message.text is not None else message.caption,
            "parse_mode": message.parse_mode,
            "inline_keyboard": markup.get("inline_keyboard"),
            "edited": message.edited,
            "time": message.date.astimezone(tz).strftime("%H:%M"),
        }
        if message.file_id and message.kind == "photo":
            item["photo_url"] = f"/demo/file/{message.file_id}"
        if message.file_id and message.kind == "document":
            item["document_url"] = f"/demo/file/{message.file_id}"
            item["filename"] = message.filename
        if message.location or message.venue:
            location = dict((message.venue or {}).get("location") or message.location or {})
            location["title"] = (message.venue or {}).get("title", "")
            item["location"] = location
        return item

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query.get("chat", "0"))
        items = [
            self._item(kind, value)
            for kind, value in self.transcripts.get(chat_id, [])
            if not (kind == "bot" and value.deleted)
        ]
        reply_keyboard = None
        for kind, value in reversed(self.transcripts.get(chat_id, [])):
            if kind == "bot" and value.reply_markup:
                if "keyboard" in value.reply_markup:
                    reply_keyboard = value.reply_markup["keyboard"]
                    break
                if value.reply_markup.get("remove_keyboard"):
                    break
        return web.json_response({"messages": items, "reply_keyboard": reply_keyboard})

    async def stream(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._listeners.append(queue)
        try:
            while True:
                try:
                    change = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                await response.write(f"data: {json.dumps(change)}\n\n".encode())
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._listeners.remove(queue)
        return response

    def _actor(self, body: dict[str, Any]):
        person = self.emu.people.get(int(body["as"]))
        if person is None:
            raise web.HTTPBadRequest(text="unknown persona")
        return person

    def _group(self, body: dict[str, Any]):
        chat_id = int(body.get("chat", 0))
        return self.emu.groups.get(chat_id) if chat_id < 0 else None

    async def send(self, request: web.Request) -> web.Response:
        body = await request.json()
        text = str(body.get("text", ""))[:4096]
        if text.strip():
            person, group = self._actor(body), self._group(body)
            chat_id = group.id if group else person.id
            reply_to = body.get("reply_to")
            target = int(reply_to) if isinstance(reply_to, int) else self._prompt_for(person.id, chat_id)
            await person.send(text, chat=group, reply_to=target)
        return web.json_response({"ok": True})

    def _prompt_for(self, user_id: int, chat_id: int) -> int | None:
        """A Telegram client opens the reply box for a ForceReply prompt meant for this person (in a
        group: one that mentions them), so typing right after it answers it."""
        newest = next((m for m in reversed(self.emu.inbox(chat_id)) if not m.deleted), None)
        markup = (newest.reply_markup or {}) if newest else {}
        if newest is None or not markup.get("force_reply"):
            return None
        mentioned = any(e.get("url") == f"tg://user?id={user_id}" for e in newest.entities)
        return newest.message_id if chat_id > 0 or not markup.get("selective") or mentioned else None

    async def press(self, request: web.Request) -> web.Response:
        body = await request.json()
        person, group = self._actor(body), self._group(body)
        chat_id = group.id if group else person.id
        target = next((m for m in self.emu.inbox(chat_id) if m.message_id == int(body["message_id"])), None)
        answer = await person.press_data(str(body["data"]), message=target, chat=group, timeout=10)
        return web.json_response({"ok": True, "alert": answer.text if answer else None})

    async def contact(self, request: web.Request) -> web.Response:
        body = await request.json()
        person = self._actor(body)
        await person.share_contact(f"+86 138 0000 {person.id % 10000:04d}")
        return web.json_response({"ok": True})

    async def location(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._actor(body).share_location(
            float(body.get("latitude", 31.2235)),
            float(body.get("longitude", 121.4505)),
            chat=self._group(body),
        )
        return web.json_response({"ok": True})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        body = {"as": form.get("as"), "chat": form.get("chat", 0)}
        person, group = self._actor(body), self._group(body)
        if isinstance(upload, web.FileField):
            data = upload.file.read()
            if (upload.content_type or "").startswith("image/"):
                await person.send_photo(data, chat=group)
            else:
                await person.send_document(data, upload.filename or "file", chat=group)
        return web.json_response({"ok": True})

    async def file(self, request: web.Request) -> web.Response:
        record = self.emu.file(request.match_info["file_id"])
        if record is None or record.data is None:
            raise web.HTTPNotFound()
        headers = {}
        if record.file_name:
            headers["Content-Disposition"] = f'inline; filename="{record.file_name}"'
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream", headers=headers
        )

    async def webapp(self, request: web.Request) -> web.Response:
        """Open a Mini App as Telegram would: from a web_app button, the menu button or a t.me link.

        The answer is the URL to load beside the chat (the app's address with the launch parameters
        and initData the emulator signed with the bot's token), or Telegram-like silence (404) when
        there is no such Mini App.
        """
        body = await request.json()
        person, group = self._actor(body), self._group(body)
        kind = str(body.get("kind", ""))
        if kind == "menu":
            button = self.emu.menu_button_of(person.id)
            if button.get("type") != "web_app":
                raise web.HTTPNotFound(text="no Mini App behind this menu button")
            return web.json_response({"url": person.open_menu_app(), "title": self.emu.bot_first_name})
        if kind == "button" and group is None:
            chat_id = person.id
            target = next(
                (m for m in self.emu.inbox(chat_id) if m.message_id == int(body["message_id"])), None
            )
            urls = [
                b["web_app"]["url"]
                for row in (target.button_rows if target else [])
                for b in row
                if "web_app" in b
            ]
            if str(body.get("url")) not in urls:
                raise web.HTTPNotFound(text="no such web_app button")
            url = self.emu.launch_web_app(person, str(body["url"]), query=True)
            return web.json_response({"url": url, "title": self.emu.bot_first_name})
        if kind == "link" and self.emu.direct_link_app(str(body.get("url", ""))) is not None:
            url = person.open_link(str(body["url"]), chat=group)
            return web.json_response({"url": url, "title": self.emu.bot_first_name})
        raise web.HTTPNotFound(text="not a Mini App")

    async def advance(self, request: web.Request) -> web.Response:
        body = await request.json()
        seconds = max(0, min(int(body.get("seconds", 3600)), 7 * 86400))
        await self.advance_by(timedelta(seconds=seconds))
        return web.json_response({"now": self.now_text()})

    async def advance_by(self, delta: timedelta) -> None:
        """Move time forward in steps, so hourly reminders and deadlines fire in order on the way."""
        assert self.services is not None
        step = timedelta(minutes=30)
        remaining = delta
        while remaining > timedelta(0):
            jump = min(step, remaining)
            self.clock.advance(jump)
            remaining -= jump
            await run_ticks(self.services)
        for queue in list(self._listeners):
            queue.put_nowait({"chat_id": None, "now": self.now_text()})


def mini_app(emu: Emulator) -> dict[str, Any]:
    """The staff Mini App of the demo: the bot serves it on a free local port, and the emulator
    knows its direct link as BotFather would after /newapp (short name "station")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/station"
    emu.mini_apps["station"] = url + "/"
    return {
        "webapp_url": url,
        "webapp_listen": f"127.0.0.1:{port}",
        "webapp_link": f"https://t.me/{emu.bot_username}/station",
    }


def demo_start_time(clock: ManualClock, settings: Settings):
    """Start the demo in working hours, so staff alerts are delivered rather than held overnight."""
    now = clock.now()
    calendar = WorkCalendar(settings.tz)
    if is_working_time(now, calendar):
        return now
    return next_working_start(now, calendar) + timedelta(minutes=30)


@contextlib.asynccontextmanager
async def demo_running(settings: Settings, *, port: int | None = None) -> AsyncIterator[Demo]:
    """The emulator, the bot and the seeded district, running until the block exits."""
    clock = ManualClock()
    clock.set(demo_start_time(clock, settings))
    # The staff Mini App on plain http beside the demo: Telegram's test environment accepts that.
    emu = Emulator(clock=clock.now, test_environment=True)
    demo = Demo(emu, clock, settings)
    requested = settings.demo_port if port is None else port
    try:
        await emu.start("127.0.0.1", requested)
    except OSError:
        log.warning("port %s is busy; using a free one", requested)
        await emu.start("127.0.0.1", 0)
    db_path = settings.db_path.with_name("demo.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    bot_settings = dataclasses.replace(
        settings,
        token=emu.token,
        api_url=emu.api_url,
        db_path=db_path,
        admin_ids=settings.admin_ids | {seeds.ADMIN},
        tick_seconds=min(settings.tick_seconds, 5.0),
        **mini_app(emu),
    )
    app = build_application(bot_settings, clock)
    try:
        async with running(app, poll_timeout=10):
            demo.services = app.bot_data["services"]
            demo.populate()
            demo.start()
            for name in seeds.SEEDS:
                try:
                    module = importlib.import_module(f"bot.sandbox.seeds.{name}")
                    await module.seed(demo.services)
                except Exception:
                    log.exception("demo seed %s failed; the demo goes on without it", name)
            await run_ticks(demo.services)
            await menus.sync(app.bot, demo.services)  # the staff's menu buttons open the Mini App
            yield demo
    finally:
        await demo.stop()
        await emu.stop()


async def serve(settings: Settings) -> None:
    async with demo_running(settings) as demo:
        print(
            f"open {demo.emu.api_url}/  — the jingan-bot demo (no Telegram token: a local emulator)",
            flush=True,
        )
        await asyncio.Event().wait()


def run_demo(settings: Settings) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings))
    return 0


def _clock_time(timestamp: int | None, tz) -> str:
    from datetime import UTC, datetime

    if not timestamp:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(tz).strftime("%H:%M")
