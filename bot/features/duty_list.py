"""What is due: ``/viec`` (open duties), ``/lich`` (the next 90 days), a reminder's "Remind me
later", and a duty named or picked by its number: its choices again."""

from __future__ import annotations

import datetime as dt

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from bot.features.my_duties import (
    duty_line,
    loggable_units,
    matching,
    my_obligation,
    my_open,
    say_already_done,
)
from bot.features.submission.intake import named_duties
from bot.parsing import Action, Intent
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.evidence.submissions import may_log
from jobs.planning.obligations import owed_between
from jobs.planning.planner import about_obligation
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_
from jobs.text.reminder_texts import About, reminder, reply_choices
from storage.models import Obligation, ObligationStatus, Unit
from storage.obligations import closed_obligation_keys
from storage.outbox import enqueue

AHEAD_DAYS = 90


@feature(10)
class DutyList(Feature):
    """The person's duties: listed, on a calendar, snoozed, explained."""

    choices = ("later", "duty")

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("viec", N_("my open duties, overdue first"), {Audience.EVERYONE},
                    self.my_duties, aliases=("việc",), keeps_flow=True),
            Command("lich", N_("deadlines in the next 90 days"), {Audience.EVERYONE},
                    self.coming_deadlines, aliases=("lịch",), keeps_flow=True),
        )

    def my_duties(self, turn: Turn, args: str) -> None:
        """/viec: open duties, overdue first."""
        tr, rows = turn.tr, my_open(turn, self.catalog)
        if not rows:
            turn.say(tr._("Your units have no open duties right now. 👍"))
            return
        lines = [tr._("Open duties (overdue first):")]
        for i, (o, u) in enumerate(rows, start=1):
            mark = "⚠️" if o.due < turn.today else "•"
            lines.append(f"{mark} {i}. {duty_line(o, u, turn, self.catalog)}")
        lines += ["", tr._("Reply with a duty's number to report it or read its guidance, or "
                           "type /nop.")]
        turn.say("\n".join(lines))
        # The numbers are in the text: remembered, so a typed "2" picks, without buttons.
        turn.remember(tuple(Choice(choice_id("duty", o.id), duty_line(o, u, turn, self.catalog))
                            for o, u in rows))

    def coming_deadlines(self, turn: Turn, args: str) -> None:
        """/lich: open obligations and what the catalog will make due in the next 90 days."""
        end = turn.today + dt.timedelta(days=AHEAD_DAYS)
        entries: dict[tuple[int, str, str], tuple[dt.date, str]] = {}
        for o, u in my_open(turn, self.catalog):
            if o.due <= end:
                entries[(u.id, o.duty_key, o.period)] = (o.due, duty_line(o, u, turn,
                                                                          self.catalog))
        units = loggable_units(turn)
        closed = closed_obligation_keys(turn.session, unit_ids=units)
        for unit in units.values():
            for owed in owed_between(self.catalog, unit.kind, turn.today, end, self.calendar):
                key = (unit.id, owed.duty_key, owed.period)
                if key not in entries and key not in closed:
                    coming = Obligation(unit_id=unit.id, duty_key=owed.duty_key,
                                        period=owed.period, due=owed.due)
                    entries[key] = (owed.due, duty_line(coming, unit, turn, self.catalog))
        if not entries:
            turn.say(turn.tr._("No deadlines in the next 90 days."))
            return
        lines = [turn.tr._("Deadlines in the next 90 days:")]
        lines += [f"• {line}" for _, line in sorted(entries.values())]
        turn.say("\n".join(lines))

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """A reminder's "Remind me later", or a duty picked from /viec."""
        obligation = my_obligation(turn, value)
        if obligation is None:
            return
        if obligation.status != ObligationStatus.OPEN:
            say_already_done(turn, obligation, self.calendar.tz)
        elif action == "duty":
            self.offer_duty(turn, obligation)
        else:
            self.snooze(turn, obligation)

    def on_intent(self, turn: Turn, intent: Intent) -> bool:
        """"nhắc lại sau" typed instead of pressing the button; a duty named alone ("bao cao
        nam"): its choices."""
        if intent.action is None and intent.document is None and (
                intent.duty is not None or intent.period_hint is not None):
            return self._named(turn, intent)
        if intent.action is Action.WHEN:
            self.deadlines_asked(turn, intent)
            return True
        if intent.action is not Action.SNOOZE:
            return False
        candidates = matching(turn, self.catalog, intent)
        if len(candidates) == 1:
            self.snooze(turn, candidates[0][0])
        else:
            turn.say(turn.tr._("Use the “Remind me later” button on a reminder to be reminded "
                               "again."))
        return True

    def deadlines_asked(self, turn: Turn, intent: Intent) -> None:
        """"hạn nộp báo cáo quý là khi nào?": the open deadlines of the duty named."""
        rows = matching(turn, self.catalog, intent)
        if not rows:
            turn.say(turn.tr._("There is no open deadline for that now. Type /lich to see the "
                               "deadlines of the next 90 days."))
            return
        lines = [turn.tr._("Deadlines:")]
        lines += [f"• {duty_line(o, u, turn, self.catalog)}" for o, u in rows]
        turn.say("\n".join(lines))

    def _named(self, turn: Turn, intent: Intent) -> bool:
        found = named_duties(turn, self.catalog, intent, self.calendar.tz)
        if found is None:
            return True
        if found.exact and len(found.rows) == 1:
            self.offer_duty(turn, found.rows[0][0])
        elif found.rows:
            turn.say(turn.tr._("Which duty?"), tuple(
                Choice(choice_id("duty", o.id), duty_line(o, u, turn, self.catalog))
                for o, u in found.rows[:10]))
        return True

    def offer_duty(self, turn: Turn, obligation: Obligation) -> None:
        """The choices of a duty's reminder, offered again: done, later, guidance."""
        about = self._about(turn, obligation)
        unit = turn.session.get(Unit, obligation.unit_id)
        turn.say(turn.tr._("{duty}: what would you like to do?").format(
            duty=duty_line(obligation, unit, turn, self.catalog)),
            reply_choices(about, turn.tr))

    def snooze(self, turn: Turn, obligation: Obligation) -> None:
        """Remind the person of ``obligation`` again on the next working day's first slot."""
        member = next(m for m, _ in turn.members if may_log(m, obligation))
        at = self.calendar.send_slot(self.calendar.on_or_after(turn.today + dt.timedelta(days=1)))
        message = reminder(self._about(turn, obligation), at.date(), turn.tr)
        enqueue(turn.session, key=f"later:{obligation.id}:{member.id}:{at.date().isoformat()}",
                member=member, kind="reminder", payload=message.to_payload(), now=turn.now,
                obligation_id=obligation.id, not_before=at)
        turn.replies.acknowledgement = turn.tr._("I will remind you again.")
        turn.say(turn.tr._("Understood. I will remind you again at {moment}.").format(
            moment=turn.tr.datetime(at)))

    def _about(self, turn: Turn, obligation: Obligation) -> About:
        unit = turn.session.get(Unit, obligation.unit_id)
        return about_obligation(obligation, unit, self.catalog, turn.tr.lang)
