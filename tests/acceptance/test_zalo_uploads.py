"""Files from Zalo users, whose messenger passes on only photos: at a step that takes a file the
bot offers a link to isobot's web server; a PDF posted there joins the report exactly as a
document sent in the chat would, and the link works once, for a while, for that person only."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re

import aiohttp
import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Event, EvidenceFile, Role
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER = "a1b2c3d4e5f60001"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n% 45/BC-UBND\n%%EOF\n"
LINK = re.compile(r"https?://\S+/upload/\S+")


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"))
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-12-02 10:00"), public_url=f"http://127.0.0.1:{port}",
        web_listen="127.0.0.1", web_port=port, evidence_dir=tmp_path / "files")
    await harness.register(OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan")
    yield harness
    await harness.stop()


async def at_the_file_step(bot) -> str:
    """The officer reports the quarterly report in words; returns the file step's question."""
    await bot.drain(OFFICER)
    return await bot.say(OFFICER, "đã nộp báo cáo quý số 45/BC-UBND ngày 28/11/2026")


async def post(url: str, content: bytes, name: str = "bao-cao-quy-4.pdf") -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as response:
        return response.status, await response.text()


async def get(url: str) -> tuple[int, str, dict]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


def evidence_files(engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(EvidenceFile)).all())


async def test_a_pdf_sent_through_the_link_joins_the_report_and_the_export(bot, engine):
    question = await at_the_file_step(bot)
    assert LINK.search(question)  # offered at the step that takes a file
    answer = await bot.say(OFFICER, "gửi tệp")
    [url] = LINK.findall(answer)
    assert "60" in answer  # how long it works
    status, page, headers = await get(url)
    assert status == 200 and 'enctype="multipart/form-data"' in page and 'type="file"' in page
    assert headers["Cache-Control"] == "private, no-store"

    status, page = await post(url, PDF)
    assert status == 200 and "bao-cao-quy-4.pdf" in page
    received = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert received == vi._("Received the file {name}.").format(name="bao-cao-quy-4.pdf")
    confirm = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert "bao-cao-quy-4.pdf" in confirm and "45/BC-UBND" in confirm
    receipt = await bot.say(OFFICER, "1")
    assert "ISO-2026-000001" in receipt
    with session_scope(engine) as session:
        [event] = session.exec(select(Event)).all()
        assert event.file_hash == hashlib.sha256(PDF).hexdigest()
    exported = cli.isobot(bot.runtime.settings.database_url, "export", "--what", "events",
                          "--format", "csv", now=bot.clock.now())
    [row] = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert hashlib.sha256(PDF).hexdigest() in row.values()

    # The same link again: refused, nothing kept.
    before = evidence_files(engine)
    status, page = await post(url, PDF)
    assert status == 410 and vi._("This link has been used already. In the chat, type “gửi "
                                  "tệp” for a new one.") in page
    assert evidence_files(engine) == before


async def test_a_file_of_another_kind_or_too_large_is_refused_and_the_chat_told(bot, engine):
    question = await at_the_file_step(bot)
    [url] = LINK.findall(question)
    status, page = await post(url, b"MZ\x90\x00 not a document", name="virus.exe")
    assert status == 415 and "virus.exe" in page
    told = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert "virus.exe" in told
    status, _page = await post(url, b"%PDF-" + b"0" * (20 * 1024 * 1024))
    assert status == 413
    assert "20 MB" in (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert evidence_files(engine) == 0
    # Still at the file step: the link was not spent, a good file goes through.
    status, _page = await post(url, PDF)
    assert status == 200


async def test_an_expired_or_altered_link_opens_nothing(bot, engine):
    question = await at_the_file_step(bot)
    [url] = LINK.findall(question)
    token = url.rsplit("/", 1)[1]
    altered = url[:-len(token)] + token[:-1] + ("A" if token[-1] != "A" else "B")
    status, page, _headers = await get(altered)
    assert status == 404 and "Lan" not in page and "QNG" not in page
    bot.clock.set(at("2026-12-02 10:00") + dt.timedelta(minutes=61))
    status, page = await post(url, PDF)
    assert status == 410
    assert vi._("This link has expired. In the chat, type “gửi tệp” for a new one.") in (
        await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert evidence_files(engine) == 0


async def test_a_link_of_a_task_no_longer_under_way_keeps_nothing(bot, engine):
    question = await at_the_file_step(bot)
    [url] = LINK.findall(question)
    await bot.say(OFFICER, "/huy")
    status, _page = await post(url, PDF)
    assert status == 200  # the page cannot know; the chat says it
    told = (await bot.sandbox.next_message(OFFICER, timeout=10))["text"]
    assert told == vi._("This link was made for a task that is no longer under way, so the "
                        "file was not kept. Start the task again and type “gửi tệp” for a new "
                        "link.")
    with session_scope(engine) as session:
        assert session.exec(select(Event)).all() == []
