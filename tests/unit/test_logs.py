"""The bot's log lines: plain or JSON, with what they concern, and never a secret."""

import json
import logging

import pytest

from bot.runtime import logs

SECRET = "123456:the-bot-token-itself"


@pytest.fixture
def configured(capsys):
    """The root logger as ``isobot run`` sets it up, restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level

    def configure(fmt: str) -> None:
        logs.configure([SECRET], fmt=fmt)

    yield configure
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)


def fail_with_the_token() -> None:
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{SECRET}/sendMessage failed")
    except ConnectionError:
        logging.getLogger("jobs.delivery.deliverer").exception(
            "outbox row %s could not be sent", 42, extra={"outbox_id": 42, "messenger": "telegram"})


def test_json_lines_carry_what_they_concern_and_no_secret(configured, capsys):
    configured("json")
    logging.getLogger("bot.messengers.zalo").warning(
        "update %s could not be handled", "u-9", extra={"update_id": "u-9", "messenger": "zalo"})
    fail_with_the_token()
    lines = capsys.readouterr().err.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["level"] == "warning" and first["logger"] == "bot.messengers.zalo"
    assert (first["message"], first["update_id"], first["messenger"]) == (
        "update u-9 could not be handled", "u-9", "zalo")
    assert first["time"].endswith("+00:00")
    assert (second["outbox_id"], second["level"]) == (42, "error")
    assert "ConnectionError" in second["error"] and "<redacted>" in second["error"]
    assert SECRET not in "\n".join(lines)


def test_a_traceback_in_plain_lines_hides_the_token_too(configured, capsys):
    configured("text")
    fail_with_the_token()
    err = capsys.readouterr().err
    assert "outbox row 42 could not be sent" in err and "ConnectionError" in err
    assert SECRET not in err and "<redacted>" in err
