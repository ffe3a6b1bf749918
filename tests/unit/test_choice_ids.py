"""Choice ids, one scheme: built from an action and a value, read back the same, at most the
64 bytes of Telegram's callback data; whatever comes back from a chat reads without failing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.text.choice_ids import MAX_BYTES, ChoiceId, choice_id, read_choice_id

actions = st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1, max_size=30)
values = st.text(st.characters(codec="utf-8"), max_size=70) | st.integers(min_value=0)


@pytest.mark.parametrize(("action", "value", "built"), [
    ("done", 12, "done:12"), ("lang", "vi", "lang:vi"), ("skip", "", "skip"),
    ("xem", "ISO-2026-000002", "xem:ISO-2026-000002"), ("cd-confirm", "yes", "cd-confirm:yes"),
])
def test_an_id_reads_back_as_its_action_and_value(action, value, built):
    assert choice_id(action, value) == built
    assert read_choice_id(built) == ChoiceId(action, str(value))


@given(actions, values)
def test_every_id_that_fits_reads_back_and_none_is_longer_than_64_bytes(action, value):
    try:
        built = choice_id(action, value)
    except ValueError:
        assert len(f"{action}:{value}".encode()) > MAX_BYTES
        return
    assert len(built.encode()) <= MAX_BYTES == 64
    assert read_choice_id(built) == ChoiceId(action, str(value))


def test_an_id_over_64_bytes_is_refused_when_built():
    assert len(choice_id("xem", "Đ" * 30).encode()) == 64  # two bytes each, and "xem:"
    with pytest.raises(ValueError, match="64 bytes"):
        choice_id("xem", "Đ" * 31)


@pytest.mark.parametrize("action", ["", "done:12"])
def test_an_action_that_would_not_read_back_is_refused(action):
    with pytest.raises(ValueError):
        choice_id(action, 1)


@pytest.mark.parametrize(("raw", "read"), [
    ("done:12", ChoiceId("done", "12")), ("skip", ChoiceId("skip", "")),
    ("xem:a:b", ChoiceId("xem", "a:b")), ("done:²", ChoiceId("done", "²")),
    ("", ChoiceId("", "")), (":", ChoiceId("", "")),
])
def test_whatever_comes_back_reads_without_failing(raw, read):
    assert read_choice_id(raw) == read


@pytest.mark.parametrize(("value", "record"), [
    ("12", 12), ("²", None), ("", None), ("-1", None), ("999999999999999999999", None),
    ("０１", None), (" 7", None),
])
def test_a_record_id_is_ascii_digits_that_fit_a_column(value, record):
    assert ChoiceId("done", value).record == record
