"""Sending what the outbox holds, as fast as the messenger allows and never faster.

A worker *takes* a batch of due rows with a lease — they come due again when the short lease
ends, unless it renews it while they wait — and sends several at once, each as soon as the rate
limiter (:mod:`jobs.delivery.rate_limits`) lets it go. Each send's answer is written down as it
returns, before its slot is given to the next message (:mod:`jobs.delivery.holding`,
:mod:`jobs.delivery.outcomes`). A worker that is stopped (cancelled) lets the messages in flight
finish, records them and releases the rest; one that dies (``kill -9``) may send again only the
messages it had in flight, whose answers it never got (at most ``Pace.concurrency``); the next
process releases what it held at once (:func:`storage.queue.release_orphans`). The words and
numbers are the durable queues' (:mod:`jobs.queues`).

Where several bot processes share one PostgreSQL database, only the messenger's *delivery
leader* sends (:class:`storage.leadership.Leadership`): one process knows every message the bot
sends, so one limiter keeps the bot-wide, per-chat and per-group limits exactly; the others
wait, and take over within a scheduler tick of the leader's end. A shared token bucket in the
database would cost a round trip per message and still leave the per-chat windows unshared.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from jobs.delivery import reachability
from jobs.delivery.holding import Holding
from jobs.delivery.messages import Message
from jobs.delivery.morning import MOST_DUTIES, gathered, gathers
from jobs.delivery.outbox_lane import OutboxLane
from jobs.delivery.outcomes import Outcome, Result
from jobs.delivery.preparing import Preparing
from jobs.delivery.rate_limits import RateLimiter, RateLimits
from jobs.delivery.transport import (
    RecipientGone,
    RecipientUnreachable,
    RetryLater,
    TemporaryFailure,
    Transport,
    Undeliverable,
)
from jobs.queues import OUTBOX, Tally, Untallied
from storage.leadership import Leadership
from storage.outbox import Taken

__all__ = ["Deliverer", "DeliveryClock", "DeliveryTally", "Lane", "Pace", "RateLimiter",
           "RateLimits"]

#: A message whose chat must wait longer than this goes back to the outbox meanwhile.
HOLD_IN_MEMORY = 5.0
#: The longest and shortest pause: upkeep (leases, answers) runs at least every second, and a
#: wait shortened to nothing by rounding still moves the clock on.
MAX_PAUSE, MIN_PAUSE = 1.0, 0.001
#: How long a lane deferring to another waits before looking again.
YIELD_PAUSE = 0.005


class DeliveryTally(Tally, Protocol):
    """Hears what became of each message once written down (``counted``) and each 429 answer
    as it comes (``rate_limited``): the metrics."""

    def rate_limited(self, messenger: str) -> None:
        """The messenger answered "too many requests"."""


@dataclass(frozen=True)
class DeliveryClock:
    """The bot's time (``now``), seconds for the rate limits (``monotonic``), and a pause."""

    now: Callable[[], dt.datetime]
    monotonic: Callable[[], float] = time.monotonic  # the event loop's clock
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


@dataclass(frozen=True)
class Pace:
    """How much a deliverer sends: within ``limits`` (None: the defaults), ``batch_size``
    messages taken at a time (None: about two seconds' worth), ``concurrency`` in flight."""

    limits: RateLimits | None = None
    batch_size: int | None = None
    concurrency: int = 8


class _Ready(Protocol):
    def has_ready(self) -> bool: ...


@dataclass(frozen=True)
class Lane:
    """Which of a messenger's messages a deliverer sends: ``replies`` True only replies, False
    everything else, None everything. Lanes of one messenger share one ``limiter`` (None: one of
    its own); one that must leave the next slot to another names it in ``defer_to``."""

    replies: bool | None = None
    limiter: RateLimiter | None = None
    defer_to: _Ready | None = None

    @classmethod
    def beside(cls, replies: Deliverer) -> Lane:
        """Everything but replies, sharing the reply lane's limiter and leaving it the next
        slot whenever a reply may go."""
        return cls(replies=False, limiter=replies.limiter, defer_to=replies)


class Deliverer:
    """Sends due outbox rows for one messenger, several at a time, within its limits.

    The reply lane (:class:`Lane`) sends only replies, the oldest of each chat at a time and
    several chats at once, so an answer never waits behind a batch of reminders. The lane that
    made the limiter counts, on taking over, what was sent lately.
    """

    def __init__(self, engine: Engine, transport: Transport, *, clock: DeliveryClock,
                 pace: Pace | None = None, lane: Lane | None = None,
                 leadership: Leadership | None = None,
                 tally: DeliveryTally | None = None) -> None:
        self.engine = engine
        self.transport = transport
        self.now, self.monotonic, self.sleep = clock.now, clock.monotonic, clock.sleep
        pace, lane = pace or Pace(), lane or Lane()
        limits = pace.limits or RateLimits()
        self.replies = lane.replies
        self.outbox = OutboxLane(engine, transport.platform, lane.replies,
                                 transport.capabilities.brand)
        self.limiter = lane.limiter or RateLimiter(limits, transport.capabilities.is_group)
        self._counts_takeover = lane.limiter is None
        # A lane that goes first (the replies): while it holds a message that may go, this
        # one leaves it the next slot of the bot-wide limit.
        self.defer_to = lane.defer_to
        self._run: Holding | None = None
        self._nudged = asyncio.Event()
        # About two seconds' worth at the limit: enough to keep sending while the next
        # batch is taken, few enough to release quickly.
        self.batch_size = pace.batch_size or max(20, math.ceil(2 * limits.per_second))
        self.concurrency = pace.concurrency
        self.preparing = Preparing(getattr(transport, "prepare", None), most=self.concurrency)
        self.leadership = leadership
        self.tally = tally or Untallied()
        self.role = f"deliver:{transport.platform}"
        self.stopping = False
        self._leading = False

    def stop(self) -> None:
        """Let the messages in flight finish, release the rest, and send no more."""
        self.stopping = True
        self._nudged.set()

    def nudge(self) -> None:
        """Something new is due (a reply was queued): take it now rather than within the
        second the upkeep takes."""
        self._nudged.set()

    def due(self) -> bool:
        """Whether a message of this deliverer's may be sent now."""
        return self.outbox.any_due(self.now())

    async def deliver_due(self) -> int:
        """Send every row due now; return how many were sent (0 when another process leads)."""
        if self.stopping or not self._lead():
            return 0
        run = self._run = Holding(self.outbox, self.batch_size, self.now, self.monotonic,
                                  self._lead, self.tally)
        try:
            await self._drive(run)
        finally:
            self._run = None
            self.preparing.cancel()
            await run.wind_down()
        return run.sent

    def has_ready(self) -> bool:
        """Whether a message this deliverer holds could go now but for the bot-wide limit."""
        if self._run is None:
            return False
        at = self.monotonic()
        return any(self.limiter.wait_chat(row.chat_id, at, self._requests(row)) <= 0
                   for row in self._run.queue if self.preparing.ready(row))

    async def _drive(self, run: Holding) -> None:
        while not (self.stopping or run.lost):
            await run.upkeep()
            if not run.queue and not run.in_flight:
                await run.record()
                if not await run.take_more(force=True):
                    return  # nothing more is due now
                continue
            if len(run.in_flight) >= self.concurrency:
                await self._pause(run, math.inf)
                continue
            row, wait = self._next_ready(run)
            if row is not None:
                self._start(run, self._with_companions(run, row))
            else:
                await self._pause(run, wait)

    # -- choosing what goes next ----------------------------------------------------------

    def _next_ready(self, run: Holding) -> tuple[Taken | None, float]:
        """A row every limit lets go now (taken off the queue), else the wait until one may.

        A row that must wait long, or behind its chat's message being retried, goes back to
        the outbox meanwhile, due when its chat is free again. A row whose files are being
        built waits, and its chat's next rows behind it (:mod:`jobs.delivery.preparing`).
        """
        at, now = self.monotonic(), self.now()
        wait = self.limiter.wait_bot(at)
        if self.defer_to is not None and self.defer_to.has_ready():
            return None, max(wait, YIELD_PAUSE)
        if wait > 0:
            return None, wait
        best, chosen, building = math.inf, None, set()
        for row in run.queue:
            retry_at = run.retrying.get(row.chat_id)
            if retry_at is not None and retry_at > now:
                run.to_release[row.id] = retry_at
                continue
            if row.chat_id in building:
                continue
            if not self.preparing.ready(row):
                self.preparing.start(row)
                building.add(row.chat_id)
                continue
            row_wait = self.limiter.wait_for(row.chat_id, at, self._requests(row))
            if row_wait <= 0:
                chosen = row
                break
            if HOLD_IN_MEMORY < row_wait < math.inf:
                run.to_release[row.id] = now + dt.timedelta(seconds=row_wait)
            best = min(best, row_wait)
        if run.to_release or chosen is not None:
            run.queue = [row for row in run.queue
                         if row is not chosen and row.id not in run.to_release]
        return chosen, 0.0 if chosen is not None else best

    @staticmethod
    def _with_companions(run: Holding, row: Taken) -> tuple[Taken, ...]:
        """``row`` and the rest of its person's duties waiting in the queue, to go as one
        message (:mod:`jobs.delivery.morning`); ``row`` alone for any other message."""
        if not gathers(row.kind, row.payload):
            return (row,)
        companions = [other for other in run.queue if other.chat_id == row.chat_id
                      and gathers(other.kind, other.payload)][:MOST_DUTIES - 1]
        taken = {other.id for other in companions}
        run.queue = [other for other in run.queue if other.id not in taken]
        return (row, *companions)

    def _requests(self, row: Taken) -> int:
        """How many API calls the message takes: its text's parts, and its files if sent."""
        return self._calls(row.payload)

    def _calls(self, payload: dict[str, Any]) -> int:
        capabilities = self.transport.capabilities
        sends = capabilities.sends_files or capabilities.files_by_url
        files = len(payload.get("attachments", ())) if sends else 0
        text = payload.get("text", "")
        if files and capabilities.sends_files and not text.strip():
            # A file uploaded alone, as a reply's file goes (bot.chat.replies): one call.
            # Counted as two, such a message kept a second slot of the bot-wide limit empty:
            # a burst of replies, one in five a file, left at 0.78 of the limit, not 0.91
            # (bench/burst.py).
            return files
        return 1 + len(text) // capabilities.max_text + files

    async def _pause(self, run: Holding, wait: float) -> None:
        """Until ``wait`` seconds pass, an answer comes (``inf``: until an answer) or
        :meth:`nudge` says something new is due."""
        if not run.in_flight and wait == math.inf:  # nothing to wait for but the upkeep
            wait = MAX_PAUSE
        building = self.preparing.under_way()
        waiting: set[asyncio.Future[Any]] = set(run.in_flight) | building
        if wait < math.inf:
            waiting.add(asyncio.ensure_future(self.sleep(min(max(wait, MIN_PAUSE), MAX_PAUSE))))
        nudged = asyncio.ensure_future(self._nudged.wait())
        await asyncio.wait({*waiting, nudged}, return_when=asyncio.FIRST_COMPLETED)
        for waited in (waiting - set(run.in_flight) - building) | {nudged}:
            waited.cancel()
        if self._nudged.is_set():
            self._nudged.clear()
            run.taken_at = -math.inf  # the next upkeep takes what was nudged about

    # -- sending ----------------------------------------------------------------------------

    def _start(self, run: Holding, rows: tuple[Taken, ...]) -> None:
        row = rows[0]
        message = self.preparing.message(row) or gathered([row.payload for row in rows])
        requests = self._calls(message.to_payload())
        self.limiter.begin(row.chat_id, self.monotonic(), requests)
        task = asyncio.create_task(self._send(run, rows, message, requests),
                                   name=f"send-{self.transport.platform}-{row.id}")
        run.in_flight[task] = rows

    async def _send(self, run: Holding, rows: tuple[Taken, ...], message: Message,
                    requests: int) -> None:
        """Send one message for ``rows``; each row's answer is the message's (a gathered
        message is never edited afterwards: it keeps no message id)."""
        row = rows[0]
        try:
            message_id = await self._transmit(row, message)
            outcome = Outcome(row, Result.SENT, self.now(), message_id=message_id,
                              choices=message.choices)
        except RetryLater as error:
            self.tally.rate_limited(self.transport.platform)
            outcome = self._retry(run, row, Result.LATER, str(error), error.retry_after)
        except RecipientUnreachable as error:  # the person's trouble, not the messenger's
            seconds = reachability.retry_after(row.attempts + 1).total_seconds()
            outcome = self._retry(run, row, Result.UNREACHABLE, str(error), seconds, hold=False)
        except TemporaryFailure as error:
            outcome = self._retry(run, row, Result.FAILED, str(error))
        except RecipientGone as error:
            outcome = Outcome(row, Result.GONE, self.now(), error=str(error))
        except Undeliverable as error:
            outcome = Outcome(row, Result.REFUSED, self.now(), error=str(error))
        except Exception as error:  # a bug in an adapter must not lose the message
            outcome = replace(self._retry(run, row, Result.FAILED, repr(error)), failure=error)
        finally:
            self.limiter.end(row.chat_id, self.monotonic(), requests)
        if len(rows) > 1:
            outcome = replace(outcome, message_id=None)
        await run.write_down([outcome, *(replace(outcome, taken=other, choices=())
                                         for other in rows[1:])])

    def _retry(self, run: Holding, row: Taken, result: Result, error: str,
               retry_after: float | None = None, *, hold: bool = True) -> Outcome:
        """Try ``row`` again when the messenger said, or after the outbox's pause; its chat
        waits (and with ``hold`` the limiter keeps it free meanwhile)."""
        seconds = (retry_after if retry_after is not None else OUTBOX.pause(
            tries=row.attempts + 1, row_id=row.id).total_seconds())
        if hold:
            self.limiter.hold(row.chat_id, self.monotonic() + seconds)
        now = self.now()
        retry_at = now + dt.timedelta(seconds=seconds)
        run.retrying[row.chat_id] = max(retry_at, run.retrying.get(row.chat_id, retry_at))
        return Outcome(row, result, now, error=error, retry_at=retry_at)

    async def _transmit(self, row: Taken, message: Message) -> str:
        """The one call to the messenger: a new message, or a change to one sent earlier."""
        if row.kind == "edit":
            await self.transport.edit(row.chat_id, row.payload["message_id"], message)
            return row.payload["message_id"]
        return await self.transport.send(row.chat_id, message)

    # -- leading ----------------------------------------------------------------------------

    def _lead(self) -> bool:
        """Whether this process sends for the messenger now (always, without a leadership)."""
        leads = self.leadership is None or self.leadership.leads(self.role)
        if leads and not self._leading and self._counts_takeover:
            self._take_over()
        self._leading = leads
        return leads

    def _take_over(self) -> None:
        """Count what was sent lately, by this process before a restart or by another."""
        now, at = self.now(), self.monotonic()
        since = now - dt.timedelta(seconds=self.limiter.memory_seconds)
        for chat_id, sent_at in self.outbox.recent_sends(since, OUTBOX.lease):
            # Sent "later" than now by a process whose clock ran ahead (``--now`` again): now.
            self.limiter.record(chat_id, at - max((now - sent_at).total_seconds(), 0.0))
        if self.leadership is not None and self.leadership.shared:
            # The last leader may have sent a moment ago what it never got to write down.
            self.limiter.pause(at + self.limiter.settle_seconds)
            # What it held, if it is gone, is due now rather than when its lease ends.
            self.outbox.release_orphans(now, self.leadership.alive)
