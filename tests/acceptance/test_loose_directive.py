"""A supervisor sends a directive without typing /chidao — its text pasted on Zalo, or its DOCX
on Telegram — and gets the draft to confirm; an officer's report pasted the same way is not
taken for a directive."""

from __future__ import annotations

import io

import docx
import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Directive, Obligation, Role
from tests.acceptance.test_pasted_directive import LETTER
from tests.conftest import at
from tests.support.telegram import invite, load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
SUPERVISOR = "a1b2c3d4e5f60002"
TELEGRAM_SUPERVISOR = 2001

REPORT = """ỦY BAN NHÂN DÂN
HUYỆN MỘ ĐỨC
Số: 45/BC-UBND
Mộ Đức, ngày 30 tháng 11 năm 2026
V/v báo cáo kết quả khắc phục sau đánh giá nội bộ
Kính gửi: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi.
UBND huyện báo cáo kết quả như sau."""


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    harness = await start_zalo_harness(engine, catalog, at("2026-12-01 09:00"), telegram=True,
                                       evidence_dir=tmp_path / "evidence")
    yield harness
    await harness.stop()


def directives(engine) -> list[Directive]:
    with session_scope(engine) as session:
        return list(session.exec(select(Directive)))


def as_docx(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def test_a_directive_pasted_without_chidao_gives_the_draft(bot, engine):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    draft = await bot.say(SUPERVISOR, LETTER)
    assert vi._("I read this directive from the text you sent:") in draft
    assert vi._("Number: {number}").format(number="1300/UBND-KT") in draft
    assert "21/12/2026" in draft
    assert vi._("Send it? Nothing is sent until you confirm.") in draft
    assert directives(engine) == []
    await bot.say(SUPERVISOR, "1")  # 1 – Send
    with session_scope(engine) as session:
        owed = session.exec(select(Obligation).where(Obligation.duty_key == "directive")).all()
        assert len(owed) == 3


async def test_a_report_addressed_upwards_is_not_taken_for_a_directive(bot, engine):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    answer = await bot.say(SUPERVISOR, REPORT)
    assert vi._("Send it? Nothing is sent until you confirm.") not in answer
    assert directives(engine) == []


async def test_a_directive_sent_as_a_docx_on_telegram_gives_the_draft(bot, engine):
    code = invite(bot.engine, "QNG-MD", Role.SUPERVISOR, bot.clock.now())
    bot.telegram.user_sends_text(TELEGRAM_SUPERVISOR, code)
    await bot.telegram.next_message(TELEGRAM_SUPERVISOR, timeout=10)
    bot.telegram.user_sends_document(TELEGRAM_SUPERVISOR, "cv-1300.docx", as_docx(LETTER))
    draft = (await bot.telegram.next_message(TELEGRAM_SUPERVISOR, timeout=10))["text"]
    assert vi._("I read this directive from the file {name} you sent:").format(
        name="cv-1300.docx") in draft
    assert vi._("Number: {number}").format(number="1300/UBND-KT") in draft
    assert directives(engine) == []
