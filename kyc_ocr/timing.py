"""Per-stage wall-clock accounting, so batch runs can show where time goes.

Stages wrap their work in ``with stage("recognition"):``; whoever wants the
figures opens a :func:`collect` scope and reads the totals. Outside a scope
``stage`` costs one context-variable lookup.

>>> with collect() as times:
...     with stage("decode"):
...         pass
...     with stage("decode"):
...         pass
>>> sorted(times) == ["decode"] and times["decode"] >= 0.0
True
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

STAGES = ("decode", "preprocess", "detection", "recognition", "extraction", "checks", "database")

_current: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar("kyc_ocr_timing", default=None)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time spent in the block to ``name`` in the active :func:`collect` scope, if any."""
    times = _current.get()
    if times is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        times[name] = times.get(name, 0.0) + time.perf_counter() - start


@contextlib.contextmanager
def collect() -> Iterator[dict[str, float]]:
    """Collect stage times (seconds) of everything run inside the block."""
    times: dict[str, float] = {}
    token = _current.set(times)
    try:
        yield times
    finally:
        _current.reset(token)
