"""`machine_time`, the one writer of <time datetime>, OpenGraph's and JSON-LD's times: HTML's date and time string."""

from datetime import UTC, datetime

from articles.templatetags.newsroom_site import machine_time


def test_a_moment_is_written_in_local_time_to_the_second_with_its_offset():
    saved = datetime(2026, 3, 1, 4, 5, 6, 789_123, tzinfo=UTC)  # what the admin stores: microseconds
    assert machine_time(saved) == "2026-03-01T09:05:06+05:00"


def test_a_moment_on_the_second_keeps_its_seconds():
    assert machine_time(datetime(2026, 3, 1, 4, 5, tzinfo=UTC)) == "2026-03-01T09:05:00+05:00"


def test_no_moment_writes_nothing():
    assert machine_time(None) == ""
