"""What is kept of what people send: updates read before they are stored, text cleaned before
it is, and replies cut into one messenger call each."""

from __future__ import annotations

import pytest

from bot.chat.replies import one_call_each
from bot.chat.turn import Inbound, IncomingFile
from bot.messengers.telegram.messenger import MESSENGER as TELEGRAM
from bot.messengers.zalo.messenger import MESSENGER as ZALO
from jobs.delivery.messages import Attachment, Choice, Message
from jobs.delivery.transport import Capabilities


def telegram_message(**fields) -> dict:
    return {"update_id": 7, "message": {
        "message_id": 1, "date": 1795000000, "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Lan"}, "text": "/viec", **fields}}


def test_a_telegram_message_is_kept_by_its_update_id_and_chat():
    arrival = TELEGRAM.read_update(telegram_message())
    assert (arrival.update_id, arrival.chat_key) == ("7", "42")


@pytest.mark.parametrize("body", [
    [telegram_message()], "update", None, 7,  # not an object
    {"message": telegram_message()["message"]},  # no update_id
    {**telegram_message(), "update_id": "7"}, {**telegram_message(), "update_id": True},
    {**telegram_message(), "update_id": -1}, {**telegram_message(), "update_id": 2**64},
    telegram_message(date=None), telegram_message(date="yesterday"),  # no usable date
    telegram_message(date=10**20),
    telegram_message(text=["/viec"]), telegram_message(text=7),  # text that is not text
    {"update_id": 8, "edited_message": {"text": ["junk"]}},  # kinds isobot never asked for
    {"update_id": 9, "poll": {"id": None}},
    {"update_id": 10, "callback_query": {"id": "1", "from": {"id": 42, "first_name": "Lan",
                                                            "is_bot": False},
                                         "data": "done:" + "9" * 80}},  # over 64 bytes
])
def test_a_telegram_body_isobot_cannot_use_is_not_kept(body):
    assert TELEGRAM.read_update(body) is None


def zalo_update(**message) -> dict:
    return {"event_name": "message.text.received", "message": {
        "message_id": "ab12", "date": 1795000000000, "text": "/viec",
        "chat": {"id": "u1", "chat_type": "PRIVATE"}, "from": {"id": "u1"}, **message}}


def test_a_zalo_update_is_kept_bare_or_wrapped():
    assert ZALO.read_update(zalo_update()).update_id == "message.text.received:ab12"
    wrapped = ZALO.read_update({"ok": True, "result": zalo_update()})
    assert (wrapped.update_id, wrapped.chat_key) == ("message.text.received:ab12", "u1")


def test_a_long_zalo_message_id_is_kept_as_a_hash_that_fits():
    arrival = ZALO.read_update(zalo_update(message_id="f" * 80))
    assert arrival.update_id.startswith("sha256:") and len(arrival.update_id) <= 64


@pytest.mark.parametrize("body", [
    {"ok": True, "result": "nothing"}, {"hello": "world"}, [], "x",
    zalo_update(text=["/viec"]), zalo_update(text=12),
    zalo_update(**{"from": {"id": "u" * 65}}), zalo_update(**{"from": {"id": True}}),
    zalo_update(**{"from": "u1"}), zalo_update(message_id=None),
    {**zalo_update(), "event_name": 5},
])
def test_a_zalo_body_isobot_cannot_use_is_not_kept(body):
    assert ZALO.read_update(body) is None


def test_what_people_typed_is_cleaned_before_anything_is_stored():
    inbound = Inbound(platform="telegram", update_id="1", user_id="42", chat_id="42",
                      display_name="Lan\x00\x1b" + "n" * 300, text="dòng 1\x00\nd\u0007òng 2",
                      file=IncomingFile(name="bien\x00ban" + "-" * 300 + ".pdf", size=3,
                                        content=b"pdf", ref="r" * 300)).cleaned()
    assert inbound.text == "dòng 1\ndòng 2"
    assert inbound.display_name.startswith("Lan") and len(inbound.display_name) == 255
    assert inbound.file.name.startswith("bienban") and inbound.file.name.endswith(".pdf")
    assert len(inbound.file.name) == 255 and inbound.file.ref is None


FILES = Capabilities(brand="Files", sends_files=True, max_text=10)
NO_FILES = Capabilities(brand="Text only", max_text=10)
ICS = Attachment("document", "lich.ics", b"BEGIN:VCALENDAR")


def test_a_reply_with_a_file_is_a_text_then_the_file():
    parts = one_call_each(Message("Lịch", (Choice("a", "A"),), (ICS,)), FILES)
    assert [(p.text, p.choices, p.attachments) for p in parts] == [
        ("Lịch", (Choice("a", "A"),), ()), ("", (), (ICS,))]


def test_a_long_reply_is_cut_with_its_choices_on_the_last_part():
    parts = one_call_each(Message("một hai ba bốn năm", (Choice("a", "A"),)), FILES)
    assert len(parts) > 1 and all(len(p.text) <= 10 for p in parts)
    assert [bool(p.choices) for p in parts] == [False] * (len(parts) - 1) + [True]


def test_a_messenger_without_files_keeps_them_on_the_text_for_its_adapter():
    [part] = one_call_each(Message("Lịch", attachments=(ICS,)), NO_FILES)
    assert part.attachments == (ICS,)
