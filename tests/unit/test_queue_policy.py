"""The durable queues' one retry rule: pauses grow, jitter stays within bounds and is the same
every time, and a row is parked after its queue's last try."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from jobs.queues import (
    EVIDENCE_DOWNLOADS,
    EVIDENCE_STAGED,
    INBOX,
    OUTBOX,
    QueuePolicy,
)
from tests.conftest import at

EXACT = QueuePolicy("test", first_pause=dt.timedelta(seconds=2), factor=3,
                    max_pause=dt.timedelta(minutes=5), max_tries=4,
                    lease=dt.timedelta(seconds=30))


def seconds(policy: QueuePolicy, tries: int, row_id: int = 1) -> float:
    return policy.pause(tries=tries, row_id=row_id).total_seconds()


def test_the_pause_grows_by_the_factor_up_to_the_longest():
    assert [seconds(EXACT, n) for n in range(1, 7)] == [2, 6, 18, 54, 162, 300]
    assert seconds(EXACT, 10_000) == 300  # no overflow however often it failed


@pytest.mark.parametrize("policy", [INBOX, OUTBOX, EVIDENCE_DOWNLOADS])
def test_jitter_shortens_a_pause_by_at_most_its_share(policy):
    for tries in range(1, 8):
        ceiling = min(policy.max_pause, policy.first_pause * policy.factor ** (tries - 1))
        pauses = {policy.pause(tries=tries, row_id=row_id) for row_id in range(1, 201)}
        assert all(ceiling * (1 - policy.jitter) <= p <= ceiling for p in pauses)
        assert len(pauses) > 150  # rows failing together come back at different moments


def test_jitter_is_the_same_for_the_same_row_and_try():
    assert OUTBOX.pause(tries=3, row_id=42) == OUTBOX.pause(tries=3, row_id=42)
    assert OUTBOX.pause(tries=3, row_id=42) != OUTBOX.pause(tries=3, row_id=43)
    assert OUTBOX.retry_at(tries=3, row_id=42, now=at("2026-12-01 08:00")) == at(
        "2026-12-01 08:00") + OUTBOX.pause(tries=3, row_id=42)


def test_a_row_is_parked_after_its_queues_last_try():
    assert [EXACT.parks(n) for n in range(1, 6)] == [False, False, False, True, True]
    assert not any(EVIDENCE_STAGED.parks(n) for n in range(1, 1000))  # the only copy


def test_each_queue_keeps_its_numbers():
    assert (INBOX.max_tries, OUTBOX.max_tries, EVIDENCE_DOWNLOADS.max_tries) == (6, 12, 8)
    # The inbox: at most 2, 6, 18, 54 and 162 s, about four minutes before it is parked.
    assert [seconds(replace(INBOX, jitter=0), n) for n in range(1, 6)] == [2, 6, 18, 54, 162]
    # The outbox: 2–4 s after the first server error, then twice as long each time.
    assert all(2 <= seconds(OUTBOX, 1, row_id) <= 4 for row_id in range(1, 100))
    assert all(4 <= seconds(OUTBOX, 2, row_id) <= 8 for row_id in range(1, 100))
    assert OUTBOX.lease == dt.timedelta(seconds=10)
    # A download: half a minute, then twice as long, never more than an hour.
    assert 22.5 <= seconds(EVIDENCE_DOWNLOADS, 1) <= 30
    assert seconds(EVIDENCE_DOWNLOADS, 20) <= 3600
