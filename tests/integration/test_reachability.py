"""A Zalo refusal is not proof that a person is gone; writing again brings a member back.

Zalo's error table lists 403 as an internal server error and documents no code for a user who
blocked the bot (jobs/delivery/reachability.py): a member is deactivated only after at least five
refused sends over at least a day, with none delivered in between.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from bot.features.registration import Registration
from jobs.delivery import reachability
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Member, Outbox, Role
from tests.conftest import at
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER, SUPERVISOR = "z1001", "z2001"
T0 = at("2026-12-01 08:00")
THREE_DUTIES = vi.ngettext("🔔 ISO duties for you: {n} item", "🔔 ISO duties for you: {n} items",
                           3).format(n=3)


def member(**fields) -> Member:
    return Member(unit_id=1, role="officer", platform="zalo", platform_user_id="z",
                  chat_id="z", **fields)


@pytest.mark.parametrize(("hours", "expected"), [
    ([0, 0, 0, 0, 0], False),  # five at once: one bad minute
    ([0, 6, 12, 18, 23], False),  # five, but not yet a day
    ([0, 12, 30], False),  # a day and more, but only three
    ([0, 6, 12, 18, 24], True),  # five over a whole day: gone
])
def test_only_failures_that_last_count_a_member_gone(hours, expected):
    someone = member()
    verdicts = [reachability.failed(someone, T0 + dt.timedelta(hours=h)) for h in hours]
    assert verdicts[-1] is expected
    assert not any(verdicts[:-1])


def test_a_message_that_goes_through_starts_the_count_again():
    someone = member()
    for h in (0, 6, 12, 18):
        reachability.failed(someone, T0 + dt.timedelta(hours=h))
    reachability.reached(someone)
    assert not reachability.failed(someone, T0 + dt.timedelta(hours=24))
    assert someone.unreachable_since == T0 + dt.timedelta(hours=24)


def test_retries_come_sooner_than_an_hour_apart():
    assert reachability.retry_after(1) == dt.timedelta(seconds=30)
    assert max(reachability.retry_after(n) for n in range(1, 40)) == dt.timedelta(hours=1)


@pytest.fixture
async def bot(engine, catalog):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    harness = await start_zalo_harness(engine, catalog, at("2026-11-30 16:00"))
    await harness.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await harness.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    yield harness
    await harness.stop()


def officer(engine) -> Member:
    with session_scope(engine) as session:
        return session.exec(select(Member).where(Member.platform_user_id == OFFICER)).one()


async def test_a_passing_403_delays_a_reminder_and_deactivates_nobody(bot, engine):
    bot.sandbox.fail_next("sendMessage", 403)
    bot.clock.set(T0)
    first = await bot.tick_and_collect(OFFICER)
    assert first == [] and officer(engine).active  # the morning's one message refused
    bot.clock.set(T0 + dt.timedelta(minutes=1))
    later = await bot.tick_and_collect(OFFICER)
    # And sent on the next try, once, with each of its three duties.
    assert [m["text"][:len(THREE_DUTIES)] for m in later] == [THREE_DUTIES]
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox.state).where(Outbox.chat_id == OFFICER,
                                                       Outbox.kind == "reminder")).all()
    assert set(rows) == {"sent"}  # nothing left behind to go later, alone
    assert (officer(engine).active, officer(engine).unreachable_failures) == (True, 0)


async def test_a_member_deactivated_as_unreachable_is_back_when_they_write(bot, engine):
    with session_scope(engine) as session:
        gone = session.exec(select(Member).where(Member.platform_user_id == OFFICER)).one()
        gone.active, gone.unreachable_since, gone.unreachable_failures = False, T0, 7
        session.add(gone)
    await bot.drain(SUPERVISOR)
    answer = await bot.say(OFFICER, "/viec")
    assert answer != Registration.not_registered_text(vi)
    assert (officer(engine).active, officer(engine).unreachable_since) == (True, None)
    await bot.tick()
    [notice] = [m["text"] for m in await bot.drain(SUPERVISOR)]
    assert notice == vi._("✅ {name} ({unit}) wrote to isobot again and receives its reminders "
                          "again.").format(name="Lan", unit="UBND xã Đức Tân")


async def test_a_member_removed_for_another_reason_stays_removed(bot, engine):
    with session_scope(engine) as session:
        removed = session.exec(select(Member).where(Member.platform_user_id == OFFICER)).one()
        removed.active = False  # e.g. handed over: never marked unreachable
        session.add(removed)
    answer = await bot.say(OFFICER, "/viec")
    assert answer == Registration.not_registered_text(vi)
    assert not officer(engine).active
