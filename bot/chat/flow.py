"""A task of several steps in the chat: a ``Step`` enum, a typed draft, one handler per step.

Named as python-telegram-bot's examples/conversationbot.py names its states (``GENDER, PHOTO,
LOCATION, BIO``, one handler per state, each returning the next). A feature's flow is one
:class:`Steps` table: for each member of its ``Step`` enum (a ``StrEnum``: its values are
saved), an :class:`On` with the handler that takes the answer and the question that asks it.
A handler gets the turn, the draft (a dataclass) and the :class:`Answer`, and returns what
comes next: a step (the flow is saved at it, then it is asked), or one of :class:`Then`.

The flow under way is kept in the chat state as JSON, ``state["flow"]``: ``{"kind": …,
"step": …}`` and the draft's fields by name beside them (a date as ISO text, an enum as its
value, a dataclass as an object; a field left at its default is left out). A flow this version
cannot read back (a step it no longer has, a field it does not know, a value of the wrong
type) reads as None: the person starts afresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Generic, TypeVar

from bot.chat.turn import Turn
from jobs.text.choice_ids import ChoiceId

S = TypeVar("S", bound=StrEnum)
D = TypeVar("D")


class Then(Enum):
    """What comes after an answer when it is not a step to ask."""

    STAY = "stay"  # answered (a problem was said): the flow stays as it was, unsaved changes too
    END = "end"  # the task is over, done or cancelled: the flow is dropped
    PASS = "pass"  # not an answer to this step: the flow stays, the text is read as any reply
    DROP = "drop"  # not an answer, and the question lapses: the flow is dropped, the text read


STAY, END, PASS, DROP = Then.STAY, Then.END, Then.PASS, Then.DROP
#: What a step's handler returns: the step to ask next, or one of :class:`Then`.
Next = Any


@dataclass(frozen=True)
class Answer:
    """What the person gave at a step: typed text, or a choice they picked."""

    text: str = ""
    choice: ChoiceId | None = None

    def chose(self, action: str, value: str | None = None) -> bool:
        """Whether the choice picked has ``action`` (and ``value``, when given)."""
        return self.choice is not None and self.choice.action == action \
            and (value is None or self.choice.value == value)

    def picked(self, action: str) -> str | None:
        """The value of the choice picked when its action is ``action``; else None."""
        return self.choice.value if self.chose(action) else None


@dataclass
class Flow(Generic[S, D]):
    """The task under way: which flow (``kind``), the step asked, the draft so far."""

    kind: str
    step: S
    draft: D


@dataclass(frozen=True)
class On(Generic[D]):
    """What one step does: ``answer`` takes the answer and returns what comes next, ``ask``
    asks the step's question. ``reads_text``: a typed reply answers this step before the
    choices of an earlier message (it asks for a count, a document line, a code)."""

    answer: Callable[[Turn, D, Answer], Next]
    ask: Callable[[Turn, D], None]
    reads_text: bool = False


class Steps(Generic[S, D]):
    """One flow: its ``kind``, its draft's class and what each step does, in one table.

    ``before`` runs ahead of every step's handler, for what ends or passes on an answer
    whatever the step (a cancel, a record that is gone); it returns None to let the step's
    handler answer.
    """

    def __init__(self, kind: str, draft: type[D], table: Mapping[S, On[D]], *,
                 before: Callable[[Turn, Flow[S, D], Answer], Next | None] | None = None
                 ) -> None:
        self.kind = kind
        self.draft = draft
        self.table = dict(table)
        self.before = before
        self.step_type: type[S] = type(next(iter(self.table)))

    def start(self, turn: Turn, draft: D, first: Next) -> None:
        """Begin this flow with ``draft``, dropping any other task under way: ask ``first``,
        or end at once (END, DROP); STAY or PASS leave the chat state as it was."""
        if isinstance(first, Then):
            if first in (END, DROP):
                turn.end_flow()
            return
        self._ask(turn, Flow(self.kind, first, draft))

    def open(self, turn: Turn, draft: D, step: S) -> Flow[S, D]:
        """Begin this flow at ``step`` without asking it: what came with the command that
        began it answers it at once (:meth:`answer`)."""
        flow = Flow(self.kind, step, draft)
        self.save(turn, flow)
        return flow

    def answer(self, turn: Turn, flow: Flow[S, D], answer: Answer) -> bool:
        """Answer the step under way; False when it was no answer (PASS, DROP) and a typed
        text should be read as an ordinary reply."""
        then = self.before(turn, flow, answer) if self.before is not None else None
        if then is None:
            then = self.table[flow.step].answer(turn, flow.draft, answer)
        return self.move(turn, flow, then)

    def move(self, turn: Turn, flow: Flow[S, D], then: Next) -> bool:
        """Go on to ``then``; False when it passes the answer on (PASS, DROP)."""
        if then in (END, DROP):
            turn.end_flow()
        elif not isinstance(then, Then):
            flow.step = then
            self._ask(turn, flow)
        return then not in (PASS, DROP)

    def ask_again(self, turn: Turn, flow: Flow[S, D]) -> None:
        """Ask the step under way again (after a stale answer)."""
        self.table[flow.step].ask(turn, flow.draft)

    def reads_text(self, flow: Flow[S, D]) -> bool:
        """Whether the step under way asks for typed input (:attr:`On.reads_text`)."""
        return self.table[flow.step].reads_text

    def _ask(self, turn: Turn, flow: Flow[S, D]) -> None:
        self.save(turn, flow)
        self.table[flow.step].ask(turn, flow.draft)

    # -- the chat state -------------------------------------------------------------------

    def save(self, turn: Turn, flow: Flow[S, D]) -> None:
        """Keep ``flow`` in the chat state, as JSON."""
        turn.state["flow"] = {"kind": self.kind, "step": flow.step.value,
                              **_fields_json(flow.draft)}

    def read(self, raw: Mapping[str, Any]) -> Flow[S, D] | None:
        """The flow :meth:`save` kept; None when ``raw`` is another kind's, or not a shape
        this version reads (a flow of one step may have been saved without it)."""
        if raw.get("kind") != self.kind:
            return None
        try:
            step = self.step_type(raw["step"]) if "step" in raw else next(iter(self.table))
            draft = _dataclass_from(self.draft, {k: v for k, v in raw.items()
                                                 if k not in ("kind", "step")})
        except (TypeError, ValueError, KeyError):
            return None
        return Flow(self.kind, step, draft) if step in self.table else None

    def under_way(self, turn: Turn) -> Flow[S, D] | None:
        """This flow, if it is the task under way in the chat."""
        raw = turn.state.get("flow")
        return self.read(raw) if isinstance(raw, Mapping) else None


def choose_again(turn: Turn) -> Then:
    """A reply where only a choice answers: ask for one. Returns :data:`STAY`."""
    turn.say(turn.tr._("Please choose one of the options, or type /huy to cancel."))
    return STAY


# -- drafts as JSON -------------------------------------------------------------------------


def _fields_json(draft: Any) -> dict[str, Any]:
    """A dataclass's fields as JSON, but those still at their default."""
    saved = {}
    for field in dataclasses.fields(draft):
        value = getattr(draft, field.name)
        if field.default is not dataclasses.MISSING and value == field.default:
            continue
        saved[field.name] = _to_json(value)
    return saved


def _to_json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return _fields_json(value)
    if isinstance(value, tuple | list):
        return [_to_json(item) for item in value]
    return value


def _dataclass_from(cls: type[D], raw: Mapping[str, Any]) -> D:
    """The dataclass ``cls`` from its JSON; a field it does not have is an error."""
    hints = typing.get_type_hints(cls)
    unknown = set(raw) - {field.name for field in dataclasses.fields(cls)}
    if unknown:
        raise ValueError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return cls(**{name: _from_json(hints[name], value) for name, value in raw.items()})


def _from_json(hint: Any, raw: Any) -> Any:
    """A value of type ``hint`` from JSON: str, int, bool, a date, an enum, a dataclass, a
    tuple of one of them, or one of them or None."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if raw is None and type(None) in args:
            return None
        (hint,) = (arg for arg in args if arg is not type(None))
        return _from_json(hint, raw)
    if origin is tuple and isinstance(raw, list):
        return tuple(_from_json(args[0], item) for item in raw)
    if dataclasses.is_dataclass(hint) and isinstance(raw, dict):
        return _dataclass_from(hint, raw)
    if hint is dt.date and isinstance(raw, str):
        return dt.date.fromisoformat(raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint in (str, int, bool) and type(raw) is hint:
        return raw
    raise TypeError(f"{raw!r} is not a {hint}")
