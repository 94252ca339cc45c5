"""The indexer: the one process per host that writes the search index, fed by the outbox.

Web workers (any number, on any host) only insert outbox events with their records and read the index; the
indexer applies the events in batches: changed records are re-read and upserted into the active lexical version
(tantivy readers in the workers reload on commit), deleted ones removed with their vectors, and changed passages
embedded in short transactions. A refresh event (an import) builds a new lexical version, which the workers
switch to through `CURRENT`. Between outbox batches it embeds the backlog of passages without vectors. Each
version records the outbox position it reflects, so after a restart the indexer of each host catches up alone.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.db import session_scope
from techbridge.errors import JobBusyError
from techbridge.jobs import embedder as jobs_embedder
from techbridge.jobs.outbox import Op, OutboxReader, request_refresh
from techbridge.jobs.process import single_instance
from techbridge.jobs.queries import count_events_after, latest_event_id
from techbridge.matching import build, queries
from techbridge.models import OutboxEvent
from techbridge.search import index as artifacts
from techbridge.search.embed import Embedder
from techbridge.search.fulltext import IndexDocument

LOG = logging.getLogger(__name__)
LOCK_FILE = "indexer.lock"
"""The file in `index_dir` the indexer holds while it runs (`lock_path`): one index writer per host."""


def lock_path(settings: Settings) -> Path:
    """The lock of this host's index writer (the indexer, and `techbridge search build`)."""
    return settings.index_dir / LOCK_FILE


class CurrentVersionCursor:
    """The cursor of this host's search index: the outbox position of the active lexical version."""

    def __init__(self, settings: Settings) -> None:
        self.index_dir = settings.index_dir

    def load(self) -> int:
        """The active version's position (0 before the first build)."""
        info = artifacts.current_version(self.index_dir, build.LEXICAL)
        return artifacts.read_position(info.path) if info else 0

    def save(self, position: int) -> None:
        """Record the position in the active version."""
        info = artifacts.current_version(self.index_dir, build.LEXICAL)
        if info is not None:
            artifacts.write_position(info.path, position)


@dataclass
class IndexerReport:
    """What a run did."""

    events: int = 0
    records: int = 0
    rebuilds: int = 0
    passages: int = 0
    failures: int = 0


def needs_rebuild(settings: Settings) -> bool:
    """Whether there is no lexical version yet, one of an older token format, or one ahead of the outbox (the
    database was restored from a backup or replaced: the index reflects another state)."""
    info = artifacts.current_version(settings.index_dir, build.LEXICAL)
    if info is None or not build.is_current_format(info):
        return True
    with session_scope(settings.database_url) as session:
        return artifacts.read_position(info.path) > latest_event_id(session)


def rebuild(settings: Settings, progress: build.Progress | None = None) -> tuple[str, int]:
    """A new lexical version from the registry, made current (readers switch to it); returns (version, documents).
    The caller holds the index writer's lock (`run_indexer`, or `rebuild_or_queue`)."""
    with session_scope(settings.database_url) as session:
        return build.rebuild_lexical(session, settings, progress=progress)


def rebuild_or_queue(settings: Settings, progress: build.Progress | None = None) -> tuple[str, int] | None:
    """`techbridge search build`: rebuild now under the index writer's lock, returning (version, documents); when
    this host's indexer holds the lock, queue a refresh event instead (it rebuilds next) and return None. A build
    beside the indexer would let the indexer record its position in the new version, past events the new version
    never read."""
    try:
        with single_instance(lock_path(settings), "indexer"):
            return rebuild(settings, progress)
    except JobBusyError:
        with session_scope(settings.database_url) as session:
            request_refresh(session=session)
        return None


def rebuild_for(settings: Settings, reader: OutboxReader, report: IndexerReport) -> None:
    """Rebuild, then tell the reader that the events the new version reflects are done."""
    rebuild(settings)
    report.rebuilds += 1
    with session_scope(settings.database_url) as session:
        reader.mark_reflected(session)


def changed_ids(events: list[OutboxEvent]) -> dict[str, list[int]]:
    """The ids each searchable entity type has events for (other entities are not indexed)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.entity in build.SEARCHABLE and event.record_id is not None:
            ids[event.entity].add(event.record_id)
    return {entity: sorted(found) for entity, found in ids.items()}


def with_holders(session: Session, ids: dict[str, list[int]]) -> dict[str, list[int]]:
    """The enterprises and experts holding the changed achievements (their documents list its title), beyond the
    records the events name; a missing holder is simply not re-read."""
    org_ids, expert_ids = queries.holders_of_achievements(session, ids.get("achievement", []))
    extra = {"enterprise": org_ids, "expert": expert_ids}
    return {entity: sorted(set(found) - set(ids.get(entity, []))) for entity, found in extra.items() if found}


def apply_changes(settings: Settings, embedder: Embedder | None, ids: dict[str, list[int]]) -> int:
    """Re-read the records, upsert them (or remove the missing ones) in the index and embed their changed passages;
    returns how many records were handled."""
    index = build.open_lexical(settings)
    if index is None:
        return 0
    docs: list[IndexDocument] = []
    gone: list[str] = []
    with session_scope(settings.database_url) as session:
        holders = with_holders(session, ids)
        for entity, entity_ids in ids.items():
            found = build.documents_for(session, entity, entity_ids)
            keys = {d.key for d in found}
            docs.extend(found)
            gone.extend(k for k in (f"{entity}:{i}" for i in entity_ids) if k not in keys)
        docs.extend(
            d for entity, entity_ids in holders.items() for d in build.documents_for(session, entity, entity_ids)
        )
    index.upsert(docs, commit=False)
    index.delete(gone)  # commits the upserts too
    if gone:
        with session_scope(settings.database_url) as session:
            queries.delete_vectors(session, gone)
    if embedder is not None:
        jobs_embedder.embed_batch(settings.database_url, docs, embedder)
    return len(docs) + len(gone)


def sync_outbox(settings: Settings, embedder: Embedder | None, reader: OutboxReader, report: IndexerReport) -> int:
    """Apply one batch of pending events (a rebuild first when the index is missing or outdated, or when a refresh
    is pending); returns how many events were applied (0: nothing to do)."""
    if needs_rebuild(settings):
        rebuild_for(settings, reader, report)
    with session_scope(settings.database_url) as session:
        events = reader.pending(session, settings.indexer_batch)
    if not events:
        return 0
    if any(e.op == Op.REFRESH for e in events):
        rebuild_for(settings, reader, report)  # the new version's position covers the events committed before it
        return len(events)
    report.records += apply_changes(settings, embedder, changed_ids(events))
    reader.mark_done(events)
    report.events += len(events)
    return len(events)


def run_indexer(
    *,
    settings: Settings,
    embedder: Embedder | None,
    once: bool = False,
    should_stop: Callable[[], bool] = jobs_embedder.never,
    sleep: Callable[[float], None] = time.sleep,
) -> IndexerReport:
    """Keep the index up to date: outbox batches first, the embedding backlog in between, then wait for events.

    With `once`, stop when the outbox and the backlog are done (a cron job, or catching up after a restore).
    Without an embedder only the lexical index is kept: vectors live in the shared database, so with several
    hosts one indexer embeds and the others pass None.
    """
    report = IndexerReport()
    with single_instance(lock_path(settings), "indexer"):  # a second writer would race this one's position file
        _loop(settings, embedder, report, once=once, should_stop=should_stop, sleep=sleep)
    return report


def _loop(
    settings: Settings,
    embedder: Embedder | None,
    report: IndexerReport,
    *,
    once: bool,
    should_stop: Callable[[], bool],
    sleep: Callable[[float], None],
) -> None:
    """Outbox batches first, the embedding backlog in between, then wait (or stop, with `once`). A step failing in
    the database (locked past the busy timeout by a long import) is logged and retried after the poll interval:
    its events were not marked done, and the backlog starts over, skipping what is embedded."""
    reader = OutboxReader(CurrentVersionCursor(settings))
    backlog: Iterator[list[IndexDocument]] | None = None
    rebuilds = -1
    while not should_stop():
        try:
            if sync_outbox(settings, embedder, reader, report):
                continue
            if embedder is not None and rebuilds != report.rebuilds:  # first pass, or rebuilt: embed what changed
                rebuilds = report.rebuilds
                backlog = jobs_embedder.iter_document_batches(settings.database_url, settings.embed_batch)
            docs = next(backlog, None) if backlog is not None else None
            if docs is not None and embedder is not None:
                report.passages += jobs_embedder.embed_batch(settings.database_url, docs, embedder)
                continue
        except DBAPIError as exc:
            report.failures += 1
            rebuilds, backlog = -1, None
            LOG.warning("indexer: step failed, retried in %s s: %s", settings.indexer_poll_seconds, exc.orig)
            sleep(settings.indexer_poll_seconds)
            continue
        backlog = None
        if once:
            break
        sleep(settings.indexer_poll_seconds)


def indexer_status(settings: Settings) -> dict[str, object]:
    """This host's index position against the outbox: how many events the indexer still has to apply."""
    position = CurrentVersionCursor(settings).load()
    with session_scope(settings.database_url) as session:
        latest, behind = latest_event_id(session), count_events_after(session, position)
    info = artifacts.current_version(settings.index_dir, build.LEXICAL)
    return {
        "index_dir": str(settings.index_dir),
        "lexical_version": info.version if info else None,
        "position": position,
        "latest_event": latest,
        "behind": behind,
    }
