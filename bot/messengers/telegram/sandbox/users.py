"""The people's side of the Telegram sandbox: what tests and the demo make users do."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from typing import Any

from bot.messengers.telegram.sandbox.api import BotApi
from bot.messengers.telegram.sandbox.state import Chat, command_entities


class TelegramSandbox(BotApi):
    """A Telegram Bot API server in memory, with users a test (or a terminal) plays."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_000_001)

    def add_user(self, user_id: int, first_name: str | None = None) -> dict[str, Any]:
        """A person who has started the bot (so the bot may write first)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = self.users.setdefault(user_id, {"id": user_id, "is_bot": False,
                                               "first_name": f"User {user_id}",
                                               "language_code": "vi"})
        user["first_name"] = first_name or user["first_name"]
        self.chats.setdefault(user_id, Chat(user_id, "private", user=user))
        return copy.deepcopy(user)

    def add_group(self, chat_id: int, title: str | None = None) -> dict[str, Any]:
        """A group the bot is a member of; group ids are negative."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
        chat = self.chats.setdefault(chat_id, Chat(chat_id, kind, title or f"Group {chat_id}"))
        return chat.to_api()

    def user_sends_text(self, user_id: int, text: str, *, first_name: str | None = None,
                        chat_id: int | None = None) -> dict[str, Any]:
        """The user writes ``text`` (in the private chat unless ``chat_id`` names a group)."""
        return self._user_message(user_id, first_name, chat_id,
                                  {"text": text, "entities": command_entities(text)})

    def user_sends_document(self, user_id: int, filename: str, content: bytes = b"", *,
                            caption: str | None = None,
                            size_override: int | None = None) -> dict[str, Any]:
        """The user sends a file; ``size_override`` fakes a big one without its bytes."""
        stored = self.files.store("document", content, filename, size_override)
        return self._user_message(user_id, None, None,
                                  {"document": stored.to_api(), "caption": caption})

    def user_sends_photo(self, user_id: int, content: bytes = b"", *,
                         caption: str | None = None) -> dict[str, Any]:
        """The user sends a photo."""
        stored = self.files.store("photo", content)
        return self._user_message(user_id, None, None,
                                  {"photo": stored.to_api(), "caption": caption})

    def user_presses_button(self, user_id: int, message_id: int, callback_data: str, *,
                            strict: bool = True) -> dict[str, Any]:
        """The user taps a button of the bot's message in their chat; returns the update.

        With ``strict`` the message must carry a button with that data now; without it a test
        can press a button that is gone, or forge one.
        """
        record = self.bot_message(user_id, message_id)
        rows = (record["reply_markup"] or {}).get("inline_keyboard", [])
        offered = [button.get("callback_data") for row in rows for button in row]
        if strict and callback_data not in offered:
            raise ValueError(f"message {message_id} has no button {callback_data!r}: {offered}")
        query_id = str(next(self._query_ids))
        self._queries[query_id] = False
        return self._enqueue({"callback_query": {
            "id": query_id, "from": self.users[user_id], "data": callback_data,
            "chat_instance": str(user_id), "message": self.message_json(record)}})

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: messages to them get 403 until they write again."""
        if user_id > 0:
            self.add_user(user_id)
        if user_id not in self.chats:
            raise ValueError(f"unknown group {user_id}")
        self.chats[user_id].blocked = True

    def queue_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Hand over an update again, as Telegram does when it was not confirmed."""
        raw = copy.deepcopy(dict(update))
        raw.setdefault("update_id", next(self._update_ids))
        self._replayed.append(raw)
        return self.enqueue(raw)

    def file_content(self, file_id: str) -> bytes:
        """The bytes of a file the bot uploaded or a user sent."""
        return self.files.by_id[file_id].content

    def _user_message(self, user_id: int, first_name: str | None, chat_id: int | None,
                      content: dict[str, Any]) -> dict[str, Any]:
        user = self.add_user(user_id, first_name)
        if chat_id is None or chat_id == user_id:
            chat = self.chats[user_id]
            chat.blocked = False  # writing again is pressing "Restart" after blocking the bot
        else:
            self.add_group(chat_id)
            chat = self.chats[chat_id]
        message = {"message_id": chat.next_message_id(), "from": user, "chat": chat.to_api(),
                   "date": int(self.wall_clock()),
                   **{key: value for key, value in content.items() if value}}
        return self._enqueue({"message": message})

    def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        return self.enqueue({"update_id": next(self._update_ids), **update})
