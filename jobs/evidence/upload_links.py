"""Links to send a file through isobot's web server: for people whose messenger passes on only
photos (Zalo). Pure: the key, the moment and the nonce are passed in.

A link is bound to one person in one chat and to the task under way when it was made (its
``nonce`` is kept with the task); it works once and until it expires. Which files it takes is
decided by what they are, not by what they are called: a PDF, a Word or Excel file (OOXML), a
JPEG or a PNG, up to the evidence limit.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from jobs.evidence.signed import seal, unseal

_PURPOSE = b"isobot upload"
UPLOADS_PATH = "/upload/"
#: Each accepted kind: its file name extension and the content type it is served with.
ACCEPTED = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument."
            "wordprocessingml.document", "xlsx": "application/vnd.openxmlformats-officedocument."
            "spreadsheetml.sheet", "jpg": "image/jpeg", "png": "image/png"}
# What an OOXML package holds for each kind: its main part.
_OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class UploadGrant:
    """Who may send a file through a link, for which task, until when, in which language."""

    platform: str
    user_id: str
    chat_id: str
    nonce: str
    lang: str
    expires: dt.datetime

    @property
    def update_id(self) -> str:
        """The update a file sent through this link becomes (one per link: used once)."""
        return f"upload:{self.nonce}"


def sign_upload(grant: UploadGrant, *, secret: bytes) -> str:
    """A token for ``grant``."""
    return seal([grant.platform, grant.user_id, grant.chat_id, grant.nonce, grant.lang,
                 str(int(grant.expires.timestamp()))], secret=secret, purpose=_PURPOSE)


def read_upload(token: str, *, secret: bytes) -> UploadGrant | None:
    """The grant ``token`` carries, expired or not; None when it is forged or altered."""
    fields = unseal(token, secret=secret, purpose=_PURPOSE)
    if fields is None or len(fields) != 6:
        return None
    platform, user_id, chat_id, nonce, lang, moment = fields
    try:
        expires = dt.datetime.fromtimestamp(int(moment), tz=dt.UTC)
    except (ValueError, OverflowError):
        return None
    return UploadGrant(platform, user_id, chat_id, nonce, lang, expires)


@dataclass(frozen=True)
class UploadLinks:
    """Makes the links: isobot's public address, the signing key, how long a link works."""

    base_url: str
    secret: bytes
    validity: dt.timedelta

    def url(self, grant: UploadGrant) -> str:
        """The page's address for ``grant``."""
        return f"{self.base_url.rstrip('/')}{UPLOADS_PATH}{sign_upload(grant, secret=self.secret)}"

    def minutes(self) -> int:
        """How many minutes a link works."""
        return int(self.validity.total_seconds() // 60)


def file_kind(content: bytes) -> str | None:
    """Which accepted kind ``content`` is (its extension), by its first bytes; None for any
    other file."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        return next((kind for kind, part in _OOXML_PARTS.items() if part in names), None)
    return None


def stored_name(name: str, kind: str) -> str:
    """The name a file is kept under: the one it came with, ending as its kind does."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip() or "tep"
    base, dot, extension = stem.rpartition(".")
    if dot and extension.lower() in (kind, "jpeg" if kind == "jpg" else kind):
        return stem
    return f"{base if dot else stem}.{kind}"
