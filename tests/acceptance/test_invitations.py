"""A province comes aboard in a day: ``isobot invite --under … --out … --pdf …`` writes a sheet
with a code for every unit and cards whose QR codes carry them; bad input creates nothing."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from openpyxl import load_workbook
from sqlmodel import select

from jobs.people.registration import redeem_invite
from jobs.text.i18n import translator
from storage.db import make_engine, session_scope
from storage.models import Invite, Unit
from tests.conftest import at
from tests.support import cli

vi = translator("vi")
NOW = at("2026-12-01 09:00")
AN_GIANG = ["AGG", "AGG-SKHCN", "AGG-STP", "AGG-THPT-LX", "AGG-THPT-TNH"]
BOT = {"TELEGRAM_BOT_USERNAME": "isobot_angiang_bot"}


def isobot(database_url, *args, now=NOW):
    return cli.isobot(database_url, *args, now=now, env=BOT)


@pytest.fixture
def sample(database_url):
    assert isobot(database_url, "units", "import", "--sample", "--before-reform",
                  now=at("2026-01-05 08:00")).exit_code == 0
    return database_url


def sheet_rows(path: Path) -> list[dict[str, object]]:
    """The XLSX's rows by their (Vietnamese) headers."""
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[0]]


def cards(path: Path) -> tuple[str, list[str]]:
    """The PDF's text and what each of its QR codes decodes to, in page order."""
    reader = pypdf.PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    decoded = []
    for page in reader.pages:
        for image in page.images:
            found = zxingcpp.read_barcodes(image.image)
            assert len(found) == 1, image.name
            decoded.append(found[0].text)
    return text, decoded


def stored_codes(database_url) -> dict[str, list[str]]:
    with session_scope(make_engine(database_url)) as session:
        found: dict[str, list[str]] = {}
        for invite, unit in session.exec(select(Invite, Unit).join(Unit)):
            found.setdefault(unit.code, []).append(invite.code)
        return found


def test_an_giang_gets_a_code_per_unit_on_the_sheet_and_a_qr_per_card(sample, tmp_path):
    sheet, pdf = tmp_path / "an-giang.xlsx", tmp_path / "an-giang.pdf"
    result = isobot(sample, "invite", "--under", "AGG", "--role", "officer",
                    "--out", str(sheet), "--pdf", str(pdf))
    assert result.exit_code == 0, result.output

    rows = sheet_rows(sheet)
    codes = {row[vi._("Unit")]: row[vi._("Invite code")] for row in rows}
    assert sorted(codes) == AN_GIANG
    assert codes == {unit: only for unit, [only] in stored_codes(sample).items()}
    school = next(r for r in rows if r[vi._("Unit")] == "AGG-THPT-LX")
    assert school[vi._("Unit name")] == "Trường THPT Long Xuyên"
    assert school[vi._("Parent unit")] == "AGG"
    assert school[vi._("Role")] == vi._("ISO officer")
    assert school[vi._("Join on {messenger}").format(messenger="Telegram")] == \
        f"https://t.me/isobot_angiang_bot?start={codes['AGG-THPT-LX']}"
    assert codes["AGG-THPT-LX"] in school[vi._("Join on {messenger}").format(messenger="Zalo")]

    text, decoded = cards(pdf)
    assert "Trường THPT Thoại Ngọc Hầu" in text  # the Vietnamese letters survive the font
    for unit, code in codes.items():
        assert code in text
        carrying = [d for d in decoded if code in d]
        # Zalo's QR holds the code itself; Telegram's the link that opens the chat with it.
        link = f"https://t.me/isobot_angiang_bot?start={code}"
        assert sorted(carrying) == sorted([code, link]), unit
    assert len(decoded) == 2 * len(AN_GIANG)


def test_a_second_sheet_hands_out_the_open_codes_and_again_revokes_them(sample, tmp_path):
    args = ("invite", "--under", "AGG", "--role", "officer", "--out")
    assert isobot(sample, *args, str(tmp_path / "1.xlsx")).exit_code == 0
    first = {r[vi._("Unit")]: r[vi._("Invite code")] for r in sheet_rows(tmp_path / "1.xlsx")}
    assert isobot(sample, *args, str(tmp_path / "2.xlsx")).exit_code == 0
    second = {r[vi._("Unit")]: r[vi._("Invite code")] for r in sheet_rows(tmp_path / "2.xlsx")}
    assert second == first

    assert isobot(sample, *args, str(tmp_path / "3.xlsx"), "--again").exit_code == 0
    third = {r[vi._("Unit")]: r[vi._("Invite code")] for r in sheet_rows(tmp_path / "3.xlsx")}
    assert sorted(third) == AN_GIANG and not set(third.values()) & set(first.values())
    with session_scope(make_engine(sample)) as session:
        old = redeem_invite(session, code=first["AGG-STP"], platform="zalo", user_id="u1",
                            chat_id="u1", display_name="Lan", now=NOW)
        new = redeem_invite(session, code=third["AGG-STP"], platform="zalo", user_id="u1",
                            chat_id="u1", display_name="Lan", now=NOW)
    assert old.problem == "expired" and new.problem is None

    # AGG-STP has its officer now: the next sheet leaves it out.
    assert isobot(sample, *args, str(tmp_path / "4.xlsx")).exit_code == 0
    fourth = {r[vi._("Unit")] for r in sheet_rows(tmp_path / "4.xlsx")}
    assert fourth == set(AN_GIANG) - {"AGG-STP"}


@pytest.mark.parametrize("args, said", [
    (["--under", "XYZ"], vi._("Unknown unit code: {codes}").format(codes="XYZ")),
    (["--under", "AGG-STP", "--kind", "school"], vi._("No active unit matches.")),
    (["--under", "AGG", "--role", "boss"], "--role"),
    (["--under", "AGG", "--out", "{tmp}/no/such/folder.xlsx"],
     vi._("{path}: the folder does not exist.").format(path="{tmp}/no/such/folder.xlsx")),
    (["--under", "AGG", "--out", "{tmp}/exists.xlsx"],
     vi._("{path} exists already: name a new file.").format(path="{tmp}/exists.xlsx")),
    (["--under", "AGG", "--out", "{tmp}/sheet.csv"],
     vi._("{path}: the file name must end in {suffix}.").format(path="{tmp}/sheet.csv",
                                                                 suffix=".xlsx")),
])
def test_bad_input_is_one_line_exit_2_and_creates_nothing(sample, tmp_path, args, said):
    (tmp_path / "exists.xlsx").write_bytes(b"the operator's own file")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--role" not in args:
        args += ["--role", "officer"]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "new.xlsx"), "--pdf", str(tmp_path / "new.pdf")]
    result = isobot(sample, "invite", *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said.replace("{tmp}", str(tmp_path)) in lines[0], result.stderr
    assert stored_codes(sample) == {}
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".xlsx", ".pdf")) == \
        ["exists.xlsx"]
    assert (tmp_path / "exists.xlsx").read_bytes() == b"the operator's own file"


def test_a_file_that_cannot_be_written_leaves_no_sheet_and_no_code(sample, tmp_path,
                                                                    monkeypatch):
    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("bot.cli.people.invitations.write_invitation_cards", full_disk)
    result = isobot(sample, "invite", "--under", "AGG", "--role", "officer",
                    "--out", str(tmp_path / "a.xlsx"), "--pdf", str(tmp_path / "a.pdf"))
    assert result.exit_code == 1
    assert result.stderr.strip() == vi._("The file cannot be written: {reason}.").format(
        reason="No space left on device")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("a.", ".a."))]
    assert stored_codes(sample) == {}


def test_units_status_shows_who_joined_with_stable_csv_headers(sample, tmp_path):
    assert isobot(sample, "invite", "--under", "AGG", "--role", "officer", "--out",
                  str(tmp_path / "a.xlsx")).exit_code == 0
    code = next(r[vi._("Invite code")] for r in sheet_rows(tmp_path / "a.xlsx")
                if r[vi._("Unit")] == "AGG-STP")
    with session_scope(make_engine(sample)) as session:
        assert redeem_invite(session, code=code, platform="zalo", user_id="u1", chat_id="u1",
                             display_name="Lan", now=NOW).problem is None

    result = isobot(sample, "units", "status", "--under", "AGG", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == \
        "code,name,kind,officers,heads,supervisors,open_invites,last_activity"
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert sorted(rows) == AN_GIANG
    assert rows["AGG-STP"]["officers"] == "1" and rows["AGG-STP"]["open_invites"] == "0"
    assert rows["AGG-STP"]["last_activity"].startswith("2026-12-01T")
    assert all(rows[c]["officers"] == "0" and rows[c]["open_invites"] == "1"
               for c in AN_GIANG if c != "AGG-STP")

    text = isobot(sample, "units", "status", "--under", "AGG")
    assert text.stdout.splitlines()[-1] == vi._(
        "{units} units: {joined} with an ISO officer, {waiting} without; {invites} open "
        "invitations.").format(units=5, joined=1, waiting=4, invites=4)
    sheet = tmp_path / "status.xlsx"
    assert isobot(sample, "units", "status", "--format", "xlsx", "--out", str(sheet)).exit_code == 0
    assert {r[vi._("Unit")] for r in sheet_rows(sheet)} >= set(AN_GIANG)


def test_one_code_as_before_and_a_clear_line_without_unit_or_out(sample):
    one = isobot(sample, "invite", "--unit", "AGG-STP", "--role", "head")
    assert one.exit_code == 0
    assert re.search(r": [2-9A-Z]{12}$", one.stdout.splitlines()[0])
    neither = isobot(sample, "invite", "--role", "head")
    assert neither.exit_code == 2
    assert neither.stderr.strip() == vi._(
        "Give one --unit CODE, or --out FILE.xlsx for the codes of many units.")
