"""How long ``isobot backup`` takes on a province-sized SQLite database, against a plain copy.

Builds a synthetic database (by default 50,000 units, an officer each, four quarterly reports a
unit with half of them logged, a sent reminder for each), then times the online backup beside
``shutil.copyfile`` of the same file (the floor: the bytes must be read and written once), and
the backup again while a writer keeps committing, with that writer's slowest commit.

Prints figures; asserts nothing. Run: .venv/bin/python bench/backup.py [--units N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import insert, text, update

from storage.backup import backup_database
from storage.db import make_engine, upgrade
from storage.models import Event, Member, Obligation, Outbox, Unit

MOMENT = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)
CHUNK = 10_000


def _chunks(rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build(path: Path, units: int) -> None:
    """A migrated database holding a synthetic province of ``units`` units."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    quarters = [(f"2026-Q{q}", dt.date(2026, 3 * q, 28)) for q in range(1, 5)]
    tables = [
        (Unit, ({"id": i, "code": f"U{i:06d}", "name": f"UBND xã Thử số {i}", "kind": "commune",
                 "parent_id": None, "active": True, "created_at": MOMENT}
                for i in range(1, units + 1))),
        (Member, ({"id": i, "unit_id": i, "role": "officer", "platform": "telegram",
                   "platform_user_id": str(10_000_000 + i), "chat_id": str(10_000_000 + i),
                   "display_name": f"Cán bộ {i}", "language": "vi", "active": True,
                   "joined_at": MOMENT, "receives_reminders": True}
                  for i in range(1, units + 1))),
        (Obligation, ({"id": 4 * (i - 1) + q + 1, "unit_id": i, "duty_key": "quarterly_report",
                       "period": period, "due": due, "status": "done" if q < 2 else "open",
                       "source": "catalog", "created_at": MOMENT}
                      for i in range(1, units + 1) for q, (period, due) in enumerate(quarters))),
        (Event, ({"id": 2 * (i - 1) + q + 1, "reference": f"BC-{i:06d}-{q}",
                  "obligation_id": 4 * (i - 1) + q + 1, "unit_id": i, "member_id": i,
                  "actor": f"telegram:{10_000_000 + i}", "at": MOMENT, "kind": "submitted",
                  "document_number": f"{i}/BC-UBND", "note": "Báo cáo quý"}
                 for i in range(1, units + 1) for q in range(2))),
        (Outbox, ({"id": 4 * (i - 1) + q + 1, "unique_key": f"r:{i}:{q}", "member_id": i,
                   "platform": "telegram", "chat_id": str(10_000_000 + i), "kind": "reminder",
                   "obligation_id": 4 * (i - 1) + q + 1, "state": "sent", "attempts": 1,
                   "payload": {"text": "Kính gửi UBND xã: đề nghị nộp báo cáo quý, hạn chót "
                                       "28/03/2026.", "choices": [["done", "Đã nộp"]]},
                   "next_attempt_at": MOMENT, "created_at": MOMENT, "sent_at": MOMENT}
                  for i in range(1, units + 1) for q in range(4))),
    ]
    with engine.begin() as conn:
        for model, rows in tables:
            for chunk in _chunks(rows):
                conn.execute(insert(model.__table__), chunk)
    with engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    engine.dispose()


def timed(action, runs: int = 3) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def backup_under_writes(path: Path, out: Path) -> tuple[float, int, float]:
    """The backup's time while another connection commits; (seconds, commits, slowest commit)."""
    engine = make_engine(f"sqlite:///{path}")
    stop, latencies = threading.Event(), []

    def writer() -> None:
        row = 0
        while not stop.is_set():
            row = row % 1000 + 1
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(update(Outbox.__table__).where(Outbox.__table__.c.id == row)
                             .values(attempts=Outbox.__table__.c.attempts + 1))
            latencies.append(time.perf_counter() - started)

    thread = threading.Thread(target=writer)
    thread.start()
    started = time.perf_counter()
    backup_database(f"sqlite:///{path}", out)
    seconds = time.perf_counter() - started
    stop.set()
    thread.join()
    engine.dispose()
    return seconds, len(latencies), max(latencies, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=50_000)
    units = parser.parse_args().units
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        database = root / "isobot.sqlite3"
        started = time.perf_counter()
        build(database, units)
        size = database.stat().st_size / 1e6
        built = time.perf_counter() - started
        print(f"synthetic database: {units:,} units, {4 * units:,} obligations and reminders, "
              f"{2 * units:,} events, {size:.0f} MB, built in {built:.1f} s")
        outs = iter(root / f"backup-{n}.sqlite3" for n in range(100))

        def backup() -> None:
            out = next(outs)
            backup_database(f"sqlite:///{database}", out)
            out.unlink()

        def copy() -> None:
            out = next(outs)
            shutil.copyfile(database, out)
            out.unlink()

        reference = timed(copy)
        online = timed(backup)
        print(f"plain file copy (reference): median {reference:.2f} s")
        print(f"isobot backup: median {online:.2f} s ({online / reference:.1f} × the copy; "
              f"{size / online:.0f} MB/s, with quick_check)")
        seconds, commits, slowest = backup_under_writes(database, next(outs))
        print(f"isobot backup while a writer commits: {seconds:.2f} s; {commits:,} commits "
              f"meanwhile, the slowest {slowest * 1000:.0f} ms")


if __name__ == "__main__":
    main()
