"""A reorganisation plan is checked whole: every row that cannot take effect is named."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from jobs.units.reorganisation import PlanProblem, PlanRow, check_plan, parents_after, read_plan

# A province with a department and a district holding two communes; another province.
TREE = {
    "P": (None, True), "P-D": ("P", True), "P-H": ("P", True),
    "P-H-A": ("P-H", True), "P-H-B": ("P-H", True),
    "Q": (None, True), "Q-D": ("Q", True), "OLD": ("Q", False),
}


def row(line: int, action: str, code: str, target: str = "", name: str = "",
        kind: str = "") -> PlanRow:
    return PlanRow(line, action, code, target, name, kind)


def test_the_reform_of_a_province_is_accepted_whatever_the_row_order():
    rows = [row(2, "close", "P-H"), row(3, "move", "P-H-A", "Q"), row(4, "merge", "P", "Q"),
            row(5, "merge", "P-D", "Q-D"), row(6, "move", "P-H-B", "Q"),
            row(7, "rename", "P-H-B", name="UBND xã B mới")]
    assert check_plan(rows, TREE) == []
    assert check_plan(list(reversed(rows)), TREE) == []
    assert parents_after(rows, TREE) == {"Q": None, "Q-D": "Q", "P-H-A": "Q", "P-H-B": "Q"}


def test_a_closed_district_whose_communes_go_nowhere_is_named():
    problems = check_plan([row(2, "close", "P-H"), row(3, "move", "P-H-A", "Q")], TREE)
    assert problems == [PlanProblem(2, "children_left", "P-H: P-H-B")]


def test_unknown_codes_conflicts_and_targets_that_end_are_each_named_by_line():
    problems = check_plan([
        row(2, "merge", "NOPE", "Q"),
        row(3, "move", "P-H-B", "GONE"),
        row(4, "merge", "P-H-A", "Q"), row(5, "move", "P-H-A", "P"),
        row(6, "merge", "Q-D", "P-D"), row(7, "close", "P-D"),
        row(8, "rename", "OLD", name="x"),
        row(9, "new", "P", "Q", "Trùng", "commune"),
        row(10, "explode", "P"),
    ], TREE)
    assert {(p.line, p.problem) for p in problems} == {
        (2, "unknown_code"), (3, "unknown_target"), (4, "conflict"), (5, "conflict"),
        (6, "target_ends"), (8, "unknown_code"), (9, "code_exists"), (10, "unknown_action")}


def test_a_unit_merged_into_a_unit_below_it_is_a_cycle():
    problems = check_plan([row(2, "merge", "P-H", "P-H-A")], TREE)
    assert problems == [PlanProblem(2, "cycle", "P-H")]
    assert check_plan([row(2, "move", "P", "P-H-A")], TREE) == [PlanProblem(2, "cycle", "P")]


def test_new_units_may_hang_under_each_other_in_any_order():
    rows = [row(2, "new", "N-X", "N", "UBND xã X", "commune"),
            row(3, "new", "N", "", "UBND tỉnh N", "province")]
    assert check_plan(rows, TREE) == []
    assert check_plan([row(2, "new", "N", "", "", "nowhere")], TREE) == [
        PlanProblem(2, "empty_name", "N"), PlanProblem(2, "unknown_kind", "nowhere")]


def test_a_plan_with_vietnamese_headers_and_actions_is_read(tmp_path: Path):
    plan = tmp_path / "phuong-an.csv"
    plan.write_text("Thao tác,Mã đơn vị,Đơn vị tiếp nhận,Tên đơn vị,Loại\n"
                    "Sáp nhập,KGG,AGG,,\nĐổi tên,KGG-AM-TT,,UBND xã Thứ Mười Một,\n"
                    "Thành lập,AGG-X,AGG,UBND xã X,Xã\n", encoding="utf-8")
    assert read_plan(plan) == [row(2, "merge", "KGG", "AGG"),
                               row(3, "rename", "KGG-AM-TT", name="UBND xã Thứ Mười Một"),
                               row(4, "new", "AGG-X", "AGG", "UBND xã X", "commune")]


def test_a_plan_saved_from_excel_is_read_like_its_csv(tmp_path: Path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["action", "code", "target", "name", "kind"])
    sheet.append(["merge", "KGG", "AGG", None, None])
    sheet.append(["close", "KGG-UMT", None, None, None])
    workbook.save(tmp_path / "plan.xlsx")
    assert read_plan(tmp_path / "plan.xlsx") == [row(2, "merge", "KGG", "AGG"),
                                                 row(3, "close", "KGG-UMT")]
