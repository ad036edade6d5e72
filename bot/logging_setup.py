"""Logging: human-readable lines by default, one JSON object per line with BOT_LOG_FORMAT=json.

Secrets never reach the log: every record that reaches our handler goes through `Redactor`,
which replaces the bot token (and the webhook secret) in the message, its arguments, the
exception text and the stack, at every level including DEBUG. Why a filter on the handler
rather than care at each call site: the token travels inside URLs (`/bot<token>/getMe`) that
httpx, python-telegram-bot and exceptions print by themselves. A crash that escapes logging (an
uncaught exception) is printed through the same redaction by `sys.excepthook`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType

__all__ = ["JsonFormatter", "Redactor", "configure_logging", "probe_redaction", "redact"]

#: Anything shaped like a Telegram bot token, even one we were not told about: "<bot id>:<secret>".
_TOKEN_SHAPE = re.compile(r"(?<![0-9])(\d{5,}):[A-Za-z0-9_-]{30,}")
_HIDDEN = "***"


class Redactor(logging.Filter):
    """Replaces the given secrets (and anything shaped like a bot token) in a record, in place."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Hide `secret` from now on (also URL-encoded); short values are not secrets worth it."""
        if not secret or len(secret) < 6:
            return
        for form in (secret, secret.replace(":", "%3A"), secret.replace(":", "%3a")):
            if form not in self.secrets:
                self.secrets.append(form)
        self.secrets.sort(key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                head, sep, _ = secret.partition(":")
                text = text.replace(secret, f"{head}:{_HIDDEN}" if sep and head.isdigit() else _HIDDEN)
        return _TOKEN_SHAPE.sub(rf"\1:{_HIDDEN}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


#: The redactor of the configured handler (secrets added later, e.g. by `doctor`, go here too).
_REDACTOR = Redactor()


def redact(text: str) -> str:
    """`text` with the configured secrets hidden (for messages printed outside logging)."""
    return _REDACTOR.redact(text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            # exc_text when set: the redacted text Redactor prepared (like logging.Formatter does).
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", fmt: str = "text", secrets: Iterable[str | None] = ()) -> None:
    """One stream handler on the root logger, redacting `secrets` (the bot token, the webhook secret)."""
    for secret in secrets:
        _REDACTOR.add(secret)
    handler = logging.StreamHandler()
    handler.addFilter(_REDACTOR)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every Bot API call at INFO: far too chatty for an operator's log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs every tick run at INFO: one line per tick is noise, not information.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sys.excepthook = _redacted_excepthook


def _redacted_excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """An uncaught exception, printed as Python would, without the secrets."""
    sys.stderr.write(redact("".join(traceback.format_exception(kind, error, trace))))


def probe_redaction(secret: str) -> tuple[bool, str]:
    """Log a probe carrying `secret` (in the message, a URL argument and an exception) through
    the root handlers, without emitting it; (hidden everywhere, what came out)."""
    try:
        raise RuntimeError(f"probe exception for {secret}")
    except RuntimeError:
        exc_info = sys.exc_info()
    handlers = logging.getLogger().handlers
    if not handlers:
        return False, "no log handler is configured"
    outputs = []
    for handler in handlers:
        record = logging.LogRecord(
            "bot.doctor",
            logging.DEBUG,
            __file__,
            0,
            "probe %s at %s",
            (secret, f"/bot{secret}/getMe"),
            exc_info,
        )
        if handler.filter(record):
            outputs.append(handler.format(record))
    output = "\n".join(outputs)
    hidden = bool(outputs) and secret not in output and secret.replace(":", "%3A") not in output
    return hidden, output.splitlines()[0] if output else ""
