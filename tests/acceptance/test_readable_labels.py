"""What people read names things as people do: official numbers, periods as Vietnamese write
them, one meaning of "Trễ hạn" — never a database id or a period code (issue 12, part 3).

A year of the sample units, with the provinces' catalogs configured: a directive with an official
number and one without, a legal document, a new officer, an internal audit with nonconformities,
a QMS built. Everything a person reads of it — every message the planner and the broadcasts
queued, the dry run of the digest, every .ics file, every cell of the compliance table, the
obligations sheet and the digest's sheet — is searched for an internal id or a period code.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlmodel import select

from bot.features.exports import unit_calendar
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import load_catalogs
from jobs.delivery.messages import Message
from jobs.evidence.submissions import Submission, log_submission
from jobs.planning.duty_events import officer_joined
from jobs.planning.planner import plan
from jobs.planning.standing import legend
from jobs.supervision.digest import Week
from jobs.supervision.digest_job import build_weekly_digest
from jobs.text.i18n import translator
from storage.db import make_engine, session_scope
from storage.models import Member, Obligation, Outbox, Role, Unit
from storage.units import unit_by_code
from tests.conftest import at
from tests.support import cli
from tests.support.records import member
from tests.support.telegram import load_sample_units

PROVINCES = Path(__file__).resolve().parents[2] / "catalogs" / "provinces.yaml"
ENV = {"ISOBOT_PROVINCE_CATALOGS": str(PROVINCES)}
# A database id (T-5, VB-3, CD-12), a quarter's code (2026-Q4) or a month's (2026-12).
INTERNAL = re.compile(r"\b(?:T|VB|CD)-\d|\b\d{4}-Q\d|\b\d{4}-(?:0[1-9]|1[0-2])\b(?!-\d)")
vi = translator("vi")
catalog = load_catalogs(provinces=PROVINCES)
calendar = WorkCalendar()
NEW_OFFICER = "Trần Thị Mai"


def isobot(database_url: str, *args: str, now: dt.datetime):
    result = cli.isobot(database_url, *args, now=now, env=ENV)
    assert result.exit_code == 0, result.output
    return result


def everyone(engine) -> None:
    """An officer and a head in every unit; the standing offices of the districts and provinces."""
    with session_scope(engine) as session:
        units = session.exec(select(Unit).order_by(Unit.code)).all()
        for i, unit in enumerate(units):
            member(session, unit.code, Role.OFFICER, 1000 + i, f"Cán bộ {i}")
            member(session, unit.code, Role.HEAD, 3000 + i, f"Thủ trưởng {i}")
            if unit.kind in ("province", "district"):
                member(session, unit.code, Role.SUPERVISOR, 5000 + i, f"Thường trực {i}")


def tick(engine, moment: dt.datetime) -> None:
    with session_scope(engine) as session:
        plan(session, now=moment, catalog=catalog, calendar=calendar)


def a_year(database_url: str, engine) -> None:
    """The sample units' 2026 with what creates duties, planned at office opening on the first
    and the third Monday of each month and on the day of each event: the planner sends the
    latest reminder of each kind it missed, so these ticks give every kind of message that
    daily ticks give, at a fraction of the time."""
    events = {
        dt.date(2026, 2, 2): lambda now: isobot(
            database_url, "directive", "send", "--number", "Số: 1699 /UBND-TH", "--under", "AGG",
            "--all", "--due", "2026-02-27", "--text",
            "Gửi hồ sơ duy trì HTQLCL về Sở Khoa học và Công nghệ.\nKèm báo cáo năm.", now=now),
        dt.date(2026, 2, 10): lambda now: isobot(
            database_url, "legal", "add", "--number", "18/2026/NĐ-CP", "--title",
            "Nghị định quy định thủ tục hành chính mới", "--effective", "2026-03-01", "--under",
            "KGG", "--all", now=now),
        dt.date(2026, 3, 10): lambda now: new_officer(engine, now),
        dt.date(2026, 4, 1): lambda now: isobot(
            database_url, "units", "qms", "--unit", "AGG-STP", "--event", "built", now=now),
        dt.date(2026, 5, 4): lambda now: isobot(
            database_url, "directive", "send", "--under", "QNG-MD", "--all", "--text",
            "Rà soát danh mục hồ sơ lưu trữ", now=now),
        dt.date(2026, 10, 20): lambda now: audit_with_findings(engine, now),
    }
    day = dt.date(2026, 1, 5)
    while day <= dt.date(2026, 12, 31):
        moment = dt.datetime.combine(day, dt.time(8, 0), tzinfo=calendar.tz)
        if day in events:
            events[day](moment)
        if day in events or (day.weekday() == 0 and (day.day <= 7 or 15 <= day.day <= 21)):
            tick(engine, moment)
        day += dt.timedelta(days=1)


def new_officer(engine, now: dt.datetime) -> None:
    with session_scope(engine) as session:
        officer_joined(session, member=member(session, "QNG-MD-DTAN", Role.OFFICER, 9001,
                                              NEW_OFFICER),
                       now=now, catalog=catalog, calendar=calendar)


def audit_with_findings(engine, now: dt.datetime) -> None:
    with session_scope(engine) as session:
        unit = unit_by_code(session, code="QNG-MD-DTAN")
        audit = session.exec(select(Obligation).where(
            Obligation.unit_id == unit.id, Obligation.duty_key == "internal_audit",
            Obligation.period == "2026")).one()
        officer = session.exec(select(Member).where(
            Member.unit_id == unit.id, Member.role == Role.OFFICER)).first()
        logged = log_submission(session, member=officer, now=now, catalog=catalog,
                                calendar=calendar, submission=Submission(
                                    audit.id, "12/BC-ĐGNB", now.date(), nonconformities=2))
        assert len(logged.corrective_actions) == 2


def cells(content: bytes) -> list[tuple[str, str]]:
    """(sheet title, text) of every cell of a workbook that holds text."""
    workbook = load_workbook(io.BytesIO(content))
    return [(sheet.title, cell.value) for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]


def test_nothing_people_read_in_a_year_names_a_database_id_or_a_period_code(
        database_url, tmp_path):
    engine = make_engine(database_url)
    load_sample_units(engine, at("2026-01-02 08:00"), before_reform=True)
    everyone(engine)
    a_year(database_url, engine)
    read: dict[str, str] = {}  # where → text

    with session_scope(engine) as session:
        for row in session.exec(select(Outbox)):
            message = Message.from_payload(row.payload)
            read[f"outbox {row.unique_key}"] = "\n".join(
                [message.text, *(label for _id, label in
                                 [(c.id, c.label) for c in message.choices])])
        codes = [u.code for u in session.exec(select(Unit).order_by(Unit.code))]
        planned = build_weekly_digest(session, now=at("2026-12-07 07:45"), catalog=catalog,
                                      week=Week.containing(at("2026-12-07 07:45")))
    assert len(read) > 500  # a year of reminders, escalations, broadcasts and notices

    digest = isobot(database_url, "digest", "--dry-run", now=at("2026-12-07 07:45")).stdout
    read["digest dry run"] = "\n".join(line for line in digest.splitlines()
                                       if not line.startswith("=== "))  # the operator's header
    sheets: dict[str, bytes] = {}
    for item in planned:
        for attachment in item.message.attachments:
            if attachment.filename.endswith(".xlsx"):
                sheets[f"digest {item.unit.code}"] = attachment.content
    for what in ("compliance", "obligations"):
        path = tmp_path / f"{what}.xlsx"
        isobot(database_url, "export", "--what", what, "--format", "xlsx", "--out", str(path),
               now=at("2026-12-31 16:00"))
        sheets[what] = path.read_bytes()
    for name, content in sheets.items():
        for sheet, text in cells(content):
            read[f"{name} / {sheet}"] = read.get(f"{name} / {sheet}", "") + "\n" + text
    path = tmp_path / "unit.ics"  # the command line for one unit, the same files for all
    isobot(database_url, "ics", "--unit", "QNG-MD-DTAN", "--out", str(path),
           now=at("2026-11-02 08:00"))
    files = {"QNG-MD-DTAN": path.read_bytes()}
    with session_scope(engine) as session:
        for code in codes:
            files.setdefault(code, unit_calendar(
                session, unit=unit_by_code(session, code=code), catalog=catalog,
                calendar=calendar, tr=vi, now=at("2026-11-02 08:00"))[0])
    for code, content in files.items():
        for event in Calendar.from_ical(content).walk("VEVENT"):
            read[f"ics {code} {event['uid']}"] = f"{event['summary']}\n{event['description']}"
    year = isobot(database_url, "simulate", "--from", "2026-01-01", "--to", "2026-12-31",
                  "--format", "csv", now=at("2026-01-01 08:00")).stdout
    read["simulate"] = "\n".join(line.split(",", 7)[-1] for line in year.splitlines()[1:])

    leaks = {where: INTERNAL.findall(text) for where, text in read.items()
             if INTERNAL.search(text)}
    assert leaks == {}

    everything = "\n".join(read.values())
    # Named as people name them: the directive by its number, the legal document by its
    # number, the training by the officer, the nonconformity by its audit; periods in words.
    for expected in ("1699/UBND-TH: Gửi hồ sơ duy trì HTQLCL về Sở Khoa học và Công nghệ.",
                     "Liên quan: 18/2026/NĐ-CP", f"cán bộ {NEW_OFFICER}",
                     "điểm không phù hợp số 2, đánh giá nội bộ năm 2026",
                     "xây dựng HTQLCL ngày 01/04/2026", "Rà soát danh mục hồ sơ lưu trữ",
                     "quý 4/2026", "tháng 12/2026", "năm 2026", "Quá hạn", "Trễ hạn",
                     "📢 VĂN BẢN CHỈ ĐẠO SỐ 1699/UBND-TH CỦA UBND tỉnh An Giang"):
        assert expected in everything, expected
    # Each sheet that shows how obligations stand says what its words mean.
    for name, content in sheets.items():
        for sheet in load_workbook(io.BytesIO(content)).worksheets:
            column = [c.value for c in sheet["A"]]
            assert column[-len(legend(vi)):] == legend(vi), (name, sheet.title)
    engine.dispose()


@pytest.fixture
def sample(database_url):
    engine = make_engine(database_url)
    load_sample_units(engine, at("2026-12-01 08:00"), before_reform=True)
    with session_scope(engine) as session:
        member(session, "AGG-STP", Role.OFFICER, 1001, "Lan")
    yield engine
    engine.dispose()


def test_a_directive_sent_with_a_number_is_known_by_it(database_url, sample):
    now = at("2026-12-01 09:00")
    refused = cli.isobot(database_url, "directive", "send", "--number", "công văn mới",
                         "--text", "Nộp hồ sơ", "--unit", "AGG-STP", now=now)
    assert refused.exit_code == 2
    assert refused.stderr.strip() == vi._(
        "“{number}” is not an official document number; write it like 1699/UBND-TH.").format(
        number="công văn mới")
    sent = isobot(database_url, "directive", "send", "--number", "1699/ubnd-th", "--text",
                  "Nộp hồ sơ công bố", "--unit", "AGG-STP", "--as", "AGG", "--due", "2026-12-11",
                  now=now)
    assert sent.stdout.startswith("Đã gửi văn bản chỉ đạo số 1699/UBND-TH của UBND tỉnh An Giang")
    assert "CD-" not in sent.stdout
    with session_scope(sample) as session:
        [row] = session.exec(select(Outbox).where(Outbox.kind == "directive")).all()
        text = Message.from_payload(row.payload).text
    assert text.startswith("📢 VĂN BẢN CHỈ ĐẠO SỐ 1699/UBND-TH CỦA UBND tỉnh An Giang")
    assert "Liên quan: 1699/UBND-TH: Nộp hồ sơ công bố" in text
    status = isobot(database_url, "directive", "status", "--id", "1699/UBND-TH",
                    now=at("2026-12-14 09:00")).stdout
    assert status.splitlines()[0] == (
        "Văn bản chỉ đạo số 1699/UBND-TH (hạn chót 11/12/2026): Nộp hồ sơ công bố")
    assert status.splitlines()[2] == "   " + vi._("Overdue (not done): {units}").format(
        units="Sở Tư pháp tỉnh An Giang")
