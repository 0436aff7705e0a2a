"""A4 paper documents at 150 dpi: utility bill, bank statement, KYC application form.

Layouts are data; the tables (bill items, transactions) are drawn by small
hooks after the layout. Label language follows ``spec.extras["language"]``
(en, de, fr, es).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kyc_ocr.synth.canvas import Canvas
from kyc_ocr.synth.fonts import SANS, SERIF
from kyc_ocr.synth.layout import Band, Frame, Layout, Signature, Slot, Style, Text, Value
from kyc_ocr.synth.spec import DocSpec
from kyc_ocr.synth.values import fmt_date

A4 = (1240, 1754)
DPI = 150.0
LANGS = ("en", "de", "fr", "es")
DATE_STYLE = {"en": "slash", "de": "dots", "fr": "slash", "es": "slash"}
_ALL = tuple((lang,) for lang in LANGS)


def L(**labels: str) -> dict[str, str]:
    return labels


def _letterhead(colour: tuple[int, int, int]) -> tuple:
    return (Band((0, 0, 1240, 14), colour), Band((100, 60, 170, 130), colour), Slot("issuer", 190, 62, {}, 38, bold=True),
            Text(L(en="Customer service 0800 000 000 - www.example.com", de="Kundenservice 0800 000 000 - www.example.com",
                   fr="Service client 0800 000 000 - www.example.com", es="Atención al cliente 0800 000 000 - www.example.com"),
                 190, 115, 18),
            Slot("full_name", 120, 260, {}, 24, width=500), Slot("address", 120, 296, {}, 24, width=540))


UTILITY_BILL = Layout(
    template_id="utility-bill", kind="utility_bill", side="page", size=A4, languages=_ALL, background="paper",
    faces=SANS + SERIF, dpi=DPI, jitter=4, offset=10,
    elements=(
        *_letterhead((20, 110, 70)),
        Slot("account_number", 700, 262, L(en="Account number:", de="Kundennummer:", fr="N° de client :",
                                           es="N.º de cliente:"), 22, label_size=19, inline=True),
        Slot("statement_date", 700, 302, L(en="Bill date:", de="Rechnungsdatum:", fr="Date de facture :",
                                           es="Fecha de factura:"), 22, label_size=19, inline=True),
        Slot("billing_period", 700, 342, L(en="Billing period:", de="Zeitraum:", fr="Période :", es="Periodo:"), 22,
             label_size=19, inline=True),
        Text(L(en="ELECTRICITY BILL", de="STROMRECHNUNG", fr="FACTURE D'ÉLECTRICITÉ", es="FACTURA DE ELECTRICIDAD"),
             120, 480, 36, bold=True, field="document_type"),
        Frame((100, 560, 1140, 900)),
        Slot("amount_due", 640, 940, L(en="Amount due:", de="Zu zahlen:", fr="Montant à payer :",
                                       es="Importe a pagar:"), 28, label_size=22, inline=True, bold=True),
        Text(L(en="Please pay within 14 days. Thank you for being our customer.",
               de="Bitte zahlen Sie innerhalb von 14 Tagen. Vielen Dank für Ihr Vertrauen.",
               fr="Merci de régler sous 14 jours. Merci de votre confiance.",
               es="Por favor pague en un plazo de 14 días. Gracias por su confianza."), 120, 1600, 18),
    ),
)

BANK_STATEMENT = Layout(
    template_id="bank-statement", kind="bank_statement", side="page", size=A4, languages=_ALL, background="paper",
    faces=SANS + SERIF, dpi=DPI, jitter=4, offset=10,
    elements=(
        *_letterhead((20, 50, 130)),
        Slot("iban", 640, 262, L(en="IBAN:", de="IBAN:", fr="IBAN :", es="IBAN:"), 22, label_size=19, inline=True),
        Slot("account_number", 640, 302, L(en="Account number:", de="Kontonummer:", fr="N° de compte :",
                                           es="N.º de cuenta:"), 22, label_size=19, inline=True),
        Slot("statement_date", 640, 342, L(en="Statement date:", de="Auszugsdatum:", fr="Date du relevé :",
                                           es="Fecha del extracto:"), 22, label_size=19, inline=True),
        Text(L(en="ACCOUNT STATEMENT", de="KONTOAUSZUG", fr="RELEVÉ DE COMPTE", es="EXTRACTO DE CUENTA"),
             120, 480, 36, bold=True, field="document_type"),
        Frame((100, 560, 1140, 1420)),
        Slot("closing_balance", 640, 1450, L(en="Closing balance:", de="Neuer Saldo:", fr="Nouveau solde :",
                                             es="Saldo final:"), 26, label_size=22, inline=True, bold=True),
    ),
)


def _box(field: str, x: int, y: int, w: int, labels: dict[str, str], h: int = 52, size: int = 24) -> tuple:
    return (Frame((x - 8, y + 22, x + w, y + 22 + h)),
            Slot(field, x, y, labels, size, label_size=17, width=w - 16, value_dy=9))


APPLICATION_FORM = Layout(
    template_id="kyc-application-form", kind="application_form", side="page", size=A4, languages=_ALL,
    background="paper", faces=SANS + SERIF, dpi=DPI, jitter=2, offset=10,
    elements=(
        Band((0, 0, 1240, 14), (110, 40, 110)),
        Text(L(en="CUSTOMER APPLICATION FORM", de="KUNDENANTRAG", fr="DEMANDE D'OUVERTURE DE COMPTE",
               es="SOLICITUD DE ALTA DE CLIENTE"), 100, 50, 36, bold=True, field="document_type"),
        Slot("issuer", 100, 102, {}, 24, bold=True),
        Text(L(en="1. Personal details", de="1. Angaben zur Person", fr="1. État civil", es="1. Datos personales"),
             100, 170, 24, bold=True),
        *_box("surname", 100, 215, 500, L(en="Surname", de="Nachname", fr="Nom", es="Apellidos")),
        *_box("given_names", 640, 215, 500, L(en="Given names", de="Vornamen", fr="Prénoms", es="Nombre")),
        *_box("date_of_birth", 100, 315, 280, L(en="Date of birth", de="Geburtsdatum", fr="Date de naissance",
                                                 es="Fecha de nacimiento")),
        *_box("place_of_birth", 420, 315, 380, L(en="Place of birth", de="Geburtsort", fr="Lieu de naissance",
                                                  es="Lugar de nacimiento")),
        *_box("sex", 840, 315, 100, L(en="Sex", de="Geschlecht", fr="Sexe", es="Sexo")),
        *_box("nationality", 980, 315, 160, L(en="Nationality", de="Nationalität", fr="Nationalité",
                                               es="Nacionalidad")),
        Text(L(en="2. Address and contact", de="2. Anschrift und Kontakt", fr="2. Adresse et contact",
               es="2. Dirección y contacto"), 100, 430, 24, bold=True),
        *_box("address", 100, 475, 1040, L(en="Residential address", de="Wohnanschrift", fr="Adresse",
                                           es="Domicilio"), h=90),
        *_box("email", 100, 615, 600, L(en="E-mail", de="E-Mail", fr="Courriel", es="Correo electrónico")),
        *_box("phone", 740, 615, 400, L(en="Phone", de="Telefon", fr="Téléphone", es="Teléfono")),
        Text(L(en="3. Identity document", de="3. Ausweisdokument", fr="3. Pièce d'identité",
               es="3. Documento de identidad"), 100, 730, 24, bold=True),
        *_box("id_document_type", 100, 775, 400, L(en="Document type", de="Dokumentart", fr="Type de document",
                                                   es="Tipo de documento")),
        *_box("document_number", 540, 775, 400, L(en="Document number", de="Dokumentnummer",
                                                   fr="Numéro du document", es="Número de documento")),
        Text(L(en="4. Contract", de="4. Vertrag", fr="4. Contrat", es="4. Contrato"), 100, 890, 24, bold=True),
        *_box("customer_id", 100, 935, 400, L(en="Customer ID", de="Kundennummer", fr="N° client",
                                               es="N.º de cliente")),
        *_box("policy_number", 540, 935, 400, L(en="Policy number", de="Policennummer", fr="N° de police",
                                                 es="N.º de póliza")),
        Text(L(en="I confirm that the information given above is true and complete.",
               de="Ich bestätige, dass die obigen Angaben wahr und vollständig sind.",
               fr="Je certifie que les informations ci-dessus sont exactes et complètes.",
               es="Confirmo que la información anterior es verdadera y completa."), 100, 1060, 20),
        *_box("application_date", 100, 1130, 280, L(en="Date", de="Datum", fr="Date", es="Fecha")),
        Text(L(en="Signature", de="Unterschrift", fr="Signature", es="Firma"), 540, 1130, 17),
        Frame((532, 1154, 1000, 1260)),
        Signature((560, 1160, 980, 1255)),
    ),
)

LAYOUTS = {lay.template_id: lay for lay in (UTILITY_BILL, BANK_STATEMENT, APPLICATION_FORM)}
DOC_TYPE_WORDS = {
    "passport": L(en="Passport", de="Reisepass", fr="Passeport", es="Pasaporte"),
    "id_card": L(en="Identity card", de="Personalausweis", fr="Carte d'identité", es="Documento de identidad"),
    "residence_permit": L(en="Residence permit", de="Aufenthaltstitel", fr="Titre de séjour",
                          es="Permiso de residencia"),
    "driver_license": L(en="Driver licence", de="Führerschein", fr="Permis de conduire", es="Permiso de conducir"),
}
_ITEMS: dict[str, tuple[str, ...]] = {
    "en": ("Energy consumption", "Standing charge", "Network charge", "Meter fee"),
    "de": ("Energieverbrauch", "Grundpreis", "Netzentgelt", "Messentgelt"),
    "fr": ("Consommation d'énergie", "Abonnement", "Acheminement", "Comptage"),
    "es": ("Consumo de energía", "Término fijo", "Peaje de acceso", "Alquiler de contador"),
}
_PAYEES = ("Supermarket", "Pharmacy", "Rent", "Insurance", "Train ticket", "Bookshop", "Restaurant",
           "Cash withdrawal", "Mobile phone", "Streaming", "Bakery")


def money(amount: float, currency: str) -> str:
    """Format an amount with two decimals.

    >>> money(1234.5, "EUR"), money(-3, "GBP")
    ('1,234.50 EUR', '-3.00 GBP')
    """
    return f"{amount:,.2f} {currency}"


def _group(iban: str) -> str:
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))


def paper_values(spec: DocSpec) -> dict[str, Value]:
    """Printed and canonical values of a bill, statement or application form."""
    ex = spec.extras
    lang = ex.get("language", "en")
    style = ex.get("date_style", DATE_STYLE[lang])
    p = spec.person
    name = f"{p.given_names} {p.surname}"
    values: dict[str, Value] = {
        "document_type": Value((), spec.kind),
        "issuer": Value.of(spec.issuer),
        "full_name": Value.of(name),
        "address": Value.of(p.address_lines),
    }
    for key in ("statement_date", "application_date"):
        if key in ex:
            values[key] = Value.of(fmt_date(date.fromisoformat(ex[key]), style), ex[key])
    if "period_start" in ex:
        start, end = date.fromisoformat(ex["period_start"]), date.fromisoformat(ex["period_end"])
        values["billing_period"] = Value.of(f"{fmt_date(start, style)} - {fmt_date(end, style)}", f"{start}/{end}")
    for key in ("account_number", "customer_id", "policy_number", "amount_due", "closing_balance"):
        if key in ex:
            values[key] = Value.of(ex[key])
    if "iban" in ex:
        values["iban"] = Value.of(_group(ex["iban"]), ex["iban"])
    if spec.kind == "application_form":
        del values["full_name"]
        values.update({
            "surname": Value.of(p.surname), "given_names": Value.of(p.given_names),
            "date_of_birth": Value.of(fmt_date(p.date_of_birth, style), p.date_of_birth.isoformat()),
            "place_of_birth": Value.of(p.place_of_birth), "sex": Value.of(p.sex), "nationality": Value.of(p.nationality),
            "email": Value.of(p.email), "phone": Value.of(p.phone), "document_number": Value.of(spec.number),
            "id_document_type": Value.of(DOC_TYPE_WORDS[ex["id_document_type"]][lang], ex["id_document_type"]),
        })
    return values


def bill_table(spec: DocSpec) -> TableHook:
    """The hook that draws a bill's item table (amounts add up to ``amount_due``)."""
    return TableHook(spec, "bill")


def statement_table(spec: DocSpec) -> TableHook:
    """The hook that draws a statement's transactions (they end at ``closing_balance``)."""
    return TableHook(spec, "statement")


class TableHook:
    """Draws the rows of a bill or statement table inside the layout's frame."""

    def __init__(self, spec: DocSpec, what: str) -> None:
        self.spec, self.what = spec, what

    def __call__(self, c: Canvas, st: Style, rng: random.Random, offset: tuple[int, int]) -> None:
        ex = self.spec.extras
        lang = ex.get("language", "en")
        currency = ex.get("currency", "EUR")
        dx, dy = offset
        y = 580 + dy
        if self.what == "bill":
            heads: tuple[str, ...] = {"en": ("Description", "Amount"), "de": ("Position", "Betrag"),
                                      "fr": ("Désignation", "Montant"), "es": ("Concepto", "Importe")}[lang]
            c.text(130 + dx, y, heads[0], st.family, 22, bold=True, fill=st.ink)
            c.text(1110 + dx, y, heads[1], st.family, 22, bold=True, fill=st.ink, align="right")
            for item, amount in zip(_ITEMS[lang], _split(float(ex["amount_raw"]), len(_ITEMS[lang]), rng)):
                y += 60
                c.text(130 + dx, y, item, st.family, 22, fill=st.ink)
                c.text(1110 + dx, y, money(amount, currency), st.family, 22, fill=st.ink, align="right")
            return
        heads = {"en": ("Date", "Description", "Amount", "Balance"), "de": ("Datum", "Vorgang", "Betrag", "Saldo"),
                 "fr": ("Date", "Libellé", "Montant", "Solde"), "es": ("Fecha", "Concepto", "Importe", "Saldo")}[lang]
        for x, head, align in zip((130, 320, 900, 1110), heads, ("left", "left", "right", "right")):
            c.text(x + dx, y, head, st.family, 20, bold=True, fill=st.ink, align=align)
        end = date.fromisoformat(ex["statement_date"])
        balance = float(ex["closing_raw"])
        rows = []
        for i in range(rng.randint(8, 14)):
            income = rng.random() < 0.12
            amount = round(rng.uniform(900, 3500), 2) if income else round(rng.uniform(-180, -3), 2)
            payee = "Salary" if income else rng.choice(_PAYEES)
            rows.append((end - timedelta(days=2 * i + rng.randint(0, 1)), payee, amount, balance))
            balance = round(balance - amount, 2)
        for day, payee, amount, bal in reversed(rows):
            y += 54
            c.text(130 + dx, y, fmt_date(day, DATE_STYLE[lang]), st.family, 20, fill=st.ink)
            c.text(320 + dx, y, payee, st.family, 20, fill=st.ink)
            c.text(900 + dx, y, money(amount, currency), st.family, 20, fill=st.ink, align="right")
            c.text(1110 + dx, y, money(bal, currency), st.family, 20, fill=st.ink, align="right")


def _split(total: float, parts: int, rng: random.Random) -> list[float]:
    weights = [rng.uniform(0.2, 1.0) for _ in range(parts)]
    amounts = [round(total * w / sum(weights), 2) for w in weights]
    amounts[0] = round(total - sum(amounts[1:]), 2)
    return amounts
