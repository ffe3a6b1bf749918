"""What a free-text reply means: done, snooze or help, which duty, which period.

All patterns below are input vocabulary, matched on folded text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from bot.parsing.references import (
    DocumentReference,
    ParseIssue,
    judge_date,
    number_issues,
    scan_reply,
)
from jobs.text.folding import fold


class Action(StrEnum):
    """What the officer wants to do with a reminder."""

    SUBMITTED = "submitted"  # "đã nộp", "xong", "đã họp ..." — log it as done
    CORRECT = "correct"  # "sửa biên nhận ISO-2026-000002", "nhập nhầm số văn bản" — fix a record
    SNOOZE = "snooze"  # "nhắc lại sau"
    HELP = "help"  # "hướng dẫn"
    GREETING = "greeting"  # "xin chào", "chào anh"
    WHEN = "when"  # "hạn nộp báo cáo quý là khi nào?": a question about a deadline


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
    receipt: str | None = None  # a receipt reference typed, "ISO-2026-000002"
    fix: str | None = None  # what a CORRECT says was wrong: document, file, count (or None)

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



# "quy" starts many words that are not "quý" (quarter) once diacritics are gone: quy trình,
# quy định, quy chế ... Such a "quy" is glued to the syllable after it before duties are looked
# for, so "báo cáo quy trình" cannot read as "báo cáo quý".
_NOT_QUARTER_RE = re.compile(
    r"\bquy\s+(?=(?:trinh|dinh|che|hoach|pham|chuan|uoc|mo|tac|luat|trach)\b)"
)
# Names that contain a duty's words but are not the duty: "Ban chỉ đạo ISO" is the steering
# committee, to which reports are sent, not a directive ("văn bản chỉ đạo").
_NOT_DUTY_NAMES = ("ban chi dao",)


@dataclass(frozen=True)
class DutyWords:
    """How officers name each duty: the catalog's ``aliases``, in catalog order.

    ``names`` pairs each duty key with its aliases; ``by_quarter`` is the duty that a quarter
    named alone means ("quý 3 đã nộp"): the first quarterly duty of the catalog, which in the
    packaged catalog is the quarterly report.
    """

    names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by_quarter: str | None = None

    @classmethod
    def of(cls, duties: Iterable[object]) -> DutyWords:
        """The words of catalog duties (anything with ``key``, ``aliases`` and ``cadence``)."""
        duties = list(duties)
        quarterly = [d.key for d in duties if d.cadence == "quarterly"]
        return cls(tuple((d.key, tuple(d.aliases)) for d in duties),
                   quarterly[0] if quarterly else None)

    @cached_property
    def _phrases(self) -> dict[str, str | None]:
        owners: dict[str, str | None] = {name: None for name in _NOT_DUTY_NAMES}
        for key, aliases in self.names:
            for alias in aliases:
                owners.setdefault(fold(alias), key)
        return {phrase: key for phrase, key in owners.items() if phrase}

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        # Longest first: at one place in the text the longest phrase wins ("văn bản chỉ đạo"
        # over "ban chỉ đạo"), and the search runs left to right, so the duty named first wins.
        phrases = sorted(self._phrases, key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(map(re.escape, phrases)) + r")\b"
                          if phrases else r"(?!)")

    def find(self, folded: str) -> str | None:
        """The duty named first in folded text, or None."""
        folded = _NOT_QUARTER_RE.sub("quy_", folded)
        for match in self._pattern.finditer(folded):
            key = self._phrases[match.group()]
            if key is not None:
                return key
        return None


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
# Said outright: "đã nộp", "gửi rồi". A long text must say so to be read as a report.
_SAID_DONE_RE = re.compile(rf"\bda\s+{_DONE_VERBS}\b|\b{_DONE_VERBS}\s+roi\b")
# Characters past which a reply is a pasted text (a notice, a letter), not a line typed as a
# report: its "gửi" or "nộp" asks others to do something far more often than it reports.
PASTED_TEXT = 200
_SNOOZE_RE = re.compile(
    r"\bnhac\s+(?:lai|sau|toi)\b|\bnhac\s+(?:\w+\s+){1,2}sau\b|\bde\s+sau\b|\btam\s+hoan\b"
    r"|\bhoan\s+lai\b|\bluc\s+khac\b|\bsnooze\b|\blater\b"
)
# Saying a record is wrong: "sửa lại", "sửa biên nhận", "nhập nhầm", "sai số", "đính chính".
# A bare "sửa" is not enough: "đã sửa quy trình" reports a procedure amended (a legal update),
# and "sửa đổi" is part of duty names.
_CORRECT_RE = re.compile(
    r"^sua\b(?!\s+doi)"
    r"|\bsua\s+(?:lai|bien\s+nhan|so|ngay|thong\s+tin|ban\s+ghi|giup|ho|file|tep)\b"
    r"|\b(?:nhap|ghi|gui|go|danh|nop)\s+(?:nham|sai)\b|\b(?:sai|nham)\s+(?:so|ngay|file|tep)\b"
    r"|\bdinh\s+chinh\b|\bcorrect(?:ion)?\b"
)
# A greeting on its own (a report may start with "chào anh, đã nộp ...": that is a report).
_GREETING_RE = re.compile(r"^(?:xin\s+)?chao\b|^(?:hello|hi|alo)\b")
_THANKS_RE = re.compile(r"^(?:xin\s+|em\s+|toi\s+)?(?:cam\s+on|thank|thanks|thx|tks)\b")
# Asking when something is due: "khi nào", "bao giờ", "ngày nào", or "hạn …?".
_WHEN_RE = re.compile(r"\b(?:khi\s+nao|bao\s+gio|luc\s+nao|ngay\s+nao|when)\b"
                      r"|\b(?:han|deadline)\b.*\?")
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
# What a correction says was wrong, by the words used, in order of precedence.
_FIX_WORDS = (
    ("count", re.compile(rf"\b{_NC_NOUN}")),
    ("file", re.compile(r"\b(?:file|tep|anh|hinh|anh\s+chup|tai\s+lieu\s+dinh\s+kem)\b")),
    ("document", re.compile(r"\b(?:so|ngay|so\s+van\s+ban|so\s+hieu|van\s+ban)\b")),
)
# A receipt as the bot writes it: "ISO-2026-000002" (zeros may be left out when typed).
_RECEIPT_RE = re.compile(r"\biso\s*-\s*(?P<year>[0-9]{4})\s*-\s*(?P<n>[0-9]{1,9})\b",
                         re.IGNORECASE)
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
    # Saying something was entered wrongly is a correction, wherever it stands ("đã nộp nhầm số").
    if _CORRECT_RE.search(text):
        return Action.CORRECT
    # A question about a deadline names the duty and "nộp", but reports nothing.
    if _WHEN_RE.search(text):
        return Action.WHEN
    # Negated verbs are blanked out first so "chưa nộp" cannot read as "nộp".
    text = _NOT_DONE_RE.sub(lambda m: " " * len(m.group()), text)
    found = _earliest(text, _ACTION_PATTERNS)
    if found is None and _GREETING_RE.search(text):
        return Action.GREETING
    return Action(found) if found else None


def is_courtesy(text: str) -> bool:
    """Thanks ("cảm ơn") or an emoji alone ("👍", "🙏🙏"): nothing to do, only to answer."""
    folded = fold(text)
    return bool(_THANKS_RE.search(folded)) or (
        bool(folded) and not any(ch.isalnum() or ch == "?" for ch in folded))


def _pasted(text: str) -> bool:
    """A long text that never says outright that something was done."""
    return len(text) > PASTED_TEXT \
        and not _SAID_DONE_RE.search(_NOT_DONE_RE.sub(" ", text))


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


def receipt_reference(text: str) -> str | None:
    """The receipt reference in ``text``, written as the bot writes it ("ISO-2026-000002")."""
    m = _RECEIPT_RE.search(text)
    return f"ISO-{m['year']}-{int(m['n']):06d}" if m else None


def _detect_fix(text: str) -> str | None:
    return next((field for field, pattern in _FIX_WORDS if pattern.search(text)), None)


def parse_intent(text: str, *, today: dt.date, duties: DutyWords) -> Intent | None:
    """Understand a free-text reply; None if nothing in it is recognised.

    "da nop bao cao quy 3 so 123/BC-UBND ngay 5/10/2026" -> submitted, quarterly_report, Q3,
    document 123/BC-UBND dated 2026-10-05. ``duties`` says how each duty is named; a quarter
    with no duty named means ``duties.by_quarter``. A date after ``today`` is a ``future_date``
    issue, except when snoozing ("nhắc lại ngày 15/10" asks for a future day). A document
    number gives ``document``, which carries its own issues (e.g. ``missing_date``).
    """
    receipt = receipt_reference(text)
    scan = scan_reply(_RECEIPT_RE.sub(" ", text), today)
    rest = scan.rest
    action = _detect_action(rest)
    if _pasted(rest) and action in (Action.SUBMITTED, None) and not scan.number:
        return None
    duty = duties.find(rest)
    quarter, year = _detect_period(rest, today)
    if duty is None and quarter is not None:
        duty = duties.by_quarter
    date, issues = judge_date(scan.date, today, allow_future=action is Action.SNOOZE)
    document = None
    if scan.number:
        # The document carries its own verdict (a missing date is an issue for evidence);
        # the intent's issues only cover dates that were typed and are wrong.
        _, doc_issues = judge_date(scan.date, today, allow_future=False, required=True)
        document = DocumentReference(scan.number, date if not doc_issues else None,
                                     number_issues(scan.number) + doc_issues)
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
        receipt=receipt,
        fix=_detect_fix(rest) if action is Action.CORRECT else None,
    )
    return None if intent == Intent() else intent
