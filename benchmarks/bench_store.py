"""How fast `Store.save_verification` writes a realistic customer file, on SQLite and PostgreSQL.

One save = 1 customer + 3 documents x 15 fields + 1 verdict + 18 checks + 3 links + 5 audit events
(76 rows), in one transaction with the audit-chain lock.

    .venv/bin/python benchmarks/bench_store.py [--n 200] [--pg postgresql+psycopg://postgres@127.0.0.1/test]

PostgreSQL runs in a throw-away database created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from cryptography.fernet import Fernet

from kyc_ocr.store import Store, db
from kyc_ocr.store.sample import sample_verification

ROWS_PER_SAVE = 1 + 3 + 45 + 1 + 18 + 3 + 5


def bench(url: str, n: int, key: str | None) -> tuple[float, float, float]:
    """(saves/s, rows/s, seconds for audit verify) for n customers."""
    files = [sample_verification(f"bench-{i}", seed=i) for i in range(n)]
    with Store(url, encryption_key=key, actor="bench") as store:
        start = time.perf_counter()
        for i, (docs, verdict) in enumerate(files):
            store.save_verification(f"bench-{i}", docs, verdict)
        elapsed = time.perf_counter() - start
        t0 = time.perf_counter()
        report = store.verify_audit()
        verify_s = time.perf_counter() - t0
        assert report.ok and report.events == 5 * n, report
    return n / elapsed, n * ROWS_PER_SAVE / elapsed, verify_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="customers to save per run")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="admin URL of a PostgreSQL server ('' to skip)")
    args = parser.parse_args()
    key = Fernet.generate_key().decode()
    print(f"{args.n} saves of {ROWS_PER_SAVE} rows each")
    print(f"{'database':<28} {'saves/s':>9} {'rows/s':>9} {'verify s':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for label, k in (("sqlite (WAL file)", None), ("sqlite + encryption", key)):
            url = f"sqlite:///{Path(tmp) / (uuid.uuid4().hex + '.db')}"
            saves, rows, verify_s = bench(url, args.n, k)
            print(f"{label:<28} {saves:9.1f} {rows:9.0f} {verify_s:9.2f}")
    if not args.pg:
        return
    for label, k in (("postgresql (psycopg 3)", None), ("postgresql + encryption", key)):
        with db.scratch_database(args.pg, "kyc_ocr_bench") as url:
            saves, rows, verify_s = bench(url, args.n, k)
            print(f"{label:<28} {saves:9.1f} {rows:9.0f} {verify_s:9.2f}")


if __name__ == "__main__":
    main()
