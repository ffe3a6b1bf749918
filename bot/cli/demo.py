"""``isobot demo``: the real bot against a messenger's sandbox, and you as an officer.

Everything runs in one process on 127.0.0.1: the messenger's sandbox server, the bot (long
polling through the messenger's real client, exactly as in production) and a terminal chat
that plays the officer's phone (the messenger's :class:`~bot.messengers.base.Phone`). The bot's
clock starts just before the officer's next reminder and runs fast, so the first reminder
arrives within seconds and the following days pass in minutes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import math
import socket
import sys
import threading
import time
from pathlib import Path

from bot.messengers import installed
from bot.messengers.base import Messenger, Phone
from bot.runtime import logs
from bot.runtime.run import Runtime
from bot.settings import Settings
from jobs.calendar.clock import Clock
from jobs.catalog import Catalog
from jobs.people.registration import create_invite
from jobs.planning.simulate import UnitInfo, simulate
from jobs.text.i18n import Translator, translator
from jobs.units.units_file import SAMPLE_UNITS, in_tree_order, read_units_file
from storage.db import make_engine, session_scope, upgrade
from storage.models import Role
from storage.units import unit_by_code, upsert_units

DEMO_DATABASE = Path("data/demo.sqlite3")
DEMO_FILES = Path("data/demo-files")  # where the files the bot sends are saved
OFFICER_ID, SUPERVISOR_ID = 1001, 2001
DEMO_UNIT, SUPERVISING_UNIT = "QNG-MD-DTAN", "QNG"
#: When the input ends (a script piped in) the bot answers before the demo ends: once a message
#: has come since the last line typed and none for QUIET_SECONDS, or after MOST_SECONDS.
QUIET_SECONDS, MOST_SECONDS = 2.0, 60.0


def first_reminder(catalog: Catalog, settings: Settings, unit: UnitInfo,
                   today: dt.date) -> dt.datetime:
    """When the officer of ``unit`` gets their next reminder on or after ``today``."""
    rows = simulate([unit], catalog, settings.work_calendar(), today,
                    today + dt.timedelta(days=60), translator("en"))
    return next(r.send_at for r in rows if r.recipient_role == "officer")


def _prepare_database(start: dt.datetime) -> object:
    DEMO_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{DEMO_DATABASE}")
    upgrade(engine)
    rows = in_tree_order(read_units_file(SAMPLE_UNITS))
    with session_scope(engine) as session:
        upsert_units(session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in rows],
                     now=start - dt.timedelta(days=1))
    return engine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _invite(engine: object, unit: str, role: Role, now: dt.datetime) -> str:
    with session_scope(engine) as session:
        return create_invite(session, unit=unit_by_code(session, code=unit), role=role,
                             now=now, valid_days=1).code


async def run_demo(settings: Settings, catalog: Catalog, *, messenger: Messenger,
                   today: dt.date, speed: float = 60.0) -> None:
    """Run the demo on ``messenger``'s sandbox from ``today`` until /thoat or the input closes."""
    # Line by line, even into a pipe: the chat is read as it happens.
    sys.stdout.reconfigure(line_buffering=True)
    phone = messenger.phone()
    logs.configure([phone.token], level=logging.WARNING)  # the chat, not the log, is the show
    tr = translator(settings.language)
    units = {r.code: UnitInfo(r.code, r.name, r.kind) for r in read_units_file(SAMPLE_UNITS)}
    start = first_reminder(catalog, settings, units[DEMO_UNIT], today) - dt.timedelta(seconds=40)
    engine = _prepare_database(start)
    clock = Clock(start=start, speed=speed)
    # Only the sandbox: a real bot's token in the environment must not be used here.
    unset = {name: field.default for m in installed()
             for name, field in m.settings_model.model_fields.items()}
    port = _free_port()  # isobot's web server, for the files and charts it links to
    config = Settings(**{**settings.model_dump(), **unset, **await phone.start(),
                         "database_url": f"sqlite:///{DEMO_DATABASE}", "webhook_base_url": None,
                         "public_url": f"http://127.0.0.1:{port}", "web_listen": "127.0.0.1",
                         "web_port": port, "plan_every_minutes": 5})
    runtime = Runtime(config, engine, catalog, clock)
    await runtime.start()
    chat = TerminalChat(phone, clock, tr)
    try:
        chat.banner(units[DEMO_UNIT].name, speed)
        code = _invite(engine, SUPERVISING_UNIT, Role.SUPERVISOR, start)
        phone.user_says(SUPERVISOR_ID, f"/start {code}", "Trần Văn Hùng")
        code = _invite(engine, DEMO_UNIT, Role.OFFICER, start)
        chat.show_typed(f"/start {code}")
        phone.user_says(OFFICER_ID, f"/start {code}", "Nguyễn Thị Lan")
        await chat.run()
    finally:
        await runtime.stop()
        await phone.stop()


def typed_lines() -> asyncio.Queue[str]:
    """The lines typed on stdin as they come, "" once it ends.

    Read in a daemon thread, not the loop's executor: at Ctrl-C the executor would wait for a
    line nobody types before the process could end.
    """
    loop, lines = asyncio.get_running_loop(), asyncio.Queue()

    def read() -> None:
        for line in iter(sys.stdin.readline, ""):
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, "")

    threading.Thread(target=read, name="demo-stdin", daemon=True).start()
    return lines


class TerminalChat:
    """The officer's phone, in a terminal: bot messages printed, typed lines sent."""

    def __init__(self, phone: Phone, clock: Clock, tr: Translator) -> None:
        self.phone = phone
        self.clock = clock
        self.tr = tr
        self.finished = False
        self._typed_at = self._shown_at = -math.inf  # monotonic seconds

    def banner(self, unit_name: str, speed: float) -> None:
        """Explain what is going on."""
        tr = self.tr
        print("=" * 72)
        print(tr._("isobot demo: you are the ISO officer of {unit}.").format(unit=unit_name))
        print(tr._("The bot's clock runs {speed}× faster than real time; reminders arrive at "
                   "08:00 on working days.").format(speed=int(speed)))
        print(self.phone.how_to_answer(tr))
        print("=" * 72)

    def show_typed(self, text: str) -> None:
        """Echo what the officer 'types' automatically."""
        you = self.tr._("You")
        print(f"\n[{self._time()}] {you}: {text}")

    def _time(self) -> str:
        return self.tr.datetime(self.clock.now())

    async def run(self) -> None:
        """Print incoming messages and send typed lines until the input ends."""
        printer = asyncio.create_task(self._print_incoming())
        try:
            if await self._read_input() == "input ended":
                await self._answered()
        finally:
            self.finished = True  # the printer ends even if its cancel is lost in a wait_for
            printer.cancel()

    async def _print_incoming(self) -> None:
        while not self.finished:
            try:
                shown = await self.phone.next_message(OFFICER_ID)
            except TimeoutError:
                continue  # a stopped sandbox times out at once: ``finished`` ends the loop
            self._shown_at = time.monotonic()
            print(f"\n[{self._time()}] isobot:")
            print(shown.text)
            if shown.file:
                self._save(*shown.file)
            if shown.buttons:
                print("  ".join(f"[{i}] {label}"
                                for i, label in enumerate(shown.buttons, start=1)))

    def _save(self, name: str, content: bytes) -> None:
        """Keep a file the bot sent, as a phone keeps a download, and say where."""
        DEMO_FILES.mkdir(parents=True, exist_ok=True)
        path = DEMO_FILES / (Path(name).name or "file")
        path.write_bytes(content)
        print(self.tr._("📎 {name} saved to {path}").format(name=path.name, path=path))

    async def _answered(self) -> None:
        """Until the bot has answered the last line typed and then said nothing for a moment:
        a script piped in sees its answers rather than the demo ending under them."""
        give_up = time.monotonic() + MOST_SECONDS
        while time.monotonic() < give_up:
            if (self._shown_at > self._typed_at
                    and time.monotonic() - self._shown_at >= QUIET_SECONDS):
                return
            await asyncio.sleep(0.1)

    async def _read_input(self) -> str:
        """Send the lines typed until ``/thoat`` ("quit") or the input ends ("input ended")."""
        lines = typed_lines()
        while True:
            line = await lines.get()
            if not line:
                return "input ended"
            text = line.strip()
            if not text:
                continue
            if text in ("/thoat", "/quit", "/exit"):
                return "quit"
            self._typed_at = time.monotonic()
            if text.isdigit() and self.phone.press(OFFICER_ID, int(text)):
                continue
            if text.startswith("/tep "):
                self._send_file(Path(text[5:].strip()))
            else:
                self.phone.user_says(OFFICER_ID, text)

    def _send_file(self, path: Path) -> None:
        if not path.is_file():
            print(self.tr._("File not found: {path}").format(path=path))
            return
        self.phone.send_file(OFFICER_ID, path)
