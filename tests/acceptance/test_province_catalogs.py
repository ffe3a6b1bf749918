"""An operator configures the provinces' catalogs (ISOBOT_PROVINCE_CATALOGS): each unit's
reminders cite its own province's documents, and a mapping that cannot be used stops every
command with one line per mistake."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.conftest import at
from tests.support import cli

PROVINCES = Path(__file__).resolve().parents[2] / "catalogs" / "provinces.yaml"


def dry_run(database_url: str, **env: str) -> dict[tuple[str, str], str]:
    """Each (unit, duty)'s first reminder text in December 2026's dry run."""
    result = cli.isobot(database_url, "simulate", "--from", "2026-12-01", "--to", "2026-12-31",
                        "--format", "csv", now=at("2026-12-01 08:00"), env=env)
    assert result.exit_code == 0, result.output
    texts: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(result.stdout)):
        texts.setdefault((row["unit"], row["duty"]), row["text"])
    return texts


def test_each_unit_cites_its_own_provinces_documents(database_url):
    national = dry_run(database_url)
    provincial = dry_run(database_url, ISOBOT_PROVINCE_CATALOGS=str(PROVINCES))
    assert national.keys() == provincial.keys()
    review = ("QNG-MD-DTAN", "management_review")
    assert "907/UBND-KT ngày 16/7/2021 của UBND huyện Mộ Đức" in provincial[review]
    assert "907/UBND-KT" not in national[review]
    assert "Điều 4 Quyết định số 19/2014/QĐ-TTg" in national[review]
    annual = ("AGG-THPT-LX", "annual_report")
    assert "1699/UBND-TH ngày 02/12/2024 của UBND tỉnh An Giang" in provincial[annual]
    # A Quảng Ngãi commune, and the province above Mộ Đức, read no other province's document.
    for unit in ("QNG-MD-DTAN", "QNG"):
        assert not any("1699/UBND-TH" in text for (code, _), text in provincial.items()
                       if code == unit)
    assert not any("907/UBND-KT" in provincial[key] for key in provincial if key[0] == "QNG")


def test_a_mapping_that_cannot_be_used_stops_the_command(database_url, tmp_path):
    mapping = tmp_path / "provinces.yaml"
    mapping.write_text("AGG: an-giang.yaml\n", encoding="utf-8")
    result = cli.isobot(database_url, "simulate", "--from", "2026-12-01", "--to", "2026-12-02",
                        now=at("2026-12-01 08:00"),
                        env={"ISOBOT_PROVINCE_CATALOGS": str(mapping)})
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Danh mục nhiệm vụ không hợp lệ: "
        f"{mapping}: mã đơn vị 'AGG': không có tệp: {tmp_path / 'an-giang.yaml'} (dòng 1)"]
