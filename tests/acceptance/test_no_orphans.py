"""``kill -9`` of ``isobot run`` leaves none of its processes behind (Linux: it reads /proc)."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.messengers.telegram.sandbox import TelegramSandbox

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

TOKEN = "424242:orphan-test-token"


def running_in_group(group: int) -> list[int]:
    """The processes of process group ``group`` that still run (a zombie has ended)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            state, _, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
            if int(pgrp) == group and state not in ("Z", "X"):
                found.append(int(entry.name))
    return found


async def until(condition, timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` (real seconds) passes."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def test_a_killed_bot_leaves_no_process_behind(tmp_path):
    sandbox = TelegramSandbox(token=TOKEN)
    await sandbox.start()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/isobot.sqlite3",
           "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": sandbox.base_url,
           "TELEGRAM_FILE_BASE_URL": sandbox.base_file_url, "ISOBOT_HEALTH_PORT": "0",
           "ISOBOT_PLANNING_PROCESS": "true"}  # the process that outlived the bot
    with (tmp_path / "bot.log").open("w") as log:
        # A session of its own: its process group holds the bot and all it started.
        bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--now",
                                "2026-12-01T08:00"], env=env, stderr=log, start_new_session=True)
    try:
        # The bot, its planning process and multiprocessing's resource tracker.
        assert await until(lambda: len(running_in_group(bot.pid)) >= 3, 60), (
            (tmp_path / "bot.log").read_text())
        bot.send_signal(signal.SIGKILL)
        bot.wait()
        assert await until(lambda: not running_in_group(bot.pid), 15), running_in_group(bot.pid)
    finally:
        for pid in running_in_group(bot.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if bot.poll() is None:
            bot.kill()
            bot.wait()
        await sandbox.stop()
