"""isobot's own web server: the address people's phones reach, and where it listens.

Part of the one settings object (:class:`bot.settings.Settings`). Everything a person opens
from the chat — files and charts on Zalo, upload pages, the pages of later features — is a
signed link on ``ISOBOT_PUBLIC_URL``, in long polling as in webhook mode.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings

DEFAULT_WEB_PORT = 8443


class WebSettings(BaseSettings):
    """The public address of isobot's web server, where it listens, and how long links last."""

    public_url: str | None = Field(
        None, validation_alias=AliasChoices("ISOBOT_PUBLIC_URL"),
        description="The address people's phones reach isobot's web server at (HTTPS behind "
                    "the province's proxy); unset in webhook mode: WEBHOOK_BASE_URL.")
    web_listen: str | None = Field(
        None, validation_alias=AliasChoices("ISOBOT_WEB_LISTEN"),
        description="Where the web server listens; unset in webhook mode: the webhook's "
                    "server serves it, else 0.0.0.0.")
    web_port: int | None = Field(
        None, ge=0, le=65535, validation_alias=AliasChoices("ISOBOT_WEB_PORT"),
        description=f"Its port; unset in webhook mode: the webhook's, else {DEFAULT_WEB_PORT}.")
    upload_link_minutes: int = Field(
        60, ge=5, le=24 * 60, validation_alias=AliasChoices("ISOBOT_UPLOAD_LINK_MINUTES"),
        description="How long a link to send a file works (for a messenger that passes "
                    "on only photos), on the bot's clock.")
    page_link_hours: int = Field(
        24, ge=1, le=24 * 7, validation_alias=AliasChoices("ISOBOT_PAGE_LINK_HOURS"),
        description="How long a supervisor's link to the page of their units (/tongquan) "
                    "works, on the bot's clock.")

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("ISOBOT_PUBLIC_URL must start with https:// (or http:// for a test)")
        return value.rstrip("/")

    def public_base_url(self) -> str | None:
        """Where links point: ``ISOBOT_PUBLIC_URL``, else the webhook's base URL, else None."""
        return self.public_url or getattr(self, "webhook_base_url", None) or None

    def own_web_server(self) -> bool:
        """Whether the web server listens apart from the webhook's (or, without a webhook,
        at all): a public address with no webhook, or a listen address or port of its own."""
        webhook = bool(getattr(self, "webhook_base_url", None))
        if not webhook:
            return self.public_url is not None
        return self.web_port is not None or self.web_listen is not None

    def web_address(self) -> tuple[str, int]:
        """Where the web server listens when it listens on its own."""
        return self.web_listen or "0.0.0.0", (DEFAULT_WEB_PORT if self.web_port is None
                                              else self.web_port)
