"""``/baocao`` in the chat, through the real messenger clients and their sandboxes: an officer
gets their unit's draft (Zalo: a link to isobot's web server that serves the DOCX), a supervisor
chooses a unit or the whole scope (Telegram: the document), and the yearly report's reminder
offers "Tạo dự thảo báo cáo"."""

from __future__ import annotations

import io
import re

import aiohttp
import docx
import pytest

from jobs.text.i18n import translator
from storage.models import Role
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support.telegram import buttons, running_bot
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER, OTHER = "a1b2c3d4e5f60001", "a1b2c3d4e5f60003"
TG_OFFICER, TG_SUPERVISOR = 1001, 2001
LINK = re.compile(r"https?://\S+/files/\S+")
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def words(content: bytes) -> str:
    """Every paragraph of a DOCX, those in its tables too."""
    document = docx.Document(io.BytesIO(content))
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        found += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(found)


async def fetch(url: str) -> tuple[int, bytes, dict]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read(), dict(response.headers)


@pytest.fixture
async def zalo(engine, catalog):
    from tests.support.telegram import load_sample_units

    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-11-30 16:00"), public_url=f"http://127.0.0.1:{port}",
        web_listen="127.0.0.1", web_port=port)
    await harness.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    yield harness
    await harness.stop()


async def link_in_reply(bot, user: str, text: str) -> tuple[str, str]:
    """The user writes ``text``; the bot's answer and the one link in it."""
    answer = await bot.say(user, text)
    [url] = LINK.findall(answer)
    return answer, url


async def test_baocao_on_zalo_returns_a_link_that_serves_the_docx(zalo):
    answer, url = await link_in_reply(zalo, OFFICER, "/baocao")
    assert "UBND xã Đức Tân" in answer and "2026" in answer
    assert "bao-cao-2026-QNG-MD-DTAN.docx" in answer
    status, content, headers = await fetch(url)
    assert status == 200 and headers["Content-Type"].startswith(DOCX_TYPE)
    found = words(content)
    assert MOTTO in found and "UBND xã Đức Tân" in found and "năm 2026" in found


async def test_bao_cao_without_diacritics_or_slash_and_an_earlier_year(zalo):
    answer, url = await link_in_reply(zalo, OFFICER, "du thao bao cao 2025")
    assert "2025" in answer
    assert "năm 2025" in words((await fetch(url))[1])


async def test_a_year_that_is_not_four_digits_is_asked_again(zalo):
    answer = await zalo.say(OFFICER, "/baocao năm ngoái")
    assert answer == vi._("Write the year with four digits, e.g. /baocao {year}.").format(
        year=2026)
    assert not LINK.search(answer)


async def test_the_yearly_reports_reminder_offers_the_draft(zalo):
    zalo.clock.set(at("2026-12-01 08:00"))
    [morning] = await zalo.tick_and_collect(OFFICER)
    assert "2. Báo cáo năm tình hình áp dụng, duy trì, cải tiến" in morning["text"]
    offered = await zalo.say(OFFICER, "bao cao nam")  # the duty named: its own choices
    assert offered.endswith(f", 4 – {vi._('Draft the report')}")
    assert vi._("Draft the report") == "Tạo dự thảo báo cáo"
    answer, url = await link_in_reply(zalo, OFFICER, "4")
    assert "UBND xã Đức Tân" in answer
    assert MOTTO in words((await fetch(url))[1])


async def test_someone_not_registered_gets_no_report(zalo):
    answer = await zalo.say(OTHER, "/baocao")
    assert not LINK.search(answer)


# -- Telegram: a supervisor chooses ------------------------------------------------------------


@pytest.fixture
async def telegram(engine, catalog):
    async with running_bot(engine, catalog, at("2026-12-07 09:00"), before_reform=True) as harness:
        yield harness


async def test_a_supervisor_chooses_the_whole_scope_and_gets_the_document(telegram):
    await telegram.register(TG_SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    question = await telegram.say(TG_SUPERVISOR, "/baocao")
    scope = vi._("Summary: {unit} and every unit under it").format(unit="UBND huyện Mộ Đức")
    assert buttons(question) == [scope]
    text = await telegram.press(TG_SUPERVISOR, question, scope)
    assert "UBND huyện Mộ Đức" in text["text"]
    sent = await telegram.sandbox.next_message(TG_SUPERVISOR, timeout=30)
    assert sent["document"]["file_name"] == "bao-cao-tong-hop-2026-QNG-MD.docx"
    table = docx.Document(io.BytesIO(telegram.sandbox.file_content(
        sent["document"]["file_id"]))).tables[-2]
    names = [row.cells[1].text for row in table.rows[1:]]
    assert "UBND huyện Mộ Đức" in names and "UBND xã Đức Tân" in names


async def test_a_supervisor_types_a_unit_code_and_gets_its_draft(telegram):
    await telegram.register(TG_SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    await telegram.say(TG_SUPERVISOR, "/baocao")
    text = await telegram.say(TG_SUPERVISOR, "qng-md-dtan")
    assert "UBND xã Đức Tân" in text["text"]
    sent = await telegram.sandbox.next_message(TG_SUPERVISOR, timeout=30)
    content = telegram.sandbox.file_content(sent["document"]["file_id"])
    assert "UBND xã Đức Tân" in words(content)


async def test_a_unit_outside_the_supervisors_subtree_is_refused(telegram):
    await telegram.register(TG_SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    await telegram.say(TG_SUPERVISOR, "/baocao")
    refusal = await telegram.say(TG_SUPERVISOR, "AGG-STP")
    assert refusal["text"] == vi._(
        "“{code}” is not a unit whose report you may draft. Please choose one above or type "
        "its code; /huy cancels.").format(code="AGG-STP")
    assert not any(m.get("document") for m in telegram.sandbox.messages_to(TG_SUPERVISOR))


async def test_an_officer_on_telegram_gets_the_document_at_once(telegram):
    await telegram.register(TG_OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    text = await telegram.say(TG_OFFICER, "/baocao")
    assert "UBND xã Đức Tân" in text["text"]
    sent = await telegram.sandbox.next_message(TG_OFFICER, timeout=30)
    assert sent["document"]["file_name"] == "bao-cao-2026-QNG-MD-DTAN.docx"


async def test_the_draft_button_beside_the_yearly_reports_choices_on_telegram(telegram):
    await telegram.register(TG_OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    offered = await telegram.say(TG_OFFICER, "bao cao nam")
    assert buttons(offered) == [vi._("Submitted"), vi._("Remind me later"), vi._("Guidance"),
                                "Tạo dự thảo báo cáo"]
    text = await telegram.press(TG_OFFICER, offered, "Tạo dự thảo báo cáo")
    assert "UBND xã Đức Tân" in text["text"]
    sent = await telegram.sandbox.next_message(TG_OFFICER, timeout=30)
    content = telegram.sandbox.file_content(sent["document"]["file_id"])
    assert MOTTO in words(content)


async def test_another_duty_offers_no_draft(telegram):
    await telegram.register(TG_OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    offered = await telegram.say(TG_OFFICER, "bao cao quy")
    assert buttons(offered) == [vi._("Submitted"), vi._("Remind me later"), vi._("Guidance")]
