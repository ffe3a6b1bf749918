"""Post many fuzzed updates to a running bot's webhooks (both messengers) and count the harm.

The suite's fuzz test (tests/integration/test_webhook_fuzz.py) posts 300; this posts as many
as asked (10,000 by default), drawn by hypothesis from the same strategies with a fixed seed,
on SQLite or on a PostgreSQL server. Prints: HTTP answers, updates kept against updates that
were usable, updates parked, exceptions logged, and whether a person is answered afterwards.
Run: .venv/bin/python scripts/fuzz_webhook.py [--count 10000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from jobs.calendar.workdays import VIETNAM  # noqa: E402
from jobs.catalog import load_catalog  # noqa: E402
from jobs.text.i18n import translator  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from tests.support import fuzz  # noqa: E402
from tests.support.telegram import load_sample_units  # noqa: E402
from tests.support.zalo import start_zalo_harness  # noqa: E402

SECRET = "fuzzing-secret-9d2a"


def drawn(count: int, at_seed: int) -> list[fuzz.Posted]:
    found: list[fuzz.Posted] = []

    @seed(at_seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(fuzz.postings)
    def collect(example: fuzz.Posted) -> None:
        found.append(example)

    collect()
    return found


def database(folder: str, postgres: str | None) -> str:
    if postgres is None:
        url = f"sqlite:///{folder}/fuzz.sqlite3"
    else:
        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "isobot_fuzz" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "isobot_fuzz"'))
        admin.dispose()
        url = postgres.rsplit("/", 1)[0] + "/isobot_fuzz"
    upgrade(make_engine(url))
    return url


async def main(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    examples = drawn(args.count, args.seed)
    usable = sum(e.usable for e in examples)
    print(f"{len(examples)} bodies drawn ({usable} usable updates) in "
          f"{time.perf_counter() - began:.0f} s", flush=True)
    errors = fuzz.ErrorRecords()
    logging.getLogger().addHandler(errors)
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database(folder, args.postgres))
        load_sample_units(engine, dt.datetime(2026, 11, 30, 7, 0, tzinfo=VIETNAM))
        port = fuzz_port()
        bot = await start_zalo_harness(
            engine, load_catalog(), dt.datetime(2026, 11, 30, 9, 0, tzinfo=VIETNAM),
            telegram=True, webhook_base_url=f"http://127.0.0.1:{port}", webhook_secret=SECRET,
            webhook_listen="127.0.0.1", webhook_port=port)
        bot.telegram.add_user(fuzz.TELEGRAM_USER, "Mallory")
        bot.sandbox.add_user(fuzz.ZALO_USER, "Mallory")
        try:
            report = fuzz.Report()
            began = time.perf_counter()
            await fuzz.post_all(port, SECRET, examples, report)
            await bot.runtime.settle(timeout=600)
            seconds = time.perf_counter() - began
            stored, parked = fuzz.stored_keys(engine)
            answered = await answered_afterwards(bot)
        finally:
            await bot.stop()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{report.posted} posted to both webhooks on {backend} in {seconds:.0f} s "
          f"(all handled): HTTP answers {dict(sorted(report.statuses.items()))}; "
          f"HTTP 500: {report.server_errors}")
    print(f"updates kept: {len(stored)} of {len(report.usable)} usable; kept but not usable: "
          f"{len(stored - report.usable)}; usable but lost: {len(report.usable - stored)}; "
          f"parked: {parked}")
    print(f"exceptions or errors logged: {len(errors.records)}"
          + "".join(f"\n  {line}" for line in errors.records[:10]))
    print(f"a person answered afterwards on both messengers: {answered}")


async def answered_afterwards(bot) -> bool:
    vi = translator("vi")
    await bot.drain(fuzz.ZALO_USER)
    with contextlib.suppress(TimeoutError):
        while True:
            await bot.telegram.next_message(fuzz.TELEGRAM_USER, timeout=0)
    zalo = (await bot.say(fuzz.ZALO_USER, "/help")).startswith(vi._("isobot commands:"))
    bot.telegram.user_sends_text(fuzz.TELEGRAM_USER, "/help")
    telegram = (await bot.telegram.next_message(fuzz.TELEGRAM_USER, timeout=30))["text"]
    return zalo and telegram.startswith(vi._("isobot commands:"))


def fuzz_port() -> int:
    from tests.acceptance.test_telegram_webhook import free_port

    return free_port()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
