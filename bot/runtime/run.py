"""``isobot run``: the messengers, the webhook server and the scheduler in one process."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hmac
import logging
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from bot.chat.conversation import Conversation
from bot.messengers import installed
from bot.messengers.base import Connection, FileTooLarge, Host, Messenger
from bot.runtime.document_inbox import DocumentInbox
from bot.runtime.health import HealthServer
from bot.runtime.installation import installation_of, mini_apps
from bot.runtime.intake import Intake
from bot.runtime.metrics import Metrics
from bot.runtime.outgoing import OutgoingFiles
from bot.runtime.planning_process import PlanningJob, PlanningWorker
from bot.runtime.supervisor_page import SupervisorPage
from bot.runtime.uploads import UploadDesk
from bot.runtime.web import WebPart, WebSites, application
from bot.settings import Settings
from jobs.calendar.clock import Clock
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.deliverer import Deliverer, DeliveryClock, Lane, Pace, RateLimits
from jobs.evidence.dossier import dossier_builder
from jobs.evidence.store import Archivist, TooLarge
from jobs.reports.annual_files import WHAT as ANNUAL_REPORT
from jobs.reports.annual_files import annual_report_builder
from storage import evidence_files, inbox, outbox, queue
from storage.db import session_scope
from storage.leadership import Leadership

log = logging.getLogger(__name__)

DELIVER_EVERY_SECONDS = 2.0
ARCHIVE_EVERY_SECONDS = 5.0
#: How often a reply lane looks for replies due again (a 429 passed, or queued by another
#: process when this one leads delivery); a reply this process queues wakes it at once.
REPLY_POLL_SECONDS = 1.0
#: Seconds a thread holds the interpreter before the event loop may take it back.
SWITCH_INTERVAL = 0.0005


@dataclass
class Runtime:
    """Everything ``isobot run`` starts, and stops again in reverse order.

    It loops over ``messengers`` (the installed ones unless told otherwise) and connects each
    that the settings enable; it knows none of them by name.
    """

    settings: Settings
    engine: Engine
    catalog: Catalog
    clock: Clock
    messengers: Sequence[Messenger] = field(default_factory=installed)
    limits: RateLimits | None = None  # None: each messenger's own; tests lift them
    calendar: WorkCalendar = field(init=False)
    conversation: Conversation = field(init=False)
    files: OutgoingFiles = field(init=False)  # bytes and links for the files sent
    archivist: Archivist = field(init=False)  # moves the files people send into the store
    uploads: UploadDesk = field(init=False)  # the pages people on Zalo send documents through
    page: SupervisorPage = field(init=False)  # the supervisors' page (/tongquan)
    documents: DocumentInbox | None = None  # ISOBOT_DOCUMENT_INBOX: directives to confirm
    metrics: Metrics = field(init=False)  # what /metrics shows (bot.runtime.health)
    connections: dict[str, Connection] = field(default_factory=dict)
    deliverers: list[Deliverer] = field(default_factory=list)
    intake: Intake = field(init=False)  # stores updates, has them answered off the event loop
    # Which jobs this process does among several sharing one PostgreSQL database.
    leadership: Leadership = field(init=False)
    scheduler: AsyncIOScheduler | None = None
    sites: WebSites = field(default_factory=WebSites)  # the webhook's and the web server
    planning: PlanningWorker = field(init=False)  # the tick and the digest, off the event loop
    _plan_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _stopping: bool = False
    _deliver_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _reply_lanes: dict[str, ReplyLane] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.calendar = self.settings.work_calendar()
        self.leadership = Leadership(self.engine)
        self.planning = PlanningWorker(PlanningJob(
            self.engine.url.render_as_string(hide_password=False), self.catalog, self.calendar,
            self.settings.digest_at, self.settings.digest_weekday,
            secrets=tuple(s.get_secret_value() for s in self.settings.secrets()),
            log_format=self.settings.log_format), separate=self.settings.planning_process)
        self.conversation = Conversation(
            self.engine, self.catalog, self.calendar, self.settings.language,
            installation_of(self.settings, self.messengers))
        self.metrics = Metrics(self.engine, self.clock.now,
                               [m.name for m in self.messengers if m.enabled(self.settings)])
        store = self.settings.evidence_store(on_altered=self.metrics.evidence_mismatch)
        self.files = OutgoingFiles(
            store, self.clock.now,
            builders={"dossier": dossier_builder(self.engine, store, self.catalog),
                      ANNUAL_REPORT: annual_report_builder(self.engine, self.catalog)},
            base_url=self.settings.public_base_url(), secret=self.settings.link_signing_key(),
            validity=dt.timedelta(days=self.settings.file_link_days))
        self.archivist = Archivist(self.engine, store, self.clock.now, download=self._download,
                                   tally=self.metrics)
        self.intake = Intake(self.engine, self.conversation, self.clock, self.connections,
                             answered=self.wake_replies, handled=self.metrics.update_handled,
                             tally=self.metrics, workers=self.settings.inbox_workers)
        self.uploads = UploadDesk(self.engine, self.clock.now, self.settings.link_signing_key(),
                                  self.conversation.installation.messengers, self.intake.store,
                                  self.wake_replies)
        self.page = SupervisorPage(self.engine, self.catalog, self.clock.now,
                                   self.conversation.installation.pages,
                                   mini_apps(self.settings, self.messengers))
        if self.settings.document_inbox is not None:
            self.documents = DocumentInbox(
                self.settings.document_inbox, self.engine, self.conversation, self.calendar,
                self.clock.now, self.wake_replies, functools.partial(self.leadership.leads,
                                                                     "documents"))

    @property
    def webhook_mode(self) -> bool:
        return bool(self.settings.webhook_base_url)

    async def start(self, *, schedule: bool = True) -> None:
        """Plan once, connect the messengers, and (unless told not to) start the scheduler."""
        if self.webhook_mode and not self.settings.webhook_secret:
            raise RuntimeError("WEBHOOK_SECRET must be set when WEBHOOK_BASE_URL is set")
        self._release_orphans()
        # Before taking any update: a tick runs beside the chat, and the first one should see
        # the outbox as the last run left it, not half-way through someone's registration.
        await self.plan_now()
        self._warn_without_public_address()
        await self._start_web()  # first: a platform may post at once
        for messenger in self.messengers:
            if messenger.enabled(self.settings):
                await self._connect(messenger)
        self.intake.start()
        await self.deliver_now()
        await self.archive_now()
        if not schedule:
            return
        self.scheduler = AsyncIOScheduler(timezone=self.calendar.tz)
        plan_seconds = self.clock.real_seconds(self.settings.plan_every_minutes * 60)
        self.scheduler.add_job(self.plan_now, "interval", seconds=max(plan_seconds, 1.0),
                               max_instances=1, coalesce=True, id="plan")
        self.scheduler.add_job(self.deliver_now, "interval", seconds=DELIVER_EVERY_SECONDS,
                               max_instances=1, coalesce=True, id="deliver")
        self.scheduler.add_job(self.archive_now, "interval", seconds=ARCHIVE_EVERY_SECONDS,
                               max_instances=1, coalesce=True, id="archive")
        if self.documents is not None:
            self.scheduler.add_job(self.documents.take_new, "interval",
                                   seconds=ARCHIVE_EVERY_SECONDS, max_instances=1,
                                   coalesce=True, id="documents")
        self.scheduler.start()

    def _release_orphans(self) -> None:
        """Make due now what a process that died held: its leases end on its clock, which may
        be far ahead of this one's (``isobot run --now`` started again at the same moment)."""
        self.leadership.present(queue.PROCESS)
        with session_scope(self.engine) as session:
            for table in (outbox.OUTBOX, inbox.INBOX, evidence_files.EVIDENCE_FILES):
                released = queue.release_orphans(session, table, now=self.clock.now(),
                                                 alive=self.leadership.alive)
                if released:
                    log.info("%s: %s rows a process that is gone held are due again",
                             table.model.__tablename__, released)

    async def _connect(self, messenger: Messenger) -> None:
        store = functools.partial(self.intake.store, messenger.name)
        connection = await messenger.connect(
            Host(self.settings, self.conversation, self.clock.now, self.files, store))
        self.connections[messenger.name] = connection  # before listening: its webhook is live
        await connection.publish_menu(self.conversation.command_menu)
        await connection.listen()
        deliverer = functools.partial(
            Deliverer, self.engine, connection.transport, clock=DeliveryClock(self.clock.now),
            pace=Pace(limits=self.limits or messenger.rate_limits(self.settings)),
            leadership=self.leadership, tally=self.metrics)
        replies = deliverer(lane=Lane(replies=True))
        # One limiter for both lanes: replies and reminders together keep the messenger's
        # limits, and a reply that may go takes the next slot.
        self.deliverers.append(deliverer(lane=Lane.beside(replies)))
        self._reply_lanes[messenger.name] = ReplyLane.start(replies)

    def wake_replies(self, platform: str) -> None:
        """Replies wait for ``platform``: send them now rather than at the next round."""
        lane = self._reply_lanes.get(platform)
        if lane is not None:
            lane.wake.set()
            lane.deliverer.nudge()  # if it is sending already, it leases the new one at once

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every stored update due now is handled and its replies sent (tests and
        benchmarks: the conversation is answered asynchronously)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.intake.wake()  # the clock may have moved: look again at what waits
        for lane in self._reply_lanes.values():
            lane.wake.set()
        while loop.time() < deadline:
            if await self.intake.settled() and all(lane.settled() for lane in
                                                   self._reply_lanes.values()):
                return
            await self.intake.progress(min(0.05, max(deadline - loop.time(), 0)))
        raise TimeoutError(f"the bot did not settle within {timeout} s")

    @property
    def web_parts(self) -> list[WebPart]:
        """What isobot's web server serves: the files it sends, the pages to send it files,
        the supervisors' page."""
        return [self.files.add_routes, self.uploads.add_routes, self.page.add_routes]

    async def _start_web(self) -> None:
        """The webhook's server, and the web server with it or on its own address."""
        settings = self.settings
        apart = settings.own_web_server()
        if self.webhook_mode:
            parts = [self._add_webhooks, *([] if apart else self.web_parts)]
            await self.sites.listen(application(parts), settings.webhook_listen,
                                    settings.webhook_port)
        if apart:
            await self.sites.listen(application(self.web_parts), *settings.web_address())

    def _add_webhooks(self, app: web.Application) -> None:
        secret = self.settings.webhook_secret.get_secret_value()
        for messenger in self.messengers:
            app.router.add_post(messenger.webhook_path,
                                self.intake.webhook(messenger, secret, _secret_matches))

    def _warn_without_public_address(self) -> None:
        """Once at start: people on a messenger that takes files only as links get none."""
        by_url = [m.name for m in self.messengers
                  if m.enabled(self.settings) and m.capabilities.files_by_url]
        if by_url and not self.files.links:
            log.warning("ISOBOT_PUBLIC_URL is not set: files, charts and upload pages cannot "
                        "reach people on %s; set it to the address of isobot's web server",
                        ", ".join(by_url))

    async def plan_now(self) -> None:
        """Create owed obligations and queue due reminders as of the bot's clock.

        One process plans (the others find the role taken and skip the tick): the outbox's
        unique keys would make a second planner harmless, but not free.
        """
        async with self._plan_lock:  # one tick at a time: the planner is not shared
            # A tick the scheduler fires while the bot stops would start a national tick
            # (and a planning process) that the stop then waits for.
            if self._stopping or not self.leadership.leads("plan"):
                return
            now = self.clock.now()
            started = time.perf_counter()
            result = await self.planning.tick(now)
            seconds = time.perf_counter() - started
            self.metrics.planned(seconds)
            if result.messages_queued or result.obligations_created:
                log.info("planned: %s obligations created, %s messages queued in %.1f s",
                         result.obligations_created, result.messages_queued, seconds)
            queued = await self.planning.queue_digest(now)
            if queued:
                log.info("weekly digest: %s messages queued", queued)

    async def deliver_now(self) -> None:
        """Send what the outbox holds for every connected messenger, side by side."""
        # Say again that this process lives: a database session lost (a restart of the server,
        # a network cut) took its presence lock with it, and another process would take this
        # one's leases for those of a dead one.
        self.leadership.present(queue.PROCESS)
        async with self._deliver_lock:
            await asyncio.gather(*(self._deliver(d) for d in self.deliverers))

    async def _deliver(self, deliverer: Deliverer) -> None:
        try:
            await deliverer.deliver_due()
        except Exception:  # one messenger's outage must not stop the others
            log.exception("delivery to %s failed", deliverer.transport.platform)

    async def archive_now(self) -> None:
        """Put the files people sent into the evidence store; fetch again what failed."""
        try:
            await self.archivist.store_due()
        except Exception:  # the store is down: the files wait in the database meanwhile
            log.exception("evidence files could not be stored")

    async def _download(self, platform: str, ref: str) -> bytes:
        """A file a person sent, from the messenger it came through."""
        connection = self.connections.get(platform)
        if connection is None:
            raise RuntimeError(f"{platform} is not connected")
        try:
            return await connection.download(ref)
        except FileTooLarge as error:
            raise TooLarge(str(error)) from None

    async def stop(self) -> None:
        """Stop everything that was started; a delivery under way ends cleanly first.

        Updates stop coming in first; those under way are answered (queued); what is still
        stored waits in the inbox for the next start.
        """
        self._stopping = True
        await self.sites.stop()
        await self.intake.stop()
        for lane in self._reply_lanes.values():
            await lane.stop()
        for deliverer in self.deliverers:
            deliverer.stop()
        async with self._deliver_lock, self._plan_lock:
            pass  # wait for a delivery or planning run still under way
        self.leadership.resign()  # another process takes over at its next tick
        await asyncio.to_thread(self.planning.close)
        if self.scheduler:
            # Only now: the scheduler's shutdown cancels the jobs it is running.
            self.scheduler.shutdown(wait=False)
        for connection in self.connections.values():
            await connection.stop()  # a long poll under way stores what it took
        self.intake.close()


@dataclass
class ReplyLane:
    """A messenger's reply lane, woken as soon as a reply is queued."""

    deliverer: Deliverer
    wake: asyncio.Event
    task: asyncio.Task | None = None
    busy: bool = False

    @classmethod
    def start(cls, deliverer: Deliverer) -> ReplyLane:
        lane = cls(deliverer, asyncio.Event())
        lane.task = asyncio.create_task(lane._run(), name=f"replies-{deliverer.transport.platform}")
        return lane

    async def _run(self) -> None:
        while not self.deliverer.stopping:
            self.wake.clear()
            self.busy = True
            try:
                await self.deliverer.deliver_due()
            except Exception:  # the messenger or the database is away: the next round retries
                log.exception("replies to %s could not be sent", self.deliverer.transport.platform)
            finally:
                self.busy = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), REPLY_POLL_SECONDS)

    def settled(self) -> bool:
        """Whether nothing is being sent and no reply waits to be."""
        return not self.busy and not self.wake.is_set() and not self.deliverer.due()

    async def stop(self) -> None:
        self.deliverer.stop()
        self.wake.set()
        if self.task:
            await self.task


def _secret_matches(given: str | None, expected: str) -> bool:
    # Constant-time comparison: the secret must not leak through response timing.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def run_forever(runtime: Runtime) -> None:
    """Start ``runtime`` and keep it running until Ctrl+C or SIGTERM, then stop it cleanly."""
    # The event loop shares the interpreter with the conversation and delivery threads. At
    # each of a reply's many socket waits it gives the interpreter lock up, and a busy thread
    # then keeps it for the switch interval (5 ms by default) before the loop gets it back:
    # at 30 messages a second plus the chat, replies took p50 247 ms instead of 45 ms
    # (bench/chat_heavy_tick.py). Shorter turns cost the threads a little throughput.
    sys.setswitchinterval(SWITCH_INTERVAL)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Containers stop with SIGTERM: finish the message in flight instead of dying mid-send.
        loop.add_signal_handler(sig, stopping.set)
    # First: /healthz answers while the bot plans and connects, /readyz says what it waits for.
    health = HealthServer(runtime)
    await health.start()
    try:
        await runtime.start()
        await stopping.wait()
    finally:
        with contextlib.suppress(Exception):
            await runtime.stop()
        await health.stop()
