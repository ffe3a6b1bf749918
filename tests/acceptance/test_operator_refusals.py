"""What an operator's command refuses, and how: one line in Vietnamese, the right exit code,
nothing changed. Each case was found by trying the commands as a new operator would."""

from __future__ import annotations

import codecs
import csv
import io
import os
import sqlite3

import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Directive, LegalDocument, Obligation, Unit
from tests.conftest import at
from tests.support import cli
from tests.support.cli import one_line

vi = translator("vi")
NOW = at("2026-12-01 09:00")


def isobot(database_url, *args, now=NOW, env=None):
    return cli.isobot(database_url, *args, now=now, env=env)



@pytest.fixture
def sample(database_url):
    assert isobot(database_url, "units", "import", "--sample", "--before-reform",
                  now=at("2026-01-05 08:00")).exit_code == 0
    return database_url


def unit_codes(database_url) -> list[str]:
    rows = csv.DictReader(io.StringIO(isobot(database_url, "units", "list", "--format",
                                             "csv").stdout))
    return [r["code"] for r in rows]


# -- units -------------------------------------------------------------------------------

def test_a_unit_cannot_be_merged_into_a_unit_below_it(sample):
    before = unit_codes(sample)
    result = isobot(sample, "units", "merge", "--from", "QNG-MD", "--into", "QNG-MD-DTAN")
    assert result.exit_code == 2
    assert "UBND xã Đức Tân" in one_line(result)
    assert unit_codes(sample) == before


def test_excels_unicode_text_with_vietnamese_headers_and_kinds_imports(database_url, tmp_path):
    path = tmp_path / "don-vi.txt"
    table = ("Mã\tTên đơn vị\tLoại\tĐơn vị cấp trên\n"
             "T\tUBND tỉnh Thử\tTỉnh\t\n"
             "T-X\tUBND xã Một\txã\tT\n"
             "T-P\tUBND phường Hai\tPhường\tT\n"
             "T-S\tTrường THPT Ba\ttrường\tT\n")
    path.write_bytes(codecs.BOM_UTF16_LE + table.encode("utf-16-le"))
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 0, result.output
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(
        isobot(database_url, "units", "list", "--format", "csv").stdout))}
    assert {c: (r["name"], r["kind"]) for c, r in rows.items()} == {
        "T": ("UBND tỉnh Thử", "province"), "T-X": ("UBND xã Một", "commune"),
        "T-P": ("UBND phường Hai", "ward"), "T-S": ("Trường THPT Ba", "school")}


def test_a_windows_1258_csv_keeps_its_diacritics(database_url, tmp_path):
    path = tmp_path / "units.csv"
    # Windows-1258 writes a tone as a combining mark after the letter: "i" + hook = "ỉ".
    name = "UBND ti\u0309nh \u0110\u0103\u0301k L\u0103\u0301k"
    path.write_bytes(f"code;name;kind;parent\nT;{name};province;\n".encode("cp1258"))
    assert isobot(database_url, "units", "import", str(path)).exit_code == 0
    listed = isobot(database_url, "units", "list").stdout
    assert "UBND tỉnh Đắk Lắk" in listed


def test_random_bytes_in_an_xlsx_are_one_clear_line(database_url, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(os.urandom(2048))
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 2
    assert "units.xlsx" in one_line(result)
    assert unit_codes(database_url) == []


@pytest.mark.parametrize("row", [f"{'X' * 80},UBND xã Dài,commune,",
                                 f"X,{'Tên rất dài ' * 25},commune,"])
def test_codes_and_names_longer_than_the_table_allows_are_refused(database_url, tmp_path, row):
    path = tmp_path / "units.csv"
    path.write_text(f"code,name,kind,parent\n{row}\n", encoding="utf-8")
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "[SQL" not in result.output
    assert unit_codes(database_url) == []


# -- legal documents ---------------------------------------------------------------------

def legal(database_url, number="15/2026/NĐ-CP", effective="2026-11-01", *extra):
    return isobot(database_url, "legal", "add", "--number", number, "--title", "Nghị định",
                  "--effective", effective, "--kind", "commune", "--under", "QNG", *extra)


def test_the_same_legal_document_is_registered_once(sample):
    assert legal(sample).exit_code == 0
    again = legal(sample, "15/2026/nđ-cp ")
    assert again.exit_code == 2
    assert "15/2026/NĐ-CP" in one_line(again)
    with session_scope_of(sample) as session:
        assert len(session.exec(select(LegalDocument)).all()) == 1
        assert len(session.exec(select(Obligation).where(
            Obligation.duty_key == "legal_update")).all()) == 3


def test_a_document_in_force_for_years_needs_a_second_word(sample):
    refused = legal(sample, "01/2020/NĐ-CP", "2020-01-15")
    assert refused.exit_code == 2
    assert "--long-in-force" in one_line(refused)
    assert legal(sample, "01/2020/NĐ-CP", "2020-01-15", "--long-in-force").exit_code == 0


# -- directives --------------------------------------------------------------------------

def directive(database_url, *targets):
    return isobot(database_url, "directive", "send", "--text", "Gửi báo cáo", *targets)


def test_a_directive_comes_from_the_nearest_unit_above_its_targets(sample):
    result = directive(sample, "--unit", "QNG-MD-DTAN", "--unit", "QNG-MD-TT",
                       "--due", "2026-12-11")
    assert result.exit_code == 0, result.output
    assert "UBND huyện Mộ Đức" in result.stdout
    with session_scope_of(sample) as session:
        issuer = session.get(Unit, session.exec(select(Directive)).one().issuer_unit_id)
        assert issuer.code == "QNG-MD"


def test_a_directive_across_provinces_needs_to_say_whose_it_is(sample):
    result = directive(sample, "--unit", "QNG-MD-DTAN", "--unit", "QNA-NS-QLOC")
    assert result.exit_code == 2
    assert "--as" in one_line(result)
    with session_scope_of(sample) as session:
        assert session.exec(select(Directive)).all() == []


def test_all_below_a_unit_is_not_the_unit_itself(sample):
    result = directive(sample, "--all", "--under", "QNG-MD", "--due", "2026-12-11")
    assert result.exit_code == 0, result.output
    below = [c for c in unit_codes(sample) if c.startswith("QNG-MD-")]
    # Sent without an official number, it is named by its date; the operator gets its key.
    assert vi._("Directive {number} from {issuer} sent to {units} units ({people} people), "
                "due {date}.").format(number="ngày 01/12/2026", issuer="UBND huyện Mộ Đức",
                                      units=len(below), people=0,
                                      date=vi.date(at("2026-12-11 00:00").date())
                                      ) in result.stdout
    assert "isobot directive status --id CD-1" in result.stdout


def test_all_and_kind_together_are_refused(sample):
    result = directive(sample, "--all", "--kind", "commune", "--under", "QNG-MD")
    assert result.exit_code == 2
    assert "--kind" in one_line(result)


def test_the_operator_is_told_what_isobot_decided(sample):
    # Sunday 13 December 2026 is a day off; nobody in Đức Tân uses isobot yet.
    result = directive(sample, "--unit", "QNG-MD-DTAN", "--due", "2026-12-13")
    assert result.exit_code == 0, result.output
    assert vi._("{asked} is a day off: the deadline moves to the next working day, {date} "
                "(Civil Code 2015, Article 148).").format(
        asked=vi.date(at("2026-12-13 00:00").date()),
        date=vi.date(at("2026-12-14 00:00").date())) in result.stdout
    assert vi._("Nobody in these units uses isobot yet: the directive is on each unit's list "
                "of duties, and its officers are reminded once they register.") in result.stdout
    without_due = directive(sample, "--unit", "QNG-MD-TT")
    assert vi._("No --due was given: the deadline is the catalog's default.") in without_due.stdout


def test_directive_status_names_an_unknown_directive(sample):
    assert directive(sample, "--unit", "QNG-MD-DTAN").exit_code == 0
    unknown = isobot(sample, "directive", "status", "--id", "99")
    assert unknown.exit_code == 2
    assert one_line(unknown) == vi._("There is no directive {number}.").format(number="99")
    by_label = isobot(sample, "directive", "status", "--id", "CD-1")
    assert by_label.exit_code == 0
    assert by_label.stdout.startswith("Văn bản chỉ đạo ngày 01/12/2026 (hạn chót ")


# -- the command line itself ---------------------------------------------------------------

@pytest.mark.parametrize("args, named", [
    (["invite", "--unit", "QNG", "--role", "boss"], "--role"),
    (["simulate", "--from", "2026-01-01", "--to", "2026-01-02", "--lang", "xx"], "--lang"),
    (["invite", "--unit", "QNG"], "--role"),
    (["units", "import", "--sample", "--colour", "red"], "--colour"),
])
def test_a_wrong_option_is_one_vietnamese_line(sample, args, named):
    result = isobot(sample, *args)
    assert result.exit_code == 2
    line = one_line(result)
    assert named in line
    assert "Usage" not in line and "Error" not in line


@pytest.mark.parametrize("url", ["mysql://isobot@localhost/isobot", "sqlite:"])
def test_an_unsupported_database_url_is_one_line(tmp_path, url):
    result = cli.isobot(url, "units", "list", now=NOW)
    assert result.exit_code == 2
    assert "DATABASE_URL" in one_line(result)


def test_a_sqlite_database_in_a_folder_that_does_not_exist_is_refused_not_made(tmp_path):
    result = cli.isobot(f"sqlite:///{tmp_path}/isobto/isobot.sqlite3", "db", "upgrade", now=NOW)
    assert result.exit_code == 2
    assert f"{tmp_path}/isobto" in one_line(result)
    assert list(tmp_path.iterdir()) == []


def test_a_recursive_alias_in_a_catalog_is_one_line_naming_the_file(sample, tmp_path):
    catalog = tmp_path / "duties.yaml"
    catalog.write_text("duties:\n  - &loop [*loop]\n", encoding="utf-8")
    result = isobot(sample, "plan", env={"ISOBOT_CATALOG": str(catalog)})
    assert result.exit_code == 2
    assert str(catalog) in one_line(result)


def test_an_unreachable_postgresql_is_one_line():
    result = cli.isobot("postgresql+psycopg://isobot:s3cret-pw@127.0.0.1:1/isobot",
                        "units", "list", now=NOW)
    assert result.exit_code == 1
    line = one_line(result)
    assert "s3cret-pw" not in line


def test_a_locked_sqlite_database_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/isobot.sqlite3"
    assert cli.isobot(url, "db", "upgrade", now=NOW).exit_code == 0
    holder = sqlite3.connect(tmp_path / "isobot.sqlite3")
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the file
    try:
        result = cli.isobot(url, "units", "import", "--sample", "--before-reform", now=NOW)
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1
    assert "locked" in one_line(result)


def session_scope_of(database_url):
    from storage.db import make_engine

    return session_scope(make_engine(database_url))
