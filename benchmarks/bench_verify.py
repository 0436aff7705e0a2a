"""End-to-end throughput of `Verifier.verify_profile`, and where the time goes, on SQLite and PostgreSQL.

Every customer folder of a dataset made by ``kyc-ocr samples generate`` (default: ``samples/``) is verified
once per database, with one OCR engine shared by all runs (loaded and warmed up before timing). Each run uses a
fresh database, so no verdict is served from an earlier run (``verify_profile`` is idempotent and would
otherwise skip the OCR). Stage times come from :func:`kyc_ocr.timing.collect`:

* OCR = time inside the OCR engine's public methods (``read``, ``recognize``, ``detect``, ``upside_down``),
  measured by a thin timing proxy around the engine (the engine's own ``detection``/``recognition`` stages
  nest a stage inside a stage of the same name and count twice, so they are shown but not used);
* database = ``database`` (``Store.save_verification``, one transaction with the audit chain);
* rest = everything else of the wall time (decoding, preprocessing, classification, field extraction,
  checks, the idempotency lookup); ``checks`` is also shown on its own.

    .venv/bin/python benchmarks/bench_verify.py [DATASET] [--limit N] [--engine onnx] [--fast]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test | --pg '']

PostgreSQL runs in a throw-away database created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kyc_ocr import timing
from kyc_ocr.config import Settings
from kyc_ocr.ocr import registry
from kyc_ocr.store import db
from kyc_ocr.verify import Verifier, documents_in, parse_as_of

OCR_METHODS = ("read", "recognize", "detect", "upside_down")


class TimedEngine:
    """Delegates to an OCR engine and adds the wall time of its public model calls to ``seconds``.

    Calls the engine makes on itself do not pass through the proxy, so nothing is counted twice.
    """

    def __init__(self, engine: object) -> None:
        self._engine = engine
        self.seconds = 0.0

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._engine, name)
        if name not in OCR_METHODS or not callable(attr):
            return attr

        def timed(*args: object, **kwargs: object) -> object:
            start = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


@dataclass
class Run:
    """Totals of one benchmark run (one database)."""

    label: str
    customers: int = 0
    documents: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)

    def share(self, *names: str) -> float:
        return sum(self.stages.get(n, 0.0) for n in names) / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        ocr, database, checks = self.share("ocr"), self.share("database"), self.share("checks")
        rest = 1.0 - ocr - database
        return (f"{self.label:<24} {self.customers:>5} {self.documents:>5} {self.seconds:>8.1f} "
                f"{self.documents / self.seconds:>7.3f} {self.seconds / self.customers:>7.2f} "
                f"{ocr:>6.1%} {rest:>6.1%} {checks:>7.2%} {database:>6.2%} "
                f"{1000 * self.stages.get('database', 0.0) / self.customers:>7.1f}")


HEADER = (f"{'database':<24} {'cust':>5} {'docs':>5} {'wall s':>8} {'docs/s':>7} {'s/cust':>7} "
          f"{'OCR':>6} {'rest':>6} {'checks':>7} {'db':>6} {'db ms':>7}")


def customers(root: Path, limit: int | None) -> list[tuple[str, list[Path]]]:
    """(customer id, document files) of each customer folder, in id order."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    jobs = [(f.name, documents_in(f)) for f in folders]
    return jobs[:limit] if limit else jobs


def run(label: str, url: str, jobs: list[tuple[str, list[Path]]], engine: TimedEngine, settings: Settings,
        as_of: str) -> Run:
    """Verify every job into the database at ``url``; returns the totals."""
    result = Run(label)
    verifier = Verifier(settings.model_copy(update={"db_url": url}), engine=engine, actor="bench")
    try:
        for cid, files in jobs:
            start = time.perf_counter()
            ocr_before = engine.seconds
            with timing.collect() as parts:
                verdict = verifier.verify_profile(cid, files, as_of)
            result.seconds += time.perf_counter() - start
            result.stages["ocr"] = result.stages.get("ocr", 0.0) + engine.seconds - ocr_before
            for name, secs in parts.items():
                result.stages[name] = result.stages.get(name, 0.0) + secs
            result.customers += 1
            result.documents += len(files)
            result.decisions[verdict.decision.value] = result.decisions.get(verdict.decision.value, 0) + 1
    finally:
        verifier.store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", default="samples", type=Path, help="one sub-folder per customer")
    parser.add_argument("--limit", type=int, default=None, help="at most this many customers")
    parser.add_argument("--engine", default="onnx", help="OCR engine name")
    parser.add_argument("--fast", action="store_true", help="template-guided speed path (Settings.extract_fast)")
    parser.add_argument("--as-of", default="2026-06-30", help="verification date")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="admin URL of a PostgreSQL server ('' to skip)")
    parser.add_argument("--json", type=Path, default=None, help="also write the totals as JSON here")
    args = parser.parse_args()

    parse_as_of(args.as_of)
    settings = Settings(engine=args.engine, extract_fast=args.fast)
    jobs = customers(args.dataset, args.limit)
    engine = TimedEngine(registry.from_settings(settings))
    warm = Verifier(settings.model_copy(update={"db_url": "sqlite://"}), engine=engine)
    warm.extract(jobs[0][1][:1])  # load the models and run them once before any timing
    warm.store.close()

    runs: list[Run] = []
    print(HEADER)
    with tempfile.TemporaryDirectory(prefix="kyc-bench-") as tmp:
        runs.append(run("sqlite (WAL file)", f"sqlite:///{Path(tmp) / 'bench.db'}", jobs, engine, settings,
                        args.as_of))
        print(runs[-1].row(), flush=True)
    if args.pg:
        with db.scratch_database(args.pg) as url:
            runs.append(run("postgresql (psycopg 3)", url, jobs, engine, settings, args.as_of))
            print(runs[-1].row(), flush=True)
    print("\nseconds per stage (summed over the run; nested stages overlap):")
    for r in runs:
        print(f"  {r.label}: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(r.stages.items())))
        print(f"  {r.label}: decisions {r.decisions}")
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in runs], indent=1))


if __name__ == "__main__":
    main()
