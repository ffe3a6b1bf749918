"""How a sandbox refuses: error answers, the sliding windows of a messenger's rate limits, and
the faults a test injects (a 5xx, a 429, a throttle lifted call by call)."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(code, description)
        self.code, self.description, self.retry_after = code, description, retry_after


class RateWindows:
    """Sliding windows of recent sends; :meth:`take` refuses one past any limit with a 429."""

    def __init__(self) -> None:
        self._sent: dict[tuple[Hashable, float], deque[float]] = {}

    def take(self, now: float, *limits: tuple[Hashable, int | None, float]) -> None:
        """Count a send at ``now`` under each (key, limit, window seconds); None: no limit."""
        waits = []
        for key, limit, window in limits:
            stamps = self._sent.setdefault((key, window), deque())
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if limit is not None and len(stamps) >= limit:
                waits.append(stamps[0] + window - now)
        if waits:
            retry = max(1, math.ceil(max(waits)))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry)
        for key, _, window in limits:
            self._sent[(key, window)].append(now)


class FaultInjection:
    """The faults a test asks a sandbox for, answered before the method runs."""

    def __init__(self) -> None:
        self._failures: dict[str, list[ApiError]] = {}
        self._throttled: dict[str, list[int]] = {}  # method -> [calls let through, retry after]

    def fail_next(self, method: str, status: int = 500, times: int = 1,
                  retry_after: int | None = None) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status`` (a server fault,
        or with ``retry_after`` a 429 the rate limits did not cause)."""
        description = ("Too Many Requests: retry after {retry_after}" if retry_after is not None
                       else "Internal Server Error")
        error = ApiError(status, description.format(retry_after=retry_after), retry_after)
        self._failures.setdefault(method.lower(), []).extend([error] * times)

    def throttle(self, method: str, retry_after: int = 1) -> None:
        """Answer every call of ``method`` with 429 ("retry after ``retry_after`` s") until
        :meth:`let_through` lets calls through: the messenger's limit reached, on demand."""
        self._throttled[method.lower()] = [0, retry_after]

    def let_through(self, method: str, calls: int | None = None) -> None:
        """Let ``calls`` more calls of ``method`` through its throttle (None: lift it)."""
        if calls is None:
            self._throttled.pop(method.lower(), None)
        elif method.lower() in self._throttled:
            self._throttled[method.lower()][0] += calls

    def _throttle_refuses(self, method: str) -> ApiError | None:
        throttle = self._throttled.get(method)
        if throttle is None:
            return None
        if throttle[0] > 0:
            throttle[0] -= 1
            return None
        return ApiError(429, f"Too Many Requests: retry after {throttle[1]}", throttle[1])

    def injected_error(self, method: str) -> ApiError | None:
        """The error to answer this call of ``method`` with, if a fault was asked for."""
        if self._failures.get(method):
            return self._failures[method].pop(0)
        return self._throttle_refuses(method)
