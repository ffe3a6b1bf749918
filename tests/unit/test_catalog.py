"""The duty catalog: the packaged data, a province's override, and the errors an operator sees."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest
import yaml

from jobs.catalog import (
    Catalog,
    CatalogError,
    EventDue,
    LocalizedList,
    LocalizedText,
    MonthlyDue,
    QuarterlyDue,
    YearlyDue,
    load_catalog,
)
from jobs.planning.obligations import scheduled_duties
from jobs.text.i18n import set_default_language
from storage.models import UnitKind


@pytest.fixture(autouse=True)
def operator_reads_english():
    """The error-message tests below read the English wording; the default is Vietnamese."""
    set_default_language("en")
    yield
    set_default_language("vi")


def test_catalog_errors_speak_the_deployments_language(tmp_path):
    set_default_language("vi")
    path = tmp_path / "province.yaml"
    path.write_text("duties:\n  - key: internal_audit\n    due: {month: 13, day: 1}\n",
                    encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(override=path)
    message = str(caught.value)
    assert "province.yaml" in message and "internal_audit" in message and "due.month" in message
    assert "dòng" in message  # "line", in Vietnamese


# The Vietnamese titles of DOMAIN.md's duty table.
DOMAIN_TITLES = {
    "internal_audit": "Đánh giá nội bộ HTQLCL",
    "corrective_action": "Khắc phục điểm không phù hợp",
    "management_review": "Họp xem xét của lãnh đạo",
    "legal_update": "Cập nhật thay đổi văn bản QPPL vào HTQLCL",
    "quarterly_report": "Báo cáo quý cho Thường trực BCĐ ISO",
    "annual_report": "Báo cáo năm tình hình áp dụng, duy trì, cải tiến",
    "announcement": "Công bố HTQLCL phù hợp TCVN ISO 9001:2015",
    "directive": "Thực hiện văn bản chỉ đạo",
    "training": "Tập huấn / bồi dưỡng HTQLCL",
    "giao_ban": "HTQLCL trong họp giao ban",
    "self_check": "Tự kiểm tra hồ sơ HTQLCL",
    "quality_objectives": "Mục tiêu chất lượng năm",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- the packaged catalog ------------------------------------------------------------------------


def test_packaged_catalog_has_the_twelve_duties_of_the_domain(catalog: Catalog) -> None:
    assert set(catalog.keys()) == set(DOMAIN_TITLES)
    for duty in catalog.duties:
        assert duty.title.vi == DOMAIN_TITLES[duty.key]
        assert duty.title.en and duty.legal_basis.vi and duty.legal_basis.en


def test_every_checklist_has_three_to_seven_items_in_both_languages(catalog: Catalog) -> None:
    for duty in catalog.duties:
        vi, en = duty.checklist.get("vi"), duty.checklist.get("en")
        assert 3 <= len(vi) <= 7, duty.key
        assert len(en) == len(vi), duty.key
        assert all(item.strip() for item in (*vi, *en)), duty.key


def test_self_check_lists_the_inspection_findings_of_seed_003(catalog: Catalog) -> None:
    text = "\n".join(catalog.duty("self_check").checklist.vi)
    for finding in ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                    "Phiếu kiểm soát quá trình giải quyết hồ sơ",
                    "đo lường được",
                    "danh mục thông tin dạng văn bản nội bộ",
                    "danh mục văn bản bên ngoài",
                    "danh mục hồ sơ lưu trữ"):
        assert finding in text


def test_national_legal_bases_cite_the_decision_and_the_standards_clauses(
        catalog: Catalog) -> None:
    basis = {duty.key: duty.legal_basis.vi for duty in catalog.duties}
    assert "Điều 4 Quyết định số 19/2014/QĐ-TTg ngày 05/3/2014" in basis["legal_update"]
    assert "03 tháng" in basis["legal_update"]
    assert "Khoản 3 Điều 4 Quyết định số 19/2014/QĐ-TTg" in basis["announcement"]
    clauses = {"internal_audit": "9.2", "management_review": "9.3",
               "corrective_action": "10.2", "quality_objectives": "6.2", "training": "7.2",
               "quarterly_report": "9.1.3", "annual_report": "9.1.3", "self_check": "7.5",
               "giao_ban": "5.1.1", "legal_update": "7.5.3", "announcement": "4.3"}
    for key, clause in clauses.items():
        assert f"{clause} (" in basis[key] and "TCVN ISO 9001:2015" in basis[key], key
    # The seeds bind their own province or district only: they are in catalogs/, not here.
    for text in basis.values():
        assert not any(seed in text for seed in ("907/UBND-KT", "1699/UBND-TH", "Nông Sơn",
                                                 "10/01/2018", "An Giang", "Mộ Đức"))


def test_due_rules_match_their_cadences(catalog: Catalog) -> None:
    shapes = {"yearly": YearlyDue, "quarterly": QuarterlyDue, "monthly": MonthlyDue,
              "event": EventDue}
    for duty in catalog.duties:
        assert isinstance(duty.due, shapes[duty.cadence]), duty.key
    assert catalog.duty("legal_update").due.months_after == 3
    assert catalog.duty("corrective_action").due.days_after == 30
    assert catalog.duty("giao_ban").recipient == "head"


def test_the_year_runs_audit_then_review_then_annual_report(catalog: Catalog) -> None:
    def day(key: str) -> tuple[int, int]:
        due = catalog.duty(key).due
        return due.month, due.day

    assert day("quality_objectives") < day("internal_audit") < day("management_review") \
        < day("annual_report")
    assert (catalog.duty("self_check").due.month_of_quarter
            == catalog.duty("quarterly_report").due.month_of_quarter)
    assert catalog.duty("self_check").due.day <= catalog.duty("quarterly_report").due.day


def test_duties_carry_their_effective_settings(catalog: Catalog) -> None:
    # No own values: the defaults, copied in.
    report = catalog.duty("quarterly_report")
    assert report.lead_days == catalog.defaults.lead_days == (14, 7, 3, 1)
    assert report.overdue == catalog.defaults.overdue
    assert report.escalation == catalog.defaults.escalation
    # Own values win; a partial overdue policy keeps the other number from the defaults.
    assert catalog.duty("internal_audit").lead_days == (30, 14, 7, 3, 1)
    directive = catalog.duty("directive")
    assert directive.overdue.every_working_days == 2
    assert directive.overdue.max_reminders == catalog.defaults.overdue.max_reminders
    assert catalog.duty("giao_ban").escalation == ()


def test_each_duty_says_what_its_evidence_requires(catalog: Catalog) -> None:
    requires = {d.key: d.requires for d in catalog.duties}
    assert requires["internal_audit"] == ("document", "count")  # from ``evidence: audit``
    assert requires["management_review"] == ("minutes",)
    assert requires["quarterly_report"] == ("document",)
    assert requires["directive"] == ()  # "đã thực hiện" is enough
    # A self-check nobody can point to is no check: a note or a file, at least.
    assert requires["self_check"] == (("note", "file"),)


def test_scheduled_duties_are_the_calendar_ones(catalog: Catalog) -> None:
    scheduled = {d.key for kind in UnitKind for d in scheduled_duties(catalog, kind)}
    assert scheduled == {d.key for d in catalog.duties if d.cadence != "event"}
    assert {"corrective_action", "legal_update", "announcement", "directive",
            "training"}.isdisjoint(scheduled)


def test_unknown_duty_is_a_key_error_naming_the_key(catalog: Catalog) -> None:
    with pytest.raises(KeyError, match="internal_audt"):
        catalog.duty("internal_audt")


def test_catalog_is_frozen(catalog: Catalog) -> None:
    with pytest.raises(pydantic.ValidationError):
        catalog.duty("internal_audit").lead_days = (1,)  # type: ignore[misc]


def test_localized_text_falls_back_to_vietnamese() -> None:
    text = LocalizedText(vi="Báo cáo quý")
    assert text.get("en") == text.get("vi") == text.get(None) == "Báo cáo quý"
    assert LocalizedText(vi="Báo cáo quý", en="Quarterly report").get("en") == "Quarterly report"
    assert LocalizedList(vi=("Một",)).get("en") == ("Một",)


# --- a province's override -----------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_province_override_changes_only_what_it_names(tmp_path: Path, catalog: Catalog) -> None:
    province = _write(tmp_path / "quang_ngai.yaml", """\
duties:
  - key: internal_audit
    due: {month: 9, day: 30}
    lead_days: [45, 14, 3]
""")
    merged = load_catalog(override=province)
    audit, packaged = merged.duty("internal_audit"), catalog.duty("internal_audit")
    assert (audit.due.month, audit.due.day) == (9, 30)
    assert audit.lead_days == (45, 14, 3)
    assert audit.model_copy(update={"due": packaged.due, "lead_days": packaged.lead_days}) \
        == packaged
    assert merged.keys() == catalog.keys()
    for duty in catalog.duties:
        if duty.key != "internal_audit":
            assert merged.duty(duty.key) == duty


def test_province_override_changes_defaults_and_adds_a_duty(tmp_path: Path) -> None:
    province = _write(tmp_path / "province.yaml", """\
defaults:
  overdue: {max_reminders: 2}
duties:
  - key: quarterly_report
    applies_to: [commune, school]
  - key: fire_drill
    title: {vi: "Diễn tập phòng cháy"}
    legal_basis: {vi: "Kế hoạch của UBND tỉnh"}
    cadence: yearly
    due: {month: 6, day: 30}
    recipient: officer
    checklist: {vi: ["Tổ chức diễn tập", "Lập biên bản", "Báo cáo kết quả"]}
    evidence: document
""")
    merged = load_catalog(override=province)
    assert merged.duty("quarterly_report").overdue.max_reminders == 2
    assert merged.duty("quarterly_report").overdue.every_working_days == 3
    assert merged.duty("giao_ban").overdue.max_reminders == 1  # its own value stays
    assert merged.duty("quarterly_report").applies("school")
    assert not merged.duty("quarterly_report").applies("department")
    drill = merged.duty("fire_drill")
    assert drill.lead_days == merged.defaults.lead_days
    assert drill.title.get("en") == "Diễn tập phòng cháy"
    assert merged.keys()[-1] == "fire_drill"


def test_empty_province_file_changes_nothing(tmp_path: Path, catalog: Catalog) -> None:
    assert load_catalog(override=_write(tmp_path / "empty.yaml", "")) == catalog


# --- broken catalogs -----------------------------------------------------------------------------


def _minimal() -> dict[str, Any]:
    """A small valid catalog: one yearly and one quarterly duty."""
    checklist = {"vi": ["Một", "Hai", "Ba"], "en": ["One", "Two", "Three"]}
    return {
        "version": 1,
        "defaults": {
            "lead_days": [14, 7, 3, 1],
            "overdue": {"every_working_days": 3, "max_reminders": 5},
            "escalation": [{"to": "head", "after_working_days": 3},
                           {"to": "supervisor", "after_working_days": 7}],
        },
        "duties": [
            {"key": "internal_audit", "title": {"vi": "Đánh giá nội bộ HTQLCL"},
             "legal_basis": {"vi": "TCVN ISO 9001:2015, điều khoản 9.2"},
             "cadence": "yearly", "due": {"month": 10, "day": 31}, "recipient": "officer",
             "checklist": copy.deepcopy(checklist), "evidence": "audit"},
            {"key": "quarterly_report", "title": {"vi": "Báo cáo quý cho Thường trực BCĐ ISO"},
             "legal_basis": {"vi": "Văn bản số 907/UBND-KT"},
             "cadence": "quarterly", "due": {"month_of_quarter": 3, "day": 15},
             "recipient": "officer", "checklist": copy.deepcopy(checklist),
             "evidence": "document"},
        ],
    }


def _broken(change: Callable[[dict[str, Any]], None]) -> str:
    data = _minimal()
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _audit(data: dict[str, Any]) -> dict[str, Any]:
    return data["duties"][0]


MINIMAL = _broken(lambda d: None)
CADENCE_LINE = MINIMAL.splitlines().index("  cadence: yearly") + 1

# (id, base catalog text, province text or None, fragments the message must contain)
BROKEN = [
    ("yaml-syntax", MINIMAL.replace("cadence: yearly", "cadence: yearly: twice"), None,
     ["broken.yaml", f"line {CADENCE_LINE},", "invalid YAML"]),
    ("missing-title", _broken(lambda d: _audit(d).pop("title")), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'title'", "missing"]),
    ("month-13", _broken(lambda d: _audit(d)["due"].update(month=13)), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'due.month'",
      "must be between 1 and 12"]),
    ("quarterly-with-yearly-rule",
     _broken(lambda d: d["duties"][1].update(due={"month": 3, "day": 15})), None,
     ["broken.yaml", "duty 'quarterly_report'", "field 'due'", "month_of_quarter"]),
    ("typo-lead_day", _broken(lambda d: _audit(d).update(lead_day=[3])), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'lead_day'", "lead_days"]),
    ("duplicate-key", _broken(lambda d: d["duties"].append(copy.deepcopy(_audit(d)))), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'key'", "duplicate"]),
    ("negative-lead-day", _broken(lambda d: _audit(d).update(lead_days=[7, -1])), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'lead_days[1]'"]),
    ("lead-day-not-int", _broken(lambda d: _audit(d).update(lead_days=[7, "3"])), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'lead_days[1]'", "whole number"]),
    ("unknown-cadence", _broken(lambda d: _audit(d).update(cadence="weekly")), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'cadence'"]),
    ("unknown-recipient", _broken(lambda d: _audit(d).update(recipient="boss")), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'recipient'", "officer"]),
    ("day-not-in-month", _broken(lambda d: _audit(d).update(due={"month": 2, "day": 30})), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'due'", "month 2"]),
    ("escalation-out-of-order", _broken(lambda d: _audit(d).update(escalation=[
        {"to": "supervisor", "after_working_days": 7}, {"to": "head", "after_working_days": 3}])),
     None, ["broken.yaml", "duty 'internal_audit'", "field 'escalation'"]),
    ("key-given-twice-in-yaml",
     MINIMAL.replace("  recipient: officer\n", "  recipient: officer\n  recipient: head\n", 1),
     None, ["broken.yaml", "line", "recipient"]),
    ("override-unknown-top-level-field", MINIMAL, "lead_time: [3]\n",
     ["province.yaml", "field 'lead_time'", "unknown field"]),
    ("override-unknown-duty-field", MINIMAL,
     "duties:\n  - key: internal_audit\n    lead_day: [3]\n",
     ["province.yaml", "duty 'internal_audit'", "field 'lead_day'", "line 3"]),
    ("override-cadence-without-due", MINIMAL,
     "duties:\n  - key: internal_audit\n    cadence: quarterly\n",
     ["province.yaml", "duty 'internal_audit'", "field 'due'"]),
    ("override-alias-of-another-duty", MINIMAL,
     "duties:\n  - key: internal_audit\n    aliases: [ĐGNB, báo cáo quý]\n"
     "  - key: quarterly_report\n    aliases: [Báo cáo quý]\n",
     ["province.yaml", "field 'duties'", "alias 'Báo cáo quý'", "'internal_audit' and "
      "'quarterly_report'"]),
    ("empty-alias", _broken(lambda d: _audit(d).update(aliases=["ĐGNB", " "])), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'aliases[1]'", "must not be empty"]),
    ("unknown-requirement", _broken(lambda d: _audit(d).update(requires=["photo"])), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'requires", "document"]),
    ("one-alternative", _broken(lambda d: _audit(d).update(requires=[["file"]])), None,
     ["broken.yaml", "duty 'internal_audit'", "field 'requires'", "at least two"]),
    ("requirement-twice", _broken(lambda d: _audit(d).update(requires=["file", ["file", "note"]])),
     None, ["broken.yaml", "duty 'internal_audit'", "field 'requires'", "file"]),
    ("override-removes-a-value", MINIMAL,
     "duties:\n  - key: internal_audit\n    lead_days: ~\n",
     ["province.yaml", "duty 'internal_audit'", "field 'lead_days'", "null"]),
]


@pytest.mark.parametrize(("base", "province", "fragments"),
                         [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_broken_catalog_names_file_entry_and_field(
        tmp_path: Path, base: str, province: str | None, fragments: list[str]) -> None:
    base_path = _write(tmp_path / "broken.yaml", base)
    override = _write(tmp_path / "province.yaml", province) if province is not None else None
    with pytest.raises(CatalogError) as caught:
        load_catalog(base_path, override=override)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message


def test_minimal_catalog_is_valid(tmp_path: Path) -> None:
    # Guards the broken cases above: each is broken by its one change, not by the fixture.
    catalog = load_catalog(_write(tmp_path / "broken.yaml", MINIMAL))
    assert catalog.keys() == ("internal_audit", "quarterly_report")


def test_error_points_at_the_line_of_the_bad_value(tmp_path: Path) -> None:
    text = _broken(lambda d: _audit(d)["due"].update(month=13))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "month: 13" in row)
    with pytest.raises(CatalogError, match=rf"\(line {line}\)"):
        load_catalog(_write(tmp_path / "broken.yaml", text))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def two_slips(d: dict[str, Any]) -> None:
        _audit(d)["due"]["month"] = 13
        d["duties"][1]["recipient"] = "boss"

    with pytest.raises(CatalogError) as caught:
        load_catalog(_write(tmp_path / "broken.yaml", _broken(two_slips)))
    assert len(caught.value.problems) == 2


def test_missing_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"absent\.yaml"):
        load_catalog(override=tmp_path / "absent.yaml")
