"""What a feature plugs into the conversation: commands, choices, a multi-step flow.

A feature (the supervisors' desk, the submission of a report, ...) subclasses :class:`Feature`,
declares what it owns and overrides the hooks it needs. The conversation routes to it:

- a command, through its :class:`~bot.chat.commands.Command` declarations in ``commands``;
- a picked choice whose action is one of ``choices`` ("done" of "done:12",
  :mod:`jobs.text.choice_ids`), to :meth:`Feature.on_choice`;
- text or a file while one of its ``flows`` is under way (:mod:`bot.chat.flow`: a ``Step``
  enum, a typed draft, one handler per step), to :meth:`Feature.on_flow` and
  :meth:`Feature.on_file`: before the choices still on offer when the step asks for typed
  input (:meth:`Feature.takes_text`), after them otherwise;
- a free-text reply the conversation understood, to :meth:`Feature.on_intent`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from bot.chat.commands import Command
from bot.chat.flow import Answer, Flow, Steps
from bot.chat.turn import IncomingFile, Turn
from bot.parsing import Intent
from jobs.calendar.workdays import WorkCalendar
from jobs.catalog import Catalog
from jobs.text.choice_ids import ChoiceId
from jobs.text.i18n import Translator

#: Every feature class with its place in /help, filled by :func:`feature` as
#: :mod:`bot.features` imports its modules: the conversation lists no feature by name.
REGISTERED: list[tuple[int, type[Feature]]] = []


def feature(order: int) -> Callable[[type[Feature]], type[Feature]]:
    """Register a feature class; ``order`` is its place in /help (lower first)."""
    def register(cls: type[Feature]) -> type[Feature]:
        if all(existing is not cls for _, existing in REGISTERED):
            REGISTERED.append((order, cls))
        return cls
    return register


class Doorkeeper(Protocol):
    """The feature that answers people who have not joined yet (``welcomes_strangers``)."""

    def on_stranger_text(self, turn: Turn, text: str) -> None: ...

    def say_not_registered(self, turn: Turn) -> None: ...

    def not_registered_text(self, tr: Translator) -> str: ...


class Feature:
    """A group of commands, choices and flows; the hooks do nothing until overridden."""

    commands: Sequence[Command] = ()
    choices: Sequence[str] = ()
    #: The feature's multi-step tasks, each named by its ``kind`` in the chat state.
    flows: Sequence[Steps[Any, Any]] = ()
    #: Kinds of tasks an earlier version saved that :meth:`read_flow` still reads.
    old_flow_kinds: Sequence[str] = ()
    #: Answers people who have not joined (one feature: registration).
    welcomes_strangers: bool = False
    #: Takes a file sent with no task under way (one feature: the report of a duty).
    takes_loose_files: bool = False

    def __init__(self, catalog: Catalog, calendar: WorkCalendar) -> None:
        self.catalog = catalog
        self.calendar = calendar

    def on_choice(self, turn: Turn, action: str, value: str) -> None:
        """A choice of one of ``choices`` was picked: ``action`` "done", ``value`` "12". By
        default it answers the step of this feature's task under way, else it is stale."""
        if not self.answer_choice(turn, action, value):
            self.say_stale_choice(turn)

    def answer_choice(self, turn: Turn, action: str, value: str) -> bool:
        """Answer the step of this feature's task under way with the choice picked; False
        when none is under way."""
        flow = self.flow_under_way(turn)
        if flow is None:
            return False
        self.steps_of(flow).answer(turn, flow, Answer(choice=ChoiceId(action, value)))
        return True

    def read_flow(self, raw: Mapping[str, Any]) -> Flow[Any, Any] | None:
        """One of this feature's tasks as the chat state keeps it; None when it is none of
        them, or in a shape this version cannot read."""
        return next((flow for steps in self.flows if (flow := steps.read(raw)) is not None),
                    None)

    def flow_under_way(self, turn: Turn) -> Flow[Any, Any] | None:
        """This feature's task under way in the chat, if it is one of them."""
        raw = turn.state.get("flow")
        return self.read_flow(raw) if isinstance(raw, Mapping) else None

    def steps_of(self, flow: Flow[Any, Any]) -> Steps[Any, Any]:
        """The table of ``flow``, one of this feature's."""
        return next(steps for steps in self.flows if steps.kind == flow.kind)

    def on_flow(self, turn: Turn, flow: Flow[Any, Any], text: str) -> bool:
        """Typed text while ``flow`` is under way answers its step; False when it is no answer
        and ``text`` should be read as an ordinary reply."""
        return self.steps_of(flow).answer(turn, flow, Answer(text))

    def takes_text(self, flow: Flow[Any, Any]) -> bool:
        """Whether the step under way asks for typed input (a number, a document line), so a
        typed "2" answers it rather than a choice of an earlier message."""
        return self.steps_of(flow).reads_text(flow)

    def accepts_files(self, flow: Flow[Any, Any]) -> bool:
        """Whether the step under way takes a file (then "gửi tệp" asks how to send one)."""
        return False

    def repeat(self, turn: Turn, flow: Flow[Any, Any]) -> bool:
        """Ask the step under way again (after a stale answer); False when it cannot."""
        return False

    def on_file(self, turn: Turn, flow: Flow[Any, Any] | None, incoming: IncomingFile) -> None:
        """A file sent during this feature's flow; read by its caption, or its name."""
        if flow is not None:
            self.on_flow(turn, flow, (turn.inbound.text or "").strip() or incoming.name)

    def on_loose_text(self, turn: Turn, text: str) -> bool:
        """Text sent with no task under way, before it is read as a reply (a document pasted
        whole); True when this feature took it."""
        return False

    def on_loose_file(self, turn: Turn, incoming: IncomingFile) -> bool:
        """A file sent with no task under way, before it is taken as evidence; True when this
        feature took it."""
        return False

    def on_intent(self, turn: Turn, intent: Intent) -> bool:
        """A free-text reply, understood; True when this feature acted on it."""
        return False

    @staticmethod
    def say_stale_choice(turn: Turn) -> None:
        """Answer a choice that no longer applies (an old button, a finished task); the
        conversation then shows the choices that are open now."""
        turn.stale_choice = True
        turn.say(turn.tr._("This choice is no longer valid. Type /viec to see your open duties."))
