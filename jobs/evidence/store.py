"""Files people send, kept for inspections: received into the database, moved into the store.

A file that arrives is staged in the database in the transaction that handles the message (so
nothing accepted is lost if the bot stops), or, when the messenger's download failed, recorded
as pending with the messenger's reference. :class:`Archivist` then, off the event loop, puts the
staged bytes into the evidence store by their SHA-256 and tries pending downloads again with a
growing pause (a durable queue: :mod:`jobs.queues`). ``verify`` rehashes every stored file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.evidence.upload_links import file_kind, stored_name
from jobs.queues import (
    EVIDENCE_DOWNLOADS,
    EVIDENCE_STAGED,
    Fate,
    Tally,
    Untallied,
    log_park,
    log_retry,
)
from storage.blobs import (
    EVIDENCE,
    BlobAltered,
    BlobMissing,
    BlobStore,
    StoreUnavailable,
    sha256_of,
)
from storage.db import session_scope
from storage.evidence_files import (
    EVIDENCE_FILES,
    add_evidence_file,
    events_citing,
    finish,
    held,
    park,
    release,
    retry,
    stored_files,
    take,
)
from storage.models import Event, EvidenceFile, EvidenceFileState, Member, Role, Unit
from storage.units import ancestors

log = logging.getLogger(__name__)

BATCH = 20
#: The queue's name in logs and metrics.
EVIDENCE_FILES_QUEUE = EVIDENCE_DOWNLOADS.name
#: ``download(platform, ref)``: the messenger's bytes of a file it announced earlier.
Download = Callable[[str, str], Awaitable[bytes]]


class TooLarge(Exception):
    """The messenger's file is over the size it lets a bot take."""


@dataclass(frozen=True)
class Received:
    """A file as the conversation keeps it: its row, name, and hash once the bytes are in."""

    file_id: int
    name: str
    sha256: str | None  # None while the download is pending


def receive_file(session: Session, *, name: str, platform: str, ref: str | None,
                 content: bytes | None, now: dt.datetime) -> Received:
    """Record a file that arrived (``content`` None: the download failed, try again later);
    its name ends as its bytes are (see :func:`named_as_it_is`)."""
    sha256 = sha256_of(content) if content is not None else None
    name = named_as_it_is(name, content) if content is not None else name
    row = add_evidence_file(session, name=name, platform=platform, ref=ref, content=content,
                            sha256=sha256, now=now)
    return Received(row.id, name, sha256)


def named_as_it_is(name: str, content: bytes) -> str:
    """``name`` ending as ``content``'s real type, known by its first bytes: a PNG a messenger
    calls ``photo-1.jpg`` is ``photo-1.png``; unchanged for a type isobot does not know."""
    kind = file_kind(content)
    return stored_name(name, kind) if kind else name


@dataclass
class Archivist:
    """Moves received files into the store, and fetches again what could not be fetched.

    It takes a batch of waiting files (:data:`jobs.queues.EVIDENCE_DOWNLOADS` for the lease),
    so that two bot processes never download one file twice, and hands back what it did not
    get to when it is stopped.
    """

    engine: Engine
    store: BlobStore
    now: Callable[[], dt.datetime]
    download: Download | None = None
    tally: Tally = field(default_factory=Untallied)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def store_due(self) -> int:
        """Store every file waiting now; return how many were stored."""
        async with self._lock:
            ids = await asyncio.to_thread(self._take)
            stored = 0
            try:
                while ids:
                    stored += await self._store_one(ids[0])
                    ids.pop(0)
            finally:
                if ids:  # stopped, or the database went away: the rest are due again now
                    await asyncio.to_thread(self._release, ids)
            return stored

    def _take(self) -> list[int]:
        now = self.now()
        with session_scope(self.engine) as session:
            return take(session, now=now, until=now + EVIDENCE_DOWNLOADS.lease, limit=BATCH)

    def _release(self, ids: list[int]) -> None:
        with session_scope(self.engine) as session:
            release(session, due=dict.fromkeys(ids, self.now()))

    async def _store_one(self, file_id: int) -> int:
        waiting = await asyncio.to_thread(self._waiting, file_id)
        if waiting is None:
            return 0
        state, platform, ref = waiting
        content = None
        if state == EvidenceFileState.PENDING:
            try:
                content = await self._fetch(platform, ref)
            except TooLarge as error:  # it will not get smaller
                await asyncio.to_thread(self._park, file_id, str(error))
                return 0
            except Exception as error:  # network, the messenger's server: try again later
                await asyncio.to_thread(self._retry, file_id, _reason(error))
                return 0
        try:
            return await asyncio.to_thread(self._put, file_id, content)
        except (StoreUnavailable, OSError) as error:  # the bucket or the disk: later
            await asyncio.to_thread(self._retry, file_id, _reason(error))
            return 0

    def _waiting(self, file_id: int) -> tuple[str, str, str | None] | None:
        with session_scope(self.engine) as session:
            row = session.get(EvidenceFile, file_id)
            if row is None or row.state not in EVIDENCE_FILES.waiting:
                return None
            return row.state, row.platform, row.ref

    async def _fetch(self, platform: str, ref: str | None) -> bytes:
        if self.download is None or not ref:
            raise StoreUnavailable("no way to download the file yet")
        return await self.download(platform, ref)

    def _put(self, file_id: int, fetched: bytes | None) -> int:
        with session_scope(self.engine) as session:
            row = held(session, file_id=file_id)
            if row is None:
                return 0  # stored meanwhile by another worker
            content = fetched if fetched is not None else row.staged
            if fetched is not None:  # named before its bytes were known
                row.name = named_as_it_is(row.name, fetched)
            key = self.store.put(content, EVIDENCE)
            finish(session, row=row, blob_key=key, location=self.store.location(key),
                   sha256=sha256_of(content), size=len(content), now=self.now())
            platform = row.platform
        self.tally.counted(EVIDENCE_FILES_QUEUE, platform, Fate.FINISHED)
        return 1

    def _retry(self, file_id: int, error: str) -> None:
        """Try the file again after a pause; a download that failed too often is parked (a
        staged file never is: its bytes are the only copy)."""
        with session_scope(self.engine) as session:
            row = held(session, file_id=file_id)
            if row is None:
                return
            policy = (EVIDENCE_DOWNLOADS if row.state == EvidenceFileState.PENDING
                      else EVIDENCE_STAGED)
            tries, platform = row.attempts + 1, row.platform
            if policy.parks(tries):
                park(session, row=row, error=error)
                log_park(log, policy, row_id=file_id, messenger=platform,
                         reason=f"the download failed {tries} times: {error}")
                fate = Fate.PARKED
            else:
                pause = policy.pause(tries=tries, row_id=file_id)
                retry(session, row=row, at=self.now() + pause, error=error)
                log_retry(log, policy, row_id=file_id, tries=tries, pause=pause, error=error,
                          messenger=platform)
                fate = Fate.RETRIED
        self.tally.counted(EVIDENCE_FILES_QUEUE, platform, fate)

    def _park(self, file_id: int, error: str) -> None:
        with session_scope(self.engine) as session:
            row = held(session, file_id=file_id)
            if row is None:
                return
            park(session, row=row, error=error)
            platform = row.platform
        log_park(log, EVIDENCE_DOWNLOADS, row_id=file_id, messenger=platform, reason=error)
        self.tally.counted(EVIDENCE_FILES_QUEUE, platform, Fate.PARKED)


@dataclass(frozen=True)
class Problem:
    """A stored file that is gone or no longer what was received."""

    file: EvidenceFile
    kind: str  # "missing" or "altered"
    references: tuple[str, ...]  # the receipts that cite it


def verify(session: Session, *, store: BlobStore) -> tuple[int, list[Problem]]:
    """Rehash every stored file; how many were checked, and those missing or altered."""
    rows = stored_files(session)
    citing = events_citing(session, file_ids=[row.id for row in rows])
    problems = []
    for row in rows:
        try:
            content = store.get(row.blob_key)  # checks the bytes against the key's hash
        except BlobMissing:
            kind = "missing"
        except BlobAltered:
            kind = "altered"
        else:
            kind = None if sha256_of(content) == row.sha256 else "altered"
        if kind is None and any(e.file_hash not in (None, row.sha256)
                                for e in citing.get(row.id, [])):
            kind = "altered"  # the event recorded other bytes than the row points at
        if kind:
            problems.append(Problem(row, kind, tuple(e.reference
                                                     for e in citing.get(row.id, []))))
    return len(rows), problems


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def may_see(session: Session, *, members: list[Member], event: Event) -> bool:
    """Whether a person with ``members`` may see ``event``'s file: the one who logged it (on
    any of their linked accounts), or a supervisor of its unit; nobody else."""
    logger = session.get(Member, event.member_id) if event.member_id else None
    unit = session.get(Unit, event.unit_id)
    above = {unit.id, *(u.id for u in ancestors(session, unit=unit))} if unit else set()
    for member in members:
        if not member.active:
            continue
        if logger is not None and (member.person_id or member.id) == (
                logger.person_id or logger.id):
            return True
        if member.role == Role.SUPERVISOR and member.unit_id in above:
            return True
    return False
