"""`isobot demo` opens on the Zalo sandbox, Zalo's officers being the ones isobot serves first:
the help names Zalo as the default, the welcome says why Telegram is second, and the officer
chats through Zalo's numbered choices."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading

from jobs.text.i18n import translator

vi = translator("vi")
ISOBOT = [sys.executable, "-m", "bot.cli"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as readme:
    # The welcome names the Telegram demo as the README runs it.
    TELEGRAM_DEMO = re.search(r"`(\S*isobot demo --messenger telegram)`", readme.read()).group(1)


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
        self.errors = cwd / "stderr.txt"  # what the demo would show in the terminal besides
        with self.errors.open("w") as errors:
            self.process = subprocess.Popen(
                [*ISOBOT, "demo", "--now", "2026-12-07T07:00"], cwd=cwd, env=demo_env(),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
                text=True, encoding="utf-8")
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, wanted: str | re.Pattern[str]) -> None:
        def found(line: str) -> bool:
            return bool(wanted.search(line)) if isinstance(wanted, re.Pattern) else wanted in line

        while not any(map(found, self.seen)):
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
                           "networks since June 2025 (try it with: {command}).").format(
                               command=TELEGRAM_DEMO))
        demo.wait_for("isobot:")  # registered by the demo, greeted as on Zalo
        demo.type("viec")
        demo.wait_for(vi._("Reply with a duty's number to report it or read its guidance, or "
                           "type /nop."))
        # The demo's clock runs 60 × faster from its start, so on a busy machine the first
        # turn lands some minutes after 08:00: the hour, weekday and date in Vietnam are what count.
        stamped = re.compile(rf"\[08:\d\d Thứ Hai, 07/12/2026\] {re.escape(vi._('You'))}: /start ")
        assert any(stamped.match(line) for line in demo.seen)
        demo.type("/thoat")
        assert demo.process.wait(timeout=30) == 0
    finally:
        if demo.process.poll() is None:
            demo.process.kill()
            demo.process.wait(timeout=10)


def started(tmp_path) -> Demo:
    """The demo, once the officer is registered and greeted."""
    demo = Demo(tmp_path)
    demo.wait_for(re.compile(r"^\[[^]]+\] isobot:$"))  # a message, not the banner's "isobot:"
    return demo


def ends_cleanly(demo: Demo) -> None:
    assert demo.process.wait(timeout=30) == 0
    assert "Traceback" not in demo.errors.read_text()


def test_ctrl_c_quits_at_once_without_a_traceback(tmp_path):
    demo = started(tmp_path)
    try:
        demo.process.send_signal(signal.SIGINT)  # stdin stays open: nobody presses Enter
        ends_cleanly(demo)
    finally:
        if demo.process.poll() is None:
            demo.process.kill()


def test_the_end_of_its_input_ends_the_demo_once_the_bot_has_answered(tmp_path):
    demo = started(tmp_path)
    try:
        demo.type("viec")  # as a script piped in: the input ends right after it
        demo.process.stdin.close()
        ends_cleanly(demo)
        demo.wait_for(vi._("Reply with a duty's number to report it or read its guidance, or "
                           "type /nop."))
    finally:
        if demo.process.poll() is None:
            demo.process.kill()


def test_a_file_the_bot_sends_is_saved_and_named_and_you_are_anh_chi(tmp_path):
    demo = started(tmp_path)
    try:
        demo.type("/lich_ics")
        saved = re.compile(re.escape(vi._("📎 {name} saved to {path}")).replace(
            re.escape("{name}"), r"(?P<name>\S+)").replace(re.escape("{path}"), r"(?P<path>\S+)"))
        demo.wait_for(saved)
        found = next(m for m in map(saved.search, demo.seen) if m)
        path = found["path"]
        assert path == f"data/demo-files/{found['name']}" and path.endswith(".ics")
        assert (tmp_path / path).read_text().startswith("BEGIN:VCALENDAR")
        assert any(re.match(r"\[[^]]+\] Anh/chị: /start ", line) for line in demo.seen)
        demo.type("/thoat")
        ends_cleanly(demo)
    finally:
        if demo.process.poll() is None:
            demo.process.kill()
