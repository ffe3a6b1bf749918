"""The choices a person was offered lately in one chat, kept so that an answer can still pick one.

A person may answer any choice of the last few messages, not only the newest: a reminder's
"Submitted" after the bot has asked something else, a duty from the numbered ``/viec`` list
after a reminder came in between. Each :class:`Offer` is one message's choices, kept in the
chat state (``state["offers"]``, oldest first) for :data:`LIFETIME`, at most :data:`KEPT` of
them. Who remembers: the conversation for its replies, delivery for the reminders it sends.

Only the state's format lives here; which offer a typed answer picks is the conversation's rule.
Pure: the moment is passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jobs.text.choice_ids import read_choice_id, record_id

KEPT = 5
LIFETIME = dt.timedelta(days=7)
_KEY = "offers"
_LEGACY_KEY = "choices"  # before offers were kept: only the last message's choices


@dataclass(frozen=True)
class Offer:
    """One message's choices: (id, label) pairs, and when they were offered."""

    choices: tuple[tuple[str, str], ...]
    at: dt.datetime

    def about(self) -> int | None:
        """The record every choice names ("done:12", "later:12" -> 12), if they name one."""
        values = {read_choice_id(choice).value for choice, _ in self.choices}
        return record_id(values.pop()) if len(values) == 1 else None


class Offers:
    """The live offers of one chat, oldest first."""

    def __init__(self, items: Iterable[Offer] = ()) -> None:
        self.items = list(items)

    @classmethod
    def load(cls, state: dict[str, Any], now: dt.datetime) -> Offers:
        """The offers kept in ``state`` that are still alive at ``now``."""
        if _KEY not in state and state.get(_LEGACY_KEY):
            return cls([Offer(_pairs(state[_LEGACY_KEY]), now)])
        items = []
        for raw in state.get(_KEY) or []:
            try:
                offer = Offer(_pairs(raw["choices"]), dt.datetime.fromisoformat(raw["at"]))
            except (KeyError, TypeError, ValueError):
                continue  # a malformed entry is forgotten, never a crash
            if offer.choices and now - offer.at <= LIFETIME:
                items.append(offer)
        return cls(items[-KEPT:])

    def store(self, state: dict[str, Any]) -> None:
        """Write the offers into ``state``."""
        state.pop(_LEGACY_KEY, None)
        state[_KEY] = [{"choices": [list(c) for c in o.choices], "at": o.at.isoformat()}
                       for o in self.items[-KEPT:]]

    def add(self, choices: Sequence[tuple[str, str]], at: dt.datetime) -> Offer:
        """Remember a new message's choices as the newest offer."""
        offer = Offer(_pairs(choices), at)
        self.items = [o for o in self.items if o.choices != offer.choices] + [offer]
        self.items = self.items[-KEPT:]
        return offer

    def drop(self, offer: Offer) -> None:
        """Forget ``offer`` (its question is closed)."""
        self.items = [o for o in self.items if o != offer]

    def newest(self) -> Offer | None:
        """The offer a bare number answers."""
        return self.items[-1] if self.items else None

    def newest_first(self) -> list[Offer]:
        return list(reversed(self.items))

    def containing(self, choice_id: str) -> Offer | None:
        """The newest offer with the choice ``choice_id``."""
        return next((o for o in self.newest_first()
                     if any(i == choice_id for i, _ in o.choices)), None)


def remember_offer(state: dict[str, Any], choices: Sequence[tuple[str, str]],
                   at: dt.datetime) -> None:
    """Add one message's choices to the offers kept in ``state`` (for senders outside a turn)."""
    offers = Offers.load(state, at)
    offers.add(choices, at)
    offers.store(state)


def _pairs(raw: Iterable[Sequence[str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(choice_id), str(label)) for choice_id, label in raw)
