"""`isobot demo` opens on the Zalo sandbox, Zalo's officers being the ones isobot serves first:
the help names Zalo as the default, the welcome says why Telegram is second, and the officer
chats through Zalo's numbered choices."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading

from jobs.text.i18n import translator

vi = translator("vi")
ISOBOT = [sys.executable, "-m", "bot.cli"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def demo_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return {**env, "ISOBOT_LANG": "vi", "PYTHONPATH": ROOT}


def test_the_help_names_zalo_as_the_default_messenger():
    shown = subprocess.run([*ISOBOT, "demo", "--help"], env={**demo_env(), "COLUMNS": "200"},
                           capture_output=True, text=True, timeout=60)
    assert "[default: zalo]" in shown.stdout


class Demo:
    """`isobot demo` as a process: its lines as they come, typed lines sent."""

    def __init__(self, cwd) -> None:
        self.process = subprocess.Popen(
            [*ISOBOT, "demo", "--now", "2026-12-07T07:00"], cwd=cwd, env=demo_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8")
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, wanted: str) -> None:
        while not any(wanted in line for line in self.seen):
            line = self.lines.get(timeout=60)
            assert line is not None, f"the demo ended before {wanted!r}: {''.join(self.seen)}"
            self.seen.append(line)

    def type(self, text: str) -> None:
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()


def test_the_demo_chats_through_zalo_and_leaves_when_asked(tmp_path):
    demo = Demo(tmp_path)
    try:
        demo.wait_for(vi._("Zalo comes first: Telegram has been blocked on Vietnam's main "
                           "networks since June 2025 (try it with: isobot demo --messenger "
                           "telegram)."))
        demo.wait_for("isobot:")  # registered by the demo, greeted as on Zalo
        demo.type("viec")
        demo.wait_for(vi._("Reply with a duty's number to report it or read its guidance, or "
                           "type /nop."))
        assert any(line.startswith(f"[08:00 Thứ Hai, 07/12/2026] {vi._('You')}: /start ")
                   for line in demo.seen)
        demo.type("/thoat")
        assert demo.process.wait(timeout=30) == 0
    finally:
        if demo.process.poll() is None:
            demo.process.kill()
            demo.process.wait(timeout=10)
