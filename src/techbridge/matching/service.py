"""Matching services other packages call: ad-hoc text ranking and saving a need as a demand."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.errors import InvalidDataError, PermissionDeniedError
from techbridge.models import Demand, DemandStatus, Visibility
from techbridge.search.lexical import InMemoryLexical, matched_terms, plan_query
from techbridge.search.tokenize import default_segmenter

DEMAND_TITLE_CHARS = 60


@dataclass(frozen=True)
class RankedText:
    """One candidate of `rank_texts`: its key, its lexical score (0 = no overlap) and the query terms it contains."""

    key: str
    score: float
    matched_terms: list[str]


def rank_texts(*, query: str, candidates: list[tuple[str, str]], top_k: int = 50) -> list[RankedText]:
    """Rank (key, text) candidates by fielded BM25 similarity to `query`; no database needed.

    Every candidate is returned (up to top_k), best first; ties and zero scores keep the candidates' order.
    The first line of a candidate text is treated as its title.
    """
    if not candidates or top_k <= 0:
        return []
    segmenter = default_segmenter()
    docs = [_split_title(text) for _, text in candidates]
    plan = plan_query(query, segmenter)
    scores = InMemoryLexical(docs, segmenter).score(plan) if not plan.is_empty else [0.0] * len(docs)
    order = sorted(range(len(candidates)), key=lambda i: (-float(scores[i]), i))[:top_k]
    return [
        RankedText(
            key=candidates[i][0],
            score=round(float(scores[i]), 6),
            matched_terms=matched_terms(plan, *docs[i]) if scores[i] > 0 else [],
        )
        for i in order
    ]


def _split_title(text: str) -> tuple[str, str]:
    head, _, rest = text.partition("\n")
    return (head, rest) if rest else ("", head)


def save_demand(
    *, session: Session, viewer: Viewer, text: str, enterprise_id: int | None = None, region_code: str | None = None
) -> Demand:
    """Store a typed need as an open Demand owned by the signed-in viewer (visible to registered users)."""
    if not viewer.is_authenticated:
        raise PermissionDeniedError("sign in to save a demand", message_zh="请先登录再保存需求")
    clean = " ".join(text.split())
    if len(clean) < 2:
        raise InvalidDataError("describe the need first", location=("q",), message_zh="请先描述您的技术需求")
    demand = Demand(
        title=clean[:DEMAND_TITLE_CHARS],
        description=text.strip(),
        field_tags=[],
        status=DemandStatus.OPEN,
        enterprise_id=enterprise_id or viewer.organization_id,
        region_code=region_code,
        owner_id=viewer.user_id,
        visibility=Visibility.REGISTERED,
        source_dataset="portal",
    )
    session.add(demand)
    session.flush()
    return demand
