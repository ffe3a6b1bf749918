"""Chat replies while the national heavy tick runs, as issue 13 defines it.

The country of bench/plan.py (50,000 units by default, an officer each, a supervisor per
province) is imported on Friday 13 November 2026 and planned at 08:00 (its first tick, whose
reminders are taken as sent over the weekend). ``isobot run`` (webhook mode, against the
Telegram sandbox with Telegram's limits) starts on Monday 16 November at 07:59:20: its first
tick creates the day's obligations before it takes any update, as the bot running since
midnight would have. Twenty officers then ask ``/viec``, each at moments of their own (the
reply awaited, then 1-2 s to read it): after a warm-up, fifteen seconds before 08:00, through
the 08:00 tick that queues the quarter's reminders (~2 per unit), and thirty seconds while
they go out. Figures: reply latency (posted → reply at the sandbox) in each phase, beside the
phase before 08:00, and apart those behind a reminder to the same chat (which wait for its
one message a second). Prints; asserts nothing.
Run: .venv/bin/python bench/chat_heavy_tick.py [--units 50000] [--backend postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from chatting import (
    OFFICERS,
    ChatSandbox,
    bot_process,
    chat_while,
    free_port,
    ms,
    peaks_mb,
    planned,
    quantile,
)
from country import fresh_database, measured, postgres_server, register_people, write_units_file
from sqlalchemy import text
from sqlmodel import select

from jobs.calendar.workdays import VIETNAM
from storage.db import make_engine, session_scope
from storage.models import Member, Role

REGISTERED, FIRST, MONDAY = "2026-11-13T07:00", "2026-11-13T08:00", "2026-11-16T07:59:20"
CHATTERS = 20
#: Seconds of chat before the tick (the reference) and while its reminders go out.
QUIET_SECONDS, SENDING_SECONDS = 15.0, 30.0
WARM_UP_SECONDS = 3.0


def prepare(url: str, units: int, folder: str) -> list[int]:
    """The country, its first tick sent, and the chatting officers; returns every chat id."""
    units_file = write_units_file(Path(folder) / "units.csv", units)
    measured(["isobot", "units", "import", str(units_file), "--now", REGISTERED], url)
    register_people(url, dt.datetime.fromisoformat(REGISTERED).replace(tzinfo=VIETNAM))
    engine = make_engine(url)
    with engine.begin() as conn:
        # Supervisors get numeric chat ids, as Telegram's are.
        conn.execute(text("UPDATE member SET platform_user_id = CAST(10000000 + id AS TEXT), "
                          "chat_id = CAST(10000000 + id AS TEXT) WHERE role = 'supervisor'"))
    with session_scope(engine) as session:
        officers = session.exec(select(Member).where(Member.role == Role.OFFICER)
                                .order_by(Member.id)).all()
        session.add_all(Member(unit_id=officers[i * 997 % len(officers)].unit_id,
                               role=Role.OFFICER, platform="telegram",
                               platform_user_id=str(OFFICERS + i), chat_id=str(OFFICERS + i),
                               display_name=f"Cán bộ {i}", joined_at=officers[0].joined_at)
                        for i in range(CHATTERS))
    measured(["isobot", "plan", "--now", FIRST, "--json"], url)
    with engine.begin() as conn:  # the first tick's reminders went out over the weekend
        conn.execute(text("UPDATE outbox SET state = 'sent' WHERE state = 'pending'"))
        chats = [int(c) for c in conn.execute(text("SELECT DISTINCT chat_id FROM member"))
                 .scalars()]
    engine.dispose()
    return chats


async def chat_through_the_tick(url: str, chats: list[int]) -> dict[str, list[float]]:
    sandbox = ChatSandbox()
    await sandbox.start()
    for chat in chats:
        sandbox.add_user(chat)
    port, log, samples = free_port(), [], []
    try:
        async with bot_process(url, sandbox, port, MONDAY, log, plan_every_minutes=1) as bot:
            ticks = len(planned(log))
            # Not counted: the first replies after a start wait a second for what another
            # process may have sent just before (jobs/delivery/deliverer.py, taking over).
            warm = time.perf_counter() + WARM_UP_SECONDS
            await chat_while(port, sandbox, CHATTERS, [], lambda: time.perf_counter() < warm)
            before = time.perf_counter() + QUIET_SECONDS
            await chat_while(port, sandbox, CHATTERS, samples,
                             lambda: time.perf_counter() < before)
            quiet = [s.latency for s in samples]
            await chat_while(port, sandbox, CHATTERS, samples,
                             lambda: len(planned(log)) <= ticks)
            tick_end, line = planned(log)[-1]
            seconds = float(line.rsplit(" in ", 1)[1].split()[0])
            at_the_tick = peaks_mb(bot.pid)
            after = time.perf_counter() + SENDING_SECONDS
            await chat_while(port, sandbox, CHATTERS, samples,
                             lambda: time.perf_counter() < after)
            at_the_end = peaks_mb(bot.pid)  # before the processes end, and their peaks with them
    finally:
        await sandbox.stop()
    print(f"  the 08:00 tick: {line.split('planned: ', 1)[1]}")
    for what, peak in at_the_end.items():
        print(f"  peak RSS of {what}: {peak:.0f} MB ({at_the_tick.get(what, 0):.0f} MB when the "
              f"tick ended; goal ≤ 300 MB)")
    during = [s for s in samples if tick_end - seconds <= s.sent <= tick_end]
    after = [s for s in samples if s.sent > tick_end]
    return {"before 08:00 (reference)": quiet,
            "during the 08:00 tick": [s.latency for s in during],
            "… those not behind a reminder to their chat": [
                s.latency for s in during if not s.behind_reminder],
            "while its reminders go out": [s.latency for s in after],
            "… those not behind a reminder to their chat, after the tick": [
                s.latency for s in after if not s.behind_reminder]}


def report(phases: dict[str, list[float]]) -> None:
    reference = quantile(phases["before 08:00 (reference)"], 99)
    for label, values in phases.items():
        if values:
            p99 = quantile(values, 99)
            print(f"  {label}: {len(values)} replies, p50 {ms(quantile(values, 50))}, p90 "
                  f"{ms(quantile(values, 90))}, p99 {ms(p99)}, max {ms(max(values))} "
                  f"(goal: p99 250 ms; {p99 / reference:.1f}× the reference p99)")


async def main(args: argparse.Namespace) -> None:
    server = postgres_server() if args.backend == "postgresql" else None
    with tempfile.TemporaryDirectory() as folder, fresh_database(args.backend, server) as url:
        began = time.perf_counter()
        chats = prepare(url, args.units, folder)
        print(f"Chat through the heavy tick ({args.backend}, {args.units} units, "
              f"{CHATTERS} officers chatting; prepared in {time.perf_counter() - began:.0f} s):",
              flush=True)
        report(await chat_through_the_tick(url, chats))
        print("  load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=50_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
