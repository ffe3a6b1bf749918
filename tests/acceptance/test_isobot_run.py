"""The operator's path: `isobot run` as a process against a Bot-API server on 127.0.0.1."""

import asyncio
import csv
import io
import json
import os
import signal
import sys

import pytest

from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.text.i18n import translator
from tests.support.telegram import button_data, buttons

vi = translator("vi")
TOKEN = "424242:run-test-token"
ISOBOT = [sys.executable, "-m", "bot.cli"]


@pytest.fixture
async def sandbox():
    server = TelegramSandbox(token=TOKEN, bot_username="isobot_province_bot")
    await server.start()
    yield server
    await server.stop()


def bot_env(sandbox, database: str, **settings: str) -> dict[str, str]:
    """The environment of an ``isobot`` process against ``sandbox``, in Vietnamese."""
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
            "TELEGRAM_BOT_TOKEN": sandbox.token, "TELEGRAM_API_BASE_URL": sandbox.base_url,
            "TELEGRAM_FILE_BASE_URL": sandbox.base_file_url, "ISOBOT_LANG": "vi",
            # A health port of its own: another bot on the machine may hold 8080.
            "ISOBOT_HEALTH_PORT": "0", **settings}


@pytest.fixture
def env(sandbox, tmp_path):
    return bot_env(sandbox, f"{tmp_path}/isobot.sqlite3")


async def isobot(env, *args) -> str:
    process = await asyncio.create_subprocess_exec(
        *ISOBOT, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


class Running:
    """`isobot run` in the background."""

    def __init__(self, env, *args):
        self.env, self.args = env, args

    async def __aenter__(self):
        self.process = await asyncio.create_subprocess_exec(
            *ISOBOT, "run", *self.args, env=self.env, stderr=asyncio.subprocess.PIPE)
        return self

    async def __aexit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(self.process.communicate(), 30)
        assert TOKEN not in err.decode()  # the token never reaches the log
        assert "Traceback" not in err.decode()  # stopping finishes deliveries, kills none
        assert self.process.returncode == 0, err.decode()


async def test_run_registers_reminds_and_logs_evidence_that_export_lists(sandbox, env):
    # Every command gets its moment, like the bot: the rehearsal never reads today's date.
    await isobot(env, "units", "import", "--sample", "--now", "2026-11-30T07:00")
    invite = json.loads(await isobot(env, "invite", "--unit", "QNG-MD-DTAN", "--role", "officer",
                                     "--json", "--now", "2026-11-30T15:00"))
    assert invite["telegram_link"] == f"https://t.me/isobot_province_bot?start={invite['code']}"

    async with Running(env, "--now", "2026-11-30T16:00"):
        sandbox.user_sends_text(1001, f"/start {invite['code']}", first_name="Lan")
        greeting = await sandbox.next_message(1001, timeout=30)
        assert greeting["text"].startswith(vi._("Welcome, {name}!").format(name="Lan"))
        assert "UBND xã Đức Tân" in greeting["text"]
    assert [c["command"] for c in sandbox.commands()][:3] == ["viec", "lich", "nop"]

    # What the dry run promises the officer of Đức Tân at 08:00 on Tuesday 1 December ...
    simulated = list(csv.DictReader(io.StringIO(await isobot(
        env, "simulate", "--from", "2026-12-01", "--to", "2026-12-01", "--unit", "QNG-MD-DTAN",
        "--format", "csv"))))
    promised = [r["text"] for r in simulated if r["recipient_role"] == "officer"]
    assert [r["duty"] for r in simulated if r["recipient_role"] == "officer"] == [
        "quarterly_report"]

    # ... the bot, restarted at that moment, sends (with two reminders of the days it was
    # stopped, each the latest of its kind): one message of the three duties in brief, the
    # quarterly report's third, its full text a "Guidance 3" away.
    async with Running(env, "--now", "2026-12-01T08:00"):
        reminder = await sandbox.next_message(1001, timeout=30)
        assert "\n3. Báo cáo quý cho Thường trực BCĐ ISO\n" in reminder["text"]
        assert buttons(reminder)[6:] == [f"{vi._('Submitted')} 3",
                                         f"{vi._('Remind me later')} 3", f"{vi._('Guidance')} 3"]
        sandbox.user_presses_button(1001, reminder["message_id"],
                                    button_data(reminder, f"{vi._('Guidance')} 3"))
        guidance = await sandbox.next_message(1001, timeout=30)
        assert promised[0] in guidance["text"]  # what the dry run promised, word for word
        sandbox.user_presses_button(1001, reminder["message_id"],
                                    button_data(reminder, f"{vi._('Submitted')} 3"))
        await sandbox.next_message(1001, timeout=30)
        sandbox.user_sends_text(1001, "45/BC-UBND ngày 28/11/2026")
        await sandbox.next_message(1001, timeout=30)
        sandbox.user_sends_text(1001, "bỏ qua")
        confirm = await sandbox.next_message(1001, timeout=30)
        data = confirm["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        sandbox.user_presses_button(1001, confirm["message_id"], data)
        receipt = await sandbox.next_message(1001, timeout=30)
        assert "ISO-2026-000001" in receipt["text"]

    rows = list(csv.DictReader(io.StringIO(
        await isobot(env, "export", "--what", "events", "--format", "csv", "--now",
                     "2026-12-01T09:00"))))
    assert [(r["unit"], r["duty"], r["period"], r["document"]) for r in rows] == [
        ("QNG-MD-DTAN", "quarterly_report", "2026-Q4", "45/BC-UBND")]
