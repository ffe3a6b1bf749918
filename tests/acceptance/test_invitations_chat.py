"""``/moi`` on Zalo: a supervisor gets the sheet and the cards of the units not joined as links
to isobot's web server; a code from the sheet, typed bare, registers the officer; ``/moi lai``
asks before the open codes stop working."""

from __future__ import annotations

import io
import re

import aiohttp
import pytest
from openpyxl import load_workbook

from jobs.text.i18n import translator
from storage.models import Role
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

vi = translator("vi")
SUPERVISOR, OFFICER, HEAD = "d1b2c3d4e5f60001", "d1b2c3d4e5f60002", "d1b2c3d4e5f60003"
AN_GIANG = {"AGG", "AGG-SKHCN", "AGG-STP", "AGG-THPT-LX", "AGG-THPT-TNH"}


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)  # An Giang of 5
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-12-01 10:00"), webhook_base_url=f"http://127.0.0.1:{port}",
        webhook_secret="zalo-webhook-secret-5d1a", webhook_listen="127.0.0.1",
        webhook_port=port, evidence_dir=tmp_path / "files")
    yield harness
    await harness.stop()


async def fetch(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read()


async def sheet_by_link(text: str) -> dict[str, str]:
    """The sheet a /moi reply links to: each unit's code."""
    url = re.search(r"isobot-invitations-\d{8}\.xlsx: (\S+)", text).group(1)
    status, body = await fetch(url)
    assert status == 200
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    return {row[0]: row[4] for row in rows[1:] if row[0]}


async def moi(bot, words: str = "/moi") -> str:
    await bot.drain(SUPERVISOR)
    bot.sandbox.user_sends_text(SUPERVISOR, words)
    await bot.settle()
    return "\n".join(m["text"] for m in await bot.drain(SUPERVISOR) if m.get("text"))


async def test_moi_on_zalo_links_the_sheet_whose_code_registers_an_officer(bot):
    await bot.register(SUPERVISOR, "AGG", Role.SUPERVISOR, "Hùng")
    reply = await moi(bot)
    assert vi.ngettext("Invitation codes for {n} unit without an ISO officer: the Excel sheet "
                       "and the cards to print and cut.",
                       "Invitation codes for {n} units without an ISO officer: the Excel sheet "
                       "and the cards to print and cut.", 5).format(n=5) in reply
    assert re.search(r"isobot-invitation-cards-\d{8}\.pdf: http://127\.0\.0\.1", reply)
    codes = await sheet_by_link(reply)
    assert set(codes) == AN_GIANG

    # The school's officer types the code from the sheet, bare.
    greeting = await bot.say(OFFICER, codes["AGG-THPT-LX"], name="Mai")
    assert greeting.startswith(vi._("Welcome, {name}!").format(name="Mai"))
    status = cli.isobot(bot.runtime.settings.database_url, "units", "status", "--under", "AGG",
                        "--format", "csv", now=bot.clock.now())
    officers = {line.split(",")[0]: line.split(",")[3] for line in status.stdout.splitlines()[1:]}
    assert officers == {code: "1" if code == "AGG-THPT-LX" else "0" for code in AN_GIANG}

    # The next /moi leaves the school out and hands out the same open codes.
    again = await sheet_by_link(await moi(bot))
    assert again == {unit: code for unit, code in codes.items() if unit != "AGG-THPT-LX"}


async def test_new_codes_are_asked_for_and_cancelling_keeps_the_open_ones(bot):
    await bot.register(SUPERVISOR, "AGG", Role.SUPERVISOR, "Hùng")
    first = await sheet_by_link(await moi(bot))
    question = await moi(bot, "/moi lai")
    assert vi.ngettext(
        "{n} invitation code is still open. Make new codes? The open one will stop working, "
        "printed cards included.",
        "{n} invitation codes are still open. Make new codes? The open ones will stop "
        "working, printed cards included.", 5).format(n=5) in question
    assert "isobot-invitations" not in question

    cancelled = await bot.say(SUPERVISOR, "2")
    assert cancelled == vi._("Cancelled. The open codes still work.")
    assert await sheet_by_link(await moi(bot)) == first

    await moi(bot, "mời lại")
    renewed = await sheet_by_link(await moi(bot, "1"))
    assert set(renewed) == AN_GIANG and not set(renewed.values()) & set(first.values())
    refused = await bot.say(OFFICER, first["AGG-STP"], name="Lan")
    assert "Welcome" not in refused and vi._("Welcome, {name}!").format(name="Lan") not in refused


async def test_only_supervisors_get_invitations(bot):
    await bot.register(OFFICER, "AGG-STP", Role.OFFICER, "Lan")
    await bot.drain(OFFICER)
    answer = await bot.say(OFFICER, "/moi")
    assert answer == vi._("Only the ISO standing office (supervisors) can hand out invitation "
                          "codes. Nothing was made.")


async def test_two_weeks_after_moi_the_head_of_a_unit_not_joined_is_reminded(bot):
    await bot.register(SUPERVISOR, "AGG", Role.SUPERVISOR, "Hùng")
    await bot.register(HEAD, "AGG-STP", Role.HEAD, "Minh")
    await moi(bot)
    await bot.drain(HEAD)
    bot.clock.set(at("2026-12-15 10:01"))
    texts = [m["text"] for m in await bot.tick_and_collect(HEAD)]
    assert vi._("⚠️ {unit} has no ISO officer on isobot yet, {days} days after its "
                "invitation.").format(unit="Sở Tư pháp tỉnh An Giang", days=14) in "\n".join(texts)
