"""What ``isobot directive import`` and ``isobot legal import`` share: the file read into its
fields (:mod:`jobs.documents`), each refusal and each gap said in one line in the operator's
language, and the draft printed for the operator to check."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bot.cli.errors import fail
from jobs.documents.draft import NO_ISSUER, NO_TARGETS, Draft
from jobs.documents.edxml import NAMESPACE, PackageRefused
from jobs.documents.fields import DocumentFields, Problem
from jobs.documents.reading import MAX_BYTES, Unreadable, read_document
from jobs.text.i18n import Translator

#: How many target units the draft names before "and N more".
NAMED_TARGETS = 5


def read_file(path: Path, tr: Translator) -> tuple[DocumentFields, bytes]:
    """The fields of the document at ``path`` and its bytes; the command fails in one line
    when it cannot be read."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise Unreadable(Unreadable.TOO_LARGE)
        content = path.read_bytes()
        return read_document(path.name, content), content
    except OSError:
        raise fail(tr._("There is no readable file {path}.").format(path=path)) from None
    except (Unreadable, PackageRefused) as refused:
        raise fail(refusal_text(refused.reason, tr)) from None


def refusal_text(reason: str, tr: Translator) -> str:
    """Why a document file is not read, for a person."""
    texts = {
        Unreadable.TOO_LARGE: tr._("The file is larger than {mb} MB: export the document "
                                   "without its attachments.").format(mb=MAX_BYTES // 2**20),
        Unreadable.UNKNOWN_TYPE: tr._("isobot reads documents as .edxml, .pdf, .docx or .txt "
                                      "files."),
        Unreadable.SCANNED: tr._("This PDF is a scan without a text layer: export the "
                                 "document as a PDF with text, a DOCX or an edXML package."),
        Unreadable.DAMAGED: tr._("The file cannot be read: it is damaged, or not of the type "
                                 "its name says."),
        Unreadable.EMPTY: tr._("The file holds no text."),
        PackageRefused.UNSAFE: tr._("The edXML package declares a DTD or entities, which isobot "
                                    "refuses for safety; nothing was read."),
        PackageRefused.MALFORMED: tr._("The edXML package is not well-formed XML."),
        PackageRefused.NAMESPACE: tr._("This is not an edXML package of QCVN 102:2016: its "
                                       "namespace is not {namespace}.").format(
            namespace=NAMESPACE),
    }
    return texts[reason]


def problem_text(draft: Draft, tr: Translator) -> str | None:
    """The first gap that keeps the draft from being sent, for a person; None when none."""
    fields = draft.fields
    texts = {
        Problem.NO_NUMBER: tr._("The document has no number (“Số: …”): nothing was sent."),
        Problem.BAD_DATE: tr._("The document's date is not a day that exists: nothing was "
                               "sent."),
        Problem.NO_SUBJECT: tr._("The document has no subject (“V/v …”): nothing was sent."),
        NO_ISSUER: tr._("The issuer “{issuer}” matches no unit: say on whose behalf it is "
                        "sent with --as CODE.").format(
            issuer=" ".join(fields.issuer_lines) or "?"),
        NO_TARGETS: tr._("No recipient matches a unit in the issuer's province: {lines}.")
        .format(lines="; ".join(draft.unmatched) or "—"),
    }
    return next((texts[p] for p in draft.problems if p in texts), None)


def print_draft(draft: Draft, source: str, tr: Translator, *, as_json: bool) -> None:
    """The draft as the operator checks it: JSON for scripts, else a few lines."""
    if as_json:
        typer.echo(json.dumps(draft.as_dict(source), ensure_ascii=False))
        return
    for line in draft_lines(draft, tr):
        typer.echo(line)


def draft_lines(draft: Draft, tr: Translator) -> list[str]:
    """The draft in words: number, date, issuer, subject, deadline, targets, what is unmatched."""
    fields = draft.fields
    lines = [tr._("Directive {number} of {date} from {issuer}: {subject}").format(
        number=fields.number or "?", date=tr.date(fields.date) if fields.date else "?",
        issuer=draft.issuer.name if draft.issuer else "?", subject=fields.subject or "?")]
    if draft.due is None:
        lines.append(tr._("No deadline found in the document: the catalog's default applies."))
    elif draft.due != draft.due_as_written and not fields.deadline.whole_month:
        lines.append(tr._("Deadline: {date} ({asked} is a day off; Civil Code 2015, Article "
                          "148).").format(date=tr.date(draft.due),
                                          asked=tr.date(draft.due_as_written)))
    else:
        lines.append(tr._("Deadline: {date}.").format(date=tr.date(draft.due)))
    named = ", ".join(u.name for u in draft.targets[:NAMED_TARGETS])
    more = len(draft.targets) - NAMED_TARGETS
    if more > 0:
        named += tr._(" and {count} more").format(count=more)
    lines.append(tr.ngettext("To {count} unit: {names}", "To {count} units: {names}",
                             len(draft.targets)).format(count=len(draft.targets),
                                                        names=named or "—"))
    if draft.unmatched:
        lines.append(tr._("Not matched to any unit: {lines}").format(
            lines="; ".join(draft.unmatched)))
    return lines
