"""The inspection dossier of one unit for one year: a ZIP an inspector can open as it is.

It holds the unit's compliance sheet (XLSX), an index of every obligation of the year and what
was logged for it (XLSX for people, CSV for scripts), and every evidence file, filed by year,
period and duty and named by its document number: ``2026/quy-4/bao-cao-quy/45-BC-UBND.pdf``.
A correction is a new event that points at the one it corrects: both stay in the dossier, the
index says which corrects which, and the older file carries its receipt in its name. A file
still waiting for the store is put in from the database, where its bytes are; one whose download
is still pending (or failed), and a stored file that no longer has its SHA-256, are left out, and
their line in the index says so.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.calendar.workdays import VIETNAM
from jobs.catalog import Catalog, UnknownDutyError, duty_title
from jobs.planning.obligations import Period
from jobs.reports.compliance import build_compliance, write_compliance_xlsx, year_of
from jobs.reports.export import Table, write_csv, write_xlsx
from jobs.text.i18n import N_, Translator, translator
from jobs.text.labels import named_period
from storage.blobs import BlobAltered, BlobMissing, BlobStore, sha256_of
from storage.db import session_scope
from storage.events import events_of_units
from storage.exports import obligations_for_export
from storage.models import Event, EvidenceFile, EvidenceFileState, Obligation, Unit
from storage.unit_history import absorbed_units

INDEX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("duty", N_("Duty")),
    ("period", N_("Period")),
    ("due", N_("Due date")),
    ("done", N_("Completion date")),
    ("document", N_("Document number")),
    ("document_date", N_("Document date")),
    ("receipt", N_("Receipt")),
    ("file_name", N_("File name")),
    ("sha256", N_("File SHA-256")),
    ("path", N_("File in this dossier")),
    ("correction", N_("Correction")),
    ("file_check", N_("File check")),
)
_PATH = [key for key, _ in INDEX_COLUMNS].index("path")
_FILE_CHECK = [key for key, _ in INDEX_COLUMNS].index("file_check")
LEFT_OUT = N_("Left out: the stored file no longer matches its SHA-256 (the system operator has "
              "been told)")
NOT_FETCHED = N_("Not in this dossier yet: the file is still being fetched from the messenger; "
                 "build the dossier again later")
NOT_RECEIVED = N_("Not in this dossier: the file could not be fetched from the messenger; ask "
                  "the officer to send it again")
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class Filed:
    """One line of the index, and the file it puts in the dossier (if any)."""

    row: tuple[Any, ...]
    path: str | None = None
    file: EvidenceFile | None = None

    def left_out(self, reason: str) -> Filed:
        """This line with no file in the dossier, saying why."""
        row = list(self.row)
        row[_PATH], row[_FILE_CHECK] = None, reason
        return Filed(tuple(row))


def slug(text: str) -> str:
    """``báo cáo quý`` → ``bao-cao-quy``: ASCII words joined by hyphens, for a path."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return _UNSAFE.sub("-", ascii_text).strip("-")


def period_folder(period: str) -> str:
    """``2026-Q4`` → ``quy-4``, ``2026-12`` → ``thang-12``, ``2026`` → ``ca-nam``; any other
    period (a directive, a corrective action) by its key: ``cd-12``."""
    try:
        parsed = Period.parse(period)
    except ValueError:
        return slug(period).lower() or "khac"
    if parsed.quarter:
        return f"quy-{parsed.quarter}"
    if parsed.month:
        return f"thang-{parsed.month:02d}"
    return "ca-nam"


def duty_folder(catalog: Catalog, key: str) -> str:
    """The words officers use for the duty (its first alias), else its key: ``bao-cao-quy``."""
    try:
        aliases = catalog.duty(key).aliases
    except UnknownDutyError:
        aliases = ()
    return slug(aliases[0]).lower() if aliases else slug(key).lower()


def dossier_filename(unit: Unit, year: int) -> str:
    """``ho-so-ISO-QNG-MD-DTAN-2026.zip``."""
    return f"ho-so-ISO-{slug(unit.code)}-{year}.zip"


def file_entries(session: Session, *, unit: Unit, year: int, catalog: Catalog,
                 tr: Translator) -> list[Filed]:
    """The index of ``unit``'s ``year``: one line per obligation and per event logged for it."""
    absorbed = {u.id: u for u in absorbed_units(session, unit_ids={unit.id})}
    unit_ids = [unit.id, *absorbed]
    events: dict[int, list[Event]] = {}
    for event, _unit, obligation in events_of_units(session, unit_ids=unit_ids):
        if obligation is not None:
            events.setdefault(obligation.id, []).append(event)
    corrected_by = {e.correction_of_id: e for logged in events.values() for e in logged
                    if e.correction_of_id}
    taken: set[str] = set()
    filed: list[Filed] = []
    for obligation, owner, _reference in obligations_for_export(session, unit_ids=unit_ids):
        if obligation.status == "cancelled" or year_of(obligation) != year:
            continue
        logged = events.get(obligation.id, [])
        merged = tr._("from the merged unit {name} ({code})").format(
            name=owner.name, code=owner.code) if owner.id in absorbed else None
        if not logged:
            filed.append(Filed(_row(obligation, None, None, None, merged, catalog, tr)))
        for event in logged:
            stored = session.get(EvidenceFile, event.evidence_file_id) \
                if event.evidence_file_id else None
            path = _path(obligation, event, stored, year, catalog, corrected_by, taken)
            note = "; ".join(filter(None, [merged, _correction_note(event, corrected_by,
                                                                      session, tr)])) or None
            entry = Filed(_row(obligation, event, stored, path, note, catalog, tr), path, stored)
            filed.append(_unless_unreceived(entry, stored, tr))
    return filed


def _unless_unreceived(entry: Filed, stored: EvidenceFile | None, tr: Translator) -> Filed:
    """The line as it is, or saying why its file is not in the dossier when its bytes never
    reached isobot (a download pending, or given up on)."""
    if stored is None or stored.state in (EvidenceFileState.STORED, EvidenceFileState.STAGED):
        return entry
    return entry.left_out(tr._(NOT_RECEIVED if stored.state == EvidenceFileState.FAILED
                               else NOT_FETCHED))


def _row(obligation: Obligation, event: Event | None, stored: EvidenceFile | None,
         path: str | None, note: str | None, catalog: Catalog, tr: Translator) -> tuple:
    done = event.at.astimezone(VIETNAM).date() if event else None
    sha256 = (stored.sha256 if stored else None) or (event.file_hash if event else None)
    return (duty_title(catalog, obligation.duty_key, tr.lang), named_period(obligation, tr),
            obligation.due, done, event.document_number if event else None,
            event.document_date if event else None, event.reference if event else None,
            event.file_name if event else None, sha256, path, note, None)


def _path(obligation: Obligation, event: Event, stored: EvidenceFile | None, year: int,
          catalog: Catalog, corrected_by: dict[int, Event], taken: set[str]) -> str | None:
    """Where the event's file goes in the ZIP, unique; None when isobot has not its bytes (in
    the store, or in the database on their way there)."""
    if stored is None or stored.state not in (EvidenceFileState.STORED,
                                              EvidenceFileState.STAGED):
        return None
    folder = PurePosixPath(str(year), period_folder(obligation.period),
                           duty_folder(catalog, obligation.duty_key))
    stem = slug(event.document_number or "") or event.reference
    # The stored file's name ends as its bytes are (jobs.evidence.store); the event keeps the
    # name it was sent with.
    suffix = PurePosixPath(stored.name or event.file_name or "").suffix.lower()[:10]
    if event.id in corrected_by:  # a later event corrects this one: its file stays, marked
        stem = f"{stem}.{event.reference}"
    path = str(folder / f"{stem}{suffix}")
    if path in taken:
        path = str(folder / f"{stem}.{event.reference}{suffix}")
    taken.add(path)
    return path


def _correction_note(event: Event, corrected_by: dict[int, Event], session: Session,
                     tr: Translator) -> str | None:
    notes = []
    if event.correction_of_id:
        original = session.get(Event, event.correction_of_id)
        notes.append(tr._("Corrects {reference}").format(
            reference=original.reference if original else event.correction_of_id))
    if event.id in corrected_by:
        notes.append(tr._("Corrected by {reference}").format(
            reference=corrected_by[event.id].reference))
    return "; ".join(notes) or None


def write_dossier(stream: Any, session: Session, *, store: BlobStore, unit: Unit, year: int,
                  catalog: Catalog, tr: Translator, today: dt.date) -> list[Filed]:
    """Write the dossier ZIP of ``unit``'s ``year`` to ``stream``; return its index."""
    # The units merged into it are in its dossier, each row under its own code.
    units = [unit, *absorbed_units(session, unit_ids={unit.id})]
    compliance = build_compliance(units, obligations_for_export(
        session, unit_ids=[u.id for u in units]), catalog=catalog, year=year, today=today)
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The files first: the index says which of them could not be put in.
        filed = _add_files(archive, file_entries(session, unit=unit, year=year,
                                                 catalog=catalog, tr=tr), store, tr)
        table = Table(keys=tuple(k for k, _ in INDEX_COLUMNS),
                      headers=tuple(tr._(h) for _, h in INDEX_COLUMNS),
                      rows=[f.row for f in filed])
        archive.writestr(f"compliance-{year}.xlsx", _xlsx(
            lambda out: write_compliance_xlsx(compliance, out, tr=tr, catalog=catalog)))
        archive.writestr("index.xlsx", _xlsx(lambda out: write_xlsx(
            table, out, title=tr._("Evidence index {year}").format(year=year))))
        text = io.StringIO()
        write_csv(table, text)
        archive.writestr("index.csv", text.getvalue().encode("utf-8"))
    return filed


def _add_files(archive: zipfile.ZipFile, filed: list[Filed], store: BlobStore,
               tr: Translator) -> list[Filed]:
    """Put each line's file into ``archive``; a file altered since it was stored is left out
    (the store logged it), and its line says so."""
    checked = []
    for item in filed:
        if item.path and item.file and item.path not in archive.namelist():
            try:
                archive.writestr(item.path, _content(item.file, store))
            except BlobMissing:  # `isobot evidence verify` reports it; the index keeps it
                pass
            except BlobAltered:
                item = item.left_out(tr._(LEFT_OUT))
        checked.append(item)
    return checked


def _content(file: EvidenceFile, store: BlobStore) -> bytes:
    """A file's bytes: from the store, or from the database while they wait to go there (read
    with the row, in this transaction: the same bytes even if the store takes them meanwhile)."""
    if file.state == EvidenceFileState.STORED or file.staged is None:
        return store.get(file.blob_key or "")
    if sha256_of(file.staged) != file.sha256:
        raise BlobAltered(file.sha256 or "", sha256_of(file.staged))
    return file.staged


def _xlsx(write: Callable[[io.BytesIO], None]) -> bytes:
    out = io.BytesIO()
    write(out)
    return out.getvalue()


def dossier_builder(engine: Engine, store: BlobStore,
                    catalog: Catalog) -> Callable[[dict[str, Any]], bytes]:
    """What builds a dossier the chat asked for when it is sent: ``{"what": "dossier",
    "unit_id", "year", "lang", "today"}`` → the ZIP's bytes (blocking: run it in a thread)."""

    def build(spec: dict[str, Any]) -> bytes:
        out = io.BytesIO()
        with session_scope(engine) as session:
            unit = session.get(Unit, int(spec["unit_id"]))
            if unit is None:
                raise ValueError("no such unit")
            write_dossier(out, session, store=store, unit=unit, year=int(spec["year"]),
                          catalog=catalog, tr=translator(spec.get("lang")),
                          today=dt.date.fromisoformat(spec["today"]))
        return out.getvalue()

    return build
