"""Putting a tick's reminders and escalations into the outbox, a few thousand at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlmodel import Session

from jobs.catalog import Catalog
from jobs.i18n import translator
from jobs.recipients import AddressBook
from jobs.reminders import Stage
from jobs.texts import About, RenderedOnce
from storage.members import Recipient
from storage.obligations import OpenRow
from storage.outbox import Queued, enqueue_many, existing_keys

# Messages per batch: one lookup of their keys, one executemany, one commit.
BATCH = 2000


class Outgoing:
    """The messages a tick decides, written in batches.

    Each message's key is ``{obligation}:{due}:{stage}:{member}``, as it always was, so what is
    in the outbox already (an earlier tick, another process) is not queued again.
    """

    def __init__(self, session: Session, *, book: AddressBook, today: dt.date,
                 now: dt.datetime, catalog: Catalog, checkpoint: Callable[[], None]) -> None:
        self.session, self.book, self.now, self.catalog = session, book, now, catalog
        self.checkpoint = checkpoint
        self.texts = RenderedOnce(today)
        self.queued = 0
        self._pending: list[tuple[str, OpenRow, Stage, Recipient]] = []

    def add(self, row: OpenRow, stages: Iterable[Stage]) -> None:
        """Queue ``stages`` of the obligation ``row`` for each of their recipients."""
        for stage in stages:
            for member in self.book.of(row.unit_id, stage.recipient_role):
                key = f"{row.id}:{row.due.isoformat()}:{stage.name}:{member.id}"
                self._pending.append((key, row, stage, member))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write what was added and is not in the outbox yet; then the checkpoint."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        known = existing_keys(self.session, keys=[key for key, *_ in pending])
        self.queued += enqueue_many(self.session, now=self.now, messages=(
            self._message(key, row, stage, member)
            for key, row, stage, member in pending if key not in known))
        self.checkpoint()

    def _message(self, key: str, row: OpenRow, stage: Stage, member: Recipient) -> Queued:
        about = About(row.id, self.book.units[row.unit_id].name,
                      self.catalog.duty(row.duty_key), row.period, row.due, row.note)
        payload = self.texts.payload(stage.track, stage.recipient_role, about,
                                     translator(member.language))
        kind = "reminder" if stage.track == "remind" else "escalation"
        return Queued(key, member.id, member.platform, member.chat_id, kind, row.id, payload)
