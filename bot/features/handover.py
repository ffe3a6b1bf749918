"""``/bangiao [unit code]``: a unit head, or a supervisor of the unit, hands an officer's role to
another member of the unit (:mod:`jobs.people.handover`).

The steps: the unit (a supervisor types its code; a head's is known), the officer who leaves
the role, the member who takes it, a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.flow import END, STAY, Answer, Flow, Next, On, Steps, choose_again
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.people.handover import hand_over, name_of
from jobs.people.linking import person_of
from jobs.people.registration import role_text
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_
from storage.absences import unit_members
from storage.models import Member, Role, Unit
from storage.units import subtree_ids, unit_by_code

KIND = "handover"
HEADS_AND_SUPERVISORS = N_("Only the head of the unit or the ISO standing office can hand over "
                           "an officer's role. Nothing was changed.")


class Step(StrEnum):
    """What is asked next. Stored in the chat state: the values never change."""

    UNIT = "unit"  # a supervisor types the unit's code
    FROM = "from"  # whose role is handed over (a list)
    TO = "to"  # who takes it (a list)
    CONFIRM = "confirm"


@dataclass
class Handing:
    """The handover being put together: the unit, the officer leaving, the member taking over."""

    unit_id: int | None = None
    officer_id: int | None = None
    receiver_id: int | None = None


@feature(50)
class Handover(Feature):
    """``/bangiao``: hand an officer's role to another member of the unit."""

    choices = ("bg-from", "bg-to", "bg-ok")

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("bangiao", N_("hand an ISO officer's role to another member of the unit"),
                    {Audience.HEAD, Audience.SUPERVISOR}, self.begin,
                    aliases=("bàn giao",), refusal=HEADS_AND_SUPERVISORS),
        )
        self.steps = Steps(KIND, Handing, {
            Step.UNIT: On(self._take_unit, self._ask_unit, reads_text=True),
            Step.FROM: On(self._take_officer, self._ask_officer),
            Step.TO: On(self._take_receiver, self._ask_receiver),
            Step.CONFIRM: On(self._take_confirm, self._ask_confirm),
        }, before=self._before)
        self.flows = (self.steps,)

    def begin(self, turn: Turn, args: str) -> None:
        """/bangiao [unit code]."""
        heads = [u for m, u in turn.members if m.role == Role.HEAD]
        draft = Handing()
        if args.strip():
            self.steps.answer(turn, self.steps.open(turn, draft, Step.UNIT), Answer(args))
        elif len(heads) == 1:  # a head hands over in their own unit
            self.steps.start(turn, draft, self._after_unit(turn, draft, heads[0]))
        else:
            self.steps.start(turn, draft, Step.UNIT)

    # -- the steps ------------------------------------------------------------------------

    def _before(self, turn: Turn, flow: Flow[Step, Handing], answer: Answer) -> Next | None:
        """Cancel at any step; a unit the person may no longer act for ends it."""
        if answer.chose("bg-ok", "no"):
            turn.say(turn.tr._("Cancelled. Nothing was changed."))
            return END
        unit = self._unit(turn, flow.draft)
        if flow.step is not Step.UNIT and (unit is None or not self._may_act(turn, unit)):
            turn.say(turn.tr._(HEADS_AND_SUPERVISORS))
            return END
        return None

    def _take_unit(self, turn: Turn, draft: Handing, answer: Answer) -> Next:
        unit = unit_by_code(turn.session, code=answer.text.strip().upper())
        if unit is None or not unit.active or not self._may_act(turn, unit):
            turn.say(turn.tr._("“{code}” is not the code of a unit you head or supervise. Please "
                               "send the code again, or type /huy to cancel.").format(
                code=answer.text.strip()))
            return STAY
        return self._after_unit(turn, draft, unit)

    def _after_unit(self, turn: Turn, draft: Handing, unit: Unit) -> Next:
        """Whose role: asked when the unit has several officers."""
        draft.unit_id = unit.id
        officers = self._officers(turn, unit)
        if not officers:
            turn.say(turn.tr._("{unit} has no ISO officer to hand over from. To register a new "
                               "officer, ask the ISO standing office for an invite code.").format(
                unit=unit.name))
            return END
        if len(officers) == 1:
            return self._after_officer(turn, draft, unit, officers[0])
        return Step.FROM

    def _take_officer(self, turn: Turn, draft: Handing, answer: Answer) -> Next:
        if answer.choice is None or not answer.chose("bg-from"):
            return choose_again(turn)
        unit = self._unit(turn, draft)
        officer = turn.session.get(Member, answer.choice.record or -1)
        if unit is None or officer is None or not officer.active \
                or officer.unit_id != unit.id:
            self.say_stale_choice(turn)
            return STAY
        return self._after_officer(turn, draft, unit, officer)

    def _after_officer(self, turn: Turn, draft: Handing, unit: Unit, officer: Member) -> Next:
        """Who takes the role: nobody else in the unit ends the handover."""
        if not self._others(turn, unit, officer):
            turn.say(turn.tr._("Nobody else in {unit} uses isobot yet. Ask the ISO standing "
                               "office for an invite code for the new officer; {name} keeps the "
                               "role until then.").format(unit=unit.name,
                                                          name=name_of(officer, turn.tr)))
            return END
        draft.officer_id = officer.id
        return Step.TO

    def _take_receiver(self, turn: Turn, draft: Handing, answer: Answer) -> Next:
        if answer.choice is None or not answer.chose("bg-to"):
            return choose_again(turn)
        officer = turn.session.get(Member, draft.officer_id or -1)
        receiver = turn.session.get(Member, answer.choice.record or -1)
        if officer is None or receiver is None or receiver.unit_id != draft.unit_id:
            self.say_stale_choice(turn)
            return STAY
        draft.receiver_id = receiver.id
        return Step.CONFIRM

    def _take_confirm(self, turn: Turn, draft: Handing, answer: Answer) -> Next:
        if not answer.chose("bg-ok", "yes"):
            return choose_again(turn)
        self._hand_over(turn, draft)
        return END

    # -- the questions --------------------------------------------------------------------

    def _ask_unit(self, turn: Turn, draft: Handing) -> None:
        turn.say(turn.tr._("Which unit? Please send its code. Type /huy to cancel."))

    def _ask_officer(self, turn: Turn, draft: Handing) -> None:
        tr, unit = turn.tr, self._unit(turn, draft)
        turn.say(tr._("Whose role as ISO officer of {unit} is handed over?").format(
            unit=unit.name), tuple(Choice(choice_id("bg-from", m.id), name_of(m, tr))
                                   for m in self._officers(turn, unit)))

    def _ask_receiver(self, turn: Turn, draft: Handing) -> None:
        tr, unit = turn.tr, self._unit(turn, draft)
        officer = turn.session.get(Member, draft.officer_id)
        turn.say(tr._("Who takes over the role of {name} ({unit})?").format(
            name=name_of(officer, tr), unit=unit.name),
            tuple(Choice(choice_id("bg-to", m.id), f"{name_of(m, tr)} ({role_text(m.role, tr)})")
                  for m in self._others(turn, unit, officer)))

    def _ask_confirm(self, turn: Turn, draft: Handing) -> None:
        tr, unit = turn.tr, self._unit(turn, draft)
        officer = turn.session.get(Member, draft.officer_id)
        receiver = turn.session.get(Member, draft.receiver_id)
        turn.say(tr._("Hand the role of ISO officer of {unit} from {old} to {new}? {new} will "
                      "receive the unit's reminders from now on.").format(
            unit=unit.name, old=name_of(officer, tr), new=name_of(receiver, tr)),
            (Choice(choice_id("bg-ok", "yes"), tr._("Hand over")),
             Choice(choice_id("bg-ok", "no"), tr._("Cancel"))))

    # -- the handover ---------------------------------------------------------------------

    def _hand_over(self, turn: Turn, draft: Handing) -> None:
        tr, unit = turn.tr, self._unit(turn, draft)
        officer = turn.session.get(Member, draft.officer_id or -1)
        receiver = turn.session.get(Member, draft.receiver_id or -1)
        actor = next(m for m, _ in turn.members)
        done = hand_over(turn.session, officer=officer, to=receiver,
                         by=actor.display_name or f"{actor.platform}:{actor.platform_user_id}",
                         now=turn.now, catalog=self.catalog, calendar=self.calendar) \
            if officer is not None and receiver is not None else None
        if done is None or done.problem:
            turn.say(tr._("The role could not be handed over: the officer or the member has "
                          "left the unit meanwhile. Nothing was changed."))
            return
        turn.say(tr._("Done: {new} is now the ISO officer of {unit} and receives its reminders; "
                      "{old} no longer does. Both have been told.").format(
            new=name_of(receiver, tr), unit=unit.name, old=name_of(officer, tr)))

    def _unit(self, turn: Turn, draft: Handing) -> Unit | None:
        return turn.session.get(Unit, draft.unit_id) if draft.unit_id is not None else None

    def _may_act(self, turn: Turn, unit: Unit) -> bool:
        return any((m.role == Role.HEAD and m.unit_id == unit.id)
                   or (m.role == Role.SUPERVISOR
                       and unit.id in subtree_ids(turn.session, unit_id=m.unit_id))
                   for m, _ in turn.members)

    def _officers(self, turn: Turn, unit: Unit) -> list[Member]:
        return _distinct([m for m in unit_members(turn.session, unit_id=unit.id)
                          if m.role == Role.OFFICER])

    def _others(self, turn: Turn, unit: Unit, officer: Member) -> list[Member]:
        return _distinct([m for m in unit_members(turn.session, unit_id=unit.id)
                          if person_of(m) != person_of(officer)])


def _distinct(members: list[Member]) -> list[Member]:
    """One membership per person (a person may act through Telegram and Zalo)."""
    return list({person_of(m): m for m in reversed(members)}.values())[::-1]
