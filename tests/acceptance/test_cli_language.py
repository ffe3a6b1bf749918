"""The operator's command line speaks Vietnamese end to end: its help, the unit kinds and the
reminder stages it prints, and its errors."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import typer

from bot.cli.help_texts import help_texts
from bot.cli.main import app
from jobs.text.i18n import translator
from storage.blobs import blob_key
from storage.db import make_engine, session_scope
from storage.models import EvidenceFile
from tests.conftest import at
from tests.support import cli

vi, en = translator("vi"), translator("en")
NOW = at("2026-12-01 08:00")
README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def isobot(url: str, *args: str, lang: str = "vi"):
    return cli.isobot(url, *args, now=NOW, lang=lang, env={"COLUMNS": "200"})


def test_isobot_help_describes_its_commands_in_vietnamese(tmp_path):
    shown = isobot(f"sqlite:///{tmp_path}/unused.sqlite3", "--help")
    assert shown.exit_code == 0, shown.output
    for english in ("The unit tree.", "The evidence store: the files officers sent.",
                    "Run the bot and its scheduler until stopped.", "Options", "Commands",
                    "Show this message and exit."):
        assert vi._(english) != english and vi._(english) in shown.stdout
        assert english not in shown.stdout
    # The English catalog follows the same texts.
    assert "The unit tree." in isobot(f"sqlite:///{tmp_path}/unused.sqlite3", "--help",
                                      lang="en").stdout


def test_a_commands_options_are_described_in_vietnamese(tmp_path):
    shown = isobot(f"sqlite:///{tmp_path}/unused.sqlite3", "person", "show", "--help")
    assert shown.exit_code == 0, shown.output
    text = " ".join(shown.stdout.replace("│", " ").split())
    for english in ("What isobot holds about the person behind an account, on every account "
                    "they linked.", "The messenger of the account.", "[required]"):
        assert vi._(english) != english and vi._(english) in text


def test_every_help_text_has_its_vietnamese():
    # A command added without translating its help fails here: `make messages`, translate.
    untranslated = [text for text in help_texts(typer.main.get_command(app))
                    if vi._(text) == text]
    assert untranslated == []


def test_unit_kinds_are_shown_by_their_labels(database_url):
    isobot(database_url, "units", "import", "--sample")
    listed = isobot(database_url, "units", "list").stdout
    assert f"QNG-MD-DTAN  UBND xã Đức Tân [commune] ({vi._('communes')})" in listed
    refused = isobot(database_url, "directive", "send", "--text", "Báo cáo", "--kind", "xa",
                     "--under", "QNG")
    assert refused.exit_code == 2
    assert f"commune ({vi._('communes')})" in refused.stderr
    assert f"department ({vi._('departments')})" in refused.stderr


def test_an_invite_names_the_role_in_vietnamese(database_url):
    isobot(database_url, "units", "import", "--sample")
    made = isobot(database_url, "invite", "--unit", "QNG-MD-DTAN", "--role", "head")
    assert made.exit_code == 0, made.output
    assert f"({vi._('head of unit')})" in made.stdout and "(head)" not in made.stdout


def test_the_simulation_names_stages_and_recipients_as_the_chat_does(tmp_path):
    shown = isobot(f"sqlite:///{tmp_path}/empty.sqlite3", "simulate", "--from", "2026-12-01",
                   "--to", "2026-12-03", "--unit", "QNG-MD-DTAN")
    assert shown.exit_code == 0, shown.output
    assert vi.ngettext("{n} day left", "{n} days left", 14).format(n=14) in shown.stdout
    assert vi.ngettext("{n} day overdue", "{n} days overdue", 3).format(n=3) in shown.stdout
    assert vi._("head of unit") in shown.stdout and vi._("ISO officer") in shown.stdout
    assert not re.search(r"before-\d+d|overdue-\d+d|escalate-|→ officer", shown.stdout)


def test_the_readme_runs_the_command_line_the_one_way_setup_installs_it():
    rows = [line for line in README.splitlines() if line.startswith("| `") and "isobot " in
            line.split("|")[1]]
    assert len(rows) > 20
    assert all(row.startswith("| `.venv/bin/isobot ") for row in rows)
    # Outside the container's own commands, no bare `isobot COMMAND` is left to fail.
    bare = re.findall(r"`isobot\s+[a-z-]+", README)
    assert bare == ["`isobot db", "`isobot --help"]  # the migrate service; the image check


def test_evidence_verify_prints_the_paths_the_readme_shows(tmp_path):
    # The default folder: evidence/ beside the SQLite file, each file under evidence/xx/HASH.
    url = f"sqlite:///{tmp_path}/data/isobot.sqlite3"
    (tmp_path / "data").mkdir()
    isobot(url, "db", "upgrade")
    digest = hashlib.sha256(b"%PDF-1.4 gone").hexdigest()
    with session_scope(make_engine(url)) as session:
        session.add(EvidenceFile(name="a.pdf", platform="zalo", state="stored", sha256=digest,
                                 blob_key=blob_key(digest), created_at=NOW,
                                 location=f"/srv/old-host/evidence/{blob_key(digest)}",
                                 next_attempt_at=NOW))
    checked = isobot(url, "evidence", "verify")
    assert checked.exit_code == 1
    missing = f"{tmp_path}/data/evidence/evidence/{digest[:2]}/{digest}"
    assert vi._("MISSING {location} (receipts {receipts})").format(
        location=missing, receipts="—") in checked.stdout
    quoted = vi._("MISSING {location} (receipts {receipts})").format(
        location="data/evidence/evidence/3f/3fa9…", receipts="ISO-2026-000001")
    assert f"`{quoted}`" in README.replace("\n", " ")
    assert "| `.venv/bin/isobot evidence verify` |" in README
