"""The year's summary of a 3,500-unit subtree (issue 26): ``isobot report --under`` on a province.

**Measures** the summary of one synthetic province of 3,500 units (departments, communes and
their schools, as bench/country.py builds them; an ISO officer in nine units of ten) with a
year of records: per unit an internal audit and a management review done, four quarterly
reports and the annual report (one in five late), two directives (one overdue), a legal
update and four self-checks, about 50,000 obligations and 35,000 events. Timed: the report as
the command builds it (query, rules, DOCX) in a child process, its wall time and peak RSS.
**Reference**, in the same run and the same way: python-docx writing a plain table of the same
size (one row per unit, seven columns of the same texts) and nothing else. **Goal:** ≤ 30 s and
≤ 300 MB.

Prints figures; asserts nothing. Run: .venv/bin/python bench/annual_report.py [--units 3500]
[--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from country import ROOT, country_rows, peak_mb
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from storage.db import make_engine, upgrade
from storage.models import Event, Member, Obligation, Role, Unit
from storage.units import upsert_units

YEAR, NOW = 2026, dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
DONE = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
COLUMNS = 7


def province(units: int) -> list[tuple[str, str, str, str | None]]:
    """One province of ``units`` units, parents first."""
    rows = [r for r in country_rows(units * 34) if r[0] == "P00" or r[0].startswith("P00-")]
    return [(code, name, kind, parent or None) for code, name, kind, parent in rows[:units]]


def duties(unit_id: int, n: int) -> list[tuple[dict, bool]]:
    """A unit's obligations of the year: (row, done) pairs."""
    late = n % 5 == 0
    rows = [("internal_audit", str(YEAR), dt.date(YEAR, 10, 31), True),
            ("management_review", str(YEAR), dt.date(YEAR, 11, 30), True),
            ("annual_report", str(YEAR), dt.date(YEAR, 12, 5), not late),
            ("directive", f"CD-{n % 7}", dt.date(YEAR, 6, 1), True),
            ("directive", f"CD-{n % 7 + 10}", dt.date(YEAR, 12, 1), False),
            ("legal_update", f"VB-{n % 3}", dt.date(YEAR, 9, 1), True)]
    rows += [("quarterly_report", f"{YEAR}-Q{q}", dt.date(YEAR, 3 * q, 15), True)
             for q in range(1, 5)]
    rows += [("self_check", f"{YEAR}-Q{q}", dt.date(YEAR, 3 * q, 10), True)
             for q in range(1, 5)]
    return [({"unit_id": unit_id, "duty_key": key, "period": period, "due": due,
              "status": "done" if done else "open", "source": "catalog",
              "label": period if period.startswith(("CD", "VB")) else None,
              "done_at": DONE + dt.timedelta(days=300 if late else 0) if done else None,
              "created_at": DONE}, done) for key, period, due, done in rows]


def seed(url: str, units: int) -> None:
    """The province, its officers and a year of records, in bulk (not measured)."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        upsert_units(session, rows=province(units), now=DONE)
        session.commit()
        ids = sorted(session.exec(select(Unit.id)))
        session.execute(Member.__table__.insert(), [
            {"unit_id": uid, "role": Role.OFFICER.value, "platform": "telegram",
             "platform_user_id": str(uid), "chat_id": str(uid), "joined_at": DONE}
            for n, uid in enumerate(ids) if n % 10])
        pairs = [pair for n, uid in enumerate(ids) for pair in duties(uid, n)]
        session.execute(Obligation.__table__.insert(), [row for row, _ in pairs])
        session.commit()
        done = session.exec(select(Obligation.id, Obligation.unit_id)
                            .where(Obligation.status == "done").order_by(Obligation.id)).all()
        session.execute(Event.__table__.insert(), [
            {"reference": f"ISO-{YEAR}-{oid:06d}", "obligation_id": oid, "unit_id": uid,
             "actor": "bench", "at": DONE, "kind": "done", "document_number": f"{oid}/BC-UBND",
             "document_date": DONE.date(), "nonconformities": oid % 4} for oid, uid in done])
        session.commit()
        obligations, events = Obligation.__table__, Event.__table__
        session.execute(obligations.update().where(obligations.c.status == "done").values(
            done_event_id=sa_select(events.c.id)
            .where(events.c.obligation_id == obligations.c.id).scalar_subquery()))
        session.commit()
    engine.dispose()


def child_report(url: str, out: str) -> dict:
    """In a child: the summary as ``isobot report --under P00`` builds it."""
    from typer.testing import CliRunner

    from bot.cli.main import app

    started = time.perf_counter()
    result = CliRunner().invoke(app, ["report", "--under", "P00", "--year", str(YEAR), "--out",
                                      out], env={"DATABASE_URL": url, "ISOBOT_LANG": "vi",
                                                 "ISOBOT_NOW": NOW.isoformat()})
    if result.exit_code:
        raise SystemExit(result.output)
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "bytes": Path(out).stat().st_size}


def child_reference(units: int, out: str) -> dict:
    """In a child: python-docx writing a plain table of the same size, nothing else."""
    from docx import Document

    started = time.perf_counter()
    document = Document()
    table = document.add_table(rows=units + 1, cols=COLUMNS)
    for n, row in enumerate(table.rows):
        texts = (str(n), f"Trường {n:04d} xã {n % 230:03d} tỉnh 00", "31/10/2026", "30/11/2026",
                 "4/5", "1/2", "Có việc quá hạn")
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    Path(out).write_bytes(buffer.getvalue())
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(),
            "bytes": len(buffer.getvalue())}


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=3500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        found = child_report(*rest) if kind == "report" else child_reference(int(rest[0]),
                                                                             rest[1])
        print(json.dumps(found))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        started = time.perf_counter()
        seed(url, args.units)
        print(f"{args.units} units seeded in {time.perf_counter() - started:.1f} s")
        reports, references = [], []
        for _ in range(args.runs):  # alternated, so a busy moment weighs on both
            reports.append(run_child("report", url, f"{folder}/summary.docx"))
            references.append(run_child("reference", str(args.units), f"{folder}/plain.docx"))
    for name, runs in (("isobot report --under", reports), ("python-docx plain table", references)):
        print(f"{name}: median {statistics.median(r['seconds'] for r in runs):.1f} s, "
              f"peak {max(r['peak_mb'] for r in runs):.0f} MB, "
              f"{runs[0]['bytes'] / 1024:.0f} KB")
    ratio = statistics.median(r["seconds"] for r in reports) / \
        statistics.median(r["seconds"] for r in references)
    print(f"report / reference: {ratio:.1f} ×  (goal: ≤ 30 s, ≤ 300 MB)")


if __name__ == "__main__":
    main()
