"""What a person is sent, independent of the messenger: text, choices, an attachment.

Adapters render a :class:`Message`: Telegram as inline buttons, Zalo as numbered lines.
Messages are stored in the outbox as JSON, so they round-trip through :meth:`to_payload`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

#: The payload's mark of a message whose row is emptied once it went.
ERASE_AFTER_SENDING = "erase_after_sending"


@dataclass(frozen=True)
class Choice:
    """A reply the person can pick: ``id`` goes back to the bot, ``label`` is shown."""

    id: str
    label: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: a ``document`` (e.g. XLSX) or a ``photo`` (e.g. a chart).

    Its bytes are ``content``, or, for a file too big to carry in the outbox, named instead:
    ``stored`` is its key in the file store (evidence sent back with /xem), ``build`` what to
    make when it is sent (an inspection dossier). Whatever sends the message fetches or builds
    the bytes then, off the event loop.
    """

    kind: str
    filename: str
    content: bytes = field(default=b"", repr=False)
    stored: str | None = None
    build: dict[str, Any] | None = None


@dataclass(frozen=True)
class Message:
    """A message for one person."""

    text: str
    choices: tuple[Choice, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # The language the text is written in, for words an adapter adds around it (Zalo writes
    # choices as a translated "Reply 1 – …, 2 – …" line); None means the default language.
    lang: str | None = None
    # To someone who left isobot: once it went (or was given up), its row keeps neither the
    # chat it went to nor its text (jobs.delivery.outcomes).
    erase_after_sending: bool = False
    # How many of ``choices`` belong to each duty of a message that gathers several (a
    # morning's reminders, jobs/delivery/morning.py), in order: Telegram puts each duty's
    # buttons on a row of their own, Zalo each duty's numbers on a line. Empty: one duty.
    rows: tuple[int, ...] = ()
    # A page the messenger may open inside itself (a Telegram Mini App), as (label, https
    # address): a button under the message where the messenger has such buttons; elsewhere
    # the text carries a link of its own.
    page_button: tuple[str, str] = ()

    def choice_rows(self) -> list[tuple[Choice, ...]]:
        """The choices row by row: as ``rows`` groups them, else one row each."""
        if not self.rows:
            return [(choice,) for choice in self.choices]
        grouped, start = [], 0
        for size in self.rows:
            grouped.append(self.choices[start:start + size])
            start += size
        return [row for row in grouped if row]

    def to_payload(self) -> dict[str, Any]:
        """A JSON-safe dict of this message."""
        payload = {
            "text": self.text,
            "choices": [[c.id, c.label] for c in self.choices],
            "attachments": [_attachment_payload(a) for a in self.attachments],
        }
        if self.lang:
            payload["lang"] = self.lang
        if self.erase_after_sending:
            payload[ERASE_AFTER_SENDING] = True
        if self.rows:
            payload["rows"] = list(self.rows)
        if self.page_button:
            payload["page_button"] = list(self.page_button)
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        """The message stored by :meth:`to_payload`."""
        return cls(
            text=payload["text"],
            choices=tuple(Choice(i, label) for i, label in payload.get("choices", [])),
            attachments=tuple(
                Attachment(a["kind"], a["filename"], base64.b64decode(a.get("content", "")),
                           stored=a.get("stored"), build=a.get("build"))
                for a in payload.get("attachments", [])
            ),
            lang=payload.get("lang"),
            erase_after_sending=bool(payload.get(ERASE_AFTER_SENDING)),
            rows=tuple(payload.get("rows", ())),
            page_button=tuple(payload.get("page_button", ())),
        )


def _attachment_payload(attachment: Attachment) -> dict[str, Any]:
    payload: dict[str, Any] = {"kind": attachment.kind, "filename": attachment.filename,
                               "content": base64.b64encode(attachment.content).decode("ascii")}
    if attachment.stored:
        payload["stored"] = attachment.stored
    if attachment.build:
        payload["build"] = attachment.build
    return payload
