"""Retrieval metrics with the BEIR / pytrec_eval definitions, and BEIR-layout file readers."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from techbridge.errors import InvalidDataError

Qrels = dict[str, dict[str, int]]
Run = dict[str, list[str]]


@dataclass(frozen=True)
class Document:
    """One corpus document: id, title and text."""

    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Metrics:
    """Mean metrics over the judged queries."""

    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float
    queries: int

    def as_dict(self, method: str) -> dict[str, object]:
        """The JSON line of `techbridge eval retrieval`."""
        return {
            "method": method,
            "ndcg@10": round(self.ndcg_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "queries": self.queries,
        }


def ndcg_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gain (trec_eval `ndcg_cut`): Σ rel/log2(i+1) over the ideal ordering."""
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents found in the top k."""
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at_k(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top k (0 if none)."""
    for i, doc in enumerate(ranked[:k]):
        if judged.get(doc, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_per_query(run: Run, qrels: Qrels) -> dict[str, float]:
    """nDCG@10 of each query that has at least one relevant document (the queries `evaluate_run` averages)."""
    return {q: ndcg_at_k(run.get(q, []), docs) for q, docs in qrels.items() if any(g > 0 for g in docs.values())}


def evaluate_run(run: Run, qrels: Qrels) -> Metrics:
    """Average the three metrics over the queries that have at least one relevant document."""
    judged = [q for q, docs in qrels.items() if any(g > 0 for g in docs.values())]
    if not judged:
        return Metrics(0.0, 0.0, 0.0, 0)
    ndcg = sum(ndcg_at_k(run.get(q, []), qrels[q]) for q in judged)
    recall = sum(recall_at_k(run.get(q, []), qrels[q]) for q in judged)
    mrr = sum(mrr_at_k(run.get(q, []), qrels[q]) for q in judged)
    n = len(judged)
    return Metrics(ndcg / n, recall / n, mrr / n, n)


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InvalidDataError(
                    f"not JSON: {exc.msg}", location=(str(path), f"line {number}"), message_zh="不是合法的 JSON 行"
                ) from exc
    return rows


def read_corpus(path: Path) -> list[Document]:
    """`corpus.jsonl`: {"_id", "title", "text"} a line (metadata is ignored: it may not enter the index)."""
    return [Document(str(r["_id"]), str(r.get("title") or ""), str(r.get("text") or "")) for r in _read_jsonl(path)]


def read_queries(path: Path) -> dict[str, str]:
    """`queries.jsonl`: {"_id", "text"} a line."""
    return {str(r["_id"]): str(r.get("text") or "") for r in _read_jsonl(path)}


def read_qrels(path: Path) -> Qrels:
    """`qrels.tsv` with header `query-id corpus-id score`."""
    qrels: Qrels = {}
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        for number, row in enumerate(reader, start=1):
            if number == 1 and row and not row[-1].lstrip("-").isdigit():
                continue
            if len(row) < 3:
                raise InvalidDataError(
                    "expected query-id, corpus-id, score",
                    location=(str(path), f"line {number}"),
                    message_zh="应为 query-id、corpus-id、score 三列",
                )
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    return qrels
