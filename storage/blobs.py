"""Files kept by their SHA-256: a folder on disk, or a bucket of S3-compatible object storage.

Content-addressed and written once: a file's key is its area and its hash
(``evidence/3f/3fa9…``), so the same bytes are stored once however often they are sent, and a
stored file is never written again. So every read checks the bytes against the key: a file
changed behind isobot's back (on the disk, in the bucket) is refused (:class:`BlobAltered`),
logged at ERROR and reported to the store's ``on_altered``, never handed out as the evidence it
was. Two areas: ``evidence`` (what officers sent, kept for
inspections) and ``outgoing`` (files isobot hands out: dossiers, charts behind a link), which an
operator may expire.

The calls block (disk, network): callers run them off the event loop.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

EVIDENCE = "evidence"
OUTGOING = "outgoing"
AREAS = (EVIDENCE, OUTGOING)
_KEY = re.compile(r"^(evidence|outgoing)/[0-9a-f]{2}/([0-9a-f]{64})$")


class BlobMissing(Exception):
    """No file is stored under the key."""


class StoreUnavailable(Exception):
    """The store could not be reached or refused the request (network, permissions)."""


class BlobAltered(Exception):
    """The bytes under a key no longer have the SHA-256 the key names: changed since stored."""

    def __init__(self, key: str, found: str) -> None:
        super().__init__(f"{key} no longer has its SHA-256: its bytes hash to {found}")
        self.key, self.found = key, found


#: Told the key of each file a read found altered (the bot counts them in a metric).
OnAltered = Callable[[str], None]


def intact(key: str, content: bytes, *, location: str,
           on_altered: OnAltered | None = None) -> bytes:
    """``content`` read under ``key``, if it still hashes to the key; else BlobAltered, after a
    log line at ERROR for the operator and ``on_altered(key)``."""
    found = sha256_of(content)
    if found == key_hash(key):
        return content
    log.error("a stored file was altered and is refused: %s should have SHA-256 %s, its bytes "
              "now hash to %s (isobot evidence verify names the receipts citing it)",
              location, key_hash(key), found)
    if on_altered is not None:
        on_altered(key)
    raise BlobAltered(key, found)


def sha256_of(content: bytes) -> str:
    """The SHA-256 of ``content``, in hex."""
    return hashlib.sha256(content).hexdigest()


def blob_key(sha256: str, area: str = EVIDENCE) -> str:
    """Where the file with hash ``sha256`` is kept: ``evidence/3f/3fa9…``."""
    if area not in AREAS or not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a SHA-256 in a known area")
    return f"{area}/{sha256[:2]}/{sha256}"


def key_hash(key: str) -> str:
    """The SHA-256 a key names; ValueError for anything that is not a key."""
    match = _KEY.match(key)
    if not match:
        raise ValueError("not a file key")
    return match.group(2)


class BlobStore(Protocol):
    """Where files are kept."""

    def put(self, content: bytes, area: str = EVIDENCE) -> str:
        """Keep ``content`` (once); return its key."""

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; BlobMissing when there are none, BlobAltered when they no
        longer hash to it."""

    def exists(self, key: str) -> bool: ...

    def location(self, key: str) -> str:
        """Where ``key`` is, for the operator: a path, or ``s3://bucket/key``."""


@dataclass
class FolderStore:
    """Files in a folder: ``<root>/evidence/3f/3fa9…``, read-only once written."""

    root: Path
    on_altered: OnAltered | None = None

    def put(self, content: bytes, area: str = EVIDENCE) -> str:
        key = blob_key(sha256_of(content), area)
        path = self.root / key
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside it under a temporary name, then linked into place: a reader never
        # sees half a file, and os.link refuses to replace one another writer put there first.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
            temporary.write(content)
            temporary.flush()
            os.fsync(temporary.fileno())
        try:
            os.chmod(temporary.name, 0o444)
            os.link(temporary.name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary.name)
        return key

    def get(self, key: str) -> bytes:
        key_hash(key)
        try:
            content = (self.root / key).read_bytes()
        except FileNotFoundError:
            raise BlobMissing(key) from None
        return intact(key, content, location=self.location(key), on_altered=self.on_altered)

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def location(self, key: str) -> str:
        return str(self.root / key)


@dataclass(frozen=True)
class S3Config:
    """An S3-compatible bucket: MinIO, a province's cloud, or AWS itself."""

    bucket: str
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    region: str = "us-east-1"
    prefix: str = ""

    def __repr__(self) -> str:  # the keys never reach a log line
        return f"S3Config(bucket={self.bucket!r}, endpoint_url={self.endpoint_url!r})"


class S3Store:
    """Files as objects of one bucket, through boto3 (the AWS SDK, any endpoint URL)."""

    def __init__(self, config: S3Config, on_altered: OnAltered | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.config = config
        self.on_altered = on_altered
        self.bucket = config.bucket
        self.prefix = config.prefix.strip("/") + "/" if config.prefix.strip("/") else ""
        self.client = boto3.client(
            "s3", endpoint_url=config.endpoint_url, region_name=config.region,
            aws_access_key_id=config.access_key_id,
            aws_secret_access_key=config.secret_access_key,
            config=Config(
                # MinIO and most S3-compatible servers take path-style requests
                # (http://host/bucket/key) whatever DNS says about the bucket's name.
                s3={"addressing_style": "path"},
                # boto3 1.36 added CRC checksum headers to every upload by default, which
                # several S3-compatible servers refuse (boto/s3transfer#327, aws/aws-cli#9214):
                # checksums only where the operation requires one. isobot rehashes on verify.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"mode": "standard", "max_attempts": 3}))

    def put(self, content: bytes, area: str = EVIDENCE) -> str:
        key = blob_key(sha256_of(content), area)
        if self.exists(key):
            return key
        try:
            # Written once: If-None-Match "*" makes the server refuse to replace an object
            # (S3 conditional writes, 2024; MinIO too): 412 means the same bytes are there.
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=content,
                                   IfNoneMatch="*")
        except self._errors() as error:
            if _status(error) != 412:
                raise StoreUnavailable(_describe(error)) from None
        return key

    def get(self, key: str) -> bytes:
        key_hash(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
            content = answer["Body"].read()
        except self._errors() as error:
            if _status(error) == 404:
                raise BlobMissing(key) from None
            raise StoreUnavailable(_describe(error)) from None
        return intact(key, content, location=self.location(key), on_altered=self.on_altered)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except self._errors() as error:
            if _status(error) == 404:
                return False
            raise StoreUnavailable(_describe(error)) from None
        return True

    def location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{key}"

    @staticmethod
    def _errors() -> tuple[type[Exception], ...]:
        from botocore.exceptions import BotoCoreError, ClientError

        return (ClientError, BotoCoreError)


def _status(error: Exception) -> int | None:
    response = getattr(error, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _describe(error: Exception) -> str:
    # botocore's messages name the operation and the error code, never the keys.
    return str(error) or type(error).__name__
