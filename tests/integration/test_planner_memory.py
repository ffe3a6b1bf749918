"""A planner in a fresh process (a restarted bot, `isobot plan`) starts from what the last
committed tick stored, and still plans exactly what planning from scratch plans.

Two databases live through the same days: one planned by a new :class:`Planner` at every tick
(each one a fresh process, with only the stored memory), the other by :func:`plan`, from
scratch. Whatever changes between two processes (a person, an absence, a unit, the catalog,
the working calendar), their outboxes must stay the same row for row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from jobs.calendar.workdays import Amendment, Amendments, WorkCalendar
from jobs.people.absence import declare_absence
from jobs.planning import queueing
from jobs.planning.planner import Planner, PlanResult, plan
from storage.db import make_engine, session_scope
from storage.models import Member, Outbox, Role
from storage.planner_memory import load_memory, save_memory
from storage.units import unit_by_code, upsert_units
from tests.conftest import at
from tests.support.cli import isobot
from tests.support.telegram import load_sample_units

REGISTERED = at("2026-03-02 07:00")
# The Q1 reports are late: reminders, and escalations to heads and supervisors.
FIRST, LATER, NEXT_DAY = at("2026-04-14 08:00"), at("2026-04-14 10:00"), at("2026-04-15 08:00")
PEOPLE = [("QNG-MD-DTAN", Role.OFFICER, "o1"), ("QNG-MD-DTAN", Role.HEAD, "h1"),
          ("QNG-MD-DPHONG", Role.OFFICER, "o2"), ("QNG-MD-DPHONG", Role.HEAD, "h2"),
          ("QNA-NS-QLOC", Role.OFFICER, "o3"), ("QNG-MD", Role.SUPERVISOR, "s1"),
          ("QNA", Role.SUPERVISOR, "s2"), ("QNA-NS", Role.SUPERVISOR, "s3")]

Change = Callable[[Session], None]


def add_member(code: str, role: str, user: str) -> Change:
    def add(session: Session) -> None:
        session.add(Member(unit_id=unit_by_code(session, code=code).id, role=role,
                           platform="telegram", platform_user_id=user, chat_id=user,
                           joined_at=REGISTERED))
    return add


def set_member(user: str, **fields: object) -> Change:
    def change(session: Session) -> None:
        member = session.exec(select(Member).where(Member.platform_user_id == user)).one()
        for name, value in fields.items():
            setattr(member, name, value)
        session.add(member)
    return change


def officer_away(session: Session) -> None:
    """o1 is away from today; the unit's head stands in."""
    officer = session.exec(select(Member).where(Member.platform_user_id == "o1")).one()
    declared = declare_absence(session, member=officer, starts=LATER.date(),
                               ends=LATER.date() + dt.timedelta(days=3), substitute=None,
                               created_by="test", now=LATER, calendar=WorkCalendar())
    assert declared.absence is not None, declared.problem


def unit_moved(session: Session) -> None:
    """A late commune moves to another district: its escalations go to that district's office."""
    upsert_units(session, rows=[("QNG-MD-DPHONG", "UBND xã Đức Phong", "commune", "QNA-NS")],
                 now=LATER)


class Twins:
    """The same units and people in two databases: one remembering, one planned from scratch."""

    def __init__(self, remembering_url: str, scratch_url: str) -> None:
        self.remembering, self.scratch = make_engine(remembering_url), make_engine(scratch_url)
        for engine in (self.remembering, self.scratch):
            load_sample_units(engine, REGISTERED, before_reform=True)
            for code, role, user in PEOPLE:
                with session_scope(engine) as session:
                    add_member(code, role, user)(session)

    def change(self, change: Change) -> None:
        for engine in (self.remembering, self.scratch):
            with session_scope(engine) as session:
                change(session)

    def tick(self, now: dt.datetime, catalog, calendar) -> tuple[PlanResult, PlanResult]:
        """A tick of a fresh planner, and the same tick planned from scratch."""
        with session_scope(self.remembering) as session:
            fresh = Planner(catalog, calendar).tick(session, now=now, commit=True)
        with session_scope(self.scratch) as session:
            scratch = plan(session, now=now, catalog=catalog, calendar=calendar)
        return fresh, scratch

    def outboxes(self) -> tuple[list, list]:
        return outbox(self.remembering), outbox(self.scratch)

    def close(self) -> None:
        self.remembering.dispose()
        self.scratch.dispose()


def outbox(engine) -> list[tuple]:
    with Session(engine) as session:
        return sorted((r.unique_key, r.member_id, r.chat_id, r.kind, r.obligation_id,
                       json.dumps(r.payload, sort_keys=True), r.state)
                      for r in session.exec(select(Outbox)))


@pytest.fixture
def twins(database_url, second_database_url):
    made = Twins(database_url, second_database_url)
    yield made
    made.close()


def test_a_fresh_planner_after_a_committed_tick_queues_nothing_and_reads_no_outbox(
        twins, catalog, calendar):
    fresh, scratch = twins.tick(FIRST, catalog, calendar)
    assert fresh == scratch and fresh.messages_queued > 10
    statements: list[str] = []
    event.listen(twins.remembering, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    with session_scope(twins.remembering) as session:
        again = Planner(catalog, calendar).tick(session, now=LATER, commit=True)
    assert again == PlanResult(0, 0)
    # What it skipped it did not even look up: no key was checked against the outbox.
    assert not [s for s in statements if "outbox" in s.lower()]
    assert twins.outboxes()[0] == twins.outboxes()[1]


def rules_of(catalog):
    """The catalog with the quarterly report's reminders sent to the unit's head: the same
    stages under the same names, to other people."""
    duties = tuple(d.model_copy(update={"recipient": Role.HEAD})
                   if d.key == "quarterly_report" else d for d in catalog.duties)
    return catalog.model_copy(update={"duties": duties})


def day_off(calendar: WorkCalendar) -> WorkCalendar:
    """The calendar with the Q1 reports' due day declared a day off, after the fact."""
    return WorkCalendar(amendments=Amendments(days=(
        Amendment(dt.date(2026, 3, 31), False, "Nghỉ bù", "Thông báo 1/TB-BNV"),)))


CHANGES = {
    "a member's chat": (set_member("o1", chat_id="o1-new-phone"), False),
    "a member's role": (set_member("h2", role=Role.OFFICER), True),
    "a member joins": (add_member("QNA-NS-QLOC", Role.HEAD, "h3"), True),
    "a member leaves": (set_member("s3", active=False), True),
    "an absence": (officer_away, True),
    "a unit moves": (unit_moved, True),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_what_changed_between_two_processes_is_planned_as_from_scratch(
        twins, catalog, calendar, name):
    change, brings_messages = CHANGES[name]
    twins.tick(FIRST, catalog, calendar)
    twins.change(change)
    for now in (LATER, NEXT_DAY):
        fresh, scratch = twins.tick(now, catalog, calendar)
        assert fresh == scratch
        if now == LATER:
            assert (scratch.messages_queued > 0) == brings_messages
    assert twins.outboxes()[0] == twins.outboxes()[1]


@pytest.mark.parametrize("rules", ["catalog", "calendar"])
def test_another_catalog_or_calendar_in_the_next_process_is_planned_as_from_scratch(
        twins, catalog, calendar, rules):
    twins.tick(FIRST, catalog, calendar)
    changed = (rules_of(catalog), calendar) if rules == "catalog" else (catalog, day_off(calendar))
    for now in (LATER, NEXT_DAY):
        fresh, scratch = twins.tick(now, *changed)
        assert fresh == scratch
        if now == LATER and rules == "catalog":
            assert scratch.messages_queued > 0  # the heads' reminders
    assert twins.outboxes()[0] == twins.outboxes()[1]


def test_a_tick_that_fails_midway_leaves_no_memory_that_hides_work(
        twins, catalog, calendar, monkeypatch):
    twins.tick(FIRST, catalog, calendar)
    twins.change(add_member("QNA-NS-QLOC", Role.HEAD, "h3"))
    monkeypatch.setattr(queueing, "BATCH", 1)  # a commit after each message
    commits = []

    def cut_off() -> None:
        commits.append(1)
        if len(commits) == 2:
            raise RuntimeError("the planning process died")

    with session_scope(twins.remembering) as session, pytest.raises(RuntimeError):
        Planner(catalog, calendar, after_commit=cut_off).tick(session, now=LATER, commit=True)
    # The messages of the commits before it got through, not the others.
    assert len(outbox(twins.remembering)) == len(outbox(twins.scratch)) + len(commits)
    twins.tick(LATER, catalog, calendar)
    assert twins.outboxes()[0] == twins.outboxes()[1]


def test_a_dry_run_stores_no_memory_and_a_real_one_does(database_url, engine):
    load_sample_units(engine, REGISTERED, before_reform=True)
    with session_scope(engine) as session:
        add_member("QNG-MD-DTAN", Role.OFFICER, "o1")(session)
    dry = isobot(database_url, "plan", "--dry-run", "--json", now=FIRST)
    assert dry.exit_code == 0, dry.output
    with Session(engine) as session:
        assert load_memory(session) is None
    first = json.loads(isobot(database_url, "plan", "--json", now=FIRST).stdout)
    assert (first["obligations_created"], first["messages_queued"]) == (
        json.loads(dry.stdout)["obligations_created"], json.loads(dry.stdout)["messages_queued"])
    with Session(engine) as session:
        assert load_memory(session) is not None
    again = json.loads(isobot(database_url, "plan", "--json", now=LATER).stdout)
    assert (again["obligations_created"], again["messages_queued"]) == (0, 0)


def test_a_slower_process_never_puts_back_an_older_memory(engine):
    with session_scope(engine) as session:
        assert save_memory(session, memory={"tick": "later"}, planned_at=LATER)
    with session_scope(engine) as session:
        assert not save_memory(session, memory={"tick": "first"}, planned_at=FIRST)
    with Session(engine) as session:
        assert load_memory(session) == {"tick": "later"}
    with session_scope(engine) as session:
        assert save_memory(session, memory={"tick": "next day"}, planned_at=NEXT_DAY)
    with Session(engine) as session:
        assert load_memory(session) == {"tick": "next day"}
