"""Column types every table uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class AwareDateTime(TypeDecorator):
    """A timestamp that is always timezone-aware in Python and stored as UTC.

    SQLite has no time zones and hands back naive values; PostgreSQL keeps them. Both come back
    aware (UTC) so no naive datetime ever reaches the rules.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> Any:
    """A column of :class:`AwareDateTime`, required unless ``nullable``."""
    return Field(default=None, sa_column=Column(AwareDateTime(), nullable=nullable, index=index))
