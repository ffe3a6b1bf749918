"""``isobot run``: the messengers, the webhook server and the scheduler in one process."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from dataclasses import dataclass, field

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application

from bot import telegram as tg
from bot import zalo as zl
from bot.conversation import Conversation
from bot.settings import Settings
from bot.zalo_client import ZaloClient, ZaloError
from jobs.calendar import WorkCalendar
from jobs.catalog import Catalog
from jobs.clock import Clock
from jobs.delivery import Deliverer, RateLimits
from jobs.digest_job import queue_weekly_digest
from jobs.planner import Planner, PlanResult
from storage.db import session_scope

log = logging.getLogger(__name__)

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ZALO_SECRET_HEADER = "X-Bot-Api-Secret-Token"
ZALO_POLL_SECONDS = 30
ZALO_MAX_BACKOFF_SECONDS = 60.0
DELIVER_EVERY_SECONDS = 2.0


@dataclass
class Runtime:
    """Everything ``isobot run`` starts, and stops again in reverse order."""

    settings: Settings
    engine: Engine
    catalog: Catalog
    clock: Clock
    telegram_limits: RateLimits = field(default_factory=RateLimits)
    zalo_limits: RateLimits | None = None  # None: from settings (zalo_messages_per_second)
    calendar: WorkCalendar = field(init=False)
    conversation: Conversation = field(init=False)
    telegram: Application | None = None
    deliverers: list[Deliverer] = field(default_factory=list)
    scheduler: AsyncIOScheduler | None = None
    web_runner: web.AppRunner | None = None
    zalo: ZaloClient | None = None
    _zalo_poller: asyncio.Task | None = None
    _zalo_handling: asyncio.Future | None = None
    planner: Planner = field(init=False)
    _plan_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _deliver_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.calendar = self.settings.work_calendar()
        self.planner = Planner(self.catalog, self.calendar)
        self.conversation = Conversation(self.engine, self.catalog, self.calendar,
                                         self.settings.language)

    @property
    def webhook_mode(self) -> bool:
        return bool(self.settings.webhook_base_url)

    async def start(self, *, schedule: bool = True) -> None:
        """Plan once, connect the messengers, and (unless told not to) start the scheduler."""
        if self.webhook_mode and not self.settings.webhook_secret:
            raise RuntimeError("WEBHOOK_SECRET must be set when WEBHOOK_BASE_URL is set")
        # Before taking any update: a tick runs beside the chat, and the first one should see
        # the outbox as the last run left it, not half-way through someone's registration.
        await self.plan_now()
        if self.settings.telegram_bot_token:
            await self._start_telegram()
        if self.webhook_mode:
            await self._start_webhook_server()
        if self.settings.zalo_bot_token:
            await self._start_zalo()  # after the server: Zalo may post at once
        await self.deliver_now()
        if not schedule:
            return
        self.scheduler = AsyncIOScheduler(timezone=self.calendar.tz)
        plan_seconds = self.clock.real_seconds(self.settings.plan_every_minutes * 60)
        self.scheduler.add_job(self.plan_now, "interval", seconds=max(plan_seconds, 1.0),
                               max_instances=1, coalesce=True, id="plan")
        self.scheduler.add_job(self.deliver_now, "interval", seconds=DELIVER_EVERY_SECONDS,
                               max_instances=1, coalesce=True, id="deliver")
        self.scheduler.start()

    async def _start_telegram(self) -> None:
        settings = self.settings
        self.telegram = tg.build_application(
            settings.telegram_bot_token.get_secret_value(),
            base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_file_base_url,
            conversation=self.conversation, now=self.clock.now, polling=not self.webhook_mode)
        await self.telegram.initialize()
        await self.telegram.start()
        bot = self.telegram.bot
        await tg.register_commands(bot, self.conversation)
        if self.webhook_mode:
            await bot.set_webhook(
                url=f"{settings.webhook_base_url.rstrip('/')}/telegram",
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=["message", "callback_query"])
        else:
            await bot.delete_webhook()
            await self.telegram.updater.start_polling(
                allowed_updates=["message", "callback_query"])
        self.deliverers.append(Deliverer(self.engine, tg.TelegramTransport(bot),
                                         now=self.clock.now, limits=self.telegram_limits))
        log.info("Telegram connected as @%s (%s)", bot.username,
                 "webhook" if self.webhook_mode else "long polling")

    async def _start_zalo(self) -> None:
        settings = self.settings
        self.zalo = ZaloClient(settings.zalo_bot_token.get_secret_value(),
                               base_url=settings.zalo_api_base_url)
        me = await self.zalo.get_me()  # a refused token stops the start, as on Telegram
        if self.webhook_mode:
            await self.zalo.set_webhook(
                url=f"{settings.webhook_base_url.rstrip('/')}/zalo",
                secret_token=settings.webhook_secret.get_secret_value())
        else:
            await self.zalo.delete_webhook()  # getUpdates answers 409 while a webhook is set
            self._zalo_poller = asyncio.create_task(self._poll_zalo(), name="zalo-poller")
        limits = self.zalo_limits or RateLimits(
            per_second=settings.zalo_messages_per_second, per_chat_second=1.0,
            per_group_minute=20.0)
        self.deliverers.append(Deliverer(self.engine, zl.ZaloTransport(self.zalo),
                                         now=self.clock.now, limits=limits))
        log.info("Zalo connected as %s (%s)", (me or {}).get("account_name"),
                 "webhook" if self.webhook_mode else "long polling")

    async def _poll_zalo(self) -> None:
        """Long-poll Zalo for updates, one at a time, until cancelled by :meth:`stop`."""
        backoff = 1.0
        while True:
            try:
                update = await self.zalo.get_updates(timeout=ZALO_POLL_SECONDS)
            except ZaloError as error:  # network, server, token: wait, then try again
                log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, ZALO_MAX_BACKOFF_SECONDS)
                continue
            backoff = 1.0
            if update is not None:
                # Shielded: stopping waits for this update's replies instead of cutting them off.
                self._zalo_handling = asyncio.ensure_future(self._on_zalo_update(update))
                await asyncio.shield(self._zalo_handling)

    async def _on_zalo_update(self, update: dict) -> bool:
        """Handle one Zalo update; False when it failed (logged)."""
        try:
            await zl.on_update(update, self.zalo, self.conversation, self.clock.now)
        except Exception:
            log.exception("a Zalo update could not be handled")
            return False
        return True

    async def _start_webhook_server(self) -> None:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/telegram", self.telegram_webhook)
        app.router.add_post("/zalo", self.zalo_webhook)
        self.web_runner = web.AppRunner(app)
        await self.web_runner.setup()
        settings = self.settings
        site = web.TCPSite(self.web_runner, settings.webhook_listen, settings.webhook_port)
        await site.start()

    async def telegram_webhook(self, request: web.Request) -> web.Response:
        """Take one update from Telegram, after checking the secret it must carry."""
        if not _secret_matches(request.headers.get(TELEGRAM_SECRET_HEADER),
                               self.settings.webhook_secret.get_secret_value()):
            return web.Response(status=403)
        if self.telegram is None:
            return web.Response(status=404)
        try:
            update = Update.de_json(await request.json(), self.telegram.bot)
        except ValueError:
            return web.Response(status=400)
        await self.telegram.process_update(update)
        return web.Response(status=200)

    async def zalo_webhook(self, request: web.Request) -> web.Response:
        """Take one update from Zalo, after checking the secret it must carry."""
        if not _secret_matches(request.headers.get(ZALO_SECRET_HEADER),
                               self.settings.webhook_secret.get_secret_value()):
            return web.Response(status=403)
        if self.zalo is None:
            return web.Response(status=404)
        try:
            update = zl.unwrap(await request.json())
        except ValueError:
            update = None
        if update is None:
            return web.Response(status=400)
        # A failure answers 500 so Zalo sends the update again; one handled already is not
        # handled twice (the conversation records every update it handles).
        return web.Response(status=200 if await self._on_zalo_update(update) else 500)

    async def plan_now(self) -> None:
        """Create owed obligations and queue due reminders as of the bot's clock."""
        async with self._plan_lock:  # one tick at a time: the planner is not shared
            now = self.clock.now()
            # Off the event loop, in its own sessions: a national tick takes seconds, and the
            # chat and the deliveries go on meanwhile.
            result = await asyncio.to_thread(self._plan, now)
            if result.messages_queued or result.obligations_created:
                log.info("planned: %s obligations created, %s messages queued",
                         result.obligations_created, result.messages_queued)
            # Charts take a moment to draw: off the event loop, so chats stay responsive.
            await asyncio.to_thread(self._queue_digest, now)

    def _plan(self, now) -> PlanResult:
        with session_scope(self.engine) as session:
            return self.planner.tick(session, now=now, commit=True)

    def _queue_digest(self, now) -> None:
        """Queue the weekly digest when its moment has come; in its own transaction, so a
        failure here never holds back the reminders."""
        try:
            with session_scope(self.engine) as session:
                queued = queue_weekly_digest(
                    session, now=now, catalog=self.catalog, calendar=self.calendar,
                    send_at=self.settings.digest_at, weekday=self.settings.digest_weekday)
        except Exception:
            log.exception("the weekly digest could not be queued")
            return
        if queued:
            log.info("weekly digest: %s messages queued", queued)

    async def deliver_now(self) -> None:
        """Send what the outbox holds for every connected messenger."""
        async with self._deliver_lock:
            for deliverer in self.deliverers:
                try:
                    await deliverer.deliver_due()
                except Exception:  # one messenger's outage must not stop the others
                    log.exception("delivery to %s failed", deliverer.transport.platform)

    async def stop(self) -> None:
        """Stop everything that was started; a delivery under way ends cleanly first."""
        for deliverer in self.deliverers:
            deliverer.stop()
        async with self._deliver_lock, self._plan_lock:
            pass  # wait for a delivery or planning run still under way
        if self.scheduler:
            # Only now: the scheduler's shutdown cancels the jobs it is running.
            self.scheduler.shutdown(wait=False)
        if self.web_runner:
            await self.web_runner.cleanup()
        if self.telegram:
            if self.telegram.updater and self.telegram.updater.running:
                await self.telegram.updater.stop()
            await self.telegram.stop()
            await self.telegram.shutdown()
        if self._zalo_poller:
            self._zalo_poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._zalo_poller
            self._zalo_poller = None
        if self._zalo_handling:
            await self._zalo_handling
        if self.zalo:
            await self.zalo.aclose()


def _secret_matches(given: str | None, expected: str) -> bool:
    # Constant-time comparison: the secret must not leak through response timing.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def run_forever(runtime: Runtime) -> None:
    """Start ``runtime`` and keep it running until Ctrl+C or SIGTERM, then stop it cleanly."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Containers stop with SIGTERM: finish the message in flight instead of dying mid-send.
        loop.add_signal_handler(sig, stopping.set)
    await runtime.start()
    try:
        await stopping.wait()
    finally:
        with contextlib.suppress(Exception):
            await runtime.stop()
