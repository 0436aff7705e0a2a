"""Batch throughput: docs/s for 1 and 2 local workers on SQLite and PostgreSQL, Ray vs the local pool,
peak memory of the process tree, and the share of time per stage.

    .venv/bin/python benchmarks/bench_batch.py [--source samples] [--customers 13] [--engine onnx]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--configs sqlite:1,sqlite:2,pg:1,pg:2,ray:2]

``--engine replay`` (with ``--recordings tests/data/batch/ocr`` and ``--source`` holding those customers)
measures the orchestration and database without OCR. Every configuration starts from an empty
database (PostgreSQL: a throw-away database dropped afterwards). Peak memory is the largest sum of
RSS over this process and all its descendants (pool workers, Ray's processes), sampled every 0.2 s
from /proc. The machine is shared: the load average before and after each run is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Self

from kyc_ocr.batch import BatchOptions, discover, run_batch
from kyc_ocr.config import Settings
from kyc_ocr.store import db
from kyc_ocr.verify import Verifier

PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Bytes of RSS of ``root`` and every descendant (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * PAGE
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


class PeakRss:
    """Samples the process tree's RSS in a thread; ``peak`` in bytes."""

    def __init__(self, every: float = 0.2) -> None:
        self.peak, self.every, self._stop = 0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(self.every)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(config: str, args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    backend = config.split(":")[0]
    with contextlib.ExitStack() as stack:
        if backend == "pg":
            url = stack.enter_context(db.scratch_database(args.pg, "kyc_ocr_bench"))
        else:
            url = f"sqlite:///{tmp / (uuid.uuid4().hex + '.db')}"
        return _run(config, url, args)


def _run(config: str, url: str, args: argparse.Namespace) -> dict[str, object]:
    backend, workers = config.split(":")
    settings = Settings(engine=args.engine, ocr_recordings=args.recordings, db_url=url, threads=1)
    jobs = discover(args.source)[: args.customers]
    opts = BatchOptions(workers=int(workers), as_of=args.as_of, ray_address="local" if backend == "ray" else None)
    load = os.getloadavg()[0]
    with PeakRss() as mem:
        v = Verifier(settings)
        _, summary = run_batch(v, jobs, opts)
        v.store.close()
    return {"config": config, "load": load, "peak_mib": mem.peak / 2**20, **summary}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=Path("samples"))
    ap.add_argument("--customers", type=int, default=13)
    ap.add_argument("--engine", default="onnx")
    ap.add_argument("--recordings", type=Path, default=None)
    ap.add_argument("--as-of", default="2026-06-30")
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--configs", default="sqlite:1,sqlite:2,pg:1,pg:2,ray:2")
    args = ap.parse_args()
    print(f"{args.customers} customers from {args.source}, engine {args.engine}, {os.cpu_count()} CPUs")
    print("| config | load before | customers | docs | wall s | docs/s | peak RSS MiB | top stages (share) |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for config in args.configs.split(","):
            r = run(config, args, Path(tmp))
            stages = r["stage_seconds"]
            total = sum(stages.values()) or 1.0
            top = ", ".join(f"{k} {v / total:.0%}" for k, v in list(stages.items())[:4])
            print(f"| {config} | {r['load']:.1f} | {r['customers']} | {r['documents_verified']} | {r['seconds']:.1f} "
                  f"| {r['documents_per_second']:.2f} | {r['peak_mib']:.0f} | {top} |", flush=True)
            if r["failures"]:
                print(f"  failures: {r['failures']}")


if __name__ == "__main__":
    main()
