"""What one synthetic document must show: the identity as printed on it, plus document data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kyc_ocr.synth.identity import Identity

#: file stem -> (kind, side) for the documents a customer folder may hold
STEMS = {
    "passport": ("passport", "front"),
    "id_card_front": ("id_card", "front"),
    "id_card_back": ("id_card", "back"),
    "residence_permit": ("residence_permit", "front"),
    "driver_license_front": ("driver_license", "front"),
    "driver_license_back": ("driver_license", "back"),
    "utility_bill": ("utility_bill", "page"),
    "bank_statement": ("bank_statement", "page"),
    "application_form": ("application_form", "page"),
}


@dataclass(frozen=True)
class DocSpec:
    """Everything needed to render one document file deterministically.

    ``person`` is the identity *as printed on this document* (a form may carry a
    fault's variant of the name or date of birth). ``extra`` holds the
    document's own canonical fields (customer_id, iban, statement_date...).
    """

    template_id: str
    stem: str
    person: Identity
    number: str = ""
    issued: date | None = None
    expires: date | None = None
    personal_number: str = ""
    issuing_country: str = "UTO"
    issuer: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    tamper_mrz: bool = False
    preset: str = "clean"
    output: str = "png"  # png | jpg | pdf-digital | pdf-scan
    seed: int = 0

    @property
    def kind(self) -> str:
        return STEMS[self.stem][0]

    @property
    def side(self) -> str:
        return STEMS[self.stem][1]

    @property
    def extras(self) -> dict[str, str]:
        return dict(self.extra)

    @property
    def suffix(self) -> str:
        return {"png": ".png", "jpg": ".jpg", "pdf-digital": ".pdf", "pdf-scan": ".pdf"}[self.output]

    @property
    def file(self) -> str:
        return self.stem + self.suffix
