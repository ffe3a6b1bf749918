"""The inbox's two ends: updates stored as they arrive, and workers that answer them.

The webhook (and each long poller) only reads and stores an update, then answers 200: the
platform is done with it and never waits for the bot to think. Workers take stored updates
off the event loop, several chats at once but one update at a time per chat, in the order
they came; the conversation runs in a thread and queues its replies in the outbox in the
same transaction (:mod:`bot.chat.replies`), and the reply lane sends them. The inbox is a durable
queue (:mod:`jobs.queues`, numbers in :data:`jobs.queues.INBOX`): an update whose handling fails
is set aside, the person told, and retried after a pause beside the chat's next updates, which
no longer wait for it; after the last try it is parked: kept in the inbox for the operator,
logged with its error, and the person is told again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.chat.conversation import Conversation
from bot.chat.replies import queue_apology, queue_replies
from bot.chat.turn import Inbound, Replies
from bot.messengers.base import Arrival, Connection, Messenger
from bot.runtime.uploads import upload_inbound
from jobs.calendar.clock import Clock
from jobs.queues import INBOX, Fate, Tally, Untallied, log_park, log_retry
from jobs.text.i18n import N_, translator
from storage import inbox
from storage.db import session_scope
from storage.models import Member

log = logging.getLogger(__name__)
T = TypeVar("T")

WORKERS = 4
#: How often the workers look for updates stored by another process, or due to be retried.
POLL_SECONDS = 1.0
#: Updates taken from the inbox at once for each worker: one take serves several updates.
TAKEN_PER_WORKER = 8
#: How long a worker lets the webhook go first before it handles its next update anyway.
GIVE_WAY_SECONDS = 0.1

#: Said once when an update fails and is set aside: its chat's next messages go on meanwhile.
_SET_ASIDE = N_("Sorry, isobot could not handle your last message just now. It will try again "
                "by itself; meanwhile you can go on.")
#: Said when it is given up.
_GIVEN_UP = N_("Sorry, isobot could not handle your last message. The system operator has been "
               "told; please try again later.")


@dataclass(frozen=True)
class Stored:
    """A taken inbox row, as the worker that handles it needs it."""

    id: int
    platform: str
    update_id: str
    chat_key: str
    payload: dict[str, Any]
    received_at: dt.datetime
    attempts: int  # tries, this one included


class Intake:
    """Stores updates and handles them; ``answered(platform)`` is called once replies wait,
    ``handled(platform, seconds)`` once an update is answered, that long after it arrived, and
    ``tally`` hears what became of each try."""

    def __init__(self, engine: Engine, conversation: Conversation, clock: Clock,
                 connections: Mapping[str, Connection], *, answered: Callable[[str], None],
                 handled: Callable[[str, float], None] = lambda platform, seconds: None,
                 tally: Tally | None = None, workers: int = WORKERS) -> None:
        self.engine = engine
        self.conversation = conversation
        self.clock = clock
        self.connections = connections  # live: a messenger's updates are taken once it is in
        self.answered = answered
        self.handled = handled  # (platform, seconds from arrival to answer): the metrics
        self.tally = tally or Untallied()
        self.workers = workers
        # Bot seconds per real second: retries and leases keep real time in a sped-up demo.
        self._speed = 1.0 / clock.real_seconds(1.0)
        self._db = ThreadPoolExecutor(max_workers=2, thread_name_prefix="inbox")
        self._turns = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="conversation")
        self._taken: set[int] = set()  # taken by this process: queued or being handled
        self._queue: asyncio.Queue[Stored] = asyncio.Queue()
        self._running: dict[int, asyncio.Future] = {}
        self._workers: list[asyncio.Task] = []
        self._taking = False
        self._receiving = 0  # webhook requests being answered
        self._quiet = asyncio.Event()  # set when none is
        self._to_store: list[tuple[str, list[Arrival], asyncio.Future]] = []
        self._storing: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._dispatcher: asyncio.Task | None = None

    # -- storing ------------------------------------------------------------------------------

    async def store(self, platform: str, arrivals: list[Arrival]) -> None:
        """Keep ``arrivals`` durably; raises when the database cannot take them.

        Updates that arrive while others are being written are written together next, in
        one transaction (a group commit): a busy webhook costs a commit per batch, not per
        update, and no update waits for more than the write before its own.
        """
        if not arrivals:
            return
        stored = asyncio.get_running_loop().create_future()
        self._to_store.append((platform, arrivals, stored))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting())
        await stored
        self._wake.set()

    async def _store_waiting(self) -> None:
        while self._to_store:
            batch, self._to_store = self._to_store, []
            try:
                await self._in(self._db, self._store, [(p, a) for p, a, _ in batch],
                               self.clock.now())
            except Exception as error:
                for *_, stored in batch:
                    if not stored.done():  # (a request given up meanwhile waits no more)
                        stored.set_exception(error)
            else:
                for *_, stored in batch:
                    if not stored.done():
                        stored.set_result(None)

    def _store(self, batch: list[tuple[str, list[Arrival]]], now: dt.datetime) -> None:
        with session_scope(self.engine) as session:
            for platform, arrivals in batch:
                inbox.store(session, platform=platform, now=now,
                            arrivals=[(a.update_id, a.chat_key, a.payload) for a in arrivals])

    def webhook(self, messenger: Messenger, secret: str,
                matches: Callable[[str | None, str], bool]) -> Callable[
                    [web.Request], Awaitable[web.Response]]:
        """The webhook endpoint of ``messenger``: 403 without the secret, 200 once the update
        is stored or when it is none isobot can use (logged), 500 only when it could not be
        stored, so the platform sends it again."""

        async def receive_update(request: web.Request) -> web.Response:
            if not matches(request.headers.get(messenger.secret_header), secret):
                return web.Response(status=403)
            if messenger.name not in self.connections:
                return web.Response(status=404)
            self._receiving += 1
            try:
                return web.Response(status=await self._receive(messenger, request))
            finally:
                self._receiving -= 1
                if not self._receiving:
                    self._quiet.set()

        return receive_update

    async def _receive(self, messenger: Messenger, request: web.Request) -> int:
        arrival = await _read(messenger, request)
        if arrival is None:
            return 200
        try:
            await self.store(messenger.name, [arrival])
        except Exception:
            log.exception("a %s update could not be stored; the platform will send it again",
                          messenger.name)
            return 500
        return 200

    # -- handling -----------------------------------------------------------------------------

    def start(self) -> None:
        """Handle what the inbox holds for the connected messengers, and whatever comes next."""
        self._dispatcher = asyncio.create_task(self._dispatch(), name="inbox")
        self._workers = [asyncio.create_task(self._work(), name=f"inbox-worker-{n}")
                         for n in range(self.workers)]

    def wake(self) -> None:
        """Look at the inbox now (an update was stored, or the clock moved)."""
        self._wake.set()

    async def stop(self) -> None:
        """Take no more updates from the inbox; let those under way finish, and hand back
        those taken but not begun. (Storing goes on until :meth:`close`: a long poll under way
        keeps what it took.)"""
        for task in [self._dispatcher, *self._workers]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._dispatcher, self._workers = None, []
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        waiting = [self._queue.get_nowait().id for _ in range(self._queue.qsize())]
        if waiting:
            await self._in(self._db, self._release, waiting)

    def close(self) -> None:
        """Release the threads, once nothing stores any more."""
        self._db.shutdown(wait=True)
        self._turns.shutdown(wait=True)

    async def _dispatch(self) -> None:
        """Take updates from the inbox a batch at a time (one transaction for many), each the
        oldest waiting of its chat, so the workers may handle any of them at the same time."""
        batch = self.workers * TAKEN_PER_WORKER
        while True:
            self._wake.clear()
            room = batch - len(self._taken)
            rows: list[Stored] = []
            if room > 0 and self.connections:
                self._taking = True
                try:
                    rows = await self._in(self._db, self._take, room, list(self._taken))
                except Exception as error:  # the database is away: try again shortly
                    log.warning("inbox: nothing could be taken (%s)", error)
                finally:
                    self._taking = False
            for row in rows:
                self._taken.add(row.id)
                self._queue.put_nowait(row)
            if rows and len(rows) == room:
                continue  # there may be more: take them as the workers get through these
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)

    async def _work(self) -> None:
        while True:
            row = await self._queue.get()
            # The webhook goes first: a platform waits for its 200 (and gives up, and posts
            # again), a person's reply waits in any case for the messenger's rate limit. A
            # webhook that never rests still leaves each worker an update every tenth second.
            if self._receiving:
                self._quiet.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._quiet.wait(), GIVE_WAY_SECONDS)
            # Shielded: stopping lets the update under way finish instead of cutting it off.
            self._running[row.id] = asyncio.ensure_future(self._handle(row))
            await asyncio.shield(self._running[row.id])

    def _take(self, limit: int, busy: list[int]) -> list[Stored]:
        now = self.clock.now()
        until = now + INBOX.lease * self._speed
        with session_scope(self.engine) as session:
            rows = inbox.take(session, now=now, until=until, limit=limit, busy=busy,
                              platforms=list(self.connections))
            return [Stored(r.id, r.platform, r.update_id, r.chat_key, dict(r.payload),
                           r.received_at, r.attempts) for r in rows]

    def _release(self, row_ids: list[int]) -> None:
        with session_scope(self.engine) as session:
            inbox.release(session, row_ids=row_ids, at=self.clock.now())
        log.info("inbox: released %s updates taken but not begun", len(row_ids))

    async def _handle(self, row: Stored) -> None:
        try:
            connection = self.connections[row.platform]
            uploaded = upload_inbound(row.platform, row.update_id, row.payload)
            inbound = uploaded or await connection.inbound(row.payload)
            replies = await self._in(self._turns, self._converse, row, inbound)
            if replies.messages or replies.edits:
                self.answered(row.platform)
            waited = (self.clock.now() - row.received_at).total_seconds() / self._speed
            self.handled(row.platform, max(waited, 0.0))
            self.tally.counted(INBOX.name, row.platform, Fate.FINISHED)
            if uploaded is None:
                await connection.acknowledge(row.payload, replies)
        except Exception as error:
            await self._in(self._db, self._failed, row, error)
        finally:
            self._running.pop(row.id, None)
            self._taken.discard(row.id)
            self._wake.set()
            self._progress.set()

    def _converse(self, row: Stored, inbound: Inbound | None) -> Replies:
        """Handle the update and queue its replies in one transaction that finishes the row."""
        capabilities = self.conversation.installation.messengers.get(row.platform)
        finished = []

        def answer(session: Session, cleaned: Inbound, replies: Replies) -> None:
            queue_replies(session, inbound=cleaned, replies=replies, capabilities=capabilities,
                          now=self.clock.now())
            inbox.finish(session, row_id=row.id)
            finished.append(row.id)

        replies = Replies()
        if inbound is None:
            log.warning("a %s update could not be read as a message (%s)", row.platform,
                        row.update_id)
        else:
            replies = self.conversation.handle(inbound, row.received_at, then=answer)
        if not finished:  # handled before, or not a message after all
            with session_scope(self.engine) as session:
                inbox.finish(session, row_id=row.id)
        return replies

    def _failed(self, row: Stored, error: Exception) -> None:
        """Retry the update after a pause, aside of its chat's order (the person told the
        first time), or park it after its last try and apologise."""
        if not INBOX.parks(row.attempts):
            pause = INBOX.pause(tries=row.attempts, row_id=row.id)
            log_retry(log, INBOX, row_id=row.id, tries=row.attempts, pause=pause,
                      error=repr(error), messenger=row.platform)
            with session_scope(self.engine) as session:
                set_aside = inbox.retry(session, row_id=row.id, error=repr(error),
                                        at=self.clock.now() + pause * self._speed)
                if set_aside:
                    self._tell(session, row, "aside", _SET_ASIDE)
            self.tally.counted(INBOX.name, row.platform, Fate.RETRIED)
            if set_aside:
                self.answered(row.platform)
            return
        log_park(log, INBOX, row_id=row.id, messenger=row.platform, level=logging.ERROR,
                 exc_info=error, reason=f"the {row.platform} update {row.update_id} failed "
                                     f"{row.attempts} times")
        with session_scope(self.engine) as session:
            inbox.park(session, row_id=row.id, error=repr(error))
            self._tell(session, row, "sorry", _GIVEN_UP)
        self.tally.counted(INBOX.name, row.platform, Fate.PARKED)
        self.answered(row.platform)

    def _tell(self, session: Session, row: Stored, why: str, text: str) -> None:
        """Queue ``text`` (a message id) for the chat the update came from, in its language."""
        tr = translator(_language(session, row) or self.conversation.default_language)
        queue_apology(session, platform=row.platform, chat_id=row.chat_key, why=why,
                      update_id=row.update_id, now=self.clock.now(), text=tr._(text))

    # -- for tests and benchmarks -------------------------------------------------------------

    async def settled(self) -> bool:
        """Whether nothing is being handled and nothing waits that is due now."""
        if self._taken or self._taking:
            return False
        due = await self._in(self._db, self._next_due)
        # Asked again: a take may have leased a due row (two inbox threads) while the query
        # ran, and a leased row is not due; ``_taking`` stays set until its rows are taken.
        if self._taken or self._taking:
            return False
        return due is None or due > self.clock.now()

    async def progress(self, timeout: float) -> None:
        """Wait until a worker finishes an update (or ``timeout`` seconds pass)."""
        self._progress.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._progress.wait(), timeout)

    def _next_due(self) -> dt.datetime | None:
        with session_scope(self.engine) as session:
            return inbox.next_due(session, platforms=list(self.connections))

    @staticmethod
    async def _in(pool: ThreadPoolExecutor, call: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(pool, call, *args)


async def _read(messenger: Messenger, request: web.Request) -> Arrival | None:
    """The update a request carries, or None (logged) when there is none isobot can use."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, RecursionError, web.HTTPException) as error:
        log.warning("ignored a %s webhook request that is not JSON (%s)", messenger.name,
                    type(error).__name__)
        return None
    try:
        arrival = messenger.read_update(body)
    except Exception:  # a bug in reading: answer 200 all the same, or it comes back for ever
        log.exception("a %s update could not be read", messenger.name)
        return None
    if arrival is None:
        log.warning("ignored a %s update isobot cannot use", messenger.name)
    return arrival


def _language(session: Session, row: Stored) -> str | None:
    return session.exec(select(Member.language).where(
        Member.platform == row.platform, Member.chat_id == row.chat_key)).first()
