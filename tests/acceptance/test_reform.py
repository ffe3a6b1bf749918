"""The 2025 reform as data: a plan of merges, moves, renames and closings on one date, checked
whole, applied as one change, and kept in the units' history (issue 25)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from jobs.delivery.messages import Message
from jobs.text.i18n import translator
from jobs.units.units_file import SAMPLE_REFORM_PLAN
from storage.db import make_engine, session_scope
from storage.models import Member, Obligation, ObligationStatus, Outbox, Role, Unit
from storage.units import all_units, unit_by_code
from tests.conftest import at
from tests.support.records import isobot, log, owe

vi = translator("vi")
EFFECTIVE = "2025-07-01"
APPLIED = at("2025-07-01 08:00")
# Kiên Giang into An Giang, as the must-show of issue 25 writes it.
AN_GIANG_PLAN = """action,code,target,name,kind
close,KGG-UMT,,,
merge,KGG,AGG,,
move,KGG-UMT-TYEN,AGG,,
merge,KGG-SKHCN,AGG-SKHCN,,
move,KGG-UMT-MTHUAN,AGG,,
move,KGG-AM-TT,AGG,,
rename,KGG-AM-TT,,UBND xã Thứ Mười Một,
close,KGG-AM,,,
"""


@pytest.fixture
def before_reform(database_url) -> str:
    """The seeds' tree before 1 July 2025; the merged department logged a report in 2024 and
    still owes its 2025 review; an officer acts for it."""
    assert isobot(database_url, "units", "import", "--sample", "--before-reform",
                  moment=at("2025-01-02 08:00")).exit_code == 0
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        report = owe(session, "KGG-SKHCN", "annual_report", "2024", dt.date(2024, 12, 5))
        log(session, unit="KGG-SKHCN", obligation=report, moment=at("2024-12-04 09:00"),
            document_number="1731/BC-SKHCN", document_date=dt.date(2024, 12, 3))
        owe(session, "KGG-SKHCN", "management_review", "2025", dt.date(2025, 12, 15))
        owe(session, "AGG-SKHCN", "internal_audit", "2025", dt.date(2025, 10, 31))
        owe(session, "KGG-SKHCN", "internal_audit", "2025", dt.date(2025, 10, 31))
        session.add(Member(unit_id=unit_by_code(session, code="KGG-SKHCN").id,
                           role=Role.OFFICER, platform="telegram", platform_user_id="7001",
                           chat_id="7001", display_name="Chị Lan",
                           joined_at=at("2025-01-02 08:00")))
        session.add(Member(unit_id=unit_by_code(session, code="AGG").id,
                           role=Role.SUPERVISOR, platform="telegram", platform_user_id="7009",
                           chat_id="7009", display_name="Anh Minh",
                           joined_at=at("2025-01-02 08:00")))
    engine.dispose()
    return database_url


def active_tree(database_url) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(isobot(database_url, "units", "list", "--format",
                                             "csv").stdout))
    listed = {r["code"]: r["parent"] for r in rows}
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        active = {c for c in listed if unit_by_code(session, code=c).active}
    engine.dispose()
    return {c: p for c, p in listed.items() if c in active}


def reorganize(database_url, plan: Path, *args: str):
    return isobot(database_url, "units", "reorganize", str(plan), "--effective", EFFECTIVE,
                  *args, moment=APPLIED)


def test_kien_giang_merges_into_an_giang(before_reform, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(AN_GIANG_PLAN, encoding="utf-8")
    before = active_tree(before_reform)

    dry = reorganize(before_reform, plan, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert any("KGG-SKHCN" in line and "AGG-SKHCN" in line for line in dry.stdout.splitlines())
    assert active_tree(before_reform) == before

    applied = reorganize(before_reform, plan)
    assert applied.exit_code == 0, applied.output
    after = active_tree(before_reform)
    assert not {"KGG", "KGG-SKHCN", "KGG-UMT", "KGG-AM"} & set(after)
    assert {c: after[c] for c in ("KGG-UMT-TYEN", "KGG-UMT-MTHUAN", "KGG-AM-TT", "KGG-TDC")} == {
        "KGG-UMT-TYEN": "AGG", "KGG-UMT-MTHUAN": "AGG", "KGG-AM-TT": "AGG",
        "KGG-TDC": "AGG-SKHCN"}

    history = isobot(before_reform, "units", "history", "KGG-SKHCN", moment=APPLIED)
    assert "01/07/2025" in history.stdout and "AGG-SKHCN" in history.stdout
    renamed = isobot(before_reform, "units", "history", "KGG-AM-TT", moment=APPLIED).stdout
    assert "UBND thị trấn Thứ Mười Một" in renamed and "UBND xã Thứ Mười Một" in renamed

    events = isobot(before_reform, "export", "--what", "events", "--format", "csv").stdout
    assert [r["unit"] for r in csv.DictReader(io.StringIO(events))
            if r["document"] == "1731/BC-SKHCN"] == ["KGG-SKHCN"]
    owed = owed_by(before_reform)
    assert ("AGG-SKHCN", "announcement", "merged-2025-07-01", "open") in owed
    assert ("AGG", "announcement", "merged-2025-07-01", "open") in owed
    assert not any(unit == "KGG-AM-TT" and duty == "announcement" for unit, duty, _, _ in owed)


def owed_by(database_url) -> set[tuple[str, str, str, str]]:
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        rows = {(o.unit_id, o.duty_key, o.period, o.status)
                for o in session.exec(select(Obligation))}
        codes = {uid: _code(session, uid) for uid, *_ in rows}
    engine.dispose()
    return {(codes[uid], duty, period, status) for uid, duty, period, status in rows}


def _code(session, unit_id: int) -> str:
    return session.get(Unit, unit_id).code


def test_the_merged_units_duties_and_officers_go_to_its_successor_once(before_reform, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(AN_GIANG_PLAN, encoding="utf-8")
    assert reorganize(before_reform, plan).exit_code == 0
    engine = make_engine(database_url := before_reform)
    with session_scope(engine) as session:
        old = unit_by_code(session, code="KGG-SKHCN")
        cancelled = session.exec(select(Obligation).where(Obligation.unit_id == old.id,
                                                          Obligation.duty_key != "annual_report"))
        assert {(o.status, o.cancel_reason) for o in cancelled} == {
            (ObligationStatus.CANCELLED, "merged into AGG-SKHCN on 2025-07-01")}
        officer = session.exec(select(Member).where(Member.platform_user_id == "7001")).one()
        assert (_code(session, officer.unit_id), officer.active) == ("AGG-SKHCN", True)
    engine.dispose()
    owed = owed_by(database_url)
    assert [o for o in owed if o[0] == "AGG-SKHCN" and o[1] == "internal_audit"] == [
        ("AGG-SKHCN", "internal_audit", "2025", "open")]
    assert ("AGG-SKHCN", "management_review", "2025", "open") in owed


def test_the_merged_units_officer_is_told_and_the_supervisor_gets_one_summary(
        before_reform, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(AN_GIANG_PLAN, encoding="utf-8")
    assert reorganize(before_reform, plan).exit_code == 0
    assert reorganize(before_reform, plan).exit_code == 2  # applied once: KGG is gone
    engine = make_engine(before_reform)
    with session_scope(engine) as session:
        notices = [(row.chat_id, Message.from_payload(row.payload).text)
                   for row in session.exec(select(Outbox).where(Outbox.kind == "notice")
                                               .order_by(Outbox.id))]
    engine.dispose()
    assert [chat for chat, _ in notices] == ["7001", "7009"]
    officer, supervisor = (text for _, text in notices)
    assert "Sở Khoa học và Công nghệ tỉnh An Giang" in officer and "01/07/2025" in officer
    assert "01/07/2025" in supervisor and "2" in supervisor


def test_a_district_closed_with_its_communes_left_is_refused_and_nothing_changes(
        before_reform, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text("action,code,target,name,kind\nclose,KGG-UMT,,,\nmerge,KGG,AGG,,\n",
                    encoding="utf-8")
    before = active_tree(before_reform)
    result = reorganize(before_reform, plan)
    assert result.exit_code == 2
    assert "KGG-UMT" in result.stderr and "2" in result.stderr
    assert active_tree(before_reform) == before


def test_the_shipped_plan_replays_the_reform_on_the_sample_before_it(before_reform):
    result = reorganize(before_reform, SAMPLE_REFORM_PLAN)
    assert result.exit_code == 0, result.output
    engine = make_engine(before_reform)
    with session_scope(engine) as session:
        kinds = {u.kind for u in all_units(session, active_only=True)}
    engine.dispose()
    assert "district" not in kinds


def the_units_today(database_url) -> dict[str, tuple[str, str, str | None]]:
    """Each active unit's name, kind and parent's code, by code."""
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        units = all_units(session, active_only=True)
        codes = {u.id: u.code for u in units}
        tree = {u.code: (u.name, u.kind, codes.get(u.parent_id)) for u in units}
    engine.dispose()
    return tree


def test_the_sample_before_the_reform_and_the_shipped_plan_give_todays_sample(
        before_reform, second_database_url):
    assert reorganize(before_reform, SAMPLE_REFORM_PLAN).exit_code == 0
    fresh = isobot(second_database_url, "units", "import", "--sample", moment=APPLIED)
    assert fresh.exit_code == 0, fresh.output
    assert the_units_today(before_reform) == the_units_today(second_database_url)


def test_a_fresh_sample_has_no_district(database_url):
    assert isobot(database_url, "units", "import", "--sample", moment=APPLIED).exit_code == 0
    kinds = {kind for _, kind, _ in the_units_today(database_url).values()}
    assert "district" not in kinds and {"province", "commune", "department"} <= kinds


def test_a_single_merge_is_in_the_history_too(before_reform):
    moment = at("2026-03-02 10:00")
    assert isobot(before_reform, "units", "merge", "--from", "QNA-NS-QLOC", "--into",
                  "QNA-NS-QTRUNG", moment=moment).exit_code == 0
    merged = isobot(before_reform, "units", "history", "QNA-NS-QLOC", moment=moment).stdout
    assert "02/03/2026" in merged and "QNA-NS-QTRUNG" in merged
    successor = isobot(before_reform, "units", "history", "QNA-NS-QTRUNG", moment=moment).stdout
    assert "QNA-NS-QLOC" in successor
    untouched = isobot(before_reform, "units", "history", "AGG", moment=moment)
    assert untouched.exit_code == 0 and "AGG" in untouched.stdout


def test_the_successors_dossier_lists_the_merged_units_records(before_reform, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(AN_GIANG_PLAN, encoding="utf-8")
    assert reorganize(before_reform, plan).exit_code == 0
    out = tmp_path / "dossier.zip"
    made = isobot(before_reform, "dossier", "--unit", "AGG-SKHCN", "--year", "2024", "--out",
                  str(out), moment=APPLIED)
    assert made.exit_code == 0, made.output
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
    assert [(r["document"], r["correction"]) for r in rows] == [
        ("1731/BC-SKHCN", vi._("from the merged unit {name} ({code})").format(
            name="Sở Khoa học và Công nghệ tỉnh Kiên Giang", code="KGG-SKHCN"))]


def test_the_successors_compliance_table_lists_the_merged_units_records(before_reform, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(AN_GIANG_PLAN, encoding="utf-8")
    assert reorganize(before_reform, plan).exit_code == 0
    result = isobot(before_reform, "export", "--what", "compliance", "--unit", "AGG-SKHCN",
                    "--year", "2024", moment=APPLIED)
    assert result.exit_code == 0, result.output
    assert [(r["unit"], r["duty"], r["evidence"] != "") for r in
            csv.DictReader(io.StringIO(result.stdout))] == [
        ("KGG-SKHCN", "annual_report", True)]
