"""isobot's three durable queues: one vocabulary, one retry rule, each queue's numbers as data.

Work that must survive a restart waits in a table: the *inbox* (updates people sent, handled by
``bot/runtime/intake.py``), the *outbox* (messages to send, :mod:`jobs.delivery`) and the
*evidence files* on their way into the store (:mod:`jobs.evidence.store`). The three speak of
their rows in the same words, in code, in the logs and in the metrics:

- **take**: a worker takes a batch of due rows and holds them for a *lease*; if it dies, they
  come due again when the lease ends (**renew**: hold them longer while they wait);
- **finish**: the work is done (the update handled, the message sent, the file stored);
- **retry**: the try failed; the row comes due again after a pause that grows with each try;
- **park**: given up, after too many tries or at once when trying again cannot help; the row
  stays for the operator to see;
- **release**: a taken row handed back untried (the worker stops, or the row must wait).

The queries are in :mod:`storage.queue`; the rule is here, a pure function of its inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol


class Fate(StrEnum):
    """What one try at a row came to, once written down (the metrics count these)."""

    FINISHED = "finished"
    RETRIED = "retried"
    PARKED = "parked"


@dataclass(frozen=True)
class QueuePolicy:
    """How one queue holds and retries its rows.

    The pause after a failed try is exponential, ``first_pause * factor ** (tries - 1)`` up to
    ``max_pause``, shortened by up to ``jitter`` of itself ("equal jitter": M. Brooker,
    "Exponential Backoff and Jitter", AWS Architecture Blog, 2015), so that rows failing
    together (a messenger's outage) do not all come back at the same moment. How much a row's
    pause is shortened follows from its id and the try, not from a random draw: the same row
    waits the same each time, and tests see it.
    """

    name: str  # the queue's name in logs and metrics
    first_pause: dt.timedelta  # after the first failed try
    factor: float  # each next pause this many times the last
    max_pause: dt.timedelta
    max_tries: int | None  # parked once this many tries failed; None: never parked
    lease: dt.timedelta  # how long a worker holds the rows it took
    jitter: float = 0.0  # 0: every pause exact; 0.5: between half of it and all of it

    def pause(self, *, tries: int, row_id: int) -> dt.timedelta:
        """How long row ``row_id`` waits after its ``tries``-th try (1 for the first) failed."""
        growth = self.factor ** min(max(tries - 1, 0), _MAX_GROWTH)
        ceiling = min(self.max_pause.total_seconds(), self.first_pause.total_seconds() * growth)
        return dt.timedelta(seconds=ceiling * (1 - self.jitter * _spread(row_id, tries)))

    def retry_at(self, *, tries: int, row_id: int, now: dt.datetime) -> dt.datetime:
        """When row ``row_id`` is tried again after its ``tries``-th try failed at ``now``."""
        return now + self.pause(tries=tries, row_id=row_id)

    def parks(self, tries: int) -> bool:
        """Whether a row whose ``tries``-th try failed is given up rather than retried."""
        return self.max_tries is not None and tries >= self.max_tries


# Past this the pause is the longest anyway; it keeps factor ** n a float.
_MAX_GROWTH = 64


def _spread(row_id: int, tries: int) -> float:
    """A fraction in [0, 1), the same for the same row and try, scattered between rows."""
    digest = hashlib.blake2b(f"{row_id}:{tries}".encode(), digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


#: Updates people sent. A take counts as a try (an update that kills its worker is parked in the
#: end, not retaken for ever); after its first failure an update is set aside, so its chat's next
#: ones go on (``storage.inbox``), retried after at most 2, 6, 18, 54 and 162 s (4 minutes in
#: all), then parked and the person told. Held two minutes: a conversation's turn takes well
#: under that.
INBOX = QueuePolicy("inbox", first_pause=dt.timedelta(seconds=2), factor=3,
                    max_pause=dt.timedelta(hours=1), max_tries=6,
                    lease=dt.timedelta(seconds=120), jitter=0.25)

#: Messages to send. The first retry after a server error comes 2–4 s later, each next waits
#: twice as long up to an hour, so twelve tries span one to two hours of a messenger's outage.
#: A messenger's "wait N seconds" (429) is obeyed as said and not counted. Held ten seconds,
#: renewed every second while the messages wait: a killed worker's come back within seconds.
OUTBOX = QueuePolicy("outbox", first_pause=dt.timedelta(seconds=4), factor=2,
                     max_pause=dt.timedelta(hours=1), max_tries=12,
                     lease=dt.timedelta(seconds=10), jitter=0.5)

#: Files a person sent whose download from the messenger failed: tried again after 30 s, 1, 2,
#: 4 … minutes up to an hour, parked after eight tries (about two hours).
EVIDENCE_DOWNLOADS = QueuePolicy("evidence_files", first_pause=dt.timedelta(seconds=30),
                                 factor=2, max_pause=dt.timedelta(hours=1), max_tries=8,
                                 lease=dt.timedelta(minutes=5), jitter=0.25)

#: Files whose bytes the database holds, waiting for the store (the bucket or the disk is
#: away): the same pauses, never parked, since those bytes are the only copy.
EVIDENCE_STAGED = replace(EVIDENCE_DOWNLOADS, max_tries=None)


class Tally(Protocol):
    """Hears what became of each try (``bot.runtime.metrics.Metrics`` counts it)."""

    def counted(self, queue: str, messenger: str, fate: Fate) -> None:
        """One try at a row of ``queue`` for ``messenger`` came to ``fate``."""


class Untallied:
    """A tally that counts nothing, not even delivery's 429s (tests, benchmarks)."""

    def counted(self, queue: str, messenger: str, fate: Fate) -> None:
        pass

    def rate_limited(self, messenger: str) -> None:
        pass


def log_retry(logger: logging.Logger, policy: QueuePolicy, *, row_id: int, messenger: str,
              tries: int, pause: dt.timedelta, error: str,
              exc_info: BaseException | None = None) -> None:
    """Say, in the queues' words, that a row is retried and when (``exc_info``: with the
    traceback of an error nobody expected)."""
    limit = policy.max_tries or "∞"
    logger.warning("%s row %s: retry in %.0f s, try %s of %s failed: %s", policy.name, row_id,
                   pause.total_seconds(), tries, limit, error, exc_info=exc_info,
                   extra={"queue": policy.name, "row_id": row_id, "messenger": messenger,
                          "error": error})


def log_park(logger: logging.Logger, policy: QueuePolicy, *, row_id: int, messenger: str,
             reason: str, level: int = logging.WARNING,
             exc_info: BaseException | None = None) -> None:
    """Say, in the queues' words, that a row is parked and why (``exc_info``: with a
    traceback)."""
    logger.log(level, "%s row %s: parked, %s", policy.name, row_id, reason, exc_info=exc_info,
               extra={"queue": policy.name, "row_id": row_id, "messenger": messenger,
                      "error": reason})
