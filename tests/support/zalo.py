"""A running bot against the sandbox Zalo server (and optionally the Telegram one), test clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from bot.messengers.telegram.sandbox import TelegramSandbox
from bot.messengers.zalo.sandbox import ZaloSandbox
from bot.runtime.run import Runtime
from bot.settings import Settings
from jobs.catalog import Catalog
from storage.models import Role
from tests.support.telegram import TOKEN as TELEGRAM_TOKEN
from tests.support.telegram import UNLIMITED, TestClock, invite

TOKEN = "222:zalo-sandbox-token-for-tests"


@dataclass
class ZaloHarness:
    """The sandbox server(s), the bot and the clock of one test."""

    sandbox: ZaloSandbox
    runtime: Runtime
    clock: TestClock
    engine: Engine
    telegram: TelegramSandbox | None = None

    async def tick(self) -> None:
        """Let the scheduler run once at the clock's current moment (once every update sent
        so far is answered: replies go out on their own, as they come)."""
        await self.settle()
        await self.runtime.plan_now()
        await self.runtime.deliver_now()

    async def settle(self) -> None:
        """Wait until every update sent so far is handled and its replies have gone out."""
        # Handed over and stored: answered by the webhook, or the poller is back for the next.
        sandbox = self.sandbox
        await sandbox.wait_until(
            lambda: not sandbox.pending and (sandbox.webhook or sandbox.polls_waiting), 10)
        await self.runtime.settle()

    async def tick_and_collect(self, user_id: str) -> list[dict[str, Any]]:
        """Run the scheduler once; return what it delivered to ``user_id`` on Zalo."""
        before = len(self.sandbox.messages_to(user_id))
        await self.tick()
        count = len(self.sandbox.messages_to(user_id)) - before
        return [await self.sandbox.next_message(user_id, timeout=10) for _ in range(count)]

    async def drain(self, user_id: str) -> list[dict[str, Any]]:
        """Take every message to ``user_id`` not read yet, so the next one is a fresh reply."""
        await self.settle()
        taken = []
        while True:
            try:
                taken.append(await self.sandbox.next_message(user_id, timeout=0))
            except TimeoutError:
                return taken

    async def say(self, user_id: str, text: str, name: str | None = None) -> str:
        """The user writes ``text`` on Zalo; returns the text of the bot's next message."""
        self.sandbox.user_sends_text(user_id, text, display_name=name)
        return (await self.sandbox.next_message(user_id, timeout=10))["text"]

    async def register(self, user_id: str, unit: str, role: Role, name: str,
                       how: str = "{code}") -> str:
        """Register a Zalo user with a fresh invite code; returns the greeting."""
        code = invite(self.engine, unit, role, self.clock.now())
        return await self.say(user_id, how.format(code=code), name=name)

    async def stop(self) -> None:
        await self.runtime.stop()
        await self.sandbox.stop()
        if self.telegram:
            await self.telegram.stop()


async def start_zalo_harness(engine: Engine, catalog: Catalog, start: dt.datetime, *,
                             telegram: bool = False, sandbox_options: dict | None = None,
                             **settings: object) -> ZaloHarness:
    """Start the Zalo sandbox (and the Telegram one if asked) and the bot at ``start``."""
    sandbox = ZaloSandbox(token=TOKEN, **(sandbox_options or {}))
    await sandbox.start(host="127.0.0.1", port=0)
    config: dict[str, object] = dict(database_url=str(engine.url), zalo_bot_token=TOKEN,
                                     zalo_api_base_url=sandbox.base_url,
                                     telegram_bot_token=None,
                                     planning_process=False)  # a process per test: too slow
    telegram_sandbox = None
    if telegram:
        telegram_sandbox = TelegramSandbox(token=TELEGRAM_TOKEN, global_per_second=None,
                                           private_chat_per_second=None,
                                           group_chat_per_minute=None)
        await telegram_sandbox.start()
        config.update(telegram_bot_token=TELEGRAM_TOKEN,
                      telegram_api_base_url=telegram_sandbox.base_url,
                      telegram_file_base_url=telegram_sandbox.base_file_url)
    clock = TestClock(start)
    runtime = Runtime(Settings(**{**config, **settings}), engine, catalog, clock,
                      limits=UNLIMITED)
    await runtime.start(schedule=False)
    return ZaloHarness(sandbox, runtime, clock, engine, telegram_sandbox)
