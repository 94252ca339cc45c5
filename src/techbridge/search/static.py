"""The domain static embedding: word and character-bigram vectors trained on the registry's own text.

A text's vector is the weighted mean of its tokens' vectors (rjieba words and character bigrams, the product's
segmenter; weights a / (a + p(token)), smooth inverse frequency: Arora et al. 2017, "A simple but tough-to-beat
baseline for sentence embeddings"), L2-normalised. The vectors are a truncated SVD of the positive pointwise mutual
information of tokens found in the same sentence or title (Levy, Goldberg & Dagan 2015, "Improving distributional
similarity with lessons learned from word embeddings"), built by `python -m bench.train_static --write` into
`data/static/` (see its SOURCE.md). `fuse_static` adds the cosine to the lexical scores of the top candidates.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from techbridge.search.lexical import QueryPlan, normalized_document
from techbridge.search.tokenize import Segmenter, normalize_text, normalized_char_bigrams

MODEL_DIR = "data/static"
"""The model folder inside the techbridge package."""
VOCAB_FILE = "vocab.txt"
VECTORS_FILE = "vectors.npy"
SIF_A = 1e-3
"""The smooth-inverse-frequency constant a of the token weights a / (a + p(token))."""
STATIC_DEPTH = 100
"""Lexical candidates reordered by the fusion (the first stage's top; recall@100 is 0.90–0.95 on the benchmarks)."""
STATIC_WEIGHT = 0.2
"""Weight of the cosine against the lexical score divided by the best candidate's (chosen on the natural-needs
`tune` half and the benchmarks' dev queries: docs/benchmarks.md, "Retrieval quality")."""
DOC_CACHE_SIZE = 20_000
"""Candidate vectors kept per index (`DocVectors`): float32 rows of 512 bytes, about 10 MB."""


def static_tokens(norm: str, segmenter: Segmenter) -> list[str]:
    """The tokens a vector is made of: the segmenter's words of two or more characters and the character bigrams of
    already normalised text (the same function for training, documents and queries)."""
    words = [w for w in segmenter.tokenize_normalized(norm) if len(w) > 1]
    return words + normalized_char_bigrams(norm)


@dataclass(frozen=True)
class StaticModel:
    """Token → row of `vectors` (unit rows, float32) and each token's SIF weight."""

    index: dict[str, int]
    vectors: np.ndarray
    weights: np.ndarray

    def embed_tokens(self, tokens: Sequence[str]) -> np.ndarray:
        """The unit-length weighted mean of the known tokens' vectors (zeros when none is known)."""
        rows = [i for i in map(self.index.get, tokens) if i is not None]
        if not rows:
            return np.zeros(self.vectors.shape[1], dtype=np.float32)
        ids = np.asarray(rows)
        vector = self.weights[ids] @ self.vectors[ids]
        norm = float(np.linalg.norm(vector))
        return np.asarray(vector / norm if norm > 0 else vector, dtype=np.float32)

    def embed(self, text: str, segmenter: Segmenter) -> np.ndarray:
        """The vector of one text."""
        return self.embed_tokens(static_tokens(normalize_text(text), segmenter))


def read_model(vocab_text: str, vectors_raw: bytes) -> StaticModel:
    """A model from its two files: `token<TAB>count` lines and an int8 .npy matrix, one row per line."""
    tokens, counts = [], []
    for line in vocab_text.splitlines():
        token, _, count = line.rpartition("\t")
        tokens.append(token)
        counts.append(int(count))
    matrix = np.load(io.BytesIO(vectors_raw)).astype(np.float32)
    if matrix.shape[0] != len(tokens):
        raise ValueError(f"{len(tokens)} tokens but {matrix.shape[0]} vectors")
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    frequency = np.asarray(counts, dtype=np.float64) / max(sum(counts), 1)
    weights = (SIF_A / (SIF_A + frequency)).astype(np.float32)
    return StaticModel({t: i for i, t in enumerate(tokens)}, matrix, weights)


@functools.cache
def load_static_model() -> StaticModel:
    """The shipped model (read once per process)."""
    files = importlib.resources.files("techbridge").joinpath(MODEL_DIR)
    return read_model(
        (files / VOCAB_FILE).read_text(encoding="utf-8"),
        (files / VECTORS_FILE).read_bytes(),
    )


def query_tokens(plan: QueryPlan) -> list[str]:
    """The tokens of a need's vector: its words of two or more characters and its full-weight character grams
    (boilerplate words are already out of the plan; boilerplate and modifier grams, weighted down there, left out)."""
    return [w for w in plan.words if len(w) > 1] + [g for g in plan.grams if plan.weight(g) >= 1.0]


class DocVectors:
    """Vectors of candidate texts, computed on first use and kept for the last DOC_CACHE_SIZE texts."""

    def __init__(self, model: StaticModel, segmenter: Segmenter) -> None:
        self.model = model
        self.segmenter = segmenter
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vector(self, title: str, body: str) -> np.ndarray:
        """The vector of one candidate's title and stored body."""
        key = (title, body)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        vector = self.model.embed_tokens(static_tokens(" ".join(normalized_document(title, body)), self.segmenter))
        with self._lock:
            self._cache[key] = vector
            if len(self._cache) > DOC_CACHE_SIZE:
                self._cache.popitem(last=False)
        return vector

    def clear(self) -> None:
        """Forget every cached vector."""
        with self._lock:
            self._cache.clear()

    def rerank(self, plan: QueryPlan, docs: Sequence[tuple[str, str]], scores: np.ndarray) -> np.ndarray:
        """`fuse_static` of the candidates with STATIC_WEIGHT (scores unchanged when the need has no known token)."""
        query = self.model.embed_tokens(query_tokens(plan))
        if not docs or not query.any():
            return scores
        matrix = np.stack([self.vector(title, body) for title, body in docs])
        return fuse_static(scores, query, matrix, STATIC_WEIGHT)


def fuse_static(scores: np.ndarray, query: np.ndarray, docs: np.ndarray, weight: float) -> np.ndarray:
    """Lexical scores divided by the best one, plus `weight` × cosine of the query and each document vector."""
    if scores.size == 0:
        return scores
    top = float(scores.max())
    base = scores / top if top > 0 else scores
    return np.asarray(base + weight * (docs @ query), dtype=np.float64)
