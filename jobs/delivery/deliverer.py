"""Sending what the outbox holds, as fast as the messenger allows and never faster.

A worker *leases* a batch of due rows — they come due again when the short lease ends, unless
it renews it while they wait — and sends several at once, each as soon as the rate limiter
(:mod:`jobs.delivery.rate_limits`) lets it go. The answers are written down a batch at a time
(:mod:`jobs.delivery.outcomes`), one transaction for all that came in during the last quarter
second. A worker that is stopped (cancelled) lets the messages in flight finish, records them
and hands the rest back; one that dies (``kill -9``) holds its leased messages a lease's length,
seconds, and may send again the few whose answers it had not yet written down.

Where several bot processes share one PostgreSQL database, only the messenger's *delivery
leader* sends (:class:`storage.leadership.Leadership`): one process knows every message the bot
sends, so one limiter keeps the bot-wide, per-chat and per-group limits exactly; the others
wait, and take over within a scheduler tick of the leader's end. A shared token bucket in the
database would cost a round trip per message and still leave the per-chat windows unshared.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from jobs.delivery import reachability
from jobs.delivery.messages import Message
from jobs.delivery.outbox_lane import OutboxLane
from jobs.delivery.outcomes import (
    FAILED,
    RATE_LIMITED,
    RETRIED,
    SENT,
    Outcome,
    Result,
    backoff,
)
from jobs.delivery.rate_limits import RateLimiter, RateLimits
from jobs.delivery.transport import (
    RecipientGone,
    RecipientUnreachable,
    RetryLater,
    TemporaryFailure,
    Transport,
    Undeliverable,
)
from storage.leadership import Leadership
from storage.outbox import Leased

log = logging.getLogger(__name__)

__all__ = ["FAILED", "LEASE", "RATE_LIMITED", "RETRIED", "SENT", "Deliverer", "RateLimiter",
           "RateLimits"]

#: How long a worker holds the messages it leased; renewed every second while they wait.
LEASE = dt.timedelta(seconds=10)
RENEW_EVERY = 1.0
#: Answers are written down every quarter second, or every 50 answers: a few transactions a
#: second at the limit, and few messages sent again after a ``kill -9``.
FLUSH_EVERY, FLUSH_COUNT = 0.25, 50
#: A message whose chat must wait longer than this goes back to the outbox meanwhile.
HOLD_IN_MEMORY = 5.0
#: The longest and shortest pause: upkeep (leases, answers) runs at least every second, and a
#: wait shortened to nothing by rounding still moves the clock on.
MAX_PAUSE, MIN_PAUSE = 1.0, 0.001
#: How long a lane deferring to another waits before looking again.
YIELD_PAUSE = 0.005

#: ``on_outcome(platform, what)`` hears what became of each send once it is written down:
#: :data:`SENT`, :data:`RETRIED`, :data:`RATE_LIMITED` (a 429) or :data:`FAILED` (the metrics).
OutcomeHook = Callable[[str, str], None]


def _ignore(platform: str, outcome: str) -> None:
    pass


@dataclass
class _Run:
    """One :meth:`Deliverer.deliver_due`: what it holds, what is in flight, what came back."""

    flushed_at: float  # monotonic seconds of the last write, renewal and lease
    renewed_at: float
    refilled_at: float = -math.inf
    queue: list[Leased] = field(default_factory=list)  # leased, waiting for their turn
    in_flight: dict[asyncio.Task[None], Leased] = field(default_factory=dict)
    answers: list[Outcome] = field(default_factory=list)  # not yet written down
    hand_back: dict[int, dt.datetime] = field(default_factory=dict)  # row id -> due again at
    # Chats whose message must be tried again (-> when): the chat's next ones wait behind it.
    retrying: dict[str, dt.datetime] = field(default_factory=dict)
    sent: int = 0
    more_due: bool = True  # the last lease was full: more may be due right now
    lost: bool = False  # another process leads now

    def held(self) -> set[int]:
        return {row.id for row in self.queue} | {row.id for row in self.in_flight.values()}


class Deliverer:
    """Sends due outbox rows for one messenger, several at a time, within its limits.

    ``replies`` True makes it the reply lane: it sends only replies, the oldest of each chat at
    a time and several chats at once, so an answer never waits behind a batch of reminders;
    False sends everything but replies; None everything. Lanes of one messenger share one
    ``limiter``, so together they keep its limits; the lane that made it counts, on taking
    over, what was sent lately.
    """

    def __init__(
        self,
        engine: Engine,
        transport: Transport,
        *,
        now: Callable[[], dt.datetime],
        limits: RateLimits | None = None,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        batch_size: int | None = None,
        concurrency: int = 8,
        leadership: Leadership | None = None,
        rng: random.Random | None = None,
        on_outcome: OutcomeHook = _ignore,
        replies: bool | None = None,
        limiter: RateLimiter | None = None,
        defer_to: Deliverer | None = None,
    ) -> None:
        self.engine = engine
        self.transport = transport
        self.now = now
        limits = limits or RateLimits()
        self.replies = replies
        self.outbox = OutboxLane(engine, transport.platform, replies,
                                 transport.capabilities.brand)
        self.limiter = limiter or RateLimiter(limits, transport.capabilities.is_group)
        self._counts_takeover = limiter is None
        # A lane that goes first (the replies): while it holds a message that may go, this
        # one leaves it the next slot of the bot-wide limit.
        self.defer_to = defer_to
        self._run: _Run | None = None
        self._nudged = asyncio.Event()
        self.monotonic = monotonic or asyncio.get_event_loop_policy().get_event_loop().time
        self.sleep = sleep
        # About two seconds' worth at the limit: enough to keep sending while the next
        # batch is leased, few enough to hand back quickly.
        self.batch_size = batch_size or max(20, math.ceil(2 * limits.per_second))
        self.concurrency = concurrency
        self.leadership = leadership
        self.rng = rng or random.Random()
        self.on_outcome = on_outcome
        self.role = f"deliver:{transport.platform}"
        self.stopping = False
        self._leading = False

    def stop(self) -> None:
        """Finish the messages in flight, hand the rest back, and send no more."""
        self.stopping = True
        self._nudged.set()

    def nudge(self) -> None:
        """Something new is due (a reply was queued): lease it now rather than within the
        second the upkeep takes."""
        self._nudged.set()

    def due(self) -> bool:
        """Whether a message of this deliverer's may be sent now."""
        return self.outbox.any_due(self.now())

    async def deliver_due(self) -> int:
        """Send every row due now; return how many were sent (0 when another process leads)."""
        if self.stopping or not self._lead():
            return 0
        at = self.monotonic()
        run = self._run = _Run(flushed_at=at, renewed_at=at)
        try:
            await self._drive(run)
        finally:
            self._run = None
            await self._wind_down(run)
        return run.sent

    def has_ready(self) -> bool:
        """Whether a message this deliverer holds could go now but for the bot-wide limit."""
        if self._run is None:
            return False
        at = self.monotonic()
        return any(self.limiter.wait_chat(row.chat_id, at, self._requests(row)) <= 0
                   for row in self._run.queue)

    async def _drive(self, run: _Run) -> None:
        while not (self.stopping or run.lost):
            await self._upkeep(run)
            if not run.queue and not run.in_flight:
                await self._flush(run)
                if not await self._refill(run, force=True):
                    return  # nothing more is due now
                continue
            if len(run.in_flight) >= self.concurrency:
                await self._pause(run, math.inf)
                continue
            row, wait = self._next_ready(run)
            if row is not None:
                self._start(run, row)
            else:
                await self._pause(run, wait)

    # -- choosing what goes next ----------------------------------------------------------

    def _next_ready(self, run: _Run) -> tuple[Leased | None, float]:
        """A row every limit lets go now (taken off the queue), else the wait until one may.

        A row that must wait long, or behind its chat's message being retried, goes back to
        the outbox meanwhile, due when its chat is free again.
        """
        at, now = self.monotonic(), self.now()
        wait = self.limiter.wait_bot(at)
        if self.defer_to is not None and self.defer_to.has_ready():
            return None, max(wait, YIELD_PAUSE)
        if wait > 0:
            return None, wait
        best, chosen = math.inf, None
        for row in run.queue:
            retry_at = run.retrying.get(row.chat_id)
            if retry_at is not None and retry_at > now:
                run.hand_back[row.id] = retry_at
                continue
            row_wait = self.limiter.wait_for(row.chat_id, at, self._requests(row))
            if row_wait <= 0:
                chosen = row
                break
            if HOLD_IN_MEMORY < row_wait < math.inf:
                run.hand_back[row.id] = now + dt.timedelta(seconds=row_wait)
            best = min(best, row_wait)
        if run.hand_back or chosen is not None:
            run.queue = [row for row in run.queue
                         if row is not chosen and row.id not in run.hand_back]
        return chosen, 0.0 if chosen is not None else best

    def _requests(self, row: Leased) -> int:
        """How many API calls the message takes: its text's parts, and its files if sent."""
        capabilities = self.transport.capabilities
        sends = capabilities.sends_files or capabilities.files_by_url
        files = len(row.payload.get("attachments", ())) if sends else 0
        return 1 + len(row.payload.get("text", "")) // capabilities.max_text + files

    async def _pause(self, run: _Run, wait: float) -> None:
        """Until ``wait`` seconds pass, an answer comes (``inf``: until an answer) or
        :meth:`nudge` says something new is due."""
        if not run.in_flight and wait == math.inf:  # nothing to wait for but the upkeep
            wait = MAX_PAUSE
        waiting: set[asyncio.Future[Any]] = set(run.in_flight)
        if wait < math.inf:
            waiting.add(asyncio.ensure_future(self.sleep(min(max(wait, MIN_PAUSE), MAX_PAUSE))))
        nudged = asyncio.ensure_future(self._nudged.wait())
        await asyncio.wait({*waiting, nudged}, return_when=asyncio.FIRST_COMPLETED)
        for waited in (waiting - set(run.in_flight)) | {nudged}:
            waited.cancel()
        if self._nudged.is_set():
            self._nudged.clear()
            run.refilled_at = -math.inf  # the next upkeep leases what was nudged about

    # -- sending ----------------------------------------------------------------------------

    def _start(self, run: _Run, row: Leased) -> None:
        requests = self._requests(row)
        self.limiter.begin(row.chat_id, self.monotonic(), requests)
        task = asyncio.create_task(self._send(run, row, requests),
                                   name=f"send-{self.transport.platform}-{row.id}")
        run.in_flight[task] = row

    async def _send(self, run: _Run, row: Leased, requests: int) -> None:
        message = Message.from_payload(row.payload)
        try:
            message_id = await self._transmit(row, message)
            outcome = Outcome(row, Result.SENT, self.now(), message_id=message_id,
                              choices=message.choices)
        except RetryLater as error:
            outcome = self._retry(run, row, Result.LATER, str(error), error.retry_after)
        except RecipientUnreachable as error:  # the person's trouble, not the messenger's
            seconds = reachability.retry_after(row.attempts + 1).total_seconds()
            outcome = self._retry(run, row, Result.UNREACHABLE, str(error), seconds, hold=False)
        except TemporaryFailure as error:
            outcome = self._retry(run, row, Result.FAILED, str(error))
        except RecipientGone as error:
            outcome = Outcome(row, Result.GONE, self.now(), error=str(error))
        except Undeliverable as error:
            log.warning("outbox row %s refused by %s: %s", row.id, self.transport.platform, error,
                        extra={"outbox_id": row.id, "messenger": self.transport.platform})
            outcome = Outcome(row, Result.REFUSED, self.now(), error=str(error))
        except Exception as error:  # a bug in an adapter must not lose the message
            log.exception("outbox row %s: sending to %s failed", row.id, self.transport.platform)
            outcome = self._retry(run, row, Result.FAILED, repr(error))
        finally:
            self.limiter.end(row.chat_id, self.monotonic(), requests)
        run.answers.append(outcome)

    def _retry(self, run: _Run, row: Leased, result: Result, error: str,
               retry_after: float | None = None, *, hold: bool = True) -> Outcome:
        """Try ``row`` again when the messenger said, or after a backoff; its chat waits (and
        with ``hold`` the limiter keeps it free meanwhile)."""
        seconds = (retry_after if retry_after is not None
                   else backoff(row.attempts, self.rng).total_seconds())
        if hold:
            self.limiter.hold(row.chat_id, self.monotonic() + seconds)
        now = self.now()
        retry_at = now + dt.timedelta(seconds=seconds)
        run.retrying[row.chat_id] = max(retry_at, run.retrying.get(row.chat_id, retry_at))
        return Outcome(row, result, now, error=error, retry_at=retry_at)

    async def _transmit(self, row: Leased, message: Message) -> str:
        """The one call to the messenger: a new message, or a change to one sent earlier."""
        if row.kind == "edit":
            await self.transport.edit(row.chat_id, row.payload["message_id"], message)
            return row.payload["message_id"]
        return await self.transport.send(row.chat_id, message)

    # -- the outbox (read and written in a worker thread: jobs.delivery.outbox_lane)
    # -----------------

    async def _upkeep(self, run: _Run) -> None:
        """Write answers down, renew leases, hand back, lease more: each when it is time."""
        for task in [t for t in run.in_flight if t.done()]:
            del run.in_flight[task]
        at = self.monotonic()
        if len(run.answers) >= FLUSH_COUNT or (run.answers and at - run.flushed_at >= FLUSH_EVERY):
            await self._flush(run)
        if at - run.renewed_at >= RENEW_EVERY:
            await self._renew(run)
        if run.hand_back:
            due, run.hand_back = run.hand_back, {}
            await self._release(due)
        await self._refill(run, force=False)

    async def _refill(self, run: _Run, *, force: bool) -> bool:
        """Lease more when the queue runs low; returns whether any came."""
        at = self.monotonic()
        if run.lost or len(run.queue) > self.batch_size // 2:
            return False
        if not (force or run.more_due or at - run.refilled_at >= RENEW_EVERY):
            return False
        want, now = self.batch_size - len(run.queue), self.now()
        run.refilled_at = at
        rows = await asyncio.to_thread(self.outbox.lease, want, now, now + LEASE)
        run.more_due = len(rows) == want
        held = run.held()
        fresh = [row for row in rows if row.id not in held]
        run.queue.extend(fresh)
        return bool(fresh)

    async def _renew(self, run: _Run) -> None:
        """Keep holding what waits or is in flight; drop what was cancelled meanwhile."""
        run.renewed_at = self.monotonic()
        if not self._lead():
            run.lost = True
            return
        held, until = run.held(), self.now() + LEASE
        pending = await asyncio.to_thread(self.outbox.renew, held, until)
        run.queue = [row for row in run.queue if row.id in pending or row.id not in held]

    async def _flush(self, run: _Run) -> None:
        """Write down every answer that came back, in one transaction."""
        run.flushed_at = self.monotonic()
        if not run.answers:
            return
        answers, run.answers = run.answers, []
        try:
            recorded = await asyncio.to_thread(self.outbox.record, answers)
        except BaseException:
            run.answers[:0] = answers  # written down at the next try, or on winding down
            raise
        run.sent += recorded.count(SENT)
        for what in recorded:
            self.on_outcome(self.transport.platform, what)

    async def _release(self, due: dict[int, dt.datetime]) -> None:
        if due:
            await asyncio.to_thread(self.outbox.release, due)

    async def _wind_down(self, run: _Run) -> None:
        """Let the messages in flight finish, write everything down, hand the rest back."""
        if run.in_flight:
            await asyncio.gather(*run.in_flight, return_exceptions=True)
            run.in_flight.clear()
        await self._flush(run)
        now = self.now()
        await self._release({**{row.id: now for row in run.queue}, **run.hand_back})

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
        for chat_id, sent_at in self.outbox.recent_sends(since, LEASE):
            self.limiter.record(chat_id, at - (now - sent_at).total_seconds())
        if self.leadership is not None and self.leadership.shared:
            # The last leader may have sent a moment ago what it never got to write down.
            self.limiter.pause(at + self.limiter.settle_seconds)
