"""The worker commands' --loop: a pass per interval until SIGTERM, which lets the pass under way finish."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from ifemotion.loop import run_every


@pytest.fixture(autouse=True)
def _keep_signal_handlers() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_it_runs_passes_until_sigterm_and_finishes_the_current_one() -> None:
    passes: list[float] = []

    def one_pass() -> None:
        passes.append(time.monotonic())
        if len(passes) == 3:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives mid-pass
            passes.append(-1.0)  # the rest of this pass still runs

    run_every(0.05, one_pass)

    assert len(passes) == 4
    assert passes[-1] == -1.0
    assert passes[1] - passes[0] >= 0.045  # one pass per interval, not a busy loop


def test_the_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        run_every(0, lambda: None)
