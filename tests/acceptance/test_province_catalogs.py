"""An operator configures the provinces' catalogs (ISOBOT_PROVINCE_CATALOGS): each unit's
reminders cite its own province's documents, and a mapping that cannot be used stops every
command with one line per mistake."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from jobs.catalog import load_catalogs
from jobs.text.i18n import translator
from storage.models import Role
from tests.conftest import at
from tests.support import cli

pytestmark = pytest.mark.before_reform  # written on the districts of before 1 July 2025

vi = translator("vi")

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


# -- the running bot --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalog():
    """The deployment's catalog with the example provinces mapped (overrides the national one
    the running bot gets by default)."""
    return load_catalogs(provinces=PROVINCES)


async def test_the_bot_reminds_and_guides_each_officer_with_their_own_provinces_basis(bot):
    mo_duc, an_giang = 7001, 7002
    await bot.register(mo_duc, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    await bot.register(an_giang, "AGG-STP", Role.OFFICER, "Bình")
    # 30 November's reminders go at 16:00, so the quarterly report's comes alone the next
    # morning, in full, rather than in brief among the morning's duties.
    await bot.tick()
    bot.clock.set(at("2026-12-01 08:00"))  # a fortnight before the quarterly reports are due
    await bot.drain(mo_duc)
    await bot.drain(an_giang)
    await bot.tick()
    quarterly = vi._("🔔 ISO DUTY REMINDER: {title}").format(
        title=load_catalogs().duty("quarterly_report").title.vi)

    def reminder_to(user: int) -> dict:
        return next(m for m in bot.sandbox.messages_to(user) if m["text"].startswith(quarterly))

    assert "907/UBND-KT ngày 16/7/2021 của UBND huyện Mộ Đức" in reminder_to(mo_duc)["text"]
    assert "907/UBND-KT" not in reminder_to(an_giang)["text"]
    assert "Điều 4 Quyết định số 19/2014/QĐ-TTg" in reminder_to(an_giang)["text"]
    await bot.drain(mo_duc)
    guide = await bot.press(mo_duc, reminder_to(mo_duc), vi._("Guidance"))
    assert "907/UBND-KT" in guide["text"]
    # A new officer's training is named by the officer, and in An Giang cites An Giang's
    # letter: the welcome lists it, and its reminder comes a fortnight before it is due.
    await bot.drain(an_giang)
    listed = await bot.say(an_giang, "/viec")
    assert "Tập huấn / bồi dưỡng HTQLCL (cán bộ Bình): 29/01/2027" in listed["text"]
    assert "T-" not in listed["text"]
    bot.clock.set(at("2027-01-15 08:00"))
    # It comes among the morning's overdue duties, in brief; its guidance has it in full.
    [morning] = await bot.tick_and_collect(an_giang)
    training = re.search(rf"^(\d+)\. {re.escape(load_catalogs().duty('training').title.vi)}\n"
                         r".* · cán bộ Bình · .*29/01/2027 \(còn 14 ngày\)$", morning["text"], re.M)
    assert training, morning["text"]
    guide = await bot.press(an_giang, morning, f"{vi._('Guidance')} {training[1]}")
    reminder = guide["text"]
    assert "Liên quan: cán bộ Bình" in reminder
    assert "1699/UBND-TH ngày 02/12/2024 của UBND tỉnh An Giang" in reminder
