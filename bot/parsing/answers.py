"""Short answers: a numbered or named choice (Zalo has no buttons), and commands."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from typing import NamedTuple

from jobs.text.choice_ids import read_choice_id
from jobs.text.folding import fold


class Choice(NamedTuple):
    """One numbered option shown where a messenger has no buttons (Zalo)."""

    choice_id: str
    label: str
    aliases: Sequence[str] = ()


# Punctuation people wrap an answer in: "1.", "(2)", "đã nộp!".
_ANSWER_PUNCTUATION = " \t\r\n.,;:!?\"'()[]{}<>*-_"
# "1", "#1", "số 1" (input vocabulary). A keycap emoji "1️⃣" folds to "1".
_CHOICE_NUMBER_RE = re.compile(r"(?:so\s*|#\s*)?(?P<n>[0-9]{1,3})")


def _answer_key(text: str, *, keep_marks: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    text = " ".join(text.lower().split()) if keep_marks else fold(text)
    # An answer made only of punctuation ("?") is itself the answer.
    return text.strip(_ANSWER_PUNCTUATION) or text


# What people type instead of a choice's number or label, by the choice's action ("done" of
# "done:12", :mod:`jobs.text.choice_ids`), so "da nop" answers a reminder whatever language its
# labels are in.
_CHOICE_WORDS: dict[str, tuple[str, ...]] = {
    "done": ("da nop", "nop roi", "da nop roi", "xong", "da xong", "hoan thanh", "da hoan thanh"),
    "later": ("nhac lai sau", "nhac sau", "de sau"),
    "guide": ("huong dan", "xem huong dan"),
    "skip": ("bo qua", "khong co", "khong", "skip"),
    "confirm": ("xac nhan", "dong y", "co", "ok", "yes", "confirm"),
    "cancel": ("huy bo",),
    "datekeep": ("dung", "dung roi", "dung ngay", "giu nguyen"),
    "dateredo": ("nhap lai", "sai", "sai roi"),
    "stay": ("khong", "o lai", "no"),  # /roi's question; leaving takes its own words
}


def choice_aliases(choice_id: str) -> tuple[str, ...]:
    """Words that pick the choice ``choice_id`` besides its label (for :func:`match_choice`)."""
    return _CHOICE_WORDS.get(read_choice_id(choice_id).action, ())


def choice_number(text: str) -> int | None:
    """The number a bare numeric answer gives ("2", "số 2", "#2"); None for anything else."""
    m = _CHOICE_NUMBER_RE.fullmatch(_answer_key(text, keep_marks=False))
    return int(m["n"]) if m else None


def match_choice(text: str, choices: Sequence[tuple[str, str, Iterable[str]]]) -> str | None:
    """The ``choice_id`` the user picked, by 1-based position or by label/alias; else None.

    Labels match exactly after folding, so "Đã nộp", "da nop" and "ĐÃ NỘP." all pick "Đã nộp".
    A match with diacritics is tried first, so two labels that only differ by diacritics can
    still be told apart when typed in full; an answer that fits several choices returns None.
    """
    folded = _answer_key(text, keep_marks=False)
    if not folded:
        return None
    if m := _CHOICE_NUMBER_RE.fullmatch(folded):
        position = int(m["n"])
        if 1 <= position <= len(choices):
            return choices[position - 1][0]
    for keep_marks in (True, False):
        answer = _answer_key(text, keep_marks=keep_marks)
        hits: list[str] = []
        for choice_id, label, aliases in choices:
            names = [label, aliases] if isinstance(aliases, str) else [label, *aliases]
            if any(_answer_key(name, keep_marks=keep_marks) == answer for name in names):
                hits.append(choice_id)
        if len(set(hits)) == 1:
            return hits[0]
        if hits:
            return None  # ambiguous: better to ask again than to log the wrong thing
    return None


# -- commands ---------------------------------------------------------------------------------


# "/viec", "/viec@isobot_bot args". Telegram appends "@botname" in groups.
_SLASH_COMMAND_RE = re.compile(
    r"/(?P<name>[^\s@/]+)(?:@(?P<bot>[^\s@/]+))?(?:\s+(?P<args>.*))?", re.DOTALL
)
_COMMAND_NAME_RE = re.compile(r"\w+")


def parse_command(
    text: str, known: Collection[str] = (), *, bot_username: str | None = None
) -> tuple[str, str] | None:
    """Split a command into (name, args); None if the text is not a command.

    A slash command is always a command (the caller answers unknown ones). A plain first word
    ("start CODE", Zalo users often skip the slash) only counts if it is in ``known``, so an
    ordinary reply like "xong" is not taken for a command unless the caller says so. The name is
    folded ("/Việc" -> "viec"); args are kept as typed (invite codes are case-sensitive). With
    ``bot_username``, "/cmd@otherbot" (meant for another bot in a group) is not ours: None.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if text.startswith("/"):
        m = _SLASH_COMMAND_RE.fullmatch(text)
        if m is None:
            return None
        if m["bot"] and bot_username and m["bot"].casefold() != bot_username.lstrip("@").casefold():
            return None
        name = fold(m["name"])
        if not _COMMAND_NAME_RE.fullmatch(name):
            return None
        return name, (m["args"] or "").strip()
    parts = text.split(maxsplit=1)
    if not parts:
        return None
    head, args = parts[0], parts[1] if len(parts) > 1 else ""
    name = fold(head)
    if name in {fold(k).lstrip("/") for k in known}:
        return name, args.strip()
    return None

