"""The supervisor's summary of a subtree's year as a Word document, for the People's Committee.

The totals first (units, audits and reviews held, reports and directives on time), then the
units without an ISO officer and the late ones by name, then a table with one row per unit:
its name, audit, review, reports on time, directives on time and standing. A province's
subtree holds thousands of units, so the table is written row by row into one pre-sized table
(python-docx's ``add_row`` per row is several times slower). The layout is
:mod:`jobs.reports.decree30`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from jobs.reports import decree30
from jobs.reports.annual import AUDIT, DIRECTIVE, REPORTS, REVIEW, Summary, UnitYear, YearStanding
from jobs.reports.unit_report import REPORT
from jobs.text.i18n import N_, Translator

HEADERS = (N_("No."), N_("Unit"), N_("Internal audit"), N_("Management review"),
           N_("Reports on time"), N_("Directives on time"), N_("Standing"))
STANDING_WORDS = {
    YearStanding.nothing: N_("No duty recorded"),
    YearStanding.not_due: N_("Not yet due"),
    YearStanding.on_time: N_("On time"),
    YearStanding.late: N_("Some done late"),
    YearStanding.overdue: N_("Some overdue"),
}
_NAMED_AT_MOST = 200  # units named in a paragraph; the table names every one


def subject(summary: Summary, tr: Translator) -> str:
    return tr._("Summary of applying, maintaining and improving the quality management system "
                "under TCVN ISO 9001:2015 in {year}: {unit} and the units under it").format(
        year=summary.year, unit=summary.head.name)


def write_summary(summary: Summary, head: decree30.Letterhead, out: IO[bytes], *,
                  tr: Translator) -> None:
    """The summary of ``summary``'s subtree, written to ``out``."""
    document = decree30.new_document(f"{tr._(REPORT)} {summary.head.name} {summary.year}")
    decree30.letterhead(document, head, tr)
    decree30.title(document, tr._(REPORT), subject(summary, tr))
    if not any(unit.records for unit in summary.units):
        decree30.placeholder(decree30.body(document), tr._(
            "isobot holds no records of {unit} or the units under it for {year} yet: the "
            "figures below are empty").format(unit=summary.head.name, year=summary.year))
    decree30.heading(document, tr._("I. THE YEAR IN FIGURES"))
    _totals(document, summary, tr)
    decree30.heading(document, tr._("II. UNITS WITHOUT AN ISO OFFICER"))
    _named(document, summary.without_officer(), tr._("Every unit has an ISO officer in isobot."),
           tr)
    decree30.heading(document, tr._("III. UNITS WITH DUTIES LATE OR OVERDUE"))
    _named(document, summary.behind(), tr._("No unit is late."), tr, standing=True)
    decree30.heading(document, tr._("IV. EACH UNIT"))
    unit_table(document, summary.units, tr)
    decree30.heading(document, tr._("V. ASSESSMENT AND RECOMMENDATIONS"))
    decree30.placeholder(decree30.body(document), tr._("to be written by the standing office"))
    decree30.recipients_and_signature(document, [
        tr._("The provincial People's Committee (to report);"), tr._("Filed: Archives.")],
        role=tr._("Head of the unit"), tr=tr)
    document.save(out)


def _totals(document: DocxDocument, summary: Summary, tr: Translator) -> None:
    count = len(summary.units)
    reports, directives = summary.tally(*REPORTS), summary.tally(DIRECTIVE)
    for line in (
        tr.ngettext("{n} unit in all.", "{n} units in all.", count).format(n=count),
        tr._("Internal audit held: {done} of {n} units.").format(done=summary.with_audit(),
                                                                  n=count),
        tr._("Management review held: {done} of {n} units.").format(done=summary.with_review(),
                                                                     n=count),
        tr._("Reports due so far: {due}; sent on time: {on_time}, late: {late}, not sent: "
             "{overdue}.").format(due=reports.due, on_time=reports.on_time, late=reports.late,
                                  overdue=reports.overdue),
        tr._("Directives due so far: {due}; carried out on time: {on_time}, late: {late}, "
             "overdue: {overdue}.").format(due=directives.due, on_time=directives.on_time,
                                           late=directives.late, overdue=directives.overdue),
    ):
        decree30.body(document, f"- {line}")


def _named(document: DocxDocument, units: Sequence[UnitYear], none: str, tr: Translator, *,
           standing: bool = False) -> None:
    if not units:
        decree30.body(document, none)
        return
    decree30.body(document, tr.ngettext("{n} unit:", "{n} units:", len(units)).format(
        n=len(units)))
    for unit in units[:_NAMED_AT_MOST]:
        words = f" ({tr._(STANDING_WORDS[unit.standing])})" if standing else ""
        decree30.body(document, f"- {unit.name}{words}")
    if len(units) > _NAMED_AT_MOST:
        decree30.body(document, tr._("… and {n} more, in the table below.").format(
            n=len(units) - _NAMED_AT_MOST))


def unit_table(document: DocxDocument, units: Sequence[UnitYear], tr: Translator) -> None:
    """The table of every unit: one row each under a header repeated on every page."""
    table = document.add_table(rows=len(units) + 1, cols=len(HEADERS))
    table.style = document.styles["Table Grid"]
    rows = iter(table.rows)
    header = next(rows)
    # Repeated at the top of every page (w:tblHeader): python-docx has no property for it.
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(mark)
    for cell, text in zip(header.cells, HEADERS, strict=True):
        run = cell.paragraphs[0].add_run(tr._(text))
        run.bold, run.font.size = True, Pt(12)
    for number, (row, unit) in enumerate(zip(rows, units, strict=True), start=1):
        for cell, text in zip(row.cells, unit_cells(number, unit, tr), strict=True):
            cell.text = text


def unit_cells(number: int, unit: UnitYear, tr: Translator) -> tuple[str, ...]:
    """One unit's row: number, name, audit, review, reports and directives on time, standing."""
    return (str(number), unit.name, _held(unit, AUDIT, tr), _held(unit, REVIEW, tr),
            _ratio(unit, REPORTS), _ratio(unit, (DIRECTIVE,)),
            tr._(STANDING_WORDS[unit.standing]))


def _held(unit: UnitYear, duty: str, tr: Translator) -> str:
    done = unit.done(duty)
    if done:
        return tr.short_date(done[-1].done)
    return tr._("Overdue") if unit.tally(duty).overdue else "—"


def _ratio(unit: UnitYear, duties: Sequence[str]) -> str:
    """``2/3``: on time of those due so far; ``—`` when none is due yet."""
    tally = unit.tally(*duties)
    return f"{tally.on_time}/{tally.due}" if tally.due else "—"
