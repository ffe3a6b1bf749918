"""The files people sent, on their way into the evidence store: queries (rules in jobs/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from sqlmodel import Session, col, select

from storage import queue
from storage.models import Event, EvidenceFile, EvidenceFileState
from storage.queue import QueueTable


def add_evidence_file(session: Session, *, name: str, platform: str, ref: str | None,
                      content: bytes | None, sha256: str | None, now: dt.datetime) -> EvidenceFile:
    """A file that arrived: staged with its bytes, or pending when they could not be fetched."""
    row = EvidenceFile(
        name=name, platform=platform, ref=ref, sha256=sha256,
        size=len(content) if content is not None else None,
        state=EvidenceFileState.STAGED if content is not None else EvidenceFileState.PENDING,
        staged=content, next_attempt_at=now, created_at=now)
    session.add(row)
    session.flush()
    return row


#: The files on their way into the store as a durable queue (storage.queue): a stored one stays,
#: marked stored; one that could not be downloaded is kept as "failed" (parked). A try counts
#: once it ends.
EVIDENCE_FILES = QueueTable(EvidenceFile, waiting=(EvidenceFileState.STAGED,
                                                   EvidenceFileState.PENDING),
                            parked=EvidenceFileState.FAILED, finished=EvidenceFileState.STORED)


def take(session: Session, *, now: dt.datetime, until: dt.datetime, limit: int) -> list[int]:
    """Take up to ``limit`` files whose bytes wait for the store, or whose download is due
    again, until ``until``, longest waiting first; returns their ids."""
    rows = queue.take(session, EVIDENCE_FILES, where=(EVIDENCE_FILES.is_waiting(),),
                      order_by=(EvidenceFile.next_attempt_at, EvidenceFile.id),
                      now=now, until=until, limit=limit)
    return [row.id for row in rows]


def held(session: Session, *, file_id: int) -> EvidenceFile | None:
    """The file, locked for this worker (None when another holds it), if it still waits."""
    row = session.exec(select(EvidenceFile).where(EvidenceFile.id == file_id)
                       .with_for_update(skip_locked=True)).first()
    if row is None or row.state not in EVIDENCE_FILES.waiting:
        return None
    return row


def release(session: Session, *, due: Mapping[int, dt.datetime]) -> None:
    """Hand taken files back untried, each due again at its moment in ``due`` (id -> moment)."""
    queue.release(session, EVIDENCE_FILES, due=due)


def finish(session: Session, *, row: EvidenceFile, blob_key: str, location: str, sha256: str,
           size: int, now: dt.datetime) -> None:
    """The file is in the store under ``blob_key``: its staged bytes leave the database."""
    queue.finish(session, EVIDENCE_FILES, row, blob_key=blob_key, location=location,
                 sha256=sha256, size=size, staged=None, stored_at=now, last_error=None)


def retry(session: Session, *, row: EvidenceFile, at: dt.datetime, error: str) -> None:
    """Try the file again at ``at``."""
    queue.retry(session, EVIDENCE_FILES, row, at=at, error=error)


def park(session: Session, *, row: EvidenceFile, error: str) -> None:
    """Give up on the file (state "failed"); the event that cites it stays."""
    queue.park(session, EVIDENCE_FILES, row, error=error)


def stored_files(session: Session) -> list[EvidenceFile]:
    """Every file the store should hold, oldest first."""
    return list(session.exec(select(EvidenceFile)
                             .where(EvidenceFile.state == EvidenceFileState.STORED)
                             .order_by(EvidenceFile.id)))


def events_citing(session: Session, *, file_ids: Iterable[int]) -> dict[int, list[Event]]:
    """The events that cite each file, by file id."""
    found: dict[int, list[Event]] = {}
    ids = list(file_ids)
    if not ids:
        return found
    for event in session.exec(select(Event).where(col(Event.evidence_file_id).in_(ids))
                              .order_by(Event.id)):
        found.setdefault(event.evidence_file_id, []).append(event)
    return found
