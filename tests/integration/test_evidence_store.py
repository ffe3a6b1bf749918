"""The evidence store: a folder, and an S3-compatible bucket (moto's S3 server on 127.0.0.1,
reached through the same boto3 client a province points at MinIO)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import os
import stat

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.settings import Settings
from jobs.evidence.store import Archivist, TooLarge, receive_file, verify
from storage.blobs import (
    EVIDENCE,
    OUTGOING,
    BlobMissing,
    FolderStore,
    StoreUnavailable,
    blob_key,
)
from storage.db import session_scope
from storage.events import append_event
from storage.models import Event, EvidenceFile
from storage.units import upsert_units
from tests.conftest import at

BUCKET = "isobot-evidence"
KEYS = {"evidence_s3_access_key_id": "isobot-test-key",
        "evidence_s3_secret_access_key": "isobot-test-secret-never-logged"}
PDF = b"%PDF-1.4 minutes of the internal audit"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["folder", "s3"])
def store(request, tmp_path, s3_endpoint):
    """The store as the settings make it: a folder, or a bucket behind an endpoint URL."""
    if request.param == "folder":
        return Settings(evidence_dir=tmp_path / "evidence").evidence_store()
    bucket = f"{BUCKET}-{tmp_path.name.lower().replace('_', '-')[-20:]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1",
                 aws_access_key_id="x", aws_secret_access_key="y").create_bucket(Bucket=bucket)
    return Settings(evidence_s3_bucket=bucket, evidence_s3_endpoint_url=s3_endpoint,
                    **KEYS).evidence_store()


def test_a_file_is_kept_under_its_hash_once(store):
    key = store.put(PDF)
    assert key == blob_key(hashlib.sha256(PDF).hexdigest(), EVIDENCE)
    assert store.get(key) == PDF and store.exists(key)
    assert store.put(PDF) == key  # the same bytes again: the same file, not a second one
    assert store.put(PDF, OUTGOING).startswith("outgoing/")
    with pytest.raises(BlobMissing):
        store.get(blob_key("0" * 64))


def test_a_stored_file_is_read_only_on_disk(tmp_path):
    store = FolderStore(tmp_path)
    path = tmp_path / store.put(PDF)
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary left


def test_the_bucket_location_names_no_key(s3_endpoint):
    settings = Settings(evidence_s3_bucket=BUCKET, evidence_s3_endpoint_url=s3_endpoint, **KEYS)
    shown = repr(settings.evidence_store().config) + repr(settings)
    assert KEYS["evidence_s3_secret_access_key"] not in shown
    assert settings.evidence_store().location("evidence/ab/x") == f"s3://{BUCKET}/evidence/ab/x"


def unit_and_event(session, file_id: int | None) -> Event:
    upsert_units(session, rows=[("U1", "UBND xã Một", "commune", None)], now=at("2026-01-01 08:00"))
    unit_id = session.exec(text("SELECT id FROM unit")).scalar()
    return append_event(session, event=Event(unit_id=unit_id, actor="cli:test", kind="done",
                                             at=at("2026-11-30 09:00"), file_name="a.pdf",
                                             evidence_file_id=file_id))


async def test_received_files_move_into_the_store_and_verify_finds_changes(engine, store):
    with session_scope(engine) as session:
        received = receive_file(session, name="a.pdf", platform="telegram", ref="f1",
                                content=PDF, now=at("2026-11-30 09:00"))
        unit_and_event(session, received.file_id)
    archivist = Archivist(engine, store, now=lambda: at("2026-11-30 09:00"))
    assert await archivist.store_due() == 1
    assert await archivist.store_due() == 0
    with session_scope(engine) as session:
        row = session.exec(select(EvidenceFile)).one()
        assert (row.state, row.staged, store.get(row.blob_key)) == ("stored", None, PDF)
        assert verify(session, store=store) == (1, [])


def test_an_event_cannot_be_changed_or_deleted(engine):
    with session_scope(engine) as session:
        event = unit_and_event(session, None)
    for statement in ("UPDATE event SET note = 'changed' WHERE id = :id",
                      "DELETE FROM event WHERE id = :id"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(engine) as session:
            session.exec(text(statement).bindparams(id=event.id))
    with session_scope(engine) as session:
        assert session.get(Event, event.id).note is None


class MovingClock:
    """The bot's clock, moved by the test."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment


def the_file(engine) -> EvidenceFile:
    with session_scope(engine) as session:
        return session.exec(select(EvidenceFile)).one()


def pending_file(engine, now) -> None:
    """A file whose download from the messenger failed when it arrived."""
    with session_scope(engine) as session:
        receive_file(session, name="a.pdf", platform="telegram", ref="f1", content=None, now=now)


async def test_a_download_that_keeps_failing_is_tried_less_and_less_often_then_parked(
        engine, tmp_path):
    clock = MovingClock(at("2026-11-30 09:00"))
    pending_file(engine, clock.now())
    tries = []

    async def download(platform, ref):
        tries.append(clock.now())
        raise ConnectionError("the messenger's file server is away")

    archivist = Archivist(engine, FolderStore(tmp_path), clock.now, download=download)
    pauses = []
    for _ in range(20):
        assert await archivist.store_due() == 0
        row = the_file(engine)
        if row.state != "pending":
            break
        pauses.append(row.next_attempt_at - clock.now())
        assert await archivist.store_due() == 0 and len(tries) == len(pauses)  # not yet due
        clock.moment = row.next_attempt_at
    assert (row.state, row.attempts, len(tries)) == ("failed", 8, 8)  # parked after eight
    assert "ConnectionError" in row.last_error
    assert dt.timedelta(seconds=22.5) <= pauses[0] <= dt.timedelta(seconds=30)
    assert all(later > earlier for earlier, later in itertools.pairwise(pauses))


async def test_a_file_too_large_for_the_messenger_is_parked_at_once(engine, tmp_path):
    clock = MovingClock(at("2026-11-30 09:00"))
    pending_file(engine, clock.now())

    async def download(platform, ref):
        raise TooLarge("over the 20 MB a bot may download")

    assert await Archivist(engine, FolderStore(tmp_path), clock.now,
                           download=download).store_due() == 0
    assert (the_file(engine).state, the_file(engine).last_error) == (
        "failed", "over the 20 MB a bot may download")


class AwayStore:
    """A store whose bucket is away until the test brings it back."""

    def __init__(self, store):
        self.store, self.away = store, True

    def put(self, content, kind):
        if self.away:
            raise StoreUnavailable("the bucket does not answer")
        return self.store.put(content, kind)

    def location(self, key):
        return self.store.location(key)


async def test_staged_bytes_wait_for_the_store_however_long_it_is_away(engine, tmp_path):
    clock = MovingClock(at("2026-11-30 09:00"))
    with session_scope(engine) as session:
        receive_file(session, name="a.pdf", platform="telegram", ref="f1", content=PDF,
                     now=clock.now())
    store = AwayStore(FolderStore(tmp_path))
    archivist = Archivist(engine, store, clock.now)
    for _ in range(12):  # more tries than a download gets
        assert await archivist.store_due() == 0
        clock.moment = the_file(engine).next_attempt_at
    assert (the_file(engine).state, the_file(engine).attempts) == ("staged", 12)
    store.away = False
    assert await archivist.store_due() == 1
    assert store.store.get(the_file(engine).blob_key) == PDF


async def test_a_file_one_worker_took_is_left_to_it_and_released_when_it_stops(
        engine, tmp_path):
    clock = MovingClock(at("2026-11-30 09:00"))
    pending_file(engine, clock.now())
    started, downloads = asyncio.Event(), []

    async def slow_download(platform, ref):
        downloads.append(ref)
        started.set()
        await asyncio.Event().wait()  # until the worker is stopped

    store = FolderStore(tmp_path)
    first = asyncio.create_task(
        Archivist(engine, store, clock.now, download=slow_download).store_due())
    await started.wait()

    async def download(platform, ref):
        downloads.append(ref)
        return PDF

    other = Archivist(engine, store, clock.now, download=download)
    assert await other.store_due() == 0  # another process: the first holds the file
    first.cancel()  # the first process stops
    with pytest.raises(asyncio.CancelledError):
        await first
    assert (the_file(engine).next_attempt_at, the_file(engine).attempts) == (clock.now(), 0)
    assert await other.store_due() == 1  # at once, not when the lease would have ended
    assert downloads == ["f1", "f1"]
