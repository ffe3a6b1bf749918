"""Planning: one tick from the command line, and the chat answering while a tick runs."""

import asyncio
import json
import threading

from sqlmodel import func, select

from jobs.planning.planner import Planner
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Member, Obligation, Outbox, Role
from storage.units import unit_by_code
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import load_sample_units

vi = translator("vi")
REGISTERED = at("2026-11-30 07:00")
TUESDAY = "2026-12-01T08:00"  # the quarterly report's 14-day reminder, and two earlier ones


def officer_of_duc_tan(engine) -> None:
    load_sample_units(engine, REGISTERED)
    with session_scope(engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        session.add(Member(unit_id=unit.id, role=Role.OFFICER, platform="telegram",
                           platform_user_id="1", chat_id="1", joined_at=REGISTERED))


def counts(engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        return (session.exec(select(func.count()).select_from(Obligation)).one(),
                session.exec(select(func.count()).select_from(Outbox)).one())


def isobot(engine, *args: str, lang: str = "vi"):
    return cli.isobot(engine.url.render_as_string(hide_password=False), *args,
                      now=at("2026-12-01 09:00"), lang=lang)


def test_a_dry_run_counts_what_a_tick_would_do_and_changes_nothing(engine):
    officer_of_duc_tan(engine)
    dry = isobot(engine, "plan", "--now", TUESDAY, "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    would = json.loads(dry.stdout)
    # five duties of the year for each of today's 16 sample units
    assert would["obligations_created"] == 80 and would["messages_queued"] == 3
    assert counts(engine) == (0, 0)

    said = isobot(engine, "plan", "--now", TUESDAY, "--dry-run")
    assert said.exit_code == 0, said.output
    assert said.stdout.startswith(vi._("Planning as of {moment} would create {obligations} and "
                                       "queue {messages} ({seconds} s); nothing was changed.")
                                  .split("{moment}")[0])
    assert vi.ngettext("{n} obligation", "{n} obligations", 80).format(n=80) in said.stdout
    assert counts(engine) == (0, 0)


def test_nothing_is_queued_outside_office_hours_and_the_next_morning_sends_it(engine):
    officer_of_duc_tan(engine)
    sunday_night = isobot(engine, "plan", "--now", "2026-12-06T22:00", "--json")
    assert sunday_night.exit_code == 0, sunday_night.output
    assert json.loads(sunday_night.stdout)["messages_queued"] == 0
    monday = isobot(engine, "plan", "--now", "2026-12-07T08:00", "--json")
    assert json.loads(monday.stdout)["messages_queued"] > 0


def test_a_tick_from_the_command_line_creates_and_queues_once(engine):
    officer_of_duc_tan(engine)
    done = isobot(engine, "plan", "--now", TUESDAY, lang="en")
    assert done.exit_code == 0, done.output
    assert "80 obligations created, 3 messages queued" in done.stdout
    assert "08:00 Tuesday, 01/12/2026" in done.stdout
    assert counts(engine) == (80, 3)
    again = json.loads(isobot(engine, "plan", "--now", TUESDAY, "--json").stdout)
    assert (again["obligations_created"], again["messages_queued"]) == (0, 0)
    assert counts(engine) == (80, 3)


def test_a_moment_that_is_not_one_is_refused(engine):
    result = isobot(engine, "plan", "--now", "Tuesday morning")
    assert result.exit_code == 2
    assert vi._("--now is written like 2026-11-23T08:00 or 2026-11-23T08:00+07:00.") in \
        result.output


class HeldPlanner(Planner):
    """The bot's planner, held inside its tick until the test lets it go: a national tick
    that takes as long as the test needs."""

    def __init__(self, planner: Planner) -> None:
        super().__init__(planner.catalog, planner.calendar)
        self.inside, self.go = threading.Event(), threading.Event()

    def tick(self, session, **kwargs):
        self.inside.set()
        assert self.go.wait(30)
        return super().tick(session, **kwargs)


async def test_the_chat_answers_while_a_tick_is_under_way(bot, catalog):
    await bot.register(1001, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    planning = bot.runtime.planning.in_thread  # the tests' bots plan in a thread
    held = planning.planner = HeldPlanner(planning.planner)
    bot.clock.set(at("2026-12-01 08:00"))
    ticking = asyncio.create_task(bot.runtime.plan_now())
    assert await asyncio.to_thread(held.inside.wait, 30)

    answer = await bot.say(1001, "/viec")
    assert catalog.duty("quarterly_report").title.get("vi") in answer["text"]
    assert not ticking.done()  # the officer had the answer while the tick was still running

    held.go.set()
    await ticking
    await bot.runtime.deliver_now()
    # And then the reminders it queued: three duties, in one message.
    [reminders] = await bot.drain(1001)
    assert reminders["text"].startswith(vi.ngettext(
        "🔔 ISO duties for you: {n} item", "🔔 ISO duties for you: {n} items", 3).format(n=3))
