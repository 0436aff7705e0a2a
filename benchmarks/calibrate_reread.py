"""How far apart the re-read costs of right and wrong names are (to set the policy's re-read thresholds).

For each visual name field (surname, given names, one-line full name) of the documents of a generated
dataset split, the field's pixels are re-read (:class:`kyc_ocr.extract.reread.PixelRereader`) against:

- ``true``: the name the document really prints (from the ground truth);
- ``vowel``: the same name with one inner vowel changed (``Maria`` -> ``Mario``: a relative, a typo);
- ``letter_added``: the first word with an ``a`` added (``Robert`` -> ``Roberta``);
- ``other``: another customer's name.

It prints the cost distribution per kind and preset, and how many fall within ``reread_max_cost``
(accepted as the same) and ``name_doubt_cost`` (cannot FAIL). Use training splits only: the
thresholds must not be tuned on what they are judged on.

    python benchmarks/calibrate_reread.py DATASET --split train --limit 40 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
from collections import defaultdict
from pathlib import Path

from kyc_ocr.checks.policy import load_policy
from kyc_ocr.checks.reread import cased_like
from kyc_ocr.config import Settings
from kyc_ocr.domain import FieldSource
from kyc_ocr.extract import extract
from kyc_ocr.extract.reread import PixelRereader
from kyc_ocr.ocr import registry

NAME_FIELDS = ("surname", "given_names", "full_name")
VOWELS = "aeiou"


def vowel_changed(name: str, rng: random.Random) -> str | None:
    spots = [i for i, c in enumerate(name) if c.lower() in VOWELS and 0 < i < len(name) - 1]
    if not spots:
        return None
    i = rng.choice(spots)
    new = rng.choice([v for v in VOWELS if v != name[i].lower()])
    return name[:i] + (new.upper() if name[i].isupper() else new) + name[i + 1 :]


def letter_added(name: str) -> str:
    first, _, rest = name.partition(" ")
    return f"{first}a {rest}".strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dataset", type=Path)
    ap.add_argument("--split", default="train")
    ap.add_argument("--limit", type=int, default=40)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None, help="write every measured cost here")
    args = ap.parse_args()
    manifest = json.loads((args.dataset / "manifest.json").read_text())
    customers = manifest["splits"][args.split][: args.limit]
    profiles = {c: json.loads((args.dataset / c / "profile.json").read_text()) for c in customers}
    rng = random.Random(args.seed)
    settings = Settings()
    engine = registry.from_settings(settings)
    thresholds = load_policy(settings.policy_file).thresholds
    rows: list[dict[str, object]] = []
    for cid, profile in profiles.items():
        others = [p["identity"] for c, p in profiles.items() if c != cid]
        for entry in profile["documents"]:
            path = args.dataset / cid / entry["file"]
            truth = json.loads((args.dataset / cid / f"{Path(entry['file']).stem}.gt.json").read_text())["fields"]
            doc = extract([path], settings=settings, engine=engine)[0]
            rereader = PixelRereader(engine, {doc.sha256: path}, settings)
            for name in NAME_FIELDS:
                field, gt = doc.fields.get(name), truth.get(name)
                if field is None or gt is None or field.source is not FieldSource.VISUAL:
                    continue
                other = rng.choice(others)
                other_name = {"surname": other["surname"], "given_names": other["given_names"]}.get(
                    name, f"{other['given_names']} {other['surname']}")
                tries = {"true": gt["value"], "vowel": vowel_changed(gt["value"], rng),
                         "letter_added": letter_added(gt["value"]), "other": other_name}
                for kind, hypothesis in tries.items():
                    if not hypothesis:
                        continue
                    found = rereader(doc, field, cased_like(hypothesis, field.raw or field.value))
                    if found is not None:
                        rows.append({"preset": entry["preset"], "field": name, "kind": kind, "cost": found.cost})
    by: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in rows:
        by[(str(row["kind"]), str(row["preset"]))].append(float(row["cost"]))  # type: ignore[arg-type]
    accept, doubt = thresholds.reread_max_cost, thresholds.name_doubt_cost
    print(f"{'kind':<13}{'preset':<7}{'n':>4}{'median':>9}{'min':>8}{'max':>8}  <= {accept:g}  <= {doubt:g}")
    for (kind, preset), costs in sorted(by.items()):
        finite = [c for c in costs if c != float("inf")] or [float("inf")]
        print(f"{kind:<13}{preset:<7}{len(costs):>4}{statistics.median(costs):>9.2f}{min(costs):>8.2f}"
              f"{max(finite):>8.2f}  {sum(c <= accept for c in costs):>5}  {sum(c <= doubt for c in costs):>5}")
    if args.json:
        args.json.write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
