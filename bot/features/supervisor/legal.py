"""``/vanban``: a supervisor registers a new legal document; the units it affects must update
their QMS within the catalog's time (:mod:`jobs.supervision.legal`).

The steps: on whose behalf (when the supervisor has several desks), the document's number, the
day it takes effect, its title, the units it affects, a confirmation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot import parsing
from bot.chat.flow import END, STAY, Answer, Next, On, Steps, choose_again
from bot.chat.turn import Turn
from bot.features.supervisor.addressing import (
    Addressed,
    Addressing,
    issuer_of,
    targets,
    too_long,
)
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.planning.obligations import event_due_date
from jobs.supervision.legal import MAX_NUMBER, MAX_TITLE, LegalNotice, register_legal_document
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_
from storage.legal import legal_document_by_number

KIND = "legal"


class Step(StrEnum):
    """What the supervisor is asked next. Stored in the chat state: the values never change."""

    ISSUER = "issuer"  # on behalf of which unit (a supervisor of several)
    NUMBER = "number"  # the document's number
    DATE = "date"  # the day it takes effect
    TITLE = "title"  # its title (trích yếu)
    SCOPE = "scope"  # all units, a kind, or listed codes
    KIND = "kind"  # which kind of unit
    CODES = "codes"  # the units' codes
    CONFIRM = "confirm"  # register or cancel


@dataclass
class LegalDraft(Addressed):
    """The legal document being registered."""

    number: str = ""
    effective: dt.date | None = None
    title: str = ""


class LegalFlow:
    """The steps of ``/vanban``."""

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        self.catalog = catalog
        self.calendar = calendar
        address = Addressing(Step, first=Step.NUMBER, after_scope=Step.CONFIRM,
                             question=N_("Which units does it affect?"))
        self.address = address
        self.steps = Steps(KIND, LegalDraft, {
            Step.ISSUER: On(address.take_issuer, address.ask_issuer),
            Step.NUMBER: On(self._take_number, self._ask_number),
            Step.DATE: On(self._take_date, self._ask_date),
            Step.TITLE: On(self._take_title, self._ask_title),
            Step.SCOPE: On(address.take_scope, address.ask_scope),
            Step.KIND: On(address.take_kind, address.ask_kind),
            Step.CODES: On(address.take_codes, address.ask_codes),
            Step.CONFIRM: On(self._take_confirm, self._ask_confirm),
        }, before=address.before)

    def begin(self, turn: Turn) -> None:
        """/vanban."""
        draft = LegalDraft()
        self.steps.start(turn, draft, self.address.start(turn, draft))

    def _ask_number(self, turn: Turn, draft: LegalDraft) -> None:
        turn.say(turn.tr._("Please send the legal document's number, e.g. 15/2026/NĐ-CP. "
                           "Type /huy to cancel."))

    def _take_number(self, turn: Turn, draft: LegalDraft, answer: Answer) -> Next:
        tr, text = turn.tr, answer.text.strip()
        if not text or len(text) > MAX_NUMBER:
            turn.say(tr._("Please send the legal document's number, e.g. 15/2026/NĐ-CP."))
            return STAY
        if known := legal_document_by_number(turn.session, number=text):
            turn.say(tr._("{number} is registered already (on {date}); nothing was "
                          "changed.").format(number=known.number, date=tr.short_date(
                              known.created_at.astimezone(self.calendar.tz).date())))
            return END
        draft.number = text
        return Step.DATE

    def _ask_date(self, turn: Turn, draft: LegalDraft) -> None:
        turn.say(turn.tr._("When does it take effect? Send a date such as 01/08/2026."))

    def _take_date(self, turn: Turn, draft: LegalDraft, answer: Answer) -> Next:
        day = parsing.parse_date(answer.text.strip(), today=turn.today)
        if day is None:
            turn.say(turn.tr._("Please send a date such as 01/08/2026."))
            return STAY
        draft.effective = day
        return Step.TITLE

    def _ask_title(self, turn: Turn, draft: LegalDraft) -> None:
        turn.say(turn.tr._("Please send the document's title (trích yếu)."))

    def _take_title(self, turn: Turn, draft: LegalDraft, answer: Answer) -> Next:
        text = answer.text.strip()
        if not text:
            self._ask_title(turn, draft)
            return STAY
        if too_long(turn, text, MAX_TITLE):
            return STAY
        draft.title = text
        return Step.SCOPE

    def _ask_confirm(self, turn: Turn, draft: LegalDraft) -> None:
        tr = turn.tr
        due = event_due_date(self.catalog.duty("legal_update"), draft.effective, self.calendar)
        turn.say("\n".join([
            tr._("Please confirm the legal document:"),
            f"{draft.number} — {draft.title}",
            tr._("Takes effect: {date}").format(date=tr.date(draft.effective)),
            tr._("{units} units must update their QMS by {date}.").format(
                units=len(targets(turn, draft).units), date=tr.date(due)),
        ]), (Choice(choice_id("cd-confirm", "yes"), tr._("Register")),
             Choice(choice_id("cd-confirm", "no"), tr._("Cancel"))))

    def _take_confirm(self, turn: Turn, draft: LegalDraft, answer: Answer) -> Next:
        if not answer.chose("cd-confirm", "yes"):
            return choose_again(turn)
        self._register(turn, draft)
        return END

    def _register(self, turn: Turn, draft: LegalDraft) -> None:
        _, member = issuer_of(turn, draft)
        registered = register_legal_document(
            turn.session, notice=LegalNotice(number=draft.number, title=draft.title,
                                             effective=draft.effective, scope=draft.scope,
                                             targets=targets(turn, draft)),
            registered_by=f"{member.platform}:{member.platform_user_id}", now=turn.now,
            catalog=self.catalog, calendar=self.calendar)
        turn.say(turn.tr._("Registered {number}: {units} units must update their QMS by "
                           "{date}.").format(number=draft.number,
                                             units=len(registered.obligations),
                                             date=turn.tr.date(registered.obligations[0].due)))
