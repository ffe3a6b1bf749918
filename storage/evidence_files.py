"""The files people sent, on their way into the evidence store: queries (rules in jobs/)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, col, select

from storage.models import Event, EvidenceFile, EvidenceFileState


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


def files_to_store(session: Session, *, now: dt.datetime, limit: int) -> list[int]:
    """Ids of files whose bytes wait for the store, or whose download is due again."""
    query = (select(EvidenceFile.id)
             .where(col(EvidenceFile.state).in_([EvidenceFileState.STAGED,
                                                 EvidenceFileState.PENDING]),
                    col(EvidenceFile.next_attempt_at) <= now)
             .order_by(EvidenceFile.next_attempt_at, EvidenceFile.id).limit(limit))
    return list(session.exec(query))


def claim_file(session: Session, *, file_id: int) -> EvidenceFile | None:
    """The file, locked for this worker (skipped when another holds it), if still waiting."""
    row = session.exec(select(EvidenceFile).where(EvidenceFile.id == file_id)
                       .with_for_update(skip_locked=True)).first()
    if row is None or row.state not in (EvidenceFileState.STAGED, EvidenceFileState.PENDING):
        return None
    return row


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
