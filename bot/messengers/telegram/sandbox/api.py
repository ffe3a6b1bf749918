"""The Bot API methods isobot (through python-telegram-bot) calls, and nothing more.

getMe, getUpdates, setWebhook, deleteWebhook, setMyCommands, sendMessage, sendPhoto,
sendDocument, editMessageText, answerCallbackQuery, getFile and the file download; with the
answers isobot relies on: 429 past Telegram's rates, 403 for a blocked user, 400 "chat not
found", "message is not modified", "file is too big", and a text or button data too long.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from aiohttp import web

from bot.messengers.sandbox import ApiError, Handler, SandboxServer, Upload
from bot.messengers.telegram.sandbox.state import (
    MAX_CAPTION,
    MAX_DOWNLOAD,
    MAX_TEXT,
    Chat,
    Files,
    StoredFile,
    bad_request,
    check_buttons,
    check_commands,
    from_json,
    utf16_len,
)

MAX_POLL_SECONDS = 50.0


class BotApi(SandboxServer):
    """The bot's side of the Telegram sandbox."""

    secret_header = "X-Telegram-Bot-Api-Secret-Token"
    rate_options: ClassVar[tuple[str, ...]] = (
        "global_per_second", "private_chat_per_second", "group_chat_per_minute")

    def __init__(self, token: str = "123:ABC", bot_username: str = "isobot_sandbox_bot", *,
                 global_per_second: int | None = 30, private_chat_per_second: int | None = 1,
                 group_chat_per_minute: int | None = 20, **options: Any) -> None:
        """Limits of None are off; they default to what Telegram documents."""
        super().__init__(token, **options)
        bot_id = token.split(":", 1)[0]
        self.bot_user = {"id": int(bot_id) if bot_id.isdigit() else 1, "is_bot": True,
                         "first_name": "ISO Bot (sandbox)", "username": bot_username}
        self.global_per_second = global_per_second
        self.private_chat_per_second = private_chat_per_second
        self.group_chat_per_minute = group_chat_per_minute
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.files = Files()
        self.callback_answers: list[dict[str, Any]] = []
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._commands: dict[str, list[dict[str, str]]] = {}  # by language code
        self._replayed: list[dict[str, Any]] = []  # re-queued updates not yet handed out

    @property
    def base_file_url(self) -> str:
        """What python-telegram-bot takes as base_file_url: everything before the token."""
        return f"{self.url}/file/bot"

    def api(self) -> dict[str, Handler]:
        return {
            "getMe": lambda params, uploads: self.bot_user,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "setMyCommands": self._set_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._file_sender("photo"),
            "sendDocument": self._file_sender("document"),
            "editMessageText": self._edit_message_text,
            "answerCallbackQuery": self._answer_callback_query,
            "getFile": self._get_file,
        }

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)

    # -- updates -----------------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        if params.get("offset") not in (None, ""):
            # An update is confirmed by a later call with a higher offset; a replayed one
            # (an old update_id queued again) stays until it has been handed out once.
            offset = int(params["offset"])
            confirmed = len(self.pending)
            self.pending = [u for u in self.pending if u["update_id"] >= offset
                            or any(u is r for r in self._replayed)]
            if len(self.pending) < confirmed:
                self._notify()  # a test may wait for its updates to be taken
        timeout = min(float(params.get("timeout") or 0), MAX_POLL_SECONDS)
        if not await self.wait_until(lambda: self.pending or self.webhook, timeout):
            return []
        batch = [] if self.webhook else self.pending[:int(params.get("limit") or 100)]
        self._replayed = [r for r in self._replayed if not any(r is u for u in batch)]
        return copy.deepcopy(batch)

    def _set_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        self.set_webhook(params.get("url") or None, params.get("secret_token") or None)
        return True

    def _delete_webhook(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        if str(params.get("drop_pending_updates")).lower() == "true":
            self.pending.clear()
        self.set_webhook(None)
        return True

    def _set_my_commands(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        commands = check_commands(from_json(params.get("commands", "[]"), "commands"))
        self._commands[str(params.get("language_code") or "")] = commands
        return True

    def commands(self, language_code: str = "") -> list[dict[str, str]]:
        """The menu setMyCommands stored for ``language_code`` ("" for everyone else)."""
        return copy.deepcopy(self._commands.get(language_code, []))

    # -- sending -----------------------------------------------------------------------------

    def chat_for(self, params: dict[str, Any]) -> Chat:
        """The chat a method writes to, refused as Telegram refuses it."""
        try:
            chat = self.chats.get(int(params.get("chat_id")))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user" if chat.user
                           else f"Forbidden: bot was kicked from the {chat.type} chat")
        return chat

    def _send(self, chat: Chat, method: str, **content: Any) -> dict[str, Any]:
        """Count the message against the rate limits, keep it, answer the Message."""
        per_chat = ((chat.id, self.private_chat_per_second, 1.0) if chat.user
                    else (chat.id, self.group_chat_per_minute, 60.0))
        self.take_rate(("bot", self.global_per_second, 1.0), per_chat)
        record = {"method": method, "chat_id": chat.id, "message_id": chat.next_message_id(),
                  "date": int(self.wall_clock()), "text": None, "caption": None,
                  "reply_markup": None, "document": None, "photo": None, **content}
        return self.message_json(self.record(record))

    def _send_message(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        text = _text(params, "text", MAX_TEXT)
        markup = check_buttons(from_json(params.get("reply_markup"), "reply keyboard markup"))
        return self._send(self.chat_for(params), "sendMessage", text=text, reply_markup=markup)

    def _file_sender(self, kind: str) -> Handler:
        def send(params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
            caption = _text(params, "caption", MAX_CAPTION) if params.get("caption") else None
            chat = self.chat_for(params)
            stored = self._input_file(kind, params, uploads)
            return self._send(chat, f"send{kind.capitalize()}", caption=caption,
                              **{kind: stored.to_api()})

        return send

    def _input_file(self, kind: str, params: dict[str, Any],
                    uploads: dict[str, Upload]) -> StoredFile:
        value = params.get(kind)
        upload = uploads.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value.removeprefix("attach://"))
        if upload is not None and upload.content:
            return self.files.store(kind, upload.content, upload.filename)
        if value in self.files.by_id:
            return self.files.by_id[value]
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _edit_message_text(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        chat = self.chat_for(params)
        record = self.bot_message(chat.id, params.get("message_id"))
        text = _text(params, "text", MAX_TEXT)
        # Like Telegram: an edit without reply_markup removes the buttons.
        markup = check_buttons(from_json(params.get("reply_markup"), "reply keyboard markup"))
        if (record["text"], record["reply_markup"]) == (text, markup):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply "
                              "markup of the message")
        record.update(text=text, reply_markup=markup, edit_date=int(self.wall_clock()))
        return self.message_json(record)

    def bot_message(self, chat_id: int, message_id: Any) -> dict[str, Any]:
        """The bot's message ``message_id`` in ``chat_id``."""
        found = next((m for m in self.sent if m["chat_id"] == chat_id
                      and str(m["message_id"]) == str(message_id)), None)
        if found is None:
            raise bad_request("message to edit not found")
        return found

    def message_json(self, record: dict[str, Any]) -> dict[str, Any]:
        """The Message object Telegram answers for a message the bot sent."""
        message = {"message_id": record["message_id"], "date": record["date"],
                   "from": self.bot_user, "chat": self.chats[record["chat_id"]].to_api()}
        for key in ("text", "caption", "document", "photo", "reply_markup", "edit_date"):
            if record.get(key):
                message[key] = copy.deepcopy(record[key])
        return message

    # -- buttons and files -------------------------------------------------------------------

    def _answer_callback_query(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        query_id = str(params.get("callback_query_id"))
        if self._queries.get(query_id, True):
            raise bad_request("query is too old and response timeout expired or query ID is "
                              "invalid")
        self._queries[query_id] = True
        self.callback_answers.append({"callback_query_id": query_id, "text": params.get("text")})
        return True

    def _get_file(self, params: dict[str, Any], uploads: dict[str, Upload]) -> Any:
        stored = self.files.by_id.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                "file_size": stored.size, "file_path": self.files.download_path(stored)}

    async def _download(self, request: web.Request) -> web.Response:
        stored = self.files.by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content,
                            content_type=stored.mime_type or "application/octet-stream")


def _text(params: dict[str, Any], name: str, limit: int) -> str:
    text = params.get(name)
    if not isinstance(text, str) or not text.strip():
        raise bad_request(f"{name} is empty")
    if utf16_len(text) > limit:
        raise bad_request(f"{'message' if name == 'text' else 'message caption'} is too long")
    return text
