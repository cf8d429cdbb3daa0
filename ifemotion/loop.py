"""``--loop`` of the product's worker commands (archiver, search indexer, risk worker and escalation):
one pass every ``interval`` seconds until SIGTERM or SIGINT, finishing the pass under way."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType


def run_every(interval: float, one_pass: Callable[[], None]) -> None:
    """Call ``one_pass`` every ``interval`` seconds (counted from the start of each pass) until stopped.
    ``one_pass`` handles its own errors: one failing pass must not end the loop."""
    if interval <= 0:
        raise ValueError("interval must be positive")
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stop.is_set():
        started = time.monotonic()
        one_pass()
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
