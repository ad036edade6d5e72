"""The log redaction, record by record: messages, arguments, exceptions, stacks, both formats."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logging_setup import configure_logging, probe_redaction, redact

TOKEN = "7004219921:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = TOKEN.partition(":")[2]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_every_part_of_a_record_is_redacted(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG", fmt, secrets=(TOKEN, "w3bhook-secret-0123456789"))
    try:
        err = _log_secrets(capsys)
    finally:
        configure_logging("INFO", "text")
    assert SECRET not in err and "w3bhook-secret" not in err and "AAHanother" not in err
    assert "bot7004219921:***/getMe" in err and "1234567:***" in err
    if fmt == "json":
        records = [json.loads(line) for line in err.splitlines()]
        assert "7004219921:***" in records[3]["exception"]


def _log_secrets(capsys: pytest.CaptureFixture[str]) -> str:
    log = logging.getLogger("tests.redaction")  # any logger: the filter is on the handler
    log.setLevel(logging.DEBUG)  # whatever other tests set on their loggers
    log.debug("POST %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
    log.info("encoded: https://api.telegram.org/bot%s/getMe", TOKEN.replace(":", "%3A"))
    log.warning("webhook secret %s", "w3bhook-secret-0123456789")
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.exception("start-up failed", stack_info=True)
    log.info("someone else's token 1234567:AAHanotherTokenOfThirtyCharsOrMore")
    return capsys.readouterr().err


def test_the_probe_sees_whether_the_handler_redacts() -> None:
    configure_logging("INFO", "text", secrets=(TOKEN,))
    try:
        hidden, line = probe_redaction(TOKEN)
        assert hidden and "/bot7004219921:***/getMe" in line
        logging.getLogger().handlers[0].filters.clear()  # a handler without the redaction
        assert probe_redaction(TOKEN)[0] is False
    finally:
        configure_logging("INFO", "text")
    assert redact(f"url /bot{TOKEN}/x") == "url /bot7004219921:***/x"
