"""A send the rate limiter lets go at the very edge of a window is outside the messenger's
window too, whatever the last bit of the floats says (the sandbox counts as Telegram does)."""

from bot.messengers.sandbox_faults import RateWindows
from jobs.delivery.rate_limits import Window


def test_a_send_at_the_edge_of_a_group_window_is_not_refused():
    # Times a fake clock reached in a real run: 1006.1686666666666 + 60 - 60 is one bit short.
    window, messenger = Window(per=20, seconds=60), RateWindows()
    first = 1006.1686666666666
    for i in range(20):
        at = first + i * 0.0343
        window.record(at)
        messenger.take(at, ("group", 20, 60.0))
    at = 1066.1686666666665  # where the wait from the first answer ends, as floats add up
    at += window.wait(at)
    messenger.take(at, ("group", 20, 60.0))  # raises a 429 if the limiter let it go too early
    assert at - first < 60.01  # and it waited no longer than it had to
