"""Long texts cut into the parts a messenger accepts (Telegram 4,096, Zalo 2,000 characters).

Output formatting, shared by every messenger adapter; pure.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["split_message"]

_ZWJ = "\u200d"
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n")


def _extends_previous(ch: str) -> bool:
    """A code point that belongs to the character before it (a mark, ZWJ, skin tone)."""
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == _ZWJ
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
    )


def _joins_previous(s: str, i: int) -> bool:
    """True if cutting ``s`` before index ``i`` would break one visible character.

    A mark after whitespace belongs to no letter; it travels with the word that follows, as
    ``str.split`` sees it.
    """
    if i <= 0 or i >= len(s) or s[i - 1].isspace():
        return False
    return _extends_previous(s[i]) or s[i - 1] == _ZWJ


def _trim_blank_lines(s: str) -> str:
    lines = s.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).rstrip()


def _choose_cut(s: str, limit: int) -> tuple[int, int]:
    """Where to end this part and where the next begins, for ``len(s) > limit``."""
    window = s[: limit + 1]  # a separator right at index ``limit`` still gives a full part
    # 1. A paragraph break, unless it would leave this part less than half full.
    breaks = [m for m in _BLANK_LINE_RE.finditer(window) if m.start() >= max(limit // 2, 1)]
    if breaks:
        return breaks[-1].start(), breaks[-1].start() + 1
    # 2. A line break.
    newline = window.rfind("\n")
    if newline >= 0:
        return newline, newline + 1
    # 3. A word break (any whitespace, as str.split sees it).
    for i in range(len(window) - 1, -1, -1):
        if window[i].isspace():
            nxt = i + 1  # drop the whole run of spaces, so the next part starts with a word
            while nxt < len(s) and s[nxt].isspace() and s[nxt] != "\n":
                nxt += 1
            return i, nxt
    # 4. A word longer than the limit: cut between characters, never inside one — unless a
    #    single character (a letter with many marks) is itself longer than the limit.
    for i in range(limit, 0, -1):
        if not _joins_previous(s, i):
            return i, i
    return limit, limit


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` code points (after NFC).

    Cuts at a paragraph break, else a line break, else between words; inside a word only when
    the word alone is longer than ``limit``, and then never between a letter and its marks.
    Separators at a cut are dropped; parts have no leading or trailing blank lines; every word
    survives in order. Whitespace-only text gives [].
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    rest = _trim_blank_lines(unicodedata.normalize("NFC", text))
    parts: list[str] = []
    while rest:
        if len(rest) <= limit:
            parts.append(rest)
            break
        end, start = _choose_cut(rest, limit)
        part = _trim_blank_lines(rest[:end])
        if part:
            parts.append(part)
        rest = _trim_blank_lines(rest[start:])
    return parts
