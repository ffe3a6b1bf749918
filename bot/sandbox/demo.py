"""``isobot demo``: the real bot against the sandbox Telegram server, and you as an officer.

Everything runs in one process on 127.0.0.1: the sandbox server, the bot (long polling through
python-telegram-bot, exactly as in production) and a terminal chat that plays the officer's
phone. The bot's clock starts just before the officer's next reminder and runs fast, so the
first reminder arrives within seconds and the following days pass in minutes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
from pathlib import Path

from bot import logs
from bot.runtime import Runtime
from bot.sandbox.telegram_server import TelegramSandbox
from bot.sandbox.zalo_server import ZaloSandbox
from bot.settings import Settings
from jobs.catalog import Catalog
from jobs.clock import Clock
from jobs.i18n import Translator, translator
from jobs.registration import create_invite
from jobs.simulate import UnitInfo, simulate
from jobs.units import SAMPLE_UNITS, in_tree_order, read_units_file
from storage.db import make_engine, session_scope, upgrade
from storage.models import Role
from storage.units import unit_by_code, upsert_units

DEMO_DATABASE = Path("data/demo.sqlite3")
DEMO_TOKEN = "100000:demo-sandbox-token"
DEMO_ZALO_TOKEN = "200000:demo-zalo-sandbox-token"
OFFICER_ID, SUPERVISOR_ID = 1001, 2001
DEMO_UNIT, SUPERVISING_UNIT = "QNG-MD-DTAN", "QNG-MD"


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


def _invite(engine: object, unit: str, role: Role, now: dt.datetime) -> str:
    with session_scope(engine) as session:
        return create_invite(session, unit=unit_by_code(session, code=unit), role=role,
                             now=now, valid_days=1).code


async def run_demo(settings: Settings, catalog: Catalog, *, today: dt.date, speed: float = 60.0,
                   messenger: str = "telegram") -> None:
    """Run the demo on ``messenger`` (telegram or zalo) from ``today`` until /thoat or the
    input closes."""
    # The chat, not the log, is the show.
    logs.configure([DEMO_TOKEN, DEMO_ZALO_TOKEN], level=logging.WARNING)
    tr = translator(settings.language)
    units = {r.code: UnitInfo(r.code, r.name, r.kind) for r in read_units_file(SAMPLE_UNITS)}
    start = first_reminder(catalog, settings, units[DEMO_UNIT], today) - dt.timedelta(seconds=40)
    engine = _prepare_database(start)
    clock = Clock(start=start, speed=speed)
    # Only the sandbox: a token of a real bot in the environment must not be used here.
    messengers: dict[str, object] = {"telegram_bot_token": None, "zalo_bot_token": None}
    if messenger == "zalo":
        sandbox = ZaloSandbox(token=DEMO_ZALO_TOKEN, bot_name="isobot_demo")
        await sandbox.start()
        messengers.update(zalo_bot_token=DEMO_ZALO_TOKEN, zalo_api_base_url=sandbox.base_url)
        chat: TerminalChat = ZaloTerminalChat(sandbox, clock, tr)
    else:
        sandbox = TelegramSandbox(token=DEMO_TOKEN, bot_username="isobot_demo_bot")
        await sandbox.start()
        messengers.update(telegram_bot_token=DEMO_TOKEN, telegram_api_base_url=sandbox.base_url,
                          telegram_file_base_url=sandbox.base_file_url)
        chat = TerminalChat(sandbox, clock, tr)
    config = Settings(**{**settings.model_dump(), "database_url": f"sqlite:///{DEMO_DATABASE}",
                         **messengers, "webhook_base_url": None, "plan_every_minutes": 5})
    runtime = Runtime(config, engine, catalog, clock)
    await runtime.start()
    try:
        chat.banner(units[DEMO_UNIT].name, speed)
        code = _invite(engine, SUPERVISING_UNIT, Role.SUPERVISOR, start)
        chat.user_says(SUPERVISOR_ID, f"/start {code}", "Trần Văn Hùng")
        code = _invite(engine, DEMO_UNIT, Role.OFFICER, start)
        chat.show_typed(f"/start {code}")
        chat.user_says(OFFICER_ID, f"/start {code}", "Nguyễn Thị Lan")
        await chat.run()
    finally:
        await runtime.stop()
        await sandbox.stop()


class TerminalChat:
    """The officer's phone, in a terminal: bot messages printed, typed lines sent."""

    officer: int | str = OFFICER_ID

    def __init__(self, sandbox: TelegramSandbox, clock: Clock, tr: Translator) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.tr = tr
        self.last_buttons: list[tuple[int, str]] = []  # (message id, callback data)

    def banner(self, unit_name: str, speed: float) -> None:
        """Explain what is going on."""
        tr = self.tr
        print("=" * 72)
        print(tr._("isobot demo: you are the ISO officer of {unit}.").format(unit=unit_name))
        print(tr._("The bot's clock runs {speed}× faster than real time; reminders arrive at "
                   "08:00 on working days.").format(speed=int(speed)))
        print(self._how_to_answer())
        print("=" * 72)

    def _how_to_answer(self) -> str:
        return self.tr._("Type a message and press Enter. Buttons are numbered: type 1, 2, 3 to "
                         "press one. “/tep PATH” sends a file; “/thoat” leaves.")

    def user_says(self, user_id: int, text: str, name: str) -> None:
        """A user of the sandbox writes ``text`` to the bot."""
        self.sandbox.user_sends_text(user_id, text, first_name=name)

    def show_typed(self, text: str) -> None:
        """Echo what the officer 'types' automatically."""
        print(f"\n[{self._time()}] {self.tr._('You')}: {text}")

    def _time(self) -> str:
        return self.tr.datetime(self.clock.now())

    async def run(self) -> None:
        """Print incoming messages and send typed lines until the input ends."""
        printer = asyncio.create_task(self._print_incoming())
        try:
            await self._read_input()
        finally:
            printer.cancel()

    async def _print_incoming(self) -> None:
        while True:
            try:
                message = await self.sandbox.next_message(self.officer, timeout=3600)
            except TimeoutError:
                continue
            print(f"\n[{self._time()}] isobot:")
            print(message.get("text") or message.get("caption") or "")
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            buttons = [b for row in rows for b in row]
            if buttons:
                self.last_buttons = [(message["message_id"], b["callback_data"]) for b in buttons]
                print("  ".join(f"[{i}] {b['text']}" for i, b in enumerate(buttons, start=1)))

    async def _read_input(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return  # input closed
            text = line.strip()
            if not text:
                continue
            if text in ("/thoat", "/quit", "/exit"):
                return
            if text.isdigit() and 1 <= int(text) <= len(self.last_buttons):
                message_id, data = self.last_buttons[int(text) - 1]
                self.sandbox.user_presses_button(self.officer, message_id, data, strict=False)
            elif text.startswith("/tep "):
                self._send_file(Path(text[5:].strip()))
            else:
                self.sandbox.user_sends_text(self.officer, text)

    def _send_file(self, path: Path) -> None:
        if not path.is_file():
            print(self.tr._("File not found: {path}").format(path=path))
            return
        self.sandbox.user_sends_document(self.officer, path.name, path.read_bytes())


class ZaloTerminalChat(TerminalChat):
    """The officer's phone on Zalo: choices arrive as numbered lines, the officer types "1"."""

    officer = str(OFFICER_ID)  # Zalo ids are strings

    def _how_to_answer(self) -> str:
        return self.tr._("Type a message and press Enter. Choices are numbered lines: reply 1, "
                         "2, 3 to pick one. “/tep PATH” sends a photo; “/thoat” leaves.")

    def user_says(self, user_id: int, text: str, name: str) -> None:
        self.sandbox.user_sends_text(str(user_id), text, display_name=name)

    def _send_file(self, path: Path) -> None:
        if not path.is_file():
            print(self.tr._("File not found: {path}").format(path=path))
            return
        self.sandbox.user_sends_photo(self.officer, path.read_bytes())
