"""How fast one bot may send, and the limiter that keeps delivery just inside it.

A messenger counts a message when it *arrives*, in sliding windows (Telegram: 30 in any second
for the bot, 1 a second per chat, 20 a minute per group). The bot cannot see arrivals, but it
knows two bounds of each: the message arrives after it was sent and before its answer came
back. So the limiter counts a message in a window from the moment it is sent (in flight, it
surely counts) until ``window`` seconds after its answer. A new message goes only while fewer
than the limit are counted so; then however the network delays each one, no window the server
sees ever holds more than the limit. (Take the last-sent message of any window the server
counts: every other one in that window was sent before it and answered no earlier than a window
before it, so the limiter counted them all when it let the last one go.)

That bound costs only the round trip: a window holds the limit's messages for one window plus
one answer's latency (30 in 1.005 s when the answer takes 5 ms, 0.995 of the limit), where a
fixed safety margin costs its width whatever the network does. A token bucket at the limit's
rate spreads the sends through each window instead of sending them in one burst.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """How fast one bot may send: Telegram documents 30/s, 1/s per chat, 20/min per group."""

    per_second: float = 30.0
    per_chat_second: float = 1.0
    per_group_minute: float = 20.0


def _private_only(chat_id: str) -> bool:
    return False


#: A message leaves a window this long after the window's edge. ``a + 60 - 60`` may differ from
#: ``a`` in the last bit: without a margin a send due exactly at the edge may land a hair inside
#: the messenger's window, and be refused.
EDGE_MARGIN = 0.001


class Window:
    """At most ``limit`` messages in any ``seconds``, counted from sending until the answer."""

    __slots__ = ("answered", "in_flight", "limit", "seconds")

    def __init__(self, per: float, seconds: float) -> None:
        # "2.5 a second" is kept as 2 in any 0.8 s: a window must hold a whole message.
        self.limit = max(1, math.floor(per)) if per > 0 else 0
        self.seconds = seconds * self.limit / per if per > 0 else 0.0
        self.answered: list[float] = []  # when answers came, oldest first
        self.in_flight = 0

    @classmethod
    def like(cls, shape: Window) -> Window:
        """An empty window of the same limit and length."""
        window = cls.__new__(cls)
        window.limit, window.seconds = shape.limit, shape.seconds
        window.answered, window.in_flight = [], 0
        return window

    def wait(self, at: float, cost: int = 1) -> float:
        """Seconds from ``at`` until ``cost`` more messages fit; ``inf``: until an answer."""
        if self.limit == 0:
            return 0.0
        self._expire(at)
        excess = len(self.answered) + self.in_flight + min(cost, self.limit) - self.limit
        if excess <= 0:
            return 0.0
        if excess > len(self.answered):
            return math.inf
        return self.answered[excess - 1] + self.seconds + EDGE_MARGIN - at

    def begin(self, cost: int = 1) -> None:
        """``cost`` messages are on their way."""
        self.in_flight += cost

    def end(self, at: float, cost: int = 1) -> None:
        """Their answer came at ``at`` (whatever it said: the server may have counted them)."""
        self.in_flight -= cost
        for _ in range(cost):
            self.record(at)

    def record(self, at: float) -> None:
        """A message answered at ``at`` (or known to have arrived by then)."""
        bisect.insort(self.answered, at)

    def idle(self, at: float) -> bool:
        self._expire(at)
        return not self.answered and not self.in_flight

    def _expire(self, at: float) -> None:
        drop = bisect.bisect_left(self.answered, at - self.seconds - EDGE_MARGIN)
        if drop:
            del self.answered[:drop]


class TokenBucket:
    """``rate`` tokens a second, at most ``capacity`` saved: sends spread evenly."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens, self.stamp = capacity, None

    def wait(self, at: float, cost: int = 1) -> float:
        if self.rate <= 0:
            return 0.0
        self._refill(at)
        need = min(cost, self.capacity)
        return 0.0 if self.tokens >= need else (need - self.tokens) / self.rate

    def take(self, at: float, cost: int = 1) -> None:
        if self.rate > 0:
            self._refill(at)
            self.tokens -= min(cost, self.capacity)

    def _refill(self, at: float) -> None:
        if self.stamp is not None:
            self.tokens = min(self.capacity, self.tokens + (at - self.stamp) * self.rate)
        self.stamp = at


class RateLimiter:
    """The bot-wide, per-chat and per-group limits of one messenger, over a monotonic clock.

    One message per chat is in flight at a time, so a chat reads its messages in order.
    """

    def __init__(self, limits: RateLimits,
                 is_group: Callable[[str], bool] = _private_only) -> None:
        self.limits = limits
        self.is_group = is_group
        self.bot = Window(limits.per_second, 1.0)
        # A tenth of a second's worth may go at once; the rest is spread through the second.
        self.bucket = TokenBucket(limits.per_second, max(1.0, limits.per_second / 10))
        self._private = Window(limits.per_chat_second, 1.0)  # the shape of a chat's window
        self._group = Window(limits.per_group_minute, 60.0)
        self._chats: dict[str, Window] = {}
        self._busy: set[str] = set()
        self._held: dict[str, float] = {}
        self._paused_until = -math.inf
        self._begun = 0

    @property
    def settle_seconds(self) -> float:
        """How long another sender's last messages may still count in the short windows."""
        return max(self.bot.seconds, self._private.seconds)

    @property
    def memory_seconds(self) -> float:
        """The longest window: how far back a message may still hold sending back."""
        return max(self.bot.seconds, self._private.seconds, self._group.seconds)

    def wait_for(self, chat_id: str, at: float, cost: int = 1) -> float:
        """Seconds from ``at`` before ``cost`` messages to ``chat_id`` keep every limit.

        ``inf`` means only an answer to a message in flight can make room.
        """
        if chat_id in self._busy:
            return math.inf
        return max(0.0, self._paused_until - at, self._held.get(chat_id, -math.inf) - at,
                   self.bucket.wait(at, cost), self.bot.wait(at, cost),
                   self._chat(chat_id).wait(at, cost))

    def wait_chat(self, chat_id: str, at: float, cost: int = 1) -> float:
        """Seconds from ``at`` before ``chat_id``'s own limits let ``cost`` messages go (the
        bot-wide ones aside)."""
        if chat_id in self._busy:
            return math.inf
        return max(0.0, self._held.get(chat_id, -math.inf) - at,
                   self._chat(chat_id).wait(at, cost))

    def wait_bot(self, at: float) -> float:
        """Seconds from ``at`` before the bot-wide limits let any one message go."""
        return max(0.0, self._paused_until - at, self.bucket.wait(at), self.bot.wait(at))

    def begin(self, chat_id: str, at: float, cost: int = 1) -> None:
        """``cost`` messages to ``chat_id`` leave now."""
        self.bucket.take(at, cost)
        self.bot.begin(cost)
        self._chat(chat_id).begin(cost)
        self._busy.add(chat_id)
        self._begun += 1
        if self._begun % 1000 == 0:
            self._forget_idle(at)

    def end(self, chat_id: str, at: float, cost: int = 1) -> None:
        """The answer for those messages came at ``at``."""
        self.bot.end(at, cost)
        self._chat(chat_id).end(at, cost)
        self._busy.discard(chat_id)

    def record(self, chat_id: str, at: float) -> None:
        """A message another sender (or an earlier run) got answered at ``at``."""
        self.bot.record(at)
        self._chat(chat_id).record(at)

    def hold(self, chat_id: str, until: float) -> None:
        """Send nothing to ``chat_id`` before ``until`` (the messenger said so)."""
        self._held[chat_id] = max(self._held.get(chat_id, -math.inf), until)

    def pause(self, until: float) -> None:
        """Send nothing at all before ``until``."""
        self._paused_until = max(self._paused_until, until)

    def _chat(self, chat_id: str) -> Window:
        window = self._chats.get(chat_id)
        if window is None:
            shape = self._group if self.is_group(chat_id) else self._private
            window = self._chats[chat_id] = Window.like(shape)
        return window

    def _forget_idle(self, at: float) -> None:
        """Drop what no longer limits anything, so memory stays flat over a long run."""
        self._chats = {c: w for c, w in self._chats.items() if not w.idle(at)}
        self._held = {c: t for c, t in self._held.items() if t > at}

