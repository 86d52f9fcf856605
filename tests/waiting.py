"""Waiting for work another thread or process does: one helper, on the monotonic clock.

A fixed sleep is either too short on a loaded machine or wastes time on an idle one, so tests poll instead. The
deadline is on time.monotonic(), which a wall-clock step (NTP, a suspended VM) cannot move, and a timeout is an
AssertionError that names what was awaited and the last value seen, so a failure reads as a test failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T | Literal[False] | None], timeout: float, what: str,
               interval: float = 0.05) -> T:
    """Call `predicate` until it returns something truthy, and return that; `what` completes "waiting for ..."."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last seen: {value!r:.300})")
        time.sleep(interval)
