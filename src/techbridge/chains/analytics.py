"""Pure chain analytics over a ChainGraph: cut a chain, coverage per node, weak links, leaders, attraction.

Every function takes the graph (and a chain cut from it) and returns frozen dataclasses; lists are ranked by score
with the node or organization id as the tie-break, so output is stable. Dependency inside a chain runs supplier →
consumer and part → whole: a node's *reach* is how many chain nodes depend on it, directly or transitively.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from techbridge.chains.evidence import link_whys
from techbridge.chains.loader import WeakLinkFilter
from techbridge.chains.normalize import normalize_name, resolve_name
from techbridge.chains.schemas import (
    Chain,
    ChainGraph,
    Leader,
    Link,
    Member,
    NodeCoverage,
    NodeShare,
    Org,
    Producer,
    Relevant,
    WeakLink,
    Work,
)

DEPENDENCE_WEIGHT = 0.7  # share of a weak link's score from how much of the chain depends on it
MARKET_WEIGHT = 0.3  # share from the national revenue weight of its producers
TERM_MIN_SCORE = 0.67  # least share of a node name's character bigrams an achievement must contain
RELEVANT_LIMIT = 10  # achievements kept per node
TOP_NATIONAL = 5  # national producers shown per node
INSTITUTION_KINDS = ("university", "institute")

RankFn = Callable[[str, Sequence[tuple[int, str]]], Sequence[tuple[int, float]]]


@dataclass(frozen=True)
class Relevance:
    """How achievements are judged relevant to a node: a ranking function and the name shown as evidence."""

    method: str
    rank: RankFn


def bigrams(text: str) -> set[str]:
    """The character bigrams of a text."""
    return {text[i : i + 2] for i in range(len(text) - 1)}


def rank_by_terms(query: str, candidates: Sequence[tuple[int, str]]) -> list[tuple[int, float]]:
    """Score 1.0 when the text contains the query, else the share of the query's bigrams it contains (≥ 3 chars)."""
    grams = bigrams(query) if len(query) >= 3 else set()
    out: list[tuple[int, float]] = []
    for key, text in candidates:
        if query and query in text:
            out.append((key, 1.0))
        elif grams:
            share = sum(1 for g in grams if g in text) / len(grams)
            if share >= TERM_MIN_SCORE:
                out.append((key, round(share, 4)))
    return sorted(out, key=lambda kv: (-kv[1], kv[0]))


TERMS = Relevance("shared terms", rank_by_terms)


def is_in_region(org: Org, region: str) -> bool:
    """A 2-digit region matches the province code or the region-code prefix; longer codes match the prefix."""
    if len(region) == 2 and org.province_code == region:
        return True
    return bool(org.region_code and org.region_code.startswith(region))


def find_nodes(graph: ChainGraph, name: str, kind: str | None = None) -> tuple[int, ...]:
    """Nodes named `name` (optionally of one kind) that take part in the graph's edges; else the connected nodes
    its normalised or synonym form names; else the isolated nodes of that exact name."""

    def keep(ids: Iterable[int], connected: bool) -> tuple[int, ...]:
        return tuple(
            i for i in ids if (kind is None or graph.nodes[i].kind == kind) and (i in graph.connected or not connected)
        )

    exact = sorted(graph.names.get(name, ()))
    if keep(exact, True):
        return keep(exact, True)
    vocabulary = _Vocabulary(graph)
    found = resolve_name(name, vocabulary)
    if found is not None and keep(graph.names[found.name], True):
        return keep(sorted(graph.names[found.name]), True)
    return keep(exact, False)


class _Vocabulary:
    """Names of connected nodes, as a lazy membership test over the graph's name index."""

    def __init__(self, graph: ChainGraph) -> None:
        self._graph = graph

    def __contains__(self, name: object) -> bool:
        ids = self._graph.names.get(name, ()) if isinstance(name, str) else ()
        return any(i in self._graph.connected for i in ids)

    def __len__(self) -> int:  # pragma: no cover - Collection protocol only
        return len(self._graph.names)

    def __iter__(self) -> Iterator[str]:  # pragma: no cover - Collection protocol only
        return iter(self._graph.names)


def _next_steps(graph: ChainGraph, node: int, position: str) -> list[tuple[int, str]]:
    steps: list[tuple[int, str]] = []
    if position in ("root", "upstream"):
        steps += [(s, "upstream") for s in sorted(graph.suppliers.get(node, ()))]
    if position in ("root", "downstream"):
        steps += [(c, "downstream") for c in sorted(graph.consumers.get(node, ()))]
    steps += [(c, "part" if position == "root" else position) for c in sorted(graph.children.get(node, ()))]
    return steps


def extract_chain(
    graph: ChainGraph,
    *,
    chain_id: str,
    title: str,
    root_ids: Iterable[int],
    hops: int,
    max_nodes: int = 300,
    kind_hops: dict[str, int] | None = None,
) -> Chain:
    """The roots and every node within `hops` upstream, downstream or below them (breadth-first, capped).

    `kind_hops` lowers the radius for nodes of one kind (industry-level edges are coarser than product edges).
    """
    limits = kind_hops or {}
    roots = tuple(sorted(set(root_ids)))
    members = {r: Member(r, graph.nodes[r].name, graph.nodes[r].kind, "root", 0) for r in roots}
    queue = deque((r, "root", 0) for r in roots)
    truncated = False
    while queue:
        node, position, hop = queue.popleft()
        if hop >= min(hops, limits.get(graph.nodes[node].kind, hops)):
            continue
        for nxt, pos in _next_steps(graph, node, position):
            if nxt in members:
                continue
            if len(members) >= max_nodes:
                truncated = True
                break
            members[nxt] = Member(nxt, graph.nodes[nxt].name, graph.nodes[nxt].kind, pos, hop + 1)
            queue.append((nxt, pos, hop + 1))
    edges = {(s, m, "flow") for m in members for s in graph.suppliers.get(m, ()) if s in members}
    edges |= {(c, m, "part") for m in members for c in graph.children.get(m, ()) if c in members}
    return Chain(chain_id, title, roots, hops, dict(sorted(members.items())), tuple(sorted(edges)), truncated)


def _closure_sizes(members: Sequence[int], edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """How many members each member reaches along `edges` (transitively; itself excluded), by bitset fixpoint."""
    index = {m: i for i, m in enumerate(members)}
    pairs = [(index[s], index[d]) for s, d in edges]
    reach = [0] * len(members)
    changed = True
    while changed:
        changed = False
        for s, d in pairs:
            new = reach[s] | reach[d] | (1 << d)
            if new != reach[s]:
                reach[s] = new
                changed = True
    return {m: (reach[i] & ~(1 << i)).bit_count() for m, i in index.items()}


def reaches(chain: Chain) -> tuple[dict[int, int], dict[int, int]]:
    """Per member: how many chain nodes depend on it (downstream reach) and how many it depends on (upstream)."""
    members = list(chain.members)
    down = _closure_sizes(members, ((s, d) for s, d, _ in chain.edges))
    up = _closure_sizes(members, ((d, s) for s, d, _ in chain.edges))
    return down, up


def _producer(graph: ChainGraph, link: Link) -> Producer:
    org = graph.orgs[link.org_id]
    proofs = link_whys(link)
    return Producer(org.id, org.name, org.region_code, org.province_code, link.weight, link.evidence, proofs)


def regional_works(graph: ChainGraph, region: str) -> tuple[Work, ...]:
    """Achievements owned by a regional organization (or registered in the region)."""
    inside = {o.id for o in graph.orgs.values() if is_in_region(o, region)}
    return tuple(
        w
        for w in graph.works
        if (w.region_code and w.region_code.startswith(region)) or not inside.isdisjoint(w.org_ids)
    )


_PAIRS: dict[int, tuple[Sequence[Work], dict[int, Work], list[tuple[int, str]]]] = {}


def _indexed(works: Sequence[Work]) -> tuple[dict[int, Work], list[tuple[int, str]]]:
    """Works by id and as (id, text) candidates, kept for the last few work lists (reports reuse them per node)."""
    cached = _PAIRS.get(id(works))
    if cached is None or cached[0] is not works:
        if len(_PAIRS) >= 8:
            _PAIRS.clear()
        cached = (works, {w.id: w for w in works}, [(w.id, w.text) for w in works])
        _PAIRS[id(works)] = cached
    return cached[1], cached[2]


def relevant_works(graph: ChainGraph, name: str, works: Sequence[Work], relevance: Relevance) -> tuple[Relevant, ...]:
    """The achievements among `works` most relevant to a node name, best first."""
    by_id, pairs = _indexed(works)
    query = normalize_name(name)
    ranked = relevance.rank(query, pairs)
    out = []
    for key, score in list(ranked)[:RELEVANT_LIMIT]:
        work = by_id[key]
        owners = tuple(graph.orgs[o].name for o in work.org_ids if o in graph.orgs)
        owners += tuple(graph.experts[e].name for e in work.expert_ids if e in graph.experts)
        out.append(Relevant(work.id, work.title, float(score), owners, relevance.method))
    return tuple(out)


def _institutions(graph: ChainGraph, found: Sequence[Relevant], works: dict[int, Work]) -> tuple[str, ...]:
    names = {
        graph.orgs[o].name
        for r in found
        for o in works[r.achievement_id].org_ids
        if o in graph.orgs and graph.orgs[o].kind in INSTITUTION_KINDS
    }
    return tuple(sorted(names))


def _status(regional: int, innovation: bool) -> str:
    if regional == 0:
        return "gap"
    if regional == 1:
        return "single"
    return "covered" if innovation else "innovation_gap"


def coverage(
    graph: ChainGraph,
    chain: Chain,
    region: str,
    relevance: Relevance = TERMS,
    works: Sequence[Work] | None = None,
) -> tuple[NodeCoverage, ...]:
    """Per chain node: regional and national producers, relevant regional achievements and institutions."""
    works = regional_works(graph, region) if works is None else works
    work_index = {w.id: w for w in works}
    down, _ = reaches(chain)
    out = []
    for node_id, member in chain.members.items():
        links = graph.links_by_node.get(node_id, ())
        regional = tuple(_producer(graph, ln) for ln in links if is_in_region(graph.orgs[ln.org_id], region))
        elsewhere = [ln for ln in links if not is_in_region(graph.orgs[ln.org_id], region)]
        found = relevant_works(graph, member.name, works, relevance)
        institutions = _institutions(graph, found, work_index)
        out.append(
            NodeCoverage(
                node_id=node_id,
                name=member.name,
                kind=member.kind,
                position=member.position,
                hop=member.hop,
                regional_producers=regional,
                national_producers=len(elsewhere),
                top_national=tuple(_producer(graph, ln) for ln in elsewhere[:TOP_NATIONAL]),
                institutions=institutions,
                achievements=found,
                reach=down[node_id],
                market_weight=round(sum(ln.weight for ln in links), 6),
                status=_status(len(regional), bool(found or institutions)),
            )
        )
    return tuple(out)


def _weak_kinds(node: NodeCoverage) -> list[tuple[str, str]]:
    count = len(node.regional_producers)
    kinds: list[tuple[str, str]] = []
    if count == 0:
        elsewhere = f"{node.national_producers} producers elsewhere" if node.national_producers else "no producer"
        kinds.append(("gap", f"no regional producer ({elsewhere})"))
    elif count == 1:
        kinds.append(("single", f"single point of failure: only {node.regional_producers[0].name}"))
    if count and not node.achievements and not node.institutions:
        kinds.append(("innovation_gap", f"{count} regional producer(s) but no regional achievement or institution"))
    return kinds


def weak_links(nodes: Sequence[NodeCoverage]) -> tuple[WeakLink, ...]:
    """Nodes without a regional producer, with exactly one, or with producers but no regional research.

    Ranked by score = DEPENDENCE_WEIGHT × reach / (chain size − 1) + MARKET_WEIGHT × revenue weight / chain maximum.
    """
    size = max(len(nodes) - 1, 1)
    top_market = max((n.market_weight for n in nodes), default=0.0) or 1.0
    out = []
    for node in nodes:
        score = DEPENDENCE_WEIGHT * node.reach / size + MARKET_WEIGHT * node.market_weight / top_market
        for kind, reason in _weak_kinds(node):
            out.append(
                WeakLink(
                    node_id=node.node_id,
                    name=node.name,
                    kind=kind,
                    reach=node.reach,
                    market_weight=node.market_weight,
                    score=round(score, 6),
                    regional_producers=tuple(p.name for p in node.regional_producers),
                    national_producers=node.national_producers,
                    reason=f"{reason}; {node.reach} chain node(s) depend on it",
                    regional_producer_ids=tuple(p.org_id for p in node.regional_producers),
                )
            )
    return tuple(sorted(out, key=lambda w: (-w.score, w.node_id, w.kind)))


def curate_weak_links(weak: Sequence[WeakLink], graph: ChainGraph, rule: WeakLinkFilter) -> tuple[WeakLink, ...]:
    """The weak links without curated-out noise: stoplisted names, and (when the rule says so) nodes no company
    produces anywhere, with no sub-products in the graph and no chain node depending on them."""
    return tuple(w for w in weak if not is_noise(w, graph, rule))


def is_noise(link: WeakLink, graph: ChainGraph, rule: WeakLinkFilter) -> bool:
    """Whether the weak-link list leaves this node out."""
    if link.name in rule.stoplist:
        return True
    unweighted = not link.market_weight and not link.national_producers and not link.regional_producers
    leaf = not link.reach and not graph.children.get(link.node_id)
    return rule.drop_unweighted_leaves and unweighted and leaf


def centralities(chain: Chain) -> dict[int, float]:
    """Per member: (nodes depending on it + nodes it depends on + 1) / chain size."""
    down, up = reaches(chain)
    size = max(len(chain.members), 1)
    return {m: (down[m] + up[m] + 1) / size for m in chain.members}


def is_regional_enterprise(org: Org, region: str) -> bool:
    """Whether the organization may lead the region's chain (链主): an enterprise registered in the region."""
    return org.kind == "enterprise" and is_in_region(org, region)


LEADER_DOWNSTREAM_HOPS = 1
"""How far downstream of a root a node still makes a chain leader. The roots' own products (PTA → 涤纶长丝) belong
to the chain; two steps down are the customers' products (钢材 → 汽车 → …), and a car dealer holding a large share of
汽车 would otherwise lead the metallurgy chain."""


def leads_from(member: Member) -> bool:
    """Whether an enterprise's share of this member counts towards leading the chain: roots, their parts, every
    upstream node and the roots' direct downstream products; not the customers further down."""
    return member.position != "downstream" or member.hop <= LEADER_DOWNSTREAM_HOPS


def leaders(graph: ChainGraph, chain: Chain, region: str) -> tuple[Leader, ...]:
    """Regional enterprises ranked by revenue-weighted centrality: Σ link weight × node centrality over the chain
    nodes they may lead from (`leads_from`)."""
    central = centralities(chain)
    down, up = reaches(chain)
    shares: dict[int, list[NodeShare]] = {}
    for node_id, member in chain.members.items():
        if not leads_from(member):
            continue
        name = member.name
        for link in graph.links_by_node.get(node_id, ()):
            if is_regional_enterprise(graph.orgs[link.org_id], region):
                share = NodeShare(
                    node_id, name, link.weight, central[node_id], link.evidence, link.measured, link.relation,
                    upstream=up[node_id], downstream=down[node_id],
                )  # fmt: skip
                shares.setdefault(link.org_id, []).append(share)
    out = []
    for org_id, parts in shares.items():
        org = graph.orgs[org_id]
        ranked = tuple(sorted(parts, key=lambda s: (-s.weight * s.centrality, s.node_id)))
        score = round(sum(s.weight * s.centrality for s in parts), 6)
        out.append(Leader(org_id, org.name, org.region_code or org.province_code, score, ranked))
    return tuple(sorted(out, key=lambda ld: (-ld.score, ld.org_id)))
