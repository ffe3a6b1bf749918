"""The fields of an administrative document read from its text, laid out as Decree
30/2020/NĐ-CP says: the organ heading, "Số: 1699/UBND-TH", "An Giang, ngày 02 tháng 12 năm
2024", "V/v …" (or the type's name and its subject), "Kính gửi:", the body with its deadline,
"Nơi nhận:".

Matching is done on folded lines (lower case, no diacritics), so a document typed without
diacritics reads the same; what is kept (number, subject, names) is kept as written.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

from jobs.text.folding import fold


class Problem(StrEnum):
    """What a document lacks (a code; the caller words it in the reader's language)."""

    NO_NUMBER = "no_number"
    NO_DATE = "no_date"
    BAD_DATE = "bad_date"  # written like a date, but no such day (31 tháng 2)
    NO_SUBJECT = "no_subject"


@dataclass(frozen=True)
class Deadline:
    """A deadline as the document words it: a day, or a whole month ("hoàn thành trong tháng
    12") whose last working day it means."""

    day: dt.date
    whole_month: bool = False


@dataclass(frozen=True)
class DocumentFields:
    """What a document says about itself, before anything is matched to units."""

    number: str | None = None
    date: dt.date | None = None
    subject: str | None = None
    kind: str | None = None  # its type as written: "Công văn", "Quyết định", "Kế hoạch" …
    issuer_lines: tuple[str, ...] = ()  # the organ heading, line by line ("ỦY BAN NHÂN DÂN", …)
    place: str | None = None  # "An Giang" of "An Giang, ngày …"
    deadline: Deadline | None = None
    effective: dt.date | None = None  # "có hiệu lực từ ngày …" (legal documents)
    recipients: tuple[str, ...] = ()  # "Kính gửi" and "Nơi nhận" lines, as written
    text: str = ""
    problems: tuple[Problem, ...] = field(default_factory=tuple)


_MARKUP = re.compile(r"[*_#>`]+")
_NUMBER_LINE = re.compile(r"^so\s*[:.]?\s*[0-9]")
_NUMBER_AFTER = re.compile(r"^\s*s[ốo]\s*[:.]?\s*", re.IGNORECASE)
_PLACE_DATE = re.compile(
    r",?\s*ngay\s+(?P<d>\d{1,2})\s*(?:thang\s+|[/.\-]\s*)(?P<m>\d{1,2})"
    r"\s*(?:nam\s+|[/.\-]\s*)(?P<y>\d{4})")
_HEADING_END = re.compile(r"cong hoa xa hoi|doc lap\s*-")
_TWO_COLUMNS = re.compile(r"\s{3,}|\t|(?=C[ỘO]NG H[ÒO]A)|(?=Độc lập)|(?=ĐỘC LẬP)", re.IGNORECASE)
_SUBJECT = re.compile(r"^\s*v\s*/\s*v\s*[:.]?\s*", re.IGNORECASE)
_TYPE_NAMES = ("cong van", "quyet dinh", "ke hoach", "thong bao", "chi thi", "nghi dinh",
               "thong tu", "nghi quyet", "huong dan", "bao cao", "to trinh")
_GREETING = re.compile(r"^kinh gui\s*[:.]?\s*")
_RECEIVERS = re.compile(r"^noi nhan\s*[:.]?\s*")
_BULLET = re.compile(r"^\s*[-–+•·*]\s*")
_DATE = (r"(?P<d>\d{1,2})\s*(?:[/.\-]\s*(?P<m>\d{1,2})(?:\s*[/.\-]\s*(?P<y>\d{4}))?"
         r"|\s+thang\s+(?P<mw>\d{1,2})(?:\s*,?\s*nam\s+(?P<yw>\d{4}))?)")
_DEADLINE = re.compile(
    r"\b(?:truoc|cham nhat(?: la)?(?: vao)?|han chot(?: la)?|han cuoi(?: la)?|"
    r"khong muon hon|khong qua|han nop(?: la)?)\s+(?:ngay\s+)?" + _DATE)
_MONTH_DEADLINE = re.compile(
    r"\b(?:hoan thanh|hoan tat|thuc hien xong)(?:\s+\S+){0,8}?\s+(?:truoc|trong)\s+thang\s+"
    r"(?P<m>\d{1,2})(?:\s*(?:/|nam)\s*(?P<y>\d{4}))?")
_EFFECTIVE = re.compile(r"co hieu luc(?: thi hanh)?(?: ke)?\s+tu\s+ngay\s+(?:" + _DATE
                        + r"|(?P<signed>ky))")


def clean_lines(text: str) -> list[str]:
    """The text's lines without markdown emphasis and surrounding blanks."""
    return [_MARKUP.sub("", line).strip() for line in text.replace("\r", "\n").split("\n")]


def read_fields(text: str) -> DocumentFields:
    """Every field the text states; what it lacks is listed in ``problems``."""
    lines = clean_lines(text)
    folded = [fold(line) for line in lines]
    number_at = next((i for i, f in enumerate(folded) if _NUMBER_LINE.match(f)), None)
    number = _number(lines[number_at]) if number_at is not None else None
    date_at, date, place = _promulgation(lines, folded)
    body = " ".join(folded)
    deadline = _deadline(body, date)
    effective = _effective(body, date)
    heading_end = min(i for i in (number_at, date_at, len(lines)) if i is not None)
    subject, kind = _subject(lines, folded, heading_end)
    problems = [p for p, missing in ((Problem.NO_NUMBER, number is None),
                                     (Problem.NO_SUBJECT, subject is None)) if missing]
    if date is None:
        problems.append(Problem.BAD_DATE if date_at is not None else Problem.NO_DATE)
    return DocumentFields(number=number, date=date, subject=subject, kind=kind,
                          issuer_lines=_heading(lines[:heading_end]), place=place,
                          deadline=deadline, effective=effective,
                          recipients=_recipients(lines, folded), text=text,
                          problems=tuple(problems))


def _number(line: str) -> str | None:
    written = _NUMBER_AFTER.sub("", line)
    written = re.sub(r"\s*([/\-])\s*", r"\1", written).split()
    number = written[0].rstrip(".,;") if written else ""
    return number if "/" in number and any(c.isdigit() for c in number) else None


def _promulgation(lines: list[str], folded: list[str]
                  ) -> tuple[int | None, dt.date | None, str | None]:
    """Where the "Place, ngày …" line is, its date (None when no such day) and place."""
    for i, line in enumerate(folded):
        found = _PLACE_DATE.search(line)
        if found and "," in line[:found.start() + 1]:
            place = lines[i].split(",")[0].strip()
            if "số" in place.lower() or re.search(r"\d", place):  # "Số: 1/UBND  An Giang"
                place = _TWO_COLUMNS.split(place)[-1].strip()
            return i, _day(found["y"], found["m"], found["d"]), place or None
    return None, None, None


def _day(year: str | int, month: str | int, day: str | int) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _dated(found: re.Match[str], issued: dt.date | None) -> dt.date | None:
    """The date a deadline pattern matched; a missing year is the first after ``issued``."""
    month = found["m"] or found["mw"]
    year = found["y"] or found["yw"]
    if year:
        return _day(year, month, found["d"])
    if issued is None:
        return None
    base = issued
    day = _day(base.year, month, found["d"])
    if day is not None and day < base:
        day = _day(base.year + 1, month, found["d"])
    return day


def _deadline(body: str, issued: dt.date | None) -> Deadline | None:
    found = _DEADLINE.search(body)
    month = _MONTH_DEADLINE.search(body)
    if month and (not found or month.start() < found.start()):
        year = int(month["y"]) if month["y"] else (issued.year if issued else None)
        if year is None or not 1 <= int(month["m"]) <= 12:
            return None
        last = month_calendar.monthrange(year, int(month["m"]))[1]
        return Deadline(dt.date(year, int(month["m"]), last), whole_month=True)
    day = _dated(found, issued) if found else None
    return Deadline(day) if day else None


def _effective(body: str, issued: dt.date | None) -> dt.date | None:
    found = _EFFECTIVE.search(body)
    if found is None:
        return None
    return issued if found["signed"] else _dated(found, issued)


def _heading(lines: list[str]) -> tuple[str, ...]:
    """The organ heading: the lines above the number, without the national motto."""
    kept = []
    for line in lines:
        part = _TWO_COLUMNS.split(line)[0].strip() if line else ""
        if not part or _HEADING_END.search(fold(part)) or set(part) <= set("-_–= "):
            continue
        kept.append(part)
    return tuple(kept)


def _subject(lines: list[str], folded: list[str], after: int) -> tuple[str | None, str | None]:
    """The subject ("V/v …", or what follows the type's name) and the document's type."""
    for i, line in enumerate(lines[after:], after):
        if _SUBJECT.match(line):
            return _paragraph([_SUBJECT.sub("", line), *lines[i + 1:]]), "Công văn"
        name = folded[i].strip(" .:")
        if name in _TYPE_NAMES and i + 1 < len(lines):
            subject = _paragraph(lines[i + 1:])
            if subject:
                subject = re.sub(r"^(?:V|v)ề việc\s+", "", subject)
            return subject, line.strip(" .:").capitalize()
        if _GREETING.match(folded[i]):
            break
    return None, None


def _paragraph(lines: list[str]) -> str | None:
    """The lines up to the first blank one (or "Kính gửi"), joined."""
    kept: list[str] = []
    for line in lines:
        if (not line and kept) or _GREETING.match(fold(line)):
            break
        if line:
            kept.append(line)
    return " ".join(kept) or None


def _recipients(lines: list[str], folded: list[str]) -> tuple[str, ...]:
    """The "Kính gửi" lines, then the "Nơi nhận" ones, without bullets and final punctuation."""
    found: list[str] = []
    for i, line in enumerate(folded):
        opener = _GREETING.match(line) or _RECEIVERS.match(line)
        if not opener:
            continue
        first = lines[i][len(lines[i]) - len(lines[i].lstrip()):]
        rest = re.sub(r"^[^:]*:\s*", "", first) if ":" in first else ""
        listed = [rest] if rest else []
        for following in lines[i + 1:]:
            if not following:
                if listed:
                    break
                continue
            if _BULLET.match(following):
                listed.append(_BULLET.sub("", following))
                continue
            if not listed:  # one recipient on the line below "Kính gửi:"
                listed.append(following)
            break
        found.extend(item.strip().rstrip(";,.").strip() for item in listed)
    return tuple(item for item in found if item)
