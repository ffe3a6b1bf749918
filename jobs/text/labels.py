"""How people name an obligation: its period as Vietnamese write it, never a database id. Pure.

An obligation's ``period`` is a stable key for software (``2026-Q4``, ``2026-12``, ``CD-12``,
``VB-3``, ``T-5``, ``built-2026-03-01``, ``2026-NC1``): CSV exports keep it. Everything a person
reads — a message, a spreadsheet cell, a calendar entry — names it instead:

=====================  ===============================================================
period                 read as
=====================  ===============================================================
``2026``               năm 2026
``2026-Q4``            quý 4/2026
``2026-12``            tháng 12/2026
``CD-12`` (directive)  its official number and short title (``1699/UBND-TH: Gửi hồ sơ…``);
                       without a number, its short title (the first words of its text)
``VB-3`` (legal doc.)  the document's number (``18/2020/NĐ-CP``)
``T-5`` (training)     cán bộ Nguyễn Văn A (the new officer's name)
``built-2026-03-01``   xây dựng HTQLCL ngày 01/03/2026 (also scope changed, units merged)
``2026-NC1``           điểm không phù hợp số 1, đánh giá nội bộ năm 2026
=====================  ===============================================================

The number or name comes from the obligation's ``label`` (written when it is created), else
from its ``note`` (rows written before labels existed, or a caller that does not pass one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Protocol

from jobs.planning.obligations import Period
from jobs.text.i18n import Translator

DIRECTIVE_PREFIX = "CD-"
LEGAL_PREFIX = "VB-"
TRAINING_PREFIX = "T-"
SHORT_TITLE = 60  # characters of a directive's text that name it

_EVENT = re.compile(r"^(?P<event>built|scope_changed|merged)-(?P<day>\d{4}-\d{2}-\d{2})$")
_NONCONFORMITY = re.compile(r"^(?P<audit>.+)-NC(?P<n>\d+)$")
# How jobs/supervision/legal.py writes a legal document's note: "number — title (effective date)".
_NOTE_SEPARATOR = " — "


class Named(Protocol):
    """What naming an obligation needs (an Obligation, or any row that has these)."""

    period: str
    label: str | None
    note: str | None


def is_calendar_period(period: str) -> bool:
    """Whether ``period`` is a year, a quarter or a month (not an event's key)."""
    try:
        Period.parse(period)
    except ValueError:
        return False
    return True


def short_title(text: str | None, limit: int = SHORT_TITLE) -> str:
    """The first line of ``text``, cut at a word to at most ``limit`` characters."""
    first = " ".join((text or "").strip().split("\n", 1)[0].split())
    if len(first) <= limit:
        return first
    cut = first[: limit - 1].rsplit(" ", 1)[0] or first[: limit - 1]
    return cut.rstrip(" ,;:.-–—") + "…"


def period_text(period: str, tr: Translator, *, label: str | None = None,
                note: str | None = None) -> str:
    """How a person names the period of an obligation (see the module's table)."""
    try:
        p = Period.parse(period)
    except ValueError:
        return _event_text(period, tr, label, note)
    if p.quarter:
        return tr._("quarter {quarter}/{year}").format(quarter=p.quarter, year=p.year)
    if p.month:
        return tr._("month {month}/{year}").format(month=p.month, year=p.year)
    return tr._("year {year}").format(year=p.year)


def named_period(obligation: Named, tr: Translator) -> str:
    """:func:`period_text` of an obligation (or a row with ``period``, ``label``, ``note``)."""
    return period_text(obligation.period, tr, label=getattr(obligation, "label", None),
                       note=getattr(obligation, "note", None))


def period_line(period: str, tr: Translator, *, label: str | None = None,
                note: str | None = None) -> str:
    """``Kỳ: quý 4/2026`` for a calendar period, ``Liên quan: 1699/UBND-TH: …`` otherwise."""
    text = period_text(period, tr, label=label, note=note)
    if is_calendar_period(period):
        return tr._("Period: {period}").format(period=text)
    return tr._("Regarding: {subject}").format(subject=text)


def content_text(period: str, note: str | None) -> str | None:
    """The note as a message's "Content" line, or None when the period's name says it all (a
    new officer's name) or the note is a code (the QMS event of an announcement)."""
    if not note or period.startswith(TRAINING_PREFIX) or _EVENT.match(period):
        return None
    return note


def _event_text(period: str, tr: Translator, label: str | None, note: str | None) -> str:
    if period.startswith(DIRECTIVE_PREFIX):
        return directive_text(label, note, tr)
    if period.startswith(LEGAL_PREFIX):
        number = label or (note or "").split(_NOTE_SEPARATOR, 1)[0].strip()
        return number or tr._("legal document")
    if period.startswith(TRAINING_PREFIX):
        name = (label or note or "").strip()
        return tr._("officer {name}").format(name=name) if name else tr._("new officer")
    if match := _EVENT.match(period):
        day = tr.short_date(dt.date.fromisoformat(match["day"]))
        return {
            "built": tr._("QMS built on {date}"),
            "scope_changed": tr._("QMS scope changed on {date}"),
            "merged": tr._("units merged on {date}"),
        }[match["event"]].format(date=day)
    if match := _NONCONFORMITY.match(period):
        return tr._("nonconformity {n}, internal audit {period}").format(
            n=match["n"], period=period_text(match["audit"], tr))
    return period


def kind_text(kind: str, tr: Translator) -> str:
    """A unit kind as a person reads it: ``commune`` → ``xã, thị trấn``."""
    return {
        "province": tr._("provinces"), "department": tr._("departments"),
        "district": tr._("districts"), "commune": tr._("communes"), "ward": tr._("wards"),
        "office": tr._("offices"), "school": tr._("schools"), "agency": tr._("agencies"),
    }.get(kind, kind)


def kinds_text(kinds: Iterable[str], tr: Translator) -> str:
    """Unit kinds as an operator types them, each with its label: ``commune (xã, thị trấn)``."""
    return ", ".join(f"{kind} ({kind_text(kind, tr)})" for kind in kinds)


def document_text(number: str | None, date: dt.date | None, tr: Translator) -> str | None:
    """A document as cited: ``123/BC-UBND ngày 30/11/2026``; None when neither is known."""
    dated = tr._("dated {date}").format(date=tr.short_date(date)) if date else None
    return " ".join(part for part in (number, dated) if part) or None


def directive_text(number: str | None, text: str | None, tr: Translator) -> str:
    """A directive as a person names it: ``1699/UBND-TH: Gửi hồ sơ…``, or its short title."""
    title = short_title(text)
    if number and title:
        return f"{number}: {title}"
    return number or title or tr._("directive")
