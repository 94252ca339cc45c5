"""Pure proposals built on chain analytics: whom to attract (招商补链), a draft consortium (创新联合体), the report.

Attraction ranks out-of-region enterprises by Σ link weight × weak-link score over the gap and single-producer
links they produce. A consortium gathers, around a leader, the institutions and experts whose regional achievements
are closest to the leader's links and the chain's weak links, and the regional firms directly upstream and
downstream of the leader's links. Research is looked for in the region first; when fewer than MEMBERS_PER_ROLE
universities or institutes turn up (enterprise owners do not count: a consortium binds the leader to research
institutions), achievements anywhere in the registry are searched too (direct matches only) and marked as such.
The leader must be an enterprise registered in the region.
"""

from __future__ import annotations

from collections.abc import Sequence

from techbridge.chains.analytics import (
    INSTITUTION_KINDS,
    TERMS,
    Relevance,
    coverage,
    curate_weak_links,
    is_in_region,
    is_regional_enterprise,
    leaders,
    regional_works,
    relevant_works,
    weak_links,
)
from techbridge.chains.loader import load_weak_link_filter
from techbridge.chains.schemas import (
    Candidate,
    Chain,
    ChainGraph,
    Consortium,
    ConsortiumMember,
    Org,
    Relevant,
    Report,
    WeakLink,
    Why,
    Work,
)
from techbridge.errors import InvalidDataError

ATTRACT_KINDS = ("gap", "single")  # weak links an out-of-region producer can fill
CONSORTIUM_TARGETS = 3  # weak links a consortium takes on besides the leader's own links
CONSORTIUM_OWN = 3  # the leader's own links (heaviest first) the consortium works on
MEMBERS_PER_ROLE = 8
ROLE_ORDER = ("leader", "institution", "expert", "partner", "upstream", "downstream")
RESEARCH_ROLES = ("institution", "expert")
"""The research side of a consortium; a draft names those it found no member for (`Consortium.missing_roles`)."""


def is_attractable(org: Org, region: str) -> bool:
    """An enterprise known to be registered outside the region (one without any region code may already be in it)."""
    located = bool(org.province_code or org.region_code)
    return org.kind == "enterprise" and located and not is_in_region(org, region)


def attraction(graph: ChainGraph, region: str, weak: Sequence[WeakLink]) -> tuple[Candidate, ...]:
    """Out-of-region enterprises producing gap / single-producer links, ranked, with the reasons; an enterprise of
    unknown location is no candidate, as it may already be in the region."""
    scores: dict[int, float] = {}
    fills: dict[int, list[str]] = {}
    reasons: dict[int, list[str]] = {}
    for link_gap in (w for w in weak if w.kind in ATTRACT_KINDS):
        for link in graph.links_by_node.get(link_gap.node_id, ()):
            org = graph.orgs[link.org_id]
            if not is_attractable(org, region):
                continue
            scores[org.id] = scores.get(org.id, 0.0) + link.weight * link_gap.score
            fills.setdefault(org.id, []).append(link_gap.name)
            why = "no regional producer" if link_gap.kind == "gap" else "one regional producer"
            reasons.setdefault(org.id, []).append(
                f"{link_gap.name}: {why}, {link_gap.reach} chain node(s) depend on it; "
                f"produces it with weight {link.weight:.3f} ({link.evidence})"
            )
    out = [
        Candidate(
            oid,
            graph.orgs[oid].name,
            graph.orgs[oid].province_code,
            round(s, 6),
            tuple(fills[oid]),
            tuple(reasons[oid]),
        )
        for oid, s in scores.items()
    ]
    return tuple(sorted(out, key=lambda c: (-c.score, c.org_id)))


def _leader_nodes(graph: ChainGraph, chain: Chain, leader_id: int, region: str) -> list[int]:
    """The chain nodes the leader produces, heaviest first; the leader must be a regional enterprise on the chain."""
    name = graph.orgs[leader_id].name if leader_id in graph.orgs else str(leader_id)
    if leader_id not in graph.orgs or not is_regional_enterprise(graph.orgs[leader_id], region):
        raise InvalidDataError(
            f"{name} is not an enterprise of region {region}; a consortium is led by a regional enterprise",
            location=("leader",),
            message_zh=f"{name} 不是地区 {region} 的企业，创新联合体须由本地区企业牵头",
        )
    links = sorted(graph.links_by_org.get(leader_id, ()), key=lambda ln: (-ln.weight, ln.node_id))
    nodes = [ln.node_id for ln in links if ln.node_id in chain.members]
    if not nodes:
        raise InvalidDataError(
            f"{name} produces no node of chain {chain.id}", message_zh=f"{name} 不在产业链 {chain.title} 上"
        )
    return nodes


def _targets(chain: Chain, own: list[int], weak: Sequence[WeakLink]) -> list[int]:
    """The leader's heaviest links, then the best-ranked weak links next to them (else the best overall).

    Only weak links someone produces count: a node without any producer in the data is a data gap, not a target.
    """
    own = own[:CONSORTIUM_OWN]
    near = {s for s, d, _ in chain.edges if d in own} | {d for s, d, _ in chain.edges if s in own}
    ordered = [
        w.node_id
        for w in weak
        if w.kind in ("innovation_gap", "gap")
        and w.node_id not in own
        and (w.national_producers or w.regional_producers)
    ]
    picked = [n for n in ordered if n in near][:CONSORTIUM_TARGETS] or ordered[:CONSORTIUM_TARGETS]
    return own + list(dict.fromkeys(picked))


def _closest_works(
    graph: ChainGraph, chain: Chain, node_id: int, works: Sequence[Work], relevance: Relevance, neighbours: bool
) -> list[tuple[Relevant, str, str]]:
    """Achievements relevant to the node (with the node's name and ""); when none, those relevant to its chain
    neighbours (with the neighbour's name and the node's: closest research)."""
    name = chain.members[node_id].name
    hits = [(hit, name, "") for hit in relevant_works(graph, name, works, relevance)]
    if hits or not neighbours:
        return hits
    near = sorted({s for s, d, _ in chain.edges if d == node_id} | {d for s, d, _ in chain.edges if s == node_id})
    for other in near:
        other_name = chain.members[other].name
        hits += [(hit, other_name, name) for hit in relevant_works(graph, other_name, works, relevance)]
    return hits


def _research_members(
    graph: ChainGraph,
    chain: Chain,
    works: Sequence[Work],
    targets: list[int],
    leader_id: int,
    relevance: Relevance,
    outside: bool = False,
) -> list[ConsortiumMember]:
    """Owners of the achievements closest to the targets; `outside` marks a search beyond the region."""
    found: dict[tuple[str, int], tuple[float, list[str], list[Why]]] = {}
    by_id = {w.id: w for w in works}
    for node_id in targets:
        for hit, about, next_to in _closest_works(graph, chain, node_id, works, relevance, neighbours=not outside):
            why, said = _work_why(hit, about, next_to, outside)
            owners = [("org", o) for o in by_id[hit.achievement_id].org_ids if o != leader_id and o in graph.orgs]
            owners += [("expert", e) for e in by_id[hit.achievement_id].expert_ids if e in graph.experts]
            for owner in owners:
                score, whys, saids = found.get(owner, (0.0, [], []))
                found[owner] = (score + hit.score, [*whys, why], [*saids, said])
    out = []
    for (kind, ref), (score, whys, saids) in found.items():
        if kind == "expert":
            name = graph.experts[ref].name
            out.append(ConsortiumMember("expert", "expert", ref, name, round(score, 6), tuple(whys), tuple(saids)))
            continue
        org = graph.orgs[ref]
        role = "institution" if org.kind in INSTITUTION_KINDS else "partner"
        out.append(ConsortiumMember(role, "organization", ref, org.name, round(score, 6), tuple(whys), tuple(saids)))
    return out


def _work_why(hit: Relevant, about: str, next_to: str, outside: bool) -> tuple[str, Why]:
    """Why an achievement's owner is proposed: as text (CLI, API) and as a sentence of the catalogue (portal)."""
    where = ", outside the region" if outside else ""
    named = f"{about}, next to {next_to}" if next_to else about
    text = f"achievement «{hit.title}» matches {named} ({hit.method} {hit.score:.2f}{where})"
    key = ("achievement_next" if next_to else "achievement") + ("_outside" if outside else "")
    params = (("title", hit.title), ("about", about), ("next", next_to), ("score", f"{hit.score:.2f}"))
    return text, Why(key, params)


_OUTSIDE: dict[tuple[int, frozenset[int]], tuple[ChainGraph, tuple[Work, ...]]] = {}


def _outside(graph: ChainGraph, inside: set[int]) -> tuple[Work, ...]:
    """The graph's works not in `inside`, kept per (graph, inside) so repeated reports reuse the same tuple."""
    key = (id(graph), frozenset(inside))
    cached = _OUTSIDE.get(key)
    if cached is None or cached[0] is not graph:
        if len(_OUTSIDE) >= 8:
            _OUTSIDE.clear()
        cached = (graph, tuple(w for w in graph.works if w.id not in inside))
        _OUTSIDE[key] = cached
    return cached[1]


def _chain_firms(
    graph: ChainGraph, chain: Chain, region: str, own: list[int], leader_id: int
) -> list[ConsortiumMember]:
    sides = {
        "upstream": {(s, d) for s, d, _ in chain.edges if d in own and s not in own},
        "downstream": {(d, s) for s, d, _ in chain.edges if s in own and d not in own},
    }
    out: dict[tuple[str, int], ConsortiumMember] = {}
    for role, pairs in sides.items():
        for node_id, next_to in sorted(pairs):
            for link in graph.links_by_node.get(node_id, ()):
                org = graph.orgs[link.org_id]
                if org.id == leader_id or not is_in_region(org, region):
                    continue
                verb = "feeds" if role == "upstream" else "takes"
                node, other = chain.members[node_id].name, chain.members[next_to].name
                why = f"produces {node}, which {verb} {other}"
                said = Why(verb, (("node", node), ("next", other)))
                old = out.get((role, org.id))
                score = (old.score if old else 0.0) + link.weight
                whys = (*old.reasons, why) if old else (why,)
                saids = (*old.whys, said) if old else (said,)
                member = ConsortiumMember(role, "organization", org.id, org.name, round(score, 6), whys, saids)
                out[(role, org.id)] = member
    return list(out.values())


def _institution_count(members: Sequence[ConsortiumMember]) -> int:
    """How many of the members are universities or institutes (the research side a consortium cannot lack)."""
    return sum(1 for member in members if member.role == "institution")


def consortium(
    graph: ChainGraph,
    chain: Chain,
    region: str,
    leader_id: int,
    weak: Sequence[WeakLink],
    relevance: Relevance = TERMS,
    works: Sequence[Work] | None = None,
) -> Consortium:
    """A draft member list around `leader_id`: institutions, experts and regional up/downstream firms."""
    own = _leader_nodes(graph, chain, leader_id, region)
    targets = _targets(chain, own, weak)
    leader = graph.orgs[leader_id]
    names = tuple(chain.members[n].name for n in own)
    produced = ", ".join(names)
    leads = (Why("leads", lists=(("nodes", names),)),)
    members = [
        ConsortiumMember("leader", "organization", leader.id, leader.name, 1.0, (f"produces {produced}",), leads)
    ]
    works = regional_works(graph, region) if works is None else works
    candidates = _research_members(graph, chain, works, targets, leader_id, relevance)
    if _institution_count(candidates) < MEMBERS_PER_ROLE:  # too few institutions in the region: whole registry
        inside = {w.id for w in works}
        elsewhere = _outside(graph, inside)
        known = {(m.kind, m.ref_id) for m in candidates}
        extra = _research_members(graph, chain, elsewhere, targets, leader_id, relevance, outside=True)
        candidates += [m for m in extra if (m.kind, m.ref_id) not in known]
    candidates += _chain_firms(graph, chain, region, own, leader_id)
    for role in ROLE_ORDER[1:]:
        ranked = sorted((m for m in candidates if m.role == role), key=lambda m: (-m.score, m.ref_id))
        members += ranked[:MEMBERS_PER_ROLE]
    names = tuple(chain.members[t].name for t in targets)
    found = {member.role for member in members}
    missing = tuple(role for role in RESEARCH_ROLES if role not in found)
    return Consortium(chain.id, leader.id, leader.name, names, tuple(members), relevance.method, missing)


def compose_report(
    graph: ChainGraph, chain: Chain, region: str, relevance: Relevance = TERMS, leader_id: int | None = None
) -> Report:
    """Coverage, weak links, leaders, attraction candidates and a consortium draft around the top (or given) leader."""
    works = regional_works(graph, region)
    nodes = coverage(graph, chain, region, relevance, works)
    weak = curate_weak_links(weak_links(nodes), graph, load_weak_link_filter())
    ranked = leaders(graph, chain, region)
    chosen = leader_id if leader_id is not None else (ranked[0].org_id if ranked else None)
    draft = consortium(graph, chain, region, chosen, weak, relevance, works) if chosen is not None else None
    summary = {
        status: sum(1 for n in nodes if n.status == status) for status in ("covered", "single", "gap", "innovation_gap")
    }
    summary["nodes"] = len(nodes)
    return Report(chain, region, nodes, weak, ranked, attraction(graph, region, weak), draft, relevance.method, summary)
