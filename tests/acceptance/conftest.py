"""The bot most acceptance tests talk to: sample units, the sandbox server, a test clock."""

import pytest

from tests.conftest import at, written_before_reform
from tests.support.telegram import running_bot


@pytest.fixture
async def bot(engine, catalog, request):
    """A running bot at 16:00 on Monday 30 November 2026 (override per module when needed); a
    module marked ``before_reform`` gets the sample units of before the 2025 reform."""
    async with running_bot(engine, catalog, at("2026-11-30 16:00"),
                           before_reform=written_before_reform(request)) as harness:
        yield harness
