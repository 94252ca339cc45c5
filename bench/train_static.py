"""Train the domain static embedding (`search.static`) on the registry's own text: PPMI co-occurrence → truncated SVD.

    TECHBRIDGE_DATA_DIR=/work/shared/data nice .venv/bin/python -m bench.train_static [--data-dir D] [--write]

Text units (each a sentence, a title or a short structural group; `training_units`), read only from the files of
`SOURCES` under the data folder, never from `../bench/*` and never from any keyword field (the CSL author keywords
are the csl-keyword labels): CSL titles and abstract sentences (each sentence its own unit, so a need clause of the
natural-needs set never meets the rest of its paper), FewCLUE CSL abstract sentences, cn_patents titles with the
titles of their IPC subclasses, IPC titles with their parent's title, chain_kg product → product links and each
company's products, NSFC project titles, ICKG patent titles (each alone, never grouped by holder) and
product/industry links. Tokens are `search.static.static_tokens`; the vocabulary keeps the MAX_VOCAB most frequent
tokens seen in at least MIN_COUNT units; two tokens co-occur when they share a unit. The positive PMI (context
counts smoothed by ^0.75) is factorised by ARPACK with a fixed start vector and seed; rows are U·√S, unit length, stored
int8. One thread and fixed inputs make `--write` byte for byte reproducible.
"""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # after the thread limits above: BLAS reads them when numpy loads
from scipy import sparse
from scipy.sparse.linalg import svds

from techbridge.config import get_settings
from techbridge.imports.readers import read_csv, read_jsonl
from techbridge.search.static import MODEL_DIR, VECTORS_FILE, VOCAB_FILE, static_tokens
from techbridge.search.tokenize import Segmenter, normalize_text

MAX_VOCAB = 50_000
MIN_COUNT = 5
DIM = 128
CONTEXT_SMOOTHING = 0.75
MAX_GROUP = 30
"""Products of one company kept in its unit (by revenue weight)."""
SOURCES = {
    "csl": "csl/derived/csl_benchmark_2000.jsonl",
    "csl_titles": "csl/derived/csl_train_titles_8000.tsv",
    "fewclue_csldcp": "fewclue_csl/csldcp",
    "fewclue_csl": "fewclue_csl/csl",
    "cn_patents": "cn_patents/lxingy3_ipc_titles/oof_predictions.csv",
    "ipc": "ipc_zh_2026/ipc_zh_2026_01.csv",
    "products": "chain_kg/derived/product_product.jsonl",
    "company_products": "chain_kg/derived/company_product.jsonl",
    "nsfc": "nsfc_mgmt_projects/derived/nsfc_g_projects.csv",
    "ickg": "ickg/derived/ICKG25_named_quads.tsv",
}
ICKG_LINKS = ("包含", "供给", "上游于", "基于专利生产")
SENTENCE_END = re.compile(r"[。；;！？!?]|(?<!\d)\.(?!\d)")
OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "techbridge" / MODEL_DIR


def source_paths(data_dir: Path) -> dict[str, Path]:
    """The only files (or folders of .json files) the builder reads, all under `data_dir`."""
    return {name: data_dir / rel for name, rel in SOURCES.items()}


def sentences(text: str) -> list[str]:
    """An abstract cut into sentences."""
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def csl_units(paths: dict[str, Path]) -> Iterator[str]:
    """CSL titles and abstract sentences (no keywords), FewCLUE CSL abstract sentences (no keywords)."""
    for _, row in read_jsonl(paths["csl"]):
        yield str(row["title"])
        yield from sentences(str(row["abstract"]))
    for _, row in read_csv(paths["csl_titles"], delimiter="\t"):
        yield row["title"]
    for name, field in (("fewclue_csldcp", "content"), ("fewclue_csl", "abst")):
        for path in sorted(paths[name].glob("*.json")):
            for _, row in read_jsonl(path):
                yield from sentences(str(row[field]))


def ipc_titles(path: Path) -> dict[str, tuple[str, str]]:
    """IPC code → (title, parent code)."""
    return {row["code"]: (row["title"], row["parent"]) for _, row in read_csv(path)}


def patent_units(paths: dict[str, Path]) -> Iterator[str]:
    """cn_patents titles with their subclasses' titles; IPC titles with their parent's; ICKG patent titles."""
    ipc = ipc_titles(paths["ipc"])
    for _, row in read_csv(paths["cn_patents"]):
        subclasses = [ipc[c][0] for c in row["true_subclasses_all"].split("|") if c in ipc]
        yield " ".join([row["patent_title"], *subclasses])
    for title, parent in ipc.values():
        yield f"{title} {ipc[parent][0]}" if parent in ipc else title
    for _, row in read_csv(paths["ickg"], delimiter="\t"):
        if row["relation"] == "持有专利":
            yield row["tail"]
        elif row["relation"] in ICKG_LINKS:
            yield f"{row['head']} {row['tail']}"


def chain_units(paths: dict[str, Path]) -> Iterator[str]:
    """chain_kg product links, each company's products (heaviest first), NSFC project titles."""
    for _, row in read_jsonl(paths["products"]):
        yield f"{row['from_entity']} {row['to_entity']}"
    products: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for _, row in read_jsonl(paths["company_products"]):
        products[str(row["company_code"])].append((-float(str(row["rel_weight"] or 0)), str(row["product_name"])))
    for code in sorted(products):
        yield " ".join(name for _, name in sorted(products[code])[:MAX_GROUP])
    for _, row in read_csv(paths["nsfc"]):
        yield row["title"]


def training_units(data_dir: Path) -> Iterator[str]:
    """Every text unit, in a fixed order."""
    paths = source_paths(data_dir)
    yield from csl_units(paths)
    yield from patent_units(paths)
    yield from chain_units(paths)


def tokenised_units(data_dir: Path, segmenter: Segmenter) -> list[list[str]]:
    """Each unit's distinct tokens (units with fewer than two dropped)."""
    out = []
    for unit in training_units(data_dir):
        tokens = list(dict.fromkeys(static_tokens(normalize_text(unit), segmenter)))
        if len(tokens) > 1:
            out.append(tokens)
    return out


def build_vocabulary(units: list[list[str]]) -> list[tuple[str, int]]:
    """(token, units it occurs in), most frequent first, ties by token; at most MAX_VOCAB, each ≥ MIN_COUNT."""
    counts = Counter(t for unit in units for t in unit)
    kept = sorted(((t, c) for t, c in counts.items() if c >= MIN_COUNT), key=lambda tc: (-tc[1], tc[0]))
    return kept[:MAX_VOCAB]


def cooccurrence(units: list[list[str]], index: dict[str, int]) -> sparse.csr_matrix:
    """Token × token: units in which both occur (diagonal zero)."""
    rows, cols = [], []
    for u, unit in enumerate(units):
        ids = [index[t] for t in unit if t in index]
        rows.extend([u] * len(ids))
        cols.extend(ids)
    x = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(units), len(index)), dtype=np.float32
    )
    counts = (x.T @ x).tocsr()
    counts.setdiag(0)
    counts.eliminate_zeros()
    return counts


def ppmi(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Positive PMI with context counts raised to CONTEXT_SMOOTHING."""
    coo = counts.tocoo()
    total = float(coo.data.sum())
    row_sum = np.asarray(counts.sum(axis=1)).ravel()
    context = row_sum**CONTEXT_SMOOTHING
    context /= context.sum()
    pmi = np.log(coo.data * total / (row_sum[coo.row] * total * context[coo.col]))
    keep = pmi > 0
    return sparse.csr_matrix(
        (pmi[keep].astype(np.float32), (coo.row[keep], coo.col[keep])), shape=counts.shape, dtype=np.float32
    )


def factorise(matrix: sparse.csr_matrix) -> np.ndarray:
    """Rows U·√S of the DIM-dimensional truncated SVD, each component's sign fixed."""
    start = np.full(matrix.shape[0], 1.0 / np.sqrt(matrix.shape[0]), dtype=np.float64)
    u, s, _ = svds(matrix.astype(np.float64), k=DIM, v0=start, solver="arpack", random_state=0)
    order = np.argsort(-s)
    u, s = u[:, order], s[order]
    # the first entry of at least half the column's largest magnitude is made positive: a sign rule that float
    # noise cannot flip when two entries tie in magnitude (as "the largest entry" can)
    first = (np.abs(u) >= 0.5 * np.abs(u).max(axis=0)).argmax(axis=0)
    signs = np.sign(u[first, np.arange(u.shape[1])])
    vectors = u * signs * np.sqrt(s)
    return np.asarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))


def quantise(vectors: np.ndarray) -> np.ndarray:
    """Unit rows → int8 (scale 127 / the largest absolute entry)."""
    scale = 127.0 / float(np.abs(vectors).max())
    return np.asarray(np.clip(np.rint(vectors * scale), -127, 127).astype(np.int8))


def train(data_dir: Path) -> tuple[list[tuple[str, int]], np.ndarray]:
    """The vocabulary (token, unit count) and its int8 vectors."""
    units = tokenised_units(data_dir, Segmenter())
    vocabulary = build_vocabulary(units)
    index = {t: i for i, (t, _) in enumerate(vocabulary)}
    print(f"{len(units)} units, {len(vocabulary)} tokens")
    return vocabulary, quantise(factorise(ppmi(cooccurrence(units, index))))


def write_model(vocabulary: list[tuple[str, int]], vectors: np.ndarray, folder: Path) -> None:
    """The two model files `search.static.read_model` reads."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / VOCAB_FILE).write_text("".join(f"{t}\t{c}\n" for t, c in vocabulary), encoding="utf-8")
    with (folder / VECTORS_FILE).open("wb") as handle:
        np.save(handle, vectors, allow_pickle=False)


def main() -> None:
    """Train and print the sizes; `--write` replaces the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=get_settings().data_dir)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--write", action="store_true", help="write the model files")
    args = parser.parse_args()
    vocabulary, vectors = train(args.data_dir)
    print(f"vectors {vectors.shape} int8, {vectors.nbytes / 1e6:.1f} MB")
    if args.write:
        write_model(vocabulary, vectors, args.out)


if __name__ == "__main__":
    main()
