"""Dates and official document numbers as officers type them ("số 123/BC-UBND ngày 10/9/2026")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from jobs.text.folding import fold


class ParseIssue(StrEnum):
    """Why a reply could not be taken as typed (a code; the caller words the message)."""

    MISSING_NUMBER = "missing_number"
    LONG_NUMBER = "long_number"  # longer than a document number can be stored (Event)
    MISSING_DATE = "missing_date"  # a document reference without any date
    BAD_DATE = "bad_date"  # looks like a date but is not one: 31/2/2026, 10/13/2026, 10/9/202
    FUTURE_DATE = "future_date"  # a real date after ``today``; a done thing cannot be dated later


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


#: Event.document_number: what a stored document number can hold.
MAX_DOCUMENT_NUMBER = 128


def number_issues(number: str | None) -> tuple[ParseIssue, ...]:
    """What is wrong with a document number as read: none typed, or too long to keep."""
    if not number:
        return (ParseIssue.MISSING_NUMBER,)
    return (ParseIssue.LONG_NUMBER,) if len(number) > MAX_DOCUMENT_NUMBER else ()


# -- dates ------------------------------------------------------------------------------------

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


class DateHit(NamedTuple):
    """Something dated in a folded reply: where it stands, and the date it names."""

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


def _find_dates(folded: str, today: dt.date) -> list[DateHit]:
    """Every date expression in folded text, in order, without overlaps."""
    hits: list[DateHit] = []
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
        hits.append(DateHit(m.start(), m.end(), value))
    for m in _ISO_DATE_RE.finditer(folded):
        hits.append(DateHit(m.start(), m.end(), _make_date(int(m["y"]), int(m["m"]), int(m["d"]))))
    for m in _WORDS_DATE_RE.finditer(folded):
        year = int(m["y"]) if m["y"] else today.year
        hits.append(DateHit(m.start(), m.end(), _make_date(year, int(m["m"]), int(m["d"]))))
    for m in _RELATIVE_DATE_RE.finditer(folded):
        value = today if m["rel"] == "nay" else today - dt.timedelta(days=1)
        hits.append(DateHit(m.start(), m.end(), value))

    # Longest match first at equal starts, then drop anything overlapping an earlier hit.
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[DateHit] = []
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


# -- document numbers -------------------------------------------------------------------------

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


def parse_document_number(text: str) -> str | None:
    """An official number typed on its own ("1699/UBND-TH", "Số: 1699 /UBND-TH",
    "19/2014/qđ-ttg"), written canonically; None when ``text`` is anything else."""
    nfc = re.sub(r"\s*/\s*", "/", unicodedata.normalize("NFC", text).strip())
    found = _NUMBER_RE.fullmatch(nfc)
    return _canonical_number(found) if found else None


def _pick_number(nfc: str) -> re.Match[str] | None:
    """The number introduced by "số" if there is one (a reply may also cite its legal basis),
    else the first number."""
    matches = list(_NUMBER_RE.finditer(nfc))
    for m in matches:
        if m["prefix"]:
            return m
    return matches[0] if matches else None


@dataclass(frozen=True, slots=True)
class ReplyScan:
    """A reply taken apart: its document number, its date, and the words left over."""

    number: str | None
    date: DateHit | None  # the date that goes with the reply
    rest: str  # folded text with the number and all dates taken out


def scan_reply(text: str, today: dt.date) -> ReplyScan:
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
    return ReplyScan(number=number, date=chosen, rest=" ".join(" ".join(pieces).split()))


def judge_date(
    hit: DateHit | None, today: dt.date, *, allow_future: bool, required: bool = False
) -> tuple[dt.date | None, tuple[ParseIssue, ...]]:
    """The date ``hit`` names if it may stand, else what is wrong: none given (an issue only
    when ``required``), no real date, or after ``today`` (unless ``allow_future``)."""
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
    ``missing_number`` or ``long_number``; then one of ``missing_date``, ``bad_date`` (31/2/2026) or
    ``future_date`` (after ``today``). Evidence needs both, so a missing date is an issue here.
    """
    scan = scan_reply(text, today)
    date, date_issues = judge_date(scan.date, today, allow_future=False, required=True)
    return DocumentReference(number=scan.number, date=date,
                             issues=number_issues(scan.number) + date_issues)


# -- date ranges ------------------------------------------------------------------------------

# Words around a range of dates ("từ 10/12 đến 20/12", "10/12 - 20/12") (input vocabulary).
_RANGE_WORDS_RE = re.compile(r"(?:^|\s)(?:tu|den|toi|het|ngay|-|–|—|>|->|=>|to|from|until)(?=\s|$)")
_RANGE_DASH_RE = re.compile(r"(?<=[0-9])\s*[-–—]\s*(?=[0-9]{1,2}[/.])")
_EXPLICIT_YEAR_RE = re.compile(r"[0-9]{1,2}\s*[/.\-]\s*[0-9]{1,2}\s*[/.\-]\s*[0-9]{2,4}|nam")


@dataclass(frozen=True, slots=True)
class DateRange:
    """Two dates typed as a range (or one date: a single day), and the words left over."""

    start: dt.date | None
    end: dt.date | None
    rest: str  # folded, without the dates and the words that join them
    bad: bool = False  # a date that is not a real one (31/2)


def parse_date_range(text: str, *, today: dt.date) -> DateRange:
    """"10/12 - 20/12 Minh" -> 10/12 to 20/12 of this year, rest "minh".

    A range typed without years that would end before ``today`` is taken in the next year
    ("05/01 - 10/01" typed in December); an end before the start without a year, likewise.
    """
    # "10/12-20/12": the dash joins two dates; spaced out so that each is read on its own.
    folded = _RANGE_DASH_RE.sub(" - ", fold(unicodedata.normalize("NFC", text)))
    hits = _find_dates(folded, today)[:2]
    rest = folded
    for hit in reversed(hits):
        rest = f"{rest[: hit.start]} {rest[hit.end :]}"
    rest = " ".join(_RANGE_WORDS_RE.sub(" ", f" {rest} ").split())
    if not hits:
        return DateRange(None, None, rest)
    if any(h.value is None for h in hits):
        return DateRange(None, None, rest, bad=True)
    explicit = [bool(_EXPLICIT_YEAR_RE.search(folded[h.start:h.end])) for h in hits]
    start, end = hits[0].value, hits[-1].value
    if end < start and not explicit[-1]:
        end = _next_year(end)
    if end < today and not any(explicit):
        start, end = _next_year(start), _next_year(end)
    return DateRange(start, end, rest)


def _next_year(day: dt.date) -> dt.date:
    return day.replace(year=day.year + 1) if (day.month, day.day) != (2, 29) else day
