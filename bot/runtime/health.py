"""``/healthz``, ``/readyz`` and ``/metrics``: how an orchestrator and Prometheus watch isobot.

Served by ``isobot run`` on a port of their own (``ISOBOT_HEALTH_LISTEN``,
``ISOBOT_HEALTH_PORT``), in webhook and in polling mode alike, from the moment the process
starts: the webhook port faces the internet through a reverse proxy, this one should not.

- ``/healthz``: 200 whenever the process and its event loop answer (Docker's HEALTHCHECK).
- ``/readyz``: 200 when the database can be reached, every enabled messenger is connected and
  no message has waited past its time longer than ``ISOBOT_READY_OUTBOX_MINUTES``; else 503
  with a small JSON body naming what is wrong.
- ``/metrics``: :class:`bot.runtime.metrics.Metrics` in Prometheus' text format.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from aiohttp import web

from bot.runtime.metrics import waited
from storage.db import session_scope
from storage.monitoring import outbox_load, probe_database

if TYPE_CHECKING:
    from bot.runtime.run import Runtime

log = logging.getLogger(__name__)

#: How long a readiness probe waits for the database before calling it unreachable: Docker's
#: and Kubernetes' probes time out after a few seconds themselves.
DATABASE_TIMEOUT = 3.0


class HealthServer:
    """The health and metrics endpoints of one running bot."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the port it listens on (ISOBOT_HEALTH_PORT=0: any)

    async def start(self) -> None:
        """Listen on the health port; a port taken stops the start (OSError)."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        # No access log: a probe every few seconds would drown the bot's own lines.
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        settings = self.runtime.settings
        site = web.TCPSite(self._runner, settings.health_listen, settings.health_port)
        try:
            await site.start()
        except OSError:
            await self.stop()
            raise
        self.port = self._runner.addresses[0][1]
        log.info("health and metrics on http://%s:%s (/healthz, /readyz, /metrics)",
                 settings.health_listen, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, request: web.Request) -> web.Response:
        """Answering at all shows the process and its event loop are alive."""
        return web.json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        """200 when the bot can do its work, else 503 naming what stops it."""
        problems = await self.problems()
        if problems:
            log.warning("not ready: %s", "; ".join(f"{k}: {v}" for k, v in problems.items()))
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def metrics(self, request: web.Request) -> web.Response:
        """The metrics; read off the event loop, since the gauges query the database."""
        body, content_type = await asyncio.to_thread(self.runtime.metrics.exposition,
                                                     request.headers.get("Accept", ""))
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def problems(self) -> dict[str, str]:
        """What keeps the bot from its work, by what it concerns; empty when nothing does."""
        problems = {name: "not connected" for name in self._disconnected()}
        try:
            await asyncio.wait_for(asyncio.to_thread(
                probe_database, self.runtime.engine, timeout=DATABASE_TIMEOUT),
                DATABASE_TIMEOUT + 1)
            late = await asyncio.to_thread(self._late_messengers)
        except Exception as error:  # whatever the driver raises: the database is not usable
            log.warning("readiness: the database cannot be reached (%s: %s)",
                        type(error).__name__, str(error).splitlines()[0] if str(error) else "")
            problems["database"] = "cannot be reached"
            return problems
        if late:
            problems["outbox"] = "; ".join(late)
        return problems

    def _disconnected(self) -> list[str]:
        """The enabled messengers that are not connected (yet, or any more)."""
        runtime = self.runtime
        names = []
        for messenger in runtime.messengers:
            if not messenger.enabled(runtime.settings):
                continue
            connection = runtime.connections.get(messenger.name)
            # A plug-in that cannot tell is connected once it is open.
            connected = getattr(connection, "connected", lambda: True)
            if connection is None or not connected():
                names.append(messenger.name)
        return names

    def _late_messengers(self) -> list[str]:
        """For each connected messenger whose oldest due message has waited too long: how long.

        A messenger that is not enabled is left out: its messages wait for it by design.
        """
        runtime = self.runtime
        now = runtime.clock.now()
        limit = runtime.settings.ready_outbox_minutes * 60
        with session_scope(runtime.engine) as session:
            load = outbox_load(session, now=now)
        late = []
        for platform in runtime.connections:
            seconds = waited(load[platform].oldest_due, now) if platform in load else 0.0
            if seconds > limit:
                late.append(f"{platform}: a message has waited {round(seconds)} s past its "
                            f"time (limit {round(limit)} s)")
        return late
