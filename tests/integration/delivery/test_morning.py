"""A person's duties due together go as one message, wherever the take's batches cut; a message
of another kind, or a duty alone, goes as it was written."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from jobs.delivery.messages import Choice, Message
from jobs.text.i18n import translator
from storage.db import session_scope
from storage.models import Member, Outbox, Role
from storage.outbox import enqueue
from storage.units import unit_by_code, upsert_units
from tests.support.delivery import START, deliver_all, deliverer


def duty(n: int) -> dict:
    """A reminder's payload as the planner writes it: full text, choices, and its brief."""
    message = Message(f"🔔 NHẮC VIỆC ISO: nhiệm vụ {n}\nDanh mục kiểm tra: …",
                      (Choice(f"done:{n}", "Đã nộp"), Choice(f"guide:{n}", "Hướng dẫn")), lang="vi")
    return {**message.to_payload(), "brief": f"Nhiệm vụ {n}\nUBND xã Thử · hạn chót 15/12/2026"}


def seed(engine, sandbox, duties_per_chat: dict[int, int], *, at=START, kind="reminder",
         first=0) -> None:
    with session_scope(engine) as session:
        upsert_units(session, rows=[("U", "UBND xã Thử", "commune", None)], now=START)
        unit_id = unit_by_code(session, code="U").id
        n = first
        for chat_id, count in duties_per_chat.items():
            sandbox.add_user(chat_id)
            member = session.exec(select(Member).where(Member.chat_id == str(chat_id))).first()
            if member is None:
                member = Member(unit_id=unit_id, role=Role.OFFICER, platform="telegram",
                                platform_user_id=str(chat_id), chat_id=str(chat_id),
                                joined_at=START)
                session.add(member)
                session.flush()
            for _ in range(count):
                n += 1
                enqueue(session, key=f"duty:{n}", member=member, kind=kind, payload=duty(n),
                        now=at)


async def test_each_persons_duties_go_as_one_message_across_batches(engine, sandbox, bot,
                                                                     fake_time):
    seed(engine, sandbox, {1: 3, 2: 1, 3: 3, 4: 2})  # nine duties, batches of four
    await deliver_all(deliverer(engine, bot, fake_time, batch_size=4), engine, fake_time)
    texts = {chat: [m["text"] for m in sandbox.messages_to(chat)] for chat in (1, 2, 3, 4)}
    assert [len(t) for t in texts.values()] == [1, 1, 1, 1]
    heading = translator("vi").ngettext("🔔 ISO duties for you: {n} item",
                                        "🔔 ISO duties for you: {n} items", 3).format(n=3)
    assert texts[1][0].startswith(heading)
    assert "1. Nhiệm vụ 1" in texts[1][0] and "3. Nhiệm vụ 3" in texts[1][0]
    assert texts[2][0].startswith("🔔 NHẮC VIỆC ISO: nhiệm vụ 4")  # alone: as written
    [keyboard] = [m["reply_markup"]["inline_keyboard"] for m in sandbox.messages_to(3)]
    assert [[b["text"] for b in row] for row in keyboard] == [
        ["Đã nộp 1", "Hướng dẫn 1"], ["Đã nộp 2", "Hướng dẫn 2"], ["Đã nộp 3", "Hướng dẫn 3"]]
    assert [[b["callback_data"] for b in row] for row in keyboard][2] == ["done:7", "guide:7"]
    with session_scope(engine) as session:
        rows = session.exec(select(Outbox)).all()
        assert {r.state for r in rows} == {"sent"}
        # A gathered message is never edited later (a duty done): no message id is kept.
        assert {r.sent_message_id for r in rows if r.chat_id == "1"} == {None}


async def test_a_duty_decided_later_goes_on_its_own(engine, sandbox, bot, fake_time):
    seed(engine, sandbox, {1: 2})
    worker = deliverer(engine, bot, fake_time)
    await deliver_all(worker, engine, fake_time)
    seed(engine, sandbox, {1: 1}, at=START + dt.timedelta(minutes=5), first=2)
    await fake_time.sleep(300)
    await deliver_all(worker, engine, fake_time)
    texts = [m["text"] for m in sandbox.messages_to(1)]
    assert len(texts) == 2 and texts[1].startswith("🔔 NHẮC VIỆC ISO: nhiệm vụ 3")


async def test_other_kinds_are_never_gathered(engine, sandbox, bot, fake_time):
    seed(engine, sandbox, {1: 2}, kind="directive")
    await deliver_all(deliverer(engine, bot, fake_time), engine, fake_time)
    assert len(sandbox.messages_to(1)) == 2
