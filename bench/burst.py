"""Replies to a burst: many officers write at once, as after a morning reminder.

``isobot run`` in webhook mode, in its own process, against the Telegram sandbox with
Telegram's limits (30 messages/s for the bot, 1/s a chat; it refuses, and counts, a message
over them). ``--chats`` distinct chats each post one update within a second or two, over four
connections: officers asking ``/viec`` or reporting in free text (a reply of one message) and,
one in ``--multi``, asking ``/baocao`` (a reply of two: the text, then the report's draft).
Figures: the rate the replies arrived at the sandbox, from the first to the last, over the
middle 80 %, and *while a second's worth waited* (at least 30 replies queued and not yet
arrived: delivery's own rate, whatever the rate the updates are handled at), each as a ratio to
the bot-wide limit (the reference); when the last one came after the first post, and when the
last update was handled; lost and duplicated messages (each chat's arrivals against its outbox
rows) and limit breaks. Medians of ``--runs`` runs, on SQLite and on PostgreSQL, each with the
load average after it (the machine may be shared). Prints; asserts nothing.
Run: .venv/bin/python bench/burst.py [--chats 600] [--multi 4] [--runs 3]
    [--backends sqlite,postgresql] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import collections
import itertools
import math
import os
import statistics
import time
from dataclasses import dataclass

from chatting import OFFICERS, TOKEN, bot_process, free_port, update
from country import fresh_database, postgres_server
from sqlalchemy import create_engine, text
from webhook import QUIET, REPORT, post_all, sample_officers

from bot.messengers.telegram.messenger import LIMITS
from bot.messengers.telegram.sandbox import TelegramSandbox

LIMIT = LIMITS.per_second
MIDDLE = 0.8  # the share of the arrivals the bulk rate is taken over


class ArrivalsSandbox(TelegramSandbox):
    """The Telegram sandbox with Telegram's limits, noting when each message arrived."""

    def __init__(self) -> None:
        super().__init__(token=TOKEN)
        self.arrivals: list[float] = []

    def record(self, message: dict) -> dict:
        self.arrivals.append(self.clock())
        return super().record(message)


def burst(chats: int, multi: int) -> list[dict]:
    """One update from each of ``chats`` officers: every ``multi``-th asks ``/baocao``."""
    turns = ("/viec", REPORT)
    return [update(n + 1, OFFICERS + n, "/baocao" if multi and n % multi == multi - 1
                   else turns[n % 2]) for n in range(chats)]


@dataclass
class Figures:
    whole: float  # first arrival to last, × the limit
    bulk: float  # the middle 80 % of the arrivals, × the limit
    waiting: float  # while at least a second's worth of replies waited, × the limit
    messages: int
    last_after: float  # seconds from the first post to the last arrival
    handled_after: float  # ... to the last update handled (its replies queued)
    lost: int
    duplicated: int
    breaks: int


def rate_while_waiting(at: list[float], queued: list[tuple[float, int]]) -> float:
    """Arrivals a second, × the limit, over the polls' intervals that began with at least a
    second's worth of replies queued and not arrived."""
    arrived, seconds = 0, 0.0
    for (start, rows), (end, _) in itertools.pairwise(queued):
        if rows - bisect.bisect_right(at, start) >= LIMIT:
            arrived += bisect.bisect_right(at, end) - bisect.bisect_right(at, start)
            seconds += end - start
    return arrived / seconds / LIMIT if seconds else math.nan


def figures(sandbox: ArrivalsSandbox, began: float, handled: float,
            queued: list[tuple[float, int]], expected: dict[int, int]) -> Figures:
    at = sorted(sandbox.arrivals)
    skip = round(len(at) * (1 - MIDDLE) / 2)
    first, last = skip, len(at) - 1 - skip
    arrived = collections.Counter(m["chat_id"] for m in sandbox.sent)
    return Figures(
        whole=(len(at) - 1) / (at[-1] - at[0]) / LIMIT,
        bulk=(last - first) / (at[last] - at[first]) / LIMIT,
        waiting=rate_while_waiting(at, queued),
        messages=len(at), last_after=at[-1] - began, handled_after=handled - began,
        lost=sum(max(0, n - arrived[chat]) for chat, n in expected.items()),
        duplicated=sum(max(0, arrived[chat] - expected.get(chat, 0)) for chat in arrived),
        breaks=sandbox.rate_refusals)


def replies_queued(url: str) -> tuple[dict[int, int], int]:
    """Each chat's reply rows in the outbox, and the updates not handled yet."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT chat_id, count(*) FROM outbox "
                                 "WHERE kind = 'reply' GROUP BY chat_id")).all()
        inbox = conn.execute(text("SELECT count(*) FROM inbox")).scalar_one()
    engine.dispose()
    return {int(chat): n for chat, n in rows}, inbox


async def one_run(url: str, chats: int, multi: int) -> Figures:
    """Post the burst to a bot that has just started; wait until every reply arrived."""
    sample_officers(url, chats)
    sandbox = ArrivalsSandbox()
    await sandbox.start()
    for user in range(OFFICERS, OFFICERS + chats):
        sandbox.add_user(user)
    port, log = free_port(), []
    try:
        async with bot_process(url, sandbox, port, QUIET, log):
            began, queued = time.monotonic(), []  # the sandbox's clock
            await post_all(port, burst(chats, multi))
            handled, deadline = None, began + 30 + 4 * chats / LIMIT
            while time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                polled = time.monotonic()
                expected, updates = await asyncio.to_thread(replies_queued, url)
                queued.append((polled, sum(expected.values())))
                handled = handled or (time.monotonic() if not updates else None)
                if handled and len(sandbox.arrivals) >= sum(expected.values()):
                    break
    finally:
        await sandbox.stop()
    return figures(sandbox, began, handled or time.monotonic(), queued, expected)


def median_line(runs: list[Figures]) -> str:
    def m(name: str) -> float:
        return statistics.median(getattr(r, name) for r in runs)

    def span(name: str) -> str:
        values = [getattr(r, name) for r in runs]
        return f"{m(name):.3f} ({min(values):.3f}–{max(values):.3f})"

    return (f"first to last {span('whole')}, middle {MIDDLE:.0%} {span('bulk')}, while a "
            f"second's worth waited {span('waiting')} × {LIMIT:.0f}/s; "
            f"{m('messages'):.0f} messages, the last {m('last_after'):.1f} s after the first "
            f"post (every update handled after {m('handled_after'):.1f} s); "
            f"lost {max(r.lost for r in runs)}, duplicated {max(r.duplicated for r in runs)}, "
            f"limit breaks {max(r.breaks for r in runs)}")


async def main(args: argparse.Namespace) -> None:
    print(f"Replies to a burst of {args.chats} chats, one in {args.multi} a two-message reply "
          f"(median of {args.runs}, ranges in brackets):")
    for backend in args.backends.split(","):
        server = (args.postgres or postgres_server()) if backend == "postgresql" else None
        runs = []
        for _ in range(args.runs):
            with fresh_database(backend, server) as url:
                runs.append(await one_run(url, args.chats, args.multi))
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        print(f"  {backend}: {median_line(runs)}; load average {load}", flush=True)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--multi", type=int, default=4,
                        help="one chat in this many gets a two-message reply (0: none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: a throwaway one)")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
