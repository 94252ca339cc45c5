"""BM25 scoring in memory: the formula, and a small inverted index over token lists.

Used for the reference baseline of the benchmarks, for ad-hoc candidate sets (`rank_texts`) and as the
hand-checkable definition the tantivy index must agree with. Formula: Robertson & Zaragoza, "The Probabilistic
Relevance Framework: BM25 and Beyond" (2009), eq. 3.15, with Lucene's non-negative idf
ln(1 + (N − df + 0.5) / (df + 0.5)) (Lucene `BM25Similarity`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BM25Params:
    """Term-frequency saturation k1 and length normalisation b."""

    k1: float = 1.2
    b: float = 0.75


def bm25_idf(n_docs: int, df: int) -> float:
    """Lucene's BM25 idf: ln(1 + (N − df + 0.5) / (df + 0.5))."""
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def bm25_term(tf: float, doc_len: float, avg_len: float, idf: float, params: BM25Params) -> float:
    """One term's contribution: idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))."""
    norm = params.k1 * (1.0 - params.b + params.b * doc_len / avg_len) if avg_len > 0 else params.k1
    return idf * tf * (params.k1 + 1.0) / (tf + norm)


class InMemoryBM25:
    """An inverted index over token lists with vectorised BM25 scoring."""

    def __init__(self, docs: Sequence[Sequence[str]], params: BM25Params | None = None) -> None:
        self.params = params or BM25Params()
        self.n_docs = len(docs)
        self.lengths = np.array([len(d) for d in docs], dtype=np.float64)
        self.avg_len = float(self.lengths.mean()) if self.n_docs else 0.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for row, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(row)
                tfs.append(tf)
        self._postings = {
            t: (np.array(i, dtype=np.int64), np.array(f, dtype=np.float64)) for t, (i, f) in postings.items()
        }

    def df(self, term: str) -> int:
        """Number of documents containing `term`."""
        posting = self._postings.get(term)
        return 0 if posting is None else len(posting[0])

    def score(self, query: Sequence[str], weights: Sequence[float] | None = None) -> Scores:
        """BM25 score of every document for the query terms (each distinct term counted once, optionally weighted)."""
        scores = np.zeros(self.n_docs, dtype=np.float64)
        k1, b = self.params.k1, self.params.b
        norm = k1 * (1.0 - b + b * self.lengths / self.avg_len) if self.avg_len > 0 else None
        seen: set[str] = set()
        for index, term in enumerate(query):
            posting = self._postings.get(term)
            if posting is None or term in seen or norm is None:
                continue
            seen.add(term)
            ids, tfs = posting
            weight = 1.0 if weights is None else weights[index]
            idf = bm25_idf(self.n_docs, len(ids))
            scores[ids] += weight * idf * tfs * (k1 + 1.0) / (tfs + norm[ids])
        return scores

    def matched_terms(self, query: Sequence[str], row: int, doc: Sequence[str]) -> list[str]:
        """Query terms present in document `row` (whose tokens are `doc`), in query order."""
        present = set(doc)
        return [t for t in dict.fromkeys(query) if t in present]
