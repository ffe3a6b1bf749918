"""Logging for ``isobot run``: plain lines or one JSON object a line, and no secret ever written.

A log call names what it is about with ``extra=``: ``log.warning("…", extra={"queue": "outbox",
"row_id": 12})`` (a row of a durable queue, :mod:`jobs.queues`) or ``{"update_id": "…",
"messenger": "zalo"}``. The JSON format (``ISOBOT_LOG_FORMAT=json``, for
a log collector such as Loki or Elasticsearch) writes those as fields of their own.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable

#: The ``extra=`` fields a JSON line carries when a record has them.
CONTEXT_FIELDS = ("messenger", "queue", "row_id", "update_id", "outbox_id", "chat_id",
                  "member_id", "error")


class RedactSecrets(logging.Filter):
    """Replace every known secret (bot tokens, the webhook secret) in a record's text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced."""
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the context fields, the error."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in CONTEXT_FIELDS
                     if getattr(record, name, None) is not None})
        if record.exc_info:  # the traceback says more than the error's words
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Redacting(logging.Formatter):
    """Another formatter's output with the secrets replaced: a traceback may quote a URL, and
    the URLs of the Bot APIs carry the token."""

    def __init__(self, inner: logging.Formatter, secrets: RedactSecrets) -> None:
        super().__init__()
        self.inner, self.secrets = inner, secrets

    def format(self, record: logging.LogRecord) -> str:
        return self.secrets.redact(self.inner.format(record))


def configure(secrets: Iterable[str], level: int = logging.INFO, fmt: str = "text") -> None:
    """Log to stderr, as plain lines or (``fmt="json"``) JSON lines; every secret redacted."""
    redact = RedactSecrets(secrets)
    inner = JsonLines() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = logging.StreamHandler()
    handler.setFormatter(_Redacting(inner, redact))
    handler.addFilter(redact)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)  # a library's warning is a log line too, in the same format
    # httpx logs every request URL, token included, at INFO: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # A delivery run still busy when the next is due is skipped by design; not worth a warning.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
