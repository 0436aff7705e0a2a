"""Training crops: one line of text rendered tight, augmented, fresh for every batch.

A :class:`CropSet` either renders new crops on demand from a
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

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from kyc_ocr.errors import InputError
from kyc_ocr.ocr.recognize import HEIGHT, needed_width, rec_input
from kyc_ocr.synth.fonts import MRZ_FAMILY, SANS, SERIF, get_font
from kyc_ocr.train.corpus import Corpus

#: Families used for training crops; ``HELDOUT_FAMILY`` is kept out to measure overfitting to fonts.
HELDOUT_FAMILY = "free-serif"
TRAIN_FAMILIES = tuple(f for f in SANS + SERIF if f != HELDOUT_FAMILY)


@dataclass(frozen=True)
class Crop:
    image: np.ndarray  # RGB uint8, one text line
    text: str
    kind: str


def render_line(text: str, family: str, size: int, rng: random.Random) -> np.ndarray:
    """Render ``text`` dark on a light, slightly tinted background with a small random margin."""
    font = get_font(family, size)
    x0, y0, x1, y1 = font.getbbox(text)
    pad_x, pad_top, pad_bottom = rng.randint(2, 12), rng.randint(2, 8), rng.randint(2, 8)
    w, h = max(1, x1 - x0) + 2 * pad_x, max(1, y1 - y0) + pad_top + pad_bottom
    bg = tuple(rng.randint(200, 255) for _ in range(3))
    ink = tuple(rng.randint(0, 70) for _ in range(3))
    img = Image.new("RGB", (w, h), bg)
    ImageDraw.Draw(img).text((pad_x - x0, pad_top - y0), text, font=font, fill=ink)
    return np.asarray(img)


def augment_crop(img: np.ndarray, rng: random.Random, strength: float) -> np.ndarray:
    """Label-preserving degradations: small rotation, blur, noise, contrast, JPEG."""
    out = img
    if rng.random() < 0.5 * strength:
        h, w = out.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1.5, 1.5), 1.0)
        out = cv2.warpAffine(out, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.5 * strength:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.1))
    if rng.random() < 0.6 * strength:
        noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(2, 12), out.shape)
        out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if rng.random() < 0.4 * strength:
        alpha, beta = rng.uniform(0.6, 1.2), rng.uniform(-30, 30)
        out = np.clip(out.astype(np.float32) * alpha + beta, 0, 255).astype(np.uint8)
    if rng.random() < 0.4 * strength:
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, format="JPEG", quality=rng.randint(35, 85))
        out = np.asarray(Image.open(buf).convert("RGB"))
    return np.ascontiguousarray(out)


def make_crop(corpus: Corpus, rng: random.Random, families: Sequence[str], kind: str | None = None,
              general_share: float = 0.4, strength: float = 1.0) -> Crop:
    kind, text, role = corpus.sample(kind, general_share)
    family = MRZ_FAMILY if role == "mrz" else rng.choice(list(families))
    size = rng.randint(22, 40)
    img = render_line(text, family, size, rng)
    return Crop(augment_crop(img, rng, strength), text, kind)


class CropSet:
    """Fresh crops from a corpus (training) or a fixed list (held-out evaluation)."""

    def __init__(self, families: Sequence[str] = TRAIN_FAMILIES, fixed: list[Crop] | None = None,
                 kinds: Sequence[str] | None = None) -> None:
        self.families = tuple(families)
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

    def batch(self, rng: random.Random, n: int, general_share: float) -> list[Crop]:
        if self.fixed is not None:
            return [self.fixed[rng.randrange(len(self.fixed))] for _ in range(n)]
        if self._corpus is None:
            self._corpus = Corpus(random.Random(rng.randrange(1 << 30)))
        kinds = self.kinds
        return [make_crop(self._corpus, rng, self.families, rng.choice(kinds) if kinds else None, general_share)
                for _ in range(n)]


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


__all__ = ["HEIGHT", "Crop", "CropSet", "batch_tensor", "encode_targets", "make_crop", "render_line"]
