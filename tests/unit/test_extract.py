"""Extraction end to end on recorded pages: MRZ cross-fill, forced/unknown templates, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kyc_ocr.cli import main
from kyc_ocr.domain import ExtractedDocument, FieldSource, Page, PageImage, TextLine, quad_from_box
from kyc_ocr.errors import ConfigError
from kyc_ocr.extract import extract, extract_pages
from kyc_ocr.ocr.replay import ReplayEngine
from kyc_ocr.templates import builtin_templates

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def recorded(name: str, rows: list[tuple[str, float, float, float, float]], width: int = 1250, height: int = 880
             ) -> tuple[ReplayEngine, PageImage]:
    lines = tuple(TextLine(t, 0.97, quad_from_box(b)) for t, *b in rows)  # type: ignore[arg-type]
    page = Page(name, 1, width, height, lines)
    engine = ReplayEngine({"pages": [page.to_dict()]})
    return engine, PageImage(np.full((height, width, 3), 255, np.uint8), name, 1)


PASSPORT = [
    ("PASSPORT / PASSEPORT UTOPIA", 400, 20, 1190, 60),
    ("Passport No. / N° du passeport", 812, 92, 1125, 112), ("L898902C3", 812, 118, 982, 145),
    ("Surname / Nom", 400, 166, 580, 186), ("ERIKSSON", 400, 188, 550, 218),
    ("Given names / Prénoms", 400, 230, 640, 250), ("ANNA MARIA", 400, 253, 560, 282),
    ("Nationality / Nationalité", 400, 304, 656, 324), ("Utopian", 400, 328, 520, 357),
    ("Sex / Sexe", 812, 372, 936, 392), ("F", 812, 396, 841, 425),
    ("Authority / Autorité", 812, 511, 1018, 530), ("PASSPORT OFFICE", 812, 533, 1000, 557),
    (TD3[0], 56, 706, 1172, 739), (TD3[1], 56, 785, 1170, 818),
]


def test_mrz_cross_fills_what_the_visual_zone_lacks() -> None:
    engine, image = recorded("passport.png", PASSPORT)
    doc = extract_pages([image], [image], engine, builtin_templates())
    assert doc.template is not None and doc.template.template_id == "uto-passport-td3"
    f = doc.fields
    # printed in the visual zone
    assert (f["surname"].value, f["surname"].source) == ("ERIKSSON", FieldSource.VISUAL)
    assert (f["nationality"].value, f["nationality"].raw) == ("UTO", "Utopian")
    # absent from the visual zone: from the MRZ, under the canonical names
    assert (f["date_of_birth"].value, f["date_of_birth"].source) == ("1974-08-12", FieldSource.MRZ)
    assert (f["date_of_expiry"].value, f["date_of_expiry"].source) == ("2012-04-15", FieldSource.MRZ)
    assert (f["surname_mrz"].value, f["given_names_mrz"].value) == ("ERIKSSON", "ANNA MARIA")
    assert f["mrz"].value == "\n".join(TD3) and f["mrz"].source is FieldSource.MRZ
    assert f["document_type"].value == "passport"
    # a visual value the MRZ confirms is more certain than its OCR confidence alone
    assert f["document_number"].value == "L898902C3" and f["document_number"].confidence > 0.97


def test_visual_value_contradicting_the_mrz_is_kept_but_less_certain() -> None:
    rows = [r if r[0] != "F" else ("M", *r[1:]) for r in PASSPORT]
    engine, image = recorded("passport.png", rows)
    doc = extract_pages([image], [image], engine, builtin_templates())
    assert doc.fields["sex"].value == "M"  # as printed: the in-document check reports the conflict
    assert doc.fields["sex"].confidence < 0.7


def test_repaired_mrz_is_the_corrected_text() -> None:
    rows = [r if not r[0].startswith("P<") else ("P<UT0ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", *r[1:])
            for r in PASSPORT]
    engine, image = recorded("passport.png", rows)
    doc = extract_pages([image], [image], engine, builtin_templates())
    assert doc.fields["mrz"].value.splitlines()[0] == TD3[0]


def test_unknown_document_has_no_fields() -> None:
    engine, image = recorded("letter.png", [("Dear customer,", 100, 100, 400, 130)], 1240, 1754)
    doc = extract_pages([image], [image], engine, builtin_templates())
    assert (doc.document_type, doc.template.template_id, doc.fields) == ("unknown", "unknown", {})


def test_forced_template_is_used_and_said() -> None:
    engine, image = recorded("passport.png", PASSPORT)
    forced = builtin_templates().get("generic-mrz")
    doc = extract_pages([image], [image], engine, builtin_templates(), forced)
    assert doc.template.template_id == "generic-mrz" and "forced by the caller" in doc.template.reason
    assert doc.fields["date_of_birth"].value == "1974-08-12"


def test_unknown_template_id_lists_choices(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown template 'nope'; choose one of: .*uto-passport-td3"):
        extract([tmp_path / "x.png"], template="nope", engine=ReplayEngine({"pages": []}))


def _write_blank(path: Path, width: int, height: int) -> None:
    cv2.imwrite(str(path), np.full((height, width, 3), 255, np.uint8))


def test_cli_json_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    lines = tuple(TextLine(t, 0.97, quad_from_box(b)) for t, *b in PASSPORT)  # type: ignore[arg-type]
    rec = tmp_path / "rec"
    rec.mkdir()
    (rec / "passport.png.ocr.json").write_text(json.dumps({"pages": [Page("passport.png", 1, 1250, 880, lines)
                                                                     .to_dict()]}))
    _write_blank(tmp_path / "passport.png", 1250, 880)
    monkeypatch.setenv("KYC_OCR_OCR_RECORDINGS", str(rec))
    code = main(["extract", str(tmp_path / "passport.png"), "--engine", "replay", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    (doc,) = out["documents"]
    assert set(doc) == {"source", "template", "document_type", "fields", "checks"}
    assert doc["document_type"] == "passport" and doc["checks"] == []
    assert doc["template"]["id"] == "uto-passport-td3"
    assert set(doc["fields"]["surname"]) == {"value", "raw", "confidence", "source", "page", "box"}
    assert doc["fields"]["date_of_birth"]["source"] == "mrz"


def test_cli_unknown_template_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write_blank(tmp_path / "a.png", 10, 10)
    assert main(["extract", str(tmp_path / "a.png"), "--template", "nope", "--engine", "replay"]) == 6
    assert "unknown template 'nope'" in capsys.readouterr().err


def test_a_printed_value_the_mrz_contradicts_gives_way_to_a_later_one_it_confirms() -> None:
    # a passport photo: the nationality's "UTO" read right under the "Given names" label, the given names beside
    # it; the label locator offers "UTO" first, the zone "ANNA MARIA" too, which the valid MRZ confirms
    rows = [r for r in PASSPORT if r[0] != "ANNA MARIA"] + [("UTO", 400, 253, 450, 282), ("ANNA MARIA", 600, 256, 760, 285)]
    engine, image = recorded("passport.jpg", rows)
    doc = extract_pages([image], [image], engine, builtin_templates())
    assert doc.value("given_names") == "ANNA MARIA"
    # with no printed candidate the MRZ confirms, the printed one stays (mrz_matches_visual then flags it)
    rows = [r for r in PASSPORT if r[0] != "ANNA MARIA"] + [("ANNA MARIO", 400, 253, 560, 282)]
    engine, image = recorded("passport.jpg", rows)
    doc = extract_pages([image], [image], engine, builtin_templates())
    assert doc.value("given_names") == "ANNA MARIO" and doc.fields["given_names"].source.value == "visual"


class _UpsideDownAware:
    """Reads the passport only when the page's dark corner mark is top-left (the page is upright);
    ``title_turns`` reads its title right either way (the recogniser's own line classifier turned it)."""

    name = "fake"

    def __init__(self, title_turns: bool = False, classifier_turns: bool = False, mrz_turns: bool = False) -> None:
        self.reads = 0
        self.title_turns = title_turns
        self.classifier_turns = classifier_turns
        self.mrz_turns = mrz_turns

    def read(self, pages: list[PageImage]) -> list[Page]:
        self.reads += 1
        out = []
        for p in pages:
            upright = p.image[:10, :10].mean() < 128
            if self.classifier_turns and not upright:  # every line turned and read well, where it lies upside down
                w, h = p.image.shape[1], p.image.shape[0]
                lines = tuple(TextLine(t, 0.97, quad_from_box((w - 1 - x1, h - 1 - y1, w - 1 - x0, h - 1 - y0)))
                              for t, x0, y0, x1, y1 in PASSPORT)
                out.append(Page(p.source, p.page, p.width, p.height, lines, turned_lines=len(lines)))
                continue
            if self.mrz_turns and not upright:  # the MRZ's first line turned and read well, its second read
                # upside down (its fillers come out as ">"), the rest half-read: no line reads badly
                w, h = p.image.shape[1], p.image.shape[0]
                rows = [(TD3[0], 56, 706, 1172, 739), (TD3[1][::-1].replace("<", ">"), 56, 785, 1170, 818),
                        *[("NOSSIKE", 400, 188 + 40 * i, 550, 218 + 40 * i) for i in range(5)]]
                lines = tuple(TextLine(t, 0.99 if i == 0 else 0.9, quad_from_box((w - 1 - x1, h - 1 - y1, w - 1 - x0,
                                                                                  h - 1 - y0)))
                              for i, (t, x0, y0, x1, y1) in enumerate(rows))
                out.append(Page(p.source, p.page, p.width, p.height, lines, turned_lines=1))
                continue
            rows = PASSPORT if upright else [("ssodssvd ¡ ʇɹodssɐd", 400, 20, 1190, 60), ("NOSSʞIɹƎ", 400, 188, 550, 218)]
            conf = [0.97] * len(rows) if upright else [0.4] * len(rows)
            if self.title_turns and not upright:  # recognised by its title and labels, the rest garbage
                right = [PASSPORT[i] for i in (0, 3, 5, 11)]
                junk = [("NOSSʞIɹƎ", 400, 188 + 40 * i, 550, 218 + 40 * i) for i in range(8)]
                rows, conf = right + junk, [0.99] * len(right) + [0.4] * len(junk)
            lines = tuple(TextLine(t, c, quad_from_box(b)) for (t, *b), c in zip(rows, conf))  # type: ignore[arg-type]
            out.append(Page(p.source, p.page, p.width, p.height, lines))
        return out


def test_page_that_reads_as_garbage_is_tried_upside_down() -> None:
    image = np.full((880, 1250, 3), 255, np.uint8)
    image[-10:, -10:] = 0  # the mark is bottom-right: preprocessing left the page upside down
    page = PageImage(image, "passport.png", 1)
    engine = _UpsideDownAware()
    doc = extract_pages([page], [page], engine, builtin_templates())
    assert engine.reads == 2
    assert doc.template is not None and doc.template.template_id == "uto-passport-td3"
    assert doc.value("surname") == "ERIKSSON"
    # boxes come back in the decoded page's pixels: the surname printed at top-left of the turned page
    # lies bottom-right on the page as decoded
    box = doc.fields["surname"].box
    assert box is not None
    assert box[0] == pytest.approx(1249 - 550, abs=1) and box[3] == pytest.approx(879 - 188, abs=1)


def _extract_upside_down(engine: _UpsideDownAware) -> ExtractedDocument:
    """The passport page left upside down by preprocessing (its corner mark bottom-right), extracted."""
    image = np.full((880, 1250, 3), 255, np.uint8)
    image[-10:, -10:] = 0
    page = PageImage(image, "passport.png", 1)
    return extract_pages([page], [page], engine, builtin_templates())


def test_a_page_whose_lines_were_all_read_turned_is_read_upside_down() -> None:
    # the recogniser's line classifier turned every line: each reads well, but they lie in reverse order
    engine = _UpsideDownAware(classifier_turns=True)
    doc = _extract_upside_down(engine)
    assert engine.reads == 2 and doc.value("surname") == "ERIKSSON" and doc.value("given_names") == "ANNA MARIA"


def test_a_recognised_page_that_reads_badly_is_still_tried_upside_down() -> None:
    # a statement photo left upside down: its big title read right (the document is recognised), the rest garbage
    engine = _UpsideDownAware(title_turns=True)
    doc = _extract_upside_down(engine)
    assert engine.reads == 2 and doc.value("surname") == "ERIKSSON"


def test_a_page_with_an_mrz_line_read_upside_down_is_read_upside_down() -> None:
    # a passport photo left upside down: the line classifier turned the MRZ's first line, which reads well,
    # but not its second, whose fillers read ">>>>>"; too few lines turned, and none reads badly enough
    engine = _UpsideDownAware(mrz_turns=True)
    doc = _extract_upside_down(engine)
    assert engine.reads == 2 and doc.value("surname") == "ERIKSSON" and doc.value("document_number") == "L898902C3"


class _SidewaysBlind(_UpsideDownAware):
    """Detects no line at all on a page lying on its side (portrait here); reads a landscape page as the parent does."""

    def read(self, pages: list[PageImage]) -> list[Page]:
        self.reads += 1
        out = []
        for p in pages:
            if p.height > p.width:
                out.append(Page(p.source, p.page, p.width, p.height, ()))
            else:
                out.extend(_UpsideDownAware.read(self, [p]))
                self.reads -= 1
        return out


def test_a_page_on_its_side_where_no_line_was_detected_is_read_a_quarter_turn_either_way() -> None:
    # a motion-blurred form photo left on its side by preprocessing: the detector finds nothing on it
    image = np.full((1250, 880, 3), 255, np.uint8)
    image[-10:, :10] = 0  # the passport's top-left mark, on a page turned a quarter
    page = PageImage(image, "passport.jpg", 1)
    engine = _SidewaysBlind()
    doc = extract_pages([page], [page], engine, builtin_templates())
    assert doc.template is not None and doc.template.template_id == "uto-passport-td3"
    assert doc.value("surname") == "ERIKSSON" and engine.reads == 4  # as it was, then turned 0, 1 and 3 quarters
