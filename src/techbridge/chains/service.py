"""Chain use cases the CLI, the portal and the API call: list, show, report, gaps, leaders, attract, consortium.

The whole graph is built once per process and reused while the data version of the tables it reads is unchanged
(`build.graph_version`, bumped by database triggers).
ROOT is a curated chain id (`data/chains/curated/<id>.yaml`) or a node name (an ad-hoc chain around that node).
Relevance of achievements uses `techbridge.matching.service.rank_texts` when that module is importable, else shared
terms; every result names the method used. Every use case takes the `Viewer`: the cached graph holds every record,
and each call works on the viewer's restriction of it (`visibility.restrict_graph`), so nobody sees an organization,
achievement or expert they may not read.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from techbridge.access import Viewer
from techbridge.chains import analytics, build, proposals
from techbridge.chains.loader import (
    ChainDef,
    find_chain,
    load_bases,
    load_chains,
    load_clusters,
    load_weak_link_filter,
)
from techbridge.chains.schemas import Chain, ChainGraph, Consortium, NodeCoverage, Report, share_text
from techbridge.chains.visibility import restrict_graph
from techbridge.db import session_scope
from techbridge.errors import InvalidDataError, NotFoundError
from techbridge.i18n.loader import translate
from techbridge.registry.pickers import resolve_region
from techbridge.registry.queries import region_names
from techbridge.registry.regions import is_known_region, localize_names

DEFAULT_HOPS = 2
MAX_HOPS = 6
AD_HOC_MAX_NODES = 300
CITY_DIGITS = 4
"""Digits of a city code (2102 大连市); organizations' region codes are at most this precise."""
BM25_METHOD = "matching.rank_texts (BM25)"  # recorded in reports and the API; shown to people in words
MATCHED_SHARE = 0.75  # share of a node name's characters the matched terms of a BM25 hit must cover

_CACHE: dict[str, tuple[tuple[int, ...], ChainGraph]] = {}
_GRAMS: dict[int, tuple[ChainGraph, dict[str, frozenset[int]]]] = {}
_SIZES: dict[int, tuple[ChainGraph, dict[str, tuple[int, tuple[str, ...]]]]] = {}
_LOCK = Lock()
_BUILDING: dict[str, Lock] = {}


@dataclass(frozen=True)
class ChainView:
    """A chain with its definition (None for an ad-hoc chain) and the roots not found in the graph."""

    chain: Chain
    definition: ChainDef | None
    missing_roots: tuple[str, ...]

    def title_in(self, lang: str) -> str:
        """The title a reader of `lang` sees: a curated chain's English title (`data/chains/curated/<id>.yaml`)
        on English pages; an ad-hoc chain is named by its root node, imported data with no English name, so it keeps
        that name in every language (no invented translation)."""
        return chain_title(self.definition, self.chain.title, lang)


def chain_title(definition: ChainDef | None, title: str, lang: str) -> str:
    """A chain's title in `lang`: the curated bilingual title, else `title` (the root node's name) as it is."""
    if definition is None:
        return title
    return definition.title_zh if lang.startswith("zh") else definition.title_en


def graph_of(session: Session) -> ChainGraph:
    """The chain graph of the session's database, rebuilt only when the data version of its tables changed.

    The version is one row read by primary key (`build.graph_stamp`), so the check costs next to nothing per
    request and sees writes of every process. One thread per database builds at a time; the others wait for its
    graph rather than build another (a cold worker's warm-up and its first chain request share one build).
    A graph built inside a transaction that later rolls back is cached under that transaction's version, which
    the next committed write reaches again: write transactions do not read the graph in the portal.
    """
    key = str(session.get_bind().engine.url)
    stamp = build.graph_stamp(session)
    if stamp is None:  # this transaction wrote the graph's tables (PostgreSQL): its own graph, never cached
        return build.load_graph(session)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        builder = _BUILDING.setdefault(key, Lock())
    with builder:
        with _LOCK:
            cached = _CACHE.get(key)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        graph = build.load_graph(session)
        with _LOCK:
            _CACHE[key] = (stamp, graph)
        settle()
    return graph


def settle() -> None:
    """Move what the process holds now (the new graph and its indexes) out of the cycle collector's sight.

    The graph is ~640k Python objects on the real data; while the collector tracked them, each full collection
    walked them all (~230 ms, every few seconds under load), and every request in flight waited: the pages' p99.
    They hold no reference cycles (dropping a graph frees it by reference counting alone, 0 unreachable found), so
    a replaced graph is still freed; what can leak is a cycle of garbage from requests in flight at that moment,
    once per graph build (`gc.freeze`)."""
    gc.freeze()


def warm_graph(database_url: str) -> None:
    """Build the graph and its bigram index into this process's cache (a worker calls it at start, in a thread)."""
    with session_scope(database_url) as session:
        bigram_index(graph_of(session))


def graphs_for(session: Session, viewer: Viewer) -> tuple[ChainGraph, ChainGraph]:
    """The whole cached graph (for the shared bigram index) and the part of it `viewer` may see."""
    whole = graph_of(session)
    return whole, restrict_graph(whole, build.hidden_records(session, viewer))


def _covers(query: str, terms: Sequence[str]) -> bool:
    """Whether the matched query terms make up at least MATCHED_SHARE of the query's characters."""
    return sum(len(t) for t in set(terms)) >= MATCHED_SHARE * len(query)


def bigram_index(graph: ChainGraph) -> dict[str, frozenset[int]]:
    """Character bigram → ids of the achievements containing it, built once per graph."""
    with _LOCK:
        cached = _GRAMS.get(id(graph))
        if cached is not None and cached[0] is graph:
            return cached[1]
    index: dict[str, set[int]] = {}
    for work in graph.works:
        for gram in analytics.bigrams(work.text):
            index.setdefault(gram, set()).add(work.id)
    frozen = {gram: frozenset(ids) for gram, ids in index.items()}
    with _LOCK:
        if len(_GRAMS) >= 4:
            _GRAMS.clear()
        _GRAMS[id(graph)] = (graph, frozen)
    settle()
    return frozen


def relevance(graph: ChainGraph | None = None) -> analytics.Relevance:
    """`matching.service.rank_texts` (BM25) when importable, else the shared-terms ranker.

    rank_texts builds its index per call, so candidates sharing no character bigram with the query are dropped
    first (through the graph's bigram index when given) and answers are memoised per query. A hit counts only when
    its matched terms cover MATCHED_SHARE of the node name (动力 alone does not make a text about 动力煤).
    """
    try:
        from techbridge.matching.service import rank_texts
    except ImportError:  # pragma: no cover - the matching package ships with techbridge
        return analytics.TERMS
    memo: dict[tuple[str, tuple[int, ...]], list[tuple[int, float]]] = {}
    index = bigram_index(graph) if graph is not None else None

    def rank(query: str, candidates: Sequence[tuple[int, str]]) -> list[tuple[int, float]]:
        grams = analytics.bigrams(query)
        if index is not None and grams:
            ids = frozenset().union(*(index.get(g, frozenset()) for g in grams))
            near = [(str(k), t) for k, t in candidates if k in ids]
        else:
            grams = grams or {query}
            near = [(str(k), t) for k, t in candidates if any(g in t for g in grams)]
        key = (query, tuple(int(k) for k, _ in near))
        if key not in memo:
            ranked = rank_texts(query=query, candidates=near, top_k=analytics.RELEVANT_LIMIT) if near else []
            memo[key] = [(int(r.key), r.score) for r in ranked if r.score > 0 and _covers(query, r.matched_terms)]
        return memo[key]

    return analytics.Relevance(BM25_METHOD, rank)


def _check_hops(hops: int) -> int:
    if not 1 <= hops <= MAX_HOPS:
        raise InvalidDataError(
            f"hops must be 1..{MAX_HOPS}", location=("hops",), message_zh=f"跳数须在 1 到 {MAX_HOPS} 之间"
        )
    return hops


def resolve_chain(graph: ChainGraph, root: str, hops: int | None = None) -> ChainView:
    """A curated chain by id, else an ad-hoc chain around the node(s) named `root`."""
    definition = find_chain(root)
    if definition is not None:
        ids: list[int] = []
        missing: list[str] = []
        for item in definition.roots:
            found = analytics.find_nodes(graph, item.name, item.kind)
            ids.extend(found)
            if not found:
                missing.append(item.name)
        if not ids:
            raise NotFoundError(
                f"no root of chain {root} is in the graph", message_zh=f"产业链 {root} 的根节点均不在图中"
            )
        chain = analytics.extract_chain(
            graph,
            chain_id=definition.id,
            title=definition.title_zh,
            root_ids=ids,
            hops=_check_hops(definition.hops if hops is None else hops),
            max_nodes=definition.max_nodes,
            kind_hops={"industry": definition.industry_hops},
        )
        return ChainView(chain, definition, tuple(missing))
    found = analytics.find_nodes(graph, root)
    if not found:
        raise NotFoundError(f"no chain or node named {root!r}", message_zh=f"找不到产业链或节点「{root}」")
    chain = analytics.extract_chain(
        graph,
        chain_id=root,
        title=root,
        root_ids=found,
        hops=_check_hops(DEFAULT_HOPS if hops is None else hops),
        max_nodes=AD_HOC_MAX_NODES,
    )
    return ChainView(chain, None, ())


def chain_sizes(graph: ChainGraph) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Each curated chain's node count and roots missing from the graph, extracted once per graph (the chain list
    extracted all of them on every request, ~80 % of it)."""
    with _LOCK:
        cached = _SIZES.get(id(graph))
        if cached is not None and cached[0] is graph:
            return cached[1]
    sizes: dict[str, tuple[int, tuple[str, ...]]] = {}
    for definition in load_chains():
        try:
            view = resolve_chain(graph, definition.id)
            sizes[definition.id] = (len(view.chain.members), view.missing_roots)
        except NotFoundError:
            sizes[definition.id] = (0, tuple(r.name for r in definition.roots))
    with _LOCK:
        if len(_SIZES) >= 4:
            _SIZES.clear()
        _SIZES[id(graph)] = (graph, sizes)
    return sizes


def list_chains(session: Session, lang: str = "zh") -> list[dict[str, object]]:
    """Every curated chain with its base, clusters, roots and how many nodes it spans (chain nodes only: public);
    titles and descriptions in both languages, and as `*_text` in `lang`."""
    graph = graph_of(session)
    bases = {c: b for b in load_bases() for c in b.chains}
    out: list[dict[str, object]] = []
    sizes = chain_sizes(graph)
    for definition in load_chains():
        base = bases.get(definition.id)
        nodes, missing = sizes[definition.id]
        out.append(
            {
                "id": definition.id,
                "title": definition.title_zh,
                "title_en": definition.title_en,
                "title_text": chain_title(definition, definition.title_zh, lang),
                "description": definition.description_zh,
                "description_en": definition.description_en,
                "description_text": definition.description_zh if lang.startswith("zh") else definition.description_en,
                "base": {"id": base.id, "title": base.title_zh, "title_en": base.title_en} if base else None,
                "clusters": [
                    {"id": c.id, "title": c.title_zh, "title_en": c.title_en, "confirmed": c.confirmed}
                    for c in load_clusters()
                    if definition.id in c.chains
                ],
                "hops": definition.hops,
                "roots": [r.name for r in definition.roots],
                "missing_roots": list(missing),
                "nodes": nodes,
            }
        )
    return out


def show_chain(session: Session, *, root: str, hops: int | None = None) -> ChainView:
    """The chain named by `root` (chain nodes and edges only, which carry no visibility)."""
    return resolve_chain(graph_of(session), root, hops)


def chain_report(
    session: Session,
    *,
    viewer: Viewer,
    root: str,
    region: str,
    hops: int | None = None,
    leader: str | None = None,
) -> tuple[ChainView, Report]:
    """Coverage, weak links, leaders, attraction candidates and a consortium draft for one chain and region."""
    whole, graph = graphs_for(session, viewer)
    view = resolve_chain(graph, root, hops)
    leader_id = find_organization(session, graph, leader, viewer) if leader else None
    report = proposals.compose_report(graph, view.chain, _check_region(region), relevance(whole), leader_id)
    return view, report


def _check_region(region: str) -> str:
    """The region as the prefix organizations' codes are matched on: a 6-digit code padded with zeros names its
    province or city (210000 → 21, 210100 → 2101), as no organization's code starts with the padding. A district
    (210211) is refused with its city named: organizations are located to their city at most, so every link would
    read as a gap."""
    if not region.isdigit() or len(region) not in (2, 4, 6):
        raise InvalidDataError(
            "region must be a 2-digit province or 4-digit city code",
            location=("region",),
            message_zh="地区代码须为 2 位省级或 4 位市级代码",
        )
    while len(region) > 2 and region.endswith("00"):
        region = region[:-2]
    if not is_known_region(region):
        raise InvalidDataError(
            f"no region has the code {region}; give a province (21) or city (2102) code, or its name",
            location=("region",),
            message_zh=f"没有代码为 {region} 的地区，请输入省级（21）或市级（2102）代码，或地区名称",
        )
    if len(region) > CITY_DIGITS:
        city = region[:CITY_DIGITS]
        raise InvalidDataError(
            f"{region} is a district; chain analytics read a province or a city (organizations are located to their "
            f"city at most): use {city}",
            location=("region",),
            message_zh=f"{region} 是区县代码；产业链分析按省或市统计（机构只登记到所在城市），请使用 {city}",
        )
    return region


def read_region(session: Session, text: str | None, default: str) -> str:
    """The region code a chain report is asked for (the CLI's `--region`, the API's `region`): a code as given
    (checked by the use case: a code naming no region is refused, a district refused naming its city), a province or
    city name in Chinese or English (辽宁, 大连市, Dalian) resolved as the portal's pickers resolve it, or `default`
    when nothing was given."""
    text = (text or "").strip()
    if not text:
        return default
    return text if text.isdigit() else resolve_region(session, text, "region")


def chain_region(code: str) -> str:
    """The province or city a region code is analysed at: a district's city (210211 → 2102), else the code."""
    digits = code.rstrip("0") if len(code) == 6 and code.isdigit() else code
    return code[:CITY_DIGITS] if len(digits) > CITY_DIGITS else code


def find_organization(session: Session, graph: ChainGraph, text: str, viewer: Viewer) -> int:
    """An organization of `graph` (the viewer's) by id or by (short, full or alias) name."""
    if text.isdigit() and int(text) in graph.orgs:
        return int(text)
    found = [org_id for org_id in build.find_organization_ids(session, text, viewer) if org_id in graph.orgs]
    if not found:
        raise NotFoundError(f"no organization {text!r}", message_zh=f"找不到机构「{text}」")
    return found[0]


def consortium(session: Session, *, viewer: Viewer, root: str, leader: str, region: str | None = None) -> Consortium:
    """A draft consortium around `leader` (id or name) for the chain; region defaults to the leader's province."""
    whole, graph = graphs_for(session, viewer)
    view = resolve_chain(graph, root)
    leader_id = find_organization(session, graph, leader, viewer)
    org = graph.orgs[leader_id]
    where = _check_region(region or org.province_code or (org.region_code or "")[:2] or "00")
    nodes = analytics.coverage(graph, view.chain, where, analytics.TERMS)
    weak = analytics.curate_weak_links(analytics.weak_links(nodes), graph, load_weak_link_filter())
    return proposals.consortium(graph, view.chain, where, leader_id, weak, relevance(whole))


def node_panel(session: Session, *, viewer: Viewer, root: str, node_id: int, region: str) -> NodeCoverage:
    """Coverage of one node of a chain (producers, achievements) for the map's side panel."""
    whole, graph = graphs_for(session, viewer)
    view = resolve_chain(graph, root)
    if node_id not in view.chain.members:
        raise NotFoundError(f"node {node_id} is not in chain {root}", message_zh=f"节点 {node_id} 不在该产业链上")
    single = Chain(
        view.chain.id,
        view.chain.title,
        view.chain.root_ids,
        view.chain.hops,
        {node_id: view.chain.members[node_id]},
        (),
    )
    found = analytics.coverage(graph, single, _check_region(region), relevance(whole))[0]
    reach = analytics.reaches(view.chain)[0][node_id]
    return replace(found, reach=reach)


def chains_of_enterprise(session: Session, *, viewer: Viewer, org_id: int, lang: str = "zh") -> list[dict[str, object]]:
    """The curated chains an enterprise sits in, with its nodes and weights in each (titles as `list_chains`)."""
    _, graph = graphs_for(session, viewer)
    if org_id not in graph.orgs:
        raise NotFoundError(f"no organization {org_id}", message_zh=f"找不到机构 {org_id}")
    links = build.ordered_links(graph.links_by_org.get(org_id, ()))
    out: list[dict[str, object]] = []
    for definition in load_chains():
        try:
            chain = resolve_chain(graph, definition.id).chain
        except NotFoundError:
            continue
        nodes = [
            {
                "node_id": ln.node_id,
                "name": graph.nodes[ln.node_id].name,
                "weight": ln.weight,
                "position": chain.members[ln.node_id].position,
                "evidence": ln.evidence,
                "revenue_share": share_text(ln.weight) if ln.measured else None,
            }
            for ln in links
            if ln.node_id in chain.members
        ]
        if nodes:
            out.append(
                {
                    "id": definition.id,
                    "title": definition.title_zh,
                    "title_en": definition.title_en,
                    "title_text": chain_title(definition, definition.title_zh, lang),
                    "nodes": nodes,
                }
            )
    return out


DIRECTION_NOTE = "edges run supplier → consumer (flow) or part → whole (part)"


def chain_json(view: ChainView, lang: str = "zh") -> dict[str, Any]:
    """A chain as JSON: roots, members, edges (with the direction convention) and missing roots; `title` as stored
    (a curated chain's Chinese title, an ad-hoc chain's root name), `title_text` in `lang` (`ChainView.title_in`)."""
    chain = view.chain
    return {
        "id": chain.id,
        "title": chain.title,
        "title_text": view.title_in(lang),
        "curated": view.definition is not None,
        "hops": chain.hops,
        "roots": [asdict(chain.members[r]) for r in chain.root_ids],
        "missing_roots": list(view.missing_roots),
        "truncated": chain.truncated,
        "direction": DIRECTION_NOTE,
        "nodes": [asdict(m) for m in chain.members.values()],
        "edges": [{"src": s, "dst": d, "type": t} for s, d, t in chain.edges],
    }


def report_json(view: ChainView, report: Report, part: str = "all", lang: str = "zh") -> dict[str, Any]:
    """The report (or one part: gaps, leaders, attract, consortium) as JSON with its evidence; `*_text` fields say
    the chain's title, the reasons and the relevance method in `lang`."""
    head: dict[str, Any] = {
        "chain": {
            "id": view.chain.id,
            "title": view.chain.title,
            "title_text": view.title_in(lang),
            "nodes": len(view.chain.members),
        },
        "region": report.region,
        "relevance_method": report.relevance_method,
        "relevance_text": translate(f"chains.relevance.{relevance_kind(report.relevance_method)}", lang),
        "summary": report.summary,
    }
    parts: dict[str, Any] = {
        "weak_links": [{**asdict(w), "reason_text": w.why().say(lang)} for w in report.weak_links],
        "coverage": [asdict(n) for n in report.coverage],
        "leaders": [asdict(ld) for ld in report.leaders],
        "candidates": [{**asdict(c), "reason_text": c.why().say(lang)} for c in report.candidates],
        "consortium": _consortium_json(report.consortium, lang) if report.consortium else None,
    }
    wanted = {
        "all": tuple(parts),
        "gaps": ("weak_links", "coverage"),
        "leaders": ("leaders",),
        "attract": ("candidates",),
    }[part]
    return {**head, **{key: parts[key] for key in wanted}}


def _consortium_json(draft: Consortium, lang: str) -> dict[str, Any]:
    body = asdict(draft)
    for member, row in zip(draft.members, body["members"], strict=True):
        row["reasons_text"] = [why.say(lang) for why in member.whys]
    return body


RELEVANCE_KINDS = {BM25_METHOD: "bm25", analytics.TERMS.method: "terms"}


def relevance_kind(method: str) -> str:
    """The i18n key suffix naming a relevance method for people (`chains.relevance.<kind>`), never its code name."""
    return RELEVANCE_KINDS.get(method, "terms")


def region_labels(session: Session, codes: Sequence[str | None], lang: str = "zh") -> dict[str, str]:
    """Names of region codes as a page in `lang` shows them (21 → 辽宁省 or Liaoning, 2102 → 大连市 or Dalian);
    unknown codes are left out): the registry's `region_names` in the page's language."""
    return localize_names(region_names(session, codes), lang)


def report_regions(session: Session, report: Report, region: str, lang: str = "zh") -> dict[str, str]:
    """The names of every region code a report shows: its own region, leaders' and candidates' regions."""
    codes = [region, *(ld.region_code for ld in report.leaders), *(c.province_code for c in report.candidates)]
    return region_labels(session, codes, lang)
