"""The report under way in ``/nop``: its steps, what the officer gave so far, and its words.

Kept in the chat state between messages (:mod:`bot.chat.flow`); nothing is recorded until the
officer confirms. The order of the steps and which are needed come from the duty's evidence
rules in the catalog (``requires``, :func:`jobs.evidence.submissions.missing_evidence`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot import parsing
from jobs.catalog import Duty
from jobs.delivery.messages import Choice
from jobs.evidence.submissions import FileEvidence, Submission, missing_evidence
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_, Translator

KIND = "submission"


class Step(StrEnum):
    """What the officer is asked next. Stored in the chat state: the values never change."""

    DUTY = "pick"  # which of the open duties (a list to pick from)
    DOCUMENT = "document"  # the document's number and date
    DATE_CHECK = "datecheck"  # a date before the period reported on: is it right?
    NONCONFORMITIES = "nonconformities"  # how many the internal audit found
    FILE = "file"  # a file or photo of it (or a note, where the duty takes one), or skip
    CONFIRM = "confirm"  # the summary: confirm or cancel


# The order the steps are asked in; a step whose answer is known is passed over.
ORDER = (Step.DOCUMENT, Step.DATE_CHECK, Step.NONCONFORMITIES, Step.FILE, Step.CONFIRM)
# The choices a step may offer; the same words pick them whether pressed or typed.
OFFERS: dict[Step, tuple[str, ...]] = {Step.FILE: ("skip",), Step.CONFIRM: ("confirm", "cancel"),
                                       Step.DATE_CHECK: ("datekeep", "dateredo")}
_LABELS = {"skip": N_("Skip"), "confirm": N_("Confirm"), "cancel": N_("Cancel"),
           "datekeep": N_("Yes, the date is right"), "dateredo": N_("No, enter it again")}


@dataclass
class Draft:
    """The report being put together, kept in the chat state between messages.

    Before a duty is chosen (``obligation_id`` None) it keeps what the officer already typed,
    so a duty picked from the list is not asked for again. ``guided``: opened by "Guidance",
    so a reply that is not a document line is an ordinary message, not a wrong answer.
    """

    obligation_id: int | None = None
    number: str | None = None
    date: dt.date | None = None
    nonconformities: int | None = None
    file: FileEvidence | None = None
    note: str | None = None
    date_ok: bool = False
    guided: bool = False

    def take(self, document: parsing.DocumentReference | None,
             nonconformities: int | None = None) -> None:
        """Keep what the officer typed: a sound document line, a count."""
        if document is not None and document.ok:
            self.number, self.date, self.date_ok = document.number, document.date, False
        if nonconformities is not None:
            self.nonconformities = nonconformities

    def submission(self) -> Submission:
        """What is recorded once the officer confirms."""
        return Submission(obligation_id=self.obligation_id, document_number=self.number,
                          document_date=self.date, file=self.file, note=self.note,
                          nonconformities=self.nonconformities)

    def lacks_evidence(self, duty: Duty) -> bool:
        """Whether ``duty`` requires evidence this report does not carry yet."""
        return bool(missing_evidence(duty, self.submission()))


def offer(step: Step, tr: Translator, *, skip: bool = True) -> tuple[Choice, ...]:
    """The choices ``step`` offers (``skip`` False: the file step cannot be skipped)."""
    return tuple(Choice(choice_id(action), tr._(_LABELS[action]))
                 for action in OFFERS.get(step, ()) if skip or action != "skip")


def document_problem(document: parsing.DocumentReference, tr: Translator) -> str:
    """Why a document line could not be taken, in one sentence."""
    return {
        "missing_number": tr._("I could not read a document number."),
        "long_number": tr._("The document number is too long: it can have at most 128 "
                            "characters."),
        "missing_date": tr._("I could not read the document's date."),
        "bad_date": tr._("The document's date is not a real date."),
        "future_date": tr._("The document's date is in the future."),
    }.get(document.error, tr._("I could not read the document number and date."))
