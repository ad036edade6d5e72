"""HTTP clients for the Bot API that share one TLS context.

httpx builds a TLS context for every client, and building one loads the whole CA bundle (~50 ms
of CPU): the bot has three clients (answers, getUpdates, the outbox sender), so this was most of
the time to start an Application (and of every end-to-end test). One context, made once, with the
same trust store httpx uses by default (certifi's), serves them all.
"""

from __future__ import annotations

import ssl
from functools import cache

import certifi
from telegram.request import HTTPXRequest


@cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def telegram_request(
    connection_pool_size: int,
    *,
    connect_timeout: float = 5.0,
    read_timeout: float = 5.0,
    write_timeout: float = 5.0,
    pool_timeout: float = 1.0,
    media_write_timeout: float = 20.0,
) -> HTTPXRequest:
    """A python-telegram-bot request object (its default timeouts), on the shared TLS context."""
    return HTTPXRequest(
        connection_pool_size=connection_pool_size,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        write_timeout=write_timeout,
        pool_timeout=pool_timeout,
        media_write_timeout=media_write_timeout,
        httpx_kwargs={"verify": tls_context()},
    )
