"""HTTP to the Bot API: python-telegram-bot's request interface over aiohttp, one TLS context.

Why not python-telegram-bot's default (`HTTPXRequest`)
------------------------------------------------------
The bot's CPU goes to Bot API requests: profiling the throughput benchmark (`BENCH_PROFILE=1
python -m bench --only throughput`) put 53% of the bot process's CPU in httpx, httpcore, anyio and
h11, and the outbox sender's CPU per message was mostly the same stack. Measured with
python-telegram-bot's own `Bot.send_message` against a local server, one request cost 1.7 ms of
CPU through httpx alone (3.1 ms with 16 in flight: its connection pool grows costlier with
concurrency) and 0.5-0.8 ms through aiohttp's client. aiohttp is already ours (the emulator, the
browser demo, the Mini App's server) and is the most used asyncio HTTP client; python-telegram-bot
documents `BaseRequest` as the place to plug in another HTTP library (its maintainers' ptbcontrib
has an aiohttp one, not published on a package index, so this small adapter is ours).

What it keeps from `HTTPXRequest`: the same default timeouts and their per-call overrides (a long
poll's read timeout grows with its `timeout`), a connection pool of the given size kept alive
between requests (HTTP/1.1 keep-alive), proxies from the environment (HTTPS_PROXY, NO_PROXY: httpx
reads them too), the User-Agent, and its error classes: any timeout is `TimedOut`, any other
transport failure `NetworkError`, so the sender's and the handlers' rules see what they saw before.
A POST is never repeated by the client itself (aiohttp retries only idempotent methods), so the
outbox's at-least-once accounting stays the sender's alone.

Timeouts map onto aiohttp's: `connect_timeout` -> `sock_connect`, `read_timeout` -> `sock_read`,
`pool_timeout + connect_timeout` -> `connect` (aiohttp counts waiting for a free connection in
it); aiohttp has no write timeout, so an upload (a request with files) gets a `total` of
`media_write_timeout + read_timeout` and other requests a `total` of `write_timeout +
read_timeout + connect_timeout + pool_timeout`.

One TLS context: building one loads the whole CA bundle (~50 ms of CPU) and the bot has three
clients (answers, getUpdates, the outbox sender); one context, made once, with certifi's trust
store (the one httpx used), serves them all.
"""

from __future__ import annotations

import json
import ssl
import urllib.request
from functools import cache, partial
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_dumps = partial(json.dumps, ensure_ascii=False)


@cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """`BaseRequest` over one `aiohttp.ClientSession`, created in the running loop on first use."""

    def __init__(
        self,
        connection_pool_size: int,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}
        self._headers = {"User-Agent": self.USER_AGENT}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (python-telegram-bot adds a long poll's `timeout` to it)."""
        return self._read_timeout

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=tls_context())
            # Not `trust_env`: aiohttp would then look the proxy and ~/.netrc up in a worker
            # thread on every request (two thread hops each); `_proxy` reads the environment once.
            self._session = aiohttp.ClientSession(connector=connector, json_serialize=_dumps)
            self._proxies = {}
        return self._session

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY / HTTP_PROXY / ALL_PROXY for this URL's origin unless NO_PROXY names its
        host, as httpx read them (once per origin: the environment does not change under us)."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        if origin not in self._proxies:
            found = urllib.request.getproxies_environment()
            bypass = parts.hostname is None or urllib.request.proxy_bypass(parts.hostname)
            self._proxies[origin] = None if bypass else found.get(parts.scheme) or found.get("all")
        return self._proxies[origin]

    async def initialize(self) -> None:
        self._open()

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._open()
        files = request_data.multipart_data if request_data is not None else None
        read = _given(read_timeout, self._read_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        timeout = aiohttp.ClientTimeout(
            total=_sum(write, read) if files else _sum(write, read, connect, pool),
            connect=_sum(pool, connect),
            sock_connect=connect,
            sock_read=read,
        )
        data: aiohttp.FormData | None = None
        body: dict[str, Any] | None = None
        if files and request_data is not None:  # an upload: multipart, each value JSON-encoded
            # quote_fields=False: a file name as UTF-8, as httpx and browsers send it (aiohttp would
            # percent-encode it, and Telegram would show "%E4%BC%81.csv" for "企业.csv").
            data = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                data.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None:
            # One JSON body (the Bot API takes application/json): one C-speed json.dumps, where a
            # form would JSON-encode each value, then percent-encode every character of the text.
            body = request_data.parameters
        try:
            async with session.request(
                method,
                url,
                data=data,
                json=body,
                headers=self._headers,
                timeout=timeout,
                proxy=self._proxy(url),
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors (and ClientErrors)
            raise TimedOut from error
        except aiohttp.ClientError as error:
            # The class name says what failed when the message is empty (a reset connection).
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error


def _given(value: object, default: float | None) -> float | None:
    """A per-call timeout (python-telegram-bot's DEFAULT_NONE: this request's default)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout is a number of seconds or None, not {value!r}")


def _sum(*timeouts: float | None) -> float | None:
    """None (no limit) if any part has no limit."""
    total = 0.0
    for timeout in timeouts:
        if timeout is None:
            return None
        total += timeout
    return total


def telegram_request(
    connection_pool_size: int,
    *,
    connect_timeout: float = 5.0,
    read_timeout: float = 5.0,
    write_timeout: float = 5.0,
    pool_timeout: float = 1.0,
    media_write_timeout: float = 20.0,
) -> AiohttpRequest:
    """A python-telegram-bot request object (its default timeouts) over aiohttp, one TLS context."""
    return AiohttpRequest(
        connection_pool_size,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        write_timeout=write_timeout,
        pool_timeout=pool_timeout,
        media_write_timeout=media_write_timeout,
    )
