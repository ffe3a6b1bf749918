"""A stored file changed behind isobot's back is never handed out as the evidence it was: /xem,
the file links and the dossier check its SHA-256 as they read it, refuse it, say so, and tell
the operator (a log line at ERROR and a metric)."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import zipfile

import aiohttp
import pytest

from jobs.text.i18n import translator
from storage.blobs import blob_key
from tests.acceptance.test_evidence import (
    PDF,
    SUPERVISOR,
    ZALO_OFFICER,
    ZALO_PHOTO,
    everyone_reports,
    telegram_says,
)
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
REFUSED = vi._("📎 {name} could not be verified: the stored file is no longer the one that was "
               "received, so it was not sent. The system operator has been told.")
LEFT_OUT = vi._("Left out: the stored file no longer matches its SHA-256 (the system operator "
                "has been told)")


def tamper(folder, content: bytes) -> None:
    """Someone with access to the disk changes a stored file."""
    path = folder / blob_key(hashlib.sha256(content).hexdigest())
    os.chmod(path, 0o644)
    path.write_bytes(content + b" retouched")


def mismatches(bot) -> float:
    exposition = bot.runtime.metrics.exposition()[0].decode()
    lines = [line for line in exposition.splitlines()
             if line.startswith("isobot_evidence_mismatch_total")]
    return sum(float(line.split()[-1]) for line in lines)


def errors_about(caplog, content: bytes) -> list[logging.LogRecord]:
    digest = hashlib.sha256(content).hexdigest()
    return [r for r in caplog.records if r.levelno == logging.ERROR and digest in r.getMessage()]


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-12-01 09:00"), telegram=True, evidence_dir=tmp_path / "evidence",
        webhook_base_url=f"http://127.0.0.1:{port}", webhook_secret="zalo-webhook-secret-7c2e",
        webhook_listen="127.0.0.1", webhook_port=port)
    yield harness
    await harness.stop()


async def test_xem_refuses_an_altered_file(bot, tmp_path, caplog):
    await everyone_reports(bot)
    await bot.runtime.archive_now()
    tamper(tmp_path / "evidence", PDF)

    details = await telegram_says(bot, SUPERVISOR, "/xem ISO-2026-000001")
    assert hashlib.sha256(PDF).hexdigest() in details["text"]  # what was received, on record
    refusal = await bot.telegram.next_message(SUPERVISOR, timeout=10)
    assert refusal["method"] == "sendMessage" and not refusal.get("document")
    assert refusal["text"] == REFUSED.format(name="bao-cao-quy-4.pdf")
    assert errors_about(caplog, PDF) and mismatches(bot) == 1


async def test_the_dossier_leaves_an_altered_file_out_and_says_so(bot, tmp_path, caplog):
    await everyone_reports(bot)
    await bot.runtime.archive_now()
    tamper(tmp_path / "evidence", PDF)

    await telegram_says(bot, SUPERVISOR, "/hoso QNG-MD-DTAN 2026")
    dossier = (await bot.telegram.next_message(SUPERVISOR, timeout=30))["document"]
    with zipfile.ZipFile(io.BytesIO(bot.telegram.file_content(dossier["file_id"]))) as archive:
        assert "2026/quy-4/bao-cao-quy/45-BC-UBND.pdf" not in archive.namelist()
        assert "2026/ca-nam/bao-cao-nam/50-BC-UBND.jpg" in archive.namelist()  # untouched
        rows = {r["receipt"]: r for r in csv.DictReader(
            io.StringIO(archive.read("index.csv").decode()))}
    assert (rows["ISO-2026-000001"]["path"], rows["ISO-2026-000001"]["file_check"]) == (
        "", LEFT_OUT)
    assert rows["ISO-2026-000002"]["path"] and not rows["ISO-2026-000002"]["file_check"]
    assert errors_about(caplog, PDF) and mismatches(bot) == 1


async def test_a_link_to_an_altered_file_gives_no_bytes(bot, tmp_path, caplog):
    await everyone_reports(bot)
    await bot.runtime.archive_now()
    tamper(tmp_path / "evidence", ZALO_PHOTO)

    await bot.say(ZALO_OFFICER, "/xem ISO-2026-000003")
    await bot.settle()
    [photo] = [m for m in bot.sandbox.messages_to(ZALO_OFFICER) if m["type"] == "photo"]
    async with aiohttp.ClientSession() as http, http.get(photo["photo"]) as response:
        status, body = response.status, await response.read()
        shown = await response.text() if status != 200 else ""
    assert status == 409 and ZALO_PHOTO not in body
    assert vi._("This file could not be verified: the stored file is no longer the one that "
                "was received. The system operator has been told.") == shown.strip()
    assert errors_about(caplog, ZALO_PHOTO) and mismatches(bot) == 1
