"""A directive or legal document read from a file, as a draft to confirm: its fields, its
issuer and targets as units, its deadline moved off a day off, and what could not be read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jobs.calendar.workdays import WorkCalendar
from jobs.documents.fields import DocumentFields, Problem
from jobs.documents.recipients import UnitTree, match_issuer, match_recipients
from storage.models import Unit


@dataclass(frozen=True)
class Draft:
    """What a document would become once confirmed."""

    fields: DocumentFields
    issuer: Unit | None
    targets: list[Unit] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    due: dt.date | None = None  # the deadline as it will be kept: a working day
    problems: tuple[str, ...] = ()  # :class:`Problem` codes, and "no_issuer", "no_targets"

    @property
    def due_as_written(self) -> dt.date | None:
        deadline = self.fields.deadline
        return deadline.day if deadline else None

    def as_dict(self, source: str) -> dict:
        """The draft as ``--json`` prints it: dates ISO, issuer and targets as unit codes."""
        fields = self.fields
        return {"number": fields.number,
                "date": fields.date.isoformat() if fields.date else None,
                "issuer": self.issuer.code if self.issuer else None,
                "subject": fields.subject,
                "due": self.due.isoformat() if self.due else None,
                "targets": [u.code for u in self.targets],
                "unmatched": list(self.unmatched),
                "source": source}


NO_ISSUER = "no_issuer"
NO_TARGETS = "no_targets"


def make_draft(fields: DocumentFields, *, tree: UnitTree, calendar: WorkCalendar,
               issuer: Unit | None = None) -> Draft:
    """The draft of a directive: ``issuer`` when the operator names it, else the unit the
    heading names; a deadline on a day off moves to the next working day (Civil Code 2015,
    Article 148), a whole month's to its last working day."""
    issuer = issuer or match_issuer(tree, fields.issuer_lines, fields.place, fields.number)
    problems: list[str] = list(fields.problems)
    if issuer is None:
        return Draft(fields, None, [], list(fields.recipients), _due(fields, calendar),
                     (*problems, NO_ISSUER))
    reached = match_recipients(tree, issuer, fields.recipients)
    if not reached.units:
        problems.append(NO_TARGETS)
    return Draft(fields, issuer, reached.units, reached.unmatched, _due(fields, calendar),
                 tuple(problems))


def _due(fields: DocumentFields, calendar: WorkCalendar) -> dt.date | None:
    deadline = fields.deadline
    if deadline is None:
        return None
    if deadline.whole_month:
        return calendar.on_or_before(deadline.day)
    return calendar.deadline(deadline.day)


__all__ = ["NO_ISSUER", "NO_TARGETS", "Draft", "Problem", "make_draft"]
