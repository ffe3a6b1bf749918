"""ISOBOT_DOCUMENT_INBOX: a directive the document system exports into the folder reaches its
issuer's supervisors as a draft to confirm in the chat; nothing reaches an officer unconfirmed,
and the file moves to done/ or failed/ (with the reason)."""

from __future__ import annotations

import datetime as dt
import os

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
OFFICER = "a1b2c3d4e5f60003"


@pytest.fixture
def inbox(tmp_path):
    """The folder the document system exports into: not the one the test's database is in,
    which the bot would take for documents too."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
async def bot(engine, catalog, inbox):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    harness = await start_zalo_harness(engine, catalog, at("2026-12-01 09:00"),
                                       document_inbox=inbox)
    await harness.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    await harness.drain(SUPERVISOR)
    yield harness
    await harness.stop()


def export(folder, name: str, content: str | bytes, modified: dt.datetime) -> None:
    """The document system writes ``name``, last modified at ``modified``."""
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    os.utime(path, (modified.timestamp(), modified.timestamp()))


async def take(bot) -> None:
    await bot.runtime.documents.take_new()
    await bot.settle()


def directives(engine) -> list[Directive]:
    with session_scope(engine) as session:
        return list(session.exec(select(Directive)))


async def test_an_exported_directive_waits_for_the_supervisor_to_confirm(bot, engine, inbox):
    export(inbox, "cv-1300.txt", LETTER, bot.clock.now() - dt.timedelta(minutes=1))
    await take(bot)
    draft = (await bot.sandbox.next_message(SUPERVISOR, timeout=10))["text"]
    assert "cv-1300.txt" in draft
    assert vi._("Number: {number}").format(number="1300/UBND-KT") in draft
    assert "21/12/2026" in draft  # Saturday 19/12 moves to Monday
    assert vi._("Send it? Nothing is sent until you confirm.") in draft
    assert directives(engine) == []
    assert (inbox / "done" / "cv-1300.txt").exists()
    assert not (inbox / "cv-1300.txt").exists()
    sent = await bot.say(SUPERVISOR, "1")  # 1 – Send: as /chidao sends it
    assert "1300/UBND-KT" in sent
    with session_scope(engine) as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.number, directive.due.isoformat()) == ("1300/UBND-KT", "2026-12-21")
        owed = session.exec(select(Obligation).where(Obligation.duty_key == "directive")).all()
        assert len(owed) == 3  # the three communes of Mộ Đức


async def test_the_supervisor_may_change_the_deadline_of_an_exported_directive(bot, engine,
                                                                              inbox):
    export(inbox, "cv-1300.txt", LETTER, bot.clock.now() - dt.timedelta(minutes=1))
    await take(bot)
    await bot.drain(SUPERVISOR)
    await bot.say(SUPERVISOR, "2")  # 2 – Change the deadline
    again = await bot.say(SUPERVISOR, "23/12/2026")
    assert "23/12/2026" in again and directives(engine) == []
    await bot.say(SUPERVISOR, "1")
    assert directives(engine)[0].due.isoformat() == "2026-12-23"


async def test_a_file_still_being_written_is_left_for_the_next_pass(bot, inbox):
    now, shown = bot.clock.now(), len(bot.sandbox.messages_to(SUPERVISOR))
    export(inbox, "cv-1300.txt", LETTER, now - dt.timedelta(seconds=2))
    export(inbox, "~cv-1301.docx.part", b"half", now - dt.timedelta(minutes=5))
    await take(bot)
    assert (inbox / "cv-1300.txt").exists() and not (inbox / "done").exists()
    assert len(bot.sandbox.messages_to(SUPERVISOR)) == shown
    bot.clock.set(now + dt.timedelta(seconds=3))  # unchanged since the last pass: whole
    await take(bot)
    assert (inbox / "done" / "cv-1300.txt").exists()
    assert (inbox / "~cv-1301.docx.part").exists()


async def test_a_document_without_a_number_fails_with_the_reason(bot, engine, inbox):
    shown = len(bot.sandbox.messages_to(SUPERVISOR))
    export(inbox, "note.txt", LETTER.replace("Số: 1300/UBND-KT\n", ""),
           bot.clock.now() - dt.timedelta(minutes=1))
    export(inbox, "scan.pdf", b"not a pdf", bot.clock.now() - dt.timedelta(minutes=1))
    await take(bot)
    reason = (inbox / "failed" / "note.txt.reason.txt").read_text(encoding="utf-8")
    assert reason.strip() == vi._("The document has no number (“Số: …”): nothing was sent.")
    assert (inbox / "failed" / "note.txt").exists()
    assert (inbox / "failed" / "scan.pdf.reason.txt").exists()
    assert len(bot.sandbox.messages_to(SUPERVISOR)) == shown and directives(engine) == []


async def test_a_directive_no_supervisor_can_confirm_fails(engine, catalog, inbox):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    harness = await start_zalo_harness(engine, catalog, at("2026-12-01 09:00"),
                                       document_inbox=inbox)
    try:
        export(inbox, "cv-1300.txt", LETTER, harness.clock.now() - dt.timedelta(minutes=1))
        await take(harness)
        reason = (inbox / "failed" / "cv-1300.txt.reason.txt").read_text(encoding="utf-8")
        assert reason.startswith(vi._("No supervisor of {unit} has joined isobot to confirm "
                                      "this directive: nothing was sent.").split("{unit}")[0])
        assert "Mộ Đức" in reason
        assert directives(engine) == []
    finally:
        await harness.stop()
