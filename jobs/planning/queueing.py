"""Putting a tick's reminders and escalations into the outbox, a few thousand at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlmodel import Session

from jobs.catalog import Catalog
from jobs.planning.recipients import AddressBook
from jobs.planning.reminders import Stage, stage_key
from jobs.text.i18n import translator
from jobs.text.reminder_texts import About, RenderedOnce
from storage.members import Recipient
from storage.obligations import OpenRow
from storage.outbox import Queued, enqueue_many, existing_keys

# Messages per batch: one lookup of their keys, one executemany, one commit.
BATCH = 2000

_Candidate = tuple[str, OpenRow, Stage, Recipient]


class Outgoing:
    """The messages a tick decides: what is not in the outbox yet is written at :meth:`send`.

    Each message's key is ``{obligation}:{due}:{stage}:{member}``, as it always was, so what is
    in the outbox already (an earlier tick, another process) is not queued again. The new ones
    are written person by person (their chat), each person's in the order the per-unit planner
    wrote them (the stage's day, the obligation, the track): delivery sends a person's morning
    as one message (:mod:`jobs.delivery.morning`), its duties in that order.
    """

    def __init__(self, session: Session, *, book: AddressBook, today: dt.date,
                 now: dt.datetime, catalog: Catalog, checkpoint: Callable[[], None]) -> None:
        self.session, self.book, self.now, self.catalog = session, book, now, catalog
        self.checkpoint = checkpoint
        self.texts = RenderedOnce(today)
        self.queued = 0
        self._unchecked: list[_Candidate] = []
        self._new: dict[str, _Candidate] = {}

    def add(self, row: OpenRow, stages: Iterable[Stage]) -> None:
        """Queue ``stages`` of the obligation ``row`` for each of their recipients."""
        for stage in stages:
            for member in self.book.of(row.unit_id, stage.recipient_role):
                key = f"{stage_key(row.id, row.due, stage)}:{member.id}"
                self._unchecked.append((key, row, stage, member))
        if len(self._unchecked) >= BATCH:
            self._check()

    def _check(self) -> None:
        """Keep, of what was added, what the outbox does not hold yet."""
        unchecked, self._unchecked = self._unchecked, []
        known = existing_keys(self.session, keys=[key for key, *_ in unchecked])
        self._new.update((c[0], c) for c in unchecked if c[0] not in known)

    def send(self) -> None:
        """Write the new messages in batches, each followed by the checkpoint."""
        self._check()
        # A person's messages side by side, so delivery gathers them into one (morning.py).
        ordered = sorted(self._new.values(), key=lambda c: (
            c[3].platform, c[3].chat_id, c[2].day, c[1].id, c[2].track, c[3].id))
        self._new = {}
        for start in range(0, len(ordered), BATCH):
            self.queued += enqueue_many(self.session, now=self.now, messages=[
                self._message(*candidate) for candidate in ordered[start:start + BATCH]])
            self.checkpoint()

    def _message(self, key: str, row: OpenRow, stage: Stage, member: Recipient) -> Queued:
        unit = self.book.units[row.unit_id]
        # The legal basis and checklist of the unit's province (Catalog.for_unit).
        about = About(row.id, unit.name, self.catalog.for_unit(unit.code).duty(row.duty_key),
                      row.period, row.due, row.note, row.label)
        payload = self.texts.payload(stage.track, stage.recipient_role, about,
                                     translator(member.language))
        kind = "reminder" if stage.track == "remind" else "escalation"
        return Queued(key, member.id, member.platform, member.chat_id, kind, row.id, payload)
