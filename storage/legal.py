"""Queries on registered legal documents."""

from __future__ import annotations

from sqlmodel import Session, func, select

from storage.models import LegalDocument


def legal_document_by_number(session: Session, *, number: str) -> LegalDocument | None:
    """The document registered under ``number`` (case and spacing ignored), if any."""
    wanted = "".join(number.split()).upper()
    query = select(LegalDocument).where(
        func.upper(func.replace(LegalDocument.number, " ", "")) == wanted)
    return session.exec(query).first()
