"""A document file as the document system exports it (.edxml, .pdf, .docx, .txt) read into
its fields; a file isobot cannot read is refused with a reason code, never half-read."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import PurePath

import docx
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from jobs.documents.edxml import PackageRefused, read_package
from jobs.documents.fields import DocumentFields, read_fields

log = logging.getLogger(__name__)

#: Larger than any letter the document system exports with its attachments.
MAX_BYTES = 20 * 1024 * 1024
#: What a DOCX (a zip) may hold once unpacked: python-docx unpacks it whole, so a small file
#: that unpacks to gigabytes (a zip bomb) would take the process down with it.
MAX_UNPACKED_BYTES = 5 * MAX_BYTES
#: A PDF's text layer with fewer letters than this is a scanned image.
MIN_TEXT = 40
SUFFIXES = (".edxml", ".xml", ".pdf", ".docx", ".txt")


class Unreadable(Exception):
    """The file is not read; ``reason`` says why (a code the caller words)."""

    TOO_LARGE = "too_large"
    UNKNOWN_TYPE = "unknown_type"
    SCANNED = "scanned"  # a PDF without a text layer
    DAMAGED = "damaged"  # not the type its name says, or broken
    EMPTY = "empty"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_document(name: str, content: bytes) -> DocumentFields:
    """The fields of the file ``name`` holding ``content``; :class:`Unreadable` or
    :class:`~jobs.documents.edxml.PackageRefused` when it cannot be read."""
    if len(content) > MAX_BYTES:
        raise Unreadable(Unreadable.TOO_LARGE)
    suffix = PurePath(name).suffix.lower()
    if suffix in (".edxml", ".xml"):
        return read_package(content)
    if suffix not in SUFFIXES:
        raise Unreadable(Unreadable.UNKNOWN_TYPE)
    text = {".pdf": _pdf_text, ".docx": _docx_text, ".txt": _plain_text}[suffix](content)
    if not text.strip():
        raise Unreadable(Unreadable.SCANNED if suffix == ".pdf" else Unreadable.EMPTY)
    return read_fields(text)


def _plain_text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16", "cp1258"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(Unreadable.DAMAGED)


def _pdf_text(content: bytes) -> str:
    try:
        pages = PdfReader(io.BytesIO(content)).pages
        text = "\n".join(page.extract_text() or "" for page in pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        log.info("a PDF could not be read: %s", error)
        raise Unreadable(Unreadable.DAMAGED) from None
    return text if sum(c.isalpha() for c in text) >= MIN_TEXT else ""


def _docx_text(content: bytes) -> str:
    try:
        _refuse_bomb(zipfile.ZipFile(io.BytesIO(content)))
        document = docx.Document(io.BytesIO(content))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        log.info("a DOCX could not be read: %s", error)
        raise Unreadable(Unreadable.DAMAGED) from None
    lines = []
    # Decree 30's heading is a two-column table (organ | national motto): read its cells first.
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
            lines.append("")
    lines.extend(p.text for p in document.paragraphs)
    return "\n".join(lines)


def _refuse_bomb(package: zipfile.ZipFile) -> None:
    """Refuse a zip that says it unpacks larger than :data:`MAX_UNPACKED_BYTES`. What it says
    is what zipfile unpacks at most: a member that lies fails its check instead."""
    if sum(member.file_size for member in package.infolist()) > MAX_UNPACKED_BYTES:
        raise Unreadable(Unreadable.TOO_LARGE)


__all__ = ["MAX_BYTES", "PackageRefused", "Unreadable", "read_document"]
