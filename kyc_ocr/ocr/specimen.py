"""Rendered text with known ground truth, for engine self-tests and benchmarks.

These are not the project's synthetic documents (see :mod:`kyc_ocr.synth`):
they are plain renderings (DejaVu for text, OCR-B for machine-readable
lines) whose every line and its quad are known exactly, so an engine can be
checked without any other part of the pipeline. All people are invented.

>>> card = id_card(seed=3)
>>> card.image.shape
(630, 1000, 3)
>>> len(card.lines) >= 15 and card.lines[-1].text.startswith(tuple("0123456789<ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
True
>>> check_digit("740812")
'2'
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from kyc_ocr.domain import TextLine, quad_from_box
from kyc_ocr.errors import ConfigError
from kyc_ocr.extract.mrz_layout import check_digit
from kyc_ocr.extract.normalize import transliterate_icao

FONTS = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "sans-bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "serif": "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "ocrb": "/usr/share/fonts/opentype/ocr-b/OCRB.otf",
}
SURNAMES = ("MÜLLER", "ERIKSSON", "DUBOIS", "GARCÍA LÓPEZ", "NOWAK", "O'BRIEN", "ROSSI", "VAN DER BERG", "SILVA")
GIVEN = ("Anna Maria", "Jean-Luc", "Søren", "María José", "Piotr", "Chloé", "Luca", "Ingrid", "João Pedro")
CITIES = ("Lyon", "Göteborg", "Kraków", "Porto", "Zürich", "Dublin", "Bologna", "Utrecht", "Sevilla")


@dataclass(frozen=True)
class Placed:
    """A line to draw: text, top-left position, font key, pixel size."""

    text: str
    x: int
    y: int
    font: str = "sans"
    size: int = 26


@dataclass(frozen=True, eq=False)
class Specimen:
    """A rendered image (RGB ``uint8``) and the lines drawn on it, with their tight quads."""

    image: np.ndarray
    lines: tuple[TextLine, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def font(key: str, size: int) -> ImageFont.FreeTypeFont:
    """A font by key (see :data:`FONTS`); :class:`ConfigError` when it is not installed."""
    path = FONTS.get(key, key)
    if not Path(path).is_file():
        raise ConfigError(f"font {key!r} not found at {path}; install fonts-dejavu-core and fonts-ocr-b")
    return ImageFont.truetype(path, size)


def render(placed: Sequence[Placed], size: tuple[int, int], background: tuple[int, int, int] = (255, 255, 255),
           ink: tuple[int, int, int] = (20, 20, 30)) -> Specimen:
    """Draw ``placed`` lines on a ``size`` = (width, height) canvas."""
    canvas = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(canvas)
    lines = []
    for item in placed:
        face = font(item.font, item.size)
        draw.text((item.x, item.y), item.text, font=face, fill=ink)
        box = draw.textbbox((item.x, item.y), item.text, font=face)
        lines.append(TextLine(item.text, 1.0, quad_from_box(box)))
    return Specimen(np.asarray(canvas), tuple(lines))


def text_line(text: str, font_key: str = "sans", size: int = 32, pad: int = 8) -> np.ndarray:
    """One line of text tightly cropped with ``pad`` pixels of white around it."""
    face = font(font_key, size)
    left, top, right, bottom = face.getbbox(text)
    canvas = Image.new("RGB", (int(right - left + 2 * pad), int(bottom - top + 2 * pad)), (255, 255, 255))
    ImageDraw.Draw(canvas).text((pad - left, pad - top), text, font=face, fill=(20, 20, 30))
    return np.asarray(canvas)


def id_card(seed: int = 0) -> Specimen:
    """A 1000 x 630 ID card: bilingual labels, values, and a 3-line TD1 MRZ in OCR-B."""
    rng = random.Random(seed)
    surname, given, city = rng.choice(SURNAMES), rng.choice(GIVEN), rng.choice(CITIES)
    number = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(9))
    dob = f"{rng.randint(1950, 2004) % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    exp = f"{rng.randint(26, 35):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    sex = rng.choice("MF")
    dob_text = f"{dob[4:]}.{dob[2:4]}.{'19' if int(dob[:2]) > 30 else '20'}{dob[:2]}"
    exp_text = f"{exp[4:]}.{exp[2:4]}.20{exp[:2]}"
    placed = [
        Placed("UTOPIA", 40, 28, "sans-bold", 34),
        Placed("IDENTITY CARD / CARTE D'IDENTITÉ", 330, 36, "sans", 24),
        Placed("Surname / Nom", 330, 100, "sans", 18),
        Placed(surname, 330, 124, "sans-bold", 28),
        Placed("Given names / Prénoms", 330, 170, "sans", 18),
        Placed(given, 330, 194, "sans-bold", 28),
        Placed("Date of birth / Date de naissance", 330, 240, "sans", 18),
        Placed(dob_text, 330, 264, "sans", 26),
        Placed("Sex / Sexe", 760, 240, "sans", 18),
        Placed(sex, 760, 264, "sans", 26),
        Placed("Place of birth / Lieu de naissance", 330, 310, "sans", 18),
        Placed(city, 330, 334, "sans", 26),
        Placed("Document No.", 40, 360, "sans", 18),
        Placed(number, 40, 384, "mono", 26),
        Placed("Expiry / Expiration", 760, 310, "sans", 18),
        Placed(exp_text, 760, 334, "sans", 26),
    ]
    line1 = f"I<UTO{number}{check_digit(number)}".ljust(30, "<")
    line2 = f"{dob}{check_digit(dob)}{sex}{exp}{check_digit(exp)}UTO".ljust(29, "<")
    line2 += check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    surname_mrz, given_mrz = transliterate_icao(surname), transliterate_icao(given)
    line3 = f"{surname_mrz}<<{given_mrz}".ljust(30, "<")[:30]
    placed += [Placed(text, 60, 470 + 48 * i, "ocrb", 34) for i, text in enumerate((line1, line2, line3))]
    spec = render(placed, (1000, 630), background=(246, 244, 236))
    # a photo placeholder: a filled box without text
    image = spec.image.copy()
    image[110:340, 40:280] = (205, 200, 190)
    return Specimen(image, spec.lines)


def form_page(seed: int = 0, width: int = 1240, height: int = 1754) -> Specimen:
    """An A4 form at 150 dpi: a title, 20 labelled fields and a paragraph of text."""
    rng = random.Random(seed)
    labels = ("Customer ID", "Surname", "Given names", "Date of birth", "Nationality", "Document number",
              "Street", "Postcode", "City", "Country", "Phone", "E-mail", "Occupation", "Employer",
              "Annual income", "Source of funds", "Account number", "Policy number", "Signed at", "Date")
    placed = [Placed("KYC APPLICATION FORM", 100, 80, "sans-bold", 40)]
    y = 180
    for label in labels:
        value = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rng.randint(6, 14)))
        placed += [Placed(label, 100, y, "sans", 24), Placed(value, 520, y, "mono", 26)]
        y += 56
    words = ["the", "applicant", "declares", "that", "information", "given", "above", "is", "true", "and",
             "complete", "agrees", "to", "its", "processing", "for", "purpose", "of", "customer", "due",
             "diligence", "under", "applicable", "law"]
    for _ in range(6):
        y += 44
        placed.append(Placed(" ".join(rng.sample(words, 9)), 100, y, "serif", 24))
    return render(placed, (width, height))



def page_text(lines: Sequence[TextLine]) -> str:
    """The lines' text in reading order, joined by single spaces (whitespace normalised)."""
    from kyc_ocr.ocr.detect import reading_order

    return " ".join(" ".join(lines[i].text.split()) for i in reading_order([ln.quad for ln in lines]))


def text_errors(predicted: Sequence[TextLine], truth: Sequence[TextLine]) -> tuple[int, int]:
    """Character edits from what an engine read to the truth, and the truth's length (CER = ratio).

    Both sides are put in reading order and joined with spaces, so an engine
    that splits a line into words, or merges two fields of one row into a
    line, is not punished for it; a misread character costs one edit.

    >>> box = lambda x0, x1, y: ((x0, y), (x1, y), (x1, y + 10), (x0, y + 10))
    >>> truth = [TextLine("HELLO WORLD", 1, box(0, 100, 0)), TextLine("BYE", 1, box(0, 30, 40))]
    >>> text_errors([TextLine("WORLD", .9, box(52, 100, 1)), TextLine("HELL0", .9, box(0, 48, 0))], truth)
    (5, 15)
    """
    from rapidfuzz.distance import Levenshtein

    gold = page_text(truth)
    return Levenshtein.distance(page_text(predicted), gold), len(gold)
