"""A content-addressed copy of the submitted files: ``<root>/ab/cd/<sha256>``.

Blobs are written before the database transaction (atomically: a temporary
file renamed into place) and never change, so a rolled-back save leaves at
worst an unreferenced blob, never a reference to a missing one.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> src = root / "a.txt"; _ = src.write_bytes(b"abc")
>>> BlobStore(root / "blobs").put(src)
'ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from kyc_ocr.errors import StoreError

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


def relative_path(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class BlobStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()

    def path(self, rel: str) -> Path:
        return self.root / rel

    def put(self, source: Path | str, sha256: str | None = None) -> str:
        """Copy ``source`` in; returns its path relative to the root.

        Raises :class:`StoreError` when the file cannot be read or written, or when
        its content does not hash to ``sha256`` (the file changed since it was read).
        """
        src = Path(source)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
            try:
                with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
                    while chunk := inp.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                actual = digest.hexdigest()
                if sha256 and actual != sha256:
                    raise StoreError(f"{src.name}: content changed since it was read (sha256 {actual[:12]}... "
                                     f"is not {sha256[:12]}...)")
                rel = relative_path(actual)
                dest = self.path(rel)
                if dest.exists():
                    return rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o444)
                os.replace(tmp, dest)
                log.debug("blob stored %s", actual[:12])
                return rel
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as err:
            raise StoreError(f"cannot store a copy of {src.name} in {self.root}: {err.strerror or err}") from err
