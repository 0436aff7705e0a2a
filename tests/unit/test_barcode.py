"""AAMVA PDF417: build, encode with pdf417gen, decode with zxing-cpp, parse back."""

from __future__ import annotations

import numpy as np
import pdf417gen
import pytest

from kyc_ocr.errors import InputError
from kyc_ocr.extract.barcode import build_aamva, decode_pdf417, parse_aamva

FIELDS = {
    "document_number": "D1234562", "surname": "Doe", "given_names": "Jane Ann", "date_of_birth": "1990-02-28",
    "date_of_expiry": "2030-02-28", "date_of_issue": "2022-01-05", "sex": "F",
    "address": "1 Main St, Sacramento, CA 95814",
}
EXPECTED = {
    "document_type": "driver_license", "document_number": "D1234562", "surname": "DOE", "given_names": "JANE ANN",
    "date_of_birth": "1990-02-28", "date_of_expiry": "2030-02-28", "date_of_issue": "2022-01-05", "sex": "F",
    "address": "1 MAIN ST, SACRAMENTO, CA 95814", "issuing_country": "USA", "issuing_state": "CA",
}

# A hand-written AAMVA 2016 (version 09) Texas-like payload with a jurisdiction subfile (ZT),
# written byte by byte from the standard's layout: header 21 bytes, 2 designators of 10 bytes.
DL = "DLDAQ12345678\nDCSSMITH\nDACJOHN\nDADNONE\nDBB07041976\nDBA07042028\nDBD07042020\nDBC1\nDAYBRO\n" \
     "DAU071 IN\nDAG100 CONGRESS AVE\nDAIAUSTIN\nDAJTX\nDAK787010000  \nDCGUSA\r"
ZT = "ZTZTAFOO\r"
HEADER = "@\n\x1e\rANSI 636015090002"
DESIG = f"DL{41:04d}{len(DL):04d}ZT{41 + len(DL):04d}{len(ZT):04d}"
TEXAS = HEADER + DESIG + DL + ZT


def _sub(fields: dict, keys: tuple) -> dict:
    return {k: fields[k] for k in keys}


def test_build_header_offsets_and_lengths() -> None:
    payload = build_aamva(FIELDS)
    assert payload.startswith("@\n\x1e\rANSI 636014100001DL")
    offset, length = int(payload[23:27]), int(payload[27:31])
    assert offset == 31 and payload[offset : offset + 2] == "DL"
    assert offset + length == len(payload) and payload.endswith("\r")
    assert "\nDBB02281990\n" in payload and "\nDBC2\n" in payload  # US dates are MMDDCCYY


def test_build_then_parse_round_trip() -> None:
    rec = parse_aamva(build_aamva(FIELDS))
    assert _sub(rec.fields, tuple(EXPECTED)) == EXPECTED
    assert rec.iin == "636014" and rec.aamva_version == 10 and rec.subfile_type == "DL"


def test_pdf417_image_round_trip() -> None:
    payload = build_aamva(FIELDS)
    codes = pdf417gen.encode(payload.encode("latin-1"), columns=12, security_level=5)
    img = np.array(pdf417gen.render_image(codes, scale=2, ratio=3).convert("RGB"))
    page = np.full((img.shape[0] + 200, img.shape[1] + 300, 3), 255, np.uint8)
    page[100 : 100 + img.shape[0], 150 : 150 + img.shape[1]] = img
    found = decode_pdf417(page)
    assert len(found) == 1 and found[0].text == payload and found[0].format == "PDF417"
    xs = [p[0] for p in found[0].quad]
    assert min(xs) >= 150 and max(xs) <= 150 + img.shape[1]
    assert _sub(parse_aamva(found[0].text).fields, tuple(EXPECTED)) == EXPECTED
    # rotated and small: the retries still find it
    small = np.ascontiguousarray(np.rot90(page[::2, ::2]))
    assert decode_pdf417(small)[0].text == payload


def test_no_barcode_is_an_empty_list_and_bad_input_raises() -> None:
    assert decode_pdf417(np.full((200, 300), 255, np.uint8)) == []
    with pytest.raises(InputError):
        decode_pdf417(np.zeros((10, 10), np.float32))


def test_hand_written_payload_with_jurisdiction_subfile() -> None:
    rec = parse_aamva(TEXAS)
    assert rec.aamva_version == 9 and rec.jurisdiction_version == 0 and rec.iin == "636015"
    assert rec.jurisdiction_subfiles == {"ZT": "ZTAFOO"}
    f = rec.fields
    assert (f["surname"], f["given_names"], f["sex"], f["issuing_state"]) == ("SMITH", "JOHN", "M", "TX")
    assert (f["date_of_birth"], f["date_of_expiry"], f["date_of_issue"]) == ("1976-07-04", "2028-07-04", "2020-07-04")
    assert f["address"] == "100 CONGRESS AVE, AUSTIN, TX 78701" and f["height"] == "071 IN"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("\n", "\r\n"),                 # CRLF line ends
        lambda t: t[1:],                                    # no compliance indicator
        lambda t: t.replace(DESIG, DESIG.replace("0041", "0040")),  # wrong offset
        lambda t: t + "   ",                                # trailing spaces
    ],
)
def test_real_world_quirks_are_tolerated(mangle) -> None:
    f = parse_aamva(mangle(TEXAS)).fields
    assert (f["document_number"], f["surname"], f["date_of_birth"]) == ("12345678", "SMITH", "1976-07-04")


def test_canadian_dates_are_year_first() -> None:
    fields = dict(FIELDS, issuing_country="CAN", address="10 King St W, Toronto, ON M5H 1A1")
    payload = build_aamva(fields, jurisdiction="ON", iin="636012")
    assert "\nDBB19900228\n" in payload
    f = parse_aamva(payload).fields
    assert (f["issuing_country"], f["issuing_state"], f["date_of_birth"]) == ("CAN", "ON", "1990-02-28")
    assert f["address"] == "10 KING ST W, TORONTO, ON M5H 1A1"


def test_version_one_full_name() -> None:
    dl = "DLDAQ99887766\nDAABROWN,ALICE,MAY\nDBB19800115\nDBA20250115\nDBCF\nDAJNY\r"
    rec = parse_aamva(f"@\n\x1e\rANSI 6360010101DL{31:04d}{len(dl):04d}" + dl)
    f = rec.fields
    assert rec.aamva_version == 1
    assert (f["surname"], f["given_names"], f["date_of_birth"], f["sex"]) == ("BROWN", "ALICE MAY", "1980-01-15", "F")


@pytest.mark.parametrize("text", ["", "hello", "P<UTOERIKSSON<<ANNA", "@\n\x1e\rANSI 636014100001XX00310010XXXX\r"])
def test_non_aamva_text_raises(text: str) -> None:
    with pytest.raises(InputError):
        parse_aamva(text)


def test_build_rejects_missing_fields() -> None:
    with pytest.raises(InputError):
        build_aamva({"surname": "DOE"})
    with pytest.raises(InputError):
        build_aamva(dict(FIELDS, address="somewhere"))


def _smear(length: int, angle: float) -> np.ndarray:
    """A straight motion-blur kernel drawn with OpenCV (independent of the deblur module's own)."""
    import cv2

    k = np.zeros((length + 2, length + 2), np.float32)
    c, r = (length + 1) / 2, (length - 1) / 2
    dx, dy = r * np.cos(np.deg2rad(angle)), r * np.sin(np.deg2rad(angle))
    cv2.line(k, (round(c - dx), round(c + dy)), (round(c + dx), round(c - dy)), 1.0, 1)
    return k / k.sum()


@pytest.mark.parametrize(("length", "angle"), [(7, 0), (9, 15), (8, 160)])
def test_a_symbol_smeared_by_a_shaking_hand_decodes_once_the_smear_is_undone(length: int, angle: float) -> None:
    import cv2

    payload = build_aamva(FIELDS)
    codes = pdf417gen.encode(payload.encode("latin-1"), columns=12, security_level=5)
    img = np.array(pdf417gen.render_image(codes, scale=3, ratio=3).convert("L"))
    page = np.full((img.shape[0] + 200, img.shape[1] + 300), 235, np.uint8)
    page[100 : 100 + img.shape[0], 150 : 150 + img.shape[1]] = img
    noise = np.random.default_rng(length).normal(0, 2.0, page.shape)
    blurred = (cv2.filter2D(page.astype(np.float32), -1, _smear(length, angle), borderType=cv2.BORDER_REPLICATE)
               + noise).clip(0, 255).astype(np.uint8)
    assert decode_pdf417(blurred, deblur=False) == []  # the modules have run together
    found = decode_pdf417(blurred)
    assert found and found[0].text == payload
