"""The operator's command line, run in-process with its clock passed in (``ISOBOT_NOW``)."""

from __future__ import annotations

import datetime as dt

from typer.testing import CliRunner, Result

from bot.cli.main import app

_runner = CliRunner()


def isobot(database_url: str, *args: str, now: dt.datetime, lang: str = "vi",
           env: dict[str, str] | None = None) -> Result:
    """Run ``isobot ARGS`` against ``database_url`` as at ``now``, never the machine's clock;
    ``env`` adds settings (``ISOBOT_PROVINCE_CATALOGS``, …)."""
    return _runner.invoke(app, list(args), env={
        "DATABASE_URL": database_url, "ISOBOT_LANG": lang, "ISOBOT_NOW": now.isoformat(),
        **(env or {})})


def one_line(result: Result) -> str:
    """The error an operator reads: exactly one line, never a traceback."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]
