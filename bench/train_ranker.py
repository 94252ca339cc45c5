"""Train the learned reranker (`search.rerank`) on labels disjoint from the benchmarks and the needs dev set.

    nice .venv/bin/python -m bench.train_ranker [--data-dir ../shared/data] [--bench-dir ../shared/bench] [--write]

Three training sources, each taken from the registry's structure in `/work/shared/data` (never from the CSL papers,
whose author keywords are the csl-keyword labels, never from `../bench/*`, never from `bench/needs/`):
- `ickg`: a patent title → the company holding it, each company described as the ickg-patent2company corpus
  describes one (its name; its industries; its other patents), over the ICKG companies that are **not** among that
  benchmark's companies (by name); a patent title found in the benchmark's queries or corpus is never used;
- `nsfc`: an NSFC project title → its PI, described by name, institution and their other project titles;
- `ipc`: the head of an IPC subclass title (`ipc_zh_2026`, up to the first 「；」 or 「（」) → every cn_patents
  title filed under that subclass (subclasses with 3–60 such patents).
For each source the documents are indexed by the product's lexical index (in memory) and each query is searched by
the product's first stage (`FulltextIndex.candidates`, RANKER_DEPTH candidates); every candidate gets FEATURES and
the label 1 if it is the query's source record. LambdaRank (LightGBM) learns from 80 % of the queries (by crc32 of
the query id); PARAMS and ROUNDS were chosen on the other 20 % (nDCG@10), never on a benchmark.
`--write` saves the model to `src/techbridge/data/ranker/model.txt`.
"""

from __future__ import annotations

import argparse
import csv
import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from techbridge.config import get_settings
from techbridge.search.fulltext import FulltextIndex, IndexDocument
from techbridge.search.lexical import plan_query
from techbridge.search.rerank import FEATURES, MODEL_FILE, RANKER_DEPTH, plan_features
from techbridge.search.tokenize import Segmenter

MODEL_PATH = Path(__file__).resolve().parents[1] / "src" / "techbridge" / MODEL_FILE
PARAMS: dict[str, object] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [10],
    "learning_rate": 0.1,
    "num_leaves": 7,
    "min_data_in_leaf": 20,
    "lambdarank_truncation_level": 20,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "seed": 7,
    "verbose": -1,
}
ROUNDS = 50
"""Boosting rounds; with PARAMS, the best of learning rate 0.03–0.1 × 3–31 leaves × 10–300 rounds on the training
data's held-out 20 % (`train`), before any benchmark was run with the model."""
MAX_QUERIES = 1500
"""Queries per source at most (the first by crc32 of their id), so no source dominates."""
IPC_MIN, IPC_MAX = 3, 60


@dataclass
class Source:
    """One training source: documents (key → title, body), queries (id → text) and the relevant keys of each."""

    name: str
    docs: dict[str, tuple[str, str]] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)
    relevant: dict[str, set[str]] = field(default_factory=dict)


def _crc(text: str) -> int:
    return zlib.crc32(text.encode())


def _cap(source: Source) -> Source:
    chosen = sorted(source.queries, key=_crc)[:MAX_QUERIES]
    source.queries = {q: source.queries[q] for q in chosen}
    source.relevant = {q: source.relevant[q] for q in chosen}
    return source


def bench_ickg(bench_dir: Path) -> tuple[set[str], set[str]]:
    """The ickg-patent2company corpus's company names and every patent title in its queries and corpus."""
    folder = bench_dir / "ickg-patent2company"
    rows = [json.loads(line) for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line]
    queries = [json.loads(line) for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines() if line]
    titles = {q["text"] for q in queries}
    for row in rows:
        titles.update(row["text"].split("\n")[1:])
    return {r["title"] for r in rows}, titles


def read_quads(path: Path) -> Iterable[dict[str, str]]:
    """The rows of an ICKG named-quads TSV (split, head, relation, tail, date)."""
    with path.open(encoding="utf-8") as f:
        yield from csv.DictReader(f, delimiter="\t")


def ickg_source(quads: Path, bench_dir: Path) -> Source:
    """Patent title → holding company, over the companies outside the benchmark (see the module text)."""
    bench_names, bench_titles = bench_ickg(bench_dir)
    patents: dict[str, list[str]] = defaultdict(list)
    industries: dict[str, list[str]] = defaultdict(list)
    for row in read_quads(quads):
        head, rel, tail = row["head"], row["relation"], row["tail"]
        if head in bench_names:
            continue
        if rel == "持有专利" and tail not in bench_titles and tail not in patents[head]:
            patents[head].append(tail)
        elif rel in ("涉足行业", "归属于行业") and tail not in industries[head]:
            industries[head].append(tail)
    source = Source("ickg")
    for n, (company, titles) in enumerate(sorted(patents.items())):
        key = f"co-{n}"
        query = min(titles, key=_crc) if len(titles) >= 2 else None
        others = [t for t in titles if t != query]
        source.docs[key] = (company, "\n".join(["；".join(sorted(industries[company])), *others]))
        if query is not None:
            source.queries[f"ickg-{n}"] = query
            source.relevant[f"ickg-{n}"] = {key}
    return _cap(source)


def nsfc_source(experts: Path) -> Source:
    """NSFC project title → its PI, described by institution and other project titles."""
    source = Source("nsfc")
    with experts.open(encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f)):
            titles = [t for t in dict.fromkeys(row["project_titles"].split("；")) if t]
            key = f"pi-{n}"
            query = min(titles, key=_crc) if len(titles) >= 2 else None
            others = [t for t in titles if t != query]
            source.docs[key] = (row["pi_name"], "\n".join([row["institution"], *others]))
            if query is not None:
                source.queries[f"nsfc-{n}"] = query
                source.relevant[f"nsfc-{n}"] = {key}
    return _cap(source)


def ipc_head(title: str) -> str:
    """An IPC title up to its first 「；」 or 「（」 (the subclass's main subject)."""
    for mark in ("；", "（", "("):
        title = title.split(mark, 1)[0]
    return title.strip()


def ipc_source(patents: Path, ipc_titles: Path) -> Source:
    """IPC subclass title head → the cn_patents titles filed under that subclass."""
    with ipc_titles.open(encoding="utf-8") as f:
        heads = {r["code"]: ipc_head(r["title"]) for r in csv.DictReader(f) if r["level"] == "subclass"}
    source = Source("ipc")
    holders: dict[str, set[str]] = defaultdict(set)
    with patents.open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            key = f"cn-{row['dataset_row']}"
            source.docs[key] = (row["patent_title"], "")
            for code in row["true_subclasses_all"].split("|"):
                holders[code].add(key)
    for code, keys in sorted(holders.items()):
        if IPC_MIN <= len(keys) <= IPC_MAX and len(heads.get(code, "")) >= 2:
            source.queries[f"ipc-{code}"] = heads[code]
            source.relevant[f"ipc-{code}"] = keys
    return _cap(source)


@dataclass
class Examples:
    """Feature rows with labels, grouped by query (LightGBM's `group`), and each group's query id."""

    features: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    qids: list[str] = field(default_factory=list)


def source_examples(source: Source, segmenter: Segmenter, out: Examples) -> None:
    """Index the source's documents, search each query with the product's first stage, add its candidates'
    features and labels (queries whose candidates are all relevant or all not are skipped: no order to learn)."""
    index = FulltextIndex(None, segmenter)
    index.upsert(IndexDocument(key=k, title=t, body=b) for k, (t, b) in source.docs.items())
    for qid, text in source.queries.items():
        plan = plan_query(text, segmenter)
        found = index.candidates(plan, None, RANKER_DEPTH)
        labels = np.array([float(k in source.relevant[qid]) for k in found.keys])
        if not len(labels) or labels.min() == labels.max():
            continue
        feats = plan_features(plan, found.texts, found.first_stage, found.scores, found.doc_freq, found.n_docs)
        out.features.append(feats)
        out.labels.append(labels)
        out.qids.append(qid)


def lexical_ndcg(examples: Examples, picks: list[int], preds: list[np.ndarray] | None) -> float:
    """Mean nDCG@10 of the chosen groups, ordered by the predictions (or the first stage's order)."""
    total = 0.0
    for n, g in enumerate(picks):
        labels = examples.labels[g]
        order = np.argsort(-preds[n], kind="stable") if preds is not None else np.arange(len(labels))
        gains = labels[order][:10] / np.log2(np.arange(2, min(10, len(labels)) + 2))
        ideal = np.sort(labels)[::-1][:10] / np.log2(np.arange(2, min(10, len(labels)) + 2))
        total += float(gains.sum() / ideal.sum())
    return total / max(len(picks), 1)


def train(examples: Examples) -> tuple[str, dict[str, float]]:
    """LambdaRank on 80 % of the queries; rounds chosen by nDCG@10 on the rest. Returns the model text and the
    held-out figures (first stage against the model)."""
    import lightgbm

    held = [i for i, q in enumerate(examples.qids) if _crc(q) % 5 == 0]
    fit = [i for i, q in enumerate(examples.qids) if _crc(q) % 5 != 0]

    def dataset(picks: list[int]) -> Any:
        return lightgbm.Dataset(
            np.vstack([examples.features[i] for i in picks]),
            np.concatenate([examples.labels[i] for i in picks]),
            group=[len(examples.labels[i]) for i in picks],
            feature_name=list(FEATURES),
        )

    booster = lightgbm.train(PARAMS, dataset(fit), num_boost_round=ROUNDS)
    preds = [np.asarray(booster.predict(examples.features[i], num_threads=1)) for i in held]
    figures = {
        "held-out queries": float(len(held)),
        "first stage nDCG@10": lexical_ndcg(examples, held, None),
        "ranker nDCG@10": lexical_ndcg(examples, held, preds),
    }
    return str(booster.model_to_string()), figures


def build_sources(data_dir: Path, bench_dir: Path) -> list[Source]:
    """The three training sources from the shared data folder."""
    return [
        ickg_source(data_dir / "ickg" / "derived" / "ICKG25_named_quads.tsv", bench_dir),
        nsfc_source(data_dir / "nsfc_mgmt_projects" / "derived" / "experts_all.csv"),
        ipc_source(
            data_dir / "cn_patents" / "lxingy3_ipc_titles" / "oof_predictions.csv",
            data_dir / "ipc_zh_2026" / "ipc_zh_2026_01.csv",
        ),
    ]


def main() -> None:
    """Build the training data, train, print the held-out figures (and write the model)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    parser.add_argument("--bench-dir", type=Path, default=get_settings().data_dir.parent / "bench")
    parser.add_argument("--write", action="store_true", help=f"save the model to {MODEL_FILE}")
    args = parser.parse_args()
    segmenter, examples = Segmenter(), Examples()
    for source in build_sources(args.data_dir, args.bench_dir):
        before = len(examples.qids)
        source_examples(source, segmenter, examples)
        print(
            f"{source.name}: {len(source.docs)} documents, {len(source.queries)} queries, "
            f"{len(examples.qids) - before} with a relevant candidate among others"
        )
    text, figures = train(examples)
    for name, value in figures.items():
        print(f"{name}: {value:.3f}")
    if args.write:
        MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
        MODEL_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()
