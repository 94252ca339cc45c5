"""Rows → ChainGraph: the only module of `chains/` that reads the database.

`load_graph(session)` selects chain nodes, edges, enterprise links, organizations, achievements with their owners and
experts as plain tuples and hands them to `assemble_graph`, which is pure: it applies the relation semantics of
`data/chains/relations.yaml` (one direction convention: supplier → consumer), and places enterprises whose listed
product names are noisy on the vocabulary node they name (`normalize.resolve_name`), keeping the evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, false, func, not_, select
from sqlalchemy.orm import Session

from techbridge.access import Viewer, visibility_clause
from techbridge.chains.loader import RelationRules, load_relations
from techbridge.chains.normalize import Resolution, Rules, load_rules, resolve_name
from techbridge.chains.schemas import ChainGraph, GraphStats, Hidden, Link, Node, Org, Person, Piece, Work
from techbridge.models import (
    Achievement,
    AchievementOwner,
    ChainEdge,
    ChainNode,
    EnterpriseNode,
    Expert,
    Organization,
    OrganizationAlias,
    Visibility,
)
from techbridge.models.data_version import CHAIN_GRAPH, data_version

ABSTRACT_CHARS = 300  # how much of an abstract joins the title when judging relevance


@dataclass
class GraphRows:
    """Everything the graph is made of, as plain tuples (what `load_graph` reads, what tests write by hand)."""

    nodes: Sequence[tuple[int, str, str]]  # id, kind, name
    edges: Sequence[tuple[int, int, str, float, str]]  # src, dst, relation, weight, source dataset
    links: Sequence[tuple[int, int, str, float | None, str]]  # org, node, relation, weight, evidence
    orgs: Sequence[tuple[int, str, str, str | None, str | None]]  # id, name, kind, province, region
    works: Sequence[tuple[int, str, str, str | None]] = ()  # id, title, text, region
    owners: Sequence[tuple[int, int | None, int | None]] = ()  # achievement, org, expert
    experts: Sequence[tuple[int, str, int | None, Sequence[str]]] = ()  # id, name, affiliation, fields
    extra: dict[str, int] = field(default_factory=dict)


def _adjacency(
    edges: Iterable[tuple[int, int, str, float, str]], nodes: dict[int, Node], relations: RelationRules
) -> tuple[dict[int, set[int]], dict[int, set[int]], dict[int, set[int]], set[str], int]:
    suppliers: dict[int, set[int]] = defaultdict(set)
    consumers: dict[int, set[int]] = defaultdict(set)
    children: dict[int, set[int]] = defaultdict(set)
    ignored: set[str] = set()
    used = 0
    flows, minimum = relations.flows, relations.min_weights
    for src, dst, relation, weight, dataset in edges:
        flow = flows.get(relation)
        if flow is None:
            ignored.add(relation)
            continue
        if src == dst or src not in nodes or dst not in nodes or weight < minimum.get((relation, dataset), 0.0):
            continue
        used += 1
        if flow in ("forward", "reverse"):
            up, down = (src, dst) if flow == "forward" else (dst, src)
            suppliers[down].add(up)
            consumers[up].add(down)
        else:
            parent, child = (src, dst) if flow == "child" else (dst, src)
            children[parent].add(child)
    return suppliers, consumers, children, ignored, used


def _vocabulary(nodes: dict[int, Node], connected: set[int]) -> dict[tuple[str, str], int]:
    """(kind, name) → node id of the nodes that take part in at least one edge (the chain vocabulary)."""
    return {(nodes[i].kind, nodes[i].name): i for i in connected}


def _place_links(
    rows: GraphRows, nodes: dict[int, Node], connected: set[int], relations: RelationRules, rules: Rules
) -> tuple[dict[tuple[int, int], Link], int]:
    """Merge enterprise links per (org, node), adding a resolved link when the listed name is not itself a node."""
    vocab = _vocabulary(nodes, connected)
    names_by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, name in vocab:
        names_by_kind[kind].add(name)
    memo: dict[tuple[str, str], Resolution | None] = {}
    merged: dict[tuple[int, int], Link] = {}
    resolved = 0
    for org_id, node_id, relation, weight, evidence in rows.links:
        node = nodes.get(node_id)
        if node is None:
            continue
        value = max(0.0, weight if weight is not None else relations.link_weights.get(relation, 0.0))
        measured = weight is not None
        said = Piece(relation, node.name, node.name, evidence or "")
        _merge(merged, Link(org_id, node_id, value, relation, (said,), measured))
        if node_id in connected:
            continue
        key = (node.kind, node.name)
        if key not in memo:
            memo[key] = resolve_name(node.name, names_by_kind[node.kind], rules)
        found = memo[key]
        if found is not None:
            resolved += 1
            target = vocab[(node.kind, found.name)]
            piece = Piece(relation, found.raw, found.name, "; ".join(found.steps))
            _merge(merged, Link(org_id, target, value, relation, (piece,), measured))
    return merged, resolved


def _merge(merged: dict[tuple[int, int], Link], link: Link) -> None:
    """Keep one link per (org, node): the highest weight, every distinct piece of evidence."""
    key = (link.org_id, link.node_id)
    old = merged.get(key)
    if old is None:
        merged[key] = link
        return
    pieces = old.pieces + tuple(piece for piece in link.pieces if piece not in old.pieces)
    best = link if link.weight > old.weight else old
    merged[key] = Link(link.org_id, link.node_id, best.weight, best.relation, pieces, best.measured)


def _works(rows: GraphRows) -> tuple[Work, ...]:
    orgs_of: dict[int, list[int]] = defaultdict(list)
    experts_of: dict[int, list[int]] = defaultdict(list)
    for work_id, org_id, expert_id in sorted(rows.owners, key=lambda r: (r[0], r[1] or 0, r[2] or 0)):
        if org_id is not None:
            orgs_of[work_id].append(org_id)
        if expert_id is not None:
            experts_of[work_id].append(expert_id)
    none: tuple[int, ...] = ()
    return tuple(
        Work(wid, title, text, tuple(orgs_of.get(wid, none)), tuple(experts_of.get(wid, none)), region)
        for wid, title, text, region in sorted(rows.works, key=_first)
    )


def _first(row: tuple[int, str, str, str | None]) -> int:
    return row[0]


def _group(links: Iterable[Link], key: str, ordered: bool) -> dict[int, tuple[Link, ...]]:
    grouped: dict[int, list[Link]] = defaultdict(list)
    for link in links:
        grouped[getattr(link, key)].append(link)
    if not ordered:  # per-organization lists are short; users sort them (see `ordered_links`)
        return {k: tuple(v) for k, v in grouped.items()}
    return {k: tuple(sorted(v, key=_link_order)) for k, v in grouped.items()}


def ordered_links(links: Iterable[Link]) -> list[Link]:
    """Links by weight (highest first), then organization and node id."""
    return sorted(links, key=_link_order)


def _link_order(link: Link) -> tuple[float, int, int]:
    return (-link.weight, link.org_id, link.node_id)


def assemble_graph(rows: GraphRows, relations: RelationRules | None = None, rules: Rules | None = None) -> ChainGraph:
    """Build the in-memory graph from plain rows (pure)."""
    relations = relations or load_relations()
    nodes = {row[0]: node for row, node in zip(rows.nodes, map(Node._make, rows.nodes), strict=True)}
    suppliers, consumers, children, ignored, used = _adjacency(rows.edges, nodes, relations)
    connected = set(suppliers) | set(consumers) | set(children)
    connected |= {c for group in (*suppliers.values(), *consumers.values(), *children.values()) for c in group}
    links, resolved = _place_links(rows, nodes, connected, relations, rules or load_rules())
    names: dict[str, list[int]] = defaultdict(list)
    for node_id, _kind, name in rows.nodes:
        names[name].append(node_id)
    return ChainGraph(
        nodes=nodes,
        suppliers={k: tuple(v) for k, v in suppliers.items()},
        consumers={k: tuple(v) for k, v in consumers.items()},
        children={k: tuple(v) for k, v in children.items()},
        links_by_node=_group(links.values(), "node_id", ordered=True),
        links_by_org=_group(links.values(), "org_id", ordered=False),
        orgs={org.id: org for org in map(Org._make, rows.orgs)},
        works=_works(rows),
        experts={eid: Person(eid, name, aff, tuple(fields)) for eid, name, aff, fields in rows.experts},
        names={k: tuple(v) for k, v in names.items()},
        connected=frozenset(connected),
        stats=GraphStats(len(nodes), used, len(links), resolved, tuple(sorted(ignored))),
    )


def _work_text(title: str, abstract: str | None, keywords: Sequence[str] | None) -> str:
    return " ".join([title, " ".join(keywords or []), (abstract or "")[:ABSTRACT_CHARS]])


def read_rows(session: Session) -> GraphRows:
    """Every row the graph needs, as tuples (Core execution: no ORM row overhead on ~300k rows)."""
    conn = session.connection()
    nodes = conn.execute(select(ChainNode.id, ChainNode.kind, ChainNode.name)).all()
    edges = conn.execute(
        select(ChainEdge.src_id, ChainEdge.dst_id, ChainEdge.relation, ChainEdge.weight, ChainEdge.source_dataset)
    ).all()
    links = conn.execute(
        select(
            EnterpriseNode.organization_id,
            EnterpriseNode.node_id,
            EnterpriseNode.relation,
            EnterpriseNode.weight,
            EnterpriseNode.evidence,
        )
    )
    orgs = conn.execute(
        select(
            Organization.id,
            func.coalesce(Organization.short_name, Organization.name),
            Organization.kind,
            Organization.province_code,
            Organization.region_code,
        )
    )
    works = conn.execute(
        select(Achievement.id, Achievement.title, Achievement.abstract, Achievement.keywords, Achievement.region_code)
    )
    owners = conn.execute(
        select(AchievementOwner.achievement_id, AchievementOwner.organization_id, AchievementOwner.expert_id)
    )
    experts = conn.execute(select(Expert.id, Expert.name, Expert.affiliation_id, Expert.fields))
    return GraphRows(
        nodes=nodes,
        edges=edges,
        links=list(links),
        orgs=list(orgs),
        works=[(wid, title, _work_text(title, abstract, kw), region) for wid, title, abstract, kw, region in works],
        owners=list(owners),
        experts=[(eid, name, aff, fields or []) for eid, name, aff, fields in experts],
    )


def load_graph(session: Session) -> ChainGraph:
    """The whole chain graph of the registry."""
    return assemble_graph(read_rows(session))


GRAPH_TABLES = (ChainNode, ChainEdge, EnterpriseNode, Organization, Achievement, AchievementOwner, Expert)
"""The tables the graph reads; a database trigger on each bumps the `chain_graph` data version (migrations 0018,
0020)."""


def graph_version(session: Session) -> int | None:
    """The data version of GRAPH_TABLES: one row read by primary key, bumped in the same transaction as any write
    to them (also bulk, COPY and raw SQL), so a change seen from any process means the cached graph is stale.
    None when the counter row is missing (a database restored without it): callers fall back to `fingerprint`."""
    return data_version(session, CHAIN_GRAPH)[0]


def fingerprint(session: Session) -> tuple[int, ...]:
    """Row counts and highest ids of every table the graph reads (a scan of each: only when there is no counter)."""
    parts: list[int] = []
    for model in GRAPH_TABLES:
        count, top = session.execute(select(func.count(), func.max(model.id))).one()
        parts.extend((int(count), int(top or 0)))
    return tuple(parts)


def graph_stamp(session: Session) -> tuple[int, ...] | None:
    """What the graph cache compares: the data version, else the fingerprint; None when this transaction wrote the
    graph's tables on PostgreSQL, whose counter moves only at commit (the graph is then built for it alone)."""
    version, written_here = data_version(session, CHAIN_GRAPH)
    if written_here:
        return None
    return (version,) if version is not None else fingerprint(session)


def hidden_records(session: Session, viewer: Viewer) -> Hidden:
    """Ids of the organizations, achievements and experts `viewer` may not read (read per request, never cached).

    The graph cache is shared by every viewer, so it keeps every record and each request drops these ids from its
    own view of it (`visibility.restrict_graph`).
    """
    if viewer.is_privileged:
        return Hidden()
    conn = session.connection()
    return Hidden(
        *(frozenset(conn.scalars(_hidden_ids(model, viewer))) for model in (Organization, Achievement, Expert))
    )


def _hidden_ids(model: type[Organization | Achievement | Expert], viewer: Viewer) -> Select[int]:
    """Rows the access rule refuses (NULL counts as refused: an owner-only row whose owner was deleted); public rows
    are always readable, so only the (indexed) non-public ones are looked at."""
    readable = func.coalesce(visibility_clause(model, viewer), false())
    return select(model.id).where(model.visibility.in_([Visibility.REGISTERED, Visibility.OWNER]), not_(readable))


def find_organization_ids(session: Session, text: str, viewer: Viewer) -> list[int]:
    """Organizations the viewer may read named `text` (full, short, normalized or alias name), else whose name
    contains it; by id (hidden ones are left out in the query, so they never crowd out a visible one)."""
    name = text.strip()
    readable = visibility_clause(Organization, viewer)
    exact = select(Organization.id).where(
        readable,
        (Organization.name == name) | (Organization.short_name == name) | (Organization.normalized_name == name),
    )
    alias = (
        select(OrganizationAlias.organization_id)
        .join(Organization, Organization.id == OrganizationAlias.organization_id)
        .where(OrganizationAlias.alias == name, readable)
    )
    found = sorted(set(session.scalars(exact)) | set(session.scalars(alias)))
    if found or len(name) < 2:
        return found
    contains = select(Organization.id).where(readable, Organization.name.contains(name, autoescape=True))
    return list(session.scalars(contains.order_by(Organization.id).limit(5)))
