"""The year's report drafted from the records: ``isobot report --unit`` and ``--under`` write a
DOCX in the layout of Decree 30/2020/NĐ-CP, read back here with python-docx as a person opens it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import make_engine, session_scope
from storage.models import Obligation, Role, Unit
from storage.units import subtree_ids, unit_by_code
from tests.conftest import at
from tests.support import cli
from tests.support.cli import one_line
from tests.support.records import log, member, owe
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER = "a1b2c3d4e5f60001"
MOTTO, MOTTO_LINE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"
NOW = at("2026-12-07 09:00")


def texts(path: Path) -> list[str]:
    """Every paragraph of the document, those in its tables too, as Word shows them."""
    document = docx.Document(str(path))
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            found += [p.text for cell in row.cells for p in cell.paragraphs]
    return found


def whole(path: Path) -> str:
    return "\n".join(texts(path))



@pytest.fixture
def sample(database_url):
    load_sample_units(make_engine(database_url), at("2026-01-05 08:00"), before_reform=True)
    return database_url


def report(url: str, *args: str, now: dt.datetime = NOW):
    return cli.isobot(url, "report", *args, now=now)


# -- the must-shows ------------------------------------------------------------------------


@pytest.fixture
async def bot(engine, catalog):
    load_sample_units(engine, at("2026-11-30 07:00"))
    harness = await start_zalo_harness(engine, catalog, at("2026-11-30 16:00"))
    yield harness
    await harness.stop()


async def test_a_report_logged_in_the_chat_is_in_the_units_draft(bot, tmp_path):
    await bot.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    bot.clock.set(at("2026-12-01 08:00"))
    await bot.tick_and_collect(OFFICER)
    await bot.say(OFFICER, "7")  # the quarterly report's "Submitted"
    await bot.say(OFFICER, "45/BC-UBND ngày 28/11/2026")
    await bot.say(OFFICER, "1")  # no file
    receipt = await bot.say(OFFICER, "1")  # confirm
    assert "ISO-2026-000001" in receipt

    out = tmp_path / "bao-cao.docx"
    result = report(bot.runtime.settings.database_url, "--unit", "QNG-MD-DTAN", "--year",
                    "2026", "--out", str(out), now=bot.clock.now())
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    found = whole(out)
    assert MOTTO in found and MOTTO_LINE in found
    assert "UBND xã Đức Tân" in found and "UBND XÃ ĐỨC TÂN" in found
    assert "năm 2026" in found
    assert "45/BC-UBND ngày 28/11/2026" in found and "ISO-2026-000001" in found


def test_the_summary_names_every_unit_of_the_subtree_in_its_table(sample, tmp_path):
    out = tmp_path / "tong-hop.docx"
    result = report(sample, "--under", "AGG", "--out", str(out))
    assert result.exit_code == 0, result.output
    with session_scope(make_engine(sample)) as session:
        ids = subtree_ids(session, unit_id=unit_by_code(session, code="AGG").id)
        names = sorted(session.get(Unit, i).name for i in ids)
    assert len(names) == 5
    table = docx.Document(str(out)).tables[-2]  # the last is Nơi nhận and the signature
    header, *rows = table.rows
    assert [c.text for c in header.cells] == ["STT", "Đơn vị", "Đánh giá nội bộ",
                                              "Họp xem xét của lãnh đạo", "Báo cáo đúng hạn",
                                              "Chỉ đạo đúng hạn", "Xếp loại"]
    assert sorted(row.cells[1].text for row in rows) == names
    assert [row.cells[0].text for row in rows] == ["1", "2", "3", "4", "5"]
    found = whole(out)
    assert "UBND TỈNH AN GIANG" in found and "An Giang, ngày 07 tháng 12 năm 2026" in found
    # Nobody has joined yet: every unit is named as having no ISO officer.
    assert vi.ngettext("{n} unit:", "{n} units:", 5).format(n=5) in found


# -- the layout ----------------------------------------------------------------------------


def test_the_draft_follows_the_decree_and_marks_what_the_records_do_not_say(sample, tmp_path):
    out = tmp_path / "r.docx"
    assert report(sample, "--unit", "AGG-STP", "--out", str(out)).exit_code == 0
    document = docx.Document(str(out))
    # Times New Roman by name, for every script, in the styles the text uses.
    for style in ("Normal", "Table Grid"):
        fonts = document.styles[style].element.rPr.rFonts
        assert {fonts.get(f"{{{fonts.nsmap['w']}}}{k}") for k in
                ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}
    organ, motto = (cell.text.splitlines() for cell in document.tables[0].rows[0].cells)
    assert organ[:2] == ["UBND TỈNH AN GIANG", "SỞ TƯ PHÁP TỈNH AN GIANG"]
    assert organ[-1] == "Số: …/BC-…"
    assert motto[0] == MOTTO and motto[1] == MOTTO_LINE
    assert motto[-1] == "An Giang, ngày 07 tháng 12 năm 2026"
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert "1. Đánh giá nội bộ" in paragraphs
    assert "[… ngày đánh giá nội bộ, số văn bản và số điểm không phù hợp phát hiện …]" in \
        paragraphs
    recipients, signature = (c.text.splitlines() for c in document.tables[-1].rows[0].cells)
    assert recipients[0] == "Nơi nhận:" and recipients[-1] == "- Lưu: VT."
    assert signature[0] == "THỦ TRƯỞNG ĐƠN VỊ" and signature[-1] == "[… họ và tên …]"


def test_a_day_and_a_month_below_ten_and_three_are_written_with_a_zero(sample, tmp_path):
    out = tmp_path / "r.docx"
    assert report(sample, "--unit", "AGG-STP", "--year", "2026", "--out", str(out),
                  now=at("2027-02-05 09:00")).exit_code == 0
    assert "An Giang, ngày 05 tháng 02 năm 2027" in whole(out)


def test_the_records_fill_each_section(sample, tmp_path):
    with session_scope(make_engine(sample)) as session:
        officer = member(session, "AGG-STP", Role.OFFICER, 11, "Lan")
        audit = owe(session, "AGG-STP", "internal_audit", "2026", dt.date(2026, 10, 31))
        log(session, unit="AGG-STP", obligation=audit, moment=at("2026-10-20 09:00"),
            document_number="12/BC-STP", document_date=dt.date(2026, 10, 20),
            nonconformities=3, member_id=officer.id)
        review = owe(session, "AGG-STP", "management_review", "2026", dt.date(2026, 11, 30))
        log(session, unit="AGG-STP", obligation=review, moment=at("2026-12-02 09:00"),
            document_number="15/BB-STP", member_id=officer.id)
        owe(session, "AGG-STP", "directive", "CD-1", dt.date(2026, 11, 1), source="directive",
            label="1699/UBND-TH")
    out = tmp_path / "r.docx"
    assert report(sample, "--unit", "AGG-STP", "--out", str(out)).exit_code == 0
    found = whole(out)
    assert "12/BC-STP" in found and "Phát hiện 3 điểm không phù hợp." in found
    assert "15/BB-STP" in found and vi._("Done late") in found  # reviewed after 30/11
    assert "1699/UBND-TH" in found and vi._("Overdue") in found
    assert vi._("Some duties are overdue and not done yet.") in found


# -- bad input -----------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path) -> Path:
    """Where the report goes: empty, away from the database's files."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_an_unknown_unit_is_one_line_and_no_file(sample, folder):
    result = report(sample, "--unit", "NOPE", "--out", str(folder / "r.docx"))
    assert result.exit_code == 2
    assert "NOPE" in one_line(result)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("args", [("--out", "r.docx"), ("--unit", "AGG", "--under", "AGG",
                                                        "--out", "r.docx"),
                                  ("--unit", "AGG", "--out", "r.pdf")])
def test_options_that_do_not_fit_are_one_line(sample, folder, args, monkeypatch):
    monkeypatch.chdir(folder)
    result = report(sample, *args)
    assert result.exit_code == 2
    one_line(result)
    assert list(folder.iterdir()) == []


def test_a_file_that_cannot_be_written_leaves_nothing_half_written(sample, folder):
    folder.chmod(0o500)
    try:
        result = report(sample, "--unit", "AGG-STP", "--out", str(folder / "r.docx"))
        missing = report(sample, "--unit", "AGG-STP", "--out", str(folder / "no" / "r.docx"))
    finally:
        folder.chmod(0o700)
    if result.exit_code == 0:  # root writes anywhere: the missing folder still tells
        (folder / "r.docx").unlink()
    else:
        assert result.exit_code == 1 and "r.docx" in one_line(result)
    assert missing.exit_code == 1 and "r.docx" in one_line(missing)
    assert list(folder.iterdir()) == []


def test_a_year_with_nothing_yet_is_a_draft_that_says_so(sample, tmp_path):
    out = tmp_path / "r.docx"
    result = report(sample, "--unit", "AGG-STP", "--year", "2031", "--out", str(out))
    assert result.exit_code == 0
    assert "2031" in one_line(result)
    found = whole(out)
    assert "isobot chưa có hồ sơ của Sở Tư pháp tỉnh An Giang năm 2031" in found
    assert "năm 2031" in found


def test_a_summary_of_a_year_with_nothing_yet_says_so(sample, tmp_path):
    out = tmp_path / "r.docx"
    result = report(sample, "--under", "AGG", "--year", "2031", "--out", str(out))
    assert result.exit_code == 0 and "2031" in one_line(result)
    assert "isobot chưa có hồ sơ của UBND tỉnh An Giang và các đơn vị trực thuộc năm 2031" in \
        whole(out)


def test_an_existing_file_is_replaced_whole(sample, folder):
    out = folder / "r.docx"
    out.write_bytes(b"an older draft")
    assert report(sample, "--unit", "AGG-STP", "--out", str(out)).exit_code == 0
    assert MOTTO in whole(out)
    assert [p.name for p in folder.iterdir()] == ["r.docx"]


def test_cancelled_duties_are_not_counted(sample, tmp_path):
    with session_scope(make_engine(sample)) as session:
        owe(session, "AGG-STP", "directive", "CD-9", dt.date(2026, 3, 1), source="directive",
            label="9/UBND-TH")
        for row in session.exec(select(Obligation).where(Obligation.period == "CD-9")):
            row.status = "cancelled"
            session.add(row)
    out = tmp_path / "r.docx"
    assert report(sample, "--unit", "AGG-STP", "--out", str(out)).exit_code == 0
    assert "9/UBND-TH" not in whole(out)
