"""What an orchestrator and Prometheus see of `isobot run`, a process against the Telegram sandbox:
/healthz, /readyz while the database goes and comes back, /metrics during a broadcast, and JSON
logs. The health port is chosen by the system (ISOBOT_HEALTH_PORT=0) and read from the log."""

from __future__ import annotations

import asyncio
import json
import signal
import socket

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.people.registration import create_invite, redeem_invite
from storage.db import make_engine, session_scope
from storage.models import Role
from storage.units import unit_by_code
from tests.acceptance.test_isobot_run import ISOBOT, bot_env, isobot

TOKEN = "515151:health-test-token"
SATURDAY = "2026-12-05T10:00"  # no reminder is due on a day off: the directive is all there is
COMMUNES = 12
WAIT = 30.0  # seconds for anything to happen; a test that passes never waits this long


@pytest.fixture
async def sandbox():
    server = TelegramSandbox(token=TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def env(sandbox, tmp_path):
    (tmp_path / "db").mkdir()  # a folder of its own, which a test takes away
    return bot_env(sandbox, f"{tmp_path}/db/isobot.sqlite3", ISOBOT_LOG_FORMAT="json")


class Running:
    """`isobot run` in the background; its log lines as they come, its health port from them."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.lines = env, []
        self.port: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def __aenter__(self) -> Running:
        self.process = await asyncio.create_subprocess_exec(
            *ISOBOT, "run", "--now", SATURDAY, env=self.env, stderr=asyncio.subprocess.PIPE)
        self.reader = asyncio.create_task(self._read())
        self.base = f"http://127.0.0.1:{await asyncio.wait_for(self.port, WAIT)}"
        self.http = aiohttp.ClientSession()
        return self

    async def _read(self) -> None:
        async for raw in self.process.stderr:
            line = raw.decode().rstrip("\n")
            self.lines.append(line)
            entry = json.loads(line) if line.startswith("{") else {}
            if entry.get("message", "").startswith("health and metrics on ") \
                    and not self.port.done():
                self.port.set_result(int(entry["message"].split(":")[2].split()[0]))

    async def __aexit__(self, *exc) -> None:
        await self.http.close()
        self.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(self.process.wait(), WAIT)
        await self.reader
        assert self.process.returncode == 0, "\n".join(self.lines)

    async def get(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.base + path) as response:
            return response.status, await response.text()

    async def until(self, path: str, status: int) -> str:
        """Ask ``path`` until it answers ``status``; the body of that answer."""
        for _ in range(int(WAIT / 0.1)):
            answer, body = await self.get(path)
            if answer == status:
                return body
            await asyncio.sleep(0.1)
        raise AssertionError(f"{path} never answered {status}; last: {answer} {body}")

    async def metric(self, name: str, messenger: str = "telegram", **labels: str) -> float:
        """One sample of /metrics, as Prometheus parses it."""
        status, body = await self.get("/metrics")
        assert status == 200
        wanted = {"messenger": messenger, **labels}
        for family in text_string_to_metric_families(body):
            for sample in family.samples:
                if sample.name == name and wanted.items() <= sample.labels.items():
                    return sample.value
        raise AssertionError(f"no {name} in /metrics")

    async def metric_until(self, name: str, value: float) -> float:
        for _ in range(int(WAIT / 0.1)):
            if (seen := await self.metric(name)) == value:
                return seen
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name} stayed at {seen}, never {value}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_ready_only_while_the_database_can_be_reached(env, tmp_path, mode):
    if mode == "webhook":
        port = free_port()
        env = {**env, "WEBHOOK_BASE_URL": f"http://127.0.0.1:{port}", "WEBHOOK_LISTEN":
               "127.0.0.1", "WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": "health-test-secret"}
    await isobot(env, "units", "import", "--sample", "--before-reform", "--now", SATURDAY)
    async with Running(env) as bot:
        assert json.loads(await bot.until("/healthz", 200)) == {"status": "ok"}
        assert json.loads(await bot.until("/readyz", 200)) == {"status": "ready"}

        (tmp_path / "db").rename(tmp_path / "db-away")  # the database's folder is gone
        gone = json.loads(await bot.until("/readyz", 503))
        assert gone["status"] == "not ready" and list(gone["problems"]) == ["database"]
        assert (await bot.get("/healthz"))[0] == 200  # alive, only not ready

        (tmp_path / "db-away").rename(tmp_path / "db")
        assert json.loads(await bot.until("/readyz", 200)) == {"status": "ready"}


def register_officers(database_url: str, sandbox: TelegramSandbox) -> int:
    """An officer on Telegram in each commune of the district (straight into the database)."""
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for number in range(1, COMMUNES + 1):
            unit = unit_by_code(session, code=f"QNG-MD-X{number:02d}")
            code = create_invite(session, unit=unit, role=Role.OFFICER, now=unit.created_at,
                                 valid_days=14).code
            user = 7000 + number
            sandbox.add_user(user, first_name=f"Cán bộ {number}")
            redeem_invite(session, code=code, platform="telegram", user_id=str(user),
                          chat_id=str(user), display_name=f"Cán bộ {number}",
                          now=unit.created_at)
    engine.dispose()
    return COMMUNES


async def test_metrics_show_the_outbox_draining_during_a_broadcast(env, sandbox, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text("code,name,kind,parent\nQNG,UBND tỉnh Quảng Ngãi,province,\n"
                     "QNG-MD,UBND huyện Mộ Đức,district,QNG\n" + "".join(
                         f"QNG-MD-X{n:02d},UBND xã Số {n},commune,QNG-MD\n"
                         for n in range(1, COMMUNES + 1)), encoding="utf-8")
    await isobot(env, "units", "import", str(units), "--now", SATURDAY)
    officers = register_officers(env["DATABASE_URL"], sandbox)

    async with Running(env) as bot:
        await bot.until("/readyz", 200)
        assert await bot.metric("isobot_members_active") == officers
        before = await bot.metric("isobot_outbox_depth")
        # Telegram answers 429 to every message until the test lets some through: the queue
        # stands still, then falls step by step, whatever the machine's speed.
        sandbox.throttle("sendMessage", retry_after=1)
        await isobot(env, "directive", "send", "--text", "Đề nghị rà soát danh mục tài liệu "
                     "nội bộ.", "--all", "--under", "QNG-MD", "--now", SATURDAY)
        depths = [await bot.metric_until("isobot_outbox_depth", before + officers)]
        for step in (4, 4):
            sent = len(sandbox.all_sent)
            sandbox.let_through("sendMessage", step)
            assert await sandbox.wait_until(lambda n=sent + step: len(sandbox.all_sent) >= n,
                                            WAIT)
            depths.append(await bot.metric_until("isobot_outbox_depth", depths[-1] - step))
        sandbox.let_through("sendMessage")
        depths.append(await bot.metric_until("isobot_outbox_depth", before))

        assert depths == [before + 12, before + 8, before + 4, before]
        assert await bot.metric("isobot_queue_finished_total", queue="outbox") == officers
        assert await bot.metric("isobot_rate_limited_total") > 0
        assert await bot.metric("isobot_outbox_oldest_due_seconds") == 0
    assert {m["chat_id"] for m in sandbox.all_sent} == {7000 + n for n in range(1, 13)}

    # One JSON object a line, the token nowhere.
    entries = [json.loads(line) for line in bot.lines]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert not any(TOKEN in line for line in bot.lines)
