"""``isobot run`` under test in webhook mode, and officers chatting with it: what
bench/webhook.py and bench/chat_heavy_tick.py share."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.messengers.telegram.sandbox import TelegramSandbox

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:bench-webhook"
SECRET = "bench-webhook-secret"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
OFFICERS = 100_000  # the first officer's user id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


@contextlib.asynccontextmanager
async def bot_process(url: str, sandbox: TelegramSandbox, port: int, now: str,
                      log: list[tuple[float, str]], plan_every_minutes: int = 5,
                      ) -> AsyncIterator[subprocess.Popen]:
    """``isobot run`` in webhook mode against ``sandbox``, until it answers on ``port``; its
    log lines land in ``log`` with the moment they came (``time.perf_counter``)."""
    env = {**os.environ, "ISOBOT_PLAN_EVERY_MINUTES": str(plan_every_minutes),
           "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_BASE_URL": sandbox.base_url,
           "TELEGRAM_FILE_BASE_URL": sandbox.base_file_url, "TELEGRAM_BOT_USERNAME": "bench_bot",
           "WEBHOOK_BASE_URL": f"http://127.0.0.1:{port}", "WEBHOOK_SECRET": SECRET,
           "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port), "ISOBOT_NOW": now,
           "ISOBOT_HEALTH_PORT": "0"}
    profile = ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]] \
        if os.environ.get("BENCH_PROFILE") else []
    process = await asyncio.create_subprocess_exec(
        sys.executable, *profile, "-m", "bot.cli", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    reader = asyncio.create_task(collect_log(process.stderr, log))
    try:
        await until_answering(port)
        yield process
    finally:
        process.send_signal(signal.SIGINT)  # like Ctrl+C: the bot stops cleanly (and profiles)
        await process.wait()
        reader.cancel()


async def collect_log(stream: asyncio.StreamReader, log: list[tuple[float, str]]) -> None:
    copy = open(os.environ["BENCH_LOG"], "a") if os.environ.get("BENCH_LOG") else None  # noqa: SIM115
    while line := await stream.readline():
        log.append((time.perf_counter(), line.decode(errors="replace").rstrip()))
        if copy:
            print(f"{log[-1][0]:.3f} {log[-1][1]}", file=copy, flush=True)


async def until_answering(port: int) -> None:
    """Until the bot (or the bare endpoint) on ``port`` answers a webhook post."""
    async with aiohttp.ClientSession() as http:
        for _ in range(6000):  # ten minutes: a national first tick runs before it listens
            with contextlib.suppress(aiohttp.ClientError):
                async with http.post(f"http://127.0.0.1:{port}/telegram", json={},
                                     headers={HEADER: SECRET}) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("the bot did not start")


def update(n: int, user: int, text_: str) -> dict:
    return {"update_id": n, "message": {
        "message_id": n, "date": 1796000000, "chat": {"id": user, "type": "private"},
        "from": {"id": user, "is_bot": False, "first_name": "Đo"}, "text": text_}}


def descendants(pid: int) -> list[int]:
    """``pid`` and every process it started, and they in turn (Linux's /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # "pid (name) state ppid …": the name may hold spaces and parentheses.
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def peaks_mb(pid: int) -> dict[str, float]:
    """The peak resident memory (VmHWM) of ``pid`` and of each of its descendants so far, in
    MB, by what each is: read while they run, since a process's peak goes with it."""
    peaks = {}
    for each in descendants(pid):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{each}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = Path(f"/proc/{each}/status").read_text()
            what = ("the bot" if each == pid else "its planning process" if "spawn_main" in
                    command else "multiprocessing's resource tracker" if "resource_tracker"
                    in command else command[:60])
            peaks[what] = int(status.split("VmHWM:")[1].split()[0]) / 1024
    return peaks


def planned(log: list[tuple[float, str]]) -> list[tuple[float, str]]:
    return [(at, line) for at, line in log if "planned:" in line]


class ChatSandbox(TelegramSandbox):
    """The Telegram sandbox, noting when the last reminder reached each chat."""

    def __init__(self, **limits) -> None:
        super().__init__(token=TOKEN, **limits)
        self.reminded_at: dict[int, float] = {}  # chat id -> perf_counter

    def record(self, message: dict) -> dict:
        if (message.get("text") or "").startswith("🔔"):
            self.reminded_at[message["chat_id"]] = time.perf_counter()
        return super().record(message)


@dataclass
class Sample:
    sent: float  # perf_counter when the message was posted
    latency: float  # seconds until its reply reached the sandbox
    # A reminder reached the chat less than a second before the question, or while its reply
    # was awaited: the reply may wait for the chat's one message a second (Telegram's).
    behind_reminder: bool = False


async def chat_while(port: int, sandbox: TelegramSandbox, chatters: int,
                     samples: list[Sample], going_on: Callable[[], bool]) -> None:
    """Officers ask /viec, each waiting for the reply (and a moment) before asking again."""
    url = f"http://127.0.0.1:{port}/telegram"

    async def officer(user: int, http: aiohttp.ClientSession) -> None:
        # People write when they will: each starts at a moment of their own and reads for
        # a while. Twenty questions at the same instant would measure only the bot-wide
        # 30 messages a second (the twentieth reply waits 0.6 s for its turn), not the bot.
        pace = random.Random(user)
        await asyncio.sleep(pace.uniform(0, THINK_SECONDS[1]))
        while going_on():
            with contextlib.suppress(TimeoutError):
                while True:  # reminders that came meanwhile
                    await sandbox.next_message(user, timeout=0)
            began = time.perf_counter()
            async with http.post(url, json=update(next(NUMBERS), user, "/viec"),
                                 headers={HEADER: SECRET}) as response:
                await response.read()
            try:
                while True:  # the reply, not a reminder that came meanwhile
                    message = await sandbox.next_message(user, timeout=REPLY_WAIT_SECONDS)
                    if not message["text"].startswith("🔔"):
                        break
            except TimeoutError:
                print(f"  (no reply to {user} within {REPLY_WAIT_SECONDS} s)", flush=True)
            replied = time.perf_counter()
            reminded = getattr(sandbox, "reminded_at", {}).get(user, -math.inf)
            samples.append(Sample(began, replied - began, began - 1.0 < reminded < replied))
            await asyncio.sleep(pace.uniform(*THINK_SECONDS))

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(officer(OFFICERS + i, http) for i in range(chatters)))


NUMBERS = itertools.count(50_000_000)
# Past Telegram's one message a second to a chat, which the bot keeps: a person reads, types.
THINK_SECONDS = (1.0, 2.0)
REPLY_WAIT_SECONDS = 600


