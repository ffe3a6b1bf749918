"""`isobot directive import` and `isobot legal import`: a directive or legal document read from
the file the province's document system exported, shown as a draft, sent only with --yes."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Directive, EvidenceFile, LegalDocument, Obligation, Outbox
from tests.conftest import at
from tests.support import cli
from tests.support.cli import one_line
from tests.support.document_files import pdf_of, scanned_pdf

NOW = at("2026-12-01 09:00")

# Not from the corpus: a package from the An Giang department of science and technology.
PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLHeader>
<edXMLMessageHeader>
<From><OrganId>000.01.H01</OrganId><OrganName>Sở KH&amp;CN tỉnh An Giang</OrganName></From>
<To><OrganName>Trường THPT Long Xuyên</OrganName></To>
<To><OrganName>Trường THPT Thoại Ngọc Hầu</OrganName></To>
<Code><CodeNumber>2390</CodeNumber><CodeNotation>SKHCN-TĐC</CodeNotation></Code>
<PromulgationInfo><Place>An Giang</Place><PromulgationDate>2026-11-30</PromulgationDate>
</PromulgationInfo>
<Subject>Gửi kế hoạch khắc phục sau kiểm tra HTQLCL</Subject>
<DueDate>2026-12-12</DueDate>
</edXMLMessageHeader></edXMLHeader></edXMLEnvelope>"""

LETTER = """ỦY BAN NHÂN DÂN
HUYỆN NÔNG SƠN
Số: 470/UBND-VP
Nông Sơn, ngày 30 tháng 11 năm 2026
V/v gửi biên bản họp xem xét của lãnh đạo năm 2026
Kính gửi: Chủ tịch UBND các xã
Đề nghị UBND các xã gửi biên bản chậm nhất là ngày 22 tháng 12 năm 2026.
Nơi nhận:
- Như trên;
- Lưu: VT."""


def isobot(database_url, *args):
    return cli.isobot(database_url, *args, now=NOW)


@pytest.fixture
def sample(database_url):
    assert cli.isobot(database_url, "units", "import", "--sample", "--before-reform",
                      now=at("2026-01-05 08:00")).exit_code == 0
    return database_url


def written(database_url) -> tuple[int, int, int, int]:
    with session_scope(cli_engine(database_url)) as session:
        return tuple(len(session.exec(select(table)).all())
                     for table in (Directive, Obligation, Outbox, EvidenceFile))


def cli_engine(database_url):
    return make_engine(database_url)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "cv.edxml").write_text(PACKAGE, encoding="utf-8")
    (tmp_path / "cv.pdf").write_bytes(pdf_of(LETTER))
    return tmp_path


def test_an_edxml_package_gives_the_draft_and_a_dry_run_writes_nothing(sample, files):
    before = written(sample)
    result = isobot(sample, "directive", "import", str(files / "cv.edxml"), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "number": "2390/SKHCN-TĐC", "date": "2026-11-30", "issuer": "AGG-SKHCN",
        "subject": "Gửi kế hoạch khắc phục sau kiểm tra HTQLCL",
        "due": "2026-12-14",  # Saturday 12/12 moves to Monday
        "targets": ["AGG-THPT-LX", "AGG-THPT-TNH"], "unmatched": [], "source": "cv.edxml"}
    assert written(sample) == before


def test_a_pdf_gives_the_draft_and_a_dry_run_writes_nothing(sample, files):
    before = written(sample)
    result = isobot(sample, "directive", "import", str(files / "cv.pdf"), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    draft = json.loads(result.stdout)
    assert (draft["number"], draft["date"], draft["issuer"], draft["due"], draft["targets"]) == (
        "470/UBND-VP", "2026-11-30", "QNA-NS", "2026-12-22", ["QNA-NS-QLOC", "QNA-NS-QTRUNG"])
    assert written(sample) == before


def test_without_yes_the_operator_reads_the_draft_in_vietnamese(sample, files):
    result = isobot(sample, "directive", "import", str(files / "cv.pdf"))
    assert result.exit_code == 0, result.output
    assert "470/UBND-VP" in result.stdout and "22/12/2026" in result.stdout
    assert "UBND xã Quế Lộc" in result.stdout
    assert "--yes" in result.stdout.splitlines()[-1]


def test_yes_gives_each_target_a_directive_due_on_the_deadline_and_keeps_the_file(sample,
                                                                                   files):
    result = isobot(sample, "directive", "import", str(files / "cv.edxml"), "--yes")
    assert result.exit_code == 0, result.output
    with session_scope(cli_engine(sample)) as session:
        directive = session.exec(select(Directive)).one()
        assert (directive.number, directive.due.isoformat()) == ("2390/SKHCN-TĐC", "2026-12-14")
        owed = session.exec(select(Obligation).where(Obligation.duty_key == "directive")).all()
        assert sorted(o.due.isoformat() for o in owed) == ["2026-12-14", "2026-12-14"]
        kept = session.exec(select(EvidenceFile)).one()
        assert kept.ref == f"directive:{directive.id}"
        assert kept.staged == PACKAGE.encode()
    again = isobot(sample, "directive", "import", str(files / "cv.edxml"), "--yes")
    assert again.exit_code == 2
    assert "2390/SKHCN-TĐC" in one_line(again)


BAD = {
    "scan.pdf": scanned_pdf(),
    "bomb.edxml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
                  b'<edXMLEnvelope xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&b;'
                  b"</edXMLEnvelope>",
    "other.edxml": PACKAGE.replace("QCVN_102_2016", "other").encode(),
    "no-number.txt": LETTER.replace("Số: 470/UBND-VP", "").encode(),
    "no-such-day.txt": LETTER.replace("ngày 30 tháng 11", "ngày 31 tháng 11").encode(),
    "nobody.txt": LETTER.replace("Chủ tịch UBND các xã", "Sở Y tế tỉnh Bình Định").encode(),
    "photo.jpg": b"\xff\xd8\xff\xe0",
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_one_line_and_sends_nothing(sample, tmp_path, name):
    (tmp_path / name).write_bytes(BAD[name])
    before = written(sample)
    result = isobot(sample, "directive", "import", str(tmp_path / name), "--yes")
    assert result.exit_code == 2
    assert one_line(result)
    assert written(sample) == before


def test_a_file_of_50_mb_is_refused_unread(sample, tmp_path):
    big = tmp_path / "big.pdf"
    with big.open("wb") as file:
        file.truncate(50 * 1024 * 1024)
    result = isobot(sample, "directive", "import", str(big), "--yes")
    assert result.exit_code == 2
    assert "MB" in one_line(result)


DECREE = """CHÍNH PHỦ
Số: 15/2026/NĐ-CP
Hà Nội, ngày 10 tháng 11 năm 2026
NGHỊ ĐỊNH
Quy định về áp dụng hệ thống quản lý chất lượng
Điều 20. Nghị định này có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2027."""


def test_legal_import_registers_what_legal_add_registers(sample, tmp_path):
    (tmp_path / "nd.txt").write_text(DECREE, encoding="utf-8")
    shown = isobot(sample, "legal", "import", str(tmp_path / "nd.txt"), "--unit", "QNG-MD")
    assert shown.exit_code == 0 and "01/01/2027" in shown.stdout
    result = isobot(sample, "legal", "import", str(tmp_path / "nd.txt"), "--unit", "QNG-MD",
                    "--yes")
    assert result.exit_code == 0, result.output
    with session_scope(cli_engine(sample)) as session:
        document = session.exec(select(LegalDocument)).one()
        assert (document.number, document.effective.isoformat()) == ("15/2026/NĐ-CP",
                                                                     "2027-01-01")
        assert document.title.startswith("Nghị định Quy định")
    missing = DECREE.replace("có hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2027", "")
    (tmp_path / "nd2.txt").write_text(missing, encoding="utf-8")
    refused = isobot(sample, "legal", "import", str(tmp_path / "nd2.txt"), "--all", "--yes")
    assert refused.exit_code == 2 and "legal add" in one_line(refused)
