"""The background embedder: every record's changed passages, embedded in short batches and resumable after a kill.

Each batch reads its records in one short session, embeds them outside any transaction, then writes the vectors
in one short transaction and commits. The database write lock is thus held for one batch's inserts (milliseconds),
never for the run, so sign-ups, saved needs and imports go on beside it; a killed run loses at most one batch, and
the next run skips every passage whose stored hash matches its text. Two embedders at once (the indexer's and
`techbridge search embed`) may embed the same passages: the later write finds the rows and overwrites them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from sqlalchemy.exc import IntegrityError

from techbridge.db import session_scope
from techbridge.matching import build, queries
from techbridge.search.embed import Embedder
from techbridge.search.fulltext import IndexDocument

Progress = Callable[[str, int, int], None]


def never() -> bool:
    """A stop test that never stops."""
    return False


EMBED_ORDER = ("achievement", "expert", "enterprise")
"""The order a full pass embeds in: a need's two answers first (achievements, then experts), the enterprises
(adopters of an achievement) last. On the real data that is 31k achievement passages, 31k expert passages (12.7k
experts) and ~76k enterprise passages (25k enterprises, ~3 each): experts would otherwise wait behind the
enterprises' ~1.7 h at ~12 passages/s."""


def iter_document_batches(
    url: str, batch: int, entities: tuple[str, ...] = EMBED_ORDER
) -> Iterator[list[IndexDocument]]:
    """Every searchable record as documents, `batch` at a time, each batch read in its own short session.

    The ids are listed once per entity type when the iteration reaches it; records added later reach the index
    through the outbox, not through this pass.
    """
    for entity in entities:
        with session_scope(url) as session:
            ids = queries.searchable_ids(session, entity)
        for start in range(0, len(ids), batch):
            with session_scope(url) as session:
                docs = build.documents_for(session, entity, ids[start : start + batch])
            yield docs


def embed_batch(url: str, docs: list[IndexDocument], embedder: Embedder) -> int:
    """Embed the documents' changed passages: read, embed with no transaction open, then one short write."""
    with session_scope(url) as session:
        plan = build.plan_embedding(session, docs, embedder.name)
    if not plan.todo and not plan.extra:
        return 0
    texts = [p.text for p in plan.todo]
    vectors = embedder.embed_passages(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    try:
        with session_scope(url) as session:
            return build.store_embeddings(session, plan, embedder, vectors)
    except IntegrityError:  # another embedder (`search embed` beside the indexer) stored some since the plan
        with session_scope(url) as session:  # those rows now exist: this write updates them in place
            return build.store_embeddings(session, plan, embedder, vectors)


@dataclass
class EmbedReport:
    """What a run did: records looked at and passages embedded (and whether it stopped before the end)."""

    records: int = 0
    passages: int = 0
    stopped: bool = False


def run_embedder(
    *,
    url: str,
    embedder: Embedder,
    batch: int = build.EMBED_BATCH,
    limit: int | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] = never,
) -> EmbedReport:
    """Embed every record whose passages changed, committing per batch; stops after `limit` passages or when
    `should_stop()` turns true between batches."""
    report = EmbedReport()
    for docs in iter_document_batches(url, batch):
        if should_stop() or (limit is not None and report.passages >= limit):
            report.stopped = True
            break
        report.passages += embed_batch(url, docs, embedder)
        report.records += len(docs)
        if progress:
            progress("embed", report.records, report.passages)
    return report
