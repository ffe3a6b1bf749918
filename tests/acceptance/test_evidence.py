"""Evidence that survives an inspection: files kept by their hash, sent back with /xem to those
who may see them, filed in a unit's dossier, and checked by `isobot evidence verify`."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile

import pytest
from sqlmodel import select

from jobs.text.i18n import translator
from storage.blobs import FolderStore, blob_key
from storage.db import session_scope
from storage.models import Event, EvidenceFile, Role
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import button_data, invite, load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
OFFICER, SUPERVISOR = 1001, 2001  # Telegram: Đức Tân's officer, Mộ Đức's standing office
ZALO_OFFICER = "b1b2c3d4e5f60001"  # Zalo: Đức Phong's officer
PDF = b"%PDF-1.4 Bao cao quy 4 so 45/BC-UBND"
PHOTO = b"\xff\xd8\xff\xe0 minutes of the management review, page 1"
ZALO_PHOTO = b"\xff\xd8\xff\xe0 quarterly report of Duc Phong, page 1"


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    harness = await start_zalo_harness(engine, catalog, at("2026-12-01 09:00"), telegram=True,
                                       evidence_dir=tmp_path / "evidence")
    yield harness
    await harness.stop()


async def telegram_says(bot, user: int, text: str, **kwargs) -> dict:
    bot.telegram.user_sends_text(user, text, **kwargs)
    return await bot.telegram.next_message(user, timeout=10)


async def telegram_confirms(bot, user: int, message: dict) -> dict:
    bot.telegram.user_presses_button(user, message["message_id"],
                                     button_data(message, vi._("Confirm")))
    return await bot.telegram.next_message(user, timeout=10)


async def report_on_telegram(bot, text: str, send) -> str:
    """The officer reports in free text, sends the file, confirms; returns the receipt."""
    await telegram_says(bot, OFFICER, text)
    send()
    confirm = await bot.telegram.next_message(OFFICER, timeout=10)
    return (await telegram_confirms(bot, OFFICER, confirm))["text"]


async def everyone_reports(bot) -> list[str]:
    """A PDF and a photo on Telegram, a photo on Zalo; the receipts' texts."""
    for user, unit, role, name in ((OFFICER, "QNG-MD-DTAN", Role.OFFICER, "Lan"),
                                   (SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")):
        code = invite(bot.engine, unit, role, bot.clock.now())
        await telegram_says(bot, user, f"/start {code}", first_name=name)
    await bot.register(ZALO_OFFICER, "QNG-MD-DPHONG", Role.OFFICER, "Hoa")
    receipts = [
        await report_on_telegram(
            bot, "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026",
            lambda: bot.telegram.user_sends_document(OFFICER, "bao-cao-quy-4.pdf", PDF)),
        await report_on_telegram(
            bot, "da nop bao cao nam so 50/BC-UBND ngay 28/11/2026",
            lambda: bot.telegram.user_sends_photo(OFFICER, PHOTO)),
    ]
    await bot.say(ZALO_OFFICER, "da nop bao cao quy 4 so 30/BC-UBND ngay 29/11/2026")
    bot.sandbox.user_sends_photo(ZALO_OFFICER, ZALO_PHOTO)
    await bot.sandbox.next_message(ZALO_OFFICER, timeout=10)
    receipts.append(await bot.say(ZALO_OFFICER, "xác nhận"))
    return receipts


async def drain(sandbox, user) -> list[dict]:
    """Every message to ``user`` not read yet."""
    taken = []
    while True:
        try:
            taken.append(await sandbox.next_message(user, timeout=0.05))
        except TimeoutError:
            return taken


def stored_files(engine) -> dict[str, EvidenceFile]:
    with session_scope(engine) as session:
        rows = session.exec(select(Event, EvidenceFile).join(
            EvidenceFile, EvidenceFile.id == Event.evidence_file_id)).all()
        return {event.reference: row for event, row in rows}


async def test_files_are_kept_by_hash_seen_by_their_supervisor_and_filed_in_the_dossier(
        bot, engine, tmp_path):
    receipts = await everyone_reports(bot)
    assert [r.split("\n")[0] for r in receipts] == [
        vi._("✅ Recorded. Receipt number: {reference}").format(reference=f"ISO-2026-00000{n}")
        for n in (1, 2, 3)]
    assert vi._("File fingerprint (SHA-256): {digest}").format(
        digest=hashlib.sha256(PDF).hexdigest()) in receipts[0]

    await bot.runtime.archive_now()  # what the scheduler does every few seconds
    files = stored_files(engine)
    store = FolderStore(tmp_path / "evidence")
    for reference, content in (("ISO-2026-000001", PDF), ("ISO-2026-000002", PHOTO),
                               ("ISO-2026-000003", ZALO_PHOTO)):
        digest = hashlib.sha256(content).hexdigest()
        assert (files[reference].state, files[reference].sha256) == ("stored", digest)
        assert store.get(blob_key(digest)) == content
        assert files[reference].staged is None  # the bytes left the database

    # The supervisor asks for the PDF and gets its details and the very same bytes.
    details = await telegram_says(bot, SUPERVISOR, "/xem iso-2026-000001")
    assert "UBND xã Đức Tân" in details["text"] and "45/BC-UBND" in details["text"]
    assert hashlib.sha256(PDF).hexdigest() in details["text"]
    # The moment it was logged, in Vietnam's time as on the receipt (not 7 hours early).
    recorded = re.search(r"\d\d:\d\d [^,]+, \d\d/\d\d/\d{4}", receipts[0])[0]
    assert recorded in details["text"]
    document = (await bot.telegram.next_message(SUPERVISOR, timeout=10))["document"]
    assert document["file_name"] == "bao-cao-quy-4.pdf"
    assert bot.telegram.file_content(document["file_id"]) == PDF

    # Đức Phong's officer, on Zalo, may see their own report but not Đức Tân's.
    refused = await bot.say(ZALO_OFFICER, "xem ISO-2026-000001")
    assert refused == vi._("No report {reference} that you may see. You can see the reports you "
                           "logged yourself and those of the units you supervise.").format(
        reference="ISO-2026-000001")
    assert "45/BC-UBND" not in refused and "Đức Tân" not in refused
    own = await bot.say(ZALO_OFFICER, "/xem ISO-2026-000003")
    assert "30/BC-UBND" in own

    # The dossier of Đức Tân for 2026: the files by period and duty, the index's hashes match.
    out = tmp_path / "dossier.zip"
    made = cli.isobot(str(engine.url), "dossier", "--unit", "QNG-MD-DTAN", "--year", "2026",
                      "--out", str(out), now=bot.clock.now(),
                      env={"ISOBOT_EVIDENCE_DIR": str(tmp_path / "evidence")})
    assert made.exit_code == 0, made.output
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"compliance-2026.xlsx", "index.xlsx", "index.csv",
                "2026/quy-4/bao-cao-quy/45-BC-UBND.pdf",
                "2026/ca-nam/bao-cao-nam/50-BC-UBND.jpg"} <= names
        rows = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode())))
        with_files = [r for r in rows if r["path"]]
        assert {r["receipt"] for r in with_files} == {"ISO-2026-000001", "ISO-2026-000002"}
        for row in with_files:
            assert hashlib.sha256(archive.read(row["path"])).hexdigest() == row["sha256"]
        assert not any("Đức Phong" in name for name in names)

    # Someone changes a stored file behind isobot's back: verify finds it, names the receipt.
    assert cli.isobot(str(engine.url), "evidence", "verify", now=bot.clock.now(), env={
        "ISOBOT_EVIDENCE_DIR": str(tmp_path / "evidence")}).exit_code == 0
    tampered = tmp_path / "evidence" / blob_key(hashlib.sha256(PHOTO).hexdigest())
    os.chmod(tampered, 0o644)
    tampered.write_bytes(PHOTO + b" retouched")
    checked = cli.isobot(str(engine.url), "evidence", "verify", now=bot.clock.now(),
                         env={"ISOBOT_EVIDENCE_DIR": str(tmp_path / "evidence")})
    assert checked.exit_code == 1
    assert "ISO-2026-000002" in checked.output and str(tampered) in checked.output
    assert vi.ngettext("{n} file checked, {bad} missing or altered.",
                       "{n} files checked, {bad} missing or altered.", 3).format(
        n=3, bad=1) in checked.output


async def test_the_supervisors_notice_has_a_button_that_sends_the_file(bot, engine):
    await everyone_reports(bot)
    await bot.runtime.archive_now()
    await bot.tick()
    delivered = await drain(bot.telegram, SUPERVISOR)
    [notice] = [m for m in delivered if "ISO-2026-000001" in (m.get("text") or "")]
    bot.telegram.user_presses_button(SUPERVISOR, notice["message_id"],
                                     button_data(notice, vi._("View the file")))
    details = await bot.telegram.next_message(SUPERVISOR, timeout=10)
    assert details["text"].startswith(vi._("Report {reference}").format(
        reference="ISO-2026-000001"))
    document = (await bot.telegram.next_message(SUPERVISOR, timeout=10))["document"]
    assert bot.telegram.file_content(document["file_id"]) == PDF


async def test_a_file_the_messenger_could_not_hand_over_is_fetched_again_later(bot, engine):
    code = invite(bot.engine, "QNG-MD-DTAN", Role.OFFICER, bot.clock.now())
    await telegram_says(bot, OFFICER, f"/start {code}", first_name="Lan")
    bot.telegram.fail_next("getFile", 502)  # Telegram's file server has a bad moment
    receipt = await report_on_telegram(
        bot, "da nop bao cao quy 4 so 45/BC-UBND ngay 28/11/2026",
        lambda: bot.telegram.user_sends_document(OFFICER, "bao-cao-quy-4.pdf", PDF))
    assert receipt.startswith(vi._("✅ Recorded. Receipt number: {reference}").format(
        reference="ISO-2026-000001"))
    assert vi._("⏳ The file could not be downloaded yet: isobot will try again and keep it "
                "with this report.") in receipt
    assert stored_files(engine)["ISO-2026-000001"].state == "pending"

    await bot.runtime.archive_now()
    kept = stored_files(engine)["ISO-2026-000001"]
    assert (kept.state, kept.sha256) == ("stored", hashlib.sha256(PDF).hexdigest())
