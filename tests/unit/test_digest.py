"""The weekly digest's words, counts, chart and table, from plain data (no database, no clock)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from jobs.calendar.workdays import VIETNAM, WorkCalendar
from jobs.catalog import load_catalog
from jobs.delivery.messages import Message
from jobs.planning.standing import legend
from jobs.supervision.charts import DutyCount, status_chart
from jobs.supervision.digest import DigestObligation, DigestUnit, Week, officer_digest, unit_week
from jobs.supervision.digest_job import due_week
from jobs.supervision.subtree_digest import subtree_state, supervisor_digest
from jobs.text.i18n import translator

catalog = load_catalog()
vi, en = translator("vi"), translator("en")
# Monday 7 December 2026, 07:45: this week is 7–13/12, last week 30/11–6/12.
NOW = dt.datetime(2026, 12, 7, 7, 45, tzinfo=VIETNAM)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VIETNAM)


def owe(unit: int, duty: str, period: str, due: str, *, done: str | None = None,
        status: str | None = None) -> DigestObligation:
    return DigestObligation(unit_id=unit, duty_key=duty, period=period,
                            due=dt.date.fromisoformat(due),
                            status=status or ("done" if done else "open"),
                            done_at=at(done) if done else None)


def title(key: str, tr=vi) -> str:
    return catalog.duty(key).title.get(tr.lang)


COMMUNE = DigestUnit(1, "T-A", "UBND xã An")
COMMUNE_WEEK = [
    owe(1, "internal_audit", "2026", "2026-11-02"),  # 35 days overdue
    owe(1, "management_review", "2026", "2026-11-30"),  # 7 days overdue
    owe(1, "annual_report", "2026", "2026-12-07"),  # due today
    owe(1, "directive", "CV-5", "2026-12-11"),  # due Friday
    owe(1, "quarterly_report", "2026-Q4", "2026-12-15"),  # next week: not mentioned
    owe(1, "self_check", "2026-Q4", "2026-12-10", done="2026-12-03 10:00"),  # done last week
    owe(1, "giao_ban", "2026-11", "2026-11-30", done="2026-12-06 23:30"),  # Sunday night
    owe(1, "giao_ban", "2026-12", "2026-12-31", done="2026-12-07 06:00"),  # this week
    owe(1, "quarterly_report", "2026-Q3", "2026-10-15", done="2026-10-10 09:00"),  # long ago
    owe(1, "training", "2026", "2026-12-08", status="cancelled"),
]


def test_the_week_is_monday_to_sunday_in_vietnam():
    week = Week.containing(NOW)
    assert (week.monday, week.sunday, week.label) == (
        dt.date(2026, 12, 7), dt.date(2026, 12, 13), "2026-W50")
    # Sunday 20:00 UTC is already Monday in Vietnam.
    assert Week.containing(dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.UTC)) == week
    assert week.previous.monday == dt.date(2026, 11, 30)
    assert Week.containing(dt.date(2027, 1, 1)).label == "2026-W53"


def test_an_officer_reads_what_is_overdue_due_this_week_and_done_last_week():
    state = unit_week(COMMUNE_WEEK, NOW)
    assert [(o.duty_key, o.period) for o in state.overdue] == [
        ("internal_audit", "2026"), ("management_review", "2026")]
    assert [(o.duty_key, o.period) for o in state.due_this_week] == [
        ("annual_report", "2026"), ("directive", "CV-5")]
    assert [(o.duty_key, o.period) for o in state.done_last_week] == [
        ("self_check", "2026-Q4"), ("giao_ban", "2026-11")]

    message = officer_digest(COMMUNE, COMMUNE_WEEK, now=NOW, catalog=catalog, tr=vi)
    text = message.text
    assert message.lang == "vi" and not message.attachments and not message.choices
    assert text.splitlines()[0] == vi._("📋 WEEKLY ISO DIGEST: {unit}").format(unit="UBND xã An")
    assert "07/12/2026" in text and "13/12/2026" in text
    overdue = text.index(vi._("⚠️ Overdue ({n}):").format(n=2))
    due = text.index(vi._("📅 Due this week ({n}):").format(n=2))
    done = text.index(vi._("✅ Done last week ({n}):").format(n=2))
    assert overdue < due < done
    assert (overdue < text.index(title("internal_audit")) < text.index(title("management_review"))
            < due)
    assert vi.ngettext("{n} day overdue", "{n} days overdue", 35).format(n=35) in text
    assert vi.ngettext("{n} day overdue", "{n} days overdue", 7).format(n=7) in text
    assert due < text.index(title("annual_report")) < text.index(title("directive")) < done
    assert vi.date(dt.date(2026, 12, 11)) in text  # "Thứ Sáu, 11/12/2026"
    assert done < text.index(title("self_check")) < text.index(title("giao_ban"))
    assert vi._("month {month}/{year}").format(month=11, year=2026) in text
    for absent in ("quarterly_report", "training"):
        assert title(absent) not in text
    assert len(text) < 1500  # one phone screen or two


def test_the_digest_speaks_the_recipients_language():
    text = officer_digest(COMMUNE, COMMUNE_WEEK, now=NOW, catalog=catalog, tr=en).text
    assert text.startswith("📋 WEEKLY ISO DIGEST: UBND xã An")
    assert "Overdue (2):" in text and title("internal_audit", en) in text
    assert "35 days overdue" in text and "Friday, 11/12/2026" in text
    vi_text = officer_digest(COMMUNE, COMMUNE_WEEK, now=NOW, catalog=catalog, tr=vi).text
    assert "Overdue" not in vi_text and "quá hạn" in vi_text


def test_an_officer_with_nothing_to_report_gets_nothing_and_good_news_gets_one_line():
    nothing = [owe(1, "quarterly_report", "2026-Q4", "2026-12-15"),
               owe(1, "self_check", "2026-Q3", "2026-09-10", done="2026-09-09 10:00")]
    assert unit_week(nothing, NOW).empty
    assert officer_digest(COMMUNE, nothing, now=NOW, catalog=catalog, tr=vi) is None
    assert officer_digest(COMMUNE, [], now=NOW, catalog=catalog, tr=vi) is None

    good = [*nothing, owe(1, "giao_ban", "2026-11", "2026-11-30", done="2026-12-01 09:00")]
    message = officer_digest(COMMUNE, good, now=NOW, catalog=catalog, tr=vi)
    assert message.text.startswith("✅ UBND xã An")
    assert "\n" not in message.text
    assert message.text == vi.ngettext(
        "✅ {unit}: all ISO duties are on track – nothing overdue, nothing due this week; "
        "{n} duty was completed last week.",
        "✅ {unit}: all ISO duties are on track – nothing overdue, nothing due this week; "
        "{n} duties were completed last week.", 1).format(unit="UBND xã An", n=1)


def test_a_long_list_is_cut_and_counted():
    many = [owe(1, "directive", f"CV-{i:02d}", "2026-11-20") for i in range(14)]
    text = officer_digest(COMMUNE, many, now=NOW, catalog=catalog, tr=en).text
    assert text.count("• ") == 10
    assert "… and 4 more" in text


# -------------------------------------------------------------------------------- supervisor


DISTRICT = DigestUnit(100, "T", "UBND huyện Thử")
UNITS = [DISTRICT] + [DigestUnit(i, f"T-{i:02d}", f"UBND xã {i:02d}") for i in range(1, 13)]


def subtree() -> list[DigestObligation]:
    """Twelve communes; commune i has its management review open for 3·i days (sorted)."""
    rows = []
    for i in range(1, 13):
        due = NOW.date() - dt.timedelta(days=3 * i)
        rows.append(owe(i, "management_review", "2026", due.isoformat()))
    rows += [
        # quarterly_report, per unit: on time; done late; overdue (open past due); not yet due
        owe(1, "quarterly_report", "2026-Q1", "2026-04-15", done="2026-04-15 23:30"),
        owe(1, "quarterly_report", "2026-Q2", "2026-07-15", done="2026-07-10 09:00"),
        owe(2, "quarterly_report", "2026-Q2", "2026-07-15", done="2026-07-16 09:00"),
        owe(2, "quarterly_report", "2026-Q3", "2026-10-15", done="2026-10-14 09:00"),
        owe(3, "quarterly_report", "2026-Q3", "2026-10-15"),
        owe(4, "quarterly_report", "2026-Q4", "2026-12-15"),
        # internal_audit: 2 on time, completed in the last 7 days by one of them
        owe(5, "internal_audit", "2026", "2026-12-31", done="2026-12-02 08:00"),
        owe(6, "internal_audit", "2026", "2026-11-02", done="2026-10-30 08:00"),
        # last year's annual report, still open: late now though due last year
        owe(7, "annual_report", "2025", "2025-12-05"),
        # the district itself, cancelled: not counted
        owe(100, "annual_report", "2026", "2026-12-07", status="cancelled"),
        # outside the subtree: ignored
        owe(999, "internal_audit", "2026", "2026-11-02"),
    ]
    return rows


def test_per_duty_counts_units_on_time_done_late_overdue_and_not_yet_due():
    state = subtree_state(UNITS, subtree(), now=NOW, catalog=catalog, lang="vi")
    counts = {c.duty_key: (c.on_time, c.late, c.overdue, c.open) for c in state.counts}
    assert counts == {
        "internal_audit": (2, 0, 0, 0),
        "management_review": (0, 0, 12, 0),
        "quarterly_report": (1, 1, 1, 1),
        "annual_report": (0, 0, 1, 0),
    }
    # In the catalog's order, titled in the recipient's language.
    assert [c.duty_key for c in state.counts] == [
        "internal_audit", "management_review", "quarterly_report", "annual_report"]
    assert state.counts[0].title == title("internal_audit")


def test_the_ten_most_overdue_are_listed_most_overdue_first():
    state = subtree_state(UNITS, subtree(), now=NOW, catalog=catalog, lang="vi")
    ranked = [(o.unit_id, o.duty_key) for o in state.most_overdue]
    assert ranked == [(7, "annual_report"), (3, "quarterly_report"),
                      *[(i, "management_review") for i in range(12, 4, -1)]]
    assert len(state.overdue) == 14
    # Changed in the last 7 days: the audit done on 2 December; the reviews due 1–6 December.
    assert [(o.unit_id, o.duty_key) for o in state.completed] == [(5, "internal_audit")]
    assert [o.unit_id for o in state.newly_overdue] == [2, 1]

    message = supervisor_digest(DISTRICT, UNITS, subtree(), now=NOW, catalog=catalog, tr=en)
    text = message.text
    assert text.startswith("📊 WEEKLY ISO DIGEST: UBND huyện Thử and the units below it")
    assert "Units followed: 13; with overdue duties: 12." in text
    assert "Units per duty (on time / done late / overdue / not yet due):" in text
    assert f"• {title('quarterly_report', en)}: 1 / 1 / 1 / 1" in text
    top = text[text.index("Most overdue (14 overdue in all):"):text.index("Since last week:")]
    lines = [line for line in top.splitlines()[1:] if line]
    assert len(lines) == 10
    assert lines[0].startswith("1. UBND xã 07 – ") and "367 days overdue" in lines[0]
    assert lines[1].startswith("2. UBND xã 03 – ") and "53 days overdue" in lines[1]
    assert lines[2].startswith("3. UBND xã 12 – ") and "36 days overdue" in lines[2]
    assert lines[9].startswith("10. UBND xã 05 – ") and "15 days overdue" in lines[9]
    assert "Completed in the last 7 days: 1" in text
    assert f"• UBND xã 05 – {title('internal_audit', en)} (year 2026)" in text
    assert "Newly overdue in the last 7 days: 2" in text


def test_the_supervisor_gets_the_chart_and_the_table_with_the_right_counts():
    message = supervisor_digest(DISTRICT, UNITS, subtree(), now=NOW, catalog=catalog, tr=vi)
    photo, document = message.attachments
    assert (photo.kind, photo.filename) == ("photo", "iso-digest-T-2026-W50.png")
    assert (document.kind, document.filename) == ("document", "iso-digest-T-2026-W50.xlsx")

    assert photo.content.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(photo.content))
    image.load()
    assert image.format == "PNG" and image.width >= 600 and image.height >= 300

    sheet = load_workbook(io.BytesIO(document.content)).active
    assert sheet.title == "Tổng hợp ISO, tuần 50 năm 2026"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [vi._(h) for h in ("Unit", "Unit name", "Duty", "Period",
                                               "Due date", "Status", "Done at")]
    counted = 12 + 6 + 2 + 1  # every counted obligation, not the cancelled one
    body = rows[1:1 + counted]
    # A blank row, then the legend: one meaning for each word of the Status column.
    assert rows[1 + counted] == (None,) * 7
    assert [r[0] for r in rows[2 + counted:]] == legend(vi)
    assert legend(vi)[1:] == ["Đúng hạn: hoàn thành trước hoặc đúng hạn chót.",
                              "Trễ hạn: đã hoàn thành nhưng sau hạn chót.",
                              "Quá hạn: đã quá hạn chót mà chưa hoàn thành.",
                              "Chưa đến hạn: chưa hoàn thành, chưa đến hạn chót."]
    qr = [r for r in body if r[2] == title("quarterly_report")]
    assert sorted((r[0], r[3], r[5]) for r in qr) == [
        ("T-01", "quý 1/2026", "Đúng hạn"), ("T-01", "quý 2/2026", "Đúng hạn"),
        ("T-02", "quý 2/2026", "Trễ hạn"), ("T-02", "quý 3/2026", "Đúng hạn"),
        ("T-03", "quý 3/2026", "Quá hạn"), ("T-04", "quý 4/2026", "Chưa đến hạn")]
    assert ("T-01", dt.datetime(2026, 4, 15), dt.datetime(2026, 4, 15, 23, 30)) in {
        (r[0], r[4], r[6]) for r in qr}
    # The table agrees with the counts: a unit with an overdue row counts as overdue for the
    # duty, else one with a row done late as late.
    state = subtree_state(UNITS, subtree(), now=NOW, catalog=catalog, lang="vi")
    for count in state.counts:
        mine = [r for r in body if r[2] == count.title]
        overdue = {r[0] for r in mine if r[5] == "Quá hạn"}
        assert count.overdue == len(overdue)
        assert count.late == len({r[0] for r in mine if r[5] == "Trễ hạn"} - overdue)


def test_a_quiet_subtree_sends_the_supervisor_nothing():
    quiet = [owe(1, "quarterly_report", "2026-Q4", "2026-12-15"),
             owe(2, "quarterly_report", "2026-Q3", "2026-10-15", done="2026-10-14 09:00")]
    assert supervisor_digest(DISTRICT, UNITS, quiet, now=NOW, catalog=catalog, tr=vi) is None
    done_lately = [*quiet, owe(3, "giao_ban", "2026-11", "2026-11-30", done="2026-12-04 09:00")]
    message = supervisor_digest(DISTRICT, UNITS, done_lately, now=NOW, catalog=catalog, tr=en)
    assert "Nothing is overdue." in message.text
    assert "Completed in the last 7 days: 1" in message.text
    assert len(message.attachments) == 2


def test_the_chart_draws_the_counts_and_is_the_same_every_time():
    counts = [DutyCount("internal_audit", title("internal_audit"), 3, 1, 2, 0),
              DutyCount("quarterly_report", title("quarterly_report"), 0, 2, 0, 5),
              DutyCount("legal_update", title("legal_update"), 7, 0, 1, 1)]
    chart = status_chart(counts, vi, title="UBND huyện Thử")
    assert chart.bars == ((title("internal_audit"), 3, 1, 2, 0),
                          (title("quarterly_report"), 0, 2, 0, 5),
                          (title("legal_update"), 7, 0, 1, 1))
    assert chart.png.startswith(PNG_SIGNATURE)
    assert status_chart(counts, vi, title="UBND huyện Thử").png == chart.png
    assert b"tIME" not in chart.png and b"matplotlib" not in chart.png
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(chart.png), format="png")
    assert pixels.shape[0] > 200 and pixels.shape[1] > 600


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-07 07:29", None),  # Monday, before the moment
    ("2026-12-07 07:30", "2026-W50"),
    ("2026-12-08 07:29", "2026-W50"),  # a day's grace for a bot that was down
    ("2026-12-08 07:30", None),
    ("2026-12-13 23:00", None),
    # Monday 31 August 2026 to Wednesday 2 September are days off (National Day): Thursday.
    ("2026-08-31 07:30", None),
    ("2026-09-03 07:29", None),
    ("2026-09-03 07:30", "2026-W36"),
])
def test_the_digest_is_due_at_its_moment(now, expected):
    due = due_week(at(now), calendar=WorkCalendar())
    assert (due[0].label if due else None) == expected


def test_a_holiday_moves_the_digest_to_the_next_working_day():
    calendar = WorkCalendar()
    # Tết 2027: Monday 8 February is a day off; the week's first working day is later.
    monday = dt.date(2027, 2, 8)
    assert not calendar.is_working_day(monday)
    first = calendar.on_or_after(monday)
    assert due_week(at("2027-02-08 07:30"), calendar=calendar) is None
    moment = dt.datetime.combine(first, dt.time(7, 30), tzinfo=VIETNAM)
    week, when = due_week(moment, calendar=calendar)
    assert (week.monday, when) == (monday, moment)
    # Another weekday and time, as ISOBOT_DIGEST_WEEKDAY / ISOBOT_DIGEST_AT set them.
    week, when = due_week(at("2026-12-11 16:00"), calendar=calendar, send_at=dt.time(16, 0),
                          weekday=4)
    assert when == at("2026-12-11 16:00")


def test_the_payload_round_trips_with_its_attachments():
    message = supervisor_digest(DISTRICT, UNITS, subtree(), now=NOW, catalog=catalog, tr=vi)
    again = Message.from_payload(message.to_payload())
    assert again == message
