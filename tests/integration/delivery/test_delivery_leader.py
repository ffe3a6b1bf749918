"""Several bot processes on one PostgreSQL database: one plans, one sends, the limits hold.

Each "process" here has its own engine (its own connections) and its own leadership, as two
``isobot run`` would; they share the database, the sandbox and the fake clock.
"""

import asyncio

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from bot.messengers.telegram.adapter import TelegramTransport
from bot.runtime.run import Runtime
from bot.settings import Settings
from jobs.queues import OUTBOX
from storage.db import make_engine, session_scope
from storage.leadership import Leadership
from storage.models import Obligation
from storage.outbox import take
from tests.support.delivery import START, arrivals, deliver_all, deliverer, outbox_states, seed
from tests.support.telegram import TestClock as StandingClock
from tests.support.telegram import load_sample_units

pytestmark = pytest.mark.postgres

DELIVER = "deliver:telegram"


@pytest.fixture
def engines(database_url):
    """Two processes' engines on the one database."""
    pair = [make_engine(database_url) for _ in range(2)]
    yield pair
    for engine in pair:
        engine.dispose()


def end_sessions_holding_roles(engine) -> int:
    """What the server sees of a ``kill -9``: the sessions that hold a role just end.

    ``pg_terminate_backend(pid, timeout)`` returns once the session is gone (PostgreSQL 14+),
    so its locks are released by then.
    """
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_locks"
            " WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )).scalar_one()


def test_one_process_at_a_time_holds_a_role(engines):
    first, second = Leadership(engines[0]), Leadership(engines[1])
    assert first.leads(DELIVER) and not second.leads(DELIVER)
    assert first.leads(DELIVER)  # and keeps it
    assert second.leads("plan") and not first.leads("plan")  # each role on its own
    first.resign(DELIVER)
    assert second.leads(DELIVER) and not first.leads(DELIVER)
    assert end_sessions_holding_roles(engines[0]) == 2  # the second process is killed
    assert first.leads(DELIVER) and first.leads("plan")
    assert not second.leads(DELIVER) and not second.leads("plan")
    first.resign()


async def test_two_processes_send_each_message_once_within_one_limit(
        engines, sandbox, bot, fake_time):
    seed(engines[0], sandbox, range(1, 151), messages_each=2)
    sends: dict[str, list[float]] = {"first": [], "second": []}
    workers = {}
    for name, engine in zip(sends, engines, strict=True):
        transport = TelegramTransport(bot)
        transport.send = counted(transport.send, sends[name], fake_time)
        workers[name] = deliverer(engine, bot, fake_time, transport=transport,
                                  leadership=Leadership(engine))
    first = workers["first"]

    async def stop_first_after_100(chat_id, message, send=first.transport.send):
        if len(sends["first"]) == 100:
            first.stop()  # as `isobot run` does on SIGTERM
        return await send(chat_id, message)

    first.transport.send = stop_first_after_100
    for _ in range(100):  # both run a delivery every two seconds, at the same moments
        await asyncio.gather(*(w.deliver_due() for w in workers.values()))
        if first.stopping:
            first.leadership.resign()
        with session_scope(engines[0]) as session:
            if "pending" not in outbox_states(session):
                break
        await fake_time.sleep(2)

    # Every person got both messages, once each and in order; the sandbox, counting arrivals
    # on the same clock, never saw the bot past Telegram's limits.
    assert all([m["text"] for m in sandbox.messages_to(c)] == ["Nhắc việc số 0", "Nhắc việc số 1"]
               for c in range(1, 151))
    assert sandbox.rate_refusals == 0
    # One sent while it led; the other only once it had stopped.
    assert 100 <= len(sends["first"]) < 300
    assert len(sends["first"]) + len(sends["second"]) == 300
    assert min(sends["second"]) > max(sends["first"])


def counted(send, moments, fake_time):
    """``send``, noting on the fake clock when each message goes."""

    async def counting(chat_id, message):
        moments.append(fake_time.seconds)
        return await send(chat_id, message)

    return counting


async def test_a_killed_leaders_messages_go_out_within_seconds(engines, sandbox, bot, fake_time):
    seed(engines[0], sandbox, range(1, 101))
    killed = Leadership(engines[0])
    assert killed.leads(DELIVER)
    with session_scope(engines[0]) as session:  # it had taken a batch when it was killed
        taken = take(session, now=fake_time.now(), platform="telegram", limit=60,
                     until=fake_time.now() + OUTBOX.lease)
    assert end_sessions_holding_roles(engines[1]) == 1
    killed_at = fake_time.seconds

    survivor = deliverer(engines[1], bot, fake_time, leadership=Leadership(engines[1]))
    await deliver_all(survivor, engines[1], fake_time)

    assert [len(sandbox.messages_to(c)) for c in range(1, 101)] == [1] * 100
    assert sandbox.rate_refusals == 0
    # What the killed process held went out within seconds (its lease of ten, a two-second
    # tick, two seconds to send sixty at 30/s), where a five-minute lease kept it five minutes.
    last = max(arrivals(sandbox, int(row.chat_id))[0] for row in taken)
    assert last - killed_at <= 16
    survivor.leadership.resign()


async def test_only_the_process_that_holds_the_planning_role_plans(engines, catalog):
    clock = StandingClock(START)
    load_sample_units(engines[0], START)
    settings = Settings(database_url=str(engines[1].url), planning_process=False)
    runtime = Runtime(settings, engines[1], catalog, clock, messengers=())
    other = Leadership(engines[0])
    assert other.leads("plan")
    await runtime.plan_now()
    assert obligations(engines[1]) == 0
    other.resign()
    await runtime.plan_now()
    assert obligations(engines[1]) > 0
    runtime.leadership.resign()


def obligations(engine) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(Obligation)).one()
