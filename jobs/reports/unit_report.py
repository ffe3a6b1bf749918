"""A unit's yearly report on its QMS as a Word document, drafted from its records.

The sections follow the ``annual_report`` duty's checklist: the internal audit (date, document,
nonconformities), corrective actions (opened, closed, late), the management review (date,
minutes), legal documents brought into the QMS, directives, training, self-checks, the reports
sent, and the year's standing in words; then what remains and what is proposed, which only
people can write. Wherever the records are silent the draft says so with a highlighted
placeholder (:func:`jobs.reports.decree30.placeholder`). The layout is
:mod:`jobs.reports.decree30`.
"""

from __future__ import annotations

from typing import IO

from docx.document import Document as DocxDocument

from jobs.catalog import Catalog, duty_title
from jobs.planning.standing import STANDING_TEXT
from jobs.reports import decree30
from jobs.reports.annual import (
    AUDIT,
    CORRECTIVE,
    DIRECTIVE,
    LEGAL,
    REPORTS,
    REVIEW,
    SELF_CHECK,
    TRAINING,
    Record,
    UnitYear,
    YearStanding,
)
from jobs.text.i18n import N_, Translator
from jobs.text.labels import document_text, period_text

REPORT = N_("Report")
YEAR_WORDS = {
    YearStanding.nothing: N_("isobot holds no duty of this year for the unit yet."),
    YearStanding.not_due: N_("No duty of the year is overdue; none has fallen due yet."),
    YearStanding.on_time: N_("Every duty of the year recorded so far was done on time."),
    YearStanding.late: N_("Every duty due so far was done, some after the deadline."),
    YearStanding.overdue: N_("Some duties are overdue and not done yet."),
}


def subject(year: int, tr: Translator) -> str:
    """The report's subject line."""
    return tr._("On applying, maintaining and improving the quality management system under "
                "TCVN ISO 9001:2015 in {year}").format(year=year)


def write_unit_report(unit: UnitYear, head: decree30.Letterhead, out: IO[bytes], *,
                      catalog: Catalog, tr: Translator) -> None:
    """The draft report of ``unit`` for its year, written to ``out``."""
    document = decree30.new_document(f"{tr._(REPORT)} {unit.name} {unit.year}")
    decree30.letterhead(document, head, tr)
    decree30.title(document, tr._(REPORT), subject(unit.year, tr))
    decree30.body(document, tr._("{unit} reports on applying, maintaining and improving its "
                                 "quality management system in {year} as follows:").format(
        unit=unit.name, year=unit.year))
    if not unit.records:
        decree30.placeholder(decree30.body(document), tr._(
            "isobot holds no records of {unit} for {year} yet: every section below is to be "
            "written by hand").format(unit=unit.name, year=unit.year))
    decree30.heading(document, tr._("I. RESULTS IN {year}").format(year=unit.year))
    for number, (name, section) in enumerate(_SECTIONS, start=1):
        decree30.heading(document, f"{number}. {tr._(name)}")
        section(document, unit, catalog, tr)
    decree30.heading(document, tr._("II. SHORTCOMINGS AND THEIR CAUSES"))
    decree30.placeholder(decree30.body(document), tr._("to be written by the unit"))
    decree30.heading(document, tr._("III. RECOMMENDATIONS AND THE PLAN FOR {year}").format(
        year=unit.year + 1))
    decree30.placeholder(decree30.body(document), tr._("to be written by the unit"))
    decree30.recipients_and_signature(document, [
        tr._("The ISO standing office (to compile);"), tr._("Filed: Archives.")],
        role=tr._("Head of the unit"), tr=tr)
    document.save(out)


def _say(document: DocxDocument, text: str) -> None:
    decree30.body(document, text)


def _silent(document: DocxDocument, what: str) -> None:
    decree30.placeholder(decree30.body(document), what)


def _document(record: Record, tr: Translator) -> str:
    """``số 12/BC-UBND ngày 20/10/2026 (biên nhận ISO-2026-000012)``, or what is known."""
    cited = document_text(record.document_number, record.document_date, tr)
    receipt = tr._("receipt {reference}").format(reference=record.reference) \
        if record.reference else ""
    return " ".join(part for part in (
        tr._("document {document}").format(document=cited) if cited else "",
        f"({receipt})" if receipt else "") if part)


def _done_line(record: Record, tr: Translator) -> str:
    """``done on 20/10/2026, document …: on time``, or how it stands when not done."""
    standing = tr._(STANDING_TEXT[record.standing])
    if record.done is None:
        return tr._("due {date}: {standing}").format(date=tr.short_date(record.due),
                                                    standing=standing)
    return tr._("done on {date} {document}: {standing}").format(
        date=tr.short_date(record.done), document=_document(record, tr), standing=standing)


def _audit(document: DocxDocument, unit: UnitYear, catalog: Catalog, tr: Translator) -> None:
    done = unit.done(AUDIT)
    for record in done:
        text = tr._("The internal audit was held: {done}.").format(done=_done_line(record, tr))
        paragraph = decree30.body(document, text + " ")
        if record.nonconformities is None:
            decree30.placeholder(paragraph, tr._("number of nonconformities found"))
        else:
            paragraph.add_run(tr.ngettext("It found {n} nonconformity.",
                                          "It found {n} nonconformities.",
                                          record.nonconformities).format(n=record.nonconformities))
    for record in unit.of(AUDIT):
        if record.done is None:
            _say(document, tr._("The internal audit of {period}: {state}.").format(
                period=period_text(record.period, tr), state=_done_line(record, tr)))
    if not unit.of(AUDIT):
        _silent(document, tr._("date of the internal audit, its document and the "
                               "nonconformities found"))


def _corrective(document: DocxDocument, unit: UnitYear, catalog: Catalog,
                tr: Translator) -> None:
    tally = unit.tally(CORRECTIVE)
    if not tally.owed:
        _silent(document, tr._("nonconformities corrected during the year"))
        return
    _say(document, tr._("Corrective actions opened: {opened}; closed: {closed} ({late} of them "
                        "after the deadline); overdue and still open: {overdue}.").format(
        opened=tally.owed, closed=tally.done, late=tally.late, overdue=tally.overdue))


def _review(document: DocxDocument, unit: UnitYear, catalog: Catalog, tr: Translator) -> None:
    for record in unit.of(REVIEW):
        _say(document, tr._("Management review: {state}.").format(state=_done_line(record, tr)))
    if not unit.done(REVIEW):
        _silent(document, tr._("date of the management review and the number of its minutes"))


def _listed(duty: str, missing: str):
    """A section that lists each record of ``duty``, or says ``missing`` when there is none."""

    def section(document: DocxDocument, unit: UnitYear, catalog: Catalog,
                tr: Translator) -> None:
        records = unit.of(duty)
        if not records:
            _silent(document, tr._(missing))
            return
        tally = unit.tally(duty)
        _say(document, tr._("{title}: {owed} in all; done on time: {on_time}; done late: "
                            "{late}; overdue: {overdue}.").format(
            title=duty_title(catalog, duty, tr.lang), owed=tally.owed, on_time=tally.on_time,
            late=tally.late, overdue=tally.overdue))
        for record in records:
            name = period_text(record.period, tr, label=record.label, note=record.note)
            _say(document, f"- {name}: {_done_line(record, tr)}.")

    return section


def _reports(document: DocxDocument, unit: UnitYear, catalog: Catalog, tr: Translator) -> None:
    records = unit.of(*REPORTS)
    for record in records:
        name = f"{duty_title(catalog, record.duty_key, tr.lang)} " \
               f"({period_text(record.period, tr)})"
        _say(document, f"- {name}: {_done_line(record, tr)}.")
    if not unit.done(*REPORTS):
        _silent(document, tr._("numbers and dates of the reports sent"))


def _standing(document: DocxDocument, unit: UnitYear, catalog: Catalog,
              tr: Translator) -> None:
    tally = unit.tally(*{r.duty_key for r in unit.records})
    _say(document, tr._(YEAR_WORDS[unit.standing]))
    if tally.owed:
        _say(document, tr._("Duties of the year: {owed}; done on time: {on_time}; done late: "
                            "{late}; overdue: {overdue} (as of {date}).").format(
            owed=tally.owed, on_time=tally.on_time, late=tally.late, overdue=tally.overdue,
            date=tr.short_date(unit.today)))


_SECTIONS = (
    (N_("Internal audit"), _audit),
    (N_("Corrective actions"), _corrective),
    (N_("Management review"), _review),
    (N_("Legal documents brought into the QMS"),
     _listed(LEGAL, N_("legal documents brought into the QMS and when"))),
    (N_("Directives"), _listed(DIRECTIVE, N_("directives received and carried out"))),
    (N_("Training"), _listed(TRAINING, N_("training held and who took part"))),
    (N_("Self-checks of the QMS records"),
     _listed(SELF_CHECK, N_("self-checks of the QMS records and what they found"))),
    (N_("Reports sent"), _reports),
    (N_("The year's standing"), _standing),
)
