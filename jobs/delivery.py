"""Sending what the outbox holds: rate limits, retries, leases, and recipients who are gone.

A batch is *leased* (its rows get ``next_attempt_at = now + LEASE``) and committed before any
message is sent, then each message is marked sent in its own commit the moment the messenger
accepts it. A worker that dies mid-batch therefore leaves at most the one message in flight
uncertain; the rest of its lease simply comes due again. A worker that is stopped (cancelled)
finishes the message in flight, records it, and hands the rest of its lease back.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.i18n import translator
from jobs.messages import Message
from jobs.offers import remember_offer
from jobs.planner import recipients
from storage.chats import load_state, save_state
from storage.db import session_scope
from storage.models import Member, Outbox, Role, Unit
from storage.outbox import claim_due, enqueue, mark_failed, mark_retry, mark_sent

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 8

#: What became of one send, told to ``Deliverer(on_outcome=...)`` (the bot's metrics).
SENT, RETRIED, RATE_LIMITED, FAILED = "sent", "retried", "rate_limited", "failed"
OutcomeHook = Callable[[str, str], None]  # (platform, outcome)


def _ignore(platform: str, outcome: str) -> None:
    pass


class RetryLater(Exception):
    """The messenger asked us to wait (HTTP 429) ``retry_after`` seconds before this chat."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class TemporaryFailure(Exception):
    """A server error or a timeout: worth trying again later."""


class RecipientGone(Exception):
    """The person blocked the bot, deleted the account, or the chat does not exist."""


class Undeliverable(Exception):
    """The messenger refused this message for good (e.g. malformed)."""


def _private_only(chat_id: str) -> bool:
    return False


@dataclass(frozen=True)
class Capabilities:
    """What one messenger can do, and the facts about it the shared core needs.

    Each messenger package declares its own; nothing outside it spells them out.
    """

    brand: str  # the name people know the messenger by; never translated
    buttons: bool = False  # choices as buttons, else the adapter writes them as numbered lines
    edits: bool = False  # a sent message can be changed afterwards (a reminder marked done)
    sends_files: bool = False  # the bot can send files (charts, exports)
    files_by_url: bool = False  # it cannot upload, but sends a photo or a link by its URL
    deep_links: bool = False  # a link can open the chat with "/start CODE" (invites)
    max_text: int = 4096  # characters in one message
    max_file_bytes: int = 20 * 1024 * 1024  # the largest file a person may send the bot
    is_group: Callable[[str], bool] = _private_only  # whether a chat id names a group chat


class Transport(Protocol):
    """What delivery needs from a messenger adapter."""

    platform: str
    capabilities: Capabilities

    async def send(self, chat_id: str, message: Message) -> str:
        """Send ``message``; return the messenger's id of the (first) message sent."""
        ...


@dataclass(frozen=True)
class RateLimits:
    """How fast one bot may send: Telegram documents 30/s, 1/s per chat, 20/min per group."""

    per_second: float = 30.0
    per_chat_second: float = 1.0
    per_group_minute: float = 20.0


class RateLimiter:
    """Sliding-window limits over a monotonic clock; ``wait_for`` says how long to wait."""

    def __init__(self, limits: RateLimits,
                 is_group: Callable[[str], bool] = _private_only) -> None:
        self.limits = limits
        self.is_group = is_group
        self._all: collections.deque[float] = collections.deque()
        self._chat: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._held: dict[str, float] = {}

    def wait_for(self, chat_id: str, at: float) -> float:
        """Seconds to wait from ``at`` before a message to ``chat_id`` keeps every limit."""
        waits = [self._held.get(chat_id, 0.0) - at]
        waits.append(_window_wait(self._all, self.limits.per_second, 1.0, at))
        chat = self._chat[chat_id]
        if self.is_group(chat_id):
            waits.append(_window_wait(chat, self.limits.per_group_minute, 60.0, at))
        else:
            waits.append(_window_wait(chat, self.limits.per_chat_second, 1.0, at))
        return max(0.0, *waits)

    def record(self, chat_id: str, at: float) -> None:
        """Count a message sent to ``chat_id`` at ``at``."""
        self._all.append(at)
        self._chat[chat_id].append(at)

    def hold(self, chat_id: str, until: float) -> None:
        """Send nothing to ``chat_id`` before ``until`` (the messenger said so)."""
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), until)


# The server counts a message when it arrives, a little after we count it; a 5% wider window
# keeps network jitter from pushing a burst over the limit.
_MARGIN = 1.05


def _window_wait(sent: collections.deque[float], limit: float, window: float, at: float) -> float:
    window *= _MARGIN
    while sent and sent[0] <= at - window:
        sent.popleft()
    if limit <= 0 or len(sent) < limit:
        return 0.0
    return sent[-int(limit)] + window - at


class Deliverer:
    """Sends due outbox rows for one messenger."""

    def __init__(
        self,
        engine: Engine,
        transport: Transport,
        *,
        now: Callable[[], dt.datetime],
        limits: RateLimits = RateLimits(),
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        batch_size: int = 100,
        on_outcome: OutcomeHook = _ignore,
    ) -> None:
        self.engine = engine
        self.on_outcome = on_outcome
        self.transport = transport
        self.now = now
        self.limiter = RateLimiter(limits, transport.capabilities.is_group)
        self.monotonic = monotonic or asyncio.get_event_loop_policy().get_event_loop().time
        self.sleep = sleep
        self.batch_size = batch_size
        self.stopping = False

    def stop(self) -> None:
        """Finish the message in flight, hand the rest back, and send no more."""
        self.stopping = True

    async def deliver_due(self) -> int:
        """Send every row due now, batch by batch; return how many were sent."""
        sent = 0
        while not self.stopping:
            batch = self._lease()
            if not batch:
                return sent
            remaining = list(batch)
            try:
                while remaining and not self.stopping:
                    row_id = remaining[0]
                    sent += await asyncio.shield(self._deliver_one(row_id))
                    remaining.pop(0)
            finally:
                if remaining:
                    self._release(remaining)
        return sent

    def _lease(self) -> list[int]:
        now = self.now()
        with session_scope(self.engine) as session:
            rows = claim_due(session, now=now, platform=self.transport.platform,
                             limit=self.batch_size)
            for row in rows:
                row.next_attempt_at = now + LEASE
                session.add(row)
            return [row.id for row in rows]

    def _release(self, row_ids: list[int]) -> None:
        with session_scope(self.engine) as session:
            for row_id in row_ids:
                row = session.get(Outbox, row_id)
                if row is not None and row.state == "pending":
                    row.next_attempt_at = self.now()
                    session.add(row)

    async def _deliver_one(self, row_id: int) -> int:
        with session_scope(self.engine) as session:
            row = session.get(Outbox, row_id)
            if row is None or row.state != "pending":
                return 0  # cancelled while leased: the duty was done meanwhile
            chat_id, payload = row.chat_id, dict(row.payload)
        wait = self.limiter.wait_for(chat_id, self.monotonic())
        if wait > 0:
            await self.sleep(wait)
        message = Message.from_payload(payload)
        self.limiter.record(chat_id, self.monotonic())
        try:
            message_id = await self.transport.send(chat_id, message)
        except RetryLater as error:
            self.on_outcome(self.transport.platform, RATE_LIMITED)
            self.limiter.hold(chat_id, self.monotonic() + error.retry_after)
            retry_at = self.now() + dt.timedelta(seconds=error.retry_after)
            with self._row(row_id) as (session, row):
                mark_retry(session, row=row, at=retry_at, error=str(error), count_attempt=False)
            return 0
        except TemporaryFailure as error:
            with self._row(row_id) as (session, row):
                self._retry_or_fail(session, row, str(error))
            return 0
        except RecipientGone as error:
            with self._row(row_id) as (session, row):
                self._recipient_gone(session, row, str(error))
            return 0
        except Undeliverable as error:
            log.warning("outbox row %s refused by %s: %s", row_id, self.transport.platform, error,
                        extra={"outbox_id": row_id, "messenger": self.transport.platform})
            with self._row(row_id) as (session, row):
                mark_failed(session, row=row, error=str(error))
            self.on_outcome(self.transport.platform, FAILED)
            return 0
        with self._row(row_id) as (session, row):
            self._sent(session, row, message, message_id)
        self.on_outcome(self.transport.platform, SENT)
        return 1

    @contextlib.contextmanager
    def _row(self, row_id: int) -> Iterator[tuple[Session, Outbox]]:
        with session_scope(self.engine) as session:
            yield session, session.get(Outbox, row_id)

    def _sent(self, session, row: Outbox, message: Message, message_id: str) -> None:
        mark_sent(session, row=row, message_id=message_id, now=self.now())
        if message.choices:
            # Remembered so a typed "1" or "đã nộp" answers this message, on any messenger.
            member = session.get(Member, row.member_id)
            key = dict(platform=row.platform, chat_id=row.chat_id,
                       user_id=member.platform_user_id)
            state = load_state(session, **key)
            remember_offer(state, [(c.id, c.label) for c in message.choices], self.now())
            save_state(session, **key, state=state, now=self.now())

    def _retry_or_fail(self, session, row: Outbox, error: str) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            mark_failed(session, row=row, error=error)
            self.on_outcome(self.transport.platform, FAILED)
            return
        backoff = dt.timedelta(seconds=min(30 * 2 ** row.attempts, 3600))
        mark_retry(session, row=row, at=self.now() + backoff, error=error)
        self.on_outcome(self.transport.platform, RETRIED)

    def _recipient_gone(self, session, row: Outbox, error: str) -> None:
        mark_failed(session, row=row, error=error)
        self.on_outcome(self.transport.platform, FAILED)
        member = session.get(Member, row.member_id)
        if member is None or not member.active:
            return
        member.active = False
        session.add(member)
        unit = session.get(Unit, member.unit_id)
        for supervisor in recipients(session, unit=unit, role=Role.SUPERVISOR):
            if supervisor.id == member.id:
                continue
            tr = translator(supervisor.language)
            text = tr._("⚠️ isobot can no longer reach {name} ({unit}) on {platform}: the "
                        "account blocked the bot or no longer exists. Please confirm who now "
                        "keeps the unit's ISO records and ask the system operator for a new "
                        "invite code.").format(
                name=member.display_name or member.platform_user_id, unit=unit.name,
                platform=self.transport.capabilities.brand)
            enqueue(session, key=f"gone:{member.id}:{supervisor.id}", member=supervisor,
                    kind="notice", payload=Message(text).to_payload(), now=self.now())
