"""A running bot against the sandbox Telegram server, with a clock the test moves."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.messengers.telegram.sandbox import TelegramSandbox
from bot.runtime.run import Runtime
from bot.settings import Settings
from jobs.catalog import Catalog
from jobs.delivery.deliverer import RateLimits
from jobs.people.registration import create_invite
from jobs.units.units_file import in_tree_order, read_units_file, sample_units_file
from storage.db import session_scope
from storage.models import Role
from storage.units import unit_by_code, upsert_units

TOKEN = "123456:TEST-token-for-the-sandbox"
UNLIMITED = RateLimits(per_second=0, per_chat_second=0, per_group_minute=0)


class TestClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = start
        self.speed = 1.0

    def now(self) -> dt.datetime:
        return self.moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment

    def real_seconds(self, clock_seconds: float) -> float:
        return clock_seconds


def load_sample_units(engine: Engine, now: dt.datetime, *, before_reform: bool = False) -> None:
    """The sample units (today's, or those before the 2025 reform), registered at ``now``."""
    rows = in_tree_order(read_units_file(sample_units_file(before_reform=before_reform)))
    with session_scope(engine) as session:
        upsert_units(session, rows=[(r.code, r.name, r.kind, r.parent or None) for r in rows],
                     now=now)


def invite(engine: Engine, unit: str, role: Role, now: dt.datetime, days: int = 14) -> str:
    """A fresh invite code."""
    with session_scope(engine) as session:
        return create_invite(session, unit=unit_by_code(session, code=unit), role=role, now=now,
                             valid_days=days).code


@dataclass
class Harness:
    """The sandbox server, the bot and the clock of one test."""

    sandbox: TelegramSandbox
    runtime: Runtime
    clock: TestClock
    engine: Engine

    async def tick(self) -> None:
        """Let the scheduler run once at the clock's current moment (once every update sent
        so far is answered: replies go out on their own, as they come)."""
        await self.settle()
        await self.runtime.plan_now()
        await self.runtime.deliver_now()

    async def settle(self) -> None:
        """Wait until every update sent so far is handled and its replies have gone out."""
        # Confirmed (a later poll passed its offset) or answered by the webhook: stored.
        await self.sandbox.wait_until(lambda: not self.sandbox.pending, 10)
        await self.runtime.settle()

    async def tick_and_collect(self, chat_id: int) -> list[dict]:
        """Run the scheduler once; return what it delivered to ``chat_id``."""
        before = len(self.sandbox.messages_to(chat_id))
        await self.tick()
        count = len(self.sandbox.messages_to(chat_id)) - before
        return [await self.sandbox.next_message(chat_id, timeout=10) for _ in range(count)]

    async def drain(self, chat_id: int) -> list[dict]:
        """Take every message to ``chat_id`` not read yet, so the next one is a fresh reply."""
        await self.settle()
        taken = []
        while True:
            try:
                taken.append(await self.sandbox.next_message(chat_id, timeout=0))
            except TimeoutError:
                return taken

    async def say(self, user_id: int, text: str, **kwargs) -> dict:
        """The user writes ``text``; returns the bot's next message to them."""
        self.sandbox.user_sends_text(user_id, text, **kwargs)
        return await self.sandbox.next_message(user_id, timeout=10)

    async def press(self, user_id: int, message: dict, label: str) -> dict:
        """The user presses the button labelled ``label``; returns the bot's next message."""
        data = button_data(message, label)
        self.sandbox.user_presses_button(user_id, message["message_id"], data)
        return await self.sandbox.next_message(user_id, timeout=10)

    async def register(self, user_id: int, unit: str, role: Role, name: str) -> dict:
        """Register a user with a fresh invite code; returns the greeting."""
        code = invite(self.engine, unit, role, self.clock.now())
        return await self.say(user_id, f"/start {code}", first_name=name)


def button_data(message: dict, label: str) -> str:
    """The callback data of the button whose text is ``label``."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if button["text"] == label:
                return button["callback_data"]
    raise AssertionError(f"no button {label!r} in {message.get('reply_markup')}")


def buttons(message: dict) -> list[str]:
    """The labels of a message's buttons."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


@contextlib.asynccontextmanager
async def running_bot(engine: Engine, catalog: Catalog, start: dt.datetime, *,
                      sandbox_limits: dict | None = None, limits: RateLimits = UNLIMITED,
                      before_reform: bool = False, **settings: object) -> AsyncIterator[Harness]:
    """The sample units (registered the morning of 30 November 2026) and a running bot.

    The sandbox answers 429 past ``sandbox_limits`` (none by default) and the bot keeps to
    ``limits`` (none by default); ``before_reform``: the sample as it was, with districts.
    """
    load_sample_units(engine, dt.datetime(2026, 11, 30, 7, 0, tzinfo=start.tzinfo),
                      before_reform=before_reform)
    harness = await start_harness(engine, catalog, start, sandbox_limits=sandbox_limits,
                                  limits=limits, **settings)
    try:
        yield harness
    finally:
        await harness.runtime.stop()
        await harness.sandbox.stop()


async def start_harness(engine: Engine, catalog: Catalog, start: dt.datetime, *,
                        sandbox_limits: dict | None = None, limits: RateLimits = UNLIMITED,
                        **settings: object) -> Harness:
    """Start the sandbox and the bot (long polling) at ``start``."""
    sandbox = TelegramSandbox(token=TOKEN, **{
        "global_per_second": None, "private_chat_per_second": None,
        "group_chat_per_minute": None, **(sandbox_limits or {})})
    await sandbox.start()
    clock = TestClock(start)
    config = Settings(
        database_url=str(engine.url), telegram_bot_token=TOKEN,
        telegram_api_base_url=sandbox.base_url, telegram_file_base_url=sandbox.base_file_url,
        **{"planning_process": False, **settings})  # a process per test: too slow
    runtime = Runtime(config, engine, catalog, clock, limits=limits)
    await runtime.start(schedule=False)
    return Harness(sandbox, runtime, clock, engine)
