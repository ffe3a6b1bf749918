"""Files a message builds when it is sent (a dossier, the year's report), built before the
message takes a slot of the messenger's limits.

A slot of the bot-wide limit is held from the send until a second after its answer: a file
built inside it (0.1-0.2 s for a report's DOCX) left that slot idle, and a burst of replies
with drafts left below the limit (``bench/burst.py``). The deliverer asks :class:`Preparing`
whether a row may go; a row whose files are still to build is built beside the sending, a few
at a time, and its chat's later messages wait behind it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from jobs.delivery.messages import Message
from jobs.delivery.morning import gathered
from storage.outbox import Taken

log = logging.getLogger(__name__)

#: What a transport offers to build a message's files ahead (``Transport.prepare``).
Prepare = Callable[[Message], Awaitable[Message]]


def builds_files(payload: dict[str, Any]) -> bool:
    """Whether the message names a file to build when it is sent."""
    return any(a.get("build") for a in payload.get("attachments", ()))


class Preparing:
    """The messages whose files are being built, or are built, by outbox row."""

    def __init__(self, prepare: Prepare | None, *, most: int) -> None:
        self.prepare = prepare
        self.most = most  # built at once at most: each holds its file in memory
        self._tasks: dict[int, asyncio.Task[Message]] = {}

    def ready(self, row: Taken) -> bool:
        """Whether ``row`` may be sent now: it builds nothing, or its files are built."""
        if self.prepare is None or not builds_files(row.payload):
            return True
        task = self._tasks.get(row.id)
        return task is not None and task.done()

    def start(self, row: Taken) -> None:
        """Build ``row``'s files, unless they are under way or enough are."""
        if self.prepare is None or not builds_files(row.payload):
            return
        if row.id not in self._tasks and len(self.under_way()) < self.most:
            message = gathered([row.payload])
            self._tasks[row.id] = asyncio.create_task(self.prepare(message),
                                                      name=f"prepare-{row.id}")

    def message(self, row: Taken) -> Message | None:
        """``row``'s message with its files built; None when it builds them as it is sent
        (nothing was built ahead, or building failed: sending tries again and says why)."""
        task = self._tasks.pop(row.id, None)
        if task is None or not task.done() or task.cancelled():
            return None
        if task.exception() is not None:
            log.warning("outbox row %s: its files could not be built ahead (%r)", row.id,
                        task.exception())
            return None
        return task.result()

    def under_way(self) -> set[asyncio.Task[Message]]:
        """The builds not finished yet (a pause ends when one does)."""
        return {task for task in self._tasks.values() if not task.done()}

    def cancel(self) -> None:
        """Forget every build: the rows not sent go back to the outbox and build again."""
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
