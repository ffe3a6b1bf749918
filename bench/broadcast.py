"""A broadcast at Telegram's limit, through the real client, against the Telegram sandbox.

3,000 messages to 2,000 people (1,000 of them get two, queued together) at Telegram's 30
messages/s, 1 per second per chat, with faults injected by the sandbox: 1 % of sends answered
429 with ``retry_after`` (3 s) and 0.3 % answered 502. The sandbox counts arrivals in sliding
windows, as Telegram does; a *limit break* is a message it had to refuse for the bot's rate.

1. One process on SQLite: a delivery worker run as ``isobot run`` runs it, every 2 s.
2. Two ``isobot run`` processes on one PostgreSQL database (subprocesses, sharing the limit).
3. The same, with the delivery leader killed (``kill -9``) half-way: the pause until the other
   process sends again, and what the kill costs.
4. ``restarts``: one ``isobot run`` on SQLite killed (``kill -9``) five times while it sends,
   each time started again at the same ``--now``: the messages sent twice, and the longest
   pause (the restart, and any wait for the dead process's leases).

Figures, the ratio to the limit: *bulk* is the rate over the middle 90 % of the arrivals (the
start and the retries at the end left out); *with the tail* runs from the first message to the
last (the retries after a 429 or a 502 included). The reference is the limit itself (30/s),
beside the bot's own ceiling with the limits and faults lifted, measured in the same run.
Medians of ``--runs`` runs.

Measured on the 2-core reference machine, shared with other work (medians of 3 runs; 31–36
429s and 6–10 502s injected in each):

    the bot's own ceiling (limits, faults off)   566 msg/s = 18.9 × the limit (241–576 seen)
    one process, SQLite                          bulk 0.978 (0.977–0.979), with the tail 0.959
                                                 (0.950–0.977); lost 0, duplicated 0, breaks 0
    two isobot run, one PostgreSQL               bulk 0.978 (0.977–0.979), with the tail 0.950
                                                 (0.949–0.977); lost 0, duplicated 0, breaks 0
    the leader killed half-way                   bulk 0.948, with the tail 0.925; lost 0,
                                                 duplicated 2 (1–8 over all runs: the sends in
                                                 flight and the answers not yet written down),
                                                 breaks 0; the other sends again after 3.0 s
    restarts (1,500 messages, 5 kills, load 8-10)    duplicated 3 (22-24 before each send was
                                                 written down as it returned), lost 0

(Before: 0.85–0.94 in bulk, 0.7 with the tail on a busy machine; two processes 2 × the limit.)
The tail is the retries after a 429 (3 s) or a 502 (2–4 s), and the runtime's 2-s delivery tick.

Run: .venv/bin/python bench/broadcast.py [--messages 3000] [--runs 3] [--postgres URL]
    [--only one|two|kill|restarts]
Without ``--postgres`` a throwaway server is started with scripts/test-postgres.sh.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from telegram import Bot

from bot.messengers.sandbox import ApiError
from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.messenger import LIMITS
from bot.messengers.telegram.sandbox import TelegramSandbox
from bot.runtime.run import DELIVER_EVERY_SECONDS
from jobs.calendar.workdays import VIETNAM
from jobs.delivery.deliverer import Deliverer, DeliveryClock, Pace, RateLimits
from jobs.delivery.messages import Message
from storage.db import make_engine, session_scope, upgrade
from storage.leadership import lock_key
from storage.models import Member
from storage.outbox import enqueue
from storage.units import unit_by_code, upsert_units

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "1:broadcast"
LIMIT = LIMITS.per_second
OFF = RateLimits(per_second=0, per_chat_second=0, per_group_minute=0)
# A Sunday night: the bot plans no reminder of its own while the broadcast runs.
QUIET = dt.datetime(2026, 12, 6, 22, 0, tzinfo=VIETNAM)


class FaultySandbox(TelegramSandbox):
    """The Telegram sandbox, failing a share of sends, noting when each message arrived."""

    def __init__(self, *, share_429: float, share_5xx: float, retry_after: int, seed: int,
                 **options) -> None:
        super().__init__(token=TOKEN, **options)
        self.share_429, self.share_5xx, self.retry_after = share_429, share_5xx, retry_after
        self.rng = random.Random(seed)
        self.taken: list[tuple[float, str]] = []  # (arrival, text)
        self.injected = collections.Counter()

    def _send_message(self, params, uploads):
        roll = self.rng.random()
        if roll < self.share_429:
            self.injected[429] += 1
            raise ApiError(429, f"Too Many Requests: retry after {self.retry_after}",
                           self.retry_after)
        if roll < self.share_429 + self.share_5xx:
            self.injected[502] += 1
            raise ApiError(502, "Bad Gateway")
        answer = super()._send_message(params, uploads)
        self.taken.append((self.clock(), str(params.get("text"))))
        return answer

    def delivered(self) -> int:
        return len({t for _, t in self.taken})


@dataclass
class Figures:
    bulk: float  # ratio to the limit
    with_tail: float
    lost: int
    duplicated: int
    breaks: int
    injected: str
    seconds: float
    gap: float = 0.0  # the longest pause between two arrivals (the failover)

    def line(self) -> str:
        gap = f", longest pause {self.gap:.1f} s" if self.gap else ""
        return (f"bulk {self.bulk:.3f} × the limit, with the tail {self.with_tail:.3f} "
                f"({self.seconds:.1f} s); lost {self.lost}, duplicated {self.duplicated}, "
                f"limit breaks {self.breaks}{gap}; injected {self.injected}")


def figures(sandbox: FaultySandbox, texts: list[str]) -> Figures:
    """What the sandbox saw, as ratios to the limit."""
    taken = sorted(sandbox.taken)
    arrivals = [at for at, _ in taken]
    first, last = round(len(arrivals) * 0.05), round(len(arrivals) * 0.95) - 1
    counts = collections.Counter(t for _, t in taken)
    return Figures(
        bulk=(last - first) / (arrivals[last] - arrivals[first]) / LIMIT,
        with_tail=(len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) / LIMIT,
        lost=sum(1 for t in texts if t not in counts),
        duplicated=sum(n - 1 for n in counts.values()),
        breaks=sandbox.rate_refusals,
        injected=f"{sandbox.injected[429]} × 429, {sandbox.injected[502]} × 502",
        seconds=arrivals[-1] - arrivals[0],
        gap=max(b - a for a, b in itertools.pairwise(arrivals)))


def seed(engine, sandbox: TelegramSandbox, count: int) -> list[str]:
    """``count`` messages: two each to the first half of the people, one to the others."""
    people = count * 2 // 3
    texts = []
    with session_scope(engine) as session:
        upsert_units(session, rows=[("B", "Đơn vị đo", "agency", None)], now=QUIET)
        unit = unit_by_code(session, code="B")
        for i in range(people):
            chat = 10_000 + i
            sandbox.add_user(chat)
            member = Member(unit_id=unit.id, role="officer", platform="telegram",
                            platform_user_id=str(chat), chat_id=str(chat), joined_at=QUIET)
            session.add(member)
            session.flush()
            for n in range(2 if i < count - people else 1):
                texts.append(f"🔔 Nhắc việc {n + 1}: báo cáo quý 4/2026 của người số {i}, "
                             f"hạn chót 15/12/2026 (còn 9 ngày).")
                enqueue(session, key=f"bench:{i}:{n}", member=member, kind="reminder",
                        now=QUIET, payload=Message(texts[-1]).to_payload())
    return texts


def sandbox_for(run: int, faults: bool, limits: bool) -> FaultySandbox:
    lifted = {} if limits else dict(global_per_second=None, private_chat_per_second=None,
                                    group_chat_per_minute=None)
    return FaultySandbox(share_429=0.01 if faults else 0, share_5xx=0.003 if faults else 0,
                         retry_after=3, seed=run, **lifted)


async def one_process(count: int, run: int, *, faults: bool = True,
                      limits: bool = True) -> Figures:
    """A delivery worker on SQLite, run every two seconds as ``isobot run`` runs it."""
    sandbox = sandbox_for(run, faults, limits)
    await sandbox.start()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        texts = seed(engine, sandbox, count)
        async with Bot(TOKEN, base_url=sandbox.base_url,
                       base_file_url=sandbox.base_file_url) as bot:
            worker = Deliverer(engine, TelegramTransport(bot), clock=DeliveryClock(_clock()),
                               pace=Pace(limits=LIMITS if limits else OFF))
            while sandbox.delivered() < len(texts):
                await worker.deliver_due()
                if sandbox.delivered() < len(texts):
                    await asyncio.sleep(DELIVER_EVERY_SECONDS)
        engine.dispose()
    await sandbox.stop()
    return figures(sandbox, texts)


def _clock():
    start, began = QUIET, time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - began)


async def two_processes(count: int, run: int, server_url: str, *, kill: bool) -> Figures:
    """Two ``isobot run`` on one PostgreSQL database; with ``kill``, the leader dies half-way."""
    sandbox = sandbox_for(run, faults=True, limits=True)
    await sandbox.start()
    name = f"isobot_broadcast_{os.getpid()}_{run}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name)
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    texts = seed(engine, sandbox, count)
    with tempfile.TemporaryDirectory() as folder:
        bots = {who: _start_bot(who, url, sandbox, Path(folder)) for who in ("a", "b")}
        try:
            await _until_delivered(sandbox, len(texts), engine, bots, kill=kill)
        finally:
            for process in bots.values():
                _stop(process)
    await sandbox.stop()
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return figures(sandbox, texts)


def _start_bot(who: str, url, sandbox: TelegramSandbox, folder: Path) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TELEGRAM_", "ZALO_", "WEBHOOK_", "ISOBOT_", "DATABASE_"))}
    if url.drivername.startswith("postgresql"):
        url = url.update_query_dict({"application_name": f"bench-{who}"})
    env.update(DATABASE_URL=url.render_as_string(hide_password=False),
               TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=sandbox.base_url,
               TELEGRAM_FILE_BASE_URL=sandbox.base_file_url,
               ISOBOT_HEALTH_PORT="0")  # two bots on one machine: each its own port
    log = (folder / f"bot-{who}.log").open("a")
    # In the temporary folder: no developer's .env is read.
    return subprocess.Popen([str(ROOT / ".venv/bin/isobot"), "run", "--now",
                             QUIET.strftime("%Y-%m-%dT%H:%M")],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)


#: How often the kill loop kills ``isobot run``.
KILLS = 5


async def kill_loop(count: int, run: int) -> Figures:
    """One ``isobot run`` on SQLite killed ``KILLS`` times while it sends, each time started
    again with the same ``--now``, as an operator rehearsing a day would."""
    sandbox = sandbox_for(run, faults=True, limits=True)
    await sandbox.start()
    with tempfile.TemporaryDirectory() as folder:
        url = make_url(f"sqlite:///{folder}/bench.sqlite3")
        engine = make_engine(url.render_as_string())
        upgrade(engine)
        texts = seed(engine, sandbox, count)
        engine.dispose()
        bot = None
        try:
            for kill in range(KILLS + 1):
                bot = _start_bot("one", url, sandbox, Path(folder))
                last = kill == KILLS
                await _until(sandbox, count if last else count * (kill + 1) // (KILLS + 2), bot)
                if not last:
                    bot.send_signal(signal.SIGKILL)
                    bot.wait()
        finally:
            if bot is not None:
                _stop(bot)
    await sandbox.stop()
    return figures(sandbox, texts)


async def _until(sandbox: FaultySandbox, delivered: int, bot: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120 + 3 * delivered / LIMIT
    while sandbox.delivered() < delivered:
        if time.monotonic() > deadline or bot.poll() is not None:
            raise RuntimeError(f"only {sandbox.delivered()} of {delivered} delivered")
        await asyncio.sleep(0.1)


async def _until_delivered(sandbox: FaultySandbox, count: int, engine, bots, *,
                           kill: bool) -> None:
    deadline = time.monotonic() + 120 + 3 * count / LIMIT
    killed = None
    while sandbox.delivered() < count:
        alive = [p for who, p in bots.items() if who != killed]
        if time.monotonic() > deadline or any(p.poll() is not None for p in alive):
            raise RuntimeError(f"only {sandbox.delivered()} of {count} delivered")
        if kill and killed is None and sandbox.delivered() >= count // 2:
            killed = _leader(engine)
            bots[killed].send_signal(signal.SIGKILL)
        await asyncio.sleep(0.2)


def _leader(engine) -> str:
    """Which bot holds the Telegram delivery role (by its connection's application name)."""
    key = lock_key("deliver:telegram") & 0xFFFF_FFFF_FFFF_FFFF
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT l.classid::bigint, l.objid::bigint, a.application_name FROM pg_locks l"
            " JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory'"))
        for high, low, application in rows:
            if (high << 32) | low == key:
                return application.removeprefix("bench-")
    raise RuntimeError("no process holds the delivery role")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _postgres(url: str | None) -> str:
    if url:
        return url
    return subprocess.run([str(ROOT / "scripts/test-postgres.sh")], check=True,
                          capture_output=True, text=True).stdout.strip()


def report(label: str, runs: list[Figures]) -> None:
    print(label, flush=True)
    for number, run in enumerate(runs, 1):
        print(f"  run {number}: {run.line()}", flush=True)
    median = statistics.median
    print(f"  median: bulk {median(r.bulk for r in runs):.3f} × the limit, with the tail "
          f"{median(r.with_tail for r in runs):.3f}; lost {median(r.lost for r in runs):g}, "
          f"duplicated {median(r.duplicated for r in runs):g}, limit breaks "
          f"{median(r.breaks for r in runs):g}, longest pause "
          f"{median(r.gap for r in runs):.1f} s", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (default: start one)")
    parser.add_argument("--only", choices=["one", "two", "kill", "restarts"], action="append")
    args = parser.parse_args(argv)
    parts = args.only or ["one", "two", "kill", "restarts"]
    count, runs = args.messages, range(1, args.runs + 1)
    if set(parts) - {"restarts"}:
        ceiling = asyncio.run(one_process(count, 0, faults=False, limits=False))
        print(f"reference: the bot's own ceiling, limits and faults lifted: "
              f"{ceiling.with_tail * LIMIT:.0f} messages/s = {ceiling.with_tail:.1f} × the "
              f"limit of {LIMIT:.0f}/s", flush=True)
    if "one" in parts:
        report(f"one process, SQLite: {count} messages at {LIMIT:.0f}/s",
               [asyncio.run(one_process(count, run)) for run in runs])
    server = _postgres(args.postgres) if {"two", "kill"} & set(parts) else None
    if "two" in parts:
        report(f"two isobot run on one PostgreSQL: {count} messages, one limit",
               [asyncio.run(two_processes(count, run, server, kill=False)) for run in runs])
    if "kill" in parts:
        report("the same, the delivery leader killed (kill -9) half-way",
               [asyncio.run(two_processes(count, run, server, kill=True)) for run in runs])
    if "restarts" in parts:
        report(f"one isobot run on SQLite killed {KILLS} times, restarted at the same --now",
               [asyncio.run(kill_loop(count, run)) for run in runs])


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main(sys.argv[1:])
