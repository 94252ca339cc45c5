"""Explanations and structured re-ranking: local preference, field and IPC overlap, chain proximity, recency, TRL,
similarity; a match on an achievement's owners' names alone is demoted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.chains.loader import RelationRules, load_relations
from techbridge.config import Settings
from techbridge.matching import build, queries
from techbridge.matching.schemas import MatchHit, Reason
from techbridge.models import Achievement, Expert, Organization
from techbridge.registry.detail_queries import Affiliation, shown_affiliations
from techbridge.search.hybrid import NOTABLE_Z, Hit
from techbridge.search.need import contains_term
from techbridge.search.tokenize import normalize_text

IPC_OVERLAP_BONUS = 0.10
"""Per shared IPC subclass (first 4 characters), counted at most IPC_OVERLAP_CAP times."""
IPC_OVERLAP_CAP = 2
FIELD_OVERLAP_BONUS = 0.05
RECENCY_BONUS = 0.05
"""Given in full to this year's achievements, falling linearly to 0 over RECENCY_YEARS."""
RECENCY_YEARS = 10
RECENT_YEARS = 2
CHAIN_SAME_BONUS = 0.08
"""Given once when the candidate (an enterprise, or an achievement through its owner organizations) sits on one of
the source's chain nodes: same product or industry, so it speaks the same technical language. Below the IPC and
local bonuses because a shared node is a coarser fact than a shared IPC subclass."""
CHAIN_ADJACENT_BONUS = 0.05
"""Given once, instead of the above, when the candidate sits one supply edge up- or downstream of a source node
(a supplier or a customer of the source's products); weaker than the same node, equal to a shared field."""
SUPPLY_FLOWS = ("forward", "reverse")
"""Edge flows (data/chains/relations.yaml) that mean supply; containment (child/parent) is not up/downstream."""
OWNER_ONLY_FACTOR = 0.3
"""Share of its lexical score an achievement keeps when every query word it matched sits only in its owners'
names, not in its own text (issue 12: FMC公司's insecticides for an FMCW need): owners never outrank content."""
SNIPPET_CHARS = 160
MODELS: dict[str, Any] = {"achievement": Achievement, "enterprise": Organization, "expert": Expert}


@dataclass(frozen=True)
class ChainNeighbourhood:
    """The source's chain nodes and the supply edges touching them: `supplies` maps upstream → downstream nodes."""

    sources: frozenset[int] = frozenset()
    supplies: Mapping[int, frozenset[int]] = field(default_factory=dict)
    names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainProximity:
    """The closest chain relation found: the same node (upstream == downstream) or one supply edge."""

    bonus: float
    upstream: int
    downstream: int

    @property
    def is_same(self) -> bool:
        """Whether the candidate sits on a source node itself."""
        return self.upstream == self.downstream


@dataclass(frozen=True)
class RankContext:
    """What the structured signals compare against: the home region, the source's fields, IPC codes and chain."""

    settings: Settings
    fields: set[str]
    ipc: set[str]
    chain: ChainNeighbourhood = field(default_factory=ChainNeighbourhood)


def chain_proximity(
    sources: AbstractSet[int], supplies: Mapping[int, AbstractSet[int]], candidate: AbstractSet[int]
) -> ChainProximity | None:
    """Same node (CHAIN_SAME_BONUS) beats a supply edge either way (CHAIN_ADJACENT_BONUS); None when neither.

    `supplies` maps an upstream node to the nodes it supplies. Ties go to the smallest node ids, so the reason shown
    is stable.
    """
    same = sorted(sources & candidate)
    if same:
        return ChainProximity(CHAIN_SAME_BONUS, same[0], same[0])
    edges = [(up, down) for up in sorted(candidate) for down in sorted(supplies.get(up, ())) if down in sources]
    edges += [(up, down) for up in sorted(sources) for down in sorted(supplies.get(up, ())) if down in candidate]
    if not edges:
        return None
    upstream, downstream = min(edges)
    return ChainProximity(CHAIN_ADJACENT_BONUS, upstream, downstream)


def supply_edges(rows: Iterable[tuple[int, int, str, float, str]], rules: RelationRules) -> dict[int, frozenset[int]]:
    """(src, dst, relation, weight, dataset) rows → upstream → downstream nodes, by the relations' flows.

    Containment relations and edges under their dataset's minimum weight are left out, as in the chain graph.
    """
    out: dict[int, set[int]] = defaultdict(set)
    for src, dst, relation, weight, dataset in rows:
        flow = rules.flows.get(relation)
        if flow not in SUPPLY_FLOWS or src == dst or weight < rules.min_weights.get((relation, dataset), 0.0):
            continue
        up, down = (src, dst) if flow == "forward" else (dst, src)
        out[up].add(down)
    return {node: frozenset(downs) for node, downs in out.items()}


def load_chain_neighbourhood(session: Session, viewer: Viewer, organization_ids: Sequence[int]) -> ChainNeighbourhood:
    """The chain nodes of the source organizations `viewer` may read and the supply edges one step from them (one
    query): a hidden holder's nodes would tell what it makes, in the reasons and in the ranking."""
    rules = load_relations()
    relations = sorted(r for r, flow in rules.flows.items() if flow in SUPPLY_FLOWS)
    rows = queries.chain_neighbourhood_rows(session, viewer, organization_ids, relations)
    edges = [
        (src, dst, relation, weight if weight is not None else 1.0, dataset or "")
        for _, _, src, dst, relation, weight, dataset in rows
        if src is not None and dst is not None and relation is not None
    ]
    return ChainNeighbourhood(
        sources=frozenset(node for node, *_ in rows),
        supplies=supply_edges(edges, rules),
        names={node: name for node, name, *_ in rows},
    )


def is_local(region_code: str | None, home: str) -> bool:
    """Whether a region code lies inside the home region (prefix match)."""
    return bool(region_code) and str(region_code).startswith(home)


def _record_region(record: Any) -> str | None:
    return getattr(record, "region_code", None) or getattr(record, "province_code", None)


def chain_reason(chain: ChainNeighbourhood, candidate: Mapping[int, str]) -> tuple[float, Reason | None]:
    """Bonus and reason of a candidate's chain nodes (id → name) against the source's neighbourhood."""
    found = chain_proximity(chain.sources, chain.supplies, candidate.keys())
    if found is None:
        return 0.0, None
    names = {**chain.names, **candidate}
    if found.is_same:
        return found.bonus, Reason("chain_same", {"node": names[found.upstream]})
    upstream, downstream = names[found.upstream], names[found.downstream]
    return found.bonus, Reason("chain_adjacent", {"upstream": upstream, "downstream": downstream})


def structured_reasons(
    record: Any, hit: Hit, context: RankContext, chain_nodes: Mapping[int, str] | None = None
) -> tuple[float, list[Reason]]:
    """Bonus and reasons from the record's structured facts (`chain_nodes`: the record's chain nodes, id → name)."""
    bonus, reasons = 0.0, []
    if hit.matched_terms:
        shown = [displayed_term(term, (hit.title, hit.body)) for term in hit.matched_terms[:6]]
        reasons.append(Reason("terms", {"terms": shown}))
    if hit.semantic is not None and hit.semantic_z is not None and hit.semantic_z >= NOTABLE_Z:
        reasons.append(Reason("semantic", {"similarity": round(hit.semantic * 100)}))
    if is_local(_record_region(record), context.settings.region_code):
        bonus += context.settings.local_boost
        reasons.append(Reason("local", {"region": _record_region(record)}))
    shared_fields = sorted(context.fields.intersection(getattr(record, "field_tags", None) or []))
    if shared_fields:
        bonus += FIELD_OVERLAP_BONUS
        reasons.append(Reason("fields", {"fields": shared_fields}))
    shared_ipc = sorted({c[:4] for c in context.ipc} & {c[:4] for c in getattr(record, "ipc_codes", None) or []})
    if shared_ipc:
        bonus += IPC_OVERLAP_BONUS * min(len(shared_ipc), IPC_OVERLAP_CAP)
        reasons.append(Reason("ipc", {"codes": shared_ipc}))
    chain_bonus, chain = chain_reason(context.chain, chain_nodes or {})
    if chain is not None:
        bonus += chain_bonus
        reasons.append(chain)
    year = getattr(record, "year", None)
    if year:
        age = datetime.now(UTC).year - int(year)
        bonus += RECENCY_BONUS * max(0.0, 1.0 - age / RECENCY_YEARS)
        if age <= RECENT_YEARS:
            reasons.append(Reason("recent", {"year": year}))
    if getattr(record, "trl", None):
        reasons.append(Reason("trl", {"trl": record.trl}))
    return bonus, reasons


def _facts(record: Any, affiliations: dict[int, Affiliation]) -> dict[str, Any]:
    if isinstance(record, Achievement):
        return {"kind": str(record.kind), "trl": record.trl, "year": record.year}
    if isinstance(record, Expert):
        return {"affiliation": affiliations[record.id].name, "fields": list(record.fields or [])}
    return {"industries": list(getattr(record, "shenwan_industries", None) or [])}


def displayed_term(term: str, texts: Sequence[str]) -> str:
    """A matched term as the record spells it (SCR, COD, 5G, not the index's lower-cased scr, cod, 5g); the term
    itself when no text holds it at the same length after normalising."""
    for text in texts:
        norm = normalize_text(text)
        start = norm.find(term) if len(norm) == len(text) else -1
        if start >= 0:
            return text[start : start + len(term)]
    return term


def own_text(record: Any, expert_texts: Mapping[int, str]) -> str | None:
    """The text a record's matched terms must come from: an achievement's title, abstract, keywords and fields (not
    its owners' names, which the index adds to the body), an expert's fields, biography, achievements and projects
    (not the name, title or affiliation, which the index puts in the title); None for enterprises (all their own)."""
    if isinstance(record, Achievement):
        return " ".join([record.title, record.abstract or "", *(record.keywords or []), *(record.field_tags or [])])
    if isinstance(record, Expert):
        return expert_texts.get(record.id, "")
    return None


def technical_terms(record: Any, terms: Sequence[str], expert_texts: Mapping[int, str] | None = None) -> list[str]:
    """The matched terms the record's own text holds (`own_text`): an owner's or affiliation's name is never
    technical evidence (大学 of 山东农业大学 for a 农业 need). `expert_texts`: expert id → own text."""
    own = own_text(record, expert_texts or {})
    if own is None:
        return list(terms)
    text = normalize_text(own)
    return [t for t in terms if contains_term(text, t)]


def expert_texts_of(session: Session, records: Iterable[Any]) -> dict[int, str]:
    """Expert id → own text as indexed (the document body: fields, biography, achievements, project titles)."""
    ids = sorted(r.id for r in records if isinstance(r, Expert))
    if not ids:
        return {}
    rows = [row for batch in queries.iter_expert_rows(session, ids) for row in batch]
    return {row.expert.id: build.expert_document(row).body for row in rows}


def owner_only_penalty(hit: Hit, terms: Sequence[str]) -> float:
    """What an owner-only lexical match loses: (1 − OWNER_ONLY_FACTOR) of its lexical part, else nothing."""
    return hit.lexical * (1.0 - OWNER_ONLY_FACTOR) if hit.matched_terms and not terms else 0.0


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
    chain_nodes = _candidate_chain_nodes(session, viewer, by_entity, context.chain)
    affiliations = shown_affiliations(session, viewer, (r for r in records.values() if isinstance(r, Expert)))
    expert_texts = expert_texts_of(session, records.values())
    out: list[MatchHit] = []
    for hit in hits:
        record = records.get((hit.entity, hit.entity_id))
        if record is None:
            continue
        terms = technical_terms(record, hit.matched_terms, expert_texts)
        penalty = owner_only_penalty(hit, terms) if isinstance(record, Achievement) else 0.0
        hit = replace(hit, matched_terms=terms)
        bonus, reasons = structured_reasons(record, hit, context, chain_nodes.get((hit.entity, hit.entity_id)))
        region = _record_region(record)
        out.append(
            MatchHit(
                entity=hit.entity,
                entity_id=hit.entity_id,
                title=hit.title,
                snippet=_snippet(hit.body),
                score=hit.score + bonus - penalty,
                lexical=hit.lexical,
                semantic=hit.semantic,
                matched_terms=hit.matched_terms,
                reasons=reasons,
                is_local=is_local(region, context.settings.region_code),
                region_code=region,
                facts=_facts(record, affiliations),
            )
        )
    out.sort(key=lambda h: (-h.score, h.entity, h.entity_id))
    return out[:limit]


def _candidate_chain_nodes(
    session: Session, viewer: Viewer, by_entity: dict[str, list[int]], chain: ChainNeighbourhood
) -> dict[tuple[str, int], dict[int, str]]:
    """Chain nodes of the hits (one query per entity type), only when the source has chain nodes at all; an
    achievement's through the holders `viewer` may read."""
    if not chain.sources:
        return {}
    return {
        (entity, rid): nodes
        for entity, ids in by_entity.items()
        for rid, nodes in queries.chain_nodes_of(session, viewer, entity, ids).items()
    }


def _snippet(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"
