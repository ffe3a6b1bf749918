"""Outbox delivery throughput against the sandbox Telegram server, through the real client.

Two runs: with Telegram's documented limits (30 messages/s overall), where the figure to read
is the ratio to 30/s; and with limits off, which measures the bot's own cost per message
(database commit + HTTP round trip on 127.0.0.1). Prints figures; asserts nothing.
Run: .venv/bin/python bench/delivery.py
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import tempfile
import time

os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Bot

from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.messenger import LIMITS
from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.calendar import VIETNAM
from jobs.delivery import Deliverer, RateLimits
from jobs.messages import Message
from storage.db import make_engine, session_scope, upgrade
from storage.models import Member
from storage.outbox import enqueue
from storage.units import unit_by_code, upsert_units

TOKEN = "1:bench"
TELEGRAM_LIMIT = 30.0


def seed(engine, count: int, now: dt.datetime) -> None:
    with session_scope(engine) as session:
        upsert_units(session, rows=[("B", "Đơn vị đo", "commune", None)], now=now)
        unit = unit_by_code(session, code="B")
        for i in range(count):
            member = Member(unit_id=unit.id, role="officer", platform="telegram",
                            platform_user_id=str(10_000 + i), chat_id=str(10_000 + i),
                            joined_at=now)
            session.add(member)
            session.flush()
            enqueue(session, key=f"bench:{i}", member=member, kind="reminder", now=now,
                    payload=Message("🔔 Nhắc việc: báo cáo quý 4/2026, hạn chót 15/12/2026 "
                                    "(còn 14 ngày).\n☐ Tổng hợp số liệu\n☐ Trình ký").to_payload())


async def run(count: int, limits: RateLimits, sandbox_limited: bool, label: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        upgrade(engine)
        now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=VIETNAM)
        seed(engine, count, now)
        limit = 30 if sandbox_limited else None
        sandbox = TelegramSandbox(token=TOKEN, global_per_second=limit,
                                  private_chat_per_second=1 if sandbox_limited else None)
        await sandbox.start()
        for i in range(count):
            sandbox.add_user(10_000 + i)
        latencies: list[float] = []
        async with Bot(TOKEN, base_url=sandbox.base_url,
                       base_file_url=sandbox.base_file_url) as bot:
            transport = TelegramTransport(bot)
            send = transport.send

            async def timed(chat_id: str, message: Message) -> str:
                began = time.perf_counter()
                try:
                    return await send(chat_id, message)
                finally:
                    latencies.append(time.perf_counter() - began)

            transport.send = timed
            worker = Deliverer(engine, transport, now=lambda: now, limits=limits)
            began = time.perf_counter()
            sent = await worker.deliver_due()
            seconds = time.perf_counter() - began
        await sandbox.stop()
        rate = sent / seconds
        quantiles = statistics.quantiles(latencies, n=100)
        print(f"{label}: {sent}/{count} sent in {seconds:.1f} s = {rate:.1f} messages/s "
              f"({rate / TELEGRAM_LIMIT:.2f} × Telegram's 30/s); send latency p50 "
              f"{quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms; "
              f"429s seen: {count - sent}")


def main() -> None:
    asyncio.run(run(300, LIMITS, True, "with Telegram's limits"))
    asyncio.run(run(1000, RateLimits(per_second=0, per_chat_second=0, per_group_minute=0),
                    False, "limits off (the bot's own cost)"))


if __name__ == "__main__":
    main()
