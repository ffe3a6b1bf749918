"""The supervisors' page's rules: whose page a link opens and until when, Telegram's signed
Mini App data, and each cell's standing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from urllib.parse import urlencode

from bot.messengers.telegram.adapter import keyboard
from bot.messengers.telegram.mini_app import mini_app_user
from jobs.catalog import Catalog
from jobs.delivery.messages import Message
from jobs.evidence.upload_links import UploadGrant, sign_upload
from jobs.planning.standing import Standing
from jobs.supervision.overview import (
    PRECEDENCE,
    DirectiveTarget,
    OverviewUnit,
    cell_standing,
    directive_progress,
    heat_map,
)
from jobs.supervision.page_access import PageGrant, read_page, sign_page
from tests.conftest import at

KEY = b"k" * 32
BOT_TOKEN = "424242:page-test-token"
NOW = at("2026-12-02 10:00")


def grant(**changes) -> PageGrant:
    fields = dict(platform="zalo", user_id="u1", lang="vi", expires=NOW + dt.timedelta(hours=24))
    return PageGrant(**{**fields, **changes})


def test_a_link_opens_its_account_until_it_expires_on_the_bot_clock():
    token = sign_page(grant(), secret=KEY)
    assert read_page(token, secret=KEY, now=NOW) is not None
    assert read_page(token, secret=KEY, now=NOW).user_id == "u1"
    assert read_page(token, secret=KEY, now=NOW + dt.timedelta(hours=24)) is None


def test_an_altered_or_foreign_token_opens_nothing():
    token = sign_page(grant(), secret=KEY)
    body, mac = token.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    assert read_page(f"{flipped}.{mac}", secret=KEY, now=NOW) is None
    assert read_page(token, secret=b"other" * 8, now=NOW) is None
    upload = sign_upload(UploadGrant("zalo", "u1", "c1", "n", "vi", NOW + dt.timedelta(hours=1)),
                         secret=KEY)
    assert read_page(upload, secret=KEY, now=NOW) is None  # an upload link is no page link


def init_data(user_id: int, signed_at: dt.datetime, token: str = BOT_TOKEN) -> str:
    """What Telegram passes a Mini App, signed as core.telegram.org/bots/webapps describes."""
    fields = {"query_id": "AAH", "auth_date": str(int(signed_at.timestamp())),
              "user": json.dumps({"id": user_id, "first_name": "Hoa"})}
    check = "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def test_telegram_data_names_the_user_only_when_telegram_signed_it_lately():
    assert mini_app_user(init_data(7001, NOW), bot_token=BOT_TOKEN, now=NOW) == "7001"
    forged = init_data(7001, NOW, token="424242:another-bot")
    assert mini_app_user(forged, bot_token=BOT_TOKEN, now=NOW) is None
    changed = init_data(7001, NOW).replace("7001", "7002")
    assert mini_app_user(changed, bot_token=BOT_TOKEN, now=NOW) is None
    stale = init_data(7001, NOW - dt.timedelta(days=2))
    assert mini_app_user(stale, bot_token=BOT_TOKEN, now=NOW) is None
    assert mini_app_user("not=query&&", bot_token=BOT_TOKEN, now=NOW) is None
    fragment = urlencode({"tgWebAppData": init_data(7001, NOW), "tgWebAppVersion": "8.0"})
    assert mini_app_user(fragment, bot_token=BOT_TOKEN, now=NOW) == "7001"


def test_each_cell_shows_the_worst_standing_of_the_units_obligations(catalog: Catalog):
    units = [OverviewUnit(1, "AGG", "UBND tỉnh An Giang", "province", None),
             OverviewUnit(2, "AGG-STP", "Sở Tư pháp", "department", 1)]
    first, second = catalog.keys()[:2]
    tallies = [(1, first, False, True, 3, 0),  # unit, duty, overdue, not due, done, late
               (1, second, False, False, 2, 1),
               (2, first, True, True, 3, 1),
               (2, second, False, True, 0, 0)]
    data = heat_map(units, tallies, catalog=catalog, lang="vi")
    assert [d["key"] for d in data["duties"]] == [first, second]
    assert [(u["code"], u["cells"]) for u in data["units"]] == [("AGG", "ol"), ("AGG-STP", "xn")]


def test_a_cells_standing_is_the_first_present_in_the_digests_order():
    present = {Standing.overdue: (True, False, 0, 0), Standing.late: (False, False, 1, 1),
               Standing.on_time: (False, False, 1, 0), Standing.not_due: (False, True, 0, 0)}
    for shown, counts in present.items():
        assert cell_standing(*counts) == shown
    assert cell_standing(True, True, 5, 2) == Standing.overdue
    assert cell_standing(False, True, 5, 2) == Standing.late
    assert cell_standing(False, False, 0, 0) is None
    assert list(PRECEDENCE) == [cell_standing(*present[s]) for s in PRECEDENCE]


def test_a_directives_progress_counts_delivered_acknowledged_done_late_overdue():
    due = dt.date(2026, 11, 30)
    targets = [DirectiveTarget(5, "done", due, dt.datetime(2026, 11, 29, 3, tzinfo=dt.UTC),
                               True, True),
               DirectiveTarget(5, "done", due, dt.datetime(2026, 12, 1, 3, tzinfo=dt.UTC),
                               True, False),
               DirectiveTarget(5, "open", due, None, True, True),
               DirectiveTarget(5, "open", due, None, False, False)]
    assert directive_progress(targets, today=NOW.date())[5] == {
        "units": 4, "delivered": 3, "acknowledged": 3, "done": 2, "late": 1, "overdue": 2}


def test_telegram_shows_the_page_as_a_mini_app_button_under_the_link():
    message = Message("Trang tổng quan: https://isobot.example/tongquan/abc.def",
                      page_button=("Mở trang", "https://isobot.example/tongquan/app/telegram"))
    assert Message.from_payload(message.to_payload()) == message  # kept in the outbox
    [[button]] = keyboard(message).inline_keyboard
    assert button.text == "Mở trang"
    assert button.web_app.url == "https://isobot.example/tongquan/app/telegram"
