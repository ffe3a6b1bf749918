"""The officer's Zalo in ``isobot demo``: the sandbox; choices arrive as numbered lines."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from bot.messengers.base import Shown
from bot.messengers.zalo.sandbox import ZaloSandbox
from jobs.text.i18n import Translator

# A link to a file on isobot's web server (bot/runtime/outgoing.py), as the text carries it.
_FILE_LINK = re.compile(r"https?://[^\s]+/files/[^\s)]+")
#: The demo on Telegram, run the way the README runs every command (as ``make setup`` installs it).
TRY_TELEGRAM = ".venv/bin/isobot demo --messenger telegram"


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

    async def next_message(self, user_id: int) -> Shown:
        message = await self.sandbox.next_message(str(user_id), timeout=3600)
        if message.get("type") == "photo":  # a chart: its link on isobot's web server
            text = "\n".join(filter(None, [message.get("caption"), f"🖼 {message['photo']}"]))
            return Shown(text, [], await _opened(message["photo"]))
        text = message.get("text") or ""
        link = _FILE_LINK.search(text)  # a file comes as a link: the phone opens it
        return Shown(text, [], await _opened(link.group()) if link else None)

    def press(self, user_id: int, number: int) -> bool:
        return False  # no buttons: a typed "1" is the answer, read by the conversation

    def send_file(self, user_id: int, path: Path) -> None:
        self.sandbox.user_sends_photo(str(user_id), path.read_bytes())

    def how_to_answer(self, tr: Translator) -> str:
        return "\n".join([
            tr._("Zalo comes first: Telegram has been blocked on Vietnam's main networks since "
                 "June 2025 (try it with: {command}).").format(command=TRY_TELEGRAM),
            tr._("Type a message and press Enter. Choices are numbered lines: reply 1, 2, 3 to "
                 "pick one. “/tep PATH” sends a photo; “/thoat” leaves.")])


async def _opened(url: str) -> tuple[str, bytes] | None:
    """What opening ``url`` downloads: the file's name and bytes; None when nothing came."""
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            if response.status != 200:
                return None
            shown = response.content_disposition
            name = (shown.filename if shown else None) or url.rsplit("/", 1)[-1]
            return name, await response.read()
    except (aiohttp.ClientError, TimeoutError):
        return None
