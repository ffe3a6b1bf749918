"""The calendar file an officer adds to their phone: `isobot ics` and `/lich_ics`."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from jobs.calendar.ics import PRODID, uid
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import load_catalog
from jobs.planning.obligations import owed_between
from jobs.text.i18n import translator
from jobs.text.reminder_texts import period_text
from storage.db import make_engine, session_scope
from storage.models import ObligationSource, ObligationStatus, Role
from tests.conftest import at
from tests.support import records
from tests.support.records import TODAY, isobot, small_tree

pytestmark = pytest.mark.before_reform  # written on the districts of before 1 July 2025

vi = translator("vi")
catalog = load_catalog()
DIRECTIVE_TEXT = "Gửi hồ sơ đề nghị công bố lại HTQLCL; trước ngày 20/6/2026, bản giấy + bản scan"


@pytest.fixture
def seeded(database_url) -> None:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        small_tree(session)

        def owe(unit, duty, period, due, **fields):
            return records.owe(session, unit, duty, period, due, **fields)

        owe("T-A", "quarterly_report", "2026-Q1", dt.date(2026, 4, 15))  # open and overdue
        q2 = owe("T-A", "quarterly_report", "2026-Q2", dt.date(2026, 7, 15))  # done already
        records.log(session, unit="T-A", obligation=q2, moment=at("2026-05-20 09:00"),
                    document_number="50/BC-UBND")
        # Re-dated by the standing office: the stored date wins over the catalog's.
        owe("T-A", "self_check", "2026-Q2", dt.date(2026, 6, 30))
        owe("T-A", "directive", "CV-7", dt.date(2026, 6, 19), source=ObligationSource.DIRECTIVE,
            note=DIRECTIVE_TEXT)
        cancelled = owe("T-A", "directive", "CV-8", dt.date(2026, 6, 25),
                        source=ObligationSource.DIRECTIVE)
        cancelled.status = ObligationStatus.CANCELLED
        session.add(cancelled)
        owe("T-B", "directive", "CV-9", dt.date(2026, 6, 22), source=ObligationSource.DIRECTIVE)
    engine.dispose()


def events_of(content: bytes) -> tuple[icalendar.Calendar, dict[str, icalendar.Event]]:
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def expected_keys() -> set[tuple[str, str]]:
    owed = {(o.duty_key, o.period) for o in owed_between(
        catalog, "commune", dt.date(2026, 6, 1), dt.date(2027, 6, 1), WorkCalendar())}
    # Stored: Q1 open (listed), Q2 done (not listed), CV-7 open, CV-8 cancelled.
    owed -= {("quarterly_report", "2026-Q2"), ("directive", "CV-8")}
    return owed | {("quarterly_report", "2026-Q1"), ("directive", "CV-7"),
                   ("self_check", "2026-Q2")}


def test_ics_lists_the_units_open_and_coming_obligations(database_url, seeded, tmp_path):
    path = tmp_path / "an.ics"
    result = isobot(database_url, "ics", "--unit", "T-A", "--out", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(path)
    content = path.read_bytes()
    calendar, events = events_of(content)
    assert str(calendar["PRODID"]) == PRODID and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == vi._("ISO duties — {unit}").format(unit="UBND xã An")

    keys = expected_keys()
    assert set(events) == {uid("T-A", duty, period) for duty, period in keys}
    assert len(calendar.walk("VEVENT")) == len(keys)  # no period twice
    assert uid("T-A", "quarterly_report", "2026-Q1") == "T-A.quarterly_report.2026-Q1@isobot"

    overdue = events[uid("T-A", "quarterly_report", "2026-Q1")]
    start = overdue.decoded("DTSTART")
    assert start == dt.date(2026, 4, 15) and not isinstance(start, dt.datetime)
    assert overdue["DTSTART"].params.get("VALUE") == "DATE"
    assert overdue.decoded("DTEND") == dt.date(2026, 4, 16)
    assert str(overdue["SUMMARY"]) == (
        f"{catalog.duty('quarterly_report').title.vi} — {period_text('2026-Q1', vi)}")
    description = str(overdue["DESCRIPTION"])
    assert vi._("Unit: {unit}").format(unit="UBND xã An") in description
    assert catalog.duty("quarterly_report").legal_basis.vi in description
    assert all(item in description for item in catalog.duty("quarterly_report").checklist.vi)
    assert overdue.decoded("DTSTAMP") == TODAY.astimezone(dt.UTC)

    # Two alarms: 08:00 a week before and 08:00 the day before (16 hours before the day).
    triggers = sorted(a.decoded("TRIGGER") for a in overdue.walk("VALARM"))
    assert triggers == [-dt.timedelta(days=6, hours=16), -dt.timedelta(hours=16)]
    assert all(str(a["ACTION"]) == "DISPLAY" for a in overdue.walk("VALARM"))

    assert events[uid("T-A", "self_check", "2026-Q2")].decoded("DTSTART") == dt.date(2026, 6, 30)
    directive = events[uid("T-A", "directive", "CV-7")]
    assert DIRECTIVE_TEXT in str(directive["DESCRIPTION"])
    assert directive.decoded("DTSTART") == dt.date(2026, 6, 19)

    # RFC 5545: CRLF line ends, lines folded at 75 octets, text escaped.
    lines = content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in content.replace(b"\r\n", b"")
    assert b"HTQLCL\\; tr" in content.replace(b"\r\n ", b"")


def test_uids_are_stable_so_a_new_file_updates_the_old_events(database_url, seeded, tmp_path):
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    assert isobot(database_url, "ics", "--unit", "T-A", "--out", str(first)).exit_code == 0
    later = TODAY + dt.timedelta(hours=3)
    assert isobot(database_url, "ics", "--unit", "T-A", "--out", str(second),
                  moment=later).exit_code == 0
    _, one = events_of(first.read_bytes())
    _, two = events_of(second.read_bytes())
    assert set(one) == set(two)
    for key, event in one.items():
        assert event.decoded("DTSTART") == two[key].decoded("DTSTART")
        assert str(event["SUMMARY"]) == str(two[key]["SUMMARY"])
    stamp = next(iter(two.values())).decoded("DTSTAMP")
    assert stamp == later.astimezone(dt.UTC)


def test_ics_in_english_and_to_the_default_file(database_url, seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = isobot(database_url, "ics", "--unit", "T-A", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "isobot-T-A.ics"
    _, events = events_of((tmp_path / "isobot-T-A.ics").read_bytes())
    summary = str(events[uid("T-A", "quarterly_report", "2026-Q1")]["SUMMARY"])
    assert summary == f"{catalog.duty('quarterly_report').title.en} — quarter 1/2026"


def test_an_unknown_unit_is_refused(database_url, seeded, tmp_path):
    result = isobot(database_url, "ics", "--unit", "NOWHERE", "--out", str(tmp_path / "x.ics"))
    assert result.exit_code == 2
    assert "NOWHERE" in result.stderr
    assert not (tmp_path / "x.ics").exists()


# -- /lich_ics in the chat ----------------------------------------------------------------------

OFFICER, SUPERVISOR = 1001, 2001


async def test_an_officer_gets_a_calendar_file_of_their_unit(bot):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    text = await bot.say(OFFICER, "/lich_ics")
    assert "UBND xã Đức Tân" in text["text"]
    sent = await bot.sandbox.next_message(OFFICER, timeout=10)
    document = sent["document"]
    assert document["file_name"] == "isobot-QNG-MD-DTAN.ics"
    calendar, events = events_of(bot.sandbox.file_content(document["file_id"]))
    assert "UBND xã Đức Tân" in str(calendar["X-WR-CALNAME"])
    # Stored when the bot started planning, open, due 15 December: on the calendar.
    report = events[uid("QNG-MD-DTAN", "quarterly_report", "2026-Q4")]
    assert report.decoded("DTSTART") == dt.date(2026, 12, 15)
    assert report.decoded("DTSTAMP") == at("2026-11-30 16:00").astimezone(dt.UTC)
    # And what the catalog says falls due within a year: next year's internal audit.
    assert uid("QNG-MD-DTAN", "internal_audit", "2027") in events
    assert f"{len(events)}" in text["text"]


async def test_a_supervisor_without_a_unit_of_their_own_gets_no_calendar(bot):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    refusal = await bot.say(SUPERVISOR, "/lich_ics")
    assert refusal["text"] == vi._("The calendar file lists the deadlines of the units you work "
                                   "for as ISO officer or head of unit, and your account has "
                                   "none.")
    after = await bot.say(SUPERVISOR, "/help")
    assert "/nop" in after["text"]
    assert not any(m.get("document") for m in bot.sandbox.messages_to(SUPERVISOR))
