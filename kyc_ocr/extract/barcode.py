"""PDF417 barcodes of North American driver licences: decode (zxing-cpp) and AAMVA parse/build.

The AAMVA DL/ID Card Design Standard (2020, version 10) payload is a header
(``@``, the data element separator LF, record separator RS, segment terminator
CR, ``ANSI `` and the issuer's IIN, AAMVA version, jurisdiction version, number
of entries), one 10-byte subfile designator per entry (type, offset, length)
and the subfiles themselves: ``DL``/``ID`` with elements like ``DAQ`` (licence
number) or ``DBB`` (birth date), and jurisdiction subfiles ``Z?``.

>>> payload = build_aamva({"document_number": "D1234562", "surname": "Doe", "given_names": "Jane Ann",
...     "date_of_birth": "1990-02-28", "date_of_expiry": "2030-02-28", "date_of_issue": "2022-01-05",
...     "sex": "F", "address": "1 Main St, Sacramento, CA 95814"})
>>> payload[:21]
'@\\n\\x1e\\rANSI 636014100001'
>>> rec = parse_aamva(payload)
>>> rec.fields["surname"], rec.fields["given_names"], rec.fields["date_of_birth"], rec.fields["issuing_state"]
('DOE', 'JANE ANN', '1990-02-28', 'CA')
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kyc_ocr.domain import Quad
from kyc_ocr.errors import InputError
from kyc_ocr.extract.normalize import normalize_address, normalize_sex

log = logging.getLogger(__name__)

LF, RS, CR = "\n", "\x1e", "\r"
# Issuer identification numbers (AAMVA's published list): IIN -> (jurisdiction, country).
_IIN_TABLE = (
    "636033 AL USA,636059 AK USA,604432 AB CAN,990876 AB CAN,604427 AS USA,636026 AZ USA,636021 AR USA,"
    "636028 BC CAN,636014 CA USA,636020 CO USA,636006 CT USA,636011 DE USA,636043 DC USA,636010 FL USA,"
    "636055 GA USA,636019 GU USA,636047 HI USA,636050 ID USA,636035 IL USA,636037 IN USA,636018 IA USA,"
    "636022 KS USA,636046 KY USA,636007 LA USA,636041 ME USA,636048 MB CAN,636003 MD USA,636002 MA USA,"
    "636032 MI USA,636038 MN USA,636051 MS USA,636030 MO USA,636008 MT USA,636054 NE USA,636049 NV USA,"
    "636017 NB CAN,636039 NH USA,636036 NJ USA,636009 NM USA,636001 NY USA,636016 NL CAN,636004 NC USA,"
    "636034 ND USA,604430 MP USA,636013 NS CAN,604433 NU CAN,636023 OH USA,636058 OK USA,636012 ON CAN,"
    "636029 OR USA,636025 PA USA,604426 PE CAN,604431 PR USA,604428 QC CAN,636052 RI USA,636044 SK CAN,"
    "636005 SC USA,636042 SD USA,636053 TN USA,636027 US USA,636015 TX USA,636062 VI USA,636040 UT USA,"
    "636024 VT USA,636000 VA USA,636045 WA USA,636061 WV USA,636031 WI USA,636060 WY USA,604429 YT CAN"
)
IIN: dict[str, tuple[str, str]] = {
    iin: (state, country) for iin, state, country in (e.split() for e in _IIN_TABLE.split(","))
}
_EMPTY = {"", "NONE", "UNAVL", "UNAVAILABLE", "N/A"}
_HEADER = re.compile(r"@?\s*(?:\x1e)?\s*(ANSI ?|AAMVA)(\d{6})(\d{2})(\d{2})?(\d{2})")
_ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{2})(.*)$", re.DOTALL)


@dataclass(frozen=True)
class BarcodeResult:
    """One decoded barcode: its text, format and where it is on the image."""

    text: str
    format: str
    quad: Quad


@dataclass(frozen=True)
class AAMVARecord:
    """A parsed AAMVA payload: header values, subfiles and canonical fields."""

    iin: str
    aamva_version: int
    jurisdiction_version: int
    subfile_type: str  # DL or ID
    elements: dict[str, str]
    jurisdiction_subfiles: dict[str, str] = field(default_factory=dict)  # kept raw
    fields: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"iin": self.iin, "aamva_version": self.aamva_version,
                "jurisdiction_version": self.jurisdiction_version, "subfile_type": self.subfile_type,
                "elements": dict(self.elements), "fields": dict(self.fields)}


def decode_pdf417(image: np.ndarray, *, deblur: bool = True) -> list[BarcodeResult]:
    """Find PDF417 symbols on an RGB or grey ``uint8`` image with zxing-cpp.

    When nothing is found at the given size, a 2x upscaled and a half-size
    copy are tried (zxing already tries rotations), then, with ``deblur``,
    copies with the likeliest motion blurs undone (a phone photo's shake runs
    the symbol's modules together: :mod:`kyc_ocr.preprocess.deblur`); quads are
    mapped back. An empty list means no barcode was found (that is an answer,
    not a failure).
    """
    import cv2

    from kyc_ocr.preprocess.deblur import deblurred

    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise InputError("decode_pdf417 needs a uint8 image array (H, W) or (H, W, 3)")
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    for scale in (1.0, 2.0, 0.5):
        view = grey if scale == 1.0 else cv2.resize(grey, None, fx=scale, fy=scale,
                                                    interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
        if results := _read(view, scale):
            return results
    for view in deblurred(grey) if deblur else ():
        if results := _read(view, 1.0):
            log.debug("PDF417 decoded after undoing a motion blur")
            return results
    return []


def _read(view: np.ndarray, scale: float) -> list[BarcodeResult]:
    import zxingcpp

    found = zxingcpp.read_barcodes(view, formats=zxingcpp.BarcodeFormat.PDF417, text_mode=zxingcpp.TextMode.Plain)
    return [_result(b, scale) for b in found if b.valid]


def _result(barcode: Any, scale: float) -> BarcodeResult:
    pos = barcode.position
    corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
    quad = tuple((p.x / scale, p.y / scale) for p in corners)
    text = bytes(barcode.bytes).decode("latin-1") if barcode.bytes else barcode.text
    return BarcodeResult(text=text, format=str(barcode.format).rsplit(".", 1)[-1], quad=quad)  # type: ignore[arg-type]


# --- parse ---------------------------------------------------------------------------------

def _subfiles(text: str, start: int, entries: int) -> dict[str, str]:
    """Read the subfile designators; use offsets when they point at the named subfile."""
    out: dict[str, str] = {}
    designators = text[start : start + 10 * entries]
    for i in range(entries):
        d = designators[i * 10 : i * 10 + 10]
        if not re.fullmatch(r"[A-Z]{2}\d{8}", d):
            break
        kind, offset, length = d[:2], int(d[2:6]), int(d[6:10])
        body = text[offset : offset + length]
        if not body.startswith(kind):  # wrong offsets (common): find the subfile by its type
            at = text.find(kind, start + 10 * entries)
            body = text[at:] if at >= 0 else ""
        out[kind] = body[2:].split(CR, 1)[0] if body else ""
    return out


def _elements(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in re.split(r"[\n\r\x1e]+", body):
        m = _ELEMENT.match(chunk.strip(" "))
        if m:
            out.setdefault(m.group(1), m.group(2).strip())
    return out


def _date(value: str, canadian: bool) -> str:
    """AAMVA dates: MMDDCCYY in the USA, CCYYMMDD in Canada (and version 1); the other if invalid."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 8:
        raise InputError(f"AAMVA date {value!r} is not 8 digits")
    layouts = ("%Y%m%d", "%m%d%Y") if canadian else ("%m%d%Y", "%Y%m%d")
    for fmt in layouts:
        try:
            return dt.datetime.strptime(digits, fmt).date().isoformat()
        except ValueError:
            continue
    raise InputError(f"AAMVA date {value!r} is not a date")


def _value(elements: dict[str, str], *codes: str) -> str:
    for code in codes:
        v = elements.get(code, "").strip()
        if v.upper() not in _EMPTY:
            return v
    return ""


def _canonical(el: dict[str, str], iin: str, version: int, subfile: str) -> dict[str, str]:
    state, iin_country = IIN.get(iin, ("", ""))
    country = {"USA": "USA", "CAN": "CAN"}.get(_value(el, "DCG").upper(), iin_country or "USA")
    canadian = country == "CAN" or version == 1
    surname = _value(el, "DCS", "DAB")
    given = " ".join(x for x in (_value(el, "DAC"), _value(el, "DAD")) if x) or _value(el, "DCT", "DBP")
    if not surname and _value(el, "DAA"):  # version 1: full name LAST,FIRST,MIDDLE
        parts = [p.strip() for p in _value(el, "DAA").split(",")]
        surname, given = parts[0], " ".join(parts[1:])
    out = {
        "document_type": "driver_license" if subfile == "DL" else "id_card",
        "document_number": _value(el, "DAQ"),
        "surname": surname,
        "given_names": re.sub(r"[\s,]+", " ", given).strip(),
        "issuing_country": country,
        "issuing_state": state or _value(el, "DAJ"),
    }
    for name, code in (("date_of_birth", "DBB"), ("date_of_expiry", "DBA"), ("date_of_issue", "DBD")):
        if _value(el, code):
            out[name] = _date(_value(el, code), canadian)
    if _value(el, "DBC"):
        out["sex"] = normalize_sex(_value(el, "DBC"))
    street = ", ".join(x for x in (_value(el, "DAG"), _value(el, "DAH")) if x)
    city, jur, postal = _value(el, "DAI"), _value(el, "DAJ"), _value(el, "DAK")
    postal = postal[:5] if country == "USA" and re.fullmatch(r"\d{5}0{4}|\d{5}", postal) else postal
    if street or city:
        out["address"] = normalize_address(", ".join(x for x in (street, city, f"{jur} {postal}".strip()) if x))
    for name, code in (("height", "DAU"), ("eye_color", "DAY"), ("document_discriminator", "DCF"),
                       ("vehicle_class", "DCA"), ("postal_code", "DAK")):
        if _value(el, code):
            out[name] = postal if code == "DAK" else _value(el, code)
    return {k: v for k, v in out.items() if v}


def parse_aamva(text: str) -> AAMVARecord:
    """Parse the text of an AAMVA PDF417 barcode.

    Tolerates CRLF line ends, trailing spaces, a missing ``@``/separators and
    wrong subfile offsets; raises :class:`~kyc_ocr.errors.InputError` when the
    text has no AAMVA header and no DL/ID subfile.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("empty barcode text: not an AAMVA payload")
    text = text.replace("\r\n", "\n").replace("\x0d\x0a", "\n")
    header = _HEADER.search(text[:64])
    if header is None:
        raise InputError("not an AAMVA payload: no 'ANSI ' header with an issuer number (IIN)")
    iin, version = header.group(2), int(header.group(3))
    if version <= 1 and header.group(4) is not None:  # version 1 has no jurisdiction version
        entries, jversion, start = int(header.group(4)), 0, header.end() - 2
    else:
        jversion = int(header.group(4) or 0)
        entries, start = int(header.group(5)), header.end()
    subfiles = _subfiles(text, start, max(entries, 1))
    kind: str | None = next((k for k in ("DL", "ID") if k in subfiles), None)
    if kind is None:
        at = re.search(r"(DL|ID)(?=D[A-Z]{2})", text[start:])
        if at is None:
            raise InputError("not an AAMVA payload: no DL or ID subfile")
        kind = at.group(1)
        subfiles[kind] = text[start + at.end() :].split(CR, 1)[0]
    elements = _elements(subfiles[kind])
    if "DAQ" not in elements and "DCS" not in elements and "DAA" not in elements:
        raise InputError("not an AAMVA payload: the DL/ID subfile has no licence number or name")
    jurisdiction = {k: v for k, v in subfiles.items() if k.startswith("Z")}
    fields = _canonical(elements, iin, version, kind)
    return AAMVARecord(iin, version, jversion, kind, elements, jurisdiction, fields)


# --- build ---------------------------------------------------------------------------------

def _split_address(address: str) -> tuple[str, str, str, str]:
    """``"1 Main St, Sacramento, CA 95814"`` -> street, city, state, postal code."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    m = re.fullmatch(r"([A-Z]{2})\s+([A-Z0-9 -]{3,11})", parts[-1].upper()) if parts else None
    if len(parts) < 3 or m is None:
        raise InputError("an AAMVA address must read 'street, city, ST postal-code'")
    return ", ".join(parts[:-2]), parts[-2], m.group(1), m.group(2)


def build_aamva(fields: dict[str, str], *, jurisdiction: str = "CA", iin: str = "636014",
                version: int = 10) -> str:
    """An AAMVA 2020 (version 10) DL/ID payload with a correct header, offsets and lengths.

    ``fields`` uses canonical names (document_number, surname, given_names,
    date_of_birth, date_of_expiry, date_of_issue as ISO, sex, address as
    ``street, city, ST postal``, optional document_type ``id_card``, height,
    eye_color, issuing_country ``USA``/``CAN``); raw 3-letter element codes pass through.
    """
    if not re.fullmatch(r"\d{6}", iin) or not 1 <= version <= 99:
        raise InputError(f"bad AAMVA IIN {iin!r} or version {version}")
    for key in ("document_number", "surname", "given_names", "date_of_birth", "date_of_expiry"):
        if not fields.get(key):
            raise InputError(f"build_aamva needs {key}")
    country = fields.get("issuing_country", "USA").upper()
    date_fmt = "%Y%m%d" if country == "CAN" else "%m%d%Y"

    def day(iso: str) -> str:
        try:
            return dt.date.fromisoformat(iso).strftime(date_fmt)
        except ValueError as exc:
            raise InputError(f"AAMVA dates must be ISO, got {iso!r}") from exc

    first, _, middle = fields["given_names"].strip().partition(" ")
    street, city, state, postal = _split_address(fields["address"]) if fields.get("address") else ("", "", "", "")
    sex = {"M": "1", "F": "2"}.get(normalize_sex(fields["sex"]) if fields.get("sex") else "X", "9")
    el: dict[str, str] = {
        "DCA": fields.get("vehicle_class", "C"), "DCB": "NONE", "DCD": "NONE",
        "DBA": day(fields["date_of_expiry"]), "DCS": fields["surname"].upper()[:40],
        "DAC": first.upper()[:40], "DAD": (middle.upper() or "NONE")[:40],
        "DBD": day(fields.get("date_of_issue") or fields["date_of_expiry"]),
        "DBB": day(fields["date_of_birth"]), "DBC": sex,
        "DAY": fields.get("eye_color", "UNK"), "DAU": fields.get("height", "").upper(),
        "DAG": street.upper(), "DAI": city.upper(), "DAJ": state or jurisdiction.upper(),
        "DAK": (postal.replace("-", "") + "0000")[:9] if country == "USA" and postal else postal,
        "DAQ": fields["document_number"].upper(),
        "DCF": fields.get("document_discriminator", fields["document_number"].upper()),
        "DCG": country, "DDE": "T" if len(fields["surname"]) > 40 else "N",
        "DDF": "T" if len(first) > 40 else "N", "DDG": "T" if len(middle) > 40 else "N",
    }
    el.update({k: v for k, v in fields.items() if re.fullmatch(r"D[A-Z]{2}", k)})
    kind = "ID" if fields.get("document_type") == "id_card" else "DL"
    body = kind + LF.join(f"{k}{v}" for k, v in el.items() if v) + CR
    header = f"@{LF}{RS}{CR}ANSI {iin}{version:02d}00" + "01"
    offset = len(header) + 10
    designator = f"{kind}{offset:04d}{len(body):04d}"
    return header + designator + body
