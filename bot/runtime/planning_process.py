"""The planning tick and the weekly digest, in a process of their own.

A national tick is seconds of Python work (the heavy tick of 50,000 units: ~10 s, and the
Monday digest as long again). In a thread of the bot it would hold the interpreter lock that
the event loop and the conversation threads need, and every reply would wait behind it
(``bench/chat_heavy_tick.py``). In a process of its own, at a lower scheduling priority, it
takes the core the chat does not need; the database keeps the two from blocking each other
(PostgreSQL's snapshots; on SQLite, its busy timeout and the tick's chunked commits).

The process is started once and keeps its :class:`~jobs.planning.planner.Planner`, whose memory
makes the steady tick cheap. If it dies (killed, out of memory) the tick fails, is logged, and the
next tick starts a new one, which starts from the memory the last committed tick stored in the
database (:mod:`jobs.planning.memory`): always correct. If the bot dies (``kill
-9``), the process ends within a moment of it (:func:`_end_with_the_bot`), and with it the
resource tracker multiprocessing started, which lives as long as a process holds its pipe.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from bot.runtime import logs
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.people.joining import remind_heads_of_unjoined
from jobs.planning.planner import Planner, PlanResult
from jobs.supervision.digest_job import Composed, queue_weekly_digest
from storage.db import make_engine, session_scope

log = logging.getLogger(__name__)

#: How much lower the planning process runs than the bot (``nice``, 0-19): the chat first.
NICENESS = 10
#: After each chunk it commits, the planning process (a thread, in tests, does not) rests
#: this many times as long as the chunk took. The database server works for it at full
#: priority, on the cores the chat needs: resting as long as it works cut the slowest
#: replies during the national heavy tick (p99 454 -> 310 ms, bench/chat_heavy_tick.py),
#: which takes 13 s instead of 7.5 s, within its 30 s; the reminders start going out after
#: the first chunk either way.
REST_PER_WORK = 1.0


@dataclass(frozen=True)
class PlanningJob:
    """What the planning process needs to know, sent to it once when it starts."""

    database_url: str
    catalog: Catalog
    calendar: WorkCalendar
    digest_at: dt.time
    digest_weekday: int
    secrets: tuple[str, ...] = ()  # kept out of its log lines, as out of the bot's
    log_format: str = "text"


class Planning:
    """Plans tick after tick and queues the weekly digest, each in its own transaction."""

    def __init__(self, job: PlanningJob, *, rest_per_work: float = 0.0) -> None:
        self.job = job
        self.engine = make_engine(job.database_url)
        self.pace = Pace(rest_per_work)
        self.planner = Planner(job.catalog, job.calendar, after_commit=self.pace.rest)
        self.digests = Composed()  # whose digest of the week was composed, this process knows

    def tick(self, now: dt.datetime) -> PlanResult:
        """Create owed obligations and queue due reminders as of ``now``."""
        self.pace.start()
        with session_scope(self.engine) as session:
            return self.planner.tick(session, now=now, commit=True)

    def queue_digest(self, now: dt.datetime) -> int:
        """Queue the weekly digest when its moment has come; how many were queued. In its own
        transaction, so a failure here never holds back the reminders. The heads of units not
        joined two weeks after their invitation are reminded first, in another."""
        try:
            with session_scope(self.engine) as session:
                remind_heads_of_unjoined(session, now=now)
        except Exception:
            log.exception("the heads of units not joined could not be reminded")
        composed = Composed(self.digests.week, set(self.digests.keys))
        try:
            with session_scope(self.engine) as session:
                queued = queue_weekly_digest(
                    session, now=now, catalog=self.job.catalog, calendar=self.job.calendar,
                    send_at=self.job.digest_at, weekday=self.job.digest_weekday,
                    composed=composed)
            self.digests = composed  # committed: those readers are served for the week
            return queued
        except Exception:
            log.exception("the weekly digest could not be queued")
            return 0


class Pace:
    """Rests ``rest_per_work`` times as long as the work since the start or the last rest."""

    def __init__(self, rest_per_work: float) -> None:
        self.rest_per_work = rest_per_work
        self._worked_since = time.perf_counter()

    def start(self) -> None:
        """Work begins (a tick): the time since the last one was rest."""
        self._worked_since = time.perf_counter()

    def rest(self) -> None:
        """Rest for the work done since :meth:`start` or the last rest."""
        time.sleep((time.perf_counter() - self._worked_since) * self.rest_per_work)
        self._worked_since = time.perf_counter()


class PlanningWorker:
    """Runs :class:`Planning` off the event loop: in a process of its own (``separate``), or in
    a thread where there is no file or server to share (an in-memory SQLite database)."""

    def __init__(self, job: PlanningJob, *, separate: bool = True) -> None:
        self.job = job
        self.separate = separate and ":memory:" not in job.database_url
        self.in_thread = None if self.separate else Planning(job)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    async def tick(self, now: dt.datetime) -> PlanResult:
        """One planning tick as of ``now``."""
        return await self._call("tick", now)

    async def queue_digest(self, now: dt.datetime) -> int:
        """The weekly digest, if due at ``now``."""
        return await self._call("queue_digest", now)

    async def _call(self, what: str, now: dt.datetime):
        if self.in_thread is not None:
            return await asyncio.to_thread(getattr(self.in_thread, what), now)
        if self._pool is None:
            # "spawn": a fresh interpreter, not a fork of this one with its threads and loop.
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start, initargs=(self.job,))
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, _run, what, now)
        except BrokenProcessPool:
            log.error("the planning process ended unexpectedly; the next tick starts another")
            self._pool.shutdown(wait=False)
            self._pool = None
            raise

    def close(self) -> None:
        """Stop the planning process (after the tick it is running, if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


# -- in the planning process ------------------------------------------------------------------

_planning: Planning | None = None


def _start(job: PlanningJob) -> None:
    global _planning
    # Ctrl+C reaches the whole process group: the bot stops this process when it has finished
    # its tick, rather than have it die half-way through one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_the_bot()
    os.nice(NICENESS)
    logs.configure(job.secrets, fmt=job.log_format)
    _planning = Planning(job, rest_per_work=REST_PER_WORK)


def _end_with_the_bot() -> None:
    """End this process as soon as the bot that started it is gone, however it ended.

    A bot killed outright (``kill -9``, the out-of-memory killer) cannot stop it, and an orphan
    would go on planning with a database session of its own. The parent's sentinel, a pipe
    whose other end only the bot holds, becomes readable when the bot ends: on every platform,
    and whichever of the bot's threads started this process (``PR_SET_PDEATHSIG`` follows the
    thread). A tick under way is cut off; its transaction is rolled back, as after any crash.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)  # no cleanup to wait for: the bot that would want it is gone

    threading.Thread(target=watch, name="end-with-the-bot", daemon=True).start()


def _run(what: str, now: dt.datetime):
    assert _planning is not None, "the planning process was not started"
    return getattr(_planning, what)(now)
