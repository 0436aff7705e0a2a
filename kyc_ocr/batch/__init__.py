"""Batch-check document sets: one customer per folder or manifest row, resumable, exactly once.

>>> from kyc_ocr.batch import BatchOptions, discover   # doctest: +SKIP
>>> jobs = discover(Path("customers/"))                 # doctest: +SKIP
>>> for item in Verifier(settings).verify_batch(jobs, workers=2):  # doctest: +SKIP
...     print(item.customer_id, item.status, item.decision)
"""

from kyc_ocr.batch.jobs import Job, discover, read_manifest
from kyc_ocr.batch.runner import BatchItem, BatchOptions, BatchRunner, run_batch, summarize

__all__ = ["BatchItem", "BatchOptions", "BatchRunner", "Job", "discover", "read_manifest", "run_batch", "summarize"]
