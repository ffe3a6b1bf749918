"""Reading directives as the document system exports them: fields, units, refusals."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from jobs.calendar.workdays import WorkCalendar
from jobs.documents.draft import NO_TARGETS, make_draft
from jobs.documents.edxml import PackageRefused
from jobs.documents.fields import Problem, read_fields
from jobs.documents.reading import MAX_BYTES, MAX_UNPACKED_BYTES, Unreadable, read_document
from jobs.documents.recipients import name_key
from tests.support.document_corpus import FIELDS, read_corpus, sample_tree
from tests.support.document_files import docx_of, pdf_of, scanned_pdf

CALENDAR = WorkCalendar()
READINGS = read_corpus(CALENDAR)

LETTER = """ỦY BAN NHÂN DÂN
HUYỆN MỘ ĐỨC
Số: 1201 /UBND-VP
Mộ Đức, ngày 08 tháng 12 năm 2026
V/v gửi báo cáo tự kiểm tra hồ sơ HTQLCL
Kính gửi:
- Phòng Kinh tế và Hạ tầng;
- UBND xã Đức Phong.
Đề nghị các đơn vị gửi báo cáo trước ngày 19/12/2026.
Nơi nhận:
- Như trên;
- Lưu: VT."""


@pytest.mark.parametrize("reading", READINGS, ids=lambda r: r.name)
def test_every_corpus_document_gives_every_field_right(reading):
    wrong = {f: (reading.expected[f], reading.found[f]) for f in FIELDS if not reading.right(f)}
    assert wrong == {}


def test_the_corpus_has_what_the_issue_asks_for():
    names = [r.name for r in READINGS]
    assert len(names) >= 16
    assert sum(n.endswith(".edxml") for n in names) >= 2
    assert sum(n.startswith("seed-") for n in names) == 2


def test_names_compare_without_case_diacritics_or_short_forms():
    assert name_key("Ủy ban nhân dân tỉnh An Giang") == name_key("UBND TINH AN GIANG")
    assert name_key("Trường Trung học phổ thông Long Xuyên") == name_key("Trường THPT Long Xuyên")
    assert name_key("Sở KH&CN") == name_key("Sở Khoa học và Công nghệ")


def test_a_pdf_text_layer_reads_like_the_letter():
    draft = make_draft(read_document("cv.pdf", pdf_of(LETTER)),
                       tree=sample_tree(before_reform=True),
                       calendar=CALENDAR)
    assert draft.as_dict("cv.pdf") == {
        "number": "1201/UBND-VP", "date": "2026-12-08", "issuer": "QNG-MD",
        "subject": "gửi báo cáo tự kiểm tra hồ sơ HTQLCL",
        "due": "2026-12-21",  # Saturday 19/12 moves to Monday
        "targets": ["QNG-MD-DPHONG", "QNG-MD-KTHT"], "unmatched": [], "source": "cv.pdf"}


def test_a_docx_with_the_heading_in_a_table_reads_like_the_letter():
    content = docx_of(("ỦY BAN NHÂN DÂN", "HUYỆN MỘ ĐỨC"), "Số: 1201/UBND-VP",
                      "Mộ Đức, ngày 08 tháng 12 năm 2026",
                      "\n".join(LETTER.split("\n")[4:]))
    draft = make_draft(read_document("cv.docx", content), tree=sample_tree(before_reform=True),
                       calendar=CALENDAR)
    assert (draft.fields.number, draft.issuer.code, draft.due) == (
        "1201/UBND-VP", "QNG-MD", dt.date(2026, 12, 21))
    assert [u.code for u in draft.targets] == ["QNG-MD-DPHONG", "QNG-MD-KTHT"]


def test_a_scan_without_text_is_refused():
    with pytest.raises(Unreadable) as refused:
        read_document("scan.pdf", scanned_pdf())
    assert refused.value.reason == Unreadable.SCANNED


def test_a_file_too_large_or_of_another_type_is_refused():
    with pytest.raises(Unreadable) as refused:
        read_document("big.pdf", b"%PDF" + b"0" * MAX_BYTES)
    assert refused.value.reason == Unreadable.TOO_LARGE
    with pytest.raises(Unreadable) as refused:
        read_document("photo.jpg", b"\xff\xd8\xff")
    assert refused.value.reason == Unreadable.UNKNOWN_TYPE
    with pytest.raises(Unreadable) as refused:
        read_document("broken.docx", b"not a zip")
    assert refused.value.reason == Unreadable.DAMAGED


def test_a_docx_that_would_unpack_to_more_than_a_letter_ever_holds_is_refused():
    """A zip bomb: a small file whose document.xml unpacks to more than MAX_UNPACKED_BYTES."""
    bomb = io.BytesIO()
    chunk = b" " * 2**20
    with (zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package,
          package.open("word/document.xml", "w", force_zip64=True) as member):
        for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
            member.write(chunk)
    assert len(bomb.getvalue()) < MAX_BYTES
    with pytest.raises(Unreadable) as refused:
        read_document("letter.docx", bomb.getvalue())
    assert refused.value.reason == Unreadable.TOO_LARGE


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><Subject>&lol2;</Subject>
</edXMLEnvelope>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><Subject>&secret;</Subject>
</edXMLEnvelope>"""


@pytest.mark.parametrize("package", [BOMB, EXTERNAL], ids=["bomb", "external-entity"])
def test_an_xml_bomb_or_external_entity_is_refused_not_expanded(package):
    with pytest.raises(PackageRefused) as refused:
        read_document("bomb.edxml", package)
    assert refused.value.reason == PackageRefused.UNSAFE


def test_a_package_in_another_namespace_or_broken_is_refused():
    with pytest.raises(PackageRefused) as refused:
        read_document("x.edxml", b'<edXMLEnvelope xmlns="urn:other"><Subject>x</Subject>'
                                 b"</edXMLEnvelope>")
    assert refused.value.reason == PackageRefused.NAMESPACE
    with pytest.raises(PackageRefused) as refused:
        read_document("x.edxml", b"<edXMLEnvelope")
    assert refused.value.reason == PackageRefused.MALFORMED


def test_what_a_letter_lacks_is_named():
    fields = read_fields("An Giang, ngày 31 tháng 02 năm 2026\nV/v nộp báo cáo\n")
    assert fields.problems == (Problem.NO_NUMBER, Problem.BAD_DATE)
    assert read_fields("Số: 12/UBND-VP\n").problems == (Problem.NO_SUBJECT, Problem.NO_DATE)


def test_recipients_that_match_nothing_are_reported():
    text = LETTER.replace("- Phòng Kinh tế và Hạ tầng;\n- UBND xã Đức Phong.",
                          "- Sở Giao thông vận tải.")
    draft = make_draft(read_fields(text), tree=sample_tree(before_reform=True), calendar=CALENDAR)
    assert draft.targets == [] and draft.unmatched == ["Sở Giao thông vận tải"]
    assert NO_TARGETS in draft.problems
