"""isobot's metrics for Prometheus (``/metrics``, :mod:`bot.runtime.health`).

Counters and histograms the running bot keeps (what became of each try at a row of the durable
queues, in their words: finished, retried, parked; the messengers' 429 answers; how long a
planning tick and an update took), and gauges read from the database at each scrape
(the outbox per messenger, active members), so that every process sharing one PostgreSQL
database reports the same queue. Each :class:`Metrics` has a registry of its own: tests run
several bots in one process.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from jobs.queues import EVIDENCE_DOWNLOADS, INBOX, OUTBOX, Fate
from storage.db import session_scope
from storage.inbox import counts as inbox_counts
from storage.monitoring import active_members, outbox_load

log = logging.getLogger(__name__)

# The "_created" timestamp beside every counter doubles the lines and no dashboard reads it.
disable_created_metrics()

# Seconds: a tick of a few units takes milliseconds, a national one tens of seconds.
_PLAN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
# Seconds from an update's arrival to its handling: a person waits for the answer.
_UPDATE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
# The durable queues, by the name their metrics carry.
_QUEUES = (INBOX.name, OUTBOX.name, EVIDENCE_DOWNLOADS.name)


class Metrics:
    """The bot's metrics, in a registry of their own; :meth:`exposition` is the scrape."""

    def __init__(self, engine: Engine, now: Callable[[], dt.datetime],
                 platforms: Iterable[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self.platforms = tuple(platforms)

        def per_queue(fate: Fate, documentation: str) -> Counter:
            counter = Counter(f"isobot_queue_{fate}", documentation, ["queue", "messenger"],
                              registry=self.registry)
            for queue in _QUEUES:  # shown as 0 before the first event
                for platform in self.platforms:
                    counter.labels(queue, platform)
            return counter

        self._fates = {
            Fate.FINISHED: per_queue(Fate.FINISHED, (
                "Rows a durable queue is done with: an update handled (queue=inbox), a message "
                "the messenger accepted (outbox), a file in the evidence store "
                "(evidence_files).")),
            Fate.RETRIED: per_queue(Fate.RETRIED, (
                "Tries that failed for now, tried again after a pause: an update whose handling "
                "failed, a send that met a server error, a timeout or a 429 answer, a download "
                "or a store that failed.")),
            Fate.PARKED: per_queue(Fate.PARKED, (
                "Rows given up and kept for the operator: an update that failed every try, a "
                "message whose recipient is gone, that the messenger refused or that failed "
                "every try, a file that could not be downloaded.")),
        }
        self._rate_limited = Counter(
            "isobot_rate_limited", "Answers 429 (too many requests) from the messenger.",
            ["messenger"], registry=self.registry)
        for platform in self.platforms:
            self._rate_limited.labels(platform)
        self._plan_tick = Histogram("isobot_plan_tick_seconds",
                                    "How long one planning tick took.",
                                    buckets=_PLAN_BUCKETS, registry=self.registry)
        self._update_handling = Histogram(
            "isobot_update_handling_seconds",
            "From an update's arrival to the end of its handling (its replies decided).",
            ["messenger"], buckets=_UPDATE_BUCKETS, registry=self.registry)
        self.registry.register(_DatabaseGauges(engine, now, self.platforms))

    def counted(self, queue: str, messenger: str, fate: Fate) -> None:
        """One try at a row of ``queue`` for ``messenger`` came to ``fate``."""
        self._fates[fate].labels(queue, messenger).inc()

    def rate_limited(self, messenger: str) -> None:
        """``messenger`` answered 429 (the send is retried, and counted so, too)."""
        self._rate_limited.labels(messenger).inc()

    def planned(self, seconds: float) -> None:
        """One planning tick took ``seconds``."""
        self._plan_tick.observe(seconds)

    def update_handled(self, platform: str, seconds: float) -> None:
        """An update of ``platform`` was handled ``seconds`` after it arrived."""
        self._update_handling.labels(platform).observe(seconds)

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """Every metric and its content type, in the format the scraper's ``Accept`` header
        asks for (Prometheus' text format unless it asks for OpenMetrics); reads the database,
        so call it off the event loop."""
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type


class _DatabaseGauges(Collector):
    """Gauges read from the database at each scrape, so that every process reports the same."""

    def __init__(self, engine: Engine, now: Callable[[], dt.datetime],
                 platforms: tuple[str, ...]) -> None:
        self.engine, self.now, self.platforms = engine, now, platforms

    def describe(self) -> list[Metric]:
        return []  # read at scrape time only: registering must not touch the database

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("isobot_database_up",
                               "1 when this scrape could read the database, else 0.")
        now = self.now()
        try:
            with session_scope(self.engine) as session:
                load, members = outbox_load(session, now=now), active_members(session)
                updates = inbox_counts(session)
        except (SQLAlchemyError, sqlite3.Error, OSError) as error:
            log.warning("metrics: the database cannot be read (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        platforms = sorted({*self.platforms, *load, *members})
        depth = GaugeMetricFamily(
            "isobot_outbox_depth", "Messages waiting to be sent (due or not, in flight "
            "included).", labels=["messenger"])
        oldest = GaugeMetricFamily(
            "isobot_outbox_oldest_due_seconds", "How long the oldest message that is due has "
            "waited past its time (0 when none is due).", labels=["messenger"])
        active = GaugeMetricFamily(
            "isobot_members_active", "Active memberships: an account acting for a unit in a "
            "role.", labels=["messenger"])
        for platform in platforms:
            pending, due = load.get(platform, (0, None))
            depth.add_metric([platform], pending)
            oldest.add_metric([platform], waited(due, now))
            active.add_metric([platform], members.get(platform, 0))
        yield from (depth, oldest, active)
        waiting = GaugeMetricFamily(
            "isobot_inbox_depth", "Updates people sent that wait to be answered "
            "(state=pending), or were given up after failing again and again (state=parked).",
            labels=["state"])
        for state, count in sorted(updates.items()):
            waiting.add_metric([str(state)], count)
        yield waiting


def waited(due: dt.datetime | None, now: dt.datetime) -> float:
    """Seconds from ``due`` to ``now`` (0 when nothing is due)."""
    return max(0.0, (now - due).total_seconds()) if due is not None else 0.0
