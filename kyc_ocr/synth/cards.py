"""Identity documents with an ICAO layout: TD3 passports, TD1 ID cards, a TD2 residence permit, a French-like card.

Each layout is data (:class:`~kyc_ocr.synth.layout.Layout`); :func:`card_values`
turns a :class:`~kyc_ocr.synth.spec.DocSpec` into the printed and canonical
values those layouts show.
"""

from __future__ import annotations

from kyc_ocr.synth.layout import Band, Layout, Mrz, Portrait, Signature, Slot, Text, Value
from kyc_ocr.synth.spec import DocSpec
from kyc_ocr.synth.values import MRZ_FORMATS, date_value, mrz_values, upper

NAVY = (30, 45, 95)
_EN_FR = (("en", "fr"), ("en", "fr", "es"))


def L(**labels: str) -> dict[str, str]:
    """A label in several languages."""
    return labels


# --- ICAO TD3 passport data page, UTO, EN/FR labels ----------------------------------------
_P = 410  # first value column
UTO_PASSPORT = Layout(
    template_id="uto-passport-td3", kind="passport", side="front", size=(1250, 880), languages=_EN_FR,
    elements=(
        Text(L(en="PASSPORT", fr="PASSEPORT", es="PASAPORTE"), 410, 28, 34, bold=True, colour=NAVY,
             field="document_type", width=620),
        Text("UTOPIA", 1200, 30, 30, bold=True, colour=NAVY, align="right"),
        Portrait((50, 120, 370, 540)),
        Slot("document_code", _P, 100, L(en="Type", fr="Type", es="Tipo"), 28),
        Slot("issuing_country", 560, 100, L(en="Code", fr="Code", es="Código"), 28),
        Slot("document_number", 820, 100, L(en="Passport No.", fr="N° du passeport", es="Pasaporte N°"), 30,
             bold=True),
        Slot("surname", _P, 170, L(en="Surname", fr="Nom", es="Apellidos"), 30, width=800),
        Slot("given_names", _P, 240, L(en="Given names", fr="Prénoms", es="Nombres"), 30, width=800),
        Slot("nationality", _P, 310, L(en="Nationality", fr="Nationalité", es="Nacionalidad"), 28,
             width=390),
        Slot("personal_number", 820, 310, L(en="Personal No.", fr="N° personnel", es="N° personal"), 28),
        Slot("date_of_birth", _P, 380, L(en="Date of birth", fr="Date de naissance", es="Fecha de nacimiento"), 28,
             width=390),
        Slot("sex", 820, 380, L(en="Sex", fr="Sexe", es="Sexo"), 28),
        Slot("place_of_birth", _P, 450, L(en="Place of birth", fr="Lieu de naissance", es="Lugar de nacimiento"),
             28, width=780),
        Slot("date_of_issue", _P, 520, L(en="Date of issue", fr="Date de délivrance", es="Fecha de expedición"), 28,
             width=390),
        Slot("issuer", 820, 520, L(en="Authority", fr="Autorité", es="Autoridad"), 24, width=400),
        Slot("date_of_expiry", _P, 590, L(en="Date of expiry", fr="Date d'expiration", es="Fecha de caducidad"),
             28),
        Signature((60, 560, 360, 650)),
        Mrz(62, 705, pitch=25.4, line_step=80, name_line=0),
    ),
)

# --- German-like TD3 passport, DE/EN/FR labels ----------------------------------------------
_G = 430
XDE_PASSPORT = Layout(
    template_id="xde-passport-td3", kind="passport", side="front", size=(1250, 880),
    languages=(("de", "en", "fr"), ("de", "en")),
    elements=(
        Band((0, 0, 1250, 70), (170, 40, 60)),
        Text(L(de="REISEPASS", en="PASSPORT", fr="PASSEPORT"), 40, 16, 30, bold=True, colour=(255, 255, 255),
             field="document_type"),
        Portrait((45, 110, 385, 560)),
        Slot("document_code", _G, 90, L(de="Typ", en="Type", fr="Type"), 26),
        Slot("issuing_country", 620, 90, L(de="Kode", en="Code", fr="Code"), 26),
        Slot("document_number", 850, 90, L(de="Pass-Nr.", en="Passport No.", fr="N° du passeport"), 30, bold=True),
        Slot("surname", _G, 160, L(de="Name", en="Surname", fr="Nom"), 32, width=780, bold=True),
        Slot("given_names", _G, 235, L(de="Vornamen", en="Given names", fr="Prénoms"), 30, width=780),
        Slot("date_of_birth", _G, 310, L(de="Geburtstag", en="Date of birth", fr="Date de naissance"), 28, width=400),
        Slot("nationality", 850, 310, L(de="Staatsangehörigkeit", en="Nationality", fr="Nationalité"), 28),
        Slot("sex", _G, 380, L(de="Geschlecht", en="Sex", fr="Sexe"), 28, width=180),
        Slot("place_of_birth", 620, 380, L(de="Geburtsort", en="Place of birth", fr="Lieu de naissance"), 28,
             width=600),
        Slot("date_of_issue", _G, 450, L(de="Ausstellungsdatum", en="Date of issue", fr="Date de délivrance"), 28,
             width=400),
        Slot("issuer", 850, 450, L(de="Behörde", en="Authority", fr="Autorité"), 24, width=380),
        Slot("date_of_expiry", _G, 520, L(de="Gültig bis", en="Date of expiry", fr="Date d'expiration"), 28),
        Signature((440, 590, 800, 665)),
        Mrz(62, 705, pitch=25.4, line_step=80, name_line=0),
    ),
)

# --- UTO TD1 identity card, front and back (1000 x 630 ~ 85.6 x 54 mm at 300 dpi) ----------
UTO_ID_FRONT = Layout(
    template_id="uto-id-td1-front", kind="id_card", side="front", size=(1000, 630),
    languages=(("en", "fr"), ("en",)),
    elements=(
        Text("UTOPIA", 40, 22, 30, bold=True, colour=NAVY),
        Text(L(en="IDENTITY CARD", fr="CARTE D'IDENTITÉ"), 960, 28, 24, bold=True, colour=NAVY, align="right",
             field="document_type"),
        Portrait((40, 110, 300, 440)),
        Slot("surname", 330, 100, L(en="Surname", fr="Nom"), 30, width=640, bold=True),
        Slot("given_names", 330, 180, L(en="Given names", fr="Prénoms"), 28, width=640),
        Slot("sex", 330, 260, L(en="Sex", fr="Sexe"), 28),
        Slot("nationality", 480, 260, L(en="Nationality", fr="Nationalité"), 28),
        Slot("date_of_birth", 720, 260, L(en="Date of birth", fr="Date de naissance"), 28),
        Slot("document_number", 330, 340, L(en="Card No.", fr="N° de carte"), 30, bold=True),
        Slot("date_of_expiry", 720, 340, L(en="Date of expiry", fr="Date d'expiration"), 28),
        Signature((330, 450, 700, 560)),
        Text(L(en="Holder's signature", fr="Signature du titulaire"), 330, 565, 15),
    ),
)

UTO_ID_BACK = Layout(
    template_id="uto-id-td1-back", kind="id_card", side="back", size=(1000, 630),
    languages=(("en", "fr"), ("en",)),
    elements=(
        Slot("address", 40, 30, L(en="Address", fr="Adresse"), 26, width=900),
        Slot("place_of_birth", 40, 140, L(en="Place of birth", fr="Lieu de naissance"), 26, width=440),
        Slot("date_of_issue", 520, 140, L(en="Date of issue", fr="Date de délivrance"), 26),
        Slot("issuer", 40, 215, L(en="Authority", fr="Autorité"), 24, width=440),
        Slot("personal_number", 520, 215, L(en="Personal No.", fr="N° personnel"), 26),
        Band((0, 380, 1000, 630), (250, 250, 248)),
        Mrz(55, 408, pitch=29.7, line_step=68, name_line=2),
    ),
)

# --- TD2 residence permit (105 x 74 mm at 10 px/mm) -----------------------------------------
UTO_PERMIT = Layout(
    template_id="uto-residence-permit-td2", kind="residence_permit", side="front", size=(1050, 740),
    languages=(("en", "fr"), ("en",)),
    elements=(
        Text("UTOPIA", 40, 20, 28, bold=True, colour=NAVY),
        Text(L(en="RESIDENCE PERMIT", fr="TITRE DE SÉJOUR"), 1010, 24, 26, bold=True, colour=NAVY, align="right",
             field="document_type"),
        Portrait((40, 90, 300, 420)),
        Slot("document_number", 330, 80, L(en="Document No.", fr="N° du document"), 28, bold=True),
        Slot("date_of_expiry", 700, 80, L(en="Valid until", fr="Valable jusqu'au"), 26),
        Slot("surname", 330, 150, L(en="Surname", fr="Nom"), 30, width=680, bold=True),
        Slot("given_names", 330, 222, L(en="Given names", fr="Prénoms"), 28, width=680),
        Slot("nationality", 330, 294, L(en="Nationality", fr="Nationalité"), 26),
        Slot("sex", 560, 294, L(en="Sex", fr="Sexe"), 26),
        Slot("date_of_birth", 700, 294, L(en="Date of birth", fr="Date de naissance"), 26),
        Slot("permit_type", 330, 366, L(en="Type of permit", fr="Type de titre"), 24, width=680),
        Slot("date_of_issue", 330, 438, L(en="Date of issue", fr="Date de délivrance"), 24),
        Signature((40, 440, 300, 520)),
        Mrz(60, 585, pitch=25.4, line_step=70, name_line=0),
    ),
)

# --- French-like identity card: French labels only, inline, no MRZ ---------------------------
XFR_ID = Layout(
    template_id="xfr-id-card", kind="id_card", side="front", size=(1000, 630), languages=(("fr",),),
    elements=(
        Text("RÉPUBLIQUE FRANÇAISE", 330, 20, 26, bold=True, colour=NAVY),
        Text("CARTE NATIONALE D'IDENTITÉ", 330, 56, 22, bold=True, colour=NAVY, field="document_type"),
        Slot("document_number", 330, 100, L(fr="N° :"), 28, inline=True, bold=True),
        Portrait((35, 100, 300, 440)),
        Slot("surname", 330, 160, L(fr="Nom :"), 30, inline=True, width=640, bold=True),
        Slot("given_names", 330, 215, L(fr="Prénom(s) :"), 28, inline=True, width=640),
        Slot("sex", 330, 270, L(fr="Sexe :"), 28, inline=True),
        Slot("nationality", 560, 270, L(fr="Nationalité :"), 26, inline=True),
        Slot("date_of_birth", 330, 325, L(fr="Né(e) le :"), 28, inline=True),
        Slot("place_of_birth", 330, 380, L(fr="à :"), 26, inline=True, width=640),
        Slot("date_of_issue", 330, 435, L(fr="Délivrée le :"), 24, inline=True),
        Slot("date_of_expiry", 330, 485, L(fr="Valable jusqu'au :"), 24, inline=True),
        Signature((40, 480, 300, 580)),
    ),
)

LAYOUTS = {lay.template_id: lay for lay in (UTO_PASSPORT, XDE_PASSPORT, UTO_ID_FRONT, UTO_ID_BACK, UTO_PERMIT,
                                            XFR_ID)}
#: template -> date style it prints
DATE_STYLE = {"uto-passport-td3": "mon", "xde-passport-td3": "dots", "uto-id-td1-front": "dots",
              "uto-id-td1-back": "dots", "uto-residence-permit-td2": "slash", "xfr-id-card": "dots"}
PERMIT_TYPES = ("PERMANENT RESIDENCE", "TEMPORARY RESIDENCE", "WORK AND RESIDENCE", "FAMILY REUNIFICATION")


def card_values(spec: DocSpec) -> dict[str, Value]:
    """Printed and canonical values of an identity document."""
    p = spec.person
    style = DATE_STYLE[spec.template_id]
    values: dict[str, Value] = {
        "document_type": Value((), spec.kind),
        "document_code": Value.of(MRZ_FORMATS.get(spec.template_id, ("", "P", 0))[1]),
        "issuing_country": Value.of(spec.issuing_country),
        "document_number": Value.of(spec.number),
        "surname": Value.of(upper(p.surname)),
        "given_names": Value.of(upper(p.given_names)),
        "nationality": Value.of(p.nationality),
        "date_of_birth": date_value(p.date_of_birth, style),
        "sex": Value.of(p.sex),
        "place_of_birth": Value.of(upper(p.place_of_birth)),
        "issuer": Value.of(spec.issuer),
        "address": Value.of(tuple(upper(x) for x in p.address_lines)),
    }
    if spec.template_id == "xfr-id-card":
        values["nationality"] = Value.of("FRANÇAISE" if p.sex == "F" else "FRANÇAIS", p.nationality)
        values["given_names"] = Value.of(", ".join(p.given_names.split()), p.given_names)
    if spec.personal_number:
        values["personal_number"] = Value.of(spec.personal_number)
    if spec.issued is not None:
        values["date_of_issue"] = date_value(spec.issued, style)
    if spec.expires is not None:
        values["date_of_expiry"] = date_value(spec.expires, style)
    if spec.template_id == "uto-residence-permit-td2":
        values["permit_type"] = Value.of(PERMIT_TYPES[int(spec.number[-1]) % len(PERMIT_TYPES)])
    if spec.template_id in MRZ_FORMATS:
        values.update(mrz_values(spec))
    return values
