"""The set-based planner decides exactly what the old per-unit planner decided, over a year.

Two databases live through the same year of the sample units: officers, heads and supervisors,
linked Telegram and Zalo accounts, duties done and re-dated, a directive, a legal document, a
merger, a unit moved and one added, people joining, leaving and choosing a messenger between
two ticks. One is planned by the old algorithm (tests/support/reference_planner.py), the other
by the bot's :class:`jobs.planning.planner.Planner`, which remembers what it did from tick to tick
(and once restarts with only what it stored in the database; or restarts at every tick). Every
tick must report the same counts, and at the end the obligations and the outbox must be the
same row for row (obligation ids aside: the two create obligations in another order, so they
are compared by unit, duty and period).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from jobs.planning.planner import Planner
from storage.db import make_engine, session_scope
from storage.models import Member, Obligation, Outbox, Role, Unit
from storage.obligations import complete_obligation
from storage.units import unit_by_code, upsert_units
from tests.conftest import at
from tests.support import records, reference_planner
from tests.support.cli import isobot
from tests.support.telegram import load_sample_units

REGISTERED = at("2025-10-01 07:00")
# Units whose officers never report anything: their duties go overdue and escalate.
IDLE = {"QNG-MD-DPHONG", "QNA-NS-QLOC", "AGG-STP"}


class World:
    """One database living through the year, planned by one of the two planners."""

    def __init__(self, url: str, catalog, calendar, planner: Callable) -> None:
        self.url, self.engine = url, make_engine(url)
        self.catalog, self.calendar, self.planner = catalog, calendar, planner
        self.results: list[tuple] = []

    def tick(self, now: dt.datetime) -> None:
        with session_scope(self.engine) as session:
            result = self.planner(session, now)
        self.results.append((now, result.obligations_created, result.messages_queued))

    def change(self, action: Callable[[Session, dt.datetime], None], now: dt.datetime) -> None:
        with session_scope(self.engine) as session:
            action(session, now)

    def cli(self, now: dt.datetime, *args: str) -> None:
        result = isobot(self.url, *args, now=now)
        assert result.exit_code == 0, result.output


def old_planner(catalog, calendar) -> Callable:
    return lambda session, now: reference_planner.plan(session, now=now, catalog=catalog,
                                                       calendar=calendar)


class NewPlanner:
    """The bot's planner, one tick after another; on :data:`RESTART` a new one, as after a
    restart of the bot, which has only what the last tick stored. ``restarting``: a new one at
    every tick, as `isobot plan` from cron would plan."""

    def __init__(self, catalog, calendar, *, restarting: bool = False) -> None:
        self.catalog, self.calendar, self.restarting = catalog, calendar, restarting
        self.planner = Planner(catalog, calendar)

    def __call__(self, session: Session, now: dt.datetime):
        if now == RESTART or self.restarting:
            self.planner = Planner(self.catalog, self.calendar)
        return self.planner.tick(session, now=now, commit=True)


RESTART = at("2026-09-01 08:00")


# What happens between ticks: (when, what), applied to both worlds alike.

def member(code: str, role: str, user: str, *, platform: str = "telegram", lang: str = "vi",
           person: str | None = None, receives: bool = True) -> Callable:
    def add(session: Session, now: dt.datetime) -> None:
        unit = unit_by_code(session, code=code)
        person_id = None
        if person is not None:
            person_id = session.exec(select(Member.id).where(
                Member.platform_user_id == person)).first()
        session.add(Member(unit_id=unit.id, role=role, platform=platform,
                           platform_user_id=user, chat_id=user, language=lang, joined_at=now,
                           person_id=person_id, receives_reminders=receives))
    return add


def set_member(user: str, **fields: object) -> Callable:
    def change(session: Session, now: dt.datetime) -> None:
        for row in session.exec(select(Member).where(Member.platform_user_id == user)):
            for name, value in fields.items():
                setattr(row, name, value)
            session.add(row)
    return change


def complete_all_but_idle(session: Session, now: dt.datetime) -> None:
    """Officers who do their job report everything that is due within a week."""
    horizon = now.date() + dt.timedelta(days=7)
    for obligation, unit in session.exec(
            select(Obligation, Unit).join(Unit).where(Obligation.status == "open",
                                                      Obligation.due <= horizon)):
        if unit.code not in IDLE:
            complete_obligation(session, obligation=obligation, event_id=1, now=now)


def redate(code: str, duty: str, period: str, due: dt.date) -> Callable:
    def change(session: Session, now: dt.datetime) -> None:
        obligation = session.exec(select(Obligation).where(
            Obligation.unit_id == unit_by_code(session, code=code).id,
            Obligation.duty_key == duty, Obligation.period == period)).one()
        records.redate(session, obligation=obligation, due=due)
    return change


def units(*rows: tuple[str, str, str, str | None]) -> Callable:
    return lambda session, now: upsert_units(session, rows=list(rows), now=now)


def people() -> list[Callable]:
    """Who is registered before the year starts."""
    codes = ["QNG", "QNG-MD", "QNG-MD-KTHT", "QNG-MD-VP", "QNG-MD-TT", "QNG-MD-DTAN",
             "QNG-MD-DPHONG", "QNA", "QNA-NS", "QNA-NS-VP", "QNA-NS-QTRUNG", "QNA-NS-QLOC",
             "AGG", "AGG-SKHCN", "AGG-STP", "AGG-THPT-LX", "AGG-THPT-TNH", "KGG", "KGG-SKHCN",
             "KGG-TDC", "KGG-UMT", "KGG-UMT-TYEN", "KGG-UMT-MTHUAN", "KGG-AM"]  # KGG-AM-TT: none
    officers = [member(code, Role.OFFICER, f"o{i}", lang="en" if i % 7 == 3 else "vi")
                for i, code in enumerate(codes)]
    return [
        *officers,
        member("QNG-MD-DPHONG", Role.OFFICER, "z-o6", platform="zalo", person="o6",
               receives=False),  # linked: reminders on Telegram only
        member("QNG-MD-DTAN", Role.HEAD, "h1"), member("AGG-STP", Role.HEAD, "h2"),
        member("AGG-STP", Role.HEAD, "z-h2", platform="zalo", person="h2"),  # both messengers
        member("KGG-UMT-TYEN", Role.HEAD, "h3", lang="en"),
        member("QNG-MD", Role.SUPERVISOR, "s1"), member("QNA", Role.SUPERVISOR, "s2"),
        member("QNA", Role.SUPERVISOR, "z-s2", platform="zalo", person="s2"),
        member("AGG", Role.SUPERVISOR, "s3"), member("KGG-SKHCN", Role.SUPERVISOR, "s4"),
    ]


def events() -> dict[dt.datetime, Callable]:
    """Changes at 10:00 on working days, each followed by ticks at 10:30 and 16:59."""
    return {
        at("2026-01-05 10:00"): complete_all_but_idle,
        at("2026-02-10 10:00"): member("QNA-NS", Role.SUPERVISOR, "s5"),  # nearer than QNA's
        at("2026-03-03 10:00"): set_member("o6", receives_reminders=False),  # Zalo only now
        at("2026-03-04 10:00"): set_member("z-o6", receives_reminders=True),
        at("2026-03-05 10:00"): redate("QNG-MD-TT", "quarterly_report", "2026-Q1",
                                       dt.date(2026, 3, 27)),
        # Back into its group after that group's 7-day reminder went out: it gets it now.
        at("2026-03-10 10:00"): redate("QNG-MD-TT", "quarterly_report", "2026-Q1",
                                       dt.date(2026, 3, 16)),
        at("2026-03-02 10:00"): complete_all_but_idle,
        at("2026-04-01 10:00"): complete_all_but_idle,
        at("2026-05-12 10:00"): units(("QNG-MD-DMINH", "UBND xã Đức Minh", "commune", "QNG-MD")),
        at("2026-05-13 10:00"): member("QNG-MD-DMINH", Role.OFFICER, "o99"),
        at("2026-06-16 10:00"): set_member("z-o6", active=False),  # blocked the bot on Zalo
        at("2026-07-01 10:00"): complete_all_but_idle,
        at("2026-08-03 10:00"): complete_all_but_idle,
        at("2026-08-18 10:00"): set_member("o3", language="vi"),
        at("2026-09-15 10:00"): set_member("s4", active=False),  # KGG's office now has nobody
        at("2026-10-01 10:00"): complete_all_but_idle,
        at("2026-11-02 10:00"): complete_all_but_idle,
        # A late commune is moved to another district: its escalations go to that district's
        # standing office from now on.
        at("2026-10-05 10:00"): units(("QNG-MD-DPHONG", "UBND xã Đức Phong", "commune",
                                       "QNA-NS")),
        at("2026-11-10 10:00"): member("QNA-NS-QLOC", Role.HEAD, "h4"),
        at("2026-12-01 10:00"): complete_all_but_idle,
    }


def operator_commands() -> dict[dt.datetime, tuple[str, ...]]:
    """What the operator does, through the command line, at 10:00 on working days."""
    return {
        at("2026-04-06 10:00"): ("directive", "send", "--text", "Gửi hồ sơ công bố HTQLCL",
                                 "--kind", "commune", "--under", "QNG", "--due", "2026-04-17"),
        at("2026-06-02 10:00"): ("legal", "add", "--number", "15/2026/NĐ-CP", "--title",
                                 "Nghị định về kiểm soát thủ tục hành chính", "--effective",
                                 "2026-07-01", "--kind", "commune"),
        at("2026-07-07 10:00"): ("units", "merge", "--from", "QNA-NS-QLOC", "--into",
                                 "QNA-NS-QTRUNG"),
    }


def moments(calendar) -> list[dt.datetime]:
    """Every other working day at opening time (the days between are the bot's downtime), more
    ticks on the days something happens, some at night and on days off, and the restart."""
    days = [dt.date(2026, 1, 2) + dt.timedelta(days=n) for n in range(364)]
    ticks = [calendar.send_slot(day) for day in days if calendar.is_working_day(day)][::2]
    busy = {m.date() for m in [*events(), *operator_commands()]}
    ticks += [at(f"{day.isoformat()} {time}") for day in busy for time in ("10:30", "20:00")]
    ticks += [at("2026-01-03 09:00"), at("2026-04-30 09:00"), at("2026-09-01 00:05"), RESTART]
    return sorted(set(ticks))


def live_through_the_year(world: World) -> None:
    load_sample_units(world.engine, REGISTERED, before_reform=True)
    for add in people():
        world.change(add, REGISTERED)
    changes = {**{m: ("change", a) for m, a in events().items()},
               **{m: ("cli", a) for m, a in operator_commands().items()}}
    for now in sorted(set(moments(world.calendar)) | set(changes)):
        if now in changes:
            how, what = changes[now]
            if how == "change":
                world.change(what, now)
            else:
                world.cli(now, *what)
        else:
            world.tick(now)


def obligations_and_outbox(engine) -> tuple[list, list, dict]:
    """Both tables, with obligation ids replaced by (unit, duty, period); and what each officer
    and head was sent, in the order it was queued (the order they receive it in)."""
    with Session(engine) as session:
        rows = session.exec(select(Obligation, Unit.code).join(Unit)).all()
        name = {o.id: f"{code}/{o.duty_key}/{o.period}" for o, code in rows}
        obligations = sorted((name[o.id], o.due, o.status, o.source, o.source_ref, o.note,
                              o.created_at, o.done_at) for o, _ in rows)
        queued = session.exec(select(Outbox).order_by(Outbox.id)).all()
        outbox = sorted((_named(r.unique_key, name), r.member_id, r.platform, r.chat_id, r.kind,
                         name.get(r.obligation_id), _named_payload(r.payload, name), r.state,
                         r.next_attempt_at, r.created_at) for r in queued)
        roles = dict(session.exec(select(Member.id, Member.role)).all())
    in_order: dict[int, list[str]] = {}
    for row in queued:
        if roles[row.member_id] != Role.SUPERVISOR:  # a supervisor's units may interleave
            in_order.setdefault(row.member_id, []).append(_named(row.unique_key, name))
    return obligations, outbox, in_order


def _named(text: str, name: dict[int, str]) -> str:
    """``123:2026-03-16:due:7`` as ``QNG-MD-TT/quarterly_report/2026-Q1:2026-03-16:due:7``."""
    head, _, rest = text.partition(":")
    return f"{name[int(head)]}:{rest}" if head.isdigit() else text


def _named_payload(payload: dict, name: dict[int, str]) -> str:
    choices = [[re.sub(r":(\d+)$", lambda m: ":" + name[int(m[1])], c), label]
               for c, label in payload.get("choices", [])]
    return repr(sorted({**payload, "choices": choices}.items()))


@pytest.mark.parametrize("restarting", [False, True], ids=["one process", "a process a tick"])
def test_a_year_of_ticks_gives_what_the_old_planner_gave(database_url, second_database_url,
                                                         catalog, calendar, restarting):
    old = World(database_url, catalog, calendar, old_planner(catalog, calendar))
    new = World(second_database_url, catalog, calendar,
                NewPlanner(catalog, calendar, restarting=restarting))
    for world in (old, new):
        live_through_the_year(world)
        world.engine.dispose()

    assert new.results == old.results
    old_obligations, old_outbox, old_order = obligations_and_outbox(old.engine)
    new_obligations, new_outbox, new_order = obligations_and_outbox(new.engine)
    assert new_obligations == old_obligations
    assert new_outbox == old_outbox
    assert new_order == old_order
    # The year was eventful: every kind of message went out, and duties were done and late.
    assert {row[4] for row in new_outbox} >= {"reminder", "escalation", "directive"}
    assert sum(queued for _, _, queued in new.results) > 1000
    assert {row[2] for row in new_obligations} == {"open", "done", "cancelled"}
