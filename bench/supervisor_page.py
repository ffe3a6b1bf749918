"""The supervisors' page (/tongquan) for a 3,500-unit province: how fast its data comes, and
how heavy the page is.

Seeds a province (departments, districts, their communes and schools) in SQLite with a year of
obligations as of Wednesday 2 December 2026, about three in four past ones done (some late),
and the province's standing office as supervisor. Then serves the page on isobot's web server
(its real part, on 127.0.0.1) beside a bare endpoint on the same server, and fetches each in
turn: the data endpoint's p50/p95 read beside the bare endpoint's (the reference, same run).
The page's weight is what a phone downloads to show it: the page, its script and style sheet
and the data, compressed as served (and uncompressed). Prints figures; asserts nothing.
Run: .venv/bin/python bench/supervisor_page.py [--units 3500] [--requests 60]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time

import aiohttp
from aiohttp import web
from country import fresh_database
from seeding import UnitRow, person, year_of_work
from sqlmodel import select

from bot.runtime.supervisor_page import STATIC, SupervisorPage
from bot.runtime.web import application
from jobs.calendar.workdays import VIETNAM
from jobs.catalog import load_catalog
from jobs.supervision.page_access import PageLinks
from storage.db import make_engine
from storage.models import Unit

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=VIETNAM)
SUPERVISOR = "9000"
KEY = b"bench-key" * 4


def province(total: int) -> list[UnitRow]:
    """A province of ``total`` units: 40 departments, 20 districts, their communes and each
    commune's school, in tree order."""
    rows = [("P", "UBND tỉnh Bench", "province", None)]
    rows += [(f"P-S{i:02d}", f"Sở số {i}", "department", "P") for i in range(40)]
    rows += [(f"P-H{i:02d}", f"UBND huyện số {i}", "district", "P") for i in range(20)]
    i = 0
    while len(rows) < total:
        district = f"P-H{i % 20:02d}"
        commune = f"{district}-X{i:04d}"
        rows.append((commune, f"UBND xã số {i}", "commune", district))
        if len(rows) < total:
            rows.append((f"{commune}-T", f"Trường tiểu học xã số {i}", "school", commune))
        i += 1
    return rows


def seed(url: str, rows: list[UnitRow]) -> int:
    """The province, a year of obligations (three in four past ones done), the supervisor;
    returns how many obligations."""
    with year_of_work(url, rows, now=NOW) as (session, count):
        root = session.exec(select(Unit).where(Unit.code == "P")).one()
        session.add(person(root.id, "supervisor", SUPERVISOR, platform="zalo", name="VP"))
    return count


async def timed(http: aiohttp.ClientSession, url: str) -> tuple[float, float]:
    """Milliseconds the answer took, and the CPU milliseconds this process (server and
    client) spent on it: on a busy machine the first grows with the load, the second little."""
    started, cpu = time.perf_counter(), time.process_time()
    async with http.get(url) as response:
        await response.read()
        assert response.status == 200, response.status
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


async def sent_bytes(url: str) -> tuple[int, int]:
    """What ``url`` weighs on the wire (compressed as served) and uncompressed."""
    async with aiohttp.ClientSession(auto_decompress=False) as http, http.get(
            url, headers={"Accept-Encoding": "gzip"}) as response:
        wire = len(await response.read())
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return wire, len(await response.read())


async def measure(url: str, requests: int) -> None:
    engine = make_engine(url)
    base = "http://127.0.0.1:{port}"
    links = PageLinks("http://127.0.0.1", KEY, dt.timedelta(hours=24))
    page = SupervisorPage(engine, load_catalog(), lambda: NOW, links)

    async def bare(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = application([page.add_routes, lambda a: a.router.add_get("/bare", bare)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    base = base.format(port=port)
    token_url = links.url("zalo", SUPERVISOR, "vi", NOW).replace("http://127.0.0.1", base)
    data, cpu, reference = [], [], []
    async with aiohttp.ClientSession() as http:
        await timed(http, token_url + "/data")  # warm: imports, caches
        for _ in range(requests):  # alternating, so both see the same machine
            took, spent = await timed(http, token_url + "/data")
            data.append(took)
            cpu.append(spent)
            reference.append((await timed(http, f"{base}/bare"))[0])
    weights = [await sent_bytes(u) for u in (token_url, f"{base}{STATIC}overview.js",
                                             f"{base}{STATIC}overview.css", token_url + "/data")]
    await runner.cleanup()
    engine.dispose()
    print(f"data endpoint: p50 {_p(data, 50):.0f} ms, p95 {_p(data, 95):.0f} ms "
          f"(bare endpoint, same server and run: p50 {_p(reference, 50):.1f} ms, "
          f"p95 {_p(reference, 95):.1f} ms), {requests} requests each; CPU per data request: "
          f"median {statistics.median(cpu):.0f} ms; load average {os.getloadavg()[0]:.1f}")
    print(f"page weight: {sum(w for w, _ in weights) / 1024:.0f} KiB as sent "
          f"({sum(r for _, r in weights) / 1024:.0f} KiB uncompressed; data "
          f"{weights[-1][0] / 1024:.0f} KiB / {weights[-1][1] / 1024:.0f} KiB)")


def _p(values: list[float], percent: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3500)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    rows = province(args.units)
    with fresh_database("sqlite") as url:
        started = time.perf_counter()
        obligations = seed(url, rows)
        print(f"{len(rows)} units, {obligations} obligations, seeded in "
              f"{time.perf_counter() - started:.0f} s")
        asyncio.run(measure(url, args.requests))


if __name__ == "__main__":
    main()
