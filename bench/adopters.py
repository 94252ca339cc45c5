"""Achievement → likely adopters (`matching.service.likely_adopters`) against BM25, on graded lists.

The set (`bench/needs/adopters.jsonl`) is a fixed sample of the registry's public achievements: the first
PATENTS patents and PAPERS papers (titles of at least MIN_TITLE characters) in the order of sha1(kind, title), so
anyone rebuilding the registry from `../shared/data` draws the same achievements (`sample`). For each, the product's
top 10 enterprises for an anonymous visitor and a BM25 baseline's (bm25-ref over the same enterprise documents the
index holds, queried with the same text the product searches with, `service.record_query`) are scored against
`bench/needs/adopters_qrels.tsv` (achievement id, enterprise name, grade 0/1/2, graded blind by two graders, the
lower grade kept; `bench/needs/README.md` Part J). `pool` prints the shown enterprises never graded, with the texts a
grader reads.

    TECHBRIDGE_DATABASE_URL=sqlite:///…/techbridge.db TECHBRIDGE_VAR_DIR=…/var \\
        python -m bench.adopters [report --write | pool | sample]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time

import numpy as np
from sqlalchemy import select

from bench.needs_set import HERE
from bench.portal_needs import Scores, score, vector_share, versus
from bench.report import publish
from techbridge.access import ANONYMOUS
from techbridge.config import Settings, get_settings
from techbridge.db import session_scope
from techbridge.matching import build, queries, service
from techbridge.models import Achievement, Organization, Visibility
from techbridge.search.evaluate import Document, Qrels, Run, read_qrels
from techbridge.search.methods import Corpus, run_bm25_ref
from techbridge.search.tokenize import Segmenter

SECTION = "## Achievement → adopters"
SET = HERE / "adopters.jsonl"
QRELS = HERE / "adopters_qrels.tsv"
POOL = HERE / "adopters_pool.json"
PATENTS = 25
PAPERS = 15
MIN_TITLE = 8
TOP = 10
LIAONING = "21"


def sample(settings: Settings) -> list[dict[str, object]]:
    """The fixed sample: public achievements of each kind in sha1(kind, title) order, titles of MIN_TITLE or more."""
    with session_scope(settings.database_url) as session:
        rows = session.execute(
            select(Achievement.kind, Achievement.title).where(Achievement.visibility == Visibility.PUBLIC)
        ).all()
    keyed = sorted({(hashlib.sha1(f"{kind}\t{title}".encode()).hexdigest(), str(kind), title) for kind, title in rows})
    picked: list[dict[str, object]] = []
    for kind, wanted in (("patent", PATENTS), ("paper", PAPERS)):
        titles = [t for _, k, t in keyed if k == kind and len(t) >= MIN_TITLE][:wanted]
        picked += [{"kind": kind, "title": t} for t in titles]
    return [{"_id": f"ad{n:02d}", **row} for n, row in enumerate(picked, start=1)]


def read_set() -> list[dict[str, str]]:
    """The committed sample."""
    return [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def achievements_of(settings: Settings, rows: list[dict[str, str]]) -> dict[str, Achievement]:
    """Set id → the registry's achievement of that kind and title (the first, if the registry holds two)."""
    found: dict[str, Achievement] = {}
    with session_scope(settings.database_url) as session:
        for row in rows:
            achievement = session.scalars(
                select(Achievement)
                .where(Achievement.kind == row["kind"], Achievement.title == row["title"])
                .order_by(Achievement.id)
                .limit(1)
            ).first()
            if achievement is not None:
                session.expunge(achievement)
                found[row["_id"]] = achievement
    return found


def owner_names(settings: Settings, found: dict[str, Achievement]) -> dict[str, set[str]]:
    """Set id → the names of the achievement's owner organizations, which the product leaves out of its adopters
    (a holder is not its own adopter), so the baseline leaves them out too."""
    names: dict[str, set[str]] = {}
    with session_scope(settings.database_url) as session:
        for q, achievement in found.items():
            owners = queries.owner_organization_ids(session, achievement.id)
            names[q] = set(session.scalars(select(Organization.name).where(Organization.id.in_(owners))))
    return names


def portal_run(settings: Settings, found: dict[str, Achievement]) -> tuple[Run, dict[str, list[str]]]:
    """Each achievement's top 10 adopters for an anonymous visitor (enterprise names), and their regions."""
    run: Run = {}
    regions: dict[str, list[str]] = {}
    with session_scope(settings.database_url) as session:
        for query_id, achievement in found.items():
            hits = service.likely_adopters(
                session=session, settings=settings, viewer=ANONYMOUS, achievement_id=achievement.id, limit=TOP
            )
            run[query_id] = [h.title for h in hits]
            regions[query_id] = [h.region_code or "" for h in hits]
    return run, regions


def enterprise_corpus(settings: Settings) -> tuple[Corpus, dict[str, str]]:
    """The public enterprises as the index documents them, keyed by name (first of each name), and each one's
    region code (empty when unknown)."""
    docs: dict[str, Document] = {}
    regions: dict[str, str] = {}
    with session_scope(settings.database_url) as session:
        ids = queries.searchable_ids(session, "enterprise")
        for start in range(0, len(ids), 2000):
            for doc in build.documents_for(session, "enterprise", ids[start : start + 2000]):
                if "public" in doc.tags.get("visibility", []) and doc.title not in docs:
                    docs[doc.title] = Document(doc.title, doc.title, doc.body)
                    regions[doc.title] = max(doc.tags.get("region") or [""], key=len)
    return Corpus(list(docs.values()), Segmenter()), regions


def render(
    rows: dict[str, Scores], local: dict[str, float], n: int, sampled: int, vectors: tuple[int, int], command: str
) -> str:
    """The section's markdown."""
    lines = [
        SECTION,
        "",
        f"Command: `{command}` (the sampled achievements; both methods in one run on one registry).",
        "",
        f"Enterprises with passage vectors: {vectors[0]:,} of {vectors[1]:,}.",
        "",
        "| method | nDCG@10 | P@10 (grade ≥ 1) | P@10 (grade 2) | Δ nDCG@10 vs bm25-ref (95 % interval) "
        "| better / worse | unjudged in top 10 | Liaoning share of top 10 | achievements |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    base = rows["bm25-ref"]
    for method, scores in rows.items():
        delta, better = ("—", "—") if method == "bm25-ref" else versus(scores, base)
        lines.append(
            f"| {method} | {scores.mean_ndcg:.3f} | {scores.precision:.3f} | {scores.precision_2:.3f} | {delta} "
            f"| {better} | {scores.unjudged} | {local[method]:.2f} | {n} |"
        )
    lines += [
        "",
        f"{n} of the {sampled} sampled achievements have an enterprise graded ≥ 1 and are scored; the rest have no "
        "likely adopter among the enterprises either method shows.",
        "",
        "`portal` is `matching.service.likely_adopters` (the achievement page's adopters panel and "
        "`/api/match/achievements/{id}/adopters`) for an anonymous visitor: enterprises by their 主营业务, products, "
        "industries and patents, the achievement's owners left out, Liaoning enterprises raised by the structured "
        "re-rank. `bm25-ref` ranks the same public enterprise documents with the same query text "
        "(`service.record_query`: title, keywords, the abstract's start), the achievement's holders left out as "
        "the product leaves them out. Grades: 2 the enterprise makes or runs "
        "what the achievement improves (a direct adopter or licensee), 1 a related business that could plausibly "
        "use it, 0 unrelated; an enterprise outside the pool was never judged and counts as not relevant.",
    ]
    return "\n".join(lines)


def local_share(regions: dict[str, list[str]]) -> float:
    """Share of the shown enterprises located in Liaoning."""
    shown = [r for rs in regions.values() for r in rs]
    return float(np.mean([r.startswith(LIAONING) for r in shown])) if shown else 0.0


def main() -> None:
    """Print (or write) the section; `pool` prints the ungraded pairs; `sample` prints the set to commit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", choices=("report", "pool", "sample"), default="report")
    parser.add_argument("--write", action="store_true", help="write the section into docs/benchmarks.md")
    args = parser.parse_args()
    settings = get_settings()
    started = time.perf_counter()
    if args.action == "sample":
        for row in sample(settings):
            print(json.dumps(row, ensure_ascii=False))
        return
    rows = read_set()
    found = achievements_of(settings, rows)
    queries_ = {q: service.record_query(a) for q, a in found.items()}
    corpus, located = enterprise_corpus(settings)
    holders = owner_names(settings, found)
    bm25 = {q: [n for n in names if n not in holders[q]][:TOP] for q, names in run_bm25_ref(corpus, queries_).items()}
    portal, regions = portal_run(settings, found)
    if args.action == "pool":
        pool: dict[str, list[str]] = json.loads(POOL.read_text(encoding="utf-8")) if POOL.exists() else {}
        texts = {d.doc_id: " ".join(d.text.split())[:400] for d in corpus.docs}
        described = {q: " ".join(queries_[q].split())[:300] for q in found}
        for q in found:
            for name in dict.fromkeys([*portal.get(q, []), *bm25.get(q, [])]):
                if name not in pool.get(q, []):
                    print(f"{q}\t{described[q]}\t{name}\t{texts.get(name, '')}")
        return
    qrels: Qrels = read_qrels(QRELS)
    pool = json.loads(POOL.read_text(encoding="utf-8"))
    judged = {q: grades for q, grades in qrels.items() if q in found and max(grades.values(), default=0) > 0}
    results = {"bm25-ref": score(bm25, judged, pool), "portal": score(portal, judged, pool)}
    bm25_regions = {q: [located.get(name, "") for name in names] for q, names in bm25.items()}
    local = {"bm25-ref": local_share(bm25_regions), "portal": local_share(regions)}
    command = "nice .venv/bin/python -m bench.adopters --write"
    text = render(results, local, len(judged), len(found), vector_share(settings, "enterprise"), command)
    publish(SECTION, text, started=started, write=args.write)


if __name__ == "__main__":
    main()
