"""A per-host circuit breaker.

closed -> (``failure_threshold`` consecutive failures) -> open: calls fail fast with
:class:`CircuitOpenError` and nothing is sent -> (``cooldown_s`` later) -> half-open: one trial
call goes through; success closes the circuit, failure opens it again for another cool-down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nba_props.scrape.errors import CircuitOpenError


@dataclass
class CircuitBreaker:
    host: str
    failure_threshold: int = 5
    cooldown_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = 0
    _opened_at: float | None = None
    _trial_in_flight: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self.clock() - self._opened_at >= self.cooldown_s:
            return "half-open"
        return "open"

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may go out now."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return
            if state == "half-open" and not self._trial_in_flight:
                self._trial_in_flight = True
                return
            opened_at = self._opened_at if self._opened_at is not None else self.clock()
            remaining = max(0.0, self.cooldown_s - (self.clock() - opened_at))
            failures = self._failures
        raise CircuitOpenError(
            f"circuit open for {self.host} after {failures} consecutive failures; "
            f"failing fast for another {remaining:.1f}s"
        )

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_in_flight or self._failures >= self.failure_threshold:
                self._opened_at = self.clock()
            self._trial_in_flight = False


@dataclass
class BreakerRegistry:
    """One breaker per host; share a registry to share breaker state between scrapes."""

    failure_threshold: int = 5
    cooldown_s: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def for_host(self, host: str) -> CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(host)
            if breaker is None:
                breaker = CircuitBreaker(
                    host, self.failure_threshold, self.cooldown_s, clock=self.clock
                )
                self._breakers[host] = breaker
            return breaker


# Process-wide default: consecutive failures of one host are counted across scrape runs.
DEFAULT_BREAKERS = BreakerRegistry()
