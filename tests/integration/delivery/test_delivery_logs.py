"""A message that could not be sent is logged at WARNING with its outbox row (README, Health
and metrics: the logs name ``messenger``, ``queue``, ``row_id`` and ``error``)."""

import logging

import pytest
from sqlmodel import select

from storage.db import session_scope
from storage.models import Outbox
from tests.support.delivery import deliverer, seed


@pytest.mark.parametrize(("trouble", "said"), [
    ("blocked", "parked, the recipient is gone"),  # a chat gone
    ("400", "parked, the messenger refused it"),  # a 4xx
    ("502", "retry in"),
    ("429", "retry in 7 s"),
])
async def test_a_message_not_sent_is_logged_with_its_row(
        engine, sandbox, bot, fake_time, caplog, trouble, said):
    seed(engine, sandbox, [1001])
    if trouble == "blocked":
        sandbox.block_bot(1001)
    else:
        sandbox.fail_next("sendMessage", int(trouble),
                          retry_after=7 if trouble == "429" else None)
    with session_scope(engine) as session:
        row_id = session.exec(select(Outbox.id)).one()
    with caplog.at_level(logging.WARNING):
        await deliverer(engine, bot, fake_time).deliver_due()
    [record] = [r for r in caplog.records if getattr(r, "row_id", None) == row_id]
    assert record.levelno == logging.WARNING
    assert f"outbox row {row_id}: {said}" in record.getMessage()
    assert (record.queue, record.messenger) == ("outbox", "telegram")
    assert record.error
