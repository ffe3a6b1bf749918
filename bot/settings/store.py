"""Where files are kept and how they are handed out: the evidence store and the file links.

Part of the one settings object (:class:`bot.settings.Settings`). The store is a folder beside
the database unless a bucket is named; the links need a public base URL (webhook mode).
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

from storage.blobs import BlobStore, FolderStore, OnAltered, S3Config, S3Store

DEFAULT_LINK_DAYS = 3


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class StoreSettings(BaseSettings):
    """The evidence store (folder or S3-compatible bucket) and the signed file links."""

    evidence_dir: Path | None = Field(None, validation_alias=_env("ISOBOT_EVIDENCE_DIR"))
    evidence_s3_bucket: str | None = Field(
        None, validation_alias=_env("ISOBOT_EVIDENCE_S3_BUCKET"))
    evidence_s3_endpoint_url: str | None = Field(
        None, validation_alias=_env("ISOBOT_EVIDENCE_S3_ENDPOINT_URL"))
    evidence_s3_access_key_id: SecretStr | None = Field(
        None, validation_alias=_env("ISOBOT_EVIDENCE_S3_ACCESS_KEY_ID"))
    evidence_s3_secret_access_key: SecretStr | None = Field(
        None, validation_alias=_env("ISOBOT_EVIDENCE_S3_SECRET_ACCESS_KEY"))
    evidence_s3_region: str = Field("us-east-1", validation_alias=_env("ISOBOT_EVIDENCE_S3_REGION"))
    evidence_s3_prefix: str = Field("", validation_alias=_env("ISOBOT_EVIDENCE_S3_PREFIX"))
    # The folder the document system exports directives into (issue 23); None: not watched.
    document_inbox: Path | None = Field(None, validation_alias=_env("ISOBOT_DOCUMENT_INBOX"))
    file_link_key: SecretStr | None = Field(None, validation_alias=_env("ISOBOT_FILE_LINK_KEY"))
    file_link_days: int = Field(DEFAULT_LINK_DAYS, ge=1, le=30,
                                validation_alias=_env("ISOBOT_FILE_LINK_DAYS"))

    @field_validator("file_link_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # HMAC-SHA256 wants a key as long as its output to be as strong as it can be.
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("ISOBOT_FILE_LINK_KEY must have at least 32 characters")
        return value

    def store_secrets(self) -> list[SecretStr]:
        """The store's and the links' secrets that are set, for the log filters."""
        return [s for s in (self.evidence_s3_access_key_id, self.evidence_s3_secret_access_key,
                            self.file_link_key) if s is not None]

    def evidence_folder(self) -> Path:
        """``ISOBOT_EVIDENCE_DIR``, else ``evidence/`` beside the SQLite file (or under
        ``data/`` for a database server)."""
        if self.evidence_dir is not None:
            return self.evidence_dir
        url = make_url(self.database_url)  # type: ignore[attr-defined]
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).parent / "evidence"
        return Path("data") / "evidence"

    def evidence_store(self, on_altered: OnAltered | None = None) -> BlobStore:
        """The store files are kept in: the bucket when one is named, else the folder;
        ``on_altered`` is told of each file a read finds altered."""
        if not self.evidence_s3_bucket:
            return FolderStore(self.evidence_folder(), on_altered)
        key_id, secret = self.evidence_s3_access_key_id, self.evidence_s3_secret_access_key
        return S3Store(S3Config(
            bucket=self.evidence_s3_bucket, endpoint_url=self.evidence_s3_endpoint_url,
            access_key_id=key_id.get_secret_value() if key_id else None,
            secret_access_key=secret.get_secret_value() if secret else None,
            region=self.evidence_s3_region, prefix=self.evidence_s3_prefix), on_altered)

    def link_signing_key(self) -> bytes | None:
        """The key links are signed with: ``ISOBOT_FILE_LINK_KEY``, else one derived from
        ``WEBHOOK_SECRET``, else from the messengers' tokens; None when none is set."""
        if self.file_link_key is not None:
            return self.file_link_key.get_secret_value().encode()
        webhook = getattr(self, "webhook_secret", None)
        tokens = [webhook] if webhook is not None else list(self.messenger_secrets())
        if not tokens:
            return None
        # A key of its own for links, so a link never reveals anything about the secret it
        # comes from. Derived from a token, links stop working when the token is replaced.
        secret = "\n".join(t.get_secret_value() for t in tokens)
        return hmac.new(secret.encode(), b"isobot file links", hashlib.sha256).digest()

    def messenger_secrets(self) -> list[SecretStr]:
        """The messengers' tokens that are set (the settings object adds them)."""
        return []
