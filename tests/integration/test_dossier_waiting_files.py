"""A dossier built while files are still on their way into the store, and files named as what
they are (a PNG a messenger calls ``photo.jpg``)."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlmodel import select

from jobs.evidence.dossier import write_dossier
from jobs.evidence.store import Archivist, receive_file
from jobs.text.i18n import translator
from storage.blobs import FolderStore
from storage.db import session_scope
from storage.events import append_event
from storage.models import Event, EvidenceFile, Obligation, Unit
from storage.units import upsert_units
from tests.conftest import at

vi = translator("vi")
PDF = b"%PDF-1.4 Bao cao quy 4 so 45/BC-UBND"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b" minutes of the review, page 1"
NOW = at("2026-12-10 09:00")


def report(session, *, period: str, number: str, name: str, content: bytes | None) -> str:
    """An officer's report of ``period`` with a file (``content`` None: its download failed)."""
    unit = session.exec(select(Unit)).first()
    if unit is None:
        upsert_units(session, rows=[("U1", "UBND xã Một", "commune", None)], now=NOW)
        unit = session.exec(select(Unit)).one()
    duty = "quarterly_report" if "Q" in period else "annual_report"
    obligation = Obligation(unit_id=unit.id, duty_key=duty, period=period,
                            due=at("2026-12-15 00:00").date(), created_at=NOW)
    session.add(obligation)
    session.flush()
    received = receive_file(session, name=name, platform="zalo", ref=f"ref-{number}",
                            content=content, now=NOW)
    event = append_event(session, event=Event(
        unit_id=unit.id, obligation_id=obligation.id, actor="zalo:1", kind="done", at=NOW,
        document_number=number, file_name=received.name, file_hash=received.sha256,
        evidence_file_id=received.file_id))
    return event.reference


def dossier(engine, store, catalog) -> tuple[set[str], dict[str, dict], zipfile.ZipFile]:
    out = io.BytesIO()
    with session_scope(engine) as session:
        unit = session.exec(select(Unit)).one()
        write_dossier(out, session, store=store, unit=unit, year=2026, catalog=catalog, tr=vi,
                      today=NOW.date())
    archive = zipfile.ZipFile(out)
    rows = {r["receipt"]: r for r in csv.DictReader(
        io.StringIO(archive.read("index.csv").decode("utf-8")))}
    return set(archive.namelist()), rows, archive


def test_a_file_still_waiting_for_the_store_is_in_the_dossier(engine, tmp_path, catalog):
    with session_scope(engine) as session:
        staged = report(session, period="2026-Q4", number="45/BC-UBND", name="bao-cao.pdf",
                        content=PDF)
        pending = report(session, period="2026", number="50/BC-UBND", name="photo-9.jpg",
                         content=None)
    store = FolderStore(tmp_path / "evidence")  # nothing moved into it yet

    _names, rows, archive = dossier(engine, store, catalog)

    assert rows[staged]["path"] == "2026/quy-4/bao-cao-quy/45-BC-UBND.pdf"
    assert archive.read(rows[staged]["path"]) == PDF  # from the database, where it waits
    # The file whose download is still pending is named as waiting, not silently left out.
    assert rows[pending]["path"] == ""
    assert rows[pending]["file_check"] == vi._(
        "Not in this dossier yet: the file is still being fetched from the messenger; build "
        "the dossier again later")
    assert rows[pending]["file_name"] == "photo-9.jpg"


async def test_a_png_sent_as_a_photo_keeps_its_extension(engine, tmp_path, catalog):
    with session_scope(engine) as session:
        at_once = report(session, period="2026-Q4", number="45/BC-UBND", name="photo-7.jpg",
                         content=PNG)
        later = report(session, period="2026", number="50/BC-UBND", name="photo-8.jpg",
                       content=None)
    store = FolderStore(tmp_path / "evidence")

    async def download(platform, ref):
        return PNG + b" page 2"

    assert await Archivist(engine, store, lambda: NOW, download=download).store_due() == 2
    with session_scope(engine) as session:
        assert sorted(f.name for f in session.exec(select(EvidenceFile))) == [
            "photo-7.png", "photo-8.png"]

    names, rows, archive = dossier(engine, store, catalog)
    assert rows[at_once]["file_name"] == "photo-7.png"
    assert rows[at_once]["path"] == "2026/quy-4/bao-cao-quy/45-BC-UBND.png"
    assert rows[later]["path"] == "2026/ca-nam/bao-cao-nam/50-BC-UBND.png"
    assert archive.read(rows[later]["path"]) == PNG + b" page 2"
    assert not any(name.endswith(".jpg") for name in names)
