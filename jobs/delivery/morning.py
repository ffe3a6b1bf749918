"""One message a morning: a person's reminders and escalations due at once, gathered.

On a heavy morning an officer used to get three or four messages, one per duty, and on Zalo,
at five messages a second for a whole province, the last officer waited hours. The planner
writes each duty's message as before (its own outbox row, key and fate); when delivery finds
several of one person's due together it sends them as one: each duty in brief (title, unit,
period, deadline), its choices numbered after it ("Submitted 2", "Guidance 2" for the
checklist), the full text of any of them a "Guidance" away. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from jobs.delivery.messages import Choice, Message
from jobs.text.choice_ids import read_choice_id
from jobs.text.i18n import translator
from jobs.text.reminder_texts import DRAFT_REPORT

#: The outbox kinds a morning gathers; a reply, a digest or a directive goes on its own.
GATHERED_KINDS = frozenset({"reminder", "escalation"})
#: Duties in one message at most: a supervisor's many escalations go as several, each short
#: enough to read on a phone (and within Zalo's 2,000 characters, a part or two).
MOST_DUTIES = 8
_BRIEF_LEAVES_OUT = frozenset({DRAFT_REPORT})


def gathers(kind: str, payload: dict[str, Any]) -> bool:
    """Whether a row of ``kind`` may go in a gathered message (it has a brief form)."""
    return kind in GATHERED_KINDS and bool(payload.get("brief"))


def gathered(payloads: Sequence[dict[str, Any]]) -> Message:
    """The one message for several duties' outbox payloads, in their order."""
    if len(payloads) == 1:
        return Message.from_payload(payloads[0])
    messages = [Message.from_payload(p) for p in payloads]
    tr = translator(messages[0].lang)
    blocks = [tr.ngettext("🔔 ISO duties for you: {n} item", "🔔 ISO duties for you: {n} items",
                          len(payloads)).format(n=len(payloads))]
    choices: list[Choice] = []
    rows: list[int] = []
    for n, (payload, message) in enumerate(zip(payloads, messages, strict=True), start=1):
        blocks.append(f"{n}. {payload['brief']}")
        # An extra choice (drafting the yearly report) comes with the duty's own choices (/viec,
        # or its name typed): each duty keeps its usual three, and the numbers people type
        # keep their places.
        numbered = [replace(c, label=f"{c.label} {n}") for c in message.choices
                    if read_choice_id(c.id).action not in _BRIEF_LEAVES_OUT]
        choices += numbered
        rows.append(len(numbered))
    if choices:
        blocks.append(tr._("Reply with a choice and the duty's number, for example “{guide}” "
                           "for the checklist of duty 1.").format(guide=_guide_label(choices)))
    return Message("\n\n".join(blocks), tuple(choices), lang=messages[0].lang, rows=tuple(rows))


def _guide_label(choices: Sequence[Choice]) -> str:
    return next((c.label for c in choices if read_choice_id(c.id).action == "guide"),
                choices[0].label)
