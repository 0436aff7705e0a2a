"""Text-line recognition with a CTC model: width buckets, batching and greedy decoding.

Every crop is scaled to height 48 keeping its aspect ratio, then padded on
the right to the narrowest *bucket* width that holds it (twelve widths from 96 to 1280
pixels, each about 1.25 times the last, so padding wastes about 12% of the
work on average; wider crops are padded to a multiple of 320, never
squashed). Crops of all pages are recognised in one call, grouped by bucket,
so the runtime sees only a few input shapes and a crop's input tensor does
not depend on which other crops share its batch.

>>> needed_width(100, 30), bucket_for(160)      # 48 * 100 / 30 = 160 pixels wide
(160, 192)
>>> bucket_for(needed_width(1000, 30))         # a long line keeps its aspect ratio
1600
>>> plan_batches([240, 96, 1440, 300, 250], max_pixels=48 * 640)
[(96, [1]), (256, [0, 4]), (320, [3]), (1600, [2])]
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from kyc_ocr.errors import ConfigError, EngineError

log = logging.getLogger(__name__)

HEIGHT = 48
BUCKETS = (96, 128, 192, 256, 320, 384, 480, 608, 768, 960, 1152, 1280)
OVERSIZE_STEP = 320
MAX_BATCH_PIXELS = 8 * HEIGHT * 640  # one batch holds at most this many input pixels (4 crops of 1280)


@dataclass(frozen=True)
class Recognition:
    """A decoded line: text, mean character confidence, and each character's confidence."""

    text: str
    confidence: float
    char_confidences: tuple[float, ...]
    turned: bool = False  # read from the crop turned 180 degrees (the line classifier said upside down)


def needed_width(width: int, height: int) -> int:
    """The width of a ``width`` x ``height`` crop once scaled to height 48."""
    return max(1, math.ceil(HEIGHT * width / max(height, 1)))


def bucket_for(needed: int, buckets: Sequence[int] = BUCKETS) -> int:
    """The padded input width for a crop that is ``needed`` pixels wide at height 48."""
    for bucket in buckets:
        if needed <= bucket:
            return bucket
    return int(math.ceil(needed / OVERSIZE_STEP) * OVERSIZE_STEP)


def plan_batches(widths: Sequence[int], max_pixels: int = MAX_BATCH_PIXELS) -> list[tuple[int, list[int]]]:
    """Group crop indices by bucket, narrowest first, in chunks of at most ``max_pixels``.

    ``widths`` are the crops' :func:`needed_width`.
    """
    by_bucket: dict[int, list[int]] = {}
    for index in sorted(range(len(widths)), key=lambda i: widths[i]):
        by_bucket.setdefault(bucket_for(widths[index]), []).append(index)
    batches: list[tuple[int, list[int]]] = []
    for width in sorted(by_bucket):
        members = by_bucket[width]
        size = max(1, max_pixels // (HEIGHT * width))
        batches.extend((width, members[i : i + size]) for i in range(0, len(members), size))
    return batches


def rec_input(crop: np.ndarray, width: int) -> np.ndarray:
    """RGB ``uint8`` crop -> normalised BGR CHW float32 of height 48, padded with 0 to ``width``."""
    h, w = crop.shape[:2]
    resized_w = min(width, needed_width(w, h))
    resized = cv2.resize(crop, (resized_w, HEIGHT), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((3, HEIGHT, width), dtype=np.float32)
    out[:, :, :resized_w] = resized[:, :, ::-1].transpose(2, 0, 1).astype(np.float32) * (1.0 / 127.5) - 1.0
    return out


def charset_from_metadata(meta: dict[str, str], classes: int | None, key: str = "character") -> list[str]:
    """The CTC class list: blank, the model's dictionary, then a space.

    PaddleOCR keeps the dictionary one character per line in the ONNX metadata
    and appends the space class itself (``use_space_char``); rapidocr does the same.

    >>> charset_from_metadata({"character": "a\\nb"}, 4)
    ['<blank>', 'a', 'b', ' ']
    """
    if key not in meta:
        raise EngineError(f"recogniser model has no {key!r} dictionary in its ONNX metadata")
    chars = ["<blank>", *meta[key].split("\n"), " "]
    if classes is not None and len(chars) != classes:
        raise EngineError(f"recogniser dictionary has {len(chars)} classes, the model outputs {classes}")
    return chars


def in_alphabet(char: str, alphabet: str) -> bool:
    """Whether ``char`` may be output under ``alphabet``.

    ``"all"`` allows the model's whole dictionary. ``"latin"`` allows ASCII,
    the Latin-1 supplement, Latin Extended-A/B and Additional, Cyrillic (for
    fine-tuned models; PP-OCRv6 has none) and common typographic marks; it
    removes CJK, kana, Greek, maths symbols and emoji, whose look-alikes
    (``く`` for ``<``, ``Ρ`` for ``P``, ``∪`` for ``U``) are the multilingual
    model's typical errors on Latin-script documents. Any other string is the
    explicit set of allowed characters (plus the space).

    >>> [in_alphabet(c, "latin") for c in "Aé<Ρく∪"]
    [True, True, True, False, False, False]
    >>> in_alphabet("7", "0123456789<"), in_alphabet("A", "0123456789<")
    (True, False)
    """
    if alphabet == "all":
        return True
    if alphabet == "latin":
        code = ord(char)
        return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0x24F or 0x1E00 <= code <= 0x1EFF
                or 0x400 <= code <= 0x4FF or char in LATIN_EXTRA)
    return char == " " or char in alphabet


# typographic quotes, en/em dashes, ellipsis, euro sign, bullet, numero sign
LATIN_EXTRA = "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u20ac\u2022\u2116"


def ctc_greedy(probs: np.ndarray, charset: Sequence[str], allowed: np.ndarray | None = None) -> list[Recognition]:
    """Best-path CTC decoding of ``probs`` (N, T, C): collapse repeats, drop blanks (class 0).

    ``allowed`` (class indices, blank included) restricts the classes that can
    win a frame. A character's confidence is the probability of the frame
    that emitted it; the line's confidence is their mean (0.0 for an empty line).

    >>> p = np.full((1, 5, 3), 0.05, dtype=np.float32)
    >>> for t, c in enumerate([1, 1, 0, 2, 2]): p[0, t, c] = 0.9
    >>> r = ctc_greedy(p, ["<blank>", "a", "b"])[0]
    >>> r.text, round(r.confidence, 2), r.char_confidences
    ('ab', 0.9, (0.9, 0.9))
    >>> ctc_greedy(p, ["<blank>", "a", "b"], allowed=np.array([0, 2]))[0].text
    'b'
    """
    if allowed is not None:
        sub = probs[:, :, allowed]
        pick = sub.argmax(axis=2)
        best = allowed[pick]
        score = np.take_along_axis(sub, pick[:, :, None], axis=2)[:, :, 0]
    else:
        best = probs.argmax(axis=2)
        score = probs.max(axis=2)
    keep = best != 0
    keep[:, 1:] &= best[:, 1:] != best[:, :-1]
    results = []
    for row in range(best.shape[0]):
        idx = np.flatnonzero(keep[row])
        text = "".join(charset[c] for c in best[row, idx])
        confs = tuple(round(float(v), 5) for v in score[row, idx])
        results.append(Recognition(text, float(np.mean(confs)) if confs else 0.0, confs))
    return results


class CtcRecognizer:
    """Runs a PP-OCR CTC recogniser session on many crops at once."""

    def __init__(self, session: Any, alphabet: str = "latin") -> None:
        self.session = session
        self.input_name = session.get_inputs()[0].name
        classes = session.get_outputs()[0].shape[-1]
        self.charset = charset_from_metadata(
            session.get_modelmeta().custom_metadata_map, classes if isinstance(classes, int) else None
        )
        self.allowed: np.ndarray | None = None
        if alphabet != "all":
            keep = [0] + [i for i, c in enumerate(self.charset) if i and in_alphabet(c, alphabet)]
            if len(keep) < 2:
                raise ConfigError(f"alphabet {alphabet!r} leaves no character of the model's dictionary")
            self.allowed = np.array(keep, dtype=np.int64)

    def log_probs(self, crops: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per crop, its ``(frames, classes)`` natural-log class probabilities; classes outside the
        alphabet are at ``-inf`` (what :mod:`kyc_ocr.ocr.ctc` scores hypotheses against)."""
        out: dict[int, np.ndarray] = {}
        widths = [needed_width(c.shape[1], c.shape[0]) for c in crops]
        for width, members in plan_batches(widths):
            batch = np.stack([rec_input(crops[i], width) for i in members])
            probs = self.session.run(None, {self.input_name: batch})[0].astype(np.float64)
            with np.errstate(divide="ignore"):
                logp = np.log(probs)
            if self.allowed is not None:
                masked = np.full_like(logp, -np.inf)
                masked[..., self.allowed] = logp[..., self.allowed]
                logp = masked
            out.update(zip(members, logp))
        return [out[i] for i in range(len(crops))]

    def __call__(self, crops: Sequence[np.ndarray]) -> list[Recognition]:
        """One :class:`Recognition` per crop, in the order given."""
        results: dict[int, Recognition] = {}
        widths = [needed_width(c.shape[1], c.shape[0]) for c in crops]
        for width, members in plan_batches(widths):
            batch = np.stack([rec_input(crops[i], width) for i in members])
            probs = self.session.run(None, {self.input_name: batch})[0]
            results.update(zip(members, ctc_greedy(probs, self.charset, self.allowed)))
        return [results[i] for i in range(len(crops))]
