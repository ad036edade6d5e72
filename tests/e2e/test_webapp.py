"""The staff Mini App over HTTP, as Telegram's webview calls it: initData on every request, the
bot's permission policy on every screen, the chat buttons' use cases behind every change.

The people and the data: tests/e2e/station.py.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.jobs import menus
from bot.sandbox.people import Person
from bot.storage import roles as roles_repo
from bot.webapp.server import WebAppServer
from tests.conftest import BotFactory
from tests.e2e.station import Station, station_fixture  # noqa: F401 - the `station` fixture

# ---------------------------------------------------------------------- what staff see


async def test_district_staff_work_the_whole_board(station: Station) -> None:
    s = station
    status, board = await s.get(s.district_staff, "board")
    assert status == 200
    assert board.count('data-testid="building"') == 38
    status, red = await s.get(s.district_staff, "board?colour=red")
    assert status == 200 and red.count('data-testid="tile"') == 1 and "红星" in red
    status, found = await s.get(s.district_staff, "board?q=InterBridge")
    assert found.count('data-testid="tile"') == 1 and "英桥集团上海" in found
    status, found = await s.get(s.district_staff, "board?q=英桥")
    assert found.count('data-testid="tile"') == 1
    status, with_requests = await s.get(s.district_staff, "board?requests=1")
    assert with_requests.count('data-testid="tile"') == 1 and "英桥集团上海" in with_requests
    status, page = await s.get(s.district_staff, f"ent/{s.ibg}")
    assert status == 200 and "InterBridge Group Shanghai" in page and s.reference in page
    status, queue = await s.get(s.district_staff, "queue")
    assert status == 200 and s.reference in queue
    status, request = await s.get(s.district_staff, f"req/{s.request_id}")
    assert status == 200 and "the invoice printer broke" in request and 'data-testid="claim"' in request
    for period in ("week", "month"):
        status, figures = await s.get(s.district_staff, f"stats?period={period}")
        assert (
            status == 200 and 'data-testid="trend"' in figures and figures.count('data-testid="gauge"') >= 3
        )


async def test_building_staff_see_only_their_building(station: Station) -> None:
    s = station
    _, board = await s.get(s.park_staff, "board")
    assert board.count('data-testid="building"') == 1 and "Park Place" in board and "JA Gohigh" not in board
    _, everything = await s.get(s.park_staff, "board?q=e")
    assert "卫材" in everything and "英桥" not in everything
    _, queue = await s.get(s.park_staff, "queue")
    assert s.reference not in queue
    _, queue = await s.get(s.gohigh_staff, "queue")
    assert s.reference in queue


async def test_user_text_is_escaped(station: Station) -> None:
    status, page = await station.get(station.district_staff, f"ent/{station.hostile}")
    assert status == 200
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;红星 &amp; Co" in page


async def test_screens_are_in_the_persons_language(station: Station) -> None:
    s = station
    await s.bot.services.users.set_language(s.district_staff.id, "zh")
    _, board = await s.get(s.district_staff, "board")
    assert "街区五色图" in board
    await s.bot.services.users.set_language(s.district_staff.id, "fr")
    _, board = await s.get(s.district_staff, "board")
    assert "Les cinq couleurs du quartier" in board


# ---------------------------------------------------------------------- who is refused

# Each staff-only endpoint, and what a staff member of another building (Park Place) gets there:
# refused outright (403) where the object is in JA Gohigh, or the screen without JA Gohigh's data.
ENDPOINTS = [
    ("GET", "board", "hidden"),
    ("GET", "building/{gohigh}", 403),
    ("GET", "ent/{ibg}", 403),
    ("GET", "queue", "hidden"),
    ("GET", "req/{request}", 403),
    ("GET", "stats", "hidden"),
    ("POST", "ent/{ibg}/colour", 403),
    ("POST", "ent/{ibg}/visit", 403),
    ("POST", "req/{request}/claim", 403),
    ("POST", "req/{request}/resolve", 403),
]
FORMS = {
    "colour": {"colour": "red", "reason": "lease ends, must move"},
    "visit": {"outcome": "stable", "notes": "met the manager"},
    "claim": {},
    "resolve": {"text": "printed again at the tax hall"},
}


def _path(s: Station, template: str) -> str:
    return template.format(gohigh=s.gohigh, ibg=s.ibg, request=s.request_id)


async def _call(s: Station, method: str, path: str, auth: Person | str) -> tuple[int, str]:
    if method == "GET":
        return await s.get(auth, path)
    return await s.post(auth, path, **FORMS[path.rsplit("/", 1)[1]])


@pytest.mark.parametrize(("method", "route", "other_building"), ENDPOINTS)
async def test_each_staff_endpoint_refuses_and_changes_nothing(
    station: Station, method: str, route: str, other_building: int | str
) -> None:
    s = station
    path = _path(s, route)
    before = await s.state()
    stale = s.init(s.gohigh_staff)  # opened now, used after BOT_WEBAPP_MAX_AGE
    good = s.init(s.gohigh_staff)
    forged = good.replace(f"%22id%22%3A{s.gohigh_staff.id}", f"%22id%22%3A{s.district_staff.id}")
    assert forged != good
    tampered_hash = good[:-4] + ("0000" if not good.endswith("0000") else "1111")

    status, text = await _call(s, method, path, s.worker)
    assert status == 403 and "Sorry" in text and 'data-testid="problem"' in text, (route, "worker", status)
    status, text = await _call(s, method, path, s.park_staff)
    if other_building == 403:
        assert status == 403, (route, "other building", status)
    else:
        assert status == 200 and "英桥" not in text and s.reference not in text, (route, "other building")
    for label, auth in (("forged user", forged), ("tampered hash", tampered_hash), ("no initData", "")):
        status, text = await _call(s, method, path, auth)
        assert status == 401, (route, label, status)
    s.bot.clock.advance(s.bot.settings.webapp_max_age + timedelta(seconds=1))
    status, text = await _call(s, method, path, stale)
    assert status == 401 and "open too long" in text, (route, "expired", status)
    assert await s.state() == before


async def test_a_replayed_write_is_refused_and_applied_once(station: Station) -> None:
    s = station
    init = s.init(s.district_staff)
    form = {"colour": "orange", "reason": "two late requests"}
    status, _ = await s.post(init, f"ent/{s.ibg}/colour", action_id="once-0001", **form)
    assert status == 200
    after_first = await s.state()
    status, text = await s.post(init, f"ent/{s.ibg}/colour", action_id="once-0001", **form)
    assert status == 401 and "already been sent once" in text
    status, _ = await s.post(init, f"ent/{s.ibg}/colour", action_id="once-0001", colour="green", reason="x")
    assert status == 401
    assert await s.state() == after_first
    status, _ = await s.post(
        init, f"ent/{s.ibg}/colour", action_id="twice-002", colour="green", reason="visited"
    )
    assert status == 200  # a new press is a new write


async def test_a_write_without_its_one_time_id_is_refused(station: Station) -> None:
    s = station
    before = await s.state()
    async with s.http.post(
        f"{s.base}/api/ent/{s.ibg}/colour",
        headers={"Authorization": f"tma {s.init(s.district_staff)}"},
        json={"colour": "red", "reason": "no id"},
    ) as response:
        assert response.status == 400
    async with s.http.post(
        f"{s.base}/api/ent/{s.ibg}/colour",
        headers={"Authorization": f"tma {s.init(s.district_staff)}"},
        data=b"\xff not json",
    ) as response:
        assert response.status == 400
    assert await s.state() == before


# ---------------------------------------------------------------------- the same use cases as the chat


async def test_a_colour_change_is_the_chat_buttons_change(station: Station) -> None:
    s = station
    status, page = await s.post(
        s.district_staff, f"ent/{s.ibg}/colour", colour="red", reason="lease ends, must relocate"
    )
    assert status == 200 and 'data-colour="red"' in page and "lease ends, must relocate" in page
    await s.bot.flush()
    alert = await s.tier3.wait_for("lease ends, must relocate")  # red alerts the tier-3 chat at once
    assert "英桥集团上海" in alert.plain
    async with s.bot.services.db.read() as conn:
        audit = await (
            await conn.execute(
                "SELECT action, subject, detail FROM audit_log WHERE action = 'enterprise.colour'"
            )
        ).fetchall()
    assert [tuple(a) for a in audit] == [
        ("enterprise.colour", f"enterprise:{s.ibg}", "staff: blue->red: lease ends, must relocate")
    ]
    await s.district_staff.send("/ent InterBridge")
    card = await s.district_staff.wait_for("lease ends, must relocate")
    assert "🔴" in card.plain


async def test_bad_input_is_explained_and_changes_nothing(station: Station) -> None:
    s = station
    before = await s.state()
    status, text = await s.post(s.district_staff, f"ent/{s.ibg}/colour", colour="red", reason="   ")
    assert status == 400 and "A reason is required" in text
    status, text = await s.post(s.district_staff, f"ent/{s.ibg}/colour", colour="blue", reason="same")
    assert status == 400 and "already blue · normal" in text
    status, text = await s.post(s.district_staff, f"ent/{s.ibg}/colour", colour="purple", reason="x")
    assert status == 400
    status, text = await s.post(
        s.district_staff, f"ent/{s.ibg}/visit", outcome="stable", notes="ok", visited_on="not a date"
    )
    assert status == 400
    status, text = await s.get(s.district_staff, "board?colour=purple")
    assert status == 400
    status, text = await s.get(s.district_staff, "ent/999999")
    assert status == 404
    status, text = await s.get(s.district_staff, "nowhere")
    assert status == 404
    assert await s.state() == before


async def test_a_visit_is_logged_like_in_the_chat(station: Station) -> None:
    s = station
    status, page = await s.post(
        s.gohigh_staff, f"ent/{s.ibg}/visit", outcome="may_move", notes="met the director",
        next_on="2026-12-01", next_step="accompany the viewings",
    )  # fmt: skip
    assert status == 200 and "met the director" in page and "accompany the viewings" in page
    async with s.bot.services.db.read() as conn:
        actions = [r[0] for r in await (await conn.execute("SELECT action FROM audit_log")).fetchall()]
    assert "enterprise.visit" in actions


async def test_claim_and_resolve_move_the_card_and_tell_the_requester(station: Station) -> None:
    s = station
    status, page = await s.post(s.gohigh_staff, f"req/{s.request_id}/claim")
    assert status == 200 and "You are handling" in page
    await s.bot.flush()
    await s.tier1.wait_for(lambda m: s.reference in m.plain and "Shan" in m.plain)
    await s.worker.wait_for(s.reference)
    status, text = await s.post(s.park_staff, f"req/{s.request_id}/claim", action_id="other-claim")
    assert status == 403
    status, page = await s.post(
        s.gohigh_staff, f"req/{s.request_id}/resolve", text="printed again at the tax hall"
    )
    assert status == 200 and "printed again at the tax hall" in page
    await s.bot.flush()
    notice = await s.worker.wait_for("printed again at the tax hall")
    assert "⭐" in " ".join(notice.buttons)
    status, text = await s.post(s.gohigh_staff, f"req/{s.request_id}/claim", action_id="late-claim")
    assert status == 400 and "no longer open" in text


# ---------------------------------------------------------------------- opening it from the chat


async def test_staff_get_the_menu_button_and_lose_it_with_their_role(station: Station) -> None:
    s = station
    await menus.sync(s.bot.app.bot, s.bot.services)  # (the job may have run already at start)
    button = s.bot.emu.menu_button_of(s.gohigh_staff.id)
    assert (
        button["type"] == "web_app"
        and button["web_app"]["url"] == s.base + "/"
        and button["text"] == "Station"
    )
    assert s.bot.emu.menu_button_of(s.worker.id)["type"] == "commands"
    assert await menus.sync(s.bot.app.bot, s.bot.services) == 0  # nothing changed: nothing sent
    opened = s.gohigh_staff.open_menu_app()
    assert opened.startswith(s.base + "/#tgWebAppData=")
    assert (await s.get(parse_qs(urlsplit(opened).fragment)["tgWebAppData"][0], "board"))[0] == 200
    await s.bot.services.users.set_language(s.park_staff.id, "zh")
    async with s.bot.services.db.tx() as conn:
        for role in await roles_repo.active_roles(conn, s.gohigh_staff.id):
            await roles_repo.revoke(conn, role.id, s.bot.clock.now(), 9001)
    assert await menus.sync(s.bot.app.bot, s.bot.services) == 2  # one revoked, one language changed
    assert s.bot.emu.menu_button_of(s.gohigh_staff.id)["type"] == "commands"
    assert s.bot.emu.menu_button_of(s.park_staff.id)["text"] == "服务站"
    assert s.bot.emu.error_log == []


async def test_buttons_open_the_app_in_private_and_by_its_link_in_groups(station: Station) -> None:
    s = station
    await s.district_staff.send("/board")
    await s.district_staff.wait_for(lambda m: m.kind == "photo")
    url = await s.district_staff.open_app("📱 Board in the station app")
    async with s.http.get(url.split("#")[0]) as response:  # the page itself: a shell, no data
        assert response.status == 200 and 'data-start="board"' in await response.text()
    init = parse_qs(urlsplit(url).fragment)["tgWebAppData"][0]
    assert (await s.get(init, "board"))[0] == 200

    card = next(m for m in s.bot.emu.inbox(s.tier1.id) if s.reference in m.plain)
    link = next(b["url"] for row in card.button_rows for b in row if "url" in b)
    assert link == f"https://t.me/{s.bot.emu.bot_username}/station?startapp=req-{s.request_id}"
    opened = s.gohigh_staff.open_link(link, chat=s.tier1)
    assert "tgWebAppStartParam=req-" in opened
    status, page = await s.get(parse_qs(urlsplit(opened).fragment)["tgWebAppData"][0], f"req/{s.request_id}")
    assert status == 200 and s.reference in page

    await s.district_staff.send("/board", chat=s.tier3)
    photo = await s.tier3.wait_for(lambda m: m.kind == "photo")
    assert all("web_app" not in b for row in photo.button_rows for b in row)  # Telegram refuses them here
    await s.district_staff.send("/stats")
    figures = await s.district_staff.wait_for(
        lambda m: any("web_app" in b for row in m.button_rows for b in row)
    )
    assert figures.button_rows[-1][0]["web_app"]["url"].endswith("?startapp=stats")
    await s.district_staff.send("/app", chat=s.tier3)
    opened = await s.tier3.wait_for(lambda m: any("url" in b for row in m.button_rows for b in row))
    assert [row[0]["url"].rsplit("=", 1)[1] for row in opened.button_rows] == ["board", "queue", "stats"]
    await s.district_staff.send("/app")
    opened = await s.district_staff.wait_for(lambda m: len(m.button_rows) == 3)
    queue_url = await s.district_staff.open_app("📱 Queue in the station app", message=opened)
    assert "?startapp=queue#tgWebAppData=" in queue_url
    assert s.bot.emu.error_log == []


async def test_the_page_and_its_headers(station: Station) -> None:
    s = station
    async with s.http.get(
        s.base + "/?startapp=ent-12", headers={"Accept-Language": "fr-FR,fr;q=0.9"}
    ) as response:
        page = await response.text()
        assert response.status == 200 and '<html lang="fr">' in page and 'data-start="ent-12"' in page
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    async with s.http.get(s.base + "/?startapp=%22%3E%3Cscript%3E") as response:
        assert 'data-start=""' in await response.text()
    async with s.http.get(s.base, allow_redirects=False) as response:
        assert response.status == 301 and response.headers["Location"] == "/station/"
    async with s.http.get(s.base + "/static/app.js") as response:
        assert response.status == 200 and "tgWebAppData" in await response.text()


async def test_without_a_url_there_is_no_app(bot_factory: BotFactory) -> None:
    bot = await bot_factory()
    staff = bot.emu.user(2001, "Shan", language_code="en")
    await bot.make_staff(staff, tier=3)
    await staff.send("/board")
    photo = await staff.wait_for(lambda m: m.kind == "photo")
    assert photo.button_rows == []
    await staff.send("/app")
    await staff.wait_for("not set up")
    assert "webapp" not in bot.app.bot_data


async def test_a_busy_port_is_named_at_start(bot_factory: BotFactory) -> None:
    bot = await bot_factory(webapp=True)
    with pytest.raises(RuntimeError, match="BOT_WEBAPP_LISTEN"):
        await WebAppServer(bot.services).start()  # the bot's own server holds the port
