"""What a directive and a legal document share: who may send them, on whose behalf, and to
which units (all, a kind, listed codes), always inside the subtree of the unit the supervisor
acts for.

Both flows' ``Step`` enums have the members ``ISSUER``, ``SCOPE``, ``KIND`` and ``CODES``;
:class:`Addressing` holds the handlers and questions of those steps for either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.chat.commands import Audience
from bot.chat.flow import END, STAY, Answer, Flow, Next, choose_again
from bot.chat.turn import Turn
from jobs.delivery.messages import Choice
from jobs.supervision.scope import Scope, Targets, resolve
from jobs.text.choice_ids import choice_id
from jobs.text.i18n import N_
from jobs.text.labels import kind_text
from storage.models import Member, Role, Unit
from storage.units import subtree_ids

SUPERVISORS_ONLY = N_("Only the ISO standing office (supervisors) can use this command. Nothing "
                      "was changed.")
SUPERVISORS = frozenset({Audience.SUPERVISOR})
_CODES = re.compile(r"[\s,;]+")


@dataclass
class Addressed:
    """The part of a draft both flows keep: the unit it comes from, the units it goes to."""

    issuer: int | None = None
    scope: Scope | None = None


def supervised(turn: Turn) -> list[tuple[Member, Unit]]:
    """The person's supervisor memberships."""
    return [(m, u) for m, u in turn.members if m.role == Role.SUPERVISOR]


def issuer_of(turn: Turn, draft: Addressed) -> tuple[Unit, Member]:
    """The unit the supervisor acts for in this flow, and their membership there."""
    return next((u, m) for m, u in supervised(turn) if u.id == draft.issuer)


def targets(turn: Turn, draft: Addressed, scope: Scope | None = None) -> Targets:
    """The units ``scope`` (the draft's, by default) reaches inside the acting unit's subtree,
    never outside it."""
    within = subtree_ids(turn.session, unit_id=draft.issuer)
    return resolve(turn.session, scope=scope or draft.scope or Scope(), within=within,
                   sender_unit_id=draft.issuer)


def too_long(turn: Turn, text: str, limit: int) -> bool:
    """Say so when ``text`` is longer than ``limit`` characters (what the table keeps)."""
    if len(text) <= limit:
        return False
    turn.say(turn.tr._("That is too long: {length} characters, at most {limit}. Please shorten "
                       "it and send it again.").format(length=turn.tr.number(len(text)),
                                                       limit=turn.tr.number(limit)))
    return True


class Addressing:
    """The shared steps of one flow: ``step`` is its Step enum, ``first`` the step asked once
    the issuer is known, ``after_scope`` the one asked once the units are chosen, ``question``
    the scope question (a message id)."""

    def __init__(self, step: Any, *, first: Any, after_scope: Any, question: str) -> None:
        self.step, self.first, self.after_scope, self.question = step, first, after_scope, question

    def start(self, turn: Turn, draft: Addressed) -> Next:
        """The first step: on whose behalf, when the supervisor has several desks."""
        desks = supervised(turn)
        if len(desks) > 1:
            return self.step.ISSUER
        draft.issuer = desks[0][1].id
        return self.first

    def before(self, turn: Turn, flow: Flow[Any, Addressed], answer: Answer) -> Next | None:
        """Only a supervisor goes on; "Cancel" at any step."""
        if not supervised(turn):
            turn.say(turn.tr._(SUPERVISORS_ONLY))
            return END
        if answer.chose("cd-confirm", "no"):
            turn.say(turn.tr._("Cancelled. Nothing was sent."))
            return END
        return None

    def ask_issuer(self, turn: Turn, draft: Addressed) -> None:
        turn.say(turn.tr._("On behalf of which unit?"),
                 tuple(Choice(choice_id("cd-issuer", u.id), u.name) for _, u in supervised(turn)))

    def take_issuer(self, turn: Turn, draft: Addressed, answer: Answer) -> Next:
        unit_id = answer.choice.record if answer.chose("cd-issuer") else None
        if unit_id not in {u.id for _, u in supervised(turn)}:
            return choose_again(turn)
        draft.issuer = unit_id
        return self.first

    def ask_scope(self, turn: Turn, draft: Addressed) -> None:
        tr = turn.tr
        turn.say(tr._(self.question), (
            Choice(choice_id("cd-scope", "all"), tr._("All units under my unit")),
            Choice(choice_id("cd-scope", "kind"), tr._("Units of one kind (e.g. communes, "
                                                       "schools)")),
            Choice(choice_id("cd-scope", "codes"), tr._("Units I list by code")),
        ))

    def take_scope(self, turn: Turn, draft: Addressed, answer: Answer) -> Next:
        picked = answer.picked("cd-scope")
        if picked == "all":
            return self._check(turn, draft, Scope(everyone=True))
        if picked == "kind":
            return self.step.KIND
        if picked == "codes":
            return self.step.CODES
        return choose_again(turn)

    def ask_kind(self, turn: Turn, draft: Addressed) -> None:
        kinds = sorted({u.kind for u in targets(turn, draft, Scope(everyone=True)).units})
        turn.say(turn.tr._("Which kind of unit?"),
                 tuple(Choice(choice_id("cd-kind", k), kind_text(k, turn.tr)) for k in kinds))

    def take_kind(self, turn: Turn, draft: Addressed, answer: Answer) -> Next:
        kind = answer.picked("cd-kind")
        if kind is None:
            return choose_again(turn)
        return self._check(turn, draft, Scope(kinds=(kind,)))

    def ask_codes(self, turn: Turn, draft: Addressed) -> None:
        turn.say(turn.tr._("Please send the unit codes, separated by commas."))

    def take_codes(self, turn: Turn, draft: Addressed, answer: Answer) -> Next:
        codes = tuple(c for c in _CODES.split(answer.text.strip().upper()) if c)
        return self._check(turn, draft, Scope(codes=codes))

    def _check(self, turn: Turn, draft: Addressed, scope: Scope) -> Next:
        reached = targets(turn, draft, scope)
        if reached.outside:
            turn.say(turn.tr._("These codes are unknown or outside the units you supervise: "
                               "{codes}. Please send the codes again.").format(
                codes=", ".join(reached.outside)))
            return STAY
        if not reached.units:
            turn.say(turn.tr._("No active unit matches. Please choose again."))
            return STAY
        draft.scope = scope
        return self.after_scope
