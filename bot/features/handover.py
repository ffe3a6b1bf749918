"""``/bangiao [unit code]``: a unit head, or a supervisor of the unit, hands an officer's role to
another member of the unit (:mod:`jobs.people.handover`).

The steps: the unit (a supervisor types its code; a head's is known), the officer who leaves
the role, the member who takes it, a confirmation.
"""

from __future__ import annotations

from typing import Any

from bot.chat.commands import Audience, Command
from bot.chat.feature import Feature, feature
from bot.chat.turn import Turn
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.delivery.messages import Choice
from jobs.people.handover import hand_over, name_of
from jobs.people.linking import person_of
from jobs.people.registration import role_text
from jobs.text.i18n import N_
from storage.absences import unit_members
from storage.models import Member, Role, Unit
from storage.units import subtree_ids, unit_by_code

KIND = "handover"
HEADS_AND_SUPERVISORS = N_("Only the head of the unit or the ISO standing office can hand over "
                           "an officer's role. Nothing was changed.")


@feature(50)
class Handover(Feature):
    """``/bangiao``: hand an officer's role to another member of the unit."""

    choices = ("bg-from", "bg-to", "bg-ok")
    flow_kind = KIND

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        super().__init__(catalog, calendar)
        self.commands = (
            Command("bangiao", N_("hand an ISO officer's role to another member of the unit"),
                    {Audience.HEAD, Audience.SUPERVISOR}, self.begin,
                    aliases=("bàn giao",), refusal=HEADS_AND_SUPERVISORS),
        )

    def begin(self, turn: Turn, args: str) -> None:
        """/bangiao [unit code]."""
        heads = [u for m, u in turn.members if m.role == Role.HEAD]
        turn.state["flow"] = {"kind": KIND, "step": "unit"}
        if args.strip() or not heads or len(heads) > 1:
            if not args.strip():
                turn.say(turn.tr._("Which unit? Please send its code. Type /huy to cancel."))
                return
            self._take_unit(turn, turn.state["flow"], args)
            return
        self._ask_officer(turn, turn.state["flow"], heads[0])

    def takes_text(self, flow: dict[str, Any]) -> bool:
        return flow.get("step") == "unit"

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        flow = turn.state.get("flow")
        if not flow or flow.get("kind") != KIND:
            self.say_stale_choice(turn)
            return
        self.on_flow(turn, flow, "", f"{action}:{value}")

    def on_flow(self, turn: Turn, flow: dict[str, Any], text: str,
                action: str | None = None) -> bool:
        tr, step = turn.tr, flow.get("step")
        unit = turn.session.get(Unit, flow.get("unit_id") or -1)
        if action == "bg-ok:no":
            turn.end_flow()
            turn.say(tr._("Cancelled. Nothing was changed."))
        elif step == "unit":
            self._take_unit(turn, flow, text)
        elif unit is None or not self._may_act(turn, unit):
            turn.end_flow()
            turn.say(tr._(HEADS_AND_SUPERVISORS))
        elif step == "from" and action and action.startswith("bg-from:"):
            self._ask_receiver(turn, flow, unit, int(action.partition(":")[2]))
        elif step == "to" and action and action.startswith("bg-to:"):
            self._confirm(turn, flow, unit, int(action.partition(":")[2]))
        elif step == "confirm" and action == "bg-ok:yes":
            self._hand_over(turn, flow, unit)
        else:
            turn.say(tr._("Please choose one of the options, or type /huy to cancel."))
        return True

    def _may_act(self, turn: Turn, unit: Unit) -> bool:
        return any((m.role == Role.HEAD and m.unit_id == unit.id)
                   or (m.role == Role.SUPERVISOR
                       and unit.id in subtree_ids(turn.session, unit_id=m.unit_id))
                   for m, _ in turn.members)

    def _take_unit(self, turn: Turn, flow: dict[str, Any], text: str) -> None:
        unit = unit_by_code(turn.session, code=text.strip().upper())
        if unit is None or not unit.active or not self._may_act(turn, unit):
            turn.say(turn.tr._("“{code}” is not the code of a unit you head or supervise. Please "
                               "send the code again, or type /huy to cancel.").format(
                code=text.strip()))
            return
        self._ask_officer(turn, flow, unit)

    def _ask_officer(self, turn: Turn, flow: dict[str, Any], unit: Unit) -> None:
        tr = turn.tr
        flow["unit_id"] = unit.id
        officers = _distinct([m for m in unit_members(turn.session, unit_id=unit.id)
                              if m.role == Role.OFFICER])
        if not officers:
            turn.end_flow()
            turn.say(tr._("{unit} has no ISO officer to hand over from. To register a new "
                          "officer, ask the ISO standing office for an invite code.").format(
                unit=unit.name))
            return
        if len(officers) == 1:
            self._ask_receiver(turn, flow, unit, officers[0].id)
            return
        flow["step"] = "from"
        turn.say(tr._("Whose role as ISO officer of {unit} is handed over?").format(
            unit=unit.name), tuple(Choice(f"bg-from:{m.id}", name_of(m, tr)) for m in officers))

    def _ask_receiver(self, turn: Turn, flow: dict[str, Any], unit: Unit, officer_id: int) -> None:
        tr = turn.tr
        officer = turn.session.get(Member, officer_id)
        if officer is None or not officer.active or officer.unit_id != unit.id:
            self.say_stale_choice(turn)
            return
        others = _distinct([m for m in unit_members(turn.session, unit_id=unit.id)
                            if person_of(m) != person_of(officer)])
        if not others:
            turn.end_flow()
            turn.say(tr._("Nobody else in {unit} uses isobot yet. Ask the ISO standing office "
                          "for an invite code for the new officer; {name} keeps the role until "
                          "then.").format(unit=unit.name, name=name_of(officer, tr)))
            return
        flow.update(step="to", officer_id=officer.id)
        turn.say(tr._("Who takes over the role of {name} ({unit})?").format(
            name=name_of(officer, tr), unit=unit.name),
            tuple(Choice(f"bg-to:{m.id}", f"{name_of(m, tr)} ({role_text(m.role, tr)})")
                  for m in others))

    def _confirm(self, turn: Turn, flow: dict[str, Any], unit: Unit, receiver_id: int) -> None:
        tr = turn.tr
        officer = turn.session.get(Member, flow.get("officer_id") or -1)
        receiver = turn.session.get(Member, receiver_id)
        if officer is None or receiver is None or receiver.unit_id != unit.id:
            self.say_stale_choice(turn)
            return
        flow.update(step="confirm", receiver_id=receiver.id)
        turn.say(tr._("Hand the role of ISO officer of {unit} from {old} to {new}? {new} will "
                      "receive the unit's reminders from now on.").format(
            unit=unit.name, old=name_of(officer, tr), new=name_of(receiver, tr)),
            (Choice("bg-ok:yes", tr._("Hand over")), Choice("bg-ok:no", tr._("Cancel"))))

    def _hand_over(self, turn: Turn, flow: dict[str, Any], unit: Unit) -> None:
        tr = turn.tr
        officer = turn.session.get(Member, flow.get("officer_id") or -1)
        receiver = turn.session.get(Member, flow.get("receiver_id") or -1)
        turn.end_flow()
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


def _distinct(members: list[Member]) -> list[Member]:
    """One membership per person (a person may act through Telegram and Zalo)."""
    return list({person_of(m): m for m in reversed(members)}.values())[::-1]
