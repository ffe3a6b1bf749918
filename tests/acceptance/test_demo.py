"""`isobot demo` opens on the Zalo sandbox, Zalo's officers being the ones isobot serves first:
the help names Zalo as the default, the welcome says why Telegram is second, and the officer
chats through Zalo's numbered choices."""

from __future__ import annotations

import asyncio
import os
import sys

from jobs.text.i18n import translator

vi = translator("vi")
ISOBOT = [sys.executable, "-m", "bot.cli"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def demo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return {**env, "ISOBOT_LANG": "vi", "PYTHONPATH": ROOT}


async def test_the_help_names_zalo_as_the_default_messenger():
    process = await asyncio.create_subprocess_exec(
        *ISOBOT, "demo", "--help", env={**demo_env(), "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert "[default: zalo]" in out.decode()


async def read_until(stream: asyncio.StreamReader, wanted: str, seen: list[str]) -> None:
    while not any(wanted in line for line in seen):
        line = await asyncio.wait_for(stream.readline(), 60)
        assert line, f"the demo ended before saying {wanted!r}: {''.join(seen)}"
        seen.append(line.decode())


async def test_the_demo_chats_through_zalo_and_leaves_when_asked(tmp_path):
    process = await asyncio.create_subprocess_exec(
        *ISOBOT, "demo", "--now", "2026-12-07T07:00", cwd=tmp_path, env=demo_env(),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    seen: list[str] = []
    try:
        welcome = vi._("Zalo comes first: Telegram has been blocked on Vietnam's main networks "
                       "since June 2025 (try it with: isobot demo --messenger telegram).")
        await read_until(process.stdout, welcome, seen)
        # Registered by the demo: the welcome arrives as on Zalo, choices as numbered lines.
        await read_until(process.stdout, "isobot:", seen)
        process.stdin.write(b"viec\n")
        await process.stdin.drain()
        await read_until(process.stdout, vi._("Reply with a duty's number to report it or read "
                                              "its guidance, or type /nop."), seen)
        assert any(line.startswith(f"[08:00 Thứ Hai, 07/12/2026] {vi._('You')}: /start ")
                   for line in seen)
        process.stdin.write(b"/thoat\n")
        await process.stdin.drain()
        await asyncio.wait_for(process.wait(), 30)
        assert process.returncode == 0, (await process.stderr.read()).decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
