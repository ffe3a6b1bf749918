"""``isobot plan`` starts without loading what only other commands use.

Each command's module is imported when that command runs (bot/cli/lazy.py) and reading the
settings loads no messenger, so the planning tick an operator or a timer starts does not wait
for the PDF, spreadsheet, Word, chart and messenger libraries of the other commands. Checked by
what a fresh ``isobot`` process has loaded when it ends, never by a clock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from jobs.text.i18n import translator

# The ``isobot`` script, naming every package the process loaded as it exits.
PROBE = """
import atexit, sys
atexit.register(lambda: print(" ".join(sorted({m.split(".")[0] for m in sys.modules})),
                              file=sys.stderr))
sys.argv[0] = "isobot"
from bot.cli.main import app
app()
"""
#: Libraries of the other commands (documents, reports, charts) and of the messengers.
NOT_FOR_PLANNING = {"openpyxl", "docx", "fpdf", "fontTools", "pypdf", "numpy", "matplotlib",
                    "icalendar", "PIL", "segno", "telegram", "httpx", "aiohttp", "boto3"}


def isobot(*args: str, database: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": f"sqlite:///{database}",
                               "ISOBOT_LANG": "vi", "COLUMNS": "200"}, check=False)
    loaded = set(done.stderr.strip().splitlines()[-1].split()) if done.stderr.strip() else set()
    return done, loaded


def test_plan_help_loads_no_other_commands_libraries(tmp_path):
    done, loaded = isobot("plan", "--help", database=f"{tmp_path}/unused.sqlite3")
    assert done.returncode == 0, done.stderr
    assert translator("vi")._("Print JSON for scripts.") in done.stdout
    assert loaded & NOT_FOR_PLANNING == set()


def test_a_planning_tick_loads_no_other_commands_libraries(tmp_path):
    done, loaded = isobot("plan", "--dry-run", "--json", "--now", "2026-12-01T08:00",
                          database=f"{tmp_path}/isobot.sqlite3")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dry_run"] is True
    assert loaded & NOT_FOR_PLANNING == set()


def test_the_full_help_still_lists_every_command(tmp_path):
    done, _ = isobot("--help", database=f"{tmp_path}/unused.sqlite3")
    assert done.returncode == 0, done.stderr
    assert {"plan", "units", "directive", "export", "person"} <= set(done.stdout.split())
