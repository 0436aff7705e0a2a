"""Verify a customer: extract every document, run the checks, decide, store — one transaction.

>>> from kyc_ocr import Verifier, Settings             # doctest: +SKIP
>>> v = Verifier(Settings(db_url="sqlite:///kyc.db"))    # doctest: +SKIP
>>> verdict = v.verify_profile("cust-42", ["passport.jpg", "bill.pdf", "form.png"])  # doctest: +SKIP
>>> verdict.decision, verdict.reasons                    # doctest: +SKIP
(<Decision.APPROVED: 'APPROVED'>, ())

The story of one verification:

1. hash the files; when the customer's latest verdict was made from the same
   files, policy version and as-of date, return it (idempotent, no OCR);
2. :func:`kyc_ocr.extract.extract` each document (decode, prepare, OCR,
   classify, extract);
3. :func:`kyc_ocr.checks.run_checks` with the store as the fraud lookup;
4. :func:`kyc_ocr.checks.verdict.decide` under the policy;
5. :meth:`kyc_ocr.store.Store.save_verification` in one transaction with the
   audit events; a re-verification supersedes the previous verdict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kyc_ocr.config import Settings
from kyc_ocr.domain import ExtractedDocument, Verdict
from kyc_ocr.errors import InputError
from kyc_ocr.timing import stage

log = logging.getLogger(__name__)

Source = str | Path | bytes

#: File suffixes a customer folder may hold; anything else in it (ground truth, notes) is not a document.
DOCUMENT_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf", ".webp", ".bmp")


def documents_in(folder: str | Path) -> list[Path]:
    """The document files of a customer folder, sorted by name."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder")
    files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
    if not files:
        raise InputError(f"{root}: no documents (expected {', '.join(DOCUMENT_SUFFIXES)})")
    return files


def expand_sources(items: Sequence[Source]) -> list[Source]:
    """Files as given, folders replaced by the documents in them."""
    out: list[Source] = []
    for item in items:
        if isinstance(item, (str, Path)) and Path(item).is_dir():
            out.extend(documents_in(item))
        else:
            out.append(item)
    return out


def sha256_of(source: Source) -> str:
    """SHA-256 of a file's bytes (streamed) or of the bytes given."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    path = Path(source)
    try:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror or err})") from None
    return digest.hexdigest()


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """The verification date: a date, an ISO string, or today."""
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--as-of must be an ISO date (YYYY-MM-DD), got {value!r}") from None


class Verifier:
    """Verifies customer profiles and keeps every verdict in the store.

    ``engine`` (an OCR engine object or name), ``store`` and ``policy`` default
    from ``settings``; pass objects to share them (one engine per process).
    """

    def __init__(self, settings: Settings | None = None, *, engine: Any = None, store: Any = None,
                 policy: Any = None, actor: str | None = None) -> None:
        from kyc_ocr.checks.policy import load_policy
        from kyc_ocr.store import Store

        self.settings = settings or Settings()
        self._engine = engine
        self.store = store if store is not None else Store.from_settings(self.settings)
        self.policy = policy if policy is not None else load_policy(self.settings.policy_file)
        self.actor = actor

    @property
    def engine(self) -> Any:
        """The OCR engine, loaded on first use (once per process)."""
        from kyc_ocr.ocr import registry

        if self._engine is None or isinstance(self._engine, str):
            settings = self.settings
            if isinstance(self._engine, str):
                settings = settings.model_copy(update={"engine": self._engine})
            self._engine = registry.from_settings(settings)
        return self._engine

    def extract(self, files: Sequence[Source]) -> list[ExtractedDocument]:
        from kyc_ocr.extract import extract

        return extract(list(files), settings=self.settings, engine=self.engine)

    def verify_profile(self, customer_id: str, files: Sequence[Source], as_of: str | dt.date | None = None
                       ) -> Verdict:
        """Verify one customer's documents; returns the stored :class:`Verdict` (with ``verdict_id``)."""
        from kyc_ocr.checks import run_checks
        from kyc_ocr.checks.verdict import build_verdict
        from kyc_ocr.extract.reread import measure_rereads
        from kyc_ocr.store.convert import fingerprint

        sources = expand_sources(files)
        if not sources:
            raise InputError(f"customer {customer_id}: no documents given")
        day = parse_as_of(as_of)
        shas = [sha256_of(s) for s in sources]
        done = self.store.find_verdict(customer_id, fingerprint(shas, self.policy.version, day.isoformat()))
        if done is not None:
            log.info("verdict %s already covers these documents; not re-running", done.verdict_id)
            return done
        documents = self.extract(sources)
        rereads = measure_rereads(documents, self.engine, dict(zip(shas, sources)), self.settings, day)
        with stage("checks"):
            checks = run_checks(documents, policy=self.policy, as_of=day, lookup=self.store, customer_id=customer_id,
                                reread=rereads)
            verdict = build_verdict(customer_id, checks, self.policy, day, documents)
        with stage("database"):
            return self.store.save_verification(customer_id, documents, verdict, actor=self.actor)

    def verify_batch(self, jobs: Any, *, workers: int = 2, as_of: str | dt.date | None = None,
                     retry_failed: bool = False, ray_address: str | None = None) -> Iterator[Any]:
        """Verify many customers (``kyc_ocr.batch.Job``s, or a folder / manifest path), yielding
        :class:`~kyc_ocr.batch.BatchItem`s as they are committed; resumable (see :mod:`kyc_ocr.batch`)."""
        from kyc_ocr.batch import BatchOptions, BatchRunner, discover

        if isinstance(jobs, (str, Path)):
            jobs = discover(Path(jobs))
        opts = BatchOptions(workers=workers, as_of=parse_as_of(as_of), retry_failed=retry_failed,
                            ray_address=ray_address)
        yield from BatchRunner(self, opts).run(list(jobs))

    def history(self, customer_id: str) -> list[Verdict]:
        """Every verdict of the customer, oldest first (each superseding the one before)."""
        return self.store.history(customer_id)


def verify_profile(customer_id: str, files: Sequence[Source], as_of: str | dt.date | None = None,
                   settings: Settings | None = None) -> Verdict:
    """One-call form of :meth:`Verifier.verify_profile`."""
    return Verifier(settings).verify_profile(customer_id, files, as_of)
