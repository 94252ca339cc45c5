"""Search mechanics: tokenizer, lexical index, embedder, vector index, fusion, index artifacts, metrics.

`index_achievement` refreshes one achievement in the active index in the caller's process (tests, scripts); the
portal no longer calls it: registry writes go through the outbox to `techbridge indexer run` (see jobs.indexer).
"""

from __future__ import annotations

from typing import Any


def index_achievement(*, session: Any, achievement_id: int, **options: Any) -> bool:
    """Refresh one achievement in the active index; delegates to `techbridge.matching.build.index_achievement`."""
    from techbridge.matching.build import index_achievement as hook

    return hook(session=session, achievement_id=achievement_id, **options)
