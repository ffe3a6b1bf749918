"""The evidence store: a folder, and an S3-compatible bucket (moto's S3 server on 127.0.0.1,
reached through the same boto3 client a province points at MinIO)."""

from __future__ import annotations

import hashlib
import os
import stat

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from bot.settings import Settings
from jobs.evidence.store import Archivist, receive_file, verify
from storage.blobs import EVIDENCE, OUTGOING, BlobMissing, FolderStore, blob_key
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
