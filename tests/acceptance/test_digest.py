"""The weekly digest: `isobot digest --dry-run`, queuing once a week, and delivery on Telegram."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import event
from sqlmodel import select

import storage.digests
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import load_catalog
from jobs.delivery.messages import Message
from jobs.planning.standing import legend
from jobs.supervision.digest_job import Composed, queue_weekly_digest
from jobs.text.i18n import translator
from storage.db import make_engine, session_scope
from storage.digests import digest_obligations
from storage.models import Member, Obligation, Outbox, Role
from storage.obligations import ensure_obligation
from storage.units import unit_by_code
from tests.conftest import at
from tests.support import cli
from tests.support.records import member
from tests.support.telegram import load_sample_units, start_harness

vi, en = translator("vi"), translator("en")
catalog = load_catalog()
MONDAY = at("2026-12-07 07:45")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def title(key: str, tr=vi) -> str:
    return catalog.duty(key).title.get(tr.lang)


def isobot(database_url: str, *args: str):
    return cli.isobot(database_url, *args, now=MONDAY)


def owe(session, unit: str, duty: str, period: str, due: str, done: str | None = None) -> None:
    obligation, _ = ensure_obligation(session, unit_id=unit_by_code(session, code=unit).id,
                                      duty_key=duty, period=period,
                                      due=dt.date.fromisoformat(due), now=at("2026-01-05 08:00"))
    if done:
        obligation.status, obligation.done_at = "done", at(done)
        session.add(obligation)


@pytest.fixture
def seeded(database_url):
    """Mộ Đức district: Đức Tân has news, Đức Phong none, the town an old overdue audit."""
    engine = make_engine(database_url)
    load_sample_units(engine, at("2026-01-02 08:00"), before_reform=True)
    with session_scope(engine) as session:
        member(session, "QNG-MD-DTAN", Role.OFFICER, 1001, "Lan")
        member(session, "QNG-MD-DTAN", Role.HEAD, 1002, "Minh", lang="en")
        member(session, "QNG-MD-DPHONG", Role.OFFICER, 1003, "Hoa")
        member(session, "QNG-MD", Role.SUPERVISOR, 2001, "Hùng")
        member(session, "QNA-NS", Role.SUPERVISOR, 2002, "Nam")  # a quiet subtree

        owe(session, "QNG-MD-DTAN", "management_review", "2026", "2026-11-30")  # 7 days late
        owe(session, "QNG-MD-DTAN", "annual_report", "2026", "2026-12-07")  # due today
        owe(session, "QNG-MD-DTAN", "giao_ban", "2026-11", "2026-11-30",
            done="2026-12-02 09:00")  # done last week, late
        owe(session, "QNG-MD-DTAN", "quarterly_report", "2026-Q3", "2026-10-15",
            done="2026-10-14 09:00")  # on time
        owe(session, "QNG-MD-DPHONG", "quarterly_report", "2026-Q4", "2026-12-15")  # not yet
        owe(session, "QNG-MD-TT", "internal_audit", "2026", "2026-11-02")  # 35 days late
        owe(session, "QNA-NS-QLOC", "quarterly_report", "2026-Q4", "2026-12-15")
    yield engine
    engine.dispose()


def sections(output: str) -> dict[str, str]:
    """The dry run's output, one section per recipient, keyed by its header line."""
    found: dict[str, str] = {}
    header = None
    for line in output.splitlines():
        if line.startswith("=== "):
            header = line[4:]
            found[header] = ""
        elif header is not None:
            found[header] += line + "\n"
    return found


def attachments(section: str) -> list[tuple[str, str, int]]:
    """The (file name, kind, size) of each attachment line of a dry run's section."""
    pattern = (re.escape(vi._("Attachment: {name} ({kind}, {size} bytes)"))
               .replace(r"\{name\}", r"(?P<name>\S+)").replace(r"\{kind\}", r"(?P<kind>\w+)")
               .replace(r"\{size\}", r"(?P<size>[\d.,\s]+?)"))
    return [(m["name"], m["kind"], int(re.sub(r"\D", "", m["size"])))
            for m in re.finditer(pattern, section)]


def test_dry_run_lists_each_officers_and_supervisors_digest_and_changes_nothing(
        database_url, seeded):
    result = isobot(database_url, "digest", "--now", "2026-12-07T07:45", "--dry-run")
    assert result.exit_code == 0, result.output
    found = sections(result.stdout)
    assert list(found) == [
        "officer · QNG-MD-DTAN · Lan (telegram:1001)",
        "head · QNG-MD-DTAN · Minh (telegram:1002)",
        "supervisor · QNG-MD · Hùng (telegram:2001)",
    ]
    officer = found["officer · QNG-MD-DTAN · Lan (telegram:1001)"]
    assert officer.startswith(vi._("📋 WEEKLY ISO DIGEST: {unit}").format(unit="UBND xã Đức Tân"))
    assert vi._("⚠️ Overdue ({n}):").format(n=1) in officer
    assert title("management_review") in officer
    assert vi._("📅 Due this week ({n}):").format(n=1) in officer
    assert title("annual_report") in officer
    assert vi._("✅ Done last week ({n}):").format(n=1) in officer
    assert title("giao_ban") in officer
    assert title("quarterly_report") not in officer
    assert attachments(officer) == []

    head = found["head · QNG-MD-DTAN · Minh (telegram:1002)"]
    assert head.startswith("📋 WEEKLY ISO DIGEST: UBND xã Đức Tân")  # in his language

    supervisor = found["supervisor · QNG-MD · Hùng (telegram:2001)"]
    assert supervisor.startswith(vi._("📊 WEEKLY ISO DIGEST: {unit} and the units below it")
                                 .format(unit="UBND huyện Mộ Đức"))
    top = supervisor.index(vi._("⚠️ Most overdue ({n} overdue in all):").format(n=2))
    assert top < supervisor.index("1. UBND thị trấn Mộ Đức") < supervisor.index(
        "2. UBND xã Đức Tân")
    assert f"• {title('quarterly_report')}: 1 / 0 / 0 / 1" in supervisor
    assert vi._("✅ Completed in the last 7 days: {n}").format(n=1) in supervisor
    files = attachments(supervisor)
    assert [(name, kind) for name, kind, _size in files] == [
        ("iso-digest-QNG-MD-2026-W50.png", "photo"),
        ("iso-digest-QNG-MD-2026-W50.xlsx", "document")]
    assert all(size > 1000 for _name, _kind, size in files)

    assert "Hoa" not in result.stdout and "Nam" not in result.stdout  # nothing to report
    assert result.stdout.rstrip().endswith(vi.ngettext(
        "{n} message would be queued; nothing was changed.",
        "{n} messages would be queued; nothing was changed.", 3).format(n=3))
    with session_scope(seeded) as session:
        assert session.exec(select(Outbox)).all() == []


def test_queuing_twice_queues_one_digest_per_person(database_url, seeded):
    calendar = WorkCalendar()
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-07 07:29"), catalog=catalog,
                                   calendar=calendar) == 0
        assert queue_weekly_digest(session, now=MONDAY, catalog=catalog, calendar=calendar) == 3
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=MONDAY + dt.timedelta(minutes=5),
                                   catalog=catalog, calendar=calendar) == 0
    with session_scope(seeded) as session:
        rows = session.exec(select(Outbox).order_by(Outbox.id)).all()
        people = {session.get(Member, r.member_id).display_name: r for r in rows}
    assert sorted(people) == ["Hùng", "Lan", "Minh"]  # not Hoa, not Nam: nothing to report
    assert {r.unique_key for r in rows} == {
        f"digest:2026-W50:{r.member_id}" for r in rows}
    assert all(r.kind == "digest" and r.state == "pending" for r in rows)
    assert all(r.next_attempt_at == MONDAY for r in rows)

    digest = Message.from_payload(people["Hùng"].payload)
    photo, document = digest.attachments
    assert (photo.kind, document.kind) == ("photo", "document")
    assert photo.content.startswith(PNG_SIGNATURE)
    Image.open(io.BytesIO(photo.content)).verify()
    sheet = load_workbook(io.BytesIO(document.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    body, legend_rows = rows[:6], rows[7:]
    assert sorted((r[0], r[5]) for r in body) == sorted([
        ("QNG-MD-DPHONG", "Chưa đến hạn"),
        ("QNG-MD-DTAN", "Đúng hạn"),
        ("QNG-MD-DTAN", "Trễ hạn"),
        ("QNG-MD-DTAN", "Chưa đến hạn"),
        ("QNG-MD-DTAN", "Quá hạn"),
        ("QNG-MD-TT", "Quá hạn"),
    ])
    assert rows[6] == (None,) * 7 and [r[0] for r in legend_rows] == legend(vi)
    assert Message.from_payload(people["Lan"].payload).attachments == ()
    assert Message.from_payload(people["Minh"].payload).lang == "en"

    # The CLI agrees: everything is queued already.
    result = isobot(database_url, "digest", "--now", "2026-12-07T08:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == vi.ngettext(
        "{n} message queued; the running bot will send it.",
        "{n} messages queued; the running bot will send them.", 0).format(n=0)
    # Next week is another week, and Đức Phong's quarterly report (15 December) falls in it.
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-14 07:30"), catalog=catalog,
                                   calendar=calendar) == 4


def test_someone_who_joins_on_monday_gets_the_digest_at_the_next_step_and_nobody_twice(
        database_url, seeded):
    calendar = WorkCalendar()
    with session_scope(seeded) as session:  # this week, every reader has something to read
        owe(session, "QNG-MD-DPHONG", "management_review", "2026", "2026-11-30")
        owe(session, "QNA-NS-QLOC", "management_review", "2026", "2026-11-30")
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=MONDAY, catalog=catalog, calendar=calendar) == 5
    statements: list[str] = []
    event.listen(seeded, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: statements.append(statement.lower()))
    # Every step of the Monday after that finds everyone served, and reads no obligation for
    # nobody (a national digest's 250,000 were the planning process's peak).
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-07 08:00"), catalog=catalog,
                                   calendar=calendar) == 0
    assert statements and not [s for s in statements if re.search(r"\bobligation\b", s)]

    with session_scope(seeded) as session:  # a second officer of Đức Tân, a second supervisor
        member(session, "QNG-MD-DTAN", Role.OFFICER, 1004, "Thu")
        member(session, "QNG-MD", Role.SUPERVISOR, 2003, "Bình")
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-07 09:00"), catalog=catalog,
                                   calendar=calendar) == 2
        assert queue_weekly_digest(session, now=at("2026-12-07 09:05"), catalog=catalog,
                                   calendar=calendar) == 0
        rows = session.exec(select(Outbox).order_by(Outbox.id)).all()
        people = {session.get(Member, r.member_id).display_name: r for r in rows}
    assert sorted(people) == ["Bình", "Hoa", "Hùng", "Lan", "Minh", "Nam", "Thu"]
    digests = {name: Message.from_payload(row.payload) for name, row in people.items()}
    assert digests["Thu"] == digests["Lan"]  # their unit's week, as Lan had it at 07:45
    assert digests["Bình"].text == digests["Hùng"].text

    def table(digest: Message) -> list[tuple]:
        sheet = load_workbook(io.BytesIO(digest.attachments[1].content)).active
        return list(sheet.iter_rows(values_only=True))
    assert table(digests["Bình"]) == table(digests["Hùng"])


def test_a_reader_with_nothing_to_say_is_composed_for_once_a_week(database_url, seeded):
    calendar, composed = WorkCalendar(), Composed()  # the bot's planning process remembers
    with session_scope(seeded) as session:  # Hoa and Nam have nothing to report
        assert queue_weekly_digest(session, now=MONDAY, catalog=catalog, calendar=calendar,
                                   composed=composed) == 3
    statements: list[str] = []
    event.listen(seeded, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_: statements.append(statement.lower()))
    # The rest of the Monday's steps read no obligation for them again (a national Monday
    # composed 50,000 empty digests every minute, all day).
    with session_scope(seeded) as session:
        owe(session, "QNG-MD-DPHONG", "management_review", "2026", "2026-11-30")
    statements.clear()
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-07 08:00"), catalog=catalog,
                                   calendar=calendar, composed=composed) == 0
    assert statements and not [s for s in statements if re.search(r"\bobligation\b", s)]

    with session_scope(seeded) as session:  # someone who joins is composed for at once
        member(session, "QNG-MD-DTAN", Role.OFFICER, 1004, "Thu")
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-07 09:00"), catalog=catalog,
                                   calendar=calendar, composed=composed) == 1
    # A bot started afresh composes for Hoa and Nam once more, and now Hoa's unit is overdue.
    with session_scope(seeded) as session:
        assert queue_weekly_digest(session, now=at("2026-12-07 10:00"), catalog=catalog,
                                   calendar=calendar, composed=Composed()) == 1
        names = {session.get(Member, r.member_id).display_name
                 for r in session.exec(select(Outbox)).all()}
    assert names == {"Hùng", "Lan", "Minh", "Thu", "Hoa"}


def test_the_cli_queues_the_digest_for_the_running_bot(database_url, seeded):
    result = isobot(database_url, "digest", "--now", "2026-12-07T07:45")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == vi.ngettext(
        "{n} message queued; the running bot will send it.",
        "{n} messages queued; the running bot will send them.", 3).format(n=3)
    with session_scope(seeded) as session:
        assert len(session.exec(select(Outbox)).all()) == 3
        # The scheduler's run at the moment finds them queued.
        assert queue_weekly_digest(session, now=MONDAY, catalog=catalog,
                                   calendar=WorkCalendar()) == 0
    again = isobot(database_url, "digest", "--now", "2026-12-07T07:50", "--dry-run")
    assert vi._("(already queued)") in again.stdout
    assert again.stdout.rstrip().endswith(vi.ngettext(
        "{n} message would be queued; nothing was changed.",
        "{n} messages would be queued; nothing was changed.", 0).format(n=0))


def test_a_digest_caught_up_at_night_waits_for_the_office_to_open(database_url, seeded):
    with session_scope(seeded) as session:  # the bot was down from Monday 07:00 to 20:00
        assert queue_weekly_digest(session, now=at("2026-12-07 20:00"), catalog=catalog,
                                   calendar=WorkCalendar()) == 3
        rows = session.exec(select(Outbox)).all()
    assert {r.next_attempt_at for r in rows} == {at("2026-12-08 08:00")}
    with session_scope(seeded) as session:  # down for more than a day: that week is skipped
        assert queue_weekly_digest(session, now=at("2026-12-15 09:00"), catalog=catalog,
                                   calendar=WorkCalendar()) == 0


def test_a_bad_now_is_refused(database_url):
    result = isobot(database_url, "digest", "--now", "next monday", "--dry-run")
    assert result.exit_code == 2
    assert "2026-11-23T08:00" in result.stderr


SUPERVISOR, OFFICER = 2001, 1001


async def test_a_supervisor_on_telegram_receives_the_digest_chart_and_table(engine):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    bot = await start_harness(engine, catalog, at("2026-12-04 10:00"))
    try:
        await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
        await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
        with session_scope(engine) as session:  # Đức Tân held its review on 1 December
            review = session.exec(select(Obligation).where(
                Obligation.unit_id == unit_by_code(session, code="QNG-MD-DTAN").id,
                Obligation.duty_key == "management_review")).one()
            review.status, review.done_at = "done", at("2026-12-01 15:00")
            session.add(review)
        bot.clock.set(at("2026-12-07 07:29"))
        assert await bot.tick_and_collect(SUPERVISOR) == []

        bot.clock.set(at("2026-12-07 07:31"))
        delivered = await bot.tick_and_collect(SUPERVISOR)
        texts = [m for m in delivered if m.get("text")]
        photos = [m for m in delivered if m.get("photo")]
        documents = [m for m in delivered if m.get("document")]
        assert (len(photos), len(documents)) == (1, 1)
        assert delivered.index(photos[0]) > delivered.index(texts[-1])  # text first
        text = "".join(m["text"] for m in texts)
        assert text.startswith(vi._("📊 WEEKLY ISO DIGEST: {unit} and the units below it")
                               .format(unit="UBND huyện Mộ Đức"))
        # Six units of Mộ Đức owe the review due 30 November; Đức Tân did it a day late, the
        # five others have not: done late 1, overdue 5.
        assert f"• {title('management_review')}: 0 / 1 / 5 / 0" in text
        assert "UBND xã Đức Phong" in text
        assert vi._("✅ Completed in the last 7 days: {n}").format(n=1) in text

        png = bot.sandbox.file_content(photos[0]["photo"][-1]["file_id"])
        assert png.startswith(PNG_SIGNATURE)
        document = documents[0]["document"]
        assert document["file_name"] == "iso-digest-QNG-MD-2026-W50.xlsx"
        sheet = load_workbook(io.BytesIO(bot.sandbox.file_content(document["file_id"]))).active
        reviews = [r for r in sheet.iter_rows(min_row=2, values_only=True)
                   if r[2] == title("management_review")]
        assert sorted(r[5] for r in reviews) == ["Quá hạn"] * 5 + ["Trễ hạn"]

        # The officer's week came too; nothing more on the next ticks.
        officer = await bot.sandbox.next_message(OFFICER, timeout=10)
        assert officer["text"].startswith(vi._("📋 WEEKLY ISO DIGEST: {unit}").format(
            unit="UBND xã Đức Tân"))
        bot.clock.set(at("2026-12-07 07:36"))
        assert await bot.tick_and_collect(SUPERVISOR) == []
    finally:
        await bot.runtime.stop()
        await bot.sandbox.stop()


def test_obligations_read_a_few_units_at_a_time_come_as_one_query_brings_them(
        seeded, monkeypatch):
    # A national digest's late readers may need tens of thousands of units: SQLite takes a few
    # hundred bound parameters per statement at most, so they go in chunks (here 2 units).
    monkeypatch.setattr(storage.digests, "UNITS_PER_QUERY", 2)
    since = at("2026-11-30 00:00")
    with session_scope(seeded) as session:
        everything = list(digest_obligations(session, due_from=dt.date(2026, 1, 1),
                                             done_since=since))
        units = {row.unit_id for row in everything}
        chunked = list(digest_obligations(session, due_from=dt.date(2026, 1, 1),
                                          done_since=since, unit_ids=units | {-1}))
        first = min(units)
        one = list(digest_obligations(session, due_from=dt.date(2026, 1, 1), done_since=since,
                                      unit_ids=[first]))
    assert len(units) > 2 and chunked == everything
    assert one == [row for row in everything if row.unit_id == first]
