"""The year's report as a file: read the records, draft the DOCX, for the command line and chat.

One loader serves ``isobot report`` and ``/baocao``: :func:`unit_report` (one unit's draft) and
:func:`summary_report` (a subtree's summary) read the database and return the document's bytes.
The chat names the file to build when sent (``{"what": "annual_report", …}``,
:func:`annual_report_builder`), so a province's summary is never drafted where the chat waits.
:func:`write_whole` writes a file whole or not at all (a temporary file, then a rename).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from jobs.catalog import Catalog
from jobs.reports.annual import Summary, UnitYear, summarise, unit_years
from jobs.reports.decree30 import Letterhead
from jobs.reports.summary_report import write_summary
from jobs.reports.unit_report import write_unit_report
from jobs.text.i18n import Translator, translator
from storage.annual import obligation_rows, units_by_id, units_with_officer
from storage.db import session_scope
from storage.models import Unit
from storage.units import ancestors, subtree_ids, tree_order

WHAT = "annual_report"
NUMBER = "Số: …/BC-…"
_ORGAN_PREFIX = re.compile(r"^(UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(tỉnh|thành phố)\s+",
                           re.IGNORECASE)
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def place_of(unit: Unit, above: list[Unit]) -> str | None:
    """Where the document is issued: the province's name ("An Giang") from the top of the
    unit's tree, when its name reads as a province's People's Committee; else None."""
    top = (above[-1] if above else unit).name
    place = _ORGAN_PREFIX.sub("", top).strip()
    return place if place != top else None


def letterhead(session: Session, *, unit: Unit, day: dt.date) -> Letterhead:
    """The letterhead of a document ``unit`` issues on ``day``."""
    above = ancestors(session, unit=unit)
    return Letterhead(unit.name, above[0].name if above else None, NUMBER,
                      place_of(unit, above), day)


def unit_year(session: Session, *, unit: Unit, year: int, today: dt.date) -> UnitYear:
    """What ``unit`` did in ``year``, as of ``today``."""
    rows = obligation_rows(session, unit_ids=[unit.id])
    officer = units_with_officer(session, unit_ids=[unit.id])
    [found] = unit_years([unit], rows, year=year, today=today, with_officer=officer) or [
        UnitYear(unit.id, unit.code, unit.name, year, today, ())]
    return found


def subtree_year(session: Session, *, unit: Unit, year: int, today: dt.date) -> Summary:
    """The year of ``unit`` and every unit under it, in tree order."""
    ids = subtree_ids(session, unit_id=unit.id)
    units = [u for u, _depth in tree_order(units_by_id(session, unit_ids=ids))]
    years = unit_years(units, obligation_rows(session, unit_ids=ids), year=year, today=today,
                       with_officer=units_with_officer(session, unit_ids=ids))
    if not any(u.unit_id == unit.id for u in years):  # a merged head still heads its summary
        years.insert(0, UnitYear(unit.id, unit.code, unit.name, year, today, ()))
    return summarise(years, head_id=unit.id)


@dataclass(frozen=True)
class Draft:
    """A drafted report: the DOCX's bytes, and whether the records hold nothing of its year."""

    content: bytes
    empty: bool


def unit_report(session: Session, *, unit: Unit, year: int, today: dt.date, catalog: Catalog,
                tr: Translator) -> Draft:
    """``unit``'s draft report for ``year``."""
    out, found = io.BytesIO(), unit_year(session, unit=unit, year=year, today=today)
    write_unit_report(found, letterhead(session, unit=unit, day=today), out, catalog=catalog,
                      tr=tr)
    return Draft(out.getvalue(), not found.records)


def summary_report(session: Session, *, unit: Unit, year: int, today: dt.date,
                   tr: Translator) -> Draft:
    """The summary of ``unit``'s subtree for ``year``."""
    out, summary = io.BytesIO(), subtree_year(session, unit=unit, year=year, today=today)
    write_summary(summary, letterhead(session, unit=unit, day=today), out, tr=tr)
    return Draft(out.getvalue(), not any(u.records for u in summary.units))


def report_filename(unit: Unit, year: int, *, summary: bool) -> str:
    """``bao-cao-2026-AGG-STP.docx``; ``bao-cao-tong-hop-2026-AGG.docx`` for a summary."""
    kind = "bao-cao-tong-hop" if summary else "bao-cao"
    return f"{kind}-{year}-{_FILENAME_UNSAFE.sub('_', unit.code)}.docx"


def build_spec(unit: Unit, year: int, *, summary: bool, tr: Translator,
               today: dt.date) -> dict[str, Any]:
    """What names the report to build when the chat's reply is sent."""
    return {"what": WHAT, "unit_id": unit.id, "year": year, "summary": summary,
            "lang": tr.lang, "today": today.isoformat()}


def annual_report_builder(engine: Engine, catalog: Catalog) -> Callable[[dict[str, Any]], bytes]:
    """What builds a report named by :func:`build_spec` (blocking: run it in a thread)."""

    def build(spec: dict[str, Any]) -> bytes:
        tr = translator(spec.get("lang"))
        today, year = dt.date.fromisoformat(spec["today"]), int(spec["year"])
        with session_scope(engine) as session:
            unit = session.get(Unit, int(spec["unit_id"]))
            if unit is None:
                raise ValueError("no such unit")
            if spec.get("summary"):
                return summary_report(session, unit=unit, year=year, today=today,
                                      tr=tr).content
            return unit_report(session, unit=unit, year=year, today=today, catalog=catalog,
                               tr=tr).content

    return build


def write_whole(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` whole or not at all: into a temporary file beside it, then renamed.

    Raises OSError when the directory cannot be written; nothing is left behind.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                         dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from colleagues
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
