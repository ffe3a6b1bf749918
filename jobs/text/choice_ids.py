"""What a choice carries back to the bot: an action and, optionally, a value ("done:12").

One scheme for every choice the bot offers, wherever it is built: a reminder's replies, a
directive's "Received", a chat feature's step. The ``action`` says who answers it (a chat
feature declares the actions it owns), the ``value`` what it is about: a row id, a language,
"yes". Telegram carries a button's id as callback data of at most 64 bytes, so an id is kept
short and a longer one is refused when it is built, never sent.

Reading never fails: an id comes back from a person's chat, where old buttons stay and where a
forged one may come from, and whatever it is reads as some action and value; the feature that
owns the action decides whether it still applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64  # Telegram's limit on callback data
_SEPARATOR = ":"
# The id of a row a choice names ("done:12"): ASCII digits that fit a 64-bit column. Callback
# data comes from the messenger as the person's phone sent it: "²" is a digit to str.isdigit()
# but not to int(), and 21 nines overflow SQLite and PostgreSQL alike.
_RECORD_ID_RE = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class ChoiceId:
    """A choice id read back: ``action`` "done", ``value`` "12" ("" when it has none)."""

    action: str
    value: str = ""

    @property
    def record(self) -> int | None:
        """The row id the value names, or None when it cannot be one."""
        return record_id(self.value)


def choice_id(action: str, value: str | int = "") -> str:
    """The id of a choice: ``choice_id("done", 12)`` is "done:12", ``choice_id("skip")`` "skip".

    Raises ValueError for an id a messenger could not carry back (over :data:`MAX_BYTES`) or
    that would not read back as ``action`` and ``value``.
    """
    if not action or _SEPARATOR in action:
        raise ValueError(f"a choice's action is a word without {_SEPARATOR!r}: {action!r}")
    text = str(value)
    built = f"{action}{_SEPARATOR}{text}" if text else action
    if len(built.encode()) > MAX_BYTES:
        raise ValueError(f"a choice id is at most {MAX_BYTES} bytes: {built!r}")
    return built


def read_choice_id(raw: str) -> ChoiceId:
    """The action and value of a choice id as it came back; never fails."""
    action, _, value = raw.partition(_SEPARATOR)
    return ChoiceId(action, value)


def record_id(value: str) -> int | None:
    """The row id in a choice's value ("12" of "done:12"), or None when it cannot be one."""
    return int(value) if _RECORD_ID_RE.fullmatch(value) else None
