"""Demand → experts with and without the evidence floor (`matching.service.EXPERT_MIN_COVERAGE`), on graded lists.

The registry's experts are NSFC 管理科学部 principal investigators known from their project titles. For each need
of two batches, the written technical needs (`bench/needs/written*.jsonl`) and management needs
(`bench/needs/expert_needs.jsonl`), the top EXPERTS_SHOWN experts of the expert search `match_need` runs
(`hybrid_search`, before its structured re-rank) for an anonymous visitor are taken at floor 0 and at the
product's floor, and scored against `bench/needs/expert_qrels.tsv` (need id, expert
as "name affiliation", grade 0/1/2): experts shown, the share of them graded ≥ 1 and the relevant experts the floor
hides. `pool` prints the shown experts that were never graded, as need/expert pairs to grade blind.

    TECHBRIDGE_DATABASE_URL=sqlite:///…/techbridge.db TECHBRIDGE_VAR_DIR=…/var \\
        python -m bench.expert_evidence [--write | pool]
"""

from __future__ import annotations

import argparse
import csv
import time
from dataclasses import dataclass

from bench.needs_set import HERE
from bench.portal_needs import vector_share
from bench.report import publish
from techbridge.access import ANONYMOUS
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.matching.search import hybrid_search
from techbridge.matching.service import EXPERT_MIN_COVERAGE
from techbridge.search.evaluate import read_queries

SECTION = "## Demand → experts: the evidence floor"
EXPERTS_SHOWN = 3
"""Experts read per need (the top of the portal's expert column)."""
QRELS = HERE / "expert_qrels.tsv"
BATCHES = {"technical (written needs)": ("written.jsonl", "written2.jsonl"), "management": ("expert_needs.jsonl",)}

Lists = dict[str, list[tuple[str, str]]]
"""Need id → the experts shown: ("name affiliation", their indexed expertise text)."""


def batch_needs(files: tuple[str, ...]) -> dict[str, str]:
    """Need id → text of one batch's query files."""
    needs: dict[str, str] = {}
    for name in files:
        needs |= read_queries(HERE / name)
    return needs


def shown_experts(settings: Settings, needs: dict[str, str], min_coverage: float) -> Lists:
    """Each need's top experts for an anonymous visitor at `min_coverage`."""
    with session_scope(settings.database_url) as session:
        return {
            q: [
                (h.title, h.body)
                for h in hybrid_search(
                    session,
                    settings,
                    ANONYMOUS,
                    text=t,
                    entity="expert",
                    limit=EXPERTS_SHOWN,
                    min_coverage=min_coverage,
                )
            ]
            for q, t in needs.items()
        }


def read_grades() -> dict[tuple[str, str], int]:
    """(need id, expert) → grade, from `expert_qrels.tsv` (empty when it does not exist yet)."""
    if not QRELS.exists():
        return {}
    with QRELS.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    return {(q, e): int(g) for q, e, g in rows}


@dataclass(frozen=True)
class Figures:
    """One floor's figures on one batch."""

    needs_with_experts: int
    shown: int
    relevant: int
    unjudged: int

    @property
    def precision(self) -> float:
        """Share of the shown experts graded ≥ 1 (unjudged ones count as not relevant)."""
        return self.relevant / self.shown if self.shown else 0.0


def figures(lists: Lists, grades: dict[tuple[str, str], int]) -> Figures:
    """Counts of one floor's lists."""
    pairs = [(q, e) for q, shown in lists.items() for e, _ in shown]
    return Figures(
        needs_with_experts=sum(bool(shown) for shown in lists.values()),
        shown=len(pairs),
        relevant=sum(grades.get(p, 0) >= 1 for p in pairs),
        unjudged=sum(p not in grades for p in pairs),
    )


def hidden_relevant(without: Lists, floor: Lists, grades: dict[tuple[str, str], int]) -> int:
    """Experts graded ≥ 1 in the lists without the floor that the floor's lists do not show."""
    kept = {(q, e) for q, shown in floor.items() for e, _ in shown}
    return sum(grades.get((q, e), 0) >= 1 and (q, e) not in kept for q, shown in without.items() for e, _ in shown)


def render(rows: dict[str, tuple[int, Figures, Figures, int]], vectors: tuple[int, int], command: str) -> str:
    """The markdown section."""
    lines = [
        SECTION,
        "",
        f"Command: `{command}`.",
        "",
        f"Experts with passage vectors: {vectors[0]:,} of {vectors[1]:,}.",
        "",
    ]
    lines += [
        "| batch | needs | floor | needs with an expert | experts shown | graded ≥ 1 | share relevant | unjudged "
        "| relevant hidden by the floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for batch, (count, off, on, hidden) in rows.items():
        for label, f, lost in (("0", off, "—"), (f"{EXPERT_MIN_COVERAGE}", on, str(hidden))):
            lines.append(
                f"| {batch} | {count} | {label} | {f.needs_with_experts} | {f.shown} | {f.relevant} | "
                f"{f.precision:.2f} | {f.unjudged} | {lost} |"
            )
    lines += [
        "",
        f"The top {EXPERTS_SHOWN} experts of the expert search `match_need` runs (`hybrid_search`, before the",
        "structured re-rank of the shown page) for an anonymous visitor, for each need, on the registry",
        "itself, without a floor and at the product's `EXPERT_MIN_COVERAGE` (the share of the need's object, its",
        "concepts weighted by idf squared, that an expert's fields, biography, achievements and project titles must",
        "cover; the name and affiliation do not count). Grades in `bench/needs/expert_qrels.tsv` (0 unrelated, 1 the",
        "expert's work is on the need's subject or a close one, 2 it is the need's subject); an unjudged expert counts",
        "as not relevant. The registry's experts are NSFC 管理科学部 principal investigators, so for most technical",
        "needs the right answer is none.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Print (or write) the section, or with `pool` the ungraded need/expert pairs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", choices=("report", "pool"), default="report")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    settings = get_settings()
    started = time.perf_counter()
    grades = read_grades()
    rows: dict[str, tuple[int, Figures, Figures, int]] = {}
    for batch, files in BATCHES.items():
        needs = batch_needs(files)
        without = shown_experts(settings, needs, 0.0)
        floor = shown_experts(settings, needs, EXPERT_MIN_COVERAGE)
        if args.action == "pool":
            ungraded = {(q, e): text for lists in (without, floor) for q, s in lists.items() for e, text in s}
            for (q, expert), text in ungraded.items():
                if (q, expert) not in grades:
                    print(f"{q}\t{needs[q]}\t{expert}\t{' '.join(text.split())}")
            continue
        hidden = hidden_relevant(without, floor, grades)
        rows[batch] = (len(needs), figures(without, grades), figures(floor, grades), hidden)
    if args.action == "report":
        text = render(rows, vector_share(settings, "expert"), "nice .venv/bin/python -m bench.expert_evidence --write")
        publish(SECTION, text, started=started, write=args.write)


if __name__ == "__main__":
    main()
