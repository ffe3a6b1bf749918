"""A running Zalo bot: its client, and updates by long polling (one at a time) or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from bot.messengers.base import Host, Menu
from bot.messengers.zalo import adapter
from bot.messengers.zalo.client import ZaloClient, ZaloError
from bot.messengers.zalo.messenger import MESSENGER

log = logging.getLogger(__name__)

POLL_SECONDS = 30
MAX_BACKOFF_SECONDS = 60.0


class ZaloConnection:
    """The client, its transport for delivery, the poller and the webhook endpoint."""

    def __init__(self, client: ZaloClient, host: Host, account: str | None) -> None:
        self.client = client
        self.host = host
        self.account = account
        self.transport = adapter.ZaloTransport(client, host.files)
        self.webhook_url = host.webhook_url(MESSENGER.webhook_path)
        self._poller: asyncio.Task | None = None
        self._handling: asyncio.Future | None = None
        self._poll_failing = False  # the last getUpdates failed (network, server, token)

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
            self._poller = asyncio.create_task(self._poll(), name="zalo-poller")
        log.info("Zalo connected as %s (%s)", self.account,
                 "webhook" if self.webhook_url else "long polling")

    async def _poll(self) -> None:
        """Long-poll for updates, one at a time, until cancelled by :meth:`stop`."""
        backoff = 1.0
        while True:
            try:
                update = await self.client.get_updates(timeout=POLL_SECONDS)
            except ZaloError as error:  # network, server, token: wait, then try again
                self._poll_failing = True
                log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff, self._poll_failing = 1.0, False
            if update is not None:
                # Shielded: stopping waits for this update's replies instead of cutting them off.
                self._handling = asyncio.ensure_future(self._handle(update))
                await asyncio.shield(self._handling)

    async def _handle(self, update: dict) -> bool:
        """Handle one update; False when it failed (logged)."""
        try:
            await adapter.on_update(update, self.client, self.host.conversation, self.host.now,
                                    self.host.files)
        except Exception:
            update_id = (update.get("message") or {}).get("message_id")
            log.exception("Zalo update %s could not be handled", update_id,
                          extra={"messenger": "zalo", "update_id": update_id})
            return False
        return True

    def connected(self) -> bool:
        """The webhook is set, or the long poll runs and its last call reached Zalo."""
        if self.webhook_url:
            return True
        return self._poller is not None and not self._poller.done() and not self._poll_failing

    async def download(self, ref: str) -> bytes:
        """A photo a person sent, by the URL its update carried."""
        return await adapter.download(self.client, ref)

    async def on_webhook(self, body: Any) -> int:
        """Handle one posted update (bare or wrapped in ``{"ok", "result"}``).

        A failure answers 500 so Zalo sends the update again; one handled already is not
        handled twice (the conversation records every update it handles).
        """
        update = adapter.unwrap(body)
        if update is None:
            return 400
        return 200 if await self._handle(update) else 500

    async def stop(self) -> None:
        """Stop polling, let an update under way finish, close the client."""
        if self._poller:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._handling:
            await self._handling
        await self.client.aclose()
