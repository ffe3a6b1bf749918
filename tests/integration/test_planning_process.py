"""The bot plans in a process of its own (bot.runtime.planning_process): what it plans lands in the
database the bot reads, it remembers its work from tick to tick, and when the process dies the next
tick starts another, so the reminders still go out."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest
from sqlmodel import func, select

from bot.runtime.planning_process import PlanningJob, PlanningWorker
from storage.db import session_scope
from storage.models import Member, Obligation, Outbox, Role
from storage.units import unit_by_code
from tests.conftest import at
from tests.support.telegram import load_sample_units, start_harness

JOINED = at("2026-11-30 07:00")
BEFORE_OFFICE = at("2026-12-01 06:30")  # obligations are created; no reminder goes at night
IN_OFFICE = at("2026-12-01 08:00")


def counted(engine, table) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def officer(engine):
    load_sample_units(engine, JOINED)
    with session_scope(engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        session.add(Member(unit_id=unit.id, role=Role.OFFICER, platform="telegram",
                           platform_user_id="1", chat_id="1", joined_at=JOINED))


@pytest.fixture
async def worker(database_url, catalog, calendar):
    worker = PlanningWorker(PlanningJob(database_url, catalog, calendar, dt.time(7, 30), 0))
    yield worker
    worker.close()


def planning_processes() -> list[multiprocessing.Process]:
    return multiprocessing.active_children()


async def test_the_planning_process_plans_into_the_bots_database(officer, worker, engine):
    assert worker.separate  # a file or a server: a process of its own
    night = await worker.tick(BEFORE_OFFICE)
    assert night.obligations_created == counted(engine, Obligation) > 0
    assert night.messages_queued == counted(engine, Outbox) == 0

    morning = await worker.tick(IN_OFFICE)
    assert morning.obligations_created == 0  # remembered: today's obligations exist
    assert morning.messages_queued == counted(engine, Outbox) > 0
    assert (await worker.tick(IN_OFFICE)).messages_queued == 0  # each reminder once


async def test_a_dead_planning_process_is_replaced_at_the_next_tick(officer, worker, engine):
    await worker.tick(BEFORE_OFFICE)
    (process,) = planning_processes()
    os.kill(process.pid, signal.SIGKILL)  # as the out-of-memory killer would
    process.join()

    with pytest.raises(BrokenProcessPool):  # the bot logs the failed tick and goes on
        await worker.tick(IN_OFFICE)
    morning = await worker.tick(IN_OFFICE)
    assert morning.messages_queued == counted(engine, Outbox) > 0
    assert [p.pid for p in planning_processes()] != [process.pid]


async def test_a_tick_fired_while_the_bot_stops_plans_nothing(officer, engine, catalog):
    harness = await start_harness(engine, catalog, BEFORE_OFFICE)  # plans once as it starts
    await harness.runtime.stop()
    await harness.sandbox.stop()
    queued = counted(engine, Outbox)
    harness.clock.set(IN_OFFICE)
    await harness.runtime.plan_now()  # as the scheduler may, a moment after the stop began
    assert counted(engine, Outbox) == queued  # no reminder was queued, no tick started
