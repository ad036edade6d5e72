"""The HTTP side: aiohttp routes for ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``.

Why apart from the Bot API methods: what every request shares — the token check, dispatch by
case-insensitive method name, Telegram's JSON envelope and error bookkeeping, injected faults
(which may answer with an nginx page or drop the connection), and counting the requests in flight
— is transport, and knows nothing of chats or messages.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from bot.sandbox.emulator.errors import ApiError
from bot.sandbox.emulator.events import EventBus
from bot.sandbox.emulator.faults import Faults
from bot.sandbox.emulator.files import FileStore
from bot.sandbox.emulator.params import Params, read_params
from bot.sandbox.emulator.records import JSON, ErrorRecord, Stats

__all__ = ["ApiServer", "Handler"]

log = logging.getLogger(__name__)

#: A Bot API method: its parameters in, its JSON ``result`` out (or ApiError).
Handler = Callable[[Params], Awaitable[Any]]

MAX_UPLOAD = 60 * 1024 * 1024

BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=functools.partial(json.dumps, ensure_ascii=False))


class ApiServer:
    """The aiohttp application serving the Bot API methods given by name."""

    def __init__(
        self,
        token: str,
        methods: Mapping[str, Handler],
        *,
        faults: Faults,
        stats: Stats,
        error_log: list[ErrorRecord],
        bus: EventBus,
        files: FileStore,
    ) -> None:
        self.token = token
        self._methods = {name.lower(): (name, handler) for name, handler in methods.items()}
        self._faults = faults
        self._stats = stats
        self._error_log = error_log
        self._bus = bus
        self._files = files
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0
        self.app = web.Application(client_max_size=MAX_UPLOAD)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    async def start(self, host: str, port: int) -> None:
        """Listen (port 0 = an ephemeral port, read back into :attr:`port`)."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        addresses = self._runner.addresses  # the real port when port=0 was asked for
        self.port = int(addresses[0][1]) if addresses else port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        name = request.match_info["method"]
        entry = self._methods.get(name.lower())
        if entry is None:
            return self._error(name, ApiError(404, "Not Found: method not found"))
        method, handler = entry
        self._stats.calls[method] += 1
        counts = method != "getUpdates"  # a held long poll is not the bot being busy
        if counts:
            self._bus.request_started()
        try:
            fault = self._faults.take(method)
            if fault is not None:
                return await self._inject(fault, method, handler, request)
            params = await read_params(request)
            try:
                result = await handler(params)
            except ApiError as exc:
                return self._error(method, exc, params=params.values)
            return _json_response({"ok": True, "result": result})
        except ApiError as exc:  # raised while reading the request
            return self._error(method, exc)
        except Exception as exc:  # an emulator bug must not look like a network error
            log.exception("emulator failed handling %s", method)
            return self._error(method, ApiError(500, f"Internal Server Error: emulator bug: {exc!r}"))
        finally:
            if counts:
                self._bus.request_ended()

    def _error(
        self, method: str, exc: ApiError, *, params: JSON | None = None, injected: bool = False
    ) -> web.Response:
        """Answer with Telegram's error envelope and keep score."""
        self._stats.errors[exc.code] += 1
        if exc.code == 429:
            self._stats.too_many_requests += 1
        self._error_log.append(ErrorRecord(method, exc.code, exc.description, injected, params or {}))
        return _json_response(exc.envelope(), exc.code)

    async def _inject(
        self, fault: str | ApiError, method: str, handler: Handler, request: web.Request
    ) -> web.StreamResponse:
        """Answer a request with an injected failure instead of (or, for reset_after, after) serving it."""
        if isinstance(fault, ApiError):
            self._stats.injected[str(fault.code)] += 1
            params = await read_params(request)
            return self._error(method, fault, params=params.values, injected=True)
        self._stats.injected[fault] += 1
        if fault == "429":
            return self._error(
                method, ApiError(429, "Too Many Requests: retry after 1", retry_after=1), injected=True
            )
        if fault == "500":
            return self._error(method, ApiError(500, "Internal Server Error"), injected=True)
        params = await read_params(request)
        if fault == "502":
            self._stats.errors[502] += 1
            self._error_log.append(ErrorRecord(method, 502, "Bad Gateway", True, params.values))
            return web.Response(status=502, text=BAD_GATEWAY_HTML, content_type="text/html")
        if fault == "reset_after":
            with contextlib.suppress(ApiError):
                await handler(params)
        self._error_log.append(ErrorRecord(method, 0, f"connection {fault}", True, params.values))
        if request.transport is not None:
            request.transport.close()  # the client sees a disconnect, no HTTP response at all
        return web.Response(status=500)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        record = self._files.by_path(request.match_info["path"])
        if record is None or record.data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream")
