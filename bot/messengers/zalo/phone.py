"""The officer's Zalo in ``isobot demo``: the sandbox; choices arrive as numbered lines."""

from __future__ import annotations

from pathlib import Path

from bot.messengers.zalo.sandbox import ZaloSandbox
from jobs.text.i18n import Translator


class ZaloPhone:
    """The demo's side of the Zalo sandbox (ids are strings on Zalo)."""

    token = "200000:demo-zalo-sandbox-token"

    def __init__(self) -> None:
        self.sandbox = ZaloSandbox(token=self.token, bot_name="isobot_demo")

    async def start(self) -> dict[str, object]:
        await self.sandbox.start()
        return {"zalo_bot_token": self.token, "zalo_api_base_url": self.sandbox.base_url}

    async def stop(self) -> None:
        await self.sandbox.stop()

    def user_says(self, user_id: int, text: str, name: str | None = None) -> None:
        self.sandbox.user_sends_text(str(user_id), text, display_name=name)

    async def next_message(self, user_id: int) -> tuple[str, list[str]]:
        message = await self.sandbox.next_message(str(user_id), timeout=3600)
        if message.get("type") == "photo":  # a chart: its link on isobot's web server
            return "\n".join(filter(None, [message.get("caption"), f"🖼 {message['photo']}"])), []
        return message.get("text") or "", []

    def press(self, user_id: int, number: int) -> bool:
        return False  # no buttons: a typed "1" is the answer, read by the conversation

    def send_file(self, user_id: int, path: Path) -> None:
        self.sandbox.user_sends_photo(str(user_id), path.read_bytes())

    def how_to_answer(self, tr: Translator) -> str:
        return "\n".join([
            tr._("Zalo comes first: Telegram has been blocked on Vietnam's main networks since "
                 "June 2025 (try it with: isobot demo --messenger telegram)."),
            tr._("Type a message and press Enter. Choices are numbered lines: reply 1, 2, 3 to "
                 "pick one. “/tep PATH” sends a photo; “/thoat” leaves.")])
