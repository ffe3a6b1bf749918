"""What one delivery run holds of the outbox, and the upkeep that keeps the outbox told.

:class:`jobs.delivery.deliverer.Deliverer` decides what goes next and sends it; a
:class:`Holding` keeps its side of the durable queue (:mod:`jobs.queues`): it *takes* batches
of due messages, *renews* the lease on those still waiting, writes each send's answer down as it
returns (the message *finished*, *retried* or *parked*, :mod:`jobs.delivery.outcomes`) and
*releases* what must wait or was not sent when the run ends. Every read and write runs in a
worker thread (:mod:`jobs.delivery.outbox_lane`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from jobs.delivery.morning import gathers
from jobs.delivery.outbox_lane import OutboxLane
from jobs.delivery.outcomes import Outcome
from jobs.queues import OUTBOX, Fate, Tally
from storage.outbox import Taken

#: Renew the lease (:data:`jobs.queues.OUTBOX`) every second while the messages wait.
RENEW_EVERY = 1.0
#: Answers whose writing failed (the database was away) are tried again this often.
FLUSH_EVERY = 0.25


@dataclass
class Holding:
    """One :meth:`Deliverer.deliver_due`: what it holds, what is in flight, what came back.

    ``leads()`` says whether this process still sends for the messenger; ``monotonic()`` and
    ``now()`` are the deliverer's clocks.
    """

    outbox: OutboxLane
    batch_size: int
    now: Callable[[], dt.datetime]
    monotonic: Callable[[], float]
    leads: Callable[[], bool]
    tally: Tally
    flushed_at: float = field(init=False)  # monotonic seconds of the last write and renewal
    renewed_at: float = field(init=False)
    taken_at: float = -math.inf
    queue: list[Taken] = field(default_factory=list)  # taken, waiting for their turn
    # A person's duties at the end of a full take: the rest of them come first in the next,
    # and they go together as one message (jobs/delivery/morning.py).
    awaiting: list[Taken] = field(default_factory=list)
    # Each send's rows: one, or a person's duties gathered in one message (morning.py).
    in_flight: dict[asyncio.Task[None], tuple[Taken, ...]] = field(default_factory=dict)
    answers: list[Outcome] = field(default_factory=list)  # not yet written down
    to_release: dict[int, dt.datetime] = field(default_factory=dict)  # row id -> due again at
    # Chats whose message must be tried again (-> when): the chat's next ones wait behind it.
    retrying: dict[str, dt.datetime] = field(default_factory=dict)
    sent: int = 0
    more_due: bool = True  # the last take was full: more may be due right now
    lost: bool = False  # another process leads now

    def __post_init__(self) -> None:
        self.flushed_at = self.renewed_at = self.monotonic()

    def held(self) -> set[int]:
        """The ids of the messages taken and not yet answered."""
        return {row.id for row in [*self.queue, *self.awaiting]} | {
            row.id for rows in self.in_flight.values() for row in rows}

    async def upkeep(self) -> None:
        """Write answers down, renew the lease, release, take more: each when it is time."""
        for task in [t for t in self.in_flight if t.done()]:
            del self.in_flight[task]
        at = self.monotonic()
        if self.answers and at - self.flushed_at >= FLUSH_EVERY:
            await self.record()
        if at - self.renewed_at >= RENEW_EVERY:
            await self._renew()
        if self.to_release:
            due, self.to_release = self.to_release, {}
            await self._release(due)
        await self.take_more(force=False)

    async def take_more(self, *, force: bool) -> bool:
        """Take more when the queue runs low; returns whether any came."""
        at = self.monotonic()
        if self.lost or len(self.queue) > self.batch_size // 2:
            return False
        if not (force or self.more_due or at - self.taken_at >= RENEW_EVERY):
            return False
        want, now = self.batch_size - len(self.queue), self.now()
        self.taken_at = at
        rows = await asyncio.to_thread(self.outbox.take, want, now, now + OUTBOX.lease)
        self.more_due = len(rows) == want
        held = self.held()
        fresh = [row for row in rows if row.id not in held]
        cut = _last_persons_duties(fresh) if self.more_due else []
        restored, self.awaiting = self.awaiting, cut
        self.queue.extend([*restored, *fresh[:len(fresh) - len(cut)]])
        return bool(fresh) or bool(restored)

    async def _renew(self) -> None:
        """Keep holding what waits or is in flight; drop what was cancelled meanwhile."""
        self.renewed_at = self.monotonic()
        if not self.leads():
            self.lost = True
            return
        held, until = self.held(), self.now() + OUTBOX.lease
        pending = await asyncio.to_thread(self.outbox.renew, held, until)
        self.queue = [row for row in self.queue if row.id in pending or row.id not in held]

    async def write_down(self, answers: list[Outcome]) -> None:
        """Write one send's answers down as it returns: a message the messenger accepted is
        marked sent before its slot goes to another, so a ``kill -9`` can send again only what
        was in flight (a batch written every quarter second sent again up to 29 in 5 kills)."""
        self.answers += answers
        with contextlib.suppress(Exception):  # kept: the upkeep tries again, and says why
            await self.record()

    async def record(self) -> None:
        """Write down every answer that came back, in one transaction."""
        self.flushed_at = self.monotonic()
        if not self.answers:
            return
        answers, self.answers = self.answers, []
        try:
            fates = await asyncio.to_thread(self.outbox.record, answers)
        except BaseException:
            self.answers[:0] = answers  # written down at the next try, or on winding down
            raise
        self.sent += fates.count(Fate.FINISHED)
        for fate in fates:
            self.tally.counted(OUTBOX.name, self.outbox.platform, fate)

    async def _release(self, due: dict[int, dt.datetime]) -> None:
        if due:
            await asyncio.to_thread(self.outbox.release, due)

    async def wind_down(self) -> None:
        """Let the messages in flight finish, write everything down, release the rest."""
        if self.in_flight:
            await asyncio.gather(*self.in_flight, return_exceptions=True)
            self.in_flight.clear()
        await self.record()
        now = self.now()
        await self._release({**{row.id: now for row in [*self.queue, *self.awaiting]},
                             **self.to_release})


def _last_persons_duties(rows: list[Taken]) -> list[Taken]:
    """The duties of the take's last person that end it, unless they are all of it."""
    if not rows or not gathers(rows[-1].kind, rows[-1].payload):
        return []
    chat, first = rows[-1].chat_id, len(rows) - 1
    while first > 0 and rows[first - 1].chat_id == chat and gathers(rows[first - 1].kind,
                                                                      rows[first - 1].payload):
        first -= 1
    return rows[first:] if first > 0 else []
