"""How an obligation stands, with one meaning for each word everywhere people read it. Pure.

- **Đúng hạn** (on time): done on or before its deadline;
- **Trễ hạn** (done late): done, after its deadline;
- **Quá hạn** (overdue): its deadline has passed and it is not done;
- **Chưa đến hạn** (not yet due): not done, and its deadline has not passed.

The compliance table, the exports, the digest, its chart and the directives' progress all use
these four, and each spreadsheet states them in a legend (:func:`legend`). The values are the
stable keys CSV exports carry.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from jobs.calendar.workdays import VIETNAM
from jobs.text.i18n import N_, Translator
from storage.models import ObligationStatus


class Standing(StrEnum):
    """How one obligation stands; the values are the CSV's stable keys."""

    on_time = "on_time"  # done on or before its due day
    late = "late"  # done after its due day
    overdue = "overdue"  # not done, and its due day has passed
    not_due = "not_due"  # not done, and its due day has not passed


STANDING_TEXT: dict[Standing, str] = {
    Standing.on_time: N_("On time"),
    Standing.late: N_("Done late"),
    Standing.overdue: N_("Overdue"),
    Standing.not_due: N_("Not yet due"),
}

MEANING: dict[Standing, str] = {
    Standing.on_time: N_("done on or before the deadline"),
    Standing.late: N_("done, but after the deadline"),
    Standing.overdue: N_("the deadline has passed and it is not done"),
    Standing.not_due: N_("not done yet, and the deadline has not passed"),
}

# Green, amber, red as Excel's own "good", "neutral" and "bad" cell styles; not yet due: none.
STANDING_FILL: dict[Standing, str | None] = {
    Standing.on_time: "C6EFCE",
    Standing.late: "FFEB9C",
    Standing.overdue: "FFC7CE",
    Standing.not_due: None,
}


def standing_of(status: str, done_at: dt.datetime | None, due: dt.date,
                today: dt.date) -> Standing | None:
    """How an obligation with ``status``, done at ``done_at`` (if done) and due ``due`` stands
    on ``today``; None when it was cancelled (it is owed no more)."""
    if status == ObligationStatus.DONE:
        finished = done_at.astimezone(VIETNAM).date() if done_at else due
        return Standing.late if finished > due else Standing.on_time
    if status == ObligationStatus.OPEN:
        return Standing.overdue if today > due else Standing.not_due
    return None


def legend(tr: Translator) -> list[str]:
    """The legend under a spreadsheet: each standing and what it means."""
    return [tr._("Legend:"), *(f"{tr._(STANDING_TEXT[s])}: {tr._(MEANING[s])}."
                               for s in Standing)]
