"""A supervisor on Zalo sends a directive's DOCX through the upload link at /chidao's text
step, or on Telegram sends it in the chat: the draft read from it comes back to confirm."""

from __future__ import annotations

import pytest

from jobs.text.i18n import translator
from storage.models import Role
from tests.acceptance.test_loose_directive import TELEGRAM_SUPERVISOR, as_docx, directives
from tests.acceptance.test_pasted_directive import LETTER
from tests.acceptance.test_telegram_webhook import free_port
from tests.acceptance.test_zalo_uploads import LINK, post
from tests.conftest import at
from tests.support.telegram import invite, load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
SUPERVISOR = "a1b2c3d4e5f60002"


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-12-01 09:00"), telegram=True,
        public_url=f"http://127.0.0.1:{port}", web_listen="127.0.0.1", web_port=port,
        evidence_dir=tmp_path / "files")
    yield harness
    await harness.stop()


async def test_a_directive_uploaded_through_the_link_gives_the_draft(bot, engine):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    await bot.say(SUPERVISOR, "/chidao")
    [url] = LINK.findall(await bot.say(SUPERVISOR, "gửi tệp"))
    status, _page = await post(url, as_docx(LETTER), name="cv-1300.docx")
    assert status == 200
    draft = (await bot.sandbox.next_message(SUPERVISOR, timeout=10))["text"]
    assert vi._("Number: {number}").format(number="1300/UBND-KT") in draft
    assert "cv-1300.docx" in draft and "21/12/2026" in draft
    assert directives(engine) == []
    sent = await bot.say(SUPERVISOR, "1")  # 1 – Send
    assert "1300/UBND-KT" in sent and len(directives(engine)) == 1


async def test_a_file_that_is_no_directive_gives_its_name_as_the_text(bot, engine):
    code = invite(bot.engine, "QNG-MD", Role.SUPERVISOR, bot.clock.now())
    bot.telegram.user_sends_text(TELEGRAM_SUPERVISOR, code)
    await bot.telegram.next_message(TELEGRAM_SUPERVISOR, timeout=10)
    bot.telegram.user_sends_text(TELEGRAM_SUPERVISOR, "/chidao")
    await bot.telegram.next_message(TELEGRAM_SUPERVISOR, timeout=10)
    bot.telegram.user_sends_document(TELEGRAM_SUPERVISOR, "ghi-chu.docx", as_docx("Ghi chú"))
    answer = (await bot.telegram.next_message(TELEGRAM_SUPERVISOR, timeout=10))["text"]
    assert vi._("Send it? Nothing is sent until you confirm.") not in answer
    assert "1699/UBND-TH" in answer  # asked for the official number, as before
    assert directives(engine) == []
