"""Logging for ``isobot run``: plain lines, and no secret ever written."""

from __future__ import annotations

import logging
from collections.abc import Iterable


class RedactSecrets(logging.Filter):
    """Replace every known secret (bot tokens, the webhook secret) in a record's text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "<redacted>")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr; the Bot API URLs carry the token, so every handler redacts it."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, token included, at INFO: keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # A delivery run still busy when the next is due is skipped by design; not worth a warning.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
