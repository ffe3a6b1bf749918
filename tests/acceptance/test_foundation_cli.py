"""What an operator sees from the command line: units import and list, the simulation."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook

from jobs.calendar.workdays import WorkCalendar
from jobs.units.units_file import SAMPLE_UNITS
from tests.conftest import at
from tests.support import cli

# The operator works at this moment; the simulations below look at 2026 as a whole.
NOW = at("2026-01-05 08:00")


def isobot(database_url, *args):
    return cli.isobot(database_url, *args, now=NOW)


def units_csv(database_url):
    result = isobot(database_url, "units", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_sample_units_import_and_list_as_a_tree(database_url):
    result = isobot(database_url, "units", "import", "--sample")
    assert result.exit_code == 0, result.output
    rows = units_csv(database_url)
    assert len(rows) == 16  # today's two tiers: 3 provinces, their communes and departments
    assert list(rows[0]) == ["code", "name", "kind", "parent"]
    by_code = {r["code"]: r for r in rows}
    assert by_code["QNG-MD-DTAN"]["parent"] == "QNG"
    assert by_code["QNG-MD-DTAN"]["name"] == "UBND xã Đức Tân"
    # Depth-first: every unit is listed after its parent.
    seen = set()
    for row in rows:
        assert not row["parent"] or row["parent"] in seen
        seen.add(row["code"])
    text = isobot(database_url, "units", "list").stdout
    assert "  QNG-MD-DTAN  UBND xã Đức Tân [commune]" in text


def test_importing_twice_updates_instead_of_duplicating(database_url):
    isobot(database_url, "units", "import", "--sample")
    result = isobot(database_url, "units", "import", "--sample")
    assert result.exit_code == 0
    assert "0 mới" in result.stdout or "0 new" in result.stdout
    assert len(units_csv(database_url)) == 16


def test_a_second_file_renames_moves_and_adds_units_in_one_go(database_url, tmp_path):
    isobot(database_url, "units", "import", "--sample", "--before-reform")
    path = tmp_path / "changes.csv"
    path.write_text(  # Đức Tân becomes a ward of a town the same file creates, after it
        "code,name,kind,parent\n"
        "QNG-MD-DTAN,UBND phường Đức Tân,ward,QNG-DP\n"
        "QNG-DP-PH,UBND phường Phổ Hòa,ward,QNG-DP\n"
        "QNG-DP,UBND thị xã Đức Phổ,district,QNG\n"
        "QNG-MD,UBND huyện Mộ Đức,district,QNG\n", encoding="utf-8")
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "4" in result.stdout and "2" in result.stdout  # 4 units: 2 new, 2 updated
    rows = {r["code"]: (r["name"], r["kind"], r["parent"]) for r in units_csv(database_url)}
    assert len(rows) == 28  # the 26 units before the reform, and 2 new
    assert rows["QNG-MD-DTAN"] == ("UBND phường Đức Tân", "ward", "QNG-DP")
    assert rows["QNG-DP"] == ("UBND thị xã Đức Phổ", "district", "QNG")
    assert rows["QNG-DP-PH"] == ("UBND phường Phổ Hòa", "ward", "QNG-DP")
    assert rows["QNG-MD-DPHONG"] == ("UBND xã Đức Phong", "commune", "QNG-MD")  # untouched


def test_a_file_with_one_bad_row_imports_nothing(database_url, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,kind,parent\n"
        "T,UBND tỉnh Thử,province,\n"
        "T-X1,UBND xã Một,commune,T\n"
        "T-X2,UBND xã Hai,commune,NOWHERE\n"
        "T-X3,,commune,T\n"
        "T-X1,UBND xã Trùng,commune,T\n",
        encoding="utf-8",
    )
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 2  # bad input, not a broken environment
    assert "4" in result.stderr and "NOWHERE" in result.stderr  # line 4: unknown parent
    assert "5" in result.stderr  # line 5: empty name
    assert "6" in result.stderr  # line 6: duplicate code
    assert units_csv(database_url) == []


def test_xlsx_import_reports_the_spreadsheet_row(database_url, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "parent"])
    sheet.append(["P", "UBND tỉnh P", "province", None])
    sheet.append(["P-S", "Trường THPT P", "castle", "P"])
    path = tmp_path / "units.xlsx"
    workbook.save(path)
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 2
    assert "3" in result.stderr and "castle" in result.stderr
    sheet["C3"] = "school"
    workbook.save(path)
    assert isobot(database_url, "units", "import", str(path)).exit_code == 0
    assert [r["code"] for r in units_csv(database_url)] == ["P", "P-S"]


def test_a_missing_column_is_named(database_url, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name\nA,B\n", encoding="utf-8")
    result = isobot(database_url, "units", "import", str(path))
    assert result.exit_code == 2
    assert "kind" in result.stderr and "parent" in result.stderr


@pytest.fixture(scope="module")
def year_csv(tmp_path_factory):
    database_url = f"sqlite:///{tmp_path_factory.mktemp('sim')}/empty.sqlite3"
    result = isobot(database_url, "simulate", "--from", "2026-01-01", "--to", "2026-12-31",
                    "--format", "csv")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_simulated_year_has_every_yearly_and_quarterly_duty_for_every_sample_unit(year_csv):
    rows = list(csv.DictReader(io.StringIO(year_csv)))
    assert list(rows[0]) == ["send_at", "unit", "duty", "period", "due", "stage",
                             "recipient_role", "text"]
    with SAMPLE_UNITS.open(encoding="utf-8") as f:
        sample = {r["code"] for r in csv.DictReader(f)}
    assert len(sample) == 16
    for unit in sample:
        mine = {(r["duty"], r["period"]) for r in rows if r["unit"] == unit}
        for needed in [("internal_audit", "2026"), ("management_review", "2026"),
                       ("annual_report", "2026"), *[("quarterly_report", f"2026-Q{q}")
                                                    for q in range(1, 5)]]:
            assert needed in mine, (unit, needed)
        stages = {r["stage"] for r in rows if r["unit"] == unit and r["duty"] == "quarterly_report"}
        assert {"before-14d", "before-7d", "before-3d", "before-1d", "due"} <= stages


def test_simulated_year_sends_nothing_on_weekends_or_holidays(year_csv):
    calendar = WorkCalendar()
    rows = list(csv.DictReader(io.StringIO(year_csv)))
    days = {dt.datetime.fromisoformat(r["send_at"]).date() for r in rows}
    assert all(calendar.is_working_day(d) for d in days)
    for tet in (dt.date(2026, 2, 16), dt.date(2026, 2, 17), dt.date(2026, 4, 27),
                dt.date(2026, 9, 2)):
        assert tet not in days
    assert all(dt.datetime.fromisoformat(r["send_at"]).utcoffset() == dt.timedelta(hours=7)
               for r in rows)
    assert rows == sorted(rows, key=lambda r: r["send_at"])


def test_simulation_is_deterministic_and_filters_by_unit(tmp_path):
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    args = ("simulate", "--from", "2026-03-01", "--to", "2026-03-31", "--unit", "QNG-MD-DTAN",
            "--format", "csv")
    first, second = isobot(url, *args), isobot(url, *args)
    assert first.stdout == second.stdout
    units = {r["unit"] for r in csv.DictReader(io.StringIO(first.stdout))}
    assert units == {"QNG-MD-DTAN"}


def test_simulation_speaks_english_when_asked(tmp_path):
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    result = isobot(url, "simulate", "--from", "2026-03-02", "--to", "2026-03-02", "--unit",
                    "QNG-MD-DTAN", "--lang", "en", "--format", "csv")
    texts = [r["text"] for r in csv.DictReader(io.StringIO(result.stdout))]
    assert texts and all("Deadline:" in t for t in texts)


def test_simulation_refuses_an_unknown_unit_and_bad_dates(tmp_path):
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    assert isobot(url, "simulate", "--from", "2026-03-01", "--to", "2026-03-31",
                  "--unit", "NOPE").exit_code == 2
    assert isobot(url, "simulate", "--from", "01/03/2026", "--to", "2026-03-31").exit_code == 2


@pytest.mark.parametrize(("command", "options"), [
    (("directive", "send"), ["--text", "--all", "--kind", "--unit", "--under", "--as", "--due",
                             "--number", "--now", "--help"]),
    (("legal", "add"), ["--number", "--title", "--effective", "--all", "--kind", "--unit",
                        "--under", "--long-in-force", "--now", "--help"]),
    (("export",), ["--what", "--format", "--out", "--unit", "--lang", "--year", "--now",
                   "--help"]),
    (("simulate",), ["--from", "--to", "--unit", "--lang", "--format", "--help"]),
    (("plan",), ["--now", "--dry-run", "--json", "--help"]),
    (("run",), ["--now", "--help"]),
])
def test_the_help_lists_each_commands_options_in_their_order(tmp_path, command, options):
    # --lang, --now and the units an operator names are declared once for every command; the
    # help still lists them where each command always had them.
    result = cli.isobot(f"sqlite:///{tmp_path}/unused.sqlite3", *command, "--help", now=NOW,
                        env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert re.findall(r"^│\s+(?:\*\s+)?(--[\w-]+)", result.stdout, re.MULTILINE) == options
