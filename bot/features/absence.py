"""``/vang 10/12 - 20/12 [substitute]``: an officer away; their reminders go to a colleague of
the same unit (named), or to the unit head, and a summary comes on return
(:mod:`jobs.people.absence`).

``/vang`` alone shows the absences recorded and lets the officer cancel them (back early).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot import parsing
from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.people.absence import cancel_absences, declare_absence, problem_text, standing_in
from jobs.people.linking import person_of
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_, Translator
from storage.absences import absences_of, unit_members
from storage.models import Absence, Member, Role, Unit

OFFICERS_ONLY = N_("Only an ISO officer can record an absence. Nothing was changed.")


def find_by_name(members: Sequence[Member], name: str) -> list[Member]:
    """The members whose display name is ``name``, else those whose name contains it (typed
    with or without diacritics, in any case)."""
    wanted = parsing.fold(name).strip()
    if not wanted:
        return []
    found = [m for m in members if wanted in parsing.fold(m.display_name or "")]
    exact = [m for m in found if parsing.fold(m.display_name or "") == wanted]
    return exact or found


@feature(40)
class Absences(Feature):
    """``/vang``: record, show and cancel an officer's absence."""

    choices = ("vang-huy",)

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("vang", N_("record an absence: your reminders go to a colleague while you "
                               "are away"),
                    {Audience.OFFICER}, self.away, aliases=("vắng", "nghỉ phép", "nghi phep"),
                    refusal=OFFICERS_ONLY),
        )

    def away(self, turn: Turn, args: str) -> None:
        """/vang FROM - TO [substitute]; /vang alone: what is recorded."""
        officers = [(m, u) for m, u in turn.members if m.role == Role.OFFICER]
        if not args.strip():
            self._show(turn, officers)
            return
        span = parsing.parse_date_range(args, today=turn.today)
        if span.start is None:
            turn.say(_usage(turn.tr, turn.today, bad=span.bad))
            return
        for member, unit in officers:
            self._declare(turn, member, unit, span)

    def _declare(self, turn: Turn, member: Member, unit: Unit, span: parsing.DateRange) -> None:
        tr = turn.tr
        substitute = None
        if span.rest:
            colleagues = [m for m in unit_members(turn.session, unit_id=unit.id)
                          if person_of(m) != person_of(member)]
            found = {m.display_name: m for m in find_by_name(colleagues, span.rest)}
            if len(found) != 1:
                names = ", ".join(sorted({m.display_name for m in colleagues if m.display_name}))
                turn.say(tr._("I found no single colleague of {unit} called “{name}”. Colleagues "
                              "who use isobot: {names}. Nothing was recorded.").format(
                    unit=unit.name, name=span.rest, names=names or "—"))
                return
            substitute = next(iter(found.values()))
        declared = declare_absence(turn.session, member=member, starts=span.start, ends=span.end,
                                   substitute=substitute,
                                   created_by=f"{member.platform}:{member.platform_user_id}",
                                   now=turn.now, calendar=self.calendar)
        if declared.problem:
            turn.say(problem_text(declared.problem, tr) + "\n" + _usage(tr, turn.today))
            return
        turn.say(self._recorded(turn, declared.absence, unit))

    def _recorded(self, turn: Turn, absence: Absence, unit: Unit) -> str:
        tr = turn.tr
        who = ", ".join(m.display_name or tr._("colleague")
                        for m in standing_in(turn.session, absence=absence))
        lines = [tr._("Recorded: you are away from {start} to {end}.").format(
                     start=tr.date(absence.starts), end=tr.date(absence.ends))]
        if absence.substitute_id is not None:
            lines.append(tr._("Meanwhile the ISO reminders of {unit} go to {who}, who has been "
                              "told.").format(unit=unit.name, who=who))
        elif who:
            lines.append(tr._("Meanwhile the ISO reminders of {unit} go to the head of the unit "
                              "({who}), who has been told.").format(unit=unit.name, who=who))
        else:
            lines.append(tr._("{unit} has no head registered with isobot: the reminders keep "
                              "coming to you. Name a colleague: /vang {start} - {end} Name.")
                         .format(unit=unit.name, start=tr.short_date(absence.starts),
                                 end=tr.short_date(absence.ends)))
        lines.append(tr._("When you are back you will get a summary of what was sent and what "
                          "is still open. Back early? Type /vang to cancel."))
        return "\n".join(lines)

    def _show(self, turn: Turn, officers: list[tuple[Member, Unit]]) -> None:
        tr = turn.tr
        absences = absences_of(turn.session, member_ids=[m.id for m, _ in officers],
                               ending_from=turn.today)
        if not absences:
            turn.say(tr._("No absence is recorded for you.") + "\n" + _usage(tr, turn.today))
            return
        lines = [tr._("Your absences:")]
        lines += [tr._("• {start} – {end}").format(start=tr.short_date(a.starts),
                                                   end=tr.short_date(a.ends)) for a in absences]
        turn.say("\n".join(lines), (Choice(choice_id("vang-huy", "all"),
                                            tr._("Cancel them (I am back)")),))

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """Cancel the officer's current and coming absences."""
        cancelled = sum(cancel_absences(turn.session, member=m, now=turn.now,
                                        calendar=self.calendar)
                        for m, _ in turn.members if m.role == Role.OFFICER)
        if not cancelled:
            self.say_stale_choice(turn)
            return
        turn.say(turn.tr._("Cancelled: your reminders come to you again."))

def _usage(tr: Translator, today: dt.date, *, bad: bool = False) -> str:
    """How to type /vang, with an example that is valid today (next week's working days)."""
    start = today + dt.timedelta(days=7 - today.weekday())
    example = f"/vang {start:%d/%m} - {start + dt.timedelta(days=4):%d/%m} Minh"
    lead = tr._("One of the dates is not a real date.") + " " if bad else ""
    return lead + tr._("Type /vang, the first and last day of your absence, and the colleague "
                       "who stands in (or no one: the head of the unit), e.g. {example}.").format(
        example=example)
