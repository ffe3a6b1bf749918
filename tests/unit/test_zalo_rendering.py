"""How a message looks on Zalo: numbered choices in the reader's language, parts within 2,000."""

from __future__ import annotations

import unicodedata

from bot.messengers.zalo.adapter import render, split_for_zalo, unwrap
from bot.messengers.zalo.client import MAX_TEXT_LENGTH, zalo_text_length
from jobs.delivery.messages import Attachment, Choice, Message
from jobs.people.linking import preferred
from jobs.text.i18n import translator
from storage.models import Member

vi, en = translator("vi"), translator("en")
WORDS = ["Nguyễn", "Thị", "Lan", "báo", "cáo", "quý", "IV", "về", "việc", "khắc", "phục",
         "điểm", "không", "phù", "hợp", "Đức", "Tân", "Mộ", "Đức", "Quảng", "Ngãi", "ưu", "tiên"]


def long_text(length: int) -> str:
    words, size, i = [], 0, 0
    while size < length:
        word = WORDS[i % len(WORDS)]
        words.append(word)
        size += len(word) + 1
        i += 1
    return " ".join(words)


def test_a_3000_character_message_is_split_between_words_within_the_limit():
    text = long_text(3000)
    parts = render(Message(text))
    assert len(parts) == 2
    assert all(zalo_text_length(p) <= MAX_TEXT_LENGTH for p in parts)
    assert " ".join(parts).split() == text.split()  # no word cut, none lost, order kept


def test_decomposed_diacritics_are_never_separated_from_their_letter():
    text = unicodedata.normalize("NFD", long_text(3000))  # "ệ" as e + two combining marks
    parts = split_for_zalo(text)
    assert all(zalo_text_length(p) <= MAX_TEXT_LENGTH for p in parts)
    assert all(not unicodedata.combining(p[0]) for p in parts)
    assert " ".join(parts).split() == unicodedata.normalize("NFC", text).split()


def test_emoji_count_double_as_zalo_counts_them():
    text = "\n".join(["👍" * 40] * 60)  # 2,459 code points, 4,859 UTF-16 units
    parts = split_for_zalo(text)
    assert all(zalo_text_length(p) <= MAX_TEXT_LENGTH for p in parts)
    assert "\n".join(parts) == text


def test_choices_are_a_numbered_reply_line_in_the_message_language():
    choices = (Choice("done:7", vi._("Submitted")), Choice("later:7", vi._("Remind me later")),
               Choice("guide:7", vi._("Guidance")))
    [text] = render(Message("Nhắc việc", choices, lang="vi"))
    options = f"1 – {vi._('Submitted')}, 2 – {vi._('Remind me later')}, 3 – {vi._('Guidance')}"
    assert text == "Nhắc việc\n\n" + vi._("Reply {options}").format(options=options)
    [english] = render(Message("Reminder", (Choice("done:7", "Submitted"),), lang="en"))
    assert english == "Reminder\n\nReply 1 – Submitted"


def test_long_labels_go_one_per_line_and_the_choice_line_ends_the_last_part():
    labels = [f"Báo cáo quý {i} cho Thường trực BCĐ ISO: 15/12/2026" for i in range(1, 5)]
    text = long_text(2500)
    parts = render(Message(text, tuple(Choice(f"pick:{i}", label)
                                       for i, label in enumerate(labels)), lang="en"))
    assert parts[-1].endswith("Reply with the number of your choice:\n" + "\n".join(
        f"{i}. {label}" for i, label in enumerate(labels, start=1)))


def test_without_a_web_address_an_attachment_is_named_and_the_reason_said():
    message = Message("Báo cáo tuần", attachments=(Attachment("photo", "chart.png", b"png"),),
                      lang="en")
    [text] = render(message)
    assert text.startswith("Báo cáo tuần\n\n📎 chart.png")
    assert "the system operator has not set up its web address" in text


def test_a_message_without_language_uses_the_default():
    [text] = render(Message("x", (Choice("skip", "Bỏ qua"),)))
    assert text == "x\n\n" + vi._("Reply {options}").format(options="1 – Bỏ qua")


def test_a_webhook_body_is_the_update_or_wraps_it():
    update = {"event_name": "message.text.received", "message": {"message_id": "1"}}
    assert unwrap(update) == update
    assert unwrap({"ok": True, "result": update}) == update
    assert unwrap({"ok": True, "result": []}) is None
    assert unwrap(["nope"]) is None


def member(id_: int, platform: str, person: int | None, receives: bool = True,
           active: bool = True) -> Member:
    return Member(id=id_, unit_id=1, role="officer", platform=platform, platform_user_id=str(id_),
                  chat_id=str(id_), person_id=person, receives_reminders=receives, active=active)


def test_preferred_keeps_each_persons_chosen_accounts():
    telegram, zalo = member(1, "telegram", 1, receives=False), member(2, "zalo", 1)
    stranger = member(3, "telegram", None)
    assert preferred([telegram, zalo, stranger]) == [zalo, stranger]


def test_preferred_falls_back_when_the_chosen_account_is_gone():
    # members_of only lists active rows: the chosen Zalo account blocked the bot.
    telegram = member(1, "telegram", 1, receives=False)
    assert preferred([telegram]) == [telegram]
