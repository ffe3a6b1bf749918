"""A directive a supervisor sends without typing ``/chidao``: its text pasted as the document
system printed it, or its PDF, DOCX or edXML file. Taken only when it reads as the supervisor's
own directive — a numbered letter with a subject, headed by a unit they supervise, addressed to
units below it — so an officer's report (addressed upwards) goes on to the report's own reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import parsing
from bot.chat.turn import IncomingFile, Turn
from bot.features.supervisor.addressing import supervised
from jobs.documents.draft import make_draft
from jobs.documents.edxml import PackageRefused
from jobs.documents.fields import DocumentFields, read_fields
from jobs.documents.reading import SUFFIXES, Unreadable, read_document
from jobs.documents.recipients import UnitTree
from storage.units import all_units, subtree_ids

if TYPE_CHECKING:
    from bot.features.supervisor.directive import DirectiveFlow

#: A letter in the Decree 30 layout has at least its heading, number, date and subject lines.
MIN_LINES = 4
_LETTER_WORDS = ("v/v", "kinh gui", "noi nhan", "ve viec")


def looks_like_a_letter(text: str) -> bool:
    """Whether ``text`` is laid out as an official letter, not a line typed in the chat."""
    lines = [line for line in text.splitlines() if line.strip()]
    folded = parsing.fold(text)
    return len(lines) >= MIN_LINES and "so" in folded and any(w in folded for w in _LETTER_WORDS)


def offer_pasted(turn: Turn, flow: DirectiveFlow, text: str) -> bool:
    """Put a pasted directive to its supervisor at the confirmation; False when it is not one."""
    if not supervised(turn) or not looks_like_a_letter(text):
        return False
    return _offer(turn, flow, read_fields(text), "", "text")


def offer_file(turn: Turn, flow: DirectiveFlow, incoming: IncomingFile) -> bool:
    """Put a directive's file to its supervisor at the confirmation; False when it is not one
    (a photo, a scan, a report) or its bytes are not here."""
    if not supervised(turn) or incoming.content is None \
            or not incoming.name.lower().endswith(SUFFIXES):
        return False
    try:
        fields = read_document(incoming.name, incoming.content)
    except (Unreadable, PackageRefused):
        return False
    return _offer(turn, flow, fields, incoming.name, "file")


def _offer(turn: Turn, flow: DirectiveFlow, fields: DocumentFields, source: str,
           origin: str) -> bool:
    if not fields.number or parsing.parse_document_number(fields.number) is None \
            or not fields.subject:
        return False
    desks = {u.id for _, u in supervised(turn)}
    made = make_draft(fields, tree=UnitTree(all_units(turn.session, active_only=True)),
                      calendar=flow.calendar)
    if made.issuer is None or made.issuer.id not in desks:
        return False
    below = subtree_ids(turn.session, unit_id=made.issuer.id)
    if not any(u.id in below and u.id != made.issuer.id for u in made.targets):
        return False  # addressed to no unit below: a report, or a letter to another body
    flow.propose(turn, made, source, origin)
    return True


__all__ = ["looks_like_a_letter", "offer_file", "offer_pasted"]
