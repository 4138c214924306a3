"""The eligibility extractor against hand labels of real 211 eligibility text.

tests/data/eligibility_labels.csv holds references only — dataset, record id — with the criteria
a careful reader takes from that record's text; the text itself is read from ../shared/data.
Samples: `random` (a seeded random draw of distinct strings from each dataset, labelled before
the extractor was run on them), `tricky` (picked for hard forms: months, grades, negations,
other people's ages, alternatives, places), `holdout` (a later random draw, labelled after the
extractor was written and not tuned on).

How the labels were decided (the extractor follows the same conventions):
- Ages are those of the person the service is for: not of their children ("parents with children
  under 5" has none), volunteers, mentors or providers. "over 18" and "18+" are a minimum of 18,
  "under 18" a maximum of 17, "up to 21" / "21 and under" a maximum of 21; months and weeks are
  whole years; grade g is ages g+5 to g+6 (pre-school 3, pre-K 4, kindergarten 5); "adults" alone
  is 18 and over. Several groups each with ages give the lowest minimum and the highest maximum;
  a group without a limit ("pregnant women of any age", "or disabled") removes that limit; hedged
  or excepted limits ("primarily", "case by case", "all ages") are blank.
- Populations are the groups the text names as who the service is for (whether it means "and"
  or "or"), not groups only negated, hedged ("priority", "welcome", "also serves"), illustrated
  ("including…") or related to the client ("families of…"); men and women together restrict no
  gender; children and adults together are every age (neither is tagged).
- Residency is a named place the client must live in ("residents of", "reside in", "X
  residents"), not "live or work", not hedged ("primarily"), not unnamed ("target area").
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from loaders.eligibility_enrich import residency_key
from loaders.eligibility_text import extract_criteria
from loaders.populations import TERMS_BY_ID

LABELS = Path(__file__).resolve().parents[1] / "data" / "eligibility_labels.csv"
MIN_LABELS = 150
CRITERIA = ("min_age", "max_age", "populations", "residency")
TARGETS = {"min_age": 0.95, "max_age": 0.95, "populations": 0.85}
RESIDENCY_TARGET = 0.9  # not the issue's; a guard that places are read only where the text requires them
# Where each dataset keeps its eligibility text: file under ../shared/data, record id column, text column.
SOURCES = {
    "baltimore-211": ("baltimore-211/services.csv", "id", "eligibility"),
    "dc-211": ("dc-211/211.csv", "ResourceAgencyNum", "Eligibility"),
}


@dataclass(frozen=True)
class Label:
    dataset: str
    record_id: str
    min_age: int | None
    max_age: int | None
    populations: frozenset[str]
    residency: frozenset[str]  # residency_key of each place
    sample: str


@dataclass
class Tally:
    """Counts for one criterion: true and false positives, false negatives, and labels with a value."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    labelled: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def summary(self) -> dict[str, Any]:
        return {"labelled": self.labelled, "predicted": self.tp + self.fp, "true_positives": self.tp,
                "false_positives": self.fp, "false_negatives": self.fn,
                "precision": _round(self.precision), "recall": _round(self.recall)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _age(text: str) -> int | None:
    return int(text) if text.strip() else None


def _set(text: str, key: Callable[[str], str] = str) -> frozenset[str]:
    return frozenset(key(part.strip()) for part in text.split(";") if part.strip())


def read_labels(path: Path = LABELS) -> list[Label]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Label(row["dataset"], row["record_id"], _age(row["min_age"]), _age(row["max_age"]),
                  _set(row["populations"]), _set(row["residency"], residency_key), row.get("sample") or "")
            for row in csv.DictReader(f)
        ]


def read_texts(shared_data: Path, dataset: str) -> dict[str, str]:
    """Record id → eligibility text (whitespace as in the file) of one dataset."""
    relative, id_column, text_column = SOURCES[dataset]
    with (shared_data / relative).open(encoding="utf-8", newline="") as f:
        return {row[id_column]: row[text_column] for row in csv.DictReader(f) if (row.get(text_column) or "").strip()}


def _score_value(tally: Tally, name: str, expected: int | None, got: int | None) -> None:
    tally.labelled += expected is not None
    if got == expected:
        tally.tp += got is not None
        return
    if got is not None:
        tally.fp += 1
    if expected is not None:
        tally.fn += 1
    tally.errors.append(f"{name}: expected {expected}, got {got}")


def _score_set(tally: Tally, name: str, expected: frozenset[str], got: frozenset[str]) -> None:
    tally.labelled += len(expected)
    tally.tp += len(expected & got)
    tally.fp += len(got - expected)
    tally.fn += len(expected - got)
    if expected != got:
        tally.errors.append(f"{name}: missing {sorted(expected - got)}, extra {sorted(got - expected)}")


def score(labels: Iterable[Label], texts: Mapping[str, Mapping[str, str]]) -> dict[str, Tally]:
    """Precision and recall counts per criterion of the extractor against `labels`."""
    tallies = {name: Tally() for name in CRITERIA}
    for label in labels:
        got = extract_criteria(texts[label.dataset][label.record_id])
        name = f"{label.dataset}:{label.record_id}"
        _score_value(tallies["min_age"], name, label.min_age, got.minimum_age)
        _score_value(tallies["max_age"], name, label.max_age, got.maximum_age)
        _score_set(tallies["populations"], name, label.populations, frozenset(got.populations))
        _score_set(tallies["residency"], name, label.residency, frozenset(residency_key(r) for r in got.residency))
    return tallies


def table(tallies: Mapping[str, Tally], title: str) -> str:
    """A Markdown table of the tallies."""
    lines = [f"{title}", "", "criterion | labelled | predicted | correct | precision | recall | target",
             "--- | --- | --- | --- | --- | --- | ---"]
    for name, t in tallies.items():
        target = f"precision ≥ {TARGETS[name]:.2f}" if name in TARGETS else "—"
        p, r = t.precision, t.recall
        lines.append(f"{name} | {t.labelled} | {t.tp + t.fp} | {t.tp} | {'—' if p is None else f'{p:.3f}'} | "
                     f"{'—' if r is None else f'{r:.3f}'} | {target}")
    return "\n".join(lines)



# ---------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def labels() -> list[Label]:
    return read_labels()


@pytest.fixture(scope="module")
def texts(shared_data: Path) -> dict[str, dict[str, str]]:
    return {dataset: read_texts(shared_data, dataset) for dataset in SOURCES}


def test_the_label_file_holds_references_and_criteria_but_no_text() -> None:
    with LABELS.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["dataset", "record_id", "min_age", "max_age", "populations", "residency", "sample"]


def test_there_are_enough_labels_from_both_211_datasets(labels: list[Label]) -> None:
    assert len(labels) >= MIN_LABELS
    assert {label.dataset for label in labels} == set(SOURCES)
    assert len({(label.dataset, label.record_id) for label in labels}) == len(labels), "a record is labelled twice"


def test_every_labelled_record_exists_and_has_eligibility_text(
    labels: list[Label], texts: dict[str, dict[str, str]],
) -> None:
    missing = [f"{label.dataset}:{label.record_id}" for label in labels if label.record_id not in texts[label.dataset]]
    assert not missing


def test_every_labelled_population_is_a_vocabulary_term(labels: list[Label]) -> None:
    unknown = {term for label in labels for term in label.populations} - set(TERMS_BY_ID)
    assert not unknown


def test_extracted_criteria_meet_the_precision_targets(labels: list[Label], texts: dict[str, dict[str, str]]) -> None:
    tallies = score(labels, texts)
    print("\n" + table(tallies, f"eligibility extraction, {len(labels)} labelled strings"))
    for name, target in TARGETS.items():
        precision = tallies[name].precision
        assert precision is not None and precision >= target, (name, precision, tallies[name].errors)


def test_residency_read_from_text_is_never_a_place_the_text_does_not_require(
    labels: list[Label], texts: dict[str, dict[str, str]],
) -> None:
    residency = score(labels, texts)["residency"]
    assert residency.precision is not None and residency.precision >= RESIDENCY_TARGET, residency.errors
