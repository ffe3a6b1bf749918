"""Webhook intake and chat reply latency: ``isobot run`` in webhook mode, in its own process.

1. Intake. Four connections post updates as fast as they are answered: half from registered
   officers (``/viec`` or a free-text report), half from strangers (``/help``). Figures: updates
   a second and the p50/p99 latency of the 200, beside a bare aiohttp endpoint (parse the JSON,
   answer 200) measured in the same run; then how long until every update was answered (the
   replies sent to the Telegram sandbox). Goal: at least 300 updates/s, p99 at most 100 ms.
2. Chat while planning. The bot runs on the first working morning of a quarter (planning every
   minute); a few officers chat (``/viec``, each reply awaited before the next). Then a province
   of ``--units`` communes, an officer each, is imported into its database: the next tick plans
   it (the quarter's obligations, the reminders due). Figures: reply latency (message posted →
   reply at the sandbox, which keeps Telegram's limits) p50/p99 during that tick and in the
   10 s after it while its reminders go out, beside the same chat before the import.
   Goal: p99 at most 250 ms.

Processes: the bot, and this one (load, the sandbox that receives the replies). Medians of
``--runs`` runs. Prints figures; asserts nothing.
Run: .venv/bin/python bench/webhook.py [--updates 3000] [--units 2000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatting import (  # noqa: E402
    HEADER,
    OFFICERS,
    SECRET,
    TOKEN,
    Sample,
    bot_process,
    chat_while,
    free_port,
    ms,
    planned,
    quantile,
    until_answering,
    update,
)

from bot.messengers.telegram.sandbox import TelegramSandbox  # noqa: E402
from jobs.calendar.workdays import VIETNAM  # noqa: E402
from jobs.units.units_file import SAMPLE_UNITS, in_tree_order, read_units_file  # noqa: E402
from storage.db import make_engine, session_scope, upgrade  # noqa: E402
from storage.models import Member, Role  # noqa: E402
from storage.units import unit_by_code, upsert_units  # noqa: E402

CONNECTIONS = 4
STRANGERS = 900_000  # user ids (the officers': chatting.OFFICERS)
REPORT = "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026"
QUIET = "2026-12-06T20:00"  # a Sunday evening: nothing to remind
QUARTER = "2027-01-04T08:00"  # the first working morning of 2027's first quarter


# -- the database -------------------------------------------------------------------------------


def fresh_database(folder: str, postgres: str | None, name: str) -> str:
    if postgres is None:
        url = f"sqlite:///{folder}/{name}.sqlite3"
    else:
        admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = postgres.rsplit("/", 1)[0] + f"/{name}"
    upgrade(make_engine(url))
    return url


def sample_officers(url: str, count: int) -> None:
    """The sample units and ``count`` officers spread over the communes."""
    engine = make_engine(url)
    now = dt.datetime(2026, 11, 30, 7, 0, tzinfo=VIETNAM)
    rows = in_tree_order(read_units_file(SAMPLE_UNITS))
    with session_scope(engine) as session:
        upsert_units(session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in rows],
                     now=now)
        communes = [unit_by_code(session, code=r.code).id for r in rows if r.kind == "commune"]
        session.add_all(Member(unit_id=communes[i % len(communes)], role=Role.OFFICER,
                               platform="telegram", platform_user_id=str(OFFICERS + i),
                               chat_id=str(OFFICERS + i), display_name=f"Cán bộ {i}",
                               joined_at=now) for i in range(count))
    engine.dispose()


def province(url: str) -> None:
    """A province with its supervisor, to which communes are added (:func:`add_units`)."""
    engine = make_engine(url)
    now = dt.datetime(2026, 6, 1, 7, 0, tzinfo=VIETNAM)
    with session_scope(engine) as session:
        upsert_units(session, rows=[("P", "UBND tỉnh Đo", "province", None)], now=now)
        session.add(Member(unit_id=unit_by_code(session, code="P").id, role=Role.SUPERVISOR,
                           platform="telegram", platform_user_id="99", chat_id="99",
                           joined_at=now))
    engine.dispose()


def waiting(url: str) -> tuple[int, int]:
    """Updates not handled yet, and replies not sent yet."""
    engine = create_engine(url)
    with engine.connect() as conn:
        updates = conn.execute(text("SELECT count(*) FROM inbox")).scalar_one()
        replies = conn.execute(text("SELECT count(*) FROM outbox WHERE kind = 'reply' "
                                    "AND state = 'pending'")).scalar_one()
    engine.dispose()
    return updates, replies


def until_sent(url: str) -> None:
    """Wait until the outbox holds nothing due (at most two minutes)."""
    engine = create_engine(url)
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT count(*) FROM outbox WHERE state = 'pending'")
                                ).scalar_one():
                break
        time.sleep(0.5)
    engine.dispose()


# -- the servers --------------------------------------------------------------------------------


def serve_bare(port: int) -> None:
    """The reference: an aiohttp endpoint that reads the JSON and answers 200."""

    async def take(request: web.Request) -> web.Response:
        await request.json()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/telegram", take)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


@contextlib.asynccontextmanager
async def bare_process(port: int) -> AsyncIterator[None]:
    process = await asyncio.create_subprocess_exec(sys.executable, __file__, "--bare", str(port),
                                                   cwd=ROOT)
    try:
        await until_answering(port)
        yield
    finally:
        process.terminate()
        await process.wait()


# -- the load ---------------------------------------------------------------------------------


def mixed_updates(count: int, officers: int, first: int) -> list[dict]:
    """Half from officers (/viec or a free-text report), half from strangers (/help)."""
    made = []
    for n in range(first, first + count):
        if n % 2:
            user = OFFICERS + n % officers
            made.append(update(n, user, "/viec" if n % 4 == 1 else REPORT))
        else:
            made.append(update(n, STRANGERS + n % 5000, "/help"))
    return made


async def post_all(port: int, updates: list[dict]) -> tuple[float, list[float]]:
    """Post over four connections; (seconds for all, each post's latency in seconds)."""
    latencies: list[float] = []
    queue = iter(updates)
    url = f"http://127.0.0.1:{port}/telegram"
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)

    async def connection(http: aiohttp.ClientSession) -> None:
        for body in queue:
            began = time.perf_counter()
            async with http.post(url, json=body, headers={HEADER: SECRET}) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
            latencies.append(time.perf_counter() - began)

    async with aiohttp.ClientSession(connector=connector) as http:
        began = time.perf_counter()
        await asyncio.gather(*(connection(http) for _ in range(CONNECTIONS)))
        return time.perf_counter() - began, latencies


@dataclass
class Intake:
    rate: float
    p50: float
    p99: float
    handled_rate: float | None = None  # updates handled (replies queued) a second
    answered_rate: float | None = None  # ... and their replies at the sandbox


async def intake_run(url: str | None, count: int, officers: int, start_id: int) -> Intake:
    """One run against the bot (``url``), or against the bare endpoint (None)."""
    port = free_port()
    updates = mixed_updates(count, officers, start_id)
    if url is None:
        async with bare_process(port):
            await post_all(port, mixed_updates(200, officers, 1))  # warm up
            seconds, latencies = await post_all(port, updates)
        return Intake(count / seconds, quantile(latencies, 50), quantile(latencies, 99))
    sandbox = TelegramSandbox(token=TOKEN, global_per_second=None, private_chat_per_second=None)
    await sandbox.start()
    for user in itertools.chain(range(OFFICERS, OFFICERS + officers),
                                range(STRANGERS, STRANGERS + 5000)):
        sandbox.add_user(user)
    log: list[str] = []
    try:
        async with bot_process(url, sandbox, port, QUIET, log):
            await post_all(port, mixed_updates(200, officers, start_id - 1000))  # warm up
            await _until(url, lambda updates, replies: updates + replies == 0)
            began = time.perf_counter()
            seconds, latencies = await post_all(port, updates)
            await _until(url, lambda updates, replies: updates == 0)
            handled = time.perf_counter() - began
            await _until(url, lambda updates, replies: replies == 0)
            answered = time.perf_counter() - began
    finally:
        await sandbox.stop()
    return Intake(count / seconds, quantile(latencies, 50), quantile(latencies, 99),
                  count / handled, count / answered)


async def _until(url: str, done: Callable[[int, int], bool]) -> None:
    while not done(*waiting(url)):
        await asyncio.sleep(0.05)


# -- chat while planning ------------------------------------------------------------------------


@dataclass
class Chat:
    during_tick: list[float]
    during_bulk: list[float]
    quiet: list[float]
    tick: str


async def chat_run(url: str, units: int, chatters: int) -> Chat:
    """Officers chat while the bot runs; meanwhile a province of ``units`` is imported, and
    the next tick (a minute apart) plans it: the quarter's obligations and reminders."""
    port, log = free_port(), []
    samples: list[Sample] = []
    async with telegram(range(OFFICERS, OFFICERS + chatters + units)) as sandbox, \
            bot_process(url, sandbox, port, QUARTER, log, plan_every_minutes=1):
        # The chatting officers' own reminders first: each chat takes one message a second,
        # so a reply behind a reminder waits up to a second whatever else runs.
        await asyncio.to_thread(until_sent, url)
        ticks = len(planned(log))
        quiet_until = time.perf_counter() + 5.0
        await chat_while(port, sandbox, chatters, samples,
                         lambda: time.perf_counter() < quiet_until)
        quiet = [s.latency for s in samples]
        await asyncio.to_thread(add_units, url, units, chatters)
        chatting = asyncio.create_task(chat_while(
            port, sandbox, chatters, samples, lambda: len(planned(log)) <= ticks))
        await chatting
        tick_end, line = planned(log)[-1]
        seconds = float(line.rsplit(" in ", 1)[1].split()[0])
        bulk_until = time.perf_counter() + 10.0
        await chat_while(port, sandbox, chatters, samples,
                         lambda: time.perf_counter() < bulk_until)
    during = [s.latency for s in samples if tick_end - seconds <= s.sent <= tick_end]
    bulk = [s.latency for s in samples if s.sent > tick_end]
    return Chat(during, bulk, quiet, line.split("planned: ", 1)[1])


def add_units(url: str, units: int, first: int) -> None:
    """``units`` communes more under the province, each with an officer."""
    engine = make_engine(url)
    now = dt.datetime(2026, 6, 1, 7, 0, tzinfo=VIETNAM)
    rows = [(f"P-{i:05d}", f"UBND xã Đo {i}", "commune", "P") for i in range(first, first + units)]
    with session_scope(engine) as session:
        upsert_units(session, rows=rows, now=now)
        ids = {code: unit_by_code(session, code=code).id for code, *_ in rows}
        session.add_all(Member(unit_id=ids[f"P-{i:05d}"], role=Role.OFFICER,
                               platform="telegram", platform_user_id=str(OFFICERS + i),
                               chat_id=str(OFFICERS + i), joined_at=now)
                        for i in range(first, first + units))
    engine.dispose()


@contextlib.asynccontextmanager
async def telegram(users: range) -> AsyncIterator[TelegramSandbox]:
    """The sandbox with Telegram's limits (30/s, 1/s a chat) and ``users``."""
    sandbox = TelegramSandbox(token=TOKEN)
    await sandbox.start()
    for user in (*users, 99):
        sandbox.add_user(user)
    try:
        yield sandbox
    finally:
        await sandbox.stop()


# -- the report ---------------------------------------------------------------------------------


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres else "SQLite"
    with tempfile.TemporaryDirectory() as folder:
        bots, bares = [], []
        for run in range(args.runs if args.updates else 0):
            url = fresh_database(folder, args.postgres, f"bench_intake_{run}")
            sample_officers(url, args.officers)
            bares.append(await intake_run(None, args.updates, args.officers, 10_000))
            bots.append(await intake_run(url, args.updates, args.officers, 10_000 + run * 10**6))
        if not bots:  # --updates 0: the chat while planning only
            return await chat_only(folder, args, backend)
        rate = statistics.median(b.rate for b in bots)
        bare = statistics.median(b.rate for b in bares)
        print(f"Webhook intake ({backend}, {CONNECTIONS} connections, {args.updates} updates, half "
              f"from {args.officers} officers, median of {args.runs}):")
        print(f"  isobot: {rate:.0f} updates/s (goal 300: {rate / 300:.2f}×), p50 "
              f"{ms(statistics.median(b.p50 for b in bots))}, p99 "
              f"{ms(statistics.median(b.p99 for b in bots))} (goal 100 ms)")
        print(f"  bare aiohttp endpoint: {bare:.0f} updates/s, p50 "
              f"{ms(statistics.median(b.p50 for b in bares))}, p99 "
              f"{ms(statistics.median(b.p99 for b in bares))}; isobot is {rate / bare:.2f}× it")
        handled = statistics.median(b.handled_rate for b in bots)
        answered = statistics.median(b.answered_rate for b in bots)
        print(f"  handled (replies queued): {handled:.0f} updates/s; replies at the sandbox, "
              f"within Telegram's 30 messages/s: {answered:.0f}/s ({answered / 30:.2f}× 30/s)")

        await chat_only(folder, args, backend)


async def chat_only(folder: str, args: argparse.Namespace, backend: str) -> None:
    """The second part: chat replies while a heavy tick runs."""
    if args.units:
        url = fresh_database(folder, args.postgres, "bench_chat")
        province(url)
        add_units(url, args.chatters, 0)
        chat = await chat_run(url, args.units, args.chatters)
        print(f"Chat replies while planning ({backend}; {args.units} units with an officer "
              f"each imported into the running bot, whose next tick, the first of a quarter,"
              f" {chat.tick}; {args.chatters} officers chatting):")
        for label, values in (("during the tick", chat.during_tick),
                              ("while its reminders go out", chat.during_bulk),
                              ("with nothing else running (reference)", chat.quiet)):
            if values:
                print(f"  {label}: {len(values)} replies, p50 {ms(quantile(values, 50))}, "
                      f"p99 {ms(quantile(values, 99))} (goal 250 ms; "
                      f"{quantile(values, 99) / quantile(chat.quiet, 99):.1f}× quiet p99); "
                      f"slowest {', '.join(ms(v) for v in sorted(values)[-3:])}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--officers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--units", type=int, default=2000,
                        help="units of the planning part (0: skip it)")
    parser.add_argument("--chatters", type=int, default=10)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    if arguments.bare:
        serve_bare(arguments.bare)
    else:
        asyncio.run(main(arguments))
