"""isobot's own web server: what people open from the chat, on ``ISOBOT_PUBLIC_URL``.

Files and charts for Zalo, upload pages and the pages of later features are parts that add
their routes to one aiohttp application. In webhook mode the webhook's server serves them
unless ``ISOBOT_WEB_LISTEN``/``ISOBOT_WEB_PORT`` give the web server a place of its own; in
long polling the web server listens alone. Health and metrics stay on their private port
(:mod:`bot.runtime.health`). Every path that carries a signed token is logged with the token
masked: a token in a log line would open the file to whoever reads the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

log = logging.getLogger(__name__)
access_log = logging.getLogger(f"{__name__}.access")

#: A part of the web server: adds its routes to the application.
WebPart = Callable[[web.Application], None]
# A signed token is long and url-safe; no ordinary path segment isobot serves looks like one.
_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_\-]{12,}\.[A-Za-z0-9_\-]{12,}")
MASK = "…"
#: Request bodies: the webhooks' JSON; an upload page raises its own limit.
CLIENT_MAX_SIZE = 1024 * 1024


def masked(path: str) -> str:
    """``path`` with every signed token in it replaced by "…"."""
    return _TOKEN.sub(MASK, path)


class MaskedAccessLogger(AbstractAccessLogger):
    """aiohttp's access log, one line a request, tokens masked."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.1f ms", request.method, masked(request.path),
                         response.status, time * 1000)


def application(parts: Iterable[WebPart], max_size: int = CLIENT_MAX_SIZE) -> web.Application:
    """One application serving ``parts``."""
    app = web.Application(client_max_size=max_size)
    for add_routes in parts:
        add_routes(app)
    return app


@dataclass
class WebSites:
    """The servers ``isobot run`` listens with, stopped together."""

    runners: list[web.AppRunner] = field(default_factory=list)

    async def listen(self, app: web.Application, host: str, port: int) -> None:
        """Serve ``app`` at ``host``:``port``."""
        runner = web.AppRunner(app, access_log_class=MaskedAccessLogger, access_log=access_log)
        await runner.setup()
        self.runners.append(runner)
        await web.TCPSite(runner, host, port).start()

    async def stop(self) -> None:
        """Stop listening; requests under way are finished first."""
        for runner in reversed(self.runners):
            await runner.cleanup()
        self.runners.clear()
