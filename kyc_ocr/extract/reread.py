"""Re-read a field's pixels against another document's value: "could this form say ``Z09A2293H``?".

Cross-document checks compare what OCR *read* on two documents. On a blurred
phone photo a ``3`` may be read ``S``; the comparison then fails although the
image says the same thing. :class:`PixelRereader` cuts the field's box out of
the file as sent (it is stored in original-image pixels), asks the recogniser
for its frame probabilities, and scores the hypothesis by forced alignment
(:func:`kyc_ocr.ocr.ctc.text_cost`). The surrounding text of the region (a glued
label, say) is kept around the hypothesis, so only the value is changed.

The checks decide what a cost means (the policy's ``reread_max_cost``); this
module only measures. Engines without frame probabilities (Tesseract, Paddle)
give ``None`` and the checks behave as before.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from kyc_ocr.config import Settings
from kyc_ocr.domain import ExtractedDocument, Field, FieldSource, PageImage, Quad, Reread
from kyc_ocr.errors import KycError
from kyc_ocr.ocr.ctc import greedy_text, text_cost
from kyc_ocr.timing import stage

if TYPE_CHECKING:
    from kyc_ocr.checks.reread import RereadTable

log = logging.getLogger(__name__)

# Padding, in box heights: a value cut from a longer line ("Nom : CAMUS", "né le 18/11/1953") has an
# estimated span that may start or end inside it; a crop that cuts the value's last digit off would let any
# digit there cost little. The price: blank paper past the end lets a character *added* there cost little
# too (measured: benchmarks/calibrate_reread.py; README).
PAD_LEFT, PAD_RIGHT, PAD_Y = 2.0, 2.0, 0.15
MIN_ALIGNMENT = 60.0  # the re-read must still show the field's value (partial ratio, 0-100)
# Names and addresses: the checks compare them with accents folded (kyc_ocr.checks.names), so a re-read tests the
# letters and lets each carry any accent (a passport's misread Ü does not count against a printed Ů).
ACCENT_FREE_FIELDS = frozenset({"surname", "given_names", "full_name", "name", "account_holder", "holder_name",
                                "customer_name", "address"})


def respaced(hypothesis: str, printed: str) -> str:
    """``hypothesis`` with the spaces of ``printed``, when both have as many other characters: a
    number printed ``Z09 A229 3H`` is tested as printed, an address line read ``ANTHONY,GA 90162``
    without the space after its comma. A name (spaces, no digits) keeps its own spaces.

    >>> respaced("Z09A2293H", "Z09 A229 SH"), respaced("AB12", "A B 1"), respaced("Meinhard Scholtz", "Menhund Schoiltz")
    ('Z09 A229 3H', 'AB12', 'Meinhard Scholtz')
    >>> respaced("EAST ANTHONY, CA 90162", "EAST ANTHONY,GA 90162")
    'EAST ANTHONY,CA 90162'
    """
    bare = printed.replace(" ", "")
    name = " " in hypothesis and not any(ch.isdigit() for ch in hypothesis)
    if name or bare == printed == hypothesis or len(bare) != len(hypothesis.replace(" ", "")):
        return hypothesis
    chars = iter(hypothesis.replace(" ", ""))
    return "".join(" " if ch == " " else next(chars) for ch in printed)


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def punctuated(hypothesis: str, printed: str) -> str:
    """``hypothesis`` (words with spaces) with the punctuation ``printed`` puts between its words, when
    both have as many words (given names printed ``Laurence, Louise`` are tested so).

    >>> punctuated("Laurence Louise", "Laurence, Louise"), punctuated("Anna Maria", "ANNA")
    ('Laurence, Louise', 'Anna Maria')
    >>> punctuated("Z09A2293H", "Z09A229SH"), punctuated("EAST ANTHONY, CA 90162", "EAST ANTHONY,GA 90162")
    ('Z09A2293H', 'EAST ANTHONY, CA 90162')
    """
    if " " not in hypothesis.strip() or any(ch.isdigit() for ch in hypothesis + printed):
        return hypothesis  # names only: an address's numbers are no words to re-punctuate
    printed_words = list(_NAME_WORD.finditer(printed))
    words = _NAME_WORD.findall(hypothesis)
    if len(printed_words) < 2 or len(words) != len(printed_words):
        return hypothesis
    gaps = [printed[a.end() : b.start()] for a, b in itertools.pairwise(printed_words)]
    return words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:]))


def _upper(text: str) -> str:
    """Upper case, one character for one (``ß`` stays), so positions in it are positions in ``text``."""
    return "".join(u if len(u := ch.upper()) == 1 else ch for ch in text)


def _same_kind(a: str, b: str) -> bool:
    """Both letters or both digits."""
    return (a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit())


def in_context(read: str, value: str, hypothesis: str) -> str | None:
    """``read`` with the part that shows ``value`` replaced by ``hypothesis``; ``None`` if no part does.

    >>> in_context("N788545088866", "788545088866", "788545088856")
    'N788545088856'
    >>> in_context("Z09A229SH", "Z09A229SH", "Z09A2293H")
    'Z09A2293H'
    >>> in_context("COSTA", "788545088866", "788545088856") is None
    True
    >>> in_context("Nom: Jargite", "JARGITE", "Jargiło")
    'Nom: Jargiło'

    The part is widened to whole words, letters to letters and digits to digits (an alignment
    that leaves out a misread last letter must not leave that letter behind the hypothesis):

    >>> in_context("Rizickova", "R0ziCkovà", "Růžičková")
    'Růžičková'

    and to a whole neighbouring word when that brings the part closer to ``value`` (an alignment
    that starts at a word boundary inside a misread name):

    >>> in_context("Willian de Legos", "Wilum de Legnos", "William de Legros")
    'William de Legros'
    """
    if not read or not value:
        return None
    up_value, up_read = _upper(value), _upper(read)
    found = fuzz.partial_ratio_alignment(up_value, up_read)
    if found is None or found.score < MIN_ALIGNMENT:
        return None
    start, end = _nearest_window(up_read, up_value, found.dest_start, found.dest_end)
    while start < end and read[start] == " ":
        start += 1
    while end > start and read[end - 1] == " ":
        end -= 1
    while 0 < start < end and _same_kind(read[start - 1], read[start]):
        start -= 1
    while start < end < len(read) and _same_kind(read[end - 1], read[end]):
        end += 1
    start, end = _closer_with_neighbours(up_read, up_value, start, end)
    shown = read[start:end]
    return read[:start] + respaced(punctuated(hypothesis, shown), shown) + read[end:]


def _nearest_window(read: str, value: str, start: int, end: int, reach: int = 2) -> tuple[int, int]:
    """``read[start:end]`` with each end moved by up to ``reach`` characters to the span fewest edits away
    from ``value`` (ties: the least moved). A partial-ratio alignment is exactly as long as ``value``, so a
    reading with a character more (``P9J1W4884L`` for ``P9JW48S4L``) would leave its last one out.

    >>> _nearest_window("P9J1W4884L", "P9JW48S4L", 0, 9), _nearest_window("N788545088866", "788545088866", 1, 13)
    ((0, 10), (1, 13))
    """
    spans = ((a, b) for a in range(max(0, start - reach), start + reach + 1)
             for b in range(end - reach, min(len(read), end + reach) + 1) if a < b)
    return min(spans, key=lambda ab: (Levenshtein.distance(value, read[ab[0]:ab[1]]),
                                      abs(ab[0] - start) + abs(ab[1] - end)), default=(start, end))


def _closer_with_neighbours(read: str, value: str, start: int, end: int) -> tuple[int, int]:
    """``read[start:end]`` grown by the whole word before or after it (across one space) while that
    makes it read closer to ``value``."""
    def score(a: int, b: int) -> float:
        return fuzz.ratio(value, read[a:b])

    grown = True
    while grown:
        grown = False
        if start > 1 and read[start - 1] == " " and read[start - 2].isalpha():
            a = start - 1
            while a > 0 and read[a - 1].isalpha():
                a -= 1
            if score(a, end) > score(start, end):
                start, grown = a, True
        if end < len(read) - 1 and read[end] == " " and read[end + 1].isalpha():
            b = end + 1
            while b < len(read) and read[b].isalpha():
                b += 1
            if score(start, b) > score(start, end):
                end, grown = b, True
    return start, end


def shown(field: Field) -> str:
    """What the field's region shows of its value: the value where the text read holds it (a glued label
    stays context), else the text read (a date read ``16/04/2028``, normalised ``2028-04-16``).

    >>> shown(Field("statement_date", "2028-04-16", "16/04/2028", 0.8)), shown(Field("surname", "COSTA", "", 0.9))
    ('16/04/2028', 'COSTA')
    >>> shown(Field("document_number", "788545088866", "N°788545088866", 0.9))
    '788545088866'
    """
    bare = field.value.replace(" ", "").upper()
    return field.value if not field.raw or bare in field.raw.replace(" ", "").upper() else field.raw


def shows(value: str, read: str) -> float:
    """How well a crop's reading ``read`` shows ``value`` (0-100): rapidfuzz's ``partial_ratio`` when the
    reading is the longer (a crop holds more than the value), else ``ratio`` (a short reading of the
    upside-down crop must not match inside the value).

    >>> shows("Kaliforniensvej 60", "Kaliforniensvej 80") > shows("Kaliforniensvej 60", " ")
    True
    >>> shows("CAMUS", "Nom : CAMUS")
    100.0
    """
    read = read.strip()
    if not read:
        return 0.0
    return fuzz.partial_ratio(value, read) if len(read) >= len(value) else fuzz.ratio(value, read)


def _crop(image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
    x0, y0, x1, y1 = box
    h = max(1.0, y1 - y0)
    H, W = image.shape[:2]
    left, right = max(0, int(x0 - PAD_LEFT * h)), min(W, int(np.ceil(x1 + PAD_RIGHT * h)))
    top, bottom = max(0, int(y0 - PAD_Y * h)), min(H, int(np.ceil(y1 + PAD_Y * h)))
    if right - left < 4 or bottom - top < 4:
        return None
    return np.ascontiguousarray(image[top:bottom, left:right])


def _rectified(image: np.ndarray, quad: Quad) -> np.ndarray | None:
    """The region inside ``quad`` (corners top-left first, clockwise) straightened to a rectangle,
    padded like :func:`_crop`: a field on a phone photo comes out level, as extraction read it.

    >>> img = np.zeros((60, 100), np.uint8); img[20:30, 10:50] = 255
    >>> out = _rectified(img, ((10, 20), (50, 20), (50, 30), (10, 30)))
    >>> out.shape, int(out[4:6, 21:59].min())  # 10 + 2 x 1.5 rows, 20 + 40 + 20 columns
    ((13, 80), 255)
    """
    q = np.asarray(quad, dtype=np.float32)
    w = float(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3])))
    h = float(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1])))
    if w < 4 or h < 4:
        return None
    left, right, py = PAD_LEFT * h, PAD_RIGHT * h, PAD_Y * h
    rect = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    to_image = cv2.getPerspectiveTransform(rect, q) @ np.array([[1, 0, -left], [0, 1, -py], [0, 0, 1]])
    size = (round(w + left + right), round(h + 2 * py))
    return cv2.warpPerspective(image, to_image, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=cv2.BORDER_REPLICATE)


def _orientations(crop: np.ndarray) -> list[np.ndarray]:
    """The crop as it is and upside down; a tall crop (a quarter-turned page) turned both ways."""
    if crop.shape[0] > 1.5 * crop.shape[1]:
        turned = np.ascontiguousarray(np.rot90(crop, 1))
        return [turned, np.ascontiguousarray(np.rot90(crop, -1))]
    return [crop, np.ascontiguousarray(crop[::-1, ::-1])]


def _best_reading(probs: Any, crop: np.ndarray, read_as: str) -> tuple[str, np.ndarray, list[str]]:
    """The crop recognised as it is and turned (one batch), the orientation whose reading shows ``read_as``
    best (not the one kindest to a hypothesis): ``(reading, frame log-probabilities, charset)``."""
    charset, logps = probs(_orientations(crop))
    read, logp = max(((greedy_text(lp, charset), lp) for lp in logps), key=lambda r: shows(read_as, r[0]))
    return read, logp, charset


REPAIR_MAX_COST = 6.0  # nats: a reading repaired at extraction costs at most this (the policy's reread_max_cost)
REPAIR_MARGIN = 2.0  # nats: ... and at least this much less than any other repair (e^-2: 1/7 as likely)


def cheapest_reading(engine: Any, image: np.ndarray, box: tuple[float, float, float, float], read_as: str,
                     hypotheses: Sequence[str], max_cost: float = REPAIR_MAX_COST, margin: float = REPAIR_MARGIN
                     ) -> tuple[str, float] | None:
    """Of ``hypotheses`` for the text OCR read as ``read_as`` in ``box`` of ``image``, the one its pixels give
    within ``max_cost`` nats of their best reading and by at least ``margin`` more cheaply than every other,
    with its cost; ``None`` when none does (or ``engine`` gives no frame probabilities).

    Extraction asks this when a value OCR read is impossible (a date ``05.41.2033``) and a few repairs are
    possible: the pixels choose, or nothing is guessed.
    """
    probs = getattr(engine, "line_log_probs", None)
    crop = _crop(image, box) if probs is not None and hypotheses else None
    if crop is None:
        return None
    read, logp, charset = _best_reading(probs, crop, read_as)
    costs = sorted((text_cost(logp, in_context(read, read_as, h) or h, charset), h) for h in hypotheses)
    (cost, best), rest = costs[0], costs[1:]
    if cost > max_cost or (rest and rest[0][0] - cost < margin):
        return None
    return best, cost


class PixelRereader:
    """A :class:`~kyc_ocr.domain.FieldRereader` over the files a verification was given.

    ``sources`` maps each document's SHA-256 to its path or bytes; pages are decoded once.
    """

    def __init__(self, engine: Any, sources: Mapping[str, Any], settings: Settings | None = None) -> None:
        self.engine = engine
        self.sources = dict(sources)
        self.settings = settings or Settings()
        self._pages: dict[str, list[PageImage]] = {}
        self._lines: dict[tuple[str, str], tuple[str, np.ndarray, list[str]] | None] = {}

    def _page(self, document: ExtractedDocument, page: int) -> np.ndarray | None:
        from kyc_ocr.io import load

        if document.sha256 not in self._pages:
            source = self.sources.get(document.sha256)
            if source is None:
                return None
            try:
                self._pages[document.sha256] = list(load(source, self.settings))
            except KycError as err:
                log.debug("re-read: %s could not be loaded again: %s", document.source, err)
                self._pages[document.sha256] = []
        pages = self._pages[document.sha256]
        return pages[page - 1].image if 0 < page <= len(pages) else None

    def _line(self, document: ExtractedDocument, field: Field) -> tuple[str, np.ndarray, list[str]] | None:
        """The field's best reading now, its frame log-probabilities and the charset; once per field.

        Of the crop's orientations (both recognised in one batch), the one whose reading shows the
        field's value best is kept (not the one kindest to a hypothesis).
        """
        key = (document.sha256, field.name)
        if key not in self._lines:
            self._lines[key] = None
            probs = getattr(self.engine, "line_log_probs", None)
            image = self._page(document, field.page) if probs is not None else None
            crop = None
            if image is not None and field.quad is not None:
                crop = _rectified(image, field.quad)
            elif image is not None and field.box is not None:
                crop = _crop(image, field.box)
            if crop is not None:
                self._lines[key] = _best_reading(probs, crop, shown(field))
        return self._lines[key]

    def __call__(self, document: ExtractedDocument, field: Field, hypothesis: str) -> Reread | None:
        if field.source is not FieldSource.VISUAL or not hypothesis:
            return None
        line = self._line(document, field)
        if line is None:
            return None
        # the crop is the field's own box: when its reading now does not show the value OCR first read
        # (``Wzanit`` for ``Waart``, a blurred photo), the hypothesis stands for the whole crop
        tested = in_context(line[0], shown(field), hypothesis) or hypothesis
        read, logp, charset = line
        marks = field.name.split(" line ")[0] in ACCENT_FREE_FIELDS  # "address line 2": a line of a field
        return Reread(read, tested, text_cost(logp, tested, charset, any_marks=marks), any_marks=marks)


def measure_rereads(documents: Sequence[ExtractedDocument], engine: Any, sources: Mapping[str, Any],
                    settings: Settings | None = None, as_of: dt.date | None = None) -> RereadTable:
    """Every re-read the checks may want for one customer's documents (``sources``: sha256 -> file),
    verified at ``as_of`` (without it, no proof-of-address date is re-read)."""
    from kyc_ocr.checks.reread import RereadTable

    with stage("reread"):
        return RereadTable.measure(documents, PixelRereader(engine, sources, settings), as_of)


__all__ = ["PixelRereader", "cheapest_reading", "in_context", "measure_rereads", "respaced"]
