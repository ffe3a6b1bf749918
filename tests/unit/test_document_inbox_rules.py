"""Which files of the document inbox are whole, and the names handled files move to."""

from __future__ import annotations

import datetime as dt

from jobs.documents.inbox import Entry, moved_name, ready

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_a_file_modified_seconds_ago_waits():
    assert not ready(Entry("cv.pdf", 10, NOW - dt.timedelta(seconds=3)), now=NOW)
    assert ready(Entry("cv.pdf", 10, NOW - dt.timedelta(minutes=1)), now=NOW)


def test_a_file_unchanged_since_the_last_pass_is_whole_whatever_its_clock():
    later = Entry("cv.pdf", 10, NOW + dt.timedelta(days=6))  # stamped by another clock
    assert not ready(later, now=NOW)
    assert ready(later, now=NOW, seen=later)
    assert not ready(later, now=NOW, seen=Entry("cv.pdf", 5, later.modified))  # still growing


def test_temporary_names_are_never_taken():
    old = NOW - dt.timedelta(hours=1)
    for name in (".cv.pdf.swp", "~$cv.docx", "cv.pdf.part", "cv.docx.crdownload", "cv.tmp"):
        assert not ready(Entry(name, 10, old), now=NOW, seen=Entry(name, 10, old))


def test_a_name_taken_in_done_is_numbered():
    assert moved_name("cv.pdf", set()) == "cv.pdf"
    assert moved_name("cv.pdf", {"cv.pdf", "cv (2).pdf"}) == "cv (3).pdf"
