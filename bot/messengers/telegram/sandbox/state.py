"""What the Telegram sandbox remembers besides messages: chats, files, and their JSON shapes."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from bot.messengers.sandbox import ApiError

#: Bot API limits the sandbox enforces (core.telegram.org/bots/api): what isobot must respect.
MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA = 4096, 1024, 64
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files: "file is too big"
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")  # BotCommand.command
_COMMAND_IN_TEXT = re.compile(r"(?:(?<=\s)|^)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?")


def bad_request(detail: str) -> ApiError:
    """Telegram's 400 answer."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class Chat:
    """A private chat (id = the person's id) or a group (negative id)."""

    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    user: dict[str, Any] | None = None  # the person, in a private chat
    blocked: bool = False  # the person blocked the bot, or the bot left the group
    last_message_id: int = 0

    def to_api(self) -> dict[str, Any]:
        if self.user is not None:
            return {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        return {"id": self.id, "type": self.type, "title": self.title}

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id


@dataclass
class StoredFile:
    """A document or photo, sent by a user or uploaded by the bot."""

    file_id: str
    unique_id: str
    kind: str  # "document" or "photo"
    content: bytes
    size: int
    name: str | None = None
    mime_type: str | None = None
    path: str | None = None  # set by getFile: where it is downloaded

    def to_api(self) -> Any:
        """A Document object, or a photo's list of PhotoSize (one size here)."""
        common = {"file_id": self.file_id, "file_unique_id": self.unique_id,
                  "file_size": self.size}
        if self.kind == "photo":
            return [{**common, "width": 1280, "height": 960}]
        return {**common, "file_name": self.name, "mime_type": self.mime_type}


class Files:
    """Every file in the sandbox, by id and by download path."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}

    def store(self, kind: str, content: bytes, name: str | None = None,
              size: int | None = None) -> StoredFile:
        """Keep ``content``; ``size`` fakes a big file without its bytes."""
        number = len(self.by_id) + 1
        digest = hashlib.sha256(content).hexdigest()
        mime = None
        if kind == "document":
            name = name or "document"
            mime = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        stored = StoredFile(f"{kind[:3].upper()}{number:06d}{digest[:24]}", f"U{number:06d}",
                            kind, content, len(content) if size is None else size, name, mime)
        self.by_id[stored.file_id] = stored
        return stored

    def download_path(self, stored: StoredFile) -> str:
        """Where getFile says the file can be fetched (``base_file_url + token/path``)."""
        if stored.path is None:
            suffix = PurePosixPath(stored.name or "").suffix or ".jpg"
            stored.path = f"{stored.kind}s/file_{len(self.by_path)}{suffix}"
            self.by_path[stored.path] = stored
        return stored.path


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entities Telegram marks in a text (CommandHandler needs them)."""
    return [{"type": "bot_command", "offset": utf16_len(text[:m.start()]),
             "length": utf16_len(m.group(0))} for m in _COMMAND_IN_TEXT.finditer(text)]


def utf16_len(text: str) -> int:
    """Telegram counts text in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def from_json(value: Any, what: str) -> Any:
    """A parameter python-telegram-bot sent JSON-encoded in a form (reply_markup, commands)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise bad_request(f"can't parse {what} JSON object") from None


def check_buttons(markup: Any) -> dict[str, Any] | None:
    """An inline keyboard as sent; callback data over 64 bytes is refused as by Telegram."""
    if markup is None:
        return None
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for button in (b for row in rows for b in row):
        data = button.get("callback_data", "")
        if not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    return markup


def check_commands(commands: Any) -> list[dict[str, str]]:
    """setMyCommands' list, refused as Telegram refuses a bad name or description."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    for item in commands:
        if not COMMAND_NAME.fullmatch(str(item.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(item.get("description") or "")) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]
