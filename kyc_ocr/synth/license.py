"""US-style driver licence: front with numbered AAMVA field labels, back with an AAMVA PDF417 barcode."""

from __future__ import annotations

from kyc_ocr.errors import InputError
from kyc_ocr.extract.barcode import build_aamva
from kyc_ocr.synth.layout import Band, Barcode, Layout, Portrait, Signature, Slot, Text, Value
from kyc_ocr.synth.spec import DocSpec
from kyc_ocr.synth.values import date_value

RED = (160, 20, 30)
JURISDICTION, IIN = "CA", "636014"


def L(**labels: str) -> dict[str, str]:
    """A label in its short and long wording."""
    return labels


DL_FRONT = Layout(
    template_id="usa-driver-license-front", kind="driver_license", side="front", size=(1000, 630),
    languages=(("short",), ("long",)), faces=("dejavu-sans", "dejavu-sans-condensed", "liberation-sans", "free-sans"),
    elements=(
        Band((0, 0, 1000, 78), (40, 70, 120)),
        Text("USA", 30, 18, 36, bold=True, colour=(255, 255, 255)),
        Text("DRIVER LICENSE", 500, 20, 34, bold=True, colour=(255, 255, 255), field="document_type"),
        Text(JURISDICTION, 970, 18, 36, bold=True, colour=(255, 220, 120), align="right"),
        Portrait((30, 100, 290, 440)),
        Slot("document_number", 320, 95, L(short="4d DLN", long="4d DL NO."), 32, bold=True),
        Slot("date_of_expiry", 680, 95, L(short="4b EXP", long="4b EXPIRES"), 30, bold=True),
        Slot("surname", 320, 165, L(short="1", long="1 FAMILY NAME"), 30, width=650, bold=True),
        Slot("given_names", 320, 235, L(short="2", long="2 GIVEN NAMES"), 28, width=650),
        Slot("address", 320, 305, L(short="8", long="8 ADDRESS"), 24, width=650),
        Slot("date_of_birth", 320, 405, L(short="3 DOB", long="3 DATE OF BIRTH"), 30, bold=True),
        Slot("date_of_issue", 680, 405, L(short="4a ISS", long="4a ISSUED"), 26),
        Slot("sex", 320, 480, L(short="15 SEX", long="15 SEX"), 24),
        Slot("height", 440, 480, L(short="16 HGT", long="16 HEIGHT"), 24),
        Slot("eye_color", 600, 480, L(short="18 EYES", long="18 EYES"), 24),
        Slot("vehicle_class", 760, 480, L(short="9 CLASS", long="9 CLASS"), 24),
        Slot("document_discriminator", 320, 555, L(short="5 DD", long="5 DD"), 18),
        Signature((30, 470, 290, 570)),
    ),
)

DL_BACK = Layout(
    template_id="usa-driver-license-back", kind="driver_license", side="back", size=(1000, 630),
    languages=(("en",),), faces=("dejavu-sans", "liberation-sans", "free-sans"), background="paper",
    elements=(
        Text("This license is issued as a license to drive a motor vehicle.", 40, 30, 20),
        Text("It does not establish eligibility for employment or public benefits.", 40, 60, 20),
        Barcode((40, 110, 960, 590), fields=("document_number", "surname", "given_names", "date_of_birth",
                                             "date_of_expiry", "date_of_issue", "sex", "address")),
    ),
)

LAYOUTS = {DL_FRONT.template_id: DL_FRONT, DL_BACK.template_id: DL_BACK}
EYES = ("BRO", "BLU", "GRN", "HAZ", "GRY", "BLK")


def _height_inches(spec: DocSpec) -> int:
    return 60 + int(spec.number[-2:]) % 17


def license_values(spec: DocSpec) -> dict[str, Value]:
    """Printed and canonical values of the licence front, or the barcode payload of the back."""
    p = spec.person
    if spec.issued is None or spec.expires is None:
        raise InputError("a driver licence spec needs issue and expiry dates")
    inches = _height_inches(spec)
    eyes = EYES[int(spec.number[-1]) % len(EYES)]
    dd = spec.number[::-1] + spec.issued.strftime("%y%m%d")
    address = tuple(x.upper() for x in p.address_lines)
    values = {
        "document_type": Value((), spec.kind),
        "document_number": Value.of(spec.number),
        "surname": Value.of(p.surname.upper()),
        "given_names": Value.of(p.given_names.upper()),
        "address": Value.of(address),
        "date_of_birth": date_value(p.date_of_birth, "us"),
        "date_of_issue": date_value(spec.issued, "us"),
        "date_of_expiry": date_value(spec.expires, "us"),
        "sex": Value.of(p.sex),
        "height": Value.of(f"{inches // 12}'-{inches % 12:02d}\""),
        "eye_color": Value.of(eyes),
        "vehicle_class": Value.of("C"),
        "document_discriminator": Value.of(dd),
    }
    if spec.side == "back":
        payload = build_aamva({
            "document_number": spec.number, "surname": p.surname, "given_names": p.given_names,
            "date_of_birth": p.date_of_birth.isoformat(), "date_of_expiry": spec.expires.isoformat(),
            "date_of_issue": spec.issued.isoformat(), "sex": p.sex, "address": ", ".join(p.address_lines),
            "height": f"{inches:03d} in", "eye_color": eyes, "document_discriminator": dd,
        }, jurisdiction=JURISDICTION, iin=IIN)
        values["barcode"] = Value((), payload)
    return values
