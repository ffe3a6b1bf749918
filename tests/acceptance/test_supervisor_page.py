"""The supervisors' page in a real browser (Debian's chromium through Playwright): a supervisor
of An Giang types /tongquan on Zalo, opens the link, and sees every unit of An Giang with its
standings in words, and nothing of another province; an altered or expired link, a unit asked
for outside the scope and Telegram data Telegram did not sign all open nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote

import aiohttp
import pytest
from playwright.async_api import async_playwright
from sqlmodel import select

from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Member, Role, Unit
from tests.acceptance.test_isobot_run import TOKEN as RUN_TOKEN
from tests.acceptance.test_isobot_run import Running, bot_env, isobot
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support import cli
from tests.support.telegram import TOKEN as TELEGRAM_TOKEN
from tests.support.telegram import load_sample_units
from tests.support.zalo import start_zalo_harness
from tests.unit.test_supervisor_page_rules import init_data

vi = translator("vi")
SUPERVISOR = "a9b8c7d6e5f40001"
TELEGRAM_SUPERVISOR = 7001
AN_GIANG = {"AGG": "UBND tỉnh An Giang", "AGG-SKHCN": "Sở Khoa học và Công nghệ tỉnh An Giang",
            "AGG-STP": "Sở Tư pháp tỉnh An Giang", "AGG-THPT-LX": "Trường THPT Long Xuyên",
            "AGG-THPT-TNH": "Trường THPT Thoại Ngọc Hầu"}
WORDS = {vi._("On time"), vi._("Done late"), vi._("Overdue"), vi._("Not yet due")}
LINK = re.compile(r"https?://\S+/tongquan/\S+")
START = at("2026-12-02 10:00")


@pytest.fixture
async def bot(engine, catalog, tmp_path):
    load_sample_units(engine, at("2026-11-30 07:00"), before_reform=True)
    port = free_port()
    harness = await start_zalo_harness(
        engine, catalog, START, telegram=True, public_url=f"http://127.0.0.1:{port}",
        web_listen="127.0.0.1", web_port=port, evidence_dir=tmp_path / "files")
    await harness.register(SUPERVISOR, "AGG", Role.SUPERVISOR, "Hoa")
    yield harness
    await harness.stop()


@pytest.fixture
async def browser():
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path="/usr/bin/chromium")
        yield chromium
        await chromium.close()


async def link_from_zalo(bot) -> str:
    await bot.drain(SUPERVISOR)
    answer = await bot.say(SUPERVISOR, "tổng quan")
    [url] = LINK.findall(answer)
    assert "24" in answer  # how many hours it works
    return url


async def shown_units(page) -> list[str]:
    return await page.locator("#map tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")


async def test_an_giang_supervisor_sees_every_unit_of_an_giang_in_words_and_no_other(
        bot, browser, engine):
    result = cli.isobot(engine.url.render_as_string(hide_password=False), "directive", "send",
                        "--text", "Rà soát quy trình ISO", "--kind", "school",
                        "--due", "2026-12-11", "--as", "AGG", now=START)
    assert result.exit_code == 0, result.output
    url = await link_from_zalo(bot)
    page = await browser.new_page()
    response = await page.goto(url)
    assert response.headers["cache-control"] == "private, no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    await page.wait_for_selector("#map tbody tr")
    assert sorted(await shown_units(page)) == sorted(AN_GIANG)
    text = await page.locator("#map").inner_text()
    for name in AN_GIANG.values():
        assert name in text
    cells = await page.locator("#map tbody td").all_inner_texts()
    assert cells and set(cells) <= WORDS | {""} and set(cells) & WORDS  # standings in words
    whole = await page.content()
    for other in ("Quảng Ngãi", "Quảng Nam", "Kiên Giang", "QNG", "KGG"):
        assert other not in whole
    directives = await page.locator("#directives").inner_text()
    assert "Rà soát quy trình ISO" in directives and "2" in directives  # two schools

    await page.select_option("#kind", "school")
    assert sorted(await shown_units(page)) == ["AGG-THPT-LX", "AGG-THPT-TNH"]
    await page.select_option("#kind", "")
    await page.fill("#search", "tư pháp")
    assert await shown_units(page) == ["AGG-STP"]

    await page.click("#map tbody tr[data-unit='AGG-STP'] button")
    await page.wait_for_selector("#unit:not([hidden]) h2")
    assert "AGG-STP" in await page.locator("#unit h2").inner_text()


async def test_an_altered_or_expired_link_shows_no_unit(bot, browser):
    url = await link_from_zalo(bot)
    body = url.rsplit("/", 1)[1].split(".")[0]
    altered = url.replace(body, body[:-3] + ("x" if body[-3] != "x" else "y") + body[-2:])
    page = await browser.new_page()
    response = await page.goto(altered)
    assert response.status == 404
    shown = await page.locator("body").inner_text()
    assert shown.strip() == vi._("This link is not valid.")
    assert await page.locator("table").count() == 0

    bot.clock.set(START + dt.timedelta(hours=24, minutes=1))  # the bot's clock, not the wall's
    response = await page.goto(url)
    assert response.status == 404 and "An Giang" not in await page.content()


async def test_the_data_endpoint_answers_nothing_outside_the_scope(bot, engine):
    url = await link_from_zalo(bot)
    with session_scope(engine) as session:
        quang_ngai = session.exec(select(Unit.id).where(Unit.code == "QNG-MD-DTAN")).one()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/data?unit={quang_ngai}") as response:
            assert response.status == 404 and await response.json() == {}
        async with http.get(f"{url}/data") as response:
            assert response.headers["Cache-Control"] == "private, no-store"
            data = await response.json()
    assert {u["code"] for u in data["units"]} == set(AN_GIANG)


def telegram_supervisor(engine) -> None:
    with session_scope(engine) as session:
        unit = session.exec(select(Unit).where(Unit.code == "AGG")).one()
        session.add(Member(unit_id=unit.id, role=Role.SUPERVISOR, platform="telegram",
                           platform_user_id=str(TELEGRAM_SUPERVISOR),
                           chat_id=str(TELEGRAM_SUPERVISOR), display_name="Hoa", language="vi",
                           joined_at=START))


async def test_telegram_mini_app_data_opens_the_page_only_when_telegram_signed_it(
        bot, browser, engine):
    telegram_supervisor(engine)
    app = f"{bot.runtime.settings.public_base_url()}/tongquan/app/telegram"
    forged = init_data(TELEGRAM_SUPERVISOR, START, token="111:not-this-bot")
    async with aiohttp.ClientSession() as http, http.post(app, data=forged) as response:
        assert response.status == 403 and "tongquan" not in await response.text()
    page = await browser.new_page()
    await page.goto(f"{app}#tgWebAppData={_quoted(forged)}")
    await page.wait_for_timeout(300)
    assert await page.locator("#map").count() == 0

    genuine = init_data(TELEGRAM_SUPERVISOR, START, token=TELEGRAM_TOKEN)
    page = await browser.new_page()  # a new document: only the fragment would differ
    await page.goto(f"{app}#tgWebAppData={_quoted(genuine)}")
    await page.wait_for_selector("#map tbody tr")
    assert sorted(await shown_units(page)) == sorted(AN_GIANG)


def _quoted(text: str) -> str:
    return quote(text, safe="")


async def test_isobot_run_gives_a_telegram_supervisor_the_page_of_their_province(browser,
                                                                               tmp_path):
    """The operator's path: ``isobot run --now`` as a process, SQLite, the Telegram sandbox."""
    sandbox = TelegramSandbox(token=RUN_TOKEN, bot_username="isobot_province_bot")
    await sandbox.start()
    port = free_port()
    env = bot_env(sandbox, f"{tmp_path}/isobot.sqlite3",
                  ISOBOT_PUBLIC_URL=f"http://127.0.0.1:{port}", ISOBOT_WEB_LISTEN="127.0.0.1",
                  ISOBOT_WEB_PORT=str(port))
    try:
        await isobot(env, "units", "import", "--sample", "--before-reform",
                     "--now", "2026-11-30T07:00")
        invite = json.loads(await isobot(env, "invite", "--unit", "AGG", "--role", "supervisor",
                                         "--json", "--now", "2026-11-30T15:00"))
        async with Running(env, "--now", "2026-12-02T10:00"):
            sandbox.user_sends_text(4001, f"/start {invite['code']}", first_name="Hoa")
            await sandbox.next_message(4001, timeout=30)
            sandbox.user_sends_text(4001, "/tongquan")
            [url] = LINK.findall((await sandbox.next_message(4001, timeout=30))["text"])
            page = await browser.new_page()
            await page.goto(url)
            await page.wait_for_selector("#map tbody tr")
            assert sorted(await shown_units(page)) == sorted(AN_GIANG)
            forged = init_data(4001, START, token="111:not-this-bot")
            async with aiohttp.ClientSession() as http, http.post(
                    f"http://127.0.0.1:{port}/tongquan/app/telegram", data=forged) as response:
                assert response.status == 403
    finally:
        await sandbox.stop()
