"""OCR engines side by side: speed, accuracy and memory on the same images.

    .venv/bin/python benchmarks/bench_ocr.py [--engines onnx,paddle,tesseract,rapidocr] [--repeat 2] [--json out.json]

Images (written once to a temporary folder, the same for every engine):

* ID cards: ``kyc_ocr.ocr.specimen.id_card`` (clean renderings with exact line ground truth) and, when
  :mod:`kyc_ocr.synth` can render them, synthetic ID cards/passports per docs/DATASET.md (clean and scan);
* A4 form pages: ``specimen.form_page`` and the synthetic KYC application form;
* the PassportEye specimens in ``/work/shared/data/passporteye`` (only the four ICAO "UTO" images have
  ground truth: their MRZ, rebuilt from ``ground_truth.derived.json`` and checked against its check digits).

Each engine runs in its own subprocess (honest load time and peak RSS); images are handed to the
engines in turn, so background load on a shared machine falls on all of them alike. ``rapidocr`` is rapidocr 3.10's
own ``RapidOCR()`` pipeline with its defaults: the same PP-OCRv6 small models our ``onnx`` engine runs.
Time per image is the ``read`` call only (decoding excluded), the minimum over ``--repeat`` passes;
load time includes the first call (lazy initialisation).
CER: page text in reading order joined by spaces (see ``specimen.text_errors``); MRZ CER: each true MRZ
line against the closest line read (spaces removed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kyc_ocr.domain import PageImage, TextLine
from kyc_ocr.errors import KycError
from kyc_ocr.ocr import specimen

PASSPORTEYE = Path("/work/shared/data/passporteye")
ENGINES = ("onnx", "paddle", "tesseract", "rapidocr")


# ---------------------------------------------------------------- dataset (parent process)
def _save(folder: Path, name: str, group: str, image: np.ndarray, lines: list[dict] | None, note: str = "") -> dict:
    path = folder / f"{name}.png"
    Image.fromarray(image).save(path)
    return {"name": name, "group": group, "file": str(path), "lines": lines, "note": note}


def _gt(lines) -> list[dict]:
    return [{"text": ln.text, "quad": [[float(x), float(y)] for x, y in ln.quad]} for ln in lines]


def _synth_docs(folder: Path, count: int) -> tuple[list[dict], str]:
    """Synthetic documents from kyc_ocr.synth, or ([], why not)."""
    try:
        from kyc_ocr.synth.augmentation import augment
        from kyc_ocr.synth.documents import render_document
        from kyc_ocr.synth.identity import make_identity
        from kyc_ocr.synth.spec import DocSpec
    except ImportError as err:
        return [], f"kyc_ocr.synth not importable ({err})"
    items = []
    kinds = [("uto-id-td1-front", "id_card_front", "card"), ("uto-id-td1-back", "id_card_back", "card"),
             ("uto-passport-td3", "passport", "card"), ("xfr-id-card", "id_card_front", "card"),
             ("kyc-application-form", "application_form", "form")]
    try:
        for seed in range(count):
            rng = random.Random(1000 + seed)
            person = make_identity(rng, date(2025, 6, 1))
            for template, stem, group in kinds:
                if group == "form" and seed >= 2:
                    continue
                spec = DocSpec(template, stem, person, number=f"X{rng.randint(10**7, 10**8 - 1)}",
                               issued=date(2021, 3, 4), expires=date(2031, 3, 3), seed=seed,
                               extra=(("id_document_type", "passport"), ("customer_id", f"C-{seed:05d}"),
                                      ("policy_number", f"PN-{seed:06d}"), ("application_date", "2025-05-02")))
                doc = render_document(spec)
                for preset in ("clean", "scan"):
                    out = augment(doc, preset, np.random.default_rng(seed))
                    lines = [{"text": g.text, "quad": np.asarray(g.quad, float).tolist()} for g in out.lines]
                    items.append(_save(folder, f"synth-{template}-{seed}-{preset}", f"synth-{group}-{preset}",
                                       out.image, lines))
    except (KycError, KeyError, TypeError, ValueError) as err:  # the generator is still being written
        return items, f"kyc_ocr.synth failed part-way ({type(err).__name__}: {err})"
    return items, ""


def _mrz_truth() -> dict[str, list[str]]:
    """The UTO specimens' MRZ lines, rebuilt from the derived ground truth and verified by check digits."""
    data = json.loads((PASSPORTEYE / "ground_truth.derived.json").read_text())["images"]
    check = specimen.mrz_check
    out = {}
    for name, f in data.items():
        names = f"{f['surname']}<<{f['names'].replace(' ', '<')}"
        personal = f.get("personal_number", [""])
        personal = personal[-1] if isinstance(personal, list) else personal  # the specimen prints ZE184226B
        if f["mrz_type"] == "TD3":
            l1 = f"{f['type']}{f['country']}{names}".ljust(44, "<")
            body = f"{f['number']}{f['check_number']}{f['nationality']}{f['date_of_birth']}{f['check_date_of_birth']}"
            l2 = (f"{body}{f['sex']}{f['expiration_date']}{f['check_expiration_date']}{personal}"
                  f"{f['check_personal_number']}{f['check_composite']}")
            composite = l2[0:10] + l2[13:20] + l2[21:43]
        else:
            l1 = f"{f['type']}{f['country']}{names}".ljust(36, "<")
            body = f"{f['number']}{f['check_number']}{f['nationality']}{f['date_of_birth']}{f['check_date_of_birth']}"
            l2 = (f"{body}{f['sex']}{f['expiration_date']}{f['check_expiration_date']}{f['optional1']}"
                  f"{f['check_composite']}")
            composite = l2[0:10] + l2[13:20] + l2[21:35]
        assert check(f["number"]) == f["check_number"] and check(composite) == f["check_composite"], name
        out[name] = [l1, l2]
    return out


def build_dataset(folder: Path, cards: int) -> tuple[list[dict], list[str]]:
    notes = []
    items = [_save(folder, f"card-{s}", "card-clean", c.image, _gt(c.lines))
             for s, c in ((s, specimen.id_card(s)) for s in range(cards))]
    items += [_save(folder, f"form-{s}", "form-clean", f.image, _gt(f.lines))
              for s, f in ((s, specimen.form_page(s)) for s in range(2))]
    synth, why = _synth_docs(folder, max(2, cards // 3))
    items += synth
    if why:
        notes.append(why)
    if PASSPORTEYE.is_dir():
        truth = _mrz_truth()
        for path in sorted(PASSPORTEYE.glob("*/*.*")):
            rel = f"{path.parent.name}/{path.name}"
            if path.suffix.lower() in (".png", ".jpg"):
                image = np.asarray(Image.open(path).convert("RGB"))
                group = "mrz-uto" if rel in truth else "passporteye"
                item = _save(folder, "pe-" + rel.replace("/", "-").rsplit(".", 1)[0], group, image, None)
                item["mrz"] = truth.get(rel)
                items.append(item)
    else:
        notes.append(f"{PASSPORTEYE} not found: no specimen passports")
    return items, notes


# ---------------------------------------------------------------- one engine (worker process)
def _make(engine: str, threads: int):
    if engine == "rapidocr":
        from rapidocr import RapidOCR

        rapid = RapidOCR(params={"Global.log_level": "error"})

        def read(image: np.ndarray) -> list[tuple[str, float, list]]:
            result = rapid(np.ascontiguousarray(image[:, :, ::-1]))
            if result.txts is None or result.boxes is None:
                return []
            return [(t, float(s), np.asarray(b, float).tolist()) for t, s, b in zip(result.txts, result.scores,
                                                                                    result.boxes)]
        return read
    from kyc_ocr.ocr.registry import create

    ocr = create(engine, threads=threads)

    def read(image: np.ndarray) -> list[tuple[str, float, list]]:
        page = ocr.read([PageImage(image, "bench.png")])[0]
        return [(ln.text, ln.confidence, [list(p) for p in ln.quad]) for ln in page.lines]
    return read


def serve(engine: str, items_file: Path, threads: int) -> None:
    """Load ``engine``, then read the image whose index arrives on each stdin line; one JSON line back each."""
    items = json.loads(items_file.read_text())
    start = time.perf_counter()
    read = _make(engine, threads)
    read(np.asarray(Image.open(items[0]["file"]).convert("RGB")))  # first call: lazy initialisation
    print(json.dumps({"load_s": time.perf_counter() - start}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        image = np.asarray(Image.open(items[int(line)]["file"]).convert("RGB"))
        t = time.perf_counter()
        lines = read(image)
        print(json.dumps({"seconds": time.perf_counter() - t, "lines": lines}), flush=True)
    print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


def run_all(engines: list[str], items: list[dict], items_file: Path, repeat: int, threads: int) -> list[dict]:
    """All engines resident at once, each in its own process; images go to them in turn.

    Interleaving at image granularity makes the machine's background load fall on every
    engine alike, so the speed ratios stay fair on a shared machine.
    """
    procs = {}
    runs: dict[str, dict] = {}
    for engine in engines:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"} if engine == "tesseract" else None
        procs[engine] = subprocess.Popen(
            [sys.executable, __file__, "--worker", engine, "--items", str(items_file), "--threads", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        ready = procs[engine].stdout.readline()
        if not ready:
            print(f"{engine}: failed to start (see its error above)")
            procs.pop(engine).wait()
            continue
        runs[engine] = {"engine": engine, "load_s": json.loads(ready)["load_s"],
                        "results": [{"name": it["name"], "seconds": float("inf"), "lines": []} for it in items]}
    for rep in range(repeat):
        for index in range(len(items)):
            order = list(procs)[index % max(1, len(procs)):] + list(procs)[: index % max(1, len(procs))]
            for engine in order:
                proc = procs[engine]
                proc.stdin.write(f"{index}\n")
                proc.stdin.flush()
                answer = json.loads(proc.stdout.readline())
                slot = runs[engine]["results"][index]
                slot["seconds"] = min(slot["seconds"], answer["seconds"])
                slot["lines"] = answer["lines"]
        print(f"pass {rep + 1}/{repeat} done", flush=True)
    for engine, proc in procs.items():
        proc.stdin.write("\n")
        proc.stdin.flush()
        runs[engine]["peak_rss_mb"] = json.loads(proc.stdout.readline())["peak_rss_mb"]
        proc.wait()
    return list(runs.values())


# ---------------------------------------------------------------- scoring (parent process)
def _lines(raw: list) -> list[TextLine]:
    return [TextLine(t, c, tuple((float(x), float(y)) for x, y in q)) for t, c, q in raw]  # type: ignore[misc]


def _mrz_errors(read: list[TextLine], truth: list[str]) -> tuple[int, int]:
    from rapidfuzz.distance import Levenshtein

    texts = [ln.text.replace(" ", "") for ln in read] or [""]
    return sum(min(Levenshtein.distance(t, line) for t in texts) for line in truth), sum(map(len, truth))


def score(items: list[dict], run: dict) -> dict:
    by_name = {it["name"]: it for it in items}
    groups: dict[str, dict] = {}
    for res in run["results"]:
        it = by_name[res["name"]]
        g = groups.setdefault(it["group"], {"times": [], "edits": 0, "chars": 0})
        g["times"].append(res["seconds"])
        read = _lines(res["lines"])
        if it.get("mrz"):
            e, n = _mrz_errors(read, it["mrz"])
        elif it["lines"] is not None:
            truth = [TextLine(d["text"], 1.0, tuple(map(tuple, d["quad"]))) for d in it["lines"]]
            e, n = specimen.text_errors(read, truth)
        else:
            e = n = 0
        g["edits"] += e
        g["chars"] += n
    out = {"engine": run["engine"], "load_s": run["load_s"], "peak_rss_mb": run["peak_rss_mb"], "groups": {}}
    for name, g in sorted(groups.items()):
        t = np.array(g["times"])
        out["groups"][name] = {"n": len(t), "p50_s": float(np.median(t)), "p95_s": float(np.percentile(t, 95)),
                               "mean_s": float(t.mean()), "cer": g["edits"] / g["chars"] if g["chars"] else None}
    return out


def report(scores: list[dict]) -> None:
    base = next((s for s in scores if s["engine"] == "rapidocr"), None)
    groups = sorted({g for s in scores for g in s["groups"]})
    print(f"\n{'engine':10s} {'load s':>7s} {'RSS MB':>7s}  group: p50 s / p95 s / CER / time vs rapidocr")
    for s in scores:
        print(f"{s['engine']:10s} {s['load_s']:7.2f} {s['peak_rss_mb']:7.0f}")
        for name in groups:
            g = s["groups"].get(name)
            if g is None:
                continue
            ratio = ""
            if base and name in base["groups"]:
                ratio = f"{g['p50_s'] / base['groups'][name]['p50_s']:.2f}x"
            cer = "   -  " if g["cer"] is None else f"{100 * g['cer']:5.2f}%"
            print(f"    {name:22s} n={g['n']:2d}  p50 {g['p50_s']:6.3f}  p95 {g['p95_s']:6.3f}  CER {cer}  {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--cards", type=int, default=10, help="rendered specimen ID cards")
    parser.add_argument("--repeat", type=int, default=1, help="passes per image; the fastest counts")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads for our engines (0 = all cores)")
    parser.add_argument("--groups", default="", help="only image groups starting with these (comma-separated)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--items", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        serve(args.worker, args.items, args.threads)
        return
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        items, notes = build_dataset(Path(tmp), args.cards)
        if args.groups:
            items = [it for it in items if it["group"].startswith(tuple(args.groups.split(",")))]
        items_file = Path(tmp) / "items.json"
        items_file.write_text(json.dumps(items))
        print(f"{len(items)} images; cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
        for note in notes:
            print("note:", note)
        runs = run_all(args.engines.split(","), items, items_file, args.repeat, args.threads)
        scores = [score(items, run) for run in runs]
    report(scores)
    if args.json:
        args.json.write_text(json.dumps({"notes": notes, "scores": scores}, indent=1))


if __name__ == "__main__":
    main()
