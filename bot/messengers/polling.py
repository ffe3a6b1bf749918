"""Long polling into the inbox, the same for every messenger that offers it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

#: The longest pause between two failed polls.
MAX_BACKOFF_SECONDS = 60.0


class Poller:
    """Runs ``take()`` (one long poll, storing what it brings) round after round until stopped.

    A failed round (network, server, token; the database, when storing) is tried again after a
    pause that doubles up to a minute; while rounds fail the messenger does not count as
    connected (``/readyz``).
    """

    def __init__(self, brand: str, take: Callable[[], Awaitable[None]]) -> None:
        self.brand, self.take = brand, take
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self.brand.lower()}-poller")

    @property
    def healthy(self) -> bool:
        """It runs, and its last round reached the messenger."""
        return self._task is not None and not self._task.done() and not self._failing

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = 1.0
        while True:
            try:
                await self.take()
            except Exception as error:
                self._failing = True
                log.warning("%s updates could not be taken (%s); retrying in %.0f s",
                            self.brand, error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff, self._failing = 1.0, False
