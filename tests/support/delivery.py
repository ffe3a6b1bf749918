"""Delivery against the Telegram sandbox on a fake clock: what its tests share."""

from __future__ import annotations

import datetime as dt

from sqlmodel import func, select

from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.messenger import LIMITS
from jobs.delivery.deliverer import Deliverer, DeliveryClock, Pace
from jobs.delivery.messages import Message
from storage.db import session_scope
from storage.models import Member, Outbox, Role
from storage.outbox import enqueue
from storage.units import unit_by_code, upsert_units
from tests.conftest import at

START = at("2026-12-01 08:00")


class FakeTime:
    """Monotonic seconds and the bot's clock, moved only by the code under test's sleeps."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=self.seconds - 1000.0)

    async def sleep(self, seconds: float) -> None:
        self.seconds += seconds

    def clock(self, sleep=None) -> DeliveryClock:
        """Delivery's clocks, all this fake time (``sleep``: one that does more)."""
        return DeliveryClock(self.now, self.monotonic, sleep or self.sleep)


def seed(engine, sandbox, chat_ids, *, messages_each=1, role=Role.OFFICER):
    """One unit, a member per chat, and ``messages_each`` outbox rows per member."""
    with session_scope(engine) as session:
        upsert_units(session, rows=[("U", "UBND xã Thử", "commune", None)], now=START)
        unit_id = unit_by_code(session, code="U").id
        for chat_id in chat_ids:
            sandbox.add_user(chat_id) if chat_id > 0 else sandbox.add_group(chat_id)
            member = Member(unit_id=unit_id, role=role, platform="telegram",
                            platform_user_id=str(chat_id), chat_id=str(chat_id), joined_at=START)
            session.add(member)
            session.flush()
            for i in range(messages_each):
                enqueue(session, key=f"test:{chat_id}:{i}", member=member, kind="reminder",
                        payload=Message(f"Nhắc việc số {i}").to_payload(), now=START)


def deliverer(engine, bot, fake_time, limits=None, transport=None, batch_size=None,
              **options):
    """A worker on the fake clock, within Telegram's limits unless told otherwise."""
    return Deliverer(engine, transport or TelegramTransport(bot), clock=fake_time.clock(),
                     pace=Pace(limits=limits or LIMITS, batch_size=batch_size), **options)


def outbox_states(session) -> dict[str, int]:
    """How many outbox rows are in each state."""
    return dict(session.exec(select(Outbox.state, func.count()).group_by(Outbox.state)).all())


async def deliver_all(worker, engine, fake_time, *, tick=2.0, ticks=200) -> int:
    """Run ``worker`` as ``isobot run`` does, a delivery every ``tick`` seconds, until the
    outbox holds nothing pending; returns how many it sent."""
    sent = 0
    for _ in range(ticks):
        sent += await worker.deliver_due()
        with session_scope(engine) as session:
            if "pending" not in outbox_states(session):
                return sent
        await fake_time.sleep(tick)
    raise AssertionError(f"still pending after {ticks} ticks")


def arrivals(sandbox, chat_id):
    """When (on the fake clock, to the second) the sandbox took each message to ``chat_id``."""
    return [m["date"] for m in sandbox.messages_to(chat_id)]
