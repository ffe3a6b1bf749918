"""One test, two messengers: people typing into Telegram or Zalo through the sandbox servers.

A :class:`Phone` hides only what differs in the harnesses (user ids, message shapes); how a
choice is answered stays the messenger's own: on Telegram by pressing the button, on Zalo by
typing the number in front of its line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.engine import Engine

from jobs.catalog import Catalog
from storage.models import Role
from tests.support.telegram import button_data, buttons, load_sample_units, running_bot
from tests.support.zalo import start_zalo_harness

# Each person, with a Telegram and a Zalo id.
PEOPLE = {"Lan": (1001, "a1b2c3d4e5f60001"), "Hung": (2001, "a1b2c3d4e5f60002"),
          "Minh": (3001, "a1b2c3d4e5f60003"), "Hoa": (4001, "a1b2c3d4e5f60004"),
          "Tuan": (5001, "a1b2c3d4e5f60005"),
          # A name and ids found nowhere else, for searching the whole database for them.
          "Quỳnh Xuyến": (987654321, "f00dfacecafe0777")}


class Phone:
    """The people's phones on one messenger; messages are dicts with "text" (and Telegram's
    "reply_markup")."""

    def __init__(self, platform: str, harness: Any) -> None:
        self.platform, self.harness = platform, harness
        self.clock, self.engine = harness.clock, harness.engine

    def id(self, who: str) -> int | str:
        return PEOPLE[who][0 if self.platform == "telegram" else 1]

    async def register(self, who: str, unit: str, role: Role) -> str:
        """``who`` joins ``unit`` as ``role`` with a fresh invite code; the greeting's text."""
        if self.platform == "telegram":
            return (await self.harness.register(self.id(who), unit, role, who))["text"]
        return await self.harness.register(self.id(who), unit, role, who)

    async def send(self, who: str, text: str) -> dict:
        """``who`` types ``text``; the bot's next message to them."""
        sandbox = self.harness.sandbox
        if self.platform == "telegram":
            sandbox.user_sends_text(self.id(who), text, first_name=who)
        else:
            sandbox.user_sends_text(self.id(who), text, display_name=who)
        return await sandbox.next_message(self.id(who), timeout=10)

    async def say(self, who: str, text: str) -> str:
        return (await self.send(who, text))["text"]

    async def choose(self, who: str, message: dict, label: str) -> str:
        """Answer ``message``'s choice whose label starts with ``label``: pressed on Telegram,
        its number typed on Zalo; the text of the answer."""
        return (await self.choose_message(who, message, label))["text"]

    async def choose_message(self, who: str, message: dict, label: str) -> dict:
        """As :meth:`choose`, the whole answer (with its buttons)."""
        if self.platform == "telegram":
            full = next(b for b in buttons(message) if b.startswith(label))
            self.harness.sandbox.user_presses_button(self.id(who), message["message_id"],
                                                     button_data(message, full))
            return await self.harness.sandbox.next_message(self.id(who), timeout=10)
        return await self.send(who, choice_number(message["text"], label))

    async def tick(self, at: dt.datetime) -> None:
        """The scheduler runs at ``at``."""
        self.clock.set(at)
        await self.harness.tick()

    async def inbox(self, who: str) -> list[dict]:
        """Every message to ``who`` not read yet."""
        taken = []
        while True:
            try:
                taken.append(await self.harness.sandbox.next_message(self.id(who), timeout=0.2))
            except TimeoutError:
                return taken


def choice_number(text: str, label: str) -> str:
    """The number Zalo shows in front of the choice ``label`` ("1 – Đã nộp" or "2. Lan")."""
    found = re.search(rf"(\d+)(?: – |\. ){re.escape(label)}", text)
    assert found, f"no choice {label!r} in {text!r}"
    return found[1]


@contextlib.asynccontextmanager
async def phones(platform: str, engine: Engine, catalog: Catalog, start: dt.datetime,
                 before_reform: bool = False, **settings: object) -> AsyncIterator[Phone]:
    """The sample units (``before_reform``: those with districts) and a running bot on
    ``platform``, its clock at ``start``."""
    if platform == "telegram":
        async with running_bot(engine, catalog, start, before_reform=before_reform,
                               **settings) as harness:
            yield Phone(platform, harness)
        return
    load_sample_units(engine, start.replace(hour=7, minute=0), before_reform=before_reform)
    harness = await start_zalo_harness(engine, catalog, start, **settings)
    try:
        yield Phone(platform, harness)
    finally:
        await harness.stop()
