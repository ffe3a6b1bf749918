"""An administrative document in the layout of Decree 30/2020/NĐ-CP (Appendix I), with python-docx.

Built in code, no template file: an A4 page (margins 20 mm top and bottom, 30 mm left, 15 mm
right), Times New Roman named for every script, 14 pt body. The parts, top to bottom:

- the letterhead, two columns without borders: on the left the governing body (upper case) over
  the issuing organ (upper case, bold) and "Số: …/BC-…"; on the right the national motto
  ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold, over "Độc lập - Tự do - Hạnh phúc") and, under
  it, the place and date in italics ("An Giang, ngày 07 tháng 12 năm 2026": a day below 10 and
  a month below 3 written with a leading zero);
- the kind of document and its subject, bold and centred;
- the body: numbered headings and paragraphs, justified, first line indented;
- "Nơi nhận:" (bold italic, 12 pt; each recipient 11 pt) beside the signature block.

Whatever the drafter must still write is a :func:`placeholder`: bracketed and highlighted, so
nobody signs it unseen. The words come from gettext (:mod:`jobs.text.i18n`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.blkcntnr import BlockItemContainer
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from jobs.text.i18n import N_, Translator

FONT = "Times New Roman"
MOTTO = N_("SOCIALIST REPUBLIC OF VIETNAM")
MOTTO_LINE = N_("Independence - Freedom - Happiness")
PLACEHOLDER_MARK = "[…]"


@dataclass(frozen=True)
class Letterhead:
    """Who issues the document, where and when: what the letterhead and the date line say."""

    organ: str  # the unit issuing it
    governing: str | None  # the body above it, when it has one
    number: str  # "Số: …/BC-…"
    place: str | None  # "An Giang"; None: a placeholder
    day: dt.date


def new_document(title: str) -> DocxDocument:
    """An empty A4 document in Times New Roman, titled ``title`` in its properties."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for name, size in (("Normal", 14), ("Table Grid", 12)):
        style = document.styles[name]
        style.font.name, style.font.size = FONT, Pt(size)
        # The name for every script, or Word falls back to its theme's font for Vietnamese.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(script), FONT)
    normal = document.styles["Normal"].paragraph_format
    normal.space_before, normal.space_after = Pt(0), Pt(6)
    document.core_properties.title = title
    return document


def _run(paragraph: Paragraph, text: str, *, size: float | None = None, bold: bool = False,
         italic: bool = False) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)


def _centred(cell: BlockItemContainer, first: bool = False) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def letterhead(document: DocxDocument, head: Letterhead, tr: Translator) -> None:
    """The organ and number on the left, the motto and the place and date on the right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    if head.governing:
        _run(_centred(left, first=True), head.governing.upper(), size=13)
        _run(_centred(left), head.organ.upper(), size=13, bold=True)
    else:
        _run(_centred(left, first=True), head.organ.upper(), size=13, bold=True)
    _run(_centred(left), "───────", size=13)
    _run(_centred(left), head.number, size=13)
    _run(_centred(right, first=True), tr._(MOTTO), size=13, bold=True)
    _run(_centred(right), tr._(MOTTO_LINE), size=14, bold=True)
    _run(_centred(right), "───────────────", size=13)
    date_line = _centred(right)
    date_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if head.place:
        _run(date_line, place_and_date(head.place, head.day, tr), size=14, italic=True)
    else:
        placeholder(date_line, tr._("place"), size=14)
        _run(date_line, place_and_date("", head.day, tr), size=14, italic=True)


def place_and_date(place: str, day: dt.date, tr: Translator) -> str:
    """``An Giang, ngày 07 tháng 12 năm 2026``: zero before a day under 10, a month under 3."""
    return tr._("{place}, day {day} month {month} year {year}").format(
        place=place, day=f"{day.day:02d}",
        month=f"{day.month:02d}" if day.month < 3 else str(day.month), year=day.year)


def title(document: DocxDocument, kind: str, subject: str) -> None:
    """``BÁO CÁO`` and its subject, bold and centred."""
    top = document.add_paragraph()
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top.paragraph_format.space_before = Pt(12)
    top.paragraph_format.space_after = Pt(0)
    _run(top, kind.upper(), size=14, bold=True)
    below = document.add_paragraph()
    below.alignment = WD_ALIGN_PARAGRAPH.CENTER
    below.paragraph_format.space_after = Pt(12)
    _run(below, subject, size=14, bold=True)


def heading(document: DocxDocument, text: str) -> None:
    """A numbered heading of the body ("I. …", "1. …"), bold."""
    paragraph = body(document)
    _run(paragraph, text, bold=True)


def body(document: DocxDocument, text: str = "") -> Paragraph:
    """A paragraph of the body: justified, its first line indented 1 cm."""
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Mm(10)
    if text:
        paragraph.add_run(text)
    return paragraph


def placeholder(paragraph: Paragraph, what: str, *, size: float | None = None) -> None:
    """``[… what …]`` highlighted: the drafter must write it; the records do not say."""
    run = paragraph.add_run(f"[… {what} …]" if what else PLACEHOLDER_MARK)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if size:
        run.font.size = Pt(size)


def recipients_and_signature(document: DocxDocument, recipients: Sequence[str], *, role: str,
                             tr: Translator) -> None:
    """"Nơi nhận:" and its list on the left; the signer's title and name on the right."""
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    heading_line = left.paragraphs[0]
    heading_line.paragraph_format.space_after = Pt(0)
    _run(heading_line, tr._("Recipients:"), size=12, bold=True, italic=True)
    for line in recipients:
        paragraph = left.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        _run(paragraph, f"- {line}", size=11)
    _run(_centred(right, first=True), role.upper(), size=14, bold=True)
    _run(_centred(right), tr._("(Signature, full name and seal)"), size=14, italic=True)
    for _ in range(3):
        _centred(right)
    placeholder(_centred(right), tr._("full name"), size=14)
