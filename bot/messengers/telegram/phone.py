"""The officer's Telegram in ``isobot demo``: the sandbox, buttons numbered in a terminal."""

from __future__ import annotations

from pathlib import Path

from bot.messengers.base import Shown
from bot.messengers.telegram.sandbox import TelegramSandbox
from jobs.text.i18n import Translator


class TelegramPhone:
    """The demo's side of the Telegram sandbox."""

    token = "100000:demo-sandbox-token"

    def __init__(self) -> None:
        self.sandbox = TelegramSandbox(token=self.token, bot_username="isobot_demo_bot")
        self.buttons: list[tuple[int, str]] = []  # (message id, callback data) of the last

    async def start(self) -> dict[str, object]:
        await self.sandbox.start()
        return {"telegram_bot_token": self.token, "telegram_api_base_url": self.sandbox.base_url,
                "telegram_file_base_url": self.sandbox.base_file_url}

    async def stop(self) -> None:
        await self.sandbox.stop()

    def user_says(self, user_id: int, text: str, name: str | None = None) -> None:
        self.sandbox.user_sends_text(user_id, text, first_name=name)

    async def next_message(self, user_id: int) -> Shown:
        message = await self.sandbox.next_message(user_id, timeout=3600)
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        if buttons:
            self.buttons = [(message["message_id"], b["callback_data"]) for b in buttons]
        return Shown(message.get("text") or message.get("caption") or "",
                     [b["text"] for b in buttons], self._file(message))

    def _file(self, message: dict) -> tuple[str, bytes] | None:
        """The document or photo the bot sent, with the name it goes by."""
        sent = message.get("document") or (message.get("photo") or [None])[-1]
        stored = self.sandbox.files.by_id.get(sent["file_id"]) if sent else None
        if stored is None:
            return None
        return stored.name or f"photo-{message['message_id']}.jpg", stored.content

    def press(self, user_id: int, number: int) -> bool:
        if not 1 <= number <= len(self.buttons):
            return False
        message_id, data = self.buttons[number - 1]
        self.sandbox.user_presses_button(user_id, message_id, data, strict=False)
        return True

    def send_file(self, user_id: int, path: Path) -> None:
        self.sandbox.user_sends_document(user_id, path.name, path.read_bytes())

    def how_to_answer(self, tr: Translator) -> str:
        return "\n".join([
            tr._("Telegram is isobot's second messenger: it has been blocked on Vietnam's main "
                 "networks since June 2025, so officers use Zalo."),
            tr._("Type a message and press Enter. Buttons are numbered: type 1, 2, 3 to press "
                 "one. “/tep PATH” sends a file; “/thoat” leaves.")])
