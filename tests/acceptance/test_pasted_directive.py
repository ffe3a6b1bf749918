"""A supervisor pastes a directive's text, as the document system printed it, into /chidao on
Zalo: the bot answers with the draft it read and sends nothing until it is confirmed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Directive, Obligation, Role
from tests.conftest import at
from tests.support.document_files import LETTER
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
SUPERVISOR = "a1b2c3d4e5f60002"


@pytest.fixture
async def bot(engine, catalog):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    harness = await start_zalo_harness(engine, catalog, at("2026-12-01 09:00"))
    yield harness
    await harness.stop()


def directives(engine) -> list[Directive]:
    with session_scope(engine) as session:
        return list(session.exec(select(Directive)))


async def test_a_pasted_directive_gives_a_draft_to_confirm_on_zalo(bot, engine):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    await bot.say(SUPERVISOR, "/chidao")
    draft = await bot.say(SUPERVISOR, LETTER)
    assert vi._("Number: {number}").format(number="1300/UBND-KT") in draft
    assert "21/12/2026" in draft  # Saturday 19/12 moves to Monday
    assert "UBND thị trấn Mộ Đức" in draft
    assert vi._("Not matched to any unit: {lines}").format(
        lines="Phòng Tài chính - Kế hoạch") in draft
    assert vi._("Send it? Nothing is sent until you confirm.") in draft
    assert directives(engine) == []
    sent = await bot.say(SUPERVISOR, "1")  # 1 – Send
    assert "1300/UBND-KT" in sent
    with session_scope(engine) as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.number, directive.due.isoformat()) == ("1300/UBND-KT", "2026-12-21")
        owed = session.exec(select(Obligation).where(Obligation.duty_key == "directive")).all()
        assert len(owed) == 3  # the three communes of Mộ Đức


async def test_the_supervisor_may_change_the_deadline_before_sending(bot, engine):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    await bot.say(SUPERVISOR, "/chidao")
    await bot.say(SUPERVISOR, LETTER)
    await bot.say(SUPERVISOR, "2")  # 2 – Change the deadline
    again = await bot.say(SUPERVISOR, "23/12/2026")
    assert "23/12/2026" in again and directives(engine) == []
    await bot.say(SUPERVISOR, "1")
    assert directives(engine)[0].due.isoformat() == "2026-12-23"
