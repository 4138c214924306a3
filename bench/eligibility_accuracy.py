"""How well `loaders.eligibility_text.extract_criteria` reads real eligibility text.

Scores the extractor against the hand labels in tests/data/eligibility_labels.csv (references
only: dataset and record id; each text is read from ../shared/data) and prints, per criterion,
precision and recall (a wrong value counts against both), overall and per sample (`random`: a
seeded random sample of distinct strings; `tricky`: chosen for hard forms; `holdout`: a later
random sample labelled after the extractor was finished and never tuned on). It also counts how
many of all the real strings each criterion is read from, and checks the ages read from the
Florida directory's free text against its structured age columns.

Targets (the issue): precision ≥ 0.95 for minimum and maximum age, ≥ 0.85 for population groups.
tests/unit/test_eligibility_accuracy.py asserts them; the labels, scoring and table live there.

Run: python bench/eligibility_accuracy.py
Writes bench/results/eligibility_accuracy.json and prints a table.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import arguments  # noqa: E402 (bench/arguments.py, beside this script)

from loaders.eligibility_text import Criteria, extract_criteria  # noqa: E402
from tests.unit.test_eligibility_accuracy import (  # noqa: E402
    SOURCES,
    TARGETS,
    read_labels,
    read_texts,
    score,
    table,
)

RESULTS = Path(__file__).parent / "results" / "eligibility_accuracy.json"
SHARED_DATA = ROOT.parent / "shared" / "data"
FLORIDA = ("florida-legal-aid/services.csv", "service_uuid", "service_additional_information")
FLORIDA_NO_LIMIT = {"min": {0}, "max": {59, 200, 999}}  # its columns' "no limit" values (59: a legacy max)


def coverage(texts: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, int]]:
    """Per dataset: how many texts (and distinct texts) there are and how many yield each criterion."""
    out: dict[str, dict[str, int]] = {}
    for dataset, by_id in texts.items():
        found = [extract_criteria(t) for t in by_id.values()]
        out[dataset] = {
            "texts": len(found), "distinct_texts": len({" ".join(t.split()).casefold() for t in by_id.values()}),
            "min_age": sum(c.minimum_age is not None for c in found),
            "max_age": sum(c.maximum_age is not None for c in found),
            "populations": sum(bool(c.populations) for c in found),
            "population_tags": sum(len(c.populations) for c in found),
            "residency": sum(bool(c.residency) for c in found),
            "anything": sum(c != Criteria() for c in found),
        }
    return out


def florida_check(shared_data: Path) -> dict[str, Any]:
    """Ages read from the Florida records' free text against their structured min/max age columns."""
    relative, _, text_column = FLORIDA
    agree, disagree, examples = Counter[str](), Counter[str](), []
    with (shared_data / relative).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            got = extract_criteria(row.get(text_column) or "")
            for key, value, column in (("min", got.minimum_age, "service_min_age"),
                                       ("max", got.maximum_age, "service_max_age")):
                stated = (row.get(column) or "").strip()
                if value is None or not stated.isdigit():
                    continue
                expected = int(stated)
                if expected in FLORIDA_NO_LIMIT[key]:
                    continue
                (agree if value == expected else disagree)[key] += 1
                if value != expected:
                    examples.append(f"{row['service_uuid']}: {key} {value} read, {expected} stated")
    return {"agree": dict(agree), "disagree": dict(disagree), "disagreements": examples}


def _code_version() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout

    changed = git("status", "--porcelain", "--", "loaders/eligibility_text.py", "loaders/populations.py",
                  "tests/data/eligibility_labels.csv").splitlines()
    return {"commit": git("rev-parse", "HEAD").strip(), "uncommitted": sorted(line[3:] for line in changed)}


def main() -> None:
    if not SHARED_DATA.is_dir():
        sys.exit(f"needs the shared data folder {SHARED_DATA}")
    labels = read_labels()
    texts = {dataset: read_texts(SHARED_DATA, dataset) for dataset in SOURCES}
    overall = score(labels, texts)
    print(table(overall, f"all {len(labels)} labelled strings"))
    samples = sorted({label.sample for label in labels})
    by_sample = {s: score([lb for lb in labels if lb.sample == s], texts) for s in samples}
    for s, tallies in by_sample.items():
        print()
        print(table(tallies, f"sample '{s}' ({sum(lb.sample == s for lb in labels)} strings)"))
    by_dataset = Counter(label.dataset for label in labels)
    print("\nlabels by dataset: " + ", ".join(f"{d} {n}" for d, n in sorted(by_dataset.items())))
    cover = coverage(texts)
    print("\nall real strings: dataset | texts | min age | max age | populations | residency | anything")
    for dataset, c in cover.items():
        print(f"{dataset} | {c['texts']} | {c['min_age']} | {c['max_age']} | {c['populations']} | {c['residency']} | "
              f"{c['anything']}")
    florida = florida_check(SHARED_DATA)
    print(f"\nFlorida free text vs structured ages: agree {florida['agree']}, disagree {florida['disagree']}")
    verdicts = {name: (overall[name].precision or 0.0) >= target for name, target in TARGETS.items()}
    print("targets: " + ", ".join(f"{n} precision ≥ {TARGETS[n]} {'met' if ok else 'NOT met'}"
                                  for n, ok in verdicts.items()))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "eligibility_accuracy", "command": "python bench/eligibility_accuracy.py",
        "code": _code_version(), "labels": {"total": len(labels), "by_dataset": dict(sorted(by_dataset.items())),
                                            "by_sample": {s: sum(lb.sample == s for lb in labels) for s in samples}},
        "targets": {f"{n}_precision": t for n, t in TARGETS.items()}, "verdicts": verdicts,
        "overall": {n: t.summary() for n, t in overall.items()},
        "by_sample": {s: {n: t.summary() for n, t in tallies.items()} for s, tallies in by_sample.items()},
        "errors": {n: t.errors for n, t in overall.items()},
        "coverage": cover, "florida_structured_ages": florida,
    }, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return arguments.parser(__file__, __doc__).parse_args(argv)  # no options: --help, and refuse anything else


if __name__ == "__main__":
    parse_args()
    main()
