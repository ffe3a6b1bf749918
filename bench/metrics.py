"""What a Prometheus scrape of ``/metrics`` and a ``/readyz`` probe cost on a big outbox.

Builds a SQLite database with a national broadcast under way (by default 10,000 members on two
messengers, 200,000 messages sent and 20,000 pending), then times the scrape (every gauge read
from the database, every counter written out), the readiness probe's new connection, and as the
reference the bare count of pending messages (``ix_outbox_due`` answers it) in the same run.

Prints medians; asserts nothing. Run: .venv/bin/python bench/metrics.py [--pending N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, text

from bot.runtime.metrics import Metrics
from storage.db import make_engine, upgrade
from storage.models import Member, Outbox, Unit
from storage.monitoring import probe_database

NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
PLATFORMS = ("telegram", "zalo")


def build(path: Path, members: int, sent: int, pending: int):
    """A migrated database: one unit, ``members`` officers, the outbox of a broadcast."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(insert(Unit), [{"id": 1, "code": "U", "name": "UBND tỉnh Thử",
                                           "kind": "province", "active": True,
                                           "created_at": NOW}])
        connection.execute(insert(Member), [
            {"id": i, "unit_id": 1, "role": "officer", "platform": PLATFORMS[i % 2],
             "platform_user_id": str(i), "chat_id": str(i), "display_name": f"Cán bộ {i}",
             "language": "vi", "active": True, "joined_at": NOW, "receives_reminders": True}
            for i in range(1, members + 1)])
        for start in range(0, sent + pending, 20_000):
            connection.execute(insert(Outbox), [
                {"unique_key": f"k{n}", "member_id": n % members + 1,
                 "platform": PLATFORMS[(n % members + 1) % 2], "chat_id": str(n % members + 1),
                 "kind": "reminder", "payload": {"text": "Kính gửi"},
                 "state": "sent" if n < sent else "pending", "attempts": int(n < sent),
                 "next_attempt_at": NOW - dt.timedelta(seconds=n % 600), "created_at": NOW}
                for n in range(start, min(start + 20_000, sent + pending))])
    return engine


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--sent", type=int, default=200_000)
    parser.add_argument("--pending", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = build(Path(folder) / "bench.sqlite3", args.members, args.sent, args.pending)
        metrics = Metrics(engine, lambda: NOW, PLATFORMS)

        def count() -> None:
            with engine.connect() as connection:
                connection.execute(text(
                    "SELECT count(*) FROM outbox WHERE state = 'pending'")).scalar()

        reference = median_ms(count, args.runs)
        scrape = median_ms(metrics.exposition, args.runs)
        probe = median_ms(lambda: probe_database(engine, timeout=3), args.runs)
        size = len(metrics.exposition()[0])
        engine.dispose()
    print(f"outbox: {args.sent:,} sent, {args.pending:,} pending; {args.members:,} members")
    print(f"reference  the pending messages' count: {reference:8.1f} ms (median of {args.runs})")
    print(f"/metrics   the scrape ({size:,} bytes):    {scrape:8.1f} ms  "
          f"({scrape / reference:.1f} x the reference)")
    print(f"/readyz    a new connection's probe:     {probe:8.1f} ms  "
          f"({probe / reference:.2f} x the reference)")


if __name__ == "__main__":
    main()
