"""Document files as a document system exports them, made in the test: a PDF with a text
layer (or a scan without one) and a DOCX with Decree 30's two-column heading."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import matplotlib
from fpdf import FPDF

# A font with Vietnamese letters, shipped with matplotlib (already a dependency).
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def pdf_of(text: str) -> bytes:
    """A PDF whose text layer is ``text``, line by line."""
    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    for line in text.split("\n"):
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    """A PDF of a page with only a picture on it, as a scanner makes: no text layer."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(90, 90, 90)
    for row in range(20):
        pdf.rect(20, 20 + row * 8, 170, 4, style="F")
    return bytes(pdf.output())


def docx_of(heading: tuple[str, str], number_line: str, date_line: str, body: str) -> bytes:
    """A DOCX laid out as Decree 30 says: a table of organ | motto, then number | date."""
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = heading[0] + "\n" + heading[1]
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    table.cell(1, 0).text = number_line
    table.cell(1, 1).text = date_line
    for paragraph in body.split("\n"):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


#: A district's letter to its communes and a department, as a supervisor pastes or exports it.
LETTER = """ỦY BAN NHÂN DÂN
HUYỆN MỘ ĐỨC
Số: 1300/UBND-KT
Mộ Đức, ngày 30 tháng 11 năm 2026
V/v gửi báo cáo khắc phục sau đánh giá nội bộ
Kính gửi:
- UBND các xã, thị trấn;
- Phòng Tài chính - Kế hoạch.
Đề nghị các đơn vị gửi báo cáo chậm nhất ngày 19/12/2026.
Nơi nhận:
- Như trên;
- Lưu: VT."""
