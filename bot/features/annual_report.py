"""``/baocao [YEAR]``: the year's report drafted from the records, as a Word document.

An ISO officer or unit head gets their unit's draft at once (a choice of units when they work
for several). A supervisor chooses: a unit of their subtree (its draft; a code may be typed) or
the whole scope (the summary of every unit under theirs). The ``annual_report`` reminder offers
"Draft the report" (``baocao:<obligation id>``), which drafts that unit's report for the
reminder's year. The document is built when the reply is sent
(:func:`jobs.reports.annual_files.annual_report_builder`): Telegram gets the file, Zalo a link
to isobot's web server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import END, STAY, Answer, Next, On, Steps, choose_again
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Attachment, Choice, Message
from jobs.reports.annual import year_of
from jobs.reports.annual_files import build_spec, report_filename
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_
from jobs.text.reminder_texts import DRAFT_REPORT
from storage.models import Obligation, Role, Unit
from storage.units import subtree_ids, unit_by_code

KIND = "annual_report"
UNIT_CHOICE, SCOPE_CHOICE = "bc-unit", "bc-all"
_YEAR = re.compile(r"^\d{4}$")
_WORKERS = (Role.OFFICER, Role.HEAD)


class Step(StrEnum):
    """What is asked next. Stored in the chat state: the values never change."""

    UNIT = "unit"  # which unit, or the whole scope


@dataclass
class Drafting:
    """The report asked for: its year."""

    year: int = 0


@feature(65)
class AnnualReport(Feature):
    """``/baocao`` and the reminder's "Draft the report"."""

    choices = (DRAFT_REPORT, UNIT_CHOICE, SCOPE_CHOICE)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("baocao", N_("draft the year's ISO report (Word) from isobot's records"),
                    {Audience.OFFICER, Audience.HEAD, Audience.SUPERVISOR}, self.begin,
                    aliases=("dự thảo báo cáo",),
                    refusal=N_("The yearly report is drafted for the units you work for as ISO "
                               "officer, head or standing office, and your account has none.")),
        )
        self.steps = Steps(KIND, Drafting, {
            Step.UNIT: On(self._take_unit, self._ask_unit, reads_text=True)})
        self.flows = (self.steps,)

    def begin(self, turn: Turn, args: str) -> None:
        """/baocao [YEAR]: the draft at once, or the choice of a unit."""
        words = args.split()
        if len(words) > 1 or (words and not _YEAR.match(words[0])):
            turn.say(turn.tr._("Write the year with four digits, e.g. /baocao {year}.").format(
                year=turn.today.year))
            return
        draft = Drafting(int(words[0]) if words else turn.today.year)
        own = self._own_units(turn)
        if len(own) == 1 and not self._supervised(turn):
            self._send(turn, own[0], draft.year, summary=False)
            return
        self.steps.start(turn, draft, Step.UNIT)

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """The reminder's "Draft the report"; else the step under way."""
        if action != DRAFT_REPORT:
            super().on_choice(turn, action, value)
            return
        obligation = turn.session.get(Obligation, int(value)) if value.isdigit() else None
        unit = turn.session.get(Unit, obligation.unit_id) if obligation else None
        if unit is None or not self._may_draft(turn, unit):
            self.say_stale_choice(turn)
            return
        self._send(turn, unit, year_of(obligation.period, obligation.due), summary=False)

    # -- the step -------------------------------------------------------------------------

    def _ask_unit(self, turn: Turn, draft: Drafting) -> None:
        tr = turn.tr
        choices = [Choice(choice_id(UNIT_CHOICE, u.id), u.name) for u in self._own_units(turn)]
        for unit in self._supervised(turn):
            choices.append(Choice(choice_id(SCOPE_CHOICE, unit.id), tr._(
                "Summary: {unit} and every unit under it").format(unit=unit.name)))
        text = tr._("The report of which unit, for {year}?").format(year=draft.year)
        if self._supervised(turn):
            text += " " + tr._("You may also type the code of a unit you supervise.")
        turn.say(text + " " + tr._("Type /huy to cancel."), tuple(choices))

    def _take_unit(self, turn: Turn, draft: Drafting, answer: Answer) -> Next:
        summary = answer.chose(SCOPE_CHOICE)
        if answer.choice is not None:
            if not (summary or answer.chose(UNIT_CHOICE)):
                return choose_again(turn)
            unit = turn.session.get(Unit, answer.choice.record or -1)
        else:
            unit = unit_by_code(turn.session, code=answer.text.strip().upper())
        if unit is None or not self._may_draft(turn, unit, summary=summary):
            turn.say(turn.tr._("“{code}” is not a unit whose report you may draft. Please choose "
                               "one above or type its code; /huy cancels.").format(
                code=answer.text.strip() or (unit.code if unit else "")))
            return STAY
        self._send(turn, unit, draft.year, summary=summary)
        return END

    # -- who may draft what ---------------------------------------------------------------

    @staticmethod
    def _own_units(turn: Turn) -> list[Unit]:
        found: dict[int, Unit] = {}
        for member, unit in turn.members:
            if member.role in _WORKERS:
                found.setdefault(unit.id, unit)
        return list(found.values())

    @staticmethod
    def _supervised(turn: Turn) -> list[Unit]:
        return [unit for member, unit in turn.members if member.role == Role.SUPERVISOR]

    def _may_draft(self, turn: Turn, unit: Unit, *, summary: bool = False) -> bool:
        """A supervisor drafts for their subtree (a summary of a unit they supervise); an
        officer or head for their own unit."""
        supervised = self._supervised(turn)
        if summary:
            return any(u.id == unit.id for u in supervised)
        if any(u.id == unit.id for u in self._own_units(turn)):
            return True
        return any(unit.id in subtree_ids(turn.session, unit_id=u.id) for u in supervised)

    # -- the reply ------------------------------------------------------------------------

    def _send(self, turn: Turn, unit: Unit, year: int, *, summary: bool) -> None:
        tr = turn.tr
        lines = [
            (tr._("Summary report for {year}: {unit} and every unit under it, drafted from "
                  "isobot's records.") if summary else
             tr._("Draft of the {year} report of {unit}, drafted from isobot's records."))
            .format(year=year, unit=unit.name),
            tr._("It follows the layout of Decree 30/2020/NĐ-CP. What the records do not say is "
                 "marked [… …] for you to write; add the number, then have it signed."),
        ]
        spec = build_spec(unit, year, summary=summary, tr=tr, today=turn.today)
        turn.reply(Message("\n".join(lines), attachments=(
            Attachment("document", report_filename(unit, year, summary=summary), build=spec),),
            lang=tr.lang))
