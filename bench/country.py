"""A synthetic country for the benchmarks, the databases to hold it, and measured child processes.

34 provinces, each with departments, communes and the communes' schools, cut to the number of
units asked for; one ISO officer per unit and a standing office (supervisor) per province. The
same country goes into SQLite and into PostgreSQL (a server of its own, started with
scripts/test-postgres.sh on another port, unless ``ISOBOT_BENCH_POSTGRES_URL`` names one).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from storage.db import make_engine, upgrade
from storage.models import Member, Role, Unit

ROOT = Path(__file__).resolve().parent.parent
PROVINCES = 34
DEPARTMENTS = 20
UNITS_PER_COMMUNE = 15  # the commune and its schools
BENCH_PG_PORT, BENCH_PG_DIR = "54349", "/tmp/isobot-bench-pg"


def country_rows(total: int) -> list[tuple[str, str, str, str]]:
    """``total`` units as (code, name, kind, parent code), parents first."""
    rows: list[tuple[str, str, str, str]] = []
    for p in range(PROVINCES):
        budget = total // PROVINCES + (1 if p < total % PROVINCES else 0)
        province = f"P{p:02d}"
        rows.append((province, f"UBND tỉnh {p:02d}", "province", ""))
        departments = min(DEPARTMENTS, budget - 1)
        rows += [(f"{province}-S{d:02d}", f"Sở {d:02d} tỉnh {p:02d}", "department", province)
                 for d in range(departments)]
        left = budget - 1 - departments
        communes = max(1, left // UNITS_PER_COMMUNE) if left else 0
        schools = left - communes
        for c in range(communes):
            commune = f"{province}-X{c:03d}"
            rows.append((commune, f"UBND xã {c:03d} tỉnh {p:02d}", "commune", province))
            mine = schools // communes + (1 if c < schools % communes else 0)
            rows += [(f"{commune}-T{s:02d}", f"Trường {s:02d} xã {c:03d}", "school", commune)
                     for s in range(mine)]
    return rows


def write_units_file(path: Path, total: int) -> Path:
    """The units file ``isobot units import`` reads."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "kind", "parent"])
        writer.writerows(country_rows(total))
    return path


def register_people(url: str, now: dt.datetime) -> int:
    """An officer for every unit and a supervisor for every province, in bulk (not measured)."""
    engine = make_engine(url)
    with Session(engine) as session:
        units = session.execute(select(Unit.id, Unit.kind)).all()
        people = [{"unit_id": uid, "role": Role.OFFICER.value, "platform": "telegram",
                   "platform_user_id": str(uid), "chat_id": str(uid), "joined_at": now}
                  for uid, _ in units]
        people += [{"unit_id": uid, "role": Role.SUPERVISOR.value, "platform": "telegram",
                    "platform_user_id": f"s{uid}", "chat_id": f"s{uid}", "joined_at": now}
                   for uid, kind in units if kind == "province"]
        session.execute(Member.__table__.insert(), people)
        session.commit()
    engine.dispose()
    return len(people)


def postgres_server() -> str:
    """The URL of the PostgreSQL server the benchmarks use (its ``postgres`` database)."""
    if os.environ.get("ISOBOT_BENCH_POSTGRES_URL"):
        return os.environ["ISOBOT_BENCH_POSTGRES_URL"]
    env = {**os.environ, "ISOBOT_TEST_PG_PORT": BENCH_PG_PORT, "ISOBOT_TEST_PG_DIR": BENCH_PG_DIR}
    return subprocess.run([str(ROOT / "scripts" / "test-postgres.sh")], env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


@contextlib.contextmanager
def fresh_database(backend: str, server: str | None = None) -> Iterator[str]:
    """The URL of an empty, migrated database on ``backend``; dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3"
            upgrade(make_engine(url))
            yield url
        return
    name = f"isobot_bench_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measured(args: list[str], url: str) -> tuple[float, str]:
    """Run ``args`` (``isobot …``, or a script of this folder) against ``url``: wall seconds,
    and what it printed. (Not its peak memory: Linux counts into a child's ``ru_maxrss`` the
    parent's memory at the fork, so a child reports its own, from /proc/self/status.)"""
    env = {**os.environ, "DATABASE_URL": url, "ISOBOT_LANG": "en", "PYTHONPATH": str(ROOT)}
    command = [str(Path(sys.executable).parent / args[0]), *args[1:]] if args[0] == "isobot" \
        else [sys.executable, *args]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return seconds, done.stdout


def compile_sources() -> None:
    """Compile isobot's modules, as installing its wheel does (pip compiles what it installs).
    This machine sets PYTHONDONTWRITEBYTECODE, so each fresh ``isobot`` process of a bench
    compiled them all again from source: 60 ms of a 1 s ``isobot plan`` no deployment pays."""
    for package in ("bot", "jobs", "storage"):
        compileall.compile_dir(ROOT / package, quiet=1)


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (VmHWM; Linux)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def countries(description: str) -> Iterator[tuple[int, str, str | None, Path, int]]:
    """From the command line (--units, --runs, --backends): each (units, backend, server,
    units file, runs) to measure, the units file written once per size."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--units", default="5000,50000", help="sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per size and backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args, _ = parser.parse_known_args()
    backends = args.backends.split(",")
    server = postgres_server() if "postgresql" in backends else None
    with tempfile.TemporaryDirectory() as folder:
        for total in (int(n) for n in args.units.split(",")):
            units_file = write_units_file(Path(folder) / f"units-{total}.csv", total)
            for backend in backends:
                yield total, backend, server, units_file, args.runs
