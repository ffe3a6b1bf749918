"""Legal documents: affected units update their QMS within three months of the effective date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.planning.obligations import event_due_date
from jobs.supervision.scope import Scope, Targets
from jobs.text.labels import LEGAL_PREFIX
from storage.legal import legal_document_by_number
from storage.models import LegalDocument, Obligation, ObligationSource
from storage.obligations import Origin, ensure_obligation

DUTY = "legal_update"
#: LegalDocument.number and .title.
MAX_NUMBER, MAX_TITLE = 128, 1000


def period_of(document_id: int) -> str:
    """The period key of a legal document's obligations: ``VB-7`` (people read its number)."""
    return f"{LEGAL_PREFIX}{document_id}"


# A document in force for longer than this should be in the QMS already: registering it now
# makes every unit overdue at once, so the operator must say it is meant.
OLD_AFTER = dt.timedelta(days=365)


class AlreadyRegistered(Exception):
    """A legal document with this number is registered already: one duty per document."""

    def __init__(self, document: LegalDocument) -> None:
        super().__init__(document.number)
        self.document = document


@dataclass(frozen=True)
class Registered:
    """A legal document and the obligations it created."""

    document: LegalDocument
    obligations: list[Obligation]


@dataclass(frozen=True)
class LegalNotice:
    """A legal document as it is registered: its number, title and effective date, and the
    units it affects."""

    number: str
    title: str
    effective: dt.date
    scope: Scope
    targets: Targets


def register_legal_document(session: Session, *, notice: LegalNotice, registered_by: str,
                            now: dt.datetime, catalog: Catalog,
                            calendar: WorkCalendar) -> Registered:
    """Record the document and give every affected unit a ``legal_update`` obligation.

    The due date is three months (the catalog's rule) after the effective date, moved to a
    working day; the reminder names the document by its number and cites its title. A number
    registered before raises :class:`AlreadyRegistered`.
    """
    number, effective = notice.number, notice.effective
    if (existing := legal_document_by_number(session, number=number)) is not None:
        raise AlreadyRegistered(existing)
    document = LegalDocument(number=number, title=notice.title, effective=effective,
                             scope=notice.scope.as_dict(), registered_by=registered_by,
                             created_at=now)
    session.add(document)
    session.flush()
    due = event_due_date(catalog.duty(DUTY), effective, calendar)
    origin = Origin(ObligationSource.LEGAL_DOCUMENT, ref=str(document.id),
                    note=f"{number} — {notice.title} ({effective:%d/%m/%Y})", label=number)
    obligations = [
        ensure_obligation(session, unit_id=unit.id, duty_key=DUTY, period=period_of(document.id),
                          due=due, now=now, origin=origin)[0]
        for unit in notice.targets.units
    ]
    return Registered(document, obligations)


def is_long_in_force(effective: dt.date, today: dt.date) -> bool:
    """Whether a document took effect so long ago that registering it needs a second word."""
    return effective < today - OLD_AFTER
