"""What a ``kill -9`` in the middle of a delivery leaves: a message the messenger accepted is
never sent again by the next process."""

import sqlite3
from collections import Counter

import pytest

from bot.messengers.telegram.adapter import TelegramTransport
from bot.messengers.telegram.messenger import LIMITS
from jobs.delivery.deliverer import Deliverer, Pace
from storage.db import make_engine
from tests.support.delivery import deliver_all, deliverer, seed


def crash_copy(database_url: str, copy: str) -> None:
    """The database as a ``kill -9`` at this moment leaves it: what was committed."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as source, \
            sqlite3.connect(copy) as target:
        source.backup(target)


@pytest.mark.sqlite  # the crash is a copy of the database file
async def test_a_send_accepted_before_a_crash_is_not_sent_again(
        database_url, engine, sandbox, bot, fake_time, tmp_path):
    chats = list(range(1, 11))
    seed(engine, sandbox, chats)
    transport = TelegramTransport(bot)
    real_send, sends = transport.send, 0
    crashed_at = str(tmp_path / "crashed.sqlite3")

    async def send(chat_id, message):
        nonlocal sends
        sends += 1
        if sends == 6:  # the process dies as it starts the sixth: five were accepted
            crash_copy(database_url, crashed_at)
        if sends >= 6:
            return "not-sent"  # a dead process reaches no one
        return await real_send(chat_id, message)

    transport.send = send
    # One at a time: the sixth starts only once the fifth came back.
    await Deliverer(engine, transport, clock=fake_time.clock(),
                    pace=Pace(limits=LIMITS, concurrency=1)).deliver_due()
    accepted = [m["chat_id"] for m in sandbox.all_sent]
    assert len(accepted) == 5

    restarted = make_engine(f"sqlite:///{crashed_at}")
    try:
        await deliver_all(deliverer(restarted, bot, fake_time), restarted, fake_time)
    finally:
        restarted.dispose()
    assert Counter(m["chat_id"] for m in sandbox.all_sent) == Counter(chats)
