"""A file built when it is sent (the year's report draft, a dossier) is built before its
message takes a slot of Telegram's limits: while drafts are being built, the other replies go."""

import asyncio
import datetime as dt
from dataclasses import replace

from bot.messengers.telegram.adapter import TelegramTransport
from bot.runtime.outgoing import FileUnavailable, OutgoingFiles
from jobs.delivery.deliverer import Pace
from jobs.delivery.messages import Attachment, Message
from storage.blobs import FolderStore
from storage.db import session_scope
from storage.outbox import enqueue_reply
from tests.support.delivery import deliver_all, deliverer

DRAFT = Attachment("document", "du-thao-bao-cao-nam.docx", build={"what": "annual_report"})


class SlowBuilds(TelegramTransport):
    """Telegram, where building a draft takes until the test says the builds are done."""

    def __init__(self, bot, built: asyncio.Event) -> None:
        super().__init__(bot)
        self.built = built

    async def build(self, message: Message) -> Message:
        await self.built.wait()
        return replace(message, attachments=tuple(
            Attachment(a.kind, a.filename, b"PK built " + a.filename.encode())
            for a in message.attachments))

    async def prepare(self, message: Message) -> Message:
        return await self.build(message)

    async def send(self, chat_id: str, message: Message) -> str:
        if any(a.build for a in message.attachments):  # not built ahead: built in its slot
            message = await self.build(message)
        return await super().send(chat_id, message)


def reply(session, chat_id: int, message: Message, now: dt.datetime, n: int = 0) -> None:
    enqueue_reply(session, key=f"reply:{chat_id}:{n}", platform="telegram",
                  chat_id=str(chat_id), kind="reply", payload=message.to_payload(), now=now)


async def test_replies_go_while_drafts_are_being_built(engine, sandbox, bot, fake_time):
    drafting = range(1, Pace().concurrency + 1)  # as many drafts as messages may be in flight
    asking = range(101, 121)
    with session_scope(engine) as session:
        for chat_id in [*drafting, *asking]:
            sandbox.add_user(chat_id)
        for chat_id in drafting:
            reply(session, chat_id, Message("", attachments=(DRAFT,)), fake_time.now())
            reply(session, chat_id, Message("Dự thảo đã gửi."), fake_time.now(), n=1)
        for chat_id in asking:
            reply(session, chat_id, Message("Việc của đơn vị tuần này: …"), fake_time.now())
    built = asyncio.Event()
    delivering = asyncio.create_task(deliver_all(
        deliverer(engine, bot, fake_time, transport=SlowBuilds(bot, built)), engine, fake_time))
    try:
        # The drafts are still being built: every other answer has gone already.
        await sandbox.wait_until(
            lambda: all(sandbox.messages_to(c) for c in asking) or delivering.done(), 10)
        assert all(sandbox.messages_to(c) for c in asking)
        assert not any(sandbox.messages_to(c) for c in drafting)
    finally:
        built.set()
    assert await delivering == len(asking) + 2 * len(drafting)
    for chat_id in drafting:  # each person's draft, then what follows it, in that order
        draft, after = sandbox.messages_to(chat_id)
        assert draft["document"]["file_name"] == DRAFT.filename
        assert sandbox.file_content(draft["document"]["file_id"]).startswith(b"PK built")
        assert after["text"] == "Dự thảo đã gửi."
    assert sandbox.rate_refusals == 0


async def test_a_draft_built_ahead_carries_its_bytes_and_one_that_fails_stays_named(tmp_path):
    def annual_report(spec):
        if spec["year"] == 2025:
            raise FileUnavailable("the year has no data")
        return b"PK report " + str(spec["year"]).encode()

    files = OutgoingFiles(FolderStore(tmp_path), lambda: dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
                          builders={"annual_report": annual_report})
    failing = Attachment("document", "bao-cao-2025.docx", build={"what": "annual_report",
                                                                  "year": 2025})
    good = Attachment("document", "bao-cao-2026.docx", build={"what": "annual_report",
                                                               "year": 2026})
    made = await files.made(Message("Báo cáo năm", attachments=(good, failing)))
    assert made.text == "Báo cáo năm"
    assert [(a.filename, a.content, a.build) for a in made.attachments] == [
        ("bao-cao-2026.docx", b"PK report 2026", None),
        ("bao-cao-2025.docx", b"", failing.build)]  # sending builds it again, and says why
