"""Explanations and structured re-ranking: local preference, field and IPC overlap, recency, TRL, similarity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.config import Settings
from techbridge.matching import queries
from techbridge.matching.schemas import MatchHit, Reason
from techbridge.models import Achievement, Expert, Organization
from techbridge.search.hybrid import DENSE_FLOOR, Hit

IPC_OVERLAP_BONUS = 0.10
"""Per shared IPC subclass (first 4 characters), counted at most IPC_OVERLAP_CAP times."""
IPC_OVERLAP_CAP = 2
FIELD_OVERLAP_BONUS = 0.05
RECENCY_BONUS = 0.05
"""Given in full to this year's achievements, falling linearly to 0 over RECENCY_YEARS."""
RECENCY_YEARS = 10
RECENT_YEARS = 2
SNIPPET_CHARS = 160
MODELS: dict[str, Any] = {"achievement": Achievement, "enterprise": Organization, "expert": Expert}


@dataclass(frozen=True)
class RankContext:
    """What the structured signals compare against: the home region and the source's fields and IPC codes."""

    settings: Settings
    fields: set[str]
    ipc: set[str]


def is_local(region_code: str | None, home: str) -> bool:
    """Whether a region code lies inside the home region (prefix match)."""
    return bool(region_code) and str(region_code).startswith(home)


def _record_region(record: Any) -> str | None:
    return getattr(record, "region_code", None) or getattr(record, "province_code", None)


def structured_reasons(record: Any, hit: Hit, context: RankContext) -> tuple[float, list[Reason]]:
    """Bonus and reasons from the record's structured facts."""
    bonus, reasons = 0.0, []
    if hit.matched_terms:
        reasons.append(Reason("terms", {"terms": "、".join(hit.matched_terms[:6])}))
    if hit.semantic is not None and hit.semantic >= DENSE_FLOOR:
        reasons.append(Reason("semantic", {"similarity": round(hit.semantic * 100)}))
    if is_local(_record_region(record), context.settings.region_code):
        bonus += context.settings.local_boost
        reasons.append(Reason("local", {"region": _record_region(record)}))
    shared_fields = sorted(context.fields.intersection(getattr(record, "field_tags", None) or []))
    if shared_fields:
        bonus += FIELD_OVERLAP_BONUS
        reasons.append(Reason("fields", {"fields": "、".join(shared_fields)}))
    shared_ipc = sorted({c[:4] for c in context.ipc} & {c[:4] for c in getattr(record, "ipc_codes", None) or []})
    if shared_ipc:
        bonus += IPC_OVERLAP_BONUS * min(len(shared_ipc), IPC_OVERLAP_CAP)
        reasons.append(Reason("ipc", {"codes": "、".join(shared_ipc)}))
    year = getattr(record, "year", None)
    if year:
        age = datetime.now(UTC).year - int(year)
        bonus += RECENCY_BONUS * max(0.0, 1.0 - age / RECENCY_YEARS)
        if age <= RECENT_YEARS:
            reasons.append(Reason("recent", {"year": year}))
    if getattr(record, "trl", None):
        reasons.append(Reason("trl", {"trl": record.trl}))
    return bonus, reasons


def _facts(record: Any) -> dict[str, Any]:
    if isinstance(record, Achievement):
        return {"kind": str(record.kind), "trl": record.trl, "year": record.year}
    if isinstance(record, Expert):
        return {"affiliation": record.affiliation_name, "fields": list(record.fields or [])}
    return {"industries": list(getattr(record, "shenwan_industries", None) or [])}


def explain_hits(session: Session, viewer: Viewer, hits: list[Hit], context: RankContext, limit: int) -> list[MatchHit]:
    """Hits → MatchHits: records re-read under the viewer's visibility, structured bonus applied, re-sorted."""
    by_entity: dict[str, list[int]] = {}
    for hit in hits:
        by_entity.setdefault(hit.entity, []).append(hit.entity_id)
    records = {
        (entity, rid): rec
        for entity, ids in by_entity.items()
        for rid, rec in queries.visible_ids(session, viewer, MODELS[entity], ids).items()
    }
    out: list[MatchHit] = []
    for hit in hits:
        record = records.get((hit.entity, hit.entity_id))
        if record is None:
            continue
        bonus, reasons = structured_reasons(record, hit, context)
        region = _record_region(record)
        out.append(
            MatchHit(
                entity=hit.entity,
                entity_id=hit.entity_id,
                title=hit.title,
                snippet=_snippet(hit.body),
                score=hit.score + bonus,
                lexical=hit.lexical,
                semantic=hit.semantic,
                matched_terms=hit.matched_terms,
                reasons=reasons,
                is_local=is_local(region, context.settings.region_code),
                region_code=region,
                facts=_facts(record),
            )
        )
    out.sort(key=lambda h: (-h.score, h.entity, h.entity_id))
    return out[:limit]


def _snippet(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"
