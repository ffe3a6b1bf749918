"""A messenger is a plug-in: one registered in a test runs the whole path, nothing else changed.

The fake (tests/support/fake_messenger.py) is registered with the runtime beside the installed
messengers, which the settings leave off. A reminder goes planning → outbox → delivery to it;
the person answers by number, as on any messenger without buttons; linking names it by the
brand its capabilities declare; its webhook route and secret header are the runtime's.
"""

from __future__ import annotations

import aiohttp
from sqlmodel import select

from bot.messengers import installed, settings_models
from bot.runtime.run import Runtime
from bot.settings import Settings
from storage.db import session_scope
from storage.models import Outbox, Role
from tests.acceptance.test_telegram_webhook import free_port
from tests.conftest import at
from tests.support import telegram as support
from tests.support.fake_messenger import FakeMessenger

SECRET = "fake-webhook-secret-42"


def settings(engine, **extra) -> Settings:
    """No installed messenger on: their tokens unset, whatever the environment says."""
    off = {name: None for m in installed() for name in m.settings_model.model_fields
           if name.endswith("_token")}
    return Settings(database_url=str(engine.url), planning_process=False, **off, **extra)


def test_the_settings_read_each_messengers_own_settings_model():
    # Every command reads the settings from each package's settings module, not from the
    # messenger (which loads its client): the two must be the same model.
    assert settings_models() == tuple(m.settings_model for m in installed())
    assert all(issubclass(Settings, model) for model in settings_models())


async def test_a_reminder_reaches_a_registered_fake_messenger_end_to_end(engine, catalog):
    support.load_sample_units(engine, at("2026-11-30 07:00"))
    clock = support.TestClock(at("2026-11-30 16:00"))
    fake = FakeMessenger()
    runtime = Runtime(settings(engine), engine, catalog, clock,
                      messengers=[*installed(), fake])
    await runtime.start(schedule=False)
    try:
        assert list(runtime.connections) == ["fakechat"]
        person = fake.connection
        assert person.listening
        assert person.menu["vi"] == runtime.conversation.command_menu("vi")
        assert [name for name, _ in person.menu["vi"]][:3] == ["viec", "lich", "nop"]
        code = support.invite(engine, "QNG-MD-DTAN", Role.OFFICER, clock.now())
        assert "UBND xã Đức Tân" in person.user_says("f1", f"/start {code}", "Lan")

        clock.set(at("2026-12-01 08:00"))
        await runtime.plan_now()
        await runtime.deliver_now()
        [reminders] = person.transport.texts_to("f1")  # the morning's three duties, one message
        assert "3. Báo cáo quý cho Thường trực BCĐ ISO" in reminders  # the quarterly report, last
        assert "15/12/2026" in reminders
        with session_scope(engine) as session:
            rows = session.exec(select(Outbox).where(Outbox.kind == "reminder")).all()
            assert {(r.platform, r.state) for r in rows} == {("fakechat", "sent")}

        # Picked "Submitted 3" by its number: duty 3's choices are numbered 7 to 9.
        ask = person.user_says("f1", "7")
        assert "Báo cáo quý" in ask and "123/BC-UBND" in ask
        assert "Fakechat" in person.user_says("f1", "/kenh")  # its brand, from its plug-in
    finally:
        await runtime.stop()
    assert not person.listening


async def test_its_webhook_route_and_secret_header_are_served_by_the_runtime(engine, catalog):
    port = free_port()
    fake = FakeMessenger()
    runtime = Runtime(settings(engine, webhook_base_url=f"http://127.0.0.1:{port}",
                               webhook_secret=SECRET, webhook_listen="127.0.0.1",
                               webhook_port=port),
                      engine, catalog, support.TestClock(at("2026-11-30 16:00")), messengers=[fake])
    await runtime.start(schedule=False)
    url = f"http://127.0.0.1:{port}/fakechat"
    try:
        async with aiohttp.ClientSession() as http:
            update = {"id": "1", "user": "f9", "text": "/help"}
            async with http.post(url, json=update) as refused:
                assert refused.status == 403
            async with http.post(url, json=update,
                                 headers={"X-Fakechat-Secret": SECRET}) as taken:
                assert taken.status == 200
        await runtime.settle()  # stored, then answered through the outbox and its transport
        assert fake.connection.transport.texts_to("f9")[0].startswith("Các lệnh của isobot")
    finally:
        await runtime.stop()
