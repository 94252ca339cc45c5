"""Benchmark: scoring a batch of new achievements against many subscriptions (the alert job's inner step).

The product's scorer (`notifications.evaluate.score_batch`: the batch indexed once by character bigram and whole
Latin word, each distinct concept looked up once) against the plain double loop (`score_naive`: every subscription ×
every record) in the same run, on the same inputs: subscriptions are real need-like texts (CSL paper titles, each
made a standing query) and the new records are other CSL papers (title, keywords, abstract), so hit rates are real.
The naive loop runs on a slice of the subscriptions and is scaled linearly (it is linear in subscriptions); both
results are checked equal on that slice. Medians of --repeat runs; --write replaces the `## Alerts` section.

    .venv/bin/python -m bench.alerts --subscriptions 10000 --records 1000 --write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from bench.report import write_section
from techbridge.notifications.evaluate import BatchIndex, StandingQuery, concepts_of, score_batch, score_naive
from techbridge.search.tokenize import default_segmenter

SECTION = "## Alerts"
CSL = Path(__file__).resolve().parents[2] / "shared" / "data" / "csl" / "derived" / "csl_benchmark_2000.jsonl"
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "techbridge" / "data" / "sample" / "csl" / "derived"


def load_papers() -> list[dict[str, object]]:
    """CSL papers from the shared data (or the bundled sample)."""
    path = CSL if CSL.exists() else SAMPLE / "csl_benchmark_2000.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_inputs(count_subs: int, count_records: int, threshold: float) -> tuple[list[StandingQuery], list[str]]:
    """Standing queries from paper titles (cycled with a suffix so texts stay distinct) and record texts."""
    papers = load_papers()
    segmenter = default_segmenter()
    records = [
        f"{p['title']}\n{' '.join(p.get('keywords') or [])}\n{p.get('abstract', '')}" for p in papers[:count_records]
    ]
    titles = [str(p["title"]) for p in papers[count_records:]] or [str(p["title"]) for p in papers]
    queries = []
    for index in range(count_subs):
        title = titles[index % len(titles)]
        queries.append(StandingQuery(index, concepts_of(title, segmenter), threshold))
    return queries, records


def run(count_subs: int, count_records: int, naive_subs: int, repeat: int, threshold: float) -> dict[str, float]:
    """Median seconds of both scorers, hits, and the equality check."""
    queries, records = build_inputs(count_subs, count_records, threshold)
    fast, slow, hits = [], [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        fits = score_batch(queries, BatchIndex(records))
        fast.append(time.perf_counter() - started)
        hits = len(fits)
        started = time.perf_counter()
        naive = score_naive(queries[:naive_subs], records)
        slow.append((time.perf_counter() - started) * count_subs / naive_subs)
    same = naive == score_batch(queries[:naive_subs], BatchIndex(records))
    return {"fast": statistics.median(fast), "naive": statistics.median(slow), "hits": hits, "same": float(same)}


def run_job(count_subs: int, count_records: int, threshold: float) -> dict[str, float]:
    """The whole alert job (`run_alerts`) on a scratch SQLite registry: 1,000 users × count_subs/1,000 saved
    searches, then count_records new public achievements; seconds and notifications made."""
    import tempfile

    from sqlalchemy import insert

    from techbridge.config import Settings
    from techbridge.db import dispose_engines, session_scope
    from techbridge.models import Achievement, AlertCursor, Subscription, User
    from techbridge.notifications.service import run_alerts
    from techbridge.schema import upgrade_schema

    papers = load_papers()
    titles = [str(p["title"]) for p in papers[count_records:]] or [str(p["title"]) for p in papers]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/alerts.db"
        upgrade_schema(url)
        users = min(1000, count_subs)
        with session_scope(url) as session:
            session.execute(insert(User), [
                {"username": f"u{i}", "password_hash": "x", "role": "enterprise"} for i in range(users)
            ])  # fmt: skip
            session.execute(insert(Subscription), [
                {"user_id": 1 + i % users, "kind": "search", "title": titles[i % len(titles)][:60],
                 "query": titles[i % len(titles)], "filters": {}, "targets": ["achievement", "expert"],
                 "threshold": threshold, "active": True}
                for i in range(count_subs)
            ])  # fmt: skip
            session.add(AlertCursor(entity="achievement", last_id=0))
        with session_scope(url) as session:
            session.execute(insert(Achievement), [
                {"kind": "paper", "title": str(p["title"]), "abstract": str(p.get("abstract", "")),
                 "keywords": list(p.get("keywords") or []), "visibility": "public"}
                for p in papers[:count_records]
            ])  # fmt: skip
        settings = Settings(database_url=url, var_dir=Path(folder) / "var", secret_key="bench")
        started = time.perf_counter()
        job = run_alerts(settings)
        seconds = time.perf_counter() - started
        dispose_engines()
    return {"job": seconds, "job_notifications": job.notifications, "job_processed": job.processed}


def report(args: argparse.Namespace, figures: dict[str, float]) -> str:
    """The markdown section."""
    ratio = figures["naive"] / figures["fast"] if figures["fast"] else float("inf")
    return (
        f"{SECTION}\n\n"
        f"Scoring {args.records:,} new achievements against {args.subscriptions:,} subscriptions (threshold "
        f"{args.threshold}), one process on {platform.machine()} ({platform.python_implementation()} "
        f"{platform.python_version()}); medians of {args.repeat} runs; `python -m bench.alerts --subscriptions "
        f"{args.subscriptions} --records {args.records} --write`; load average {os.getloadavg()[0]:.1f} at the end "
        "(a shared machine: read the ratio, not the seconds). Inputs: CSL paper titles as standing queries, other "
        "CSL papers (title, keywords, abstract) as the new records.\n\n"
        "| method | seconds | vs. naive |\n|---|---|---|\n"
        f"| product: batch indexed once, each distinct concept looked up once (`score_batch`) | {figures['fast']:.2f} "
        f"| {ratio:.0f}× faster |\n"
        f"| baseline: every subscription × every record (`score_naive`, {args.naive_subs:,} subscriptions timed, "
        f"scaled ×{args.subscriptions / args.naive_subs:.0f}) | {figures['naive']:.2f} | 1× |\n\n"
        f"{int(figures['hits']):,} notifications would be made; both methods give identical results on the timed "
        f"slice: {'yes' if figures['same'] else 'NO'}.\n\n"
        f"**The whole job** (`run_alerts` on a scratch SQLite file: read the new records in committed batches of 500, "
        f"score, check each hit's visibility for its subscriber, write the notifications): "
        f"{figures['job']:.1f} s for {args.subscriptions:,} subscriptions × {int(figures['job_processed']):,} new "
        f"achievements, {int(figures['job_notifications']):,} notifications written. "
        "Goal: ≤ 60 s for 10,000 × 1,000 on 2 cores.\n"
    )


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--records", type=int, default=1_000)
    parser.add_argument("--naive-subs", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    figures = run(args.subscriptions, args.records, args.naive_subs, args.repeat, args.threshold)
    figures.update(run_job(args.subscriptions, args.records, args.threshold))
    text = report(args, figures)
    print(text)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
