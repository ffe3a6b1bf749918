"""Files for Zalo users: the digest's chart arrives as a photo whose URL is a signed link to
isobot's own web server (in webhook mode as in long polling), and the link stops working once
it expires; the access log never shows the token."""

from __future__ import annotations

import datetime as dt
import logging

import aiohttp
import pytest

from jobs.evidence.file_links import sign
from jobs.text.i18n import translator
from storage.models import Role
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness

SECRET = "zalo-webhook-secret-7c2e"
SUPERVISOR = "c1b2c3d4e5f60001"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
vi = translator("vi")


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, at("2026-12-04 10:00"), webhook_base_url=f"http://127.0.0.1:{port}",
        webhook_secret=SECRET, webhook_listen="127.0.0.1", webhook_port=port,
        evidence_dir=tmp_path / "files")
    harness.port = port
    yield harness
    await harness.stop()


async def fetch(url: str) -> tuple[int, bytes, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.read(), response.content_type


async def test_the_weekly_digest_chart_arrives_as_a_photo_whose_link_expires(bot):
    await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
    bot.clock.set(at("2026-12-07 07:31"))
    delivered = await bot.tick_and_collect(SUPERVISOR)

    [photo] = [m for m in delivered if m["type"] == "photo"]
    url = photo["photo"]
    assert url.startswith(f"http://127.0.0.1:{bot.port}/files/")
    status, body, kind = await fetch(url)
    assert (status, kind) == (200, "image/png") and body.startswith(PNG_SIGNATURE)

    # The table goes as a link in the text, with how long it works.
    text = "\n".join(m["text"] for m in delivered if m["type"] == "text")
    assert "iso-digest-QNG-MD-2026-W50.xlsx: http://127.0.0.1" in text
    table_url = text.split("iso-digest-QNG-MD-2026-W50.xlsx: ", 1)[1].split()[0]
    status, body, _kind = await fetch(table_url)
    assert status == 200 and body.startswith(b"PK")  # an XLSX is a ZIP

    # A link altered by one character opens nothing.
    token = url.rsplit("/", 1)[1]
    forged = url[:-len(token)] + token[:-1] + ("A" if token[-1] != "A" else "B")
    assert (await fetch(forged))[0] == 404

    # Three days later (ISOBOT_FILE_LINK_DAYS) the link is dead.
    bot.clock.set(at("2026-12-07 07:31") + dt.timedelta(days=3, minutes=-1))
    assert (await fetch(url))[0] == 200
    bot.clock.set(at("2026-12-07 07:31") + dt.timedelta(days=3, minutes=1))
    assert (await fetch(url))[0] == 404
    assert (await fetch(table_url))[0] == 404


async def test_without_a_public_address_the_reply_says_where_to_get_the_file(engine, catalog,
                                                                            caplog):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    with caplog.at_level(logging.WARNING, logger="bot.runtime.run"):
        bot = await start_zalo_harness(engine, catalog, at("2026-12-04 10:00"))
    warned = [r.getMessage() for r in caplog.records if "ISOBOT_PUBLIC_URL" in r.getMessage()]
    assert len(warned) == 1 and "zalo" in warned[0]  # once, at start, naming the messenger
    try:
        await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
        answer = await bot.say(SUPERVISOR, "/xuat 2026")
        assert vi._("📎 {names}: isobot cannot send files on Zalo yet, because the system "
                    "operator has not set up its web address. Please ask the ISO standing "
                    "office for them.").format(
            names="isobot-compliance-2026-20261204.xlsx") in answer
        assert not [m for m in bot.sandbox.messages_to(SUPERVISOR) if m["type"] == "photo"]
    finally:
        await bot.stop()


async def test_in_long_polling_the_chart_reaches_zalo_through_the_web_server(engine, catalog,
                                                                            tmp_path, caplog):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    port = free_port()
    bot = await start_zalo_harness(
        engine, catalog, at("2026-12-04 10:00"), public_url=f"http://127.0.0.1:{port}",
        web_listen="127.0.0.1", web_port=port, evidence_dir=tmp_path / "files")
    try:
        assert not bot.runtime.webhook_mode
        await bot.register(SUPERVISOR, "QNG-MD", Role.SUPERVISOR, "Hùng")
        bot.clock.set(at("2026-12-07 07:31"))
        delivered = await bot.tick_and_collect(SUPERVISOR)
        [photo] = [m for m in delivered if m["type"] == "photo"]
        direct = photo["photo"]
        assert direct.startswith(f"http://127.0.0.1:{port}/files/")
        with caplog.at_level(logging.INFO, logger="bot.runtime.web.access"):
            status, body, kind = await fetch(direct)
        assert (status, kind) == (200, "image/png") and body.startswith(PNG_SIGNATURE)
        token = direct.rsplit("/", 1)[1]
        logged = [r.getMessage() for r in caplog.records if r.name == "bot.runtime.web.access"]
        assert any("/files/… 200" in line for line in logged)
        assert not [line for line in logged if token in line or token[:20] in line]
    finally:
        await bot.stop()


@pytest.mark.parametrize("key", ["../../../etc/passwd", "evidence/zz/not-a-hash", "", "outgoing"])
async def test_a_signed_link_naming_no_file_of_the_store_opens_nothing(bot, key):
    signing_key = bot.runtime.settings.link_signing_key()
    token = sign(key, "x.pdf", expires=bot.clock.now() + dt.timedelta(days=1), secret=signing_key)
    assert (await fetch(f"http://127.0.0.1:{bot.port}/files/{token}"))[0] == 404
