"""The bot most acceptance tests talk to: sample units, the sandbox server, a test clock."""

import pytest

from tests.conftest import at
from tests.support.telegram import running_bot


@pytest.fixture
async def bot(engine, catalog):
    """A running bot at 16:00 on Monday 30 November 2026 (override per module when needed)."""
    async with running_bot(engine, catalog, at("2026-11-30 16:00")) as harness:
        yield harness
