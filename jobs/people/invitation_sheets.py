"""Invitations on paper: the XLSX sheet (one row per unit) and the A4 cards to print and cut.

A card holds the unit's name, the role, the code in large type, a QR code per messenger (its
link carrying the code, else the code itself) and the lines that say how to join. The cards
are drawn with DejaVu Sans, shipped in ``jobs/text/fonts`` (its licence beside it), which has
every Vietnamese letter. Pure: the invitations and the ways to join come in, bytes go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

import segno
from fpdf import FPDF
from PIL import Image

from jobs.calendar.workdays import VIETNAM
from jobs.people.invitations import Invitation, JoinWay
from jobs.people.registration import role_text
from jobs.reports.export import Table, write_xlsx
from jobs.text.i18n import Translator

FONTS = Path(__file__).resolve().parent.parent / "text" / "fonts"
# A4 portrait in millimetres, cut into 2 x 4 cards of 105 x 74.25 mm.
PAGE_W, PAGE_H, COLUMNS, ROWS = 210.0, 297.0, 2, 4
CARD_W, CARD_H = PAGE_W / COLUMNS, PAGE_H / ROWS
PAD, QR_SIZE, GAP = 5.0, 24.0, 3.0
QR_SCALE = 4  # pixels per module: sharp when printed, small in the file


def invitation_table(invitations: Sequence[Invitation], ways: Sequence[JoinWay],
                     tr: Translator) -> Table:
    """The sheet's rows: unit, parent, role, code, then per messenger its link or how to join,
    and until when the code is valid (Vietnam time)."""
    keys = ("unit", "unit_name", "parent", "role", "code",
            *(f"join_{w.brand.lower()}" for w in ways), "valid_until")
    headers = (tr._("Unit"), tr._("Unit name"), tr._("Parent unit"), tr._("Role"),
               tr._("Invite code"),
               *(tr._("Join on {messenger}").format(messenger=w.brand) for w in ways),
               tr._("Valid until"))
    rows = [(i.unit_code, i.unit_name, i.parent_code, role_text(i.role, tr), i.code,
             *(_how_to_join(w, i.code, tr) for w in ways),
             i.expires_at)
            for i in invitations]
    return Table(keys=keys, headers=headers, rows=rows)


def _how_to_join(way: JoinWay, code: str, tr: Translator) -> str:
    return way.link(code) or tr._("Send {code} to isobot on {messenger}").format(
        code=code, messenger=way.brand)


def write_invitation_sheet(invitations: Sequence[Invitation], ways: Sequence[JoinWay],
                           target: Path | IO[bytes], tr: Translator) -> None:
    """The invitations as an Excel sheet, ready to filter, mail-merge and print."""
    write_xlsx(invitation_table(invitations, ways, tr), target,
               title=tr._("ISO invitations"))


def write_invitation_cards(invitations: Sequence[Invitation], ways: Sequence[JoinWay],
                           target: Path | IO[bytes], tr: Translator) -> None:
    """The invitations as A4 pages of cards to print and cut, eight to a page."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(tr._("ISO invitations"))
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    cards = _Cards(pdf, ways[:2], tr)
    per_page = COLUMNS * ROWS
    for index, invitation in enumerate(invitations):
        if index % per_page == 0:
            pdf.add_page()
            _cut_lines(pdf)
        slot = index % per_page
        cards.draw(invitation, x=(slot % COLUMNS) * CARD_W, y=(slot // COLUMNS) * CARD_H)
    pdf.output(target)


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(170)
    pdf.set_dash_pattern(dash=1, gap=1)
    for column in range(1, COLUMNS):
        pdf.line(column * CARD_W, 0, column * CARD_W, PAGE_H)
    for row in range(1, ROWS):
        pdf.line(0, row * CARD_H, PAGE_W, row * CARD_H)
    pdf.set_dash_pattern()


class _Cards:
    """Draws cards on ``pdf``; the instructions, alike on most cards, are laid out once."""

    def __init__(self, pdf: FPDF, ways: Sequence[JoinWay], tr: Translator) -> None:
        self.pdf, self.ways, self.tr = pdf, ways, tr
        self.text_left = PAD + len(ways) * (QR_SIZE + GAP)
        self._lines: dict[str, list[str]] = {}

    def draw(self, invitation: Invitation, *, x: float, y: float) -> None:
        """One card with its top left corner at (``x``, ``y``)."""
        pdf, width = self.pdf, CARD_W - 2 * PAD
        pdf.set_xy(x + PAD, y + PAD)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 4.5, invitation.unit_name, new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        pdf.cell(width, 4, role_text(invitation.role, self.tr), new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 15)
        pdf.cell(width, 8, invitation.code, new_x="LEFT", new_y="NEXT")
        top = pdf.get_y() + 1
        pdf.set_font("DejaVu", "", 7)
        for n, way in enumerate(self.ways):
            left = x + PAD + n * (QR_SIZE + GAP)
            pdf.image(qr_image(way.qr_text(invitation.code)), x=left, y=top, w=QR_SIZE,
                      h=QR_SIZE)
            pdf.set_xy(left, top + QR_SIZE)
            pdf.cell(QR_SIZE, 3, way.brand, align="C")
        pdf.set_font("DejaVu", "", 6.5)
        for n, line in enumerate(self._laid_out(invitation)):
            pdf.set_xy(x + self.text_left, top + n * 3)
            pdf.cell(CARD_W - PAD - self.text_left, 3, line)

    def _laid_out(self, invitation: Invitation) -> list[str]:
        text = "\n".join(card_instructions(invitation, self.ways, self.tr))
        if text not in self._lines:
            self._lines[text] = self.pdf.multi_cell(
                CARD_W - PAD - self.text_left, 3, text, dry_run=True, output="LINES")
        return self._lines[text]


def card_instructions(invitation: Invitation, ways: Sequence[JoinWay],
                      tr: Translator) -> list[str]:
    """The lines under a card's codes: one per messenger, and until when the code works."""
    lines = []
    for way in ways:
        if way.link(invitation.code):
            lines.append(tr._("{messenger}: scan its QR code with the phone's camera and press "
                              "Start.").format(messenger=way.brand))
        else:
            lines.append(tr._("{messenger}: open the isobot chat and send it the code "
                              "above.").format(messenger=way.brand))
    until = tr.datetime(invitation.expires_at.astimezone(VIETNAM))
    lines.append(tr._("The code works once, until {moment}.").format(moment=until))
    return lines


def qr_image(text: str) -> Image.Image:
    """``text`` as a QR code: black modules on white with the standard quiet zone, each
    module :data:`QR_SCALE` pixels, so it stays sharp however a viewer scales it."""
    # A fixed mask: choosing the best of eight takes three quarters of the time, and any mask
    # reads (ISO/IEC 18004); the cards of a province are thousands of codes.
    matrix = segno.make(text, error="m", micro=False, mask=0).matrix
    modules, border = len(matrix), 4
    size = modules + 2 * border
    pixels = bytearray(b"\xff" * size * size)
    for y, row in enumerate(matrix):
        start = (y + border) * size + border
        pixels[start:start + modules] = bytes(0 if dark else 255 for dark in row)
    image = Image.frombytes("L", (size, size), bytes(pixels))
    return image.resize((size * QR_SCALE, size * QR_SCALE), Image.NEAREST).convert("1")
