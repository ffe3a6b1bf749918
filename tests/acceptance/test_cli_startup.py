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

# The ``isobot`` script, naming every module the process loaded as it exits.
PROBE = """
import atexit, sys
atexit.register(lambda: print(" ".join(sorted(sys.modules)), file=sys.stderr))
sys.argv[0] = "isobot"
from bot.cli.main import app
app()
"""
#: Libraries of the other commands (documents, reports, charts), of the messengers, of the
#: migrations (a database already migrated needs none) and of the help's Markdown and colours.
NOT_FOR_PLANNING = {"openpyxl", "docx", "fpdf", "fontTools", "pypdf", "numpy", "matplotlib",
                    "icalendar", "PIL", "segno", "telegram", "httpx", "aiohttp", "boto3",
                    "alembic", "pygments", "markdown_it"}


def isobot(*args: str, database: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """The command's outcome, and the packages (and isobot's own modules) it loaded."""
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env={**os.environ, "DATABASE_URL": f"sqlite:///{database}",
                               "ISOBOT_LANG": "vi", "COLUMNS": "200"}, check=False)
    modules = done.stderr.strip().splitlines()[-1].split() if done.stderr.strip() else []
    packages = {m.split(".")[0] for m in modules}
    return done, packages | {m for m in modules if m.startswith("bot.")}


def other_commands_and_messengers(loaded: set[str]) -> set[str]:
    """isobot's modules in ``loaded`` that only other commands or a running bot use: another
    command group's module, a messenger's beyond the settings it adds, the chat and the runtime."""
    def foreign(parts: list[str]) -> bool:
        if parts[:2] == ["bot", "cli"] and len(parts) > 3:
            return parts[2] != "planning"
        if parts[:2] == ["bot", "messengers"] and len(parts) > 3:
            return parts[3] != "settings"
        return parts[:2] in (["bot", "runtime"], ["bot", "chat"], ["bot", "features"])
    return {module for module in loaded if foreign(module.split("."))}


def test_plan_help_loads_no_other_commands_libraries(tmp_path):
    done, loaded = isobot("plan", "--help", database=f"{tmp_path}/unused.sqlite3")
    assert done.returncode == 0, done.stderr
    assert translator("vi")._("Print JSON for scripts.") in done.stdout
    assert loaded & NOT_FOR_PLANNING <= {"pygments", "markdown_it"}  # what help is shown with
    assert other_commands_and_messengers(loaded) == set()


def test_a_planning_tick_loads_no_other_commands_libraries(tmp_path):
    database = f"{tmp_path}/isobot.sqlite3"
    for args in (["units", "import", "--sample", "--now", "2026-11-30T07:00"],
                 ["plan", "--json", "--now", "2026-11-30T08:00"]):  # deployed, a first tick
        done, _ = isobot(*args, database=database)
        assert done.returncode == 0, done.stderr
    # The next tick, a process the timer starts, finds nothing new; with --dry-run, the same.
    for dry_run in (["--dry-run"], []):
        done, loaded = isobot("plan", *dry_run, "--json", "--now", "2026-11-30T08:05",
                              database=database)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["messages_queued"] == 0
        assert loaded & NOT_FOR_PLANNING == set()
        assert other_commands_and_messengers(loaded) == set()


def test_the_full_help_still_lists_every_command(tmp_path):
    done, _ = isobot("--help", database=f"{tmp_path}/unused.sqlite3")
    assert done.returncode == 0, done.stderr
    assert {"plan", "units", "directive", "export", "person"} <= set(done.stdout.split())
