"""Training crops: one line of text rendered tight, augmented, fresh for every batch.

Lines are drawn by :func:`kyc_ocr.synth.render_text_crop` (guilloche or plain
backgrounds, small skew, blur, noise, JPEG). A :class:`CropSet` either renders new crops on demand from a
:class:`~kyc_ocr.train.corpus.Corpus` (training: the model never sees the same
crop twice, which stops it memorising a small set) or holds a fixed list
(held-out sets, rendered once from their own seed).

>>> import random
>>> crops = CropSet.rendered(random.Random(0), 4, families=("dejavu-sans",))
>>> [c.image.dtype.name for c in crops.fixed] == ["uint8"] * 4 and all(c.image.shape[0] > 10 for c in crops.fixed)
True
>>> targets, lengths = encode_targets(["AB", "C"], ["", "A", "B", "C", " "])
>>> targets.tolist(), lengths.tolist()
([1, 2, 3], [2, 1])
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kyc_ocr.errors import InputError
from kyc_ocr.ocr.recognize import HEIGHT, needed_width, rec_input
from kyc_ocr.synth.crops import render_text_crop
from kyc_ocr.synth.fonts import MRZ_FAMILY, SANS, SERIF
from kyc_ocr.train.corpus import Corpus

#: Families used for training crops; ``HELDOUT_FAMILY`` is kept out to measure overfitting to fonts.
HELDOUT_FAMILY = "free-serif"
TRAIN_FAMILIES = tuple(f for f in SANS + SERIF if f != HELDOUT_FAMILY)


@dataclass(frozen=True)
class Crop:
    image: np.ndarray  # RGB uint8, one text line
    text: str
    kind: str


def make_crop(corpus: Corpus, rng: random.Random, families: Sequence[str], kind: str | None = None,
              general_share: float = 0.4, strength: float = 0.8, mrz: bool = True) -> Crop:
    kind, text, role = corpus.sample(kind, general_share, mrz=mrz)
    family = MRZ_FAMILY if role == "mrz" else rng.choice(list(families))
    crop = render_text_crop(text, family=family, size=rng.randint(22, 40), seed=rng.randrange(1 << 30),
                            augment=rng.random() < strength, margin=rng.randint(2, 10))
    return Crop(crop.image, text, kind)


class CropSet:
    """Fresh crops from a corpus (training) or a fixed list (held-out evaluation)."""

    def __init__(self, families: Sequence[str] = TRAIN_FAMILIES, fixed: list[Crop] | None = None,
                 kinds: Sequence[str] | None = None, document_share: float = 0.0) -> None:
        self.families = tuple(families)
        self.document_share = document_share
        self._documents: object | None = None
        self.fixed = fixed
        self.kinds = tuple(kinds) if kinds else None
        self._corpus: Corpus | None = None

    @classmethod
    def rendered(cls, rng: random.Random, n: int, families: Sequence[str] = TRAIN_FAMILIES,
                 kinds: Sequence[str] | None = None, general_share: float = 0.4, strength: float = 1.0) -> CropSet:
        """A fixed set of ``n`` crops (kinds cycled when given)."""
        corpus = Corpus(rng)
        crops = [make_crop(corpus, rng, families, kinds[i % len(kinds)] if kinds else None, general_share, strength)
                 for i in range(n)]
        return cls(families, crops)

    def batch(self, rng: random.Random, n: int, general_share: float, mrz_share: float = 0.12) -> list[Crop]:
        """``n`` crops of similar width: a step is either all full MRZ lines (``n // 3`` of them, they are
        4-5x wider) or all other kinds, so a batch is never padded to one long line's width."""
        if self.fixed is not None:
            return [self.fixed[rng.randrange(len(self.fixed))] for _ in range(n)]
        if self._corpus is None:
            self._corpus = Corpus(random.Random(rng.randrange(1 << 30)))
        kinds = self.kinds
        if kinds is None and self.document_share and rng.random() < self.document_share:
            from kyc_ocr.train.doc_crops import DocumentLinePool

            if self._documents is None:
                self._documents = DocumentLinePool()
            wide = rng.random() < mrz_share
            return self._documents.take(rng, max(1, n // 3) if wide else n, mrz=wide)  # type: ignore[attr-defined]
        if kinds is None:
            if rng.random() < mrz_share:
                return [make_crop(self._corpus, rng, self.families, "mrz") for _ in range(max(1, n // 3))]
            return [make_crop(self._corpus, rng, self.families, None, general_share, mrz=False) for _ in range(n)]
        return [make_crop(self._corpus, rng, self.families, rng.choice(kinds), general_share) for _ in range(n)]


def batch_tensor(images: Sequence[np.ndarray]) -> np.ndarray:
    """Stack crops at height 48, padded to the widest one (rounded up to 32 pixels)."""
    widths = [needed_width(im.shape[1], im.shape[0]) for im in images]
    width = int(np.ceil(max(widths) / 32) * 32)
    return np.stack([rec_input(im, width) for im in images])


def encode_targets(texts: Sequence[str], charset: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated class indices and per-text lengths for ``CTCLoss``."""
    index = {ch: i for i, ch in enumerate(charset) if i > 0}
    out: list[int] = []
    lengths = []
    for text in texts:
        try:
            ids = [index[ch] for ch in text]
        except KeyError as err:
            raise InputError(f"character {err.args[0]!r} is not in the recogniser's character set") from None
        out.extend(ids)
        lengths.append(len(ids))
    return np.asarray(out, dtype=np.int64), np.asarray(lengths, dtype=np.int64)


__all__ = ["HEIGHT", "Crop", "CropSet", "batch_tensor", "encode_targets", "make_crop"]
