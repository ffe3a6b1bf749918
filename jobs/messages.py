"""What a person is sent, independent of the messenger: text, choices, an attachment.

Adapters render a :class:`Message`: Telegram as inline buttons, Zalo as numbered lines.
Messages are stored in the outbox as JSON, so they round-trip through :meth:`to_payload`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A reply the person can pick: ``id`` goes back to the bot, ``label`` is shown."""

    id: str
    label: str


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: a ``document`` (e.g. XLSX) or a ``photo`` (e.g. a chart)."""

    kind: str
    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class Message:
    """A message for one person."""

    text: str
    choices: tuple[Choice, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # The language the text is written in, for words an adapter adds around it (Zalo writes
    # choices as a translated "Reply 1 – …, 2 – …" line); None means the default language.
    lang: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """A JSON-safe dict of this message."""
        payload = {
            "text": self.text,
            "choices": [[c.id, c.label] for c in self.choices],
            "attachments": [
                {"kind": a.kind, "filename": a.filename,
                 "content": base64.b64encode(a.content).decode("ascii")}
                for a in self.attachments
            ],
        }
        if self.lang:
            payload["lang"] = self.lang
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Message:
        """The message stored by :meth:`to_payload`."""
        return cls(
            text=payload["text"],
            choices=tuple(Choice(i, label) for i, label in payload.get("choices", [])),
            attachments=tuple(
                Attachment(a["kind"], a["filename"], base64.b64decode(a["content"]))
                for a in payload.get("attachments", [])
            ),
            lang=payload.get("lang"),
        )
