"""An edXML package (QCVN 102:2016/BTTTT, amended by Circular 01/2022/TT-BTTTT) read into
:class:`~jobs.documents.fields.DocumentFields`.

Read with defusedxml: a DTD, an entity (the "billion laughs" bomb) or an external reference is
refused, never expanded or fetched. Elements are found by their local name inside the
standard's namespace; a package in another namespace is not an edXML package.
"""

from __future__ import annotations

import datetime as dt
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from jobs.documents.fields import Deadline, DocumentFields, Problem, read_fields

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


class PackageRefused(Exception):
    """The package cannot be read; ``reason`` is one of the codes below."""

    UNSAFE = "unsafe_xml"  # a DTD, entity or external reference
    MALFORMED = "malformed_xml"
    NAMESPACE = "wrong_namespace"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_package(content: bytes) -> DocumentFields:
    """The fields an edXML package states; its ``Content`` read like a letter for the rest."""
    try:
        root = fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise PackageRefused(PackageRefused.UNSAFE) from None
    except (ParseError, ValueError):
        raise PackageRefused(PackageRefused.MALFORMED) from None
    if not root.tag.startswith("{" + NAMESPACE + "}"):
        raise PackageRefused(PackageRefused.NAMESPACE)
    header = _first(root, "edXMLMessageHeader") or root
    code = _first(header, "Code")
    number = _joined(_text(code, "CodeNumber"), _text(code, "CodeNotation"))
    written_date = _text(_first(header, "PromulgationInfo"), "PromulgationDate")
    date = _iso(written_date)
    body = _text(header, "Content") or ""
    from_body = read_fields(body) if body else DocumentFields()
    due = _iso(_text(header, "DueDate"))
    recipients = [name for to in _all(header, "To") if (name := _text(to, "OrganName"))]
    recipients += [place.text.strip() for places in _all(header, "ToPlaces")
                   for place in _all(places, "Place") if place.text and place.text.strip()]
    problems = [p for p, missing in ((Problem.NO_NUMBER, number is None),
                                     (Problem.NO_SUBJECT, not _text(header, "Subject")))
                if missing]
    if date is None:
        problems.append(Problem.BAD_DATE if written_date else Problem.NO_DATE)
    return DocumentFields(
        number=number, date=date, subject=_text(header, "Subject"),
        kind=_text(_first(header, "DocumentType"), "TypeName"),
        issuer_lines=tuple(filter(None, [_text(_first(header, "From"), "OrganName")])),
        place=_text(_first(header, "PromulgationInfo"), "Place"),
        deadline=Deadline(due) if due else from_body.deadline,
        effective=from_body.effective, recipients=tuple(recipients) or from_body.recipients,
        text=body, problems=tuple(problems))


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _all(parent: Element | None, name: str) -> list[Element]:
    return [] if parent is None else [e for e in parent.iter() if _local(e) == name]


def _first(parent: Element | None, name: str) -> Element | None:
    found = _all(parent, name)
    return found[0] if found else None


def _text(parent: Element | None, name: str) -> str | None:
    element = _first(parent, name)
    text = " ".join((element.text or "").split()) if element is not None else ""
    return text or None


def _joined(number: str | None, notation: str | None) -> str | None:
    if not number or not any(c.isdigit() for c in number):
        return None
    return f"{number}/{notation}" if notation else None


def _iso(text: str | None) -> dt.date | None:
    """A date of the package: ISO (2026-11-20, maybe with a time), or 20/11/2026."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    day, _, rest = text.partition("/")
    month, _, year = rest.partition("/")
    try:
        return dt.date(int(year[:4]), int(month), int(day))
    except ValueError:
        return None
