"""A restart after a crash, the bot's clock started where it was before (``isobot run --now``):
what the dead process held is due at once, not when its leases end on the clock it had."""

import datetime as dt

import pytest
from sqlalchemy import text, update

from bot.messengers.telegram.sandbox import TelegramSandbox
from bot.runtime.run import Runtime
from bot.settings import Settings
from jobs.delivery.messages import Message
from jobs.queues import OUTBOX as OUTBOX_POLICY
from storage import queue
from storage.db import session_scope
from storage.leadership import Leadership
from storage.models import Outbox
from storage.outbox import OUTBOX, enqueue_reply, take
from tests.conftest import at
from tests.support import telegram

T = at("2026-12-06 22:00")  # a Sunday night: the bot plans nothing of its own


def held_by_a_dead_process(engine, *, ran: dt.timedelta, owner: str = "gone") -> int:
    """A reply the process started at ``T`` took after running ``ran``, then died holding."""
    with session_scope(engine) as session:
        enqueue_reply(session, key="reply:1", platform="telegram", chat_id="1001", kind="reply",
                      payload=Message("Xin chào").to_payload(), now=T)
    with session_scope(engine) as session:
        [taken] = take(session, now=T + ran, platform="telegram", limit=1,
                       until=T + ran + OUTBOX_POLICY.lease)
        session.execute(update(Outbox).values(leased_by=owner))
    return taken.id


async def test_a_restart_at_the_same_moment_sends_what_the_dead_process_held(engine, catalog):
    held_by_a_dead_process(engine, ran=dt.timedelta(minutes=30))
    sandbox = TelegramSandbox(token=telegram.TOKEN, global_per_second=None,
                              private_chat_per_second=None, group_chat_per_minute=None)
    await sandbox.start()
    sandbox.add_user(1001)
    settings = Settings(database_url=str(engine.url), telegram_bot_token=telegram.TOKEN,
                        telegram_api_base_url=sandbox.base_url,
                        telegram_file_base_url=sandbox.base_file_url, planning_process=False)
    runtime = Runtime(settings, engine, catalog, telegram.TestClock(T),
                      limits=telegram.UNLIMITED)
    try:
        await runtime.start(schedule=False)  # at T again, as `isobot run --now T` would
        await sandbox.wait_until(lambda: sandbox.messages_to(1001), 10)
    finally:
        await runtime.stop()
        await sandbox.stop()
    assert [m["text"] for m in sandbox.messages_to(1001)] == ["Xin chào"]


def test_only_the_leases_of_a_process_that_is_gone_are_released(engine):
    row_id = held_by_a_dead_process(engine, ran=dt.timedelta(minutes=30), owner="other")
    other, this = Leadership(engine), Leadership(engine)
    other.present("other")  # another process, alive, sharing the database

    def release() -> int:
        with session_scope(engine) as session:
            return queue.release_orphans(session, OUTBOX, now=T, alive=this.alive)

    # On PostgreSQL the other lives and keeps what it holds; on SQLite, one process's
    # database, every other process is gone.
    assert release() == (0 if this.shared else 1)
    other.resign()  # it ends
    assert release() == (1 if this.shared else 0)
    with session_scope(engine) as session:
        row = session.get(Outbox, row_id)
        assert (row.next_attempt_at, row.leased_by) == (T, None)


@pytest.mark.postgres
async def test_a_process_that_lost_its_database_session_is_seen_alive_again(engine, catalog):
    """Its presence lock went with the session; others must not take it for a dead process."""
    settings = Settings(database_url=str(engine.url), planning_process=False)
    runtime = Runtime(settings, engine, catalog, telegram.TestClock(T), messengers=[])
    others = Leadership(engine)
    try:
        await runtime.start(schedule=False)
        assert others.alive(queue.PROCESS)
        # The server ends every other session, and says so once they are gone (5 s at most).
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                                    "WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid()"))
        assert not others.alive(queue.PROCESS)
        await runtime.deliver_now()  # its next delivery round
        assert others.alive(queue.PROCESS)
    finally:
        await runtime.stop()
