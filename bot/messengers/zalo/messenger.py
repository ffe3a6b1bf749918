"""Zalo as a plug-in: its facts and limits, and the one object the runtime loops over.

Facts from the Zalo Bot Platform reference (bot.zaloplatforms.com/docs, pages of 10/12/2025):
no inline keyboards and no message edits; ``sendMessage`` text of 1–2000 characters;
``sendPhoto`` takes a public URL, not bytes; no deep links that carry a start payload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.messengers.zalo.client import MAX_TEXT_LENGTH
from bot.messengers.zalo.settings import ZaloSettings
from jobs.delivery.deliverer import RateLimits
from jobs.delivery.transport import Capabilities

if TYPE_CHECKING:
    from bot.messengers.base import Arrival, Connection, Host, Phone
    from bot.settings import Settings

PLATFORM = "zalo"
#: Zalo publishes no download limit; a bot keeps photos to the same 20 MB as everywhere.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: setWebhook(secret_token=...): Zalo sends it back in this header.
SECRET_HEADER = "X-Bot-Api-Secret-Token"

# A person can send the bot images only, never a PDF (Zalo Bot Platform, docs v2.5.0, 2026).
CAPABILITIES = Capabilities(brand="Zalo", max_text=MAX_TEXT_LENGTH, max_file_bytes=MAX_FILE_BYTES,
                            files_by_url=True, receives_documents=False)


class Zalo:
    """The Zalo Bot Platform through :class:`~bot.messengers.zalo.client.ZaloClient`."""

    name = PLATFORM
    capabilities = CAPABILITIES
    webhook_path = "/zalo"
    secret_header = SECRET_HEADER
    token_variable = "ZALO_BOT_TOKEN"
    settings_model = ZaloSettings

    def enabled(self, settings: Settings) -> bool:
        return bool(settings.zalo_bot_token)

    def secrets(self, settings: Settings) -> list[str]:
        token = settings.zalo_bot_token
        return [token.get_secret_value()] if token else []

    def read_update(self, body: Any) -> Arrival | None:
        from bot.messengers.zalo.adapter import read_update

        return read_update(body)

    def rate_limits(self, settings: Settings) -> RateLimits:
        """Zalo publishes no figures (429 "quota exceeded"): the operator's rate, 1/s a chat."""
        return RateLimits(per_second=settings.zalo_messages_per_second, per_chat_second=1.0,
                          per_group_minute=20.0)

    async def connect(self, host: Host) -> Connection:
        from bot.messengers.zalo.connection import ZaloConnection

        return await ZaloConnection.open(host)

    def invite_link(self, settings: Settings, code: str) -> str | None:
        return None  # no deep links: people type "/start CODE" or the bare code

    def phone(self) -> Phone:
        from bot.messengers.zalo.phone import ZaloPhone

        return ZaloPhone()


MESSENGER = Zalo()
