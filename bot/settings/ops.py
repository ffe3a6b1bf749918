"""Who runs isobot, and how it is watched: the health port, the log format, the operator.

Part of the one settings object (:class:`bot.settings.Settings`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class OpsSettings(BaseSettings):
    """The health and metrics server, the log format, and the operator people are told of."""

    health_listen: str = Field(
        "127.0.0.1", validation_alias=_env("ISOBOT_HEALTH_LISTEN"),
        description="Where /healthz, /readyz and /metrics listen; 0.0.0.0 lets a Prometheus "
                    "server or an orchestrator on another host reach them.")
    health_port: int = Field(8080, ge=0, le=65535, validation_alias=_env("ISOBOT_HEALTH_PORT"))
    ready_outbox_minutes: float = Field(
        15, gt=0, validation_alias=_env("ISOBOT_READY_OUTBOX_MINUTES"),
        description="/readyz fails while a message has waited longer than this past its time.")
    log_format: Literal["text", "json"] = Field("text", validation_alias=_env("ISOBOT_LOG_FORMAT"))
    operator_name: str = Field(
        "", max_length=200, validation_alias=_env("ISOBOT_OPERATOR_NAME"),
        description="Who runs isobot (the controller of the personal data it keeps), named in "
                    "the notice people read when they register.")
    operator_contact: str = Field(
        "", max_length=200, validation_alias=_env("ISOBOT_OPERATOR_CONTACT"),
        description="How people reach the operator: a phone number, an e-mail address.")
