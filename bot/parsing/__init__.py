"""Understand what officers type on a phone.

Officers answer reminders in Telegram or Zalo, often in Vietnamese typed *without* diacritics
("da nop bao cao quy 3 so 123/BC-UBND ngay 5/10/2026"), in any letter case, with stray spaces.
Everything here is pure: no I/O and no clock. Functions that need "this year" or "is this in the
future?" take ``today`` from the caller (Asia/Ho_Chi_Minh, decided by the caller).

Results are frozen dataclasses. Problems are reported as machine codes (:class:`ParseIssue`), never
as sentences: the conversation layer turns them into gettext messages.

The Vietnamese words in this module are *input vocabulary* (what people type), written folded
(lowercase, no diacritics) because matching is done on :func:`fold` output. They are data, not
output, so they do not go through gettext.
"""

from bot.parsing.answers import (
    Choice,
    choice_aliases,
    choice_number,
    match_choice,
    parse_command,
)
from bot.parsing.intents import (
    Action,
    DutyWords,
    Intent,
    is_courtesy,
    parse_intent,
    receipt_reference,
)
from bot.parsing.references import (
    DateRange,
    DocumentReference,
    ParseIssue,
    parse_date,
    parse_date_range,
    parse_document_number,
    parse_document_reference,
)
from jobs.text.folding import fold

__all__ = [
    "Action",
    "Choice",
    "DateRange",
    "DocumentReference",
    "DutyWords",
    "Intent",
    "ParseIssue",
    "choice_aliases",
    "choice_number",
    "fold",
    "is_courtesy",
    "match_choice",
    "parse_command",
    "parse_date",
    "parse_date_range",
    "parse_document_number",
    "parse_document_reference",
    "parse_intent",
    "receipt_reference",
]
