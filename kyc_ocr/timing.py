"""Per-stage wall-clock accounting, so batch runs can show where time goes.

Stages wrap their work in ``with stage("recognition"):``; whoever wants the
figures opens a :func:`collect` scope and reads the totals. Times are
*exclusive*: while a nested stage runs, the enclosing one is paused, so the
totals add up to the wall time however the stages nest (and re-entering the
stage that is already running adds nothing twice). Outside a scope ``stage``
costs one context-variable lookup.

>>> with collect() as times:
...     with stage("extraction"):
...         with stage("recognition"):
...             with stage("recognition"):
...                 pass
>>> sorted(times)
['extraction', 'recognition']
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

STAGES = ("decode", "preprocess", "detection", "recognition", "extraction", "checks", "database")


@dataclass
class _Clock:
    times: dict[str, float]
    stack: list[str] = field(default_factory=list)
    since: float = 0.0

    def switch(self, now: float) -> None:
        if self.stack:
            name = self.stack[-1]
            self.times[name] = self.times.get(name, 0.0) + now - self.since
        self.since = now


_current: contextvars.ContextVar[_Clock | None] = contextvars.ContextVar("kyc_ocr_timing", default=None)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Count the time spent in the block (less nested stages) to ``name`` in the active :func:`collect` scope."""
    clock = _current.get()
    if clock is None or (clock.stack and clock.stack[-1] == name):
        yield
        return
    clock.switch(time.perf_counter())
    clock.stack.append(name)
    try:
        yield
    finally:
        clock.switch(time.perf_counter())
        clock.stack.pop()


@contextlib.contextmanager
def collect() -> Iterator[dict[str, float]]:
    """Collect exclusive stage times (seconds) of everything run inside the block."""
    clock = _Clock({})
    token = _current.set(clock)
    try:
        yield clock.times
    finally:
        _current.reset(token)
