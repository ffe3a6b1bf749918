"""A running Zalo bot: its client, and updates by long polling or webhook into the inbox."""

from __future__ import annotations

import logging
from typing import Any

from bot.chat.turn import Inbound, Replies
from bot.messengers.base import Host, Menu
from bot.messengers.polling import Poller
from bot.messengers.zalo import adapter
from bot.messengers.zalo.client import ZaloClient
from bot.messengers.zalo.messenger import MESSENGER

log = logging.getLogger(__name__)

POLL_SECONDS = 30


class ZaloConnection:
    """The client, its transport for delivery, and its poller."""

    def __init__(self, client: ZaloClient, host: Host, account: str | None) -> None:
        self.client = client
        self.host = host
        self.account = account
        self.transport = adapter.ZaloTransport(client, host.files)
        self.webhook_url = host.webhook_url(MESSENGER.webhook_path)
        self._poller: Poller | None = None
        self._unstored: dict[str, Any] | None = None  # taken from Zalo, not stored yet

    @classmethod
    async def open(cls, host: Host) -> ZaloConnection:
        """Make the client and check the token (getMe): a refused token stops the start."""
        settings = host.settings
        client = ZaloClient(settings.zalo_bot_token.get_secret_value(),
                            base_url=settings.zalo_api_base_url)
        try:
            me = await client.get_me()
        except BaseException:
            await client.aclose()
            raise
        return cls(client, host, (me or {}).get("account_name"))

    async def publish_menu(self, menu: Menu) -> None:
        """Zalo shows no command menu: /help lists the commands."""

    async def listen(self) -> None:
        """Register the webhook, or drop any old one and start long polling."""
        if self.webhook_url:
            await self.client.set_webhook(url=self.webhook_url,
                                          secret_token=self.host.webhook_secret)
        else:
            await self.client.delete_webhook()  # getUpdates answers 409 while a webhook is set
            self._poller = Poller("Zalo", self._poll_once)
            self._poller.start()
        log.info("Zalo connected as %s (%s)", self.account,
                 "webhook" if self.webhook_url else "long polling")

    async def _poll_once(self) -> None:
        """One long poll into the inbox.

        Zalo takes no offset: an update is gone from the platform once handed over, so one
        that could not be stored is stored at the next round, before polling again.
        """
        if self._unstored is None:
            self._unstored = await self.client.get_updates(timeout=POLL_SECONDS)
        if self._unstored is not None:
            await self._store(self._unstored)
            self._unstored = None

    async def _store(self, update: dict[str, Any]) -> None:
        arrival = adapter.read_update(update)
        if arrival is None:
            log.warning("ignored a Zalo update isobot cannot use (%s)",
                        str(update.get("event_name"))[:64])
            return
        await self.host.store([arrival])

    async def inbound(self, payload: dict[str, Any]) -> Inbound | None:
        """The conversation's view of a stored update (a photo it carries is downloaded)."""
        return await adapter.to_inbound(payload, self.client)

    def connected(self) -> bool:
        """The webhook is set, or the long poll runs and its last call reached Zalo."""
        if self.webhook_url:
            return True
        return self._poller is not None and self._poller.healthy

    async def download(self, ref: str) -> bytes:
        """A photo a person sent, by the URL its update carried."""
        return await adapter.download(self.client, ref)

    async def acknowledge(self, payload: dict[str, Any], replies: Replies) -> None:
        """Zalo has no buttons to answer."""

    async def stop(self) -> None:
        """Stop polling and close the client."""
        if self._poller:
            await self._poller.stop()
        await self.client.aclose()
