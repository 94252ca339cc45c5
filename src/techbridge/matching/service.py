"""Matching services other packages call: ad-hoc text ranking and saving a need as a demand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer, can_read
from techbridge.config import Settings
from techbridge.errors import InvalidDataError, NotFoundError, PermissionDeniedError
from techbridge.matching import build, queries
from techbridge.matching.explain import ChainNeighbourhood, RankContext, explain_hits, load_chain_neighbourhood
from techbridge.matching.schemas import MatchFilters, MatchHit
from techbridge.matching.search import hybrid_search
from techbridge.models import Achievement, Demand, Organization, Visibility
from techbridge.registry import service as registry_service
from techbridge.registry.pickers import region_displays
from techbridge.registry.schemas import DemandCreate
from techbridge.search import crosslingual
from techbridge.search.embed import Embedder
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


def save_demand(*, session: Session, viewer: Viewer, text: str, region_code: str | None = None) -> Demand:
    """Store a typed need as an open Demand of the viewer's enterprise (through the registry's create rule)."""
    if not viewer.is_authenticated:
        raise PermissionDeniedError("sign in to save a demand", message_zh="请先登录再保存需求")
    clean = " ".join(text.split())
    if len(clean) < 2:
        raise InvalidDataError("describe the need first", location=("q",), message_zh="请先描述您的技术需求")
    data = DemandCreate(
        title=clean[:DEMAND_TITLE_CHARS],
        description=text.strip(),
        region_code=region_code,
        visibility=Visibility.REGISTERED,
    )
    return registry_service.create_demand(session=session, viewer=viewer, data=data)


def reason_regions(session: Session, hits: Iterable[MatchHit], lang: str) -> dict[str, str]:
    """Code → name in `lang` (「沈阳市 (2101)」, 「Shenyang (2101)」) of the regions the hits' reasons name, in one
    query: a page passes it to `Reason.shown_params`, the API and `--json` to `MatchHit.as_dict`."""
    return region_displays(session, {code for hit in hits for code in hit.regions()}, lang)


def hits_json(session: Session, hits: list[MatchHit], lang: str) -> list[dict[str, Any]]:
    """Hits as the API and the CLI's `--json` give them: reasons with their text in `lang`, regions named in it."""
    regions = reason_regions(session, hits, lang)
    return [hit.as_dict(lang, regions) for hit in hits]


# ---------------------------------------------------------------------------------------------------------------
# Use cases over the registry index
# ---------------------------------------------------------------------------------------------------------------

QUERY_CHARS = 600
"""Characters of a record's own text used as the query when matching from a record."""


EXPERT_MIN_COVERAGE = 0.5
"""Share of what a need is about (its object concepts weighted by idf squared, `need.object_coverage_scorer`) that
an expert's own text (fields, biography, achievements, project titles; not the name or affiliation) must cover for
the expert to be matched to the need. The registry's experts are known from their funded projects (NSFC 管理科学部),
so for most technical needs none is an expert, and without a floor every need listed the few whose project titles
share one word with it (罗茨鼓风机低频脉动噪声大 → 噪声交易者参与下的IPO溢价研究). Free-text search of experts
(`search_records`, a name) has no floor, nor have achievements: dropping weak tail hits cannot raise their nDCG@10.
`bench.expert_evidence` measures the floor on graded expert lists (docs/benchmarks.md)."""


@dataclass(frozen=True)
class DemandMatches:
    """Achievements and experts for one need."""

    query: str
    achievements: list[MatchHit]
    experts: list[MatchHit]
    indexed: bool
    cross_lingual: bool = False
    """The need is written in English (`search.crosslingual`): matched across languages when the registry has
    vectors, and the portal says that a Chinese need finds more."""

    def as_dict(self, session: Session, lang: str) -> dict[str, Any]:
        """The JSON form the API and the CLI give (`hits_json`: reasons with their text in `lang`)."""
        return {
            "query": self.query,
            "achievements": hits_json(session, self.achievements, lang),
            "experts": hits_json(session, self.experts, lang),
            "cross_lingual": self.cross_lingual,
        }


def match_need(
    *,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    text: str,
    filters: MatchFilters | None = None,
    limit: int = 10,
    embedder: Embedder | None = None,
) -> DemandMatches:
    """Demand → achievements and experts: hybrid hits with matched terms, similarity and structured reasons."""
    context = RankContext(settings=settings, fields=set(), ipc=set())
    return _match_text(session, viewer, text, context, filters=filters, limit=limit, embedder=embedder)


def _match_text(
    session: Session,
    viewer: Viewer,
    text: str,
    context: RankContext,
    *,
    filters: MatchFilters | None,
    limit: int,
    embedder: Embedder | None,
) -> DemandMatches:
    settings = context.settings
    achievements = hybrid_search(
        session, settings, viewer, text=text, entity="achievement", filters=filters, limit=limit, embedder=embedder
    )
    experts = hybrid_search(
        session,
        settings,
        viewer,
        text=text,
        entity="expert",
        filters=filters.for_entity("expert") if filters else None,
        limit=limit,
        embedder=embedder,
        min_coverage=EXPERT_MIN_COVERAGE,
    )
    return DemandMatches(
        query=text,
        achievements=explain_hits(session, viewer, achievements, context, limit),
        experts=explain_hits(session, viewer, experts, context, limit),
        indexed=build.open_lexical(settings) is not None,
        cross_lingual=crosslingual.is_cross_lingual(text),
    )


ENTITIES = ("achievement", "expert", "enterprise")


def search_records(
    *,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    text: str,
    entity: str = "achievement",
    filters: MatchFilters | None = None,
    limit: int = 10,
    embedder: Embedder | None = None,
) -> list[MatchHit]:
    """One entity type's explained hits for free text (the CLI's `search query`)."""
    if entity not in ENTITIES:
        raise InvalidDataError(
            f"unknown entity {entity!r}; choose from {', '.join(ENTITIES)}",
            location=("--entity",),
            message_zh=f"未知类型 {entity}，可选：{'、'.join(ENTITIES)}",
        )
    hits = hybrid_search(
        session, settings, viewer, text=text, entity=entity, filters=filters, limit=limit, embedder=embedder
    )
    return explain_hits(session, viewer, hits, RankContext(settings=settings, fields=set(), ipc=set()), limit)


def match_demand(
    *,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    demand_id: int,
    limit: int = 10,
    embedder: Embedder | None = None,
) -> DemandMatches:
    """A stored demand → achievements and experts (its title, description and fields are the query).

    Achievements sharing the demand's fields, and those whose owners sit on or next to the demand's enterprise in
    the chain, gain the field and chain bonuses.
    """
    demand = get_visible(session, viewer, Demand, demand_id)
    text = " ".join([demand.title, demand.description[:QUERY_CHARS], " ".join(demand.field_tags or [])])
    sources = [demand.enterprise_id] if demand.enterprise_id else []
    context = RankContext(
        settings=settings, fields=set(demand.field_tags or []), ipc=set(), chain=_chain_of(session, viewer, sources)
    )
    return _match_text(session, viewer, text, context, filters=None, limit=limit, embedder=embedder)


def demand_need(*, session: Session, viewer: Viewer, demand_id: int) -> tuple[str, str | None]:
    """What a stored demand is matched again with from the need form: its title and description (the description
    alone when it begins with the title, as a need saved from that form does), and its region."""
    demand = get_visible(session, viewer, Demand, demand_id)
    description = demand.description[:QUERY_CHARS].strip()
    if " ".join(description.split()).startswith(demand.title):
        return description, demand.region_code
    return "\n".join(part for part in (demand.title, description) if part), demand.region_code


def likely_adopters(
    *,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    achievement_id: int,
    limit: int = 10,
    embedder: Embedder | None = None,
) -> list[MatchHit]:
    """Achievement → enterprises likely to adopt it (products, industries, patents), local ones boosted."""
    achievement = get_visible(session, viewer, Achievement, achievement_id)
    owners = queries.owner_organization_ids(session, achievement_id)
    hits = hybrid_search(
        session,
        settings,
        viewer,
        text=record_query(achievement),
        entity="enterprise",
        limit=limit * 2,
        embedder=embedder,
        exclude=frozenset(f"enterprise:{o}" for o in owners),
    )
    context = RankContext(
        settings=settings,
        fields=set(achievement.field_tags or []),
        ipc=set(),
        chain=_chain_of(session, viewer, owners),
    )
    return explain_hits(session, viewer, hits, context, limit)


def recommended_achievements(
    *,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    enterprise_id: int,
    limit: int = 10,
    embedder: Embedder | None = None,
) -> list[MatchHit]:
    """Enterprise → achievements matching its products, industries and patents (not its own), local first."""
    org = get_visible(session, viewer, Organization, enterprise_id)
    rows = [r for batch in queries.iter_enterprise_rows(session, [enterprise_id]) for r in batch]
    doc = build.enterprise_document(rows[0]) if rows else None
    text = doc.body[:QUERY_CHARS] if doc and doc.body else org.name
    own = queries.achievement_ids_of_organization(session, enterprise_id)
    hits = hybrid_search(
        session,
        settings,
        viewer,
        text=text,
        entity="achievement",
        limit=limit * 2,
        embedder=embedder,
        exclude=frozenset(f"achievement:{a}" for a in own),
    )
    context = RankContext(
        settings=settings,
        fields=set(),
        ipc=queries.ipc_of_organization(session, enterprise_id),
        chain=_chain_of(session, viewer, [enterprise_id]),
    )
    return explain_hits(session, viewer, hits, context, limit)


def similar_achievements(
    *,
    session: Session,
    settings: Settings,
    viewer: Viewer,
    achievement_id: int,
    limit: int = 10,
    embedder: Embedder | None = None,
) -> list[MatchHit]:
    """Achievement → other achievements on the same subject (IPC and field overlap count as reasons)."""
    achievement = get_visible(session, viewer, Achievement, achievement_id)
    hits = hybrid_search(
        session,
        settings,
        viewer,
        text=record_query(achievement),
        entity="achievement",
        limit=limit * 2,
        embedder=embedder,
        exclude=frozenset({f"achievement:{achievement_id}"}),
    )
    context = RankContext(
        settings=settings,
        fields=set(achievement.field_tags or []),
        ipc=set(achievement.ipc_codes or []),
        chain=_chain_of(session, viewer, queries.owner_organization_ids(session, achievement_id)),
    )
    return explain_hits(session, viewer, hits, context, limit)


def _chain_of(session: Session, viewer: Viewer, organization_ids: list[int]) -> ChainNeighbourhood:
    """The chain neighbourhood of the source organizations `viewer` may read (empty without any: no query)."""
    return load_chain_neighbourhood(session, viewer, organization_ids) if organization_ids else ChainNeighbourhood()


def get_visible(session: Session, viewer: Viewer, model: Any, record_id: int) -> Any:
    """The record, or NotFoundError when missing or hidden from the viewer."""
    record = session.get(model, record_id)
    if record is None or not can_read(record, viewer):
        raise NotFoundError(f"no such record: {record_id}", message_zh=f"记录不存在：{record_id}")
    return record


def record_query(achievement: Achievement) -> str:
    """The text an achievement searches with for its adopters and similar records: title, keywords, the abstract's
    start."""
    parts = [achievement.title, " ".join(achievement.keywords or []), achievement.abstract[:QUERY_CHARS]]
    return " ".join(p for p in parts if p)
