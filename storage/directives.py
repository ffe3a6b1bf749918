"""Queries on directives."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from storage.models import Directive


def directives_by_number(session: Session, *, number: str) -> list[Directive]:
    """The directives sent under the official ``number`` (case and spacing ignored), newest
    first: an issuer may, by mistake, send two under one number."""
    wanted = "".join(number.split()).upper()
    query = (select(Directive)
             .where(func.upper(func.replace(Directive.number, " ", "")) == wanted)
             .order_by(col(Directive.id).desc()))
    return list(session.exec(query))
