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

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "Action",
    "Choice",
    "DocumentReference",
    "Intent",
    "ParseIssue",
    "choice_aliases",
    "fold",
    "match_choice",
    "parse_command",
    "parse_date",
    "parse_document_reference",
    "parse_intent",
    "split_message",
]


# --------------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------------


class ParseIssue(StrEnum):
    """Why a reply could not be taken as typed (a code; the caller words the message)."""

    MISSING_NUMBER = "missing_number"
    MISSING_DATE = "missing_date"  # a document reference without any date
    BAD_DATE = "bad_date"  # looks like a date but is not one: 31/2/2026, 10/13/2026, 10/9/202
    FUTURE_DATE = "future_date"  # a real date after ``today``; a done thing cannot be dated later


class Action(StrEnum):
    """What the officer wants to do with a reminder."""

    SUBMITTED = "submitted"  # "đã nộp", "xong", "đã họp ..." — log it as done
    SNOOZE = "snooze"  # "nhắc lại sau"
    HELP = "help"  # "hướng dẫn"


@dataclass(frozen=True, slots=True)
class DocumentReference:
    """An official document as cited in a reply ("123/BC-UBND" dated 10/9/2026), with what was
    wrong with it.

    ``number`` is None only when nothing like a number was typed. ``date`` only holds an accepted
    date: a bad or future one is dropped and reported in ``issues``. ``ok`` means both are there
    and sound, i.e. good enough to log as evidence.
    """

    number: str | None  # canonical: "123/BC-UBND", "19/2014/QĐ-TTg" (no "số", no spaces)
    date: dt.date | None = None
    issues: tuple[ParseIssue, ...] = ()

    @property
    def error(self) -> ParseIssue | None:
        """The first issue, for callers that report one thing at a time."""
        return self.issues[0] if self.issues else None

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True, slots=True)
class Intent:
    """What a free-text reply means. Unknown parts are None; the caller fills them from context
    (usually the reminder being answered)."""

    action: Action | None = None
    duty: str | None = None  # a duty-catalog key, e.g. "quarterly_report"
    quarter: int | None = None  # 1..4
    year: int | None = None
    document: DocumentReference | None = None  # only when a number was typed
    date: dt.date | None = None  # the document's date, or when the thing was done
    nonconformities: int | None = None
    snooze_days: int | None = None  # "nhắc lại sau 3 ngày" -> 3 (only for SNOOZE)
    issues: tuple[ParseIssue, ...] = ()

    @property
    def period_hint(self) -> str | None:
        """The period as typed ("Q3", "2026" or "Q3-2026"), for matching an obligation."""
        if self.quarter is not None and self.year is not None:
            return f"Q{self.quarter}-{self.year}"
        if self.quarter is not None:
            return f"Q{self.quarter}"
        if self.year is not None:
            return str(self.year)
        return None


class Choice(NamedTuple):
    """One numbered option shown where a messenger has no buttons (Zalo)."""

    choice_id: str
    label: str
    aliases: Sequence[str] = ()


# --------------------------------------------------------------------------------------------
# Folding
# --------------------------------------------------------------------------------------------

# "đ" has no decomposition in Unicode, so NFD would keep it. "ð" (Icelandic eth) is what legacy
# Vietnamese fonts (TCVN3/VNI) often turn "đ" into after a bad conversion.
_LETTER_MAP = str.maketrans({"đ": "d", "ð": "d"})
# Marks (Vietnamese tones and hats), enclosing marks (keycap "1️⃣") and invisible format
# characters (zero-width space, ZWJ) carry no meaning for matching what was typed.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def fold(text: str) -> str:
    """Lowercase, strip diacritics (đ -> d) and collapse whitespace: the form used for matching.

    >>> fold("Đã NỘP  báo cáo")
    'da nop bao cao'
    """
    lowered = unicodedata.normalize("NFC", text).lower().translate(_LETTER_MAP)
    decomposed = unicodedata.normalize("NFD", lowered)
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    return " ".join(kept.split())


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

# Accepted years. A wider range only lets typos through ("10/9/1026").
_MIN_YEAR, _MAX_YEAR = 1900, 2099

# d/m/yyyy, d-m-yyyy, d.m.yyyy, d/m/yy, d/m. Vietnamese order is always day first.
# The look-arounds keep "19/2014/..." (a document number) and "100/9" from being read as dates.
_NUMERIC_DATE_RE = re.compile(
    r"(?:\b(?P<ngay>ngay)\s*:?\s*)?"
    r"(?<![0-9/.\-])(?P<d>[0-9]{1,2})(?P<sep>[/.\-])(?P<m>[0-9]{1,2})"
    r"(?:(?P=sep)(?P<y>[0-9]{1,4}))?"
    r"(?![0-9])(?!(?P=sep)[0-9])"
)
# ISO 8601 and its slash/dot cousins, year first: 2026-09-10.
_ISO_DATE_RE = re.compile(
    r"(?<![0-9/.\-])(?P<y>[0-9]{4})(?P<sep>[\-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"(?![0-9])"
)
# Input vocabulary: "ngày 10 tháng 9 năm 2026", "mùng 5 tháng 10".
_WORDS_DATE_RE = re.compile(
    r"(?:\bngay\s+)?(?:\b(?:mung|mong)\s+)?\b(?P<d>[0-9]{1,2})\s+thang\s+(?P<m>[0-9]{1,2})\b"
    r"(?:\s*,?\s*nam\s+(?P<y>[0-9]{4})\b)?"
)
# Input vocabulary: "hôm nay" (today), "hôm qua" (yesterday).
_RELATIVE_DATE_RE = re.compile(r"\bhom\s+(?P<rel>nay|qua)\b")


class _DateHit(NamedTuple):
    start: int
    end: int
    value: dt.date | None  # None: it looked like a date but is not a valid one


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _find_dates(folded: str, today: dt.date) -> list[_DateHit]:
    """Every date expression in folded text, in order, without overlaps."""
    hits: list[_DateHit] = []
    for m in _NUMERIC_DATE_RE.finditer(folded):
        year_text = m["y"]
        if year_text is None:
            # "3-5" and "2.5" are ranges and decimals far more often than dates; "/" or a
            # preceding "ngày" makes a yearless date unambiguous.
            if m["sep"] != "/" and m["ngay"] is None:
                continue
            year = today.year  # a yearless date is taken in the current year (see module doc)
        elif len(year_text) == 4:
            year = int(year_text)
        elif len(year_text) == 2:
            year = 2000 + int(year_text)  # "10/9/26": phone shorthand for 2026
        elif m["sep"] == "/":
            year = -1  # "10/9/202": clearly meant as a date, clearly wrong -> bad_date
        else:
            continue
        value = _make_date(year, int(m["m"]), int(m["d"]))
        hits.append(_DateHit(m.start(), m.end(), value))
    for m in _ISO_DATE_RE.finditer(folded):
        hits.append(_DateHit(m.start(), m.end(), _make_date(int(m["y"]), int(m["m"]), int(m["d"]))))
    for m in _WORDS_DATE_RE.finditer(folded):
        year = int(m["y"]) if m["y"] else today.year
        hits.append(_DateHit(m.start(), m.end(), _make_date(year, int(m["m"]), int(m["d"]))))
    for m in _RELATIVE_DATE_RE.finditer(folded):
        value = today if m["rel"] == "nay" else today - dt.timedelta(days=1)
        hits.append(_DateHit(m.start(), m.end(), value))

    # Longest match first at equal starts, then drop anything overlapping an earlier hit.
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[_DateHit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def parse_date(text: str, *, today: dt.date) -> dt.date | None:
    """The first date in ``text``, or None if there is none or it is not a real date.

    Accepts "10/9/2026", "10-9-2026", "10.9.2026", "10/9/26", "10/9" (year of ``today``),
    "ngày 10 tháng 9 năm 2026", "2026-09-10", "hôm nay", "hôm qua". Day comes before month.
    Future dates are fine here (a deadline is in the future); :func:`parse_document_reference`
    is the one that rejects them.
    """
    hits = _find_dates(fold(text), today)
    return hits[0].value if hits else None


# --------------------------------------------------------------------------------------------
# Document numbers
# --------------------------------------------------------------------------------------------

# Official numbering (Decree 30/2020/NĐ-CP): "<seq>/<type>-<issuer>", "<seq>/<year>/<type>-<issuer>"
# or, for official letters, "<seq>/<issuer>-<office>". The symbol always starts with a letter,
# which is what tells "19/2014/QĐ-TTg" (a number) from "10/9/2026" (a date).
# Runs on NFC text, not folded text, to keep the letters as typed ("QĐ" stays "QĐ").
# "số"/"so" (input vocabulary: "number") is an optional prefix and is dropped.
_SYMBOL_CHAR = r"(?:[^\W_]|[&.])"
_NUMBER_RE = re.compile(
    r"(?<![\w/])(?:(?P<prefix>s[oố])\s*[:.]?\s*)?"
    r"(?P<seq>[0-9]{1,6})(?:/(?P<year>[0-9]{4}))?"
    rf"/(?P<symbol>[^\W\d_]{_SYMBOL_CHAR}*(?:-{_SYMBOL_CHAR}+)*)",
    re.IGNORECASE,
)
# Symbol segments whose official spelling is not all capitals ("TTg" = Thủ tướng Chính phủ).
_SYMBOL_SPELLING = {"TTG": "TTg"}

# Stands in for the document number in folded text, so later patterns cannot match across it
# and dates can be told apart as "after the number" or "before it". A private-use character.
_MARKER = "\ue000"


def _canonical_number(match: re.Match[str]) -> str:
    symbol = match["symbol"].rstrip(".&-")  # "123/BC-UBND." at the end of a sentence
    segments = [_SYMBOL_SPELLING.get(seg.upper(), seg.upper()) for seg in symbol.split("-")]
    year = f"/{match['year']}" if match["year"] else ""
    return f"{match['seq']}{year}/{'-'.join(segments)}"


def _pick_number(nfc: str) -> re.Match[str] | None:
    """The number introduced by "số" if there is one (a reply may also cite its legal basis),
    else the first number."""
    matches = list(_NUMBER_RE.finditer(nfc))
    for m in matches:
        if m["prefix"]:
            return m
    return matches[0] if matches else None


@dataclass(frozen=True, slots=True)
class _Scan:
    number: str | None
    date: _DateHit | None  # the date that goes with the reply
    rest: str  # folded text with the number and all dates taken out


def _scan(text: str, today: dt.date) -> _Scan:
    """Take the document number and dates out of ``text``; the rest is left for keywords."""
    nfc = unicodedata.normalize("NFC", text).replace(_MARKER, " ")
    number = None
    found = _pick_number(nfc)
    if found is not None:
        number = _canonical_number(found)
        nfc = f"{nfc[: found.start()]} {_MARKER} {nfc[found.end() :]}"
    folded = fold(nfc)
    hits = _find_dates(folded, today)
    # A date right after the number is its date ("123/BC-UBND ngày 10/9/2026"); otherwise the
    # first date anywhere ("ngày 10/9 đã gửi 123/BC-UBND").
    marker_at = folded.find(_MARKER)
    after = [h for h in hits if marker_at >= 0 and h.start > marker_at]
    chosen = after[0] if after else (hits[0] if hits else None)
    pieces, last = [], 0
    for hit in hits:
        pieces.append(folded[last : hit.start])
        last = hit.end
    pieces.append(folded[last:])
    return _Scan(number=number, date=chosen, rest=" ".join(" ".join(pieces).split()))


def _judge_date(
    hit: _DateHit | None, today: dt.date, *, allow_future: bool, required: bool = False
) -> tuple[dt.date | None, tuple[ParseIssue, ...]]:
    if hit is None:
        return None, (ParseIssue.MISSING_DATE,) if required else ()
    if hit.value is None:
        return None, (ParseIssue.BAD_DATE,)
    if hit.value > today and not allow_future:
        return None, (ParseIssue.FUTURE_DATE,)
    return hit.value, ()


def parse_document_reference(text: str, *, today: dt.date) -> DocumentReference:
    """Read "số 123/BC-UBND ngày 10/9/2026" and the many ways it is typed.

    Always returns a result; check ``error``/``issues``. The number keeps its letters as typed
    ("QĐ" or "QD"), upper-cased ("bc-ubnd" -> "BC-UBND", except official mixed-case parts such
    as "TTg"). A date without a year is in ``today``'s year. Issues, number first:
    ``missing_number``; then one of ``missing_date``, ``bad_date`` (31/2/2026) or
    ``future_date`` (after ``today``). Evidence needs both, so a missing date is an issue here.
    """
    scan = _scan(text, today)
    date, date_issues = _judge_date(scan.date, today, allow_future=False, required=True)
    issues = (() if scan.number else (ParseIssue.MISSING_NUMBER,)) + date_issues
    return DocumentReference(number=scan.number, date=date, issues=issues)


# --------------------------------------------------------------------------------------------
# Intents — all patterns below are input vocabulary, matched on folded text.
# --------------------------------------------------------------------------------------------

# "quy" starts many words that are not "quarter": quy trình, quy định, quy chế ...
_NOT_QUARTER = r"(?!\s*(?:trinh|dinh|che|hoach|pham|chuan|uoc|mo|tac|luat|trach)\b)"

# Duty-catalog keys (DOMAIN.md) and how officers name them. When several match, the one named
# first in the message wins: "đã khắc phục các điểm sau đánh giá nội bộ" is a corrective action.
_DUTY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("quarterly_report", rf"\b(?:bao cao|bc)\s*(?:quy\b{_NOT_QUARTER}|q\s*[1-4]\b)"),
        (
            "annual_report",
            r"\b(?:bao cao|bc)\s+(?:tong ket\s+|hang\s+)?nam\b|\bbao cao tinh hinh ap dung\b",
        ),
        ("internal_audit", r"\bdanh gia (?:chat luong )?noi bo\b|\bdgnb\b"),
        ("corrective_action", r"\bkhac phuc\b"),
        (
            "management_review",
            r"\bxem xet (?:cua )?(?:ban )?lanh dao\b|\bhop xem xet\b|\bxxld\b",
        ),
        (
            "legal_update",
            r"\bcap nhat\s+(?:(?:thay doi|sua doi|cac)\s+)?(?:van ban|vbqppl|vb|qppl)",
        ),
        ("self_check", r"\btu kiem tra\b"),
        ("quality_objectives", r"\bmuc tieu chat luong\b|\bmtcl\b"),
        ("training", r"\btap huan\b|\bdao tao\b|\bboi duong\b"),
        ("announcement", r"\bcong bo\b"),
        # "Ban chỉ đạo" is the steering committee, not a directive; "văn bản chỉ đạo" is one.
        ("directive", r"\bvan ban chi dao\b|(?<!\bban )\bchi dao\b"),
        ("giao_ban", r"\bgiao ban\b"),
    )
)
_QUARTERLY_REPORT = "quarterly_report"

_QUARTER_RE = re.compile(r"\bquy\s*[.:]?\s*(?P<n>[1-4])\b|\bq\s*\.?\s*(?P<q>[1-4])\b")
_QUARTER_ROMAN_RE = re.compile(r"\bquy\s+(?P<r>iv|iii|ii|i)\b")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_RELATIVE_RE = re.compile(r"\bquy\s+(?P<which>nay|hien tai|truoc|vua qua)\b")
# A bare 20xx is a year, but not the edition in "ISO 9001:2015".
_YEAR_RE = re.compile(r"(?<![0-9:])(?P<y>20[0-9]{2})(?![0-9])")
_YEAR_RELATIVE_RE = re.compile(r"\bnam\s+(?P<which>nay|truoc|ngoai)\b")

# Verbs that say "it is done" after "đã" (already), or before "rồi".
_DONE_VERBS = (
    r"(?:nop|gui|hoan thanh|hoan tat|thuc hien|xong|hop|to chuc|ban hanh|cap nhat|khac phuc"
    r"|danh gia|tap huan|dao tao|boi duong|cong bo|trien khai|tu kiem tra|kiem tra|lam|trinh"
    r"|bao cao|xay dung)"
)
# "chưa nộp" (not yet), "không thực hiện", "sẽ gửi" (will send), "sắp xong" (almost): not done.
_NOT_DONE_RE = re.compile(rf"\b(?:chua|khong|chang|se|sap)\s+(?:duoc\s+|kip\s+)?{_DONE_VERBS}\b")
_SUBMITTED_RE = re.compile(
    rf"\bda\s+{_DONE_VERBS}\b|\b{_DONE_VERBS}\s+roi\b"
    r"|\b(?:nop|gui|xong|hoan thanh|hoan tat|done)\b|[✅✔☑]"
)
_SNOOZE_RE = re.compile(
    r"\bnhac\s+(?:lai|sau|toi)\b|\bnhac\s+(?:\w+\s+){1,2}sau\b|\bde\s+sau\b|\btam\s+hoan\b"
    r"|\bhoan\s+lai\b|\bluc\s+khac\b|\bsnooze\b|\blater\b"
)
_HELP_RE = re.compile(r"\bhuong\s+dan\b|\btro\s+giup\b|\bgiup\b|\bhelp\b|\bhdsd\b|^\?+$")
# Earlier in the message wins; on a tie, help beats snooze beats submitted.
_ACTION_PATTERNS = (
    (Action.HELP, _HELP_RE),
    (Action.SNOOZE, _SNOOZE_RE),
    (Action.SUBMITTED, _SUBMITTED_RE),
)

_SNOOZE_AFTER_RE = re.compile(r"\bsau\s+(?P<n>[0-9]{1,3})\s+(?P<unit>ngay|tuan|thang)\b")
_SNOOZE_UNIT_DAYS = {"ngay": 1, "tuan": 7, "thang": 30}
_SNOOZE_TOMORROW_RE = re.compile(r"\b(?:ngay\s+)?mai\b")
_SNOOZE_NEXT_WEEK_RE = re.compile(r"\btuan\s+(?:sau|toi)\b")

# "không phù hợp" = nonconformity; "KPH" and "NC" are the short forms used in audit reports.
_NC_NOUN = r"(?:(?:khong|chua)\s+phu\s+hop|kph|ncs?)\b"
_NC_NONE_RE = re.compile(
    rf"\bkhong\s+(?:co|phat\s+hien|ghi\s+nhan|thay|con)\s+(?:(?:diem|loi)\s+)?{_NC_NOUN}"
)
_NC_COUNT_RE = re.compile(rf"(?<![0-9/.\-])\b(?P<n>[0-9]{{1,3}})\s*(?:diem\s+)?{_NC_NOUN}")
_NC_LABEL_RE = re.compile(rf"\b{_NC_NOUN}\s*[:=]\s*(?P<n>[0-9]{{1,3}})\b")
_NC_WORD_RE = re.compile(
    rf"\b(?P<w>mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi)\s+diem\s+{_NC_NOUN}"
)
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5,
    "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10,
}  # fmt: skip


def _earliest(text: str, patterns: Iterable[tuple[str, re.Pattern[str]]]) -> str | None:
    best: tuple[int, int, str] | None = None
    for rank, (key, pattern) in enumerate(patterns):
        m = pattern.search(text)
        if m and (best is None or (m.start(), rank) < best[:2]):
            best = (m.start(), rank, key)
    return best[2] if best else None


def _detect_action(text: str) -> Action | None:
    # Negated verbs are blanked out first so "chưa nộp" cannot read as "nộp".
    text = _NOT_DONE_RE.sub(lambda m: " " * len(m.group()), text)
    found = _earliest(text, _ACTION_PATTERNS)
    return Action(found) if found else None


def _detect_period(text: str, today: dt.date) -> tuple[int | None, int | None]:
    quarter = year = None
    digit, roman = _QUARTER_RE.search(text), _QUARTER_ROMAN_RE.search(text)
    if digit and (roman is None or digit.start() <= roman.start()):
        quarter = int(digit["n"] or digit["q"])
    elif roman:
        quarter = _ROMAN[roman["r"]]
    elif rel := _QUARTER_RELATIVE_RE.search(text):
        current = (today.month - 1) // 3 + 1
        if rel["which"] in ("nay", "hien tai"):
            quarter, year = current, today.year
        else:
            quarter, year = (current - 1, today.year) if current > 1 else (4, today.year - 1)
    if m := _YEAR_RE.search(text):
        year = int(m["y"])  # an explicit year beats one implied by "quý trước"
    elif rel := _YEAR_RELATIVE_RE.search(text):
        year = today.year if rel["which"] == "nay" else today.year - 1
    return quarter, year


def _detect_nonconformities(text: str) -> int | None:
    if _NC_NONE_RE.search(text):
        return 0
    found = [m for m in (_NC_COUNT_RE.search(text), _NC_LABEL_RE.search(text)) if m]
    if found:
        return int(min(found, key=lambda m: m.start())["n"])
    if m := _NC_WORD_RE.search(text):
        return _NUMBER_WORDS[m["w"]]
    return None


def _detect_snooze_days(text: str) -> int | None:
    if m := _SNOOZE_AFTER_RE.search(text):
        return int(m["n"]) * _SNOOZE_UNIT_DAYS[m["unit"]]
    if _SNOOZE_NEXT_WEEK_RE.search(text):
        return 7
    if _SNOOZE_TOMORROW_RE.search(text):
        return 1
    return None


def parse_intent(text: str, *, today: dt.date) -> Intent | None:
    """Understand a free-text reply; None if nothing in it is recognised.

    "da nop bao cao quy 3 so 123/BC-UBND ngay 5/10/2026" -> submitted, quarterly_report, Q3,
    document 123/BC-UBND dated 2026-10-05. A quarter with no other duty named means the
    quarterly report (the only quarterly duty). A date after ``today`` is a ``future_date``
    issue, except when snoozing ("nhắc lại ngày 15/10" asks for a future day). A document
    number gives ``document``, which carries its own issues (e.g. ``missing_date``).
    """
    scan = _scan(text, today)
    rest = scan.rest
    action = _detect_action(rest)
    duty = _earliest(rest, _DUTY_PATTERNS)
    quarter, year = _detect_period(rest, today)
    if duty is None and quarter is not None:
        duty = _QUARTERLY_REPORT
    date, issues = _judge_date(scan.date, today, allow_future=action is Action.SNOOZE)
    document = None
    if scan.number:
        # The document carries its own verdict (a missing date is an issue for evidence);
        # the intent's issues only cover dates that were typed and are wrong.
        _, doc_issues = _judge_date(scan.date, today, allow_future=False, required=True)
        document = DocumentReference(scan.number, date if not doc_issues else None, doc_issues)
    intent = Intent(
        action=action,
        duty=duty,
        quarter=quarter,
        year=year,
        document=document,
        date=date,
        nonconformities=_detect_nonconformities(rest),
        snooze_days=_detect_snooze_days(rest) if action is Action.SNOOZE else None,
        issues=issues,
    )
    return None if intent == Intent() else intent


# --------------------------------------------------------------------------------------------
# Numbered choices (Zalo has no buttons)
# --------------------------------------------------------------------------------------------

# Punctuation people wrap an answer in: "1.", "(2)", "đã nộp!".
_ANSWER_PUNCTUATION = " \t\r\n.,;:!?\"'()[]{}<>*-_"
# "1", "#1", "số 1" (input vocabulary). A keycap emoji "1️⃣" folds to "1".
_CHOICE_NUMBER_RE = re.compile(r"(?:so\s*|#\s*)?(?P<n>[0-9]{1,3})")


def _answer_key(text: str, *, keep_marks: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    text = " ".join(text.lower().split()) if keep_marks else fold(text)
    # An answer made only of punctuation ("?") is itself the answer.
    return text.strip(_ANSWER_PUNCTUATION) or text


# What people type instead of a choice's number or label, by the choice's action (the part of
# its id before ":"), so "da nop" answers a reminder whatever language its labels are in.
_CHOICE_WORDS: dict[str, tuple[str, ...]] = {
    "done": ("da nop", "nop roi", "da nop roi", "xong", "da xong", "hoan thanh", "da hoan thanh"),
    "later": ("nhac lai sau", "nhac sau", "de sau"),
    "guide": ("huong dan", "xem huong dan"),
    "skip": ("bo qua", "khong co"),
    "confirm": ("xac nhan", "dong y", "ok"),
    "cancel": ("huy bo",),
}


def choice_aliases(choice_id: str) -> tuple[str, ...]:
    """Words that pick the choice ``choice_id`` besides its label (for :func:`match_choice`)."""
    return _CHOICE_WORDS.get(choice_id.partition(":")[0], ())


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


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Splitting long messages
# --------------------------------------------------------------------------------------------

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
