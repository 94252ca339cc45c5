"""Plain, immutable value types of chain analytics: the in-memory graph and every result the analytics return.

Direction convention inside the graph (whatever the source's wording, see `data/chains/relations.yaml`):
graph elements built by the hundred thousand (Node, Org, Link) are NamedTuples, results are frozen dataclasses.
`suppliers[n]` are the nodes whose output flows INTO `n` (upstream of `n`), `consumers[n]` the nodes `n` flows into
(downstream of `n`), and `children[n]` the sub-products / sub-industries `n` contains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from techbridge.i18n.loader import load_catalog, translate


class Node(NamedTuple):
    """A product or industry of the chain graph."""

    id: int
    kind: str
    name: str


class Org(NamedTuple):
    """An organization as the analytics see it: kind and where it is registered."""

    id: int
    name: str
    kind: str
    province_code: str | None
    region_code: str | None


class Piece(NamedTuple):
    """One stored fact behind a link: the relation, the name the source listed, the node it was read as (the same
    name unless the vocabulary resolved it) and a note (the source's own evidence, or the resolution steps)."""

    relation: str
    listed: str
    node: str
    note: str = ""

    @property
    def text(self) -> str:
        """`relation name (note)`, or `relation listed → node (steps)` for a name read as another node."""
        if self.listed != self.node:
            return f"{self.relation} {self.listed} → {self.node}" + (f" ({self.note})" if self.note else "")
        return f"{self.relation} {self.node}" + (f" ({self.note})" if self.note else "")


class Link(NamedTuple):
    """An enterprise producing (or belonging to) a node, with its weight and the facts behind the link; `measured`
    says the weight is the source's revenue share, not the relation's default."""

    org_id: int
    node_id: int
    weight: float
    relation: str
    pieces: tuple[Piece, ...]
    measured: bool = False

    @property
    def evidence(self) -> str:
        """The facts as one line of text (CLI, API, export)."""
        return "; ".join(piece.text for piece in self.pieces)


@dataclass(frozen=True, slots=True)
class Work:
    """An achievement with its owners and the text used to judge its relevance to a node."""

    id: int
    title: str
    text: str
    org_ids: tuple[int, ...]
    expert_ids: tuple[int, ...]
    region_code: str | None


@dataclass(frozen=True, slots=True)
class Person:
    """An expert with an affiliation and fields."""

    id: int
    name: str
    affiliation_id: int | None
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GraphStats:
    """What went into a graph: counts, ignored relations and how many links were placed by name resolution."""

    nodes: int
    edges: int
    links: int
    resolved_links: int
    ignored_relations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hidden:
    """Ids of the records one viewer may not read: the graph they see leaves these out."""

    orgs: frozenset[int] = frozenset()
    works: frozenset[int] = frozenset()
    experts: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.orgs or self.works or self.experts)


@dataclass(frozen=True)
class ChainGraph:
    """The whole chain graph in memory: adjacency by direction plus producers, organizations, achievements."""

    nodes: dict[int, Node]
    suppliers: dict[int, tuple[int, ...]]
    consumers: dict[int, tuple[int, ...]]
    children: dict[int, tuple[int, ...]]
    links_by_node: dict[int, tuple[Link, ...]]  # by weight, highest first
    links_by_org: dict[int, tuple[Link, ...]]  # unordered
    orgs: dict[int, Org]
    works: tuple[Work, ...]
    experts: dict[int, Person]
    names: dict[str, tuple[int, ...]]
    connected: frozenset[int]
    stats: GraphStats


@dataclass(frozen=True, slots=True)
class Member:
    """A node of one chain: its position relative to the roots and its hop distance."""

    node_id: int
    name: str
    kind: str
    position: str  # root | upstream | downstream | part
    hop: int


@dataclass(frozen=True)
class Chain:
    """A chain cut out of the graph: members by id and the dependency edges (supplier → consumer) among them."""

    id: str
    title: str
    root_ids: tuple[int, ...]
    hops: int
    members: dict[int, Member]
    edges: tuple[tuple[int, int, str], ...]  # (src, dst, "flow" | "part")
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Producer:
    """An enterprise producing a node, with its weight and evidence."""

    org_id: int
    name: str
    region_code: str | None
    province_code: str | None
    weight: float
    evidence: str
    proofs: tuple[Why, ...] = ()


@dataclass(frozen=True, slots=True)
class Relevant:
    """An achievement relevant to a node, with owners and the method that judged it."""

    achievement_id: int
    title: str
    score: float
    owner_names: tuple[str, ...]
    method: str


@dataclass(frozen=True)
class NodeCoverage:
    """What the region holds for one chain node."""

    node_id: int
    name: str
    kind: str
    position: str
    hop: int
    regional_producers: tuple[Producer, ...]
    national_producers: int
    top_national: tuple[Producer, ...]
    institutions: tuple[str, ...]
    achievements: tuple[Relevant, ...]
    reach: int
    market_weight: float
    status: str  # covered | single | gap | innovation_gap


@dataclass(frozen=True)
class WeakLink:
    """A weak link of a chain, why it is weak and how much of the chain depends on it."""

    node_id: int
    name: str
    kind: str  # gap | single | innovation_gap
    reach: int
    market_weight: float
    score: float
    regional_producers: tuple[str, ...]
    national_producers: int
    reason: str
    regional_producer_ids: tuple[int, ...] = ()  # the organisations behind `regional_producers`, same order

    def producers(self) -> tuple[tuple[int, str], ...]:
        """(organisation id, name) of the regional producers, for links."""
        return tuple(zip(self.regional_producer_ids, self.regional_producers, strict=False))

    def why(self) -> Why:
        """The reason as a catalogue sentence (`reason` keeps it as English text)."""
        key = "gap_none" if self.kind == "gap" and not self.national_producers else self.kind
        first = self.regional_producers[0] if self.regional_producers else ""
        params = {"producer": first, "count": self.national_producers or len(self.regional_producers)}
        return Why(f"weak.{key}", (*((k, str(v)) for k, v in params.items()), ("reach", str(self.reach))))


@dataclass(frozen=True)
class NodeShare:
    """One node's contribution to an enterprise's leader score."""

    node_id: int
    name: str
    weight: float
    centrality: float
    evidence: str
    measured: bool = False
    relation: str = ""
    upstream: int = 0  # chain nodes it depends on
    downstream: int = 0  # chain nodes depending on it

    def why(self) -> Why:
        """The node's part in the leader score as a sentence with units: the revenue share (or the relation and its
        assumed weight) and how many chain links sit upstream and downstream of the node."""
        reach = (("up", str(self.upstream)), ("down", str(self.downstream)))
        if self.measured:
            return Why("leader_revenue", (("node", self.name), ("share", share_text(self.weight)), *reach))
        params = (("node", self.name), ("weight", f"{self.weight:.2f}"), *reach, *relation_params(self.relation))
        return Why("leader_assumed", params, relation_terms(self.relation))


@dataclass(frozen=True)
class Leader:
    """A chain leader candidate: revenue-weighted centrality across the chain, with the nodes behind it."""

    org_id: int
    name: str
    region_code: str | None
    score: float
    nodes: tuple[NodeShare, ...]


@dataclass(frozen=True)
class Candidate:
    """An out-of-region enterprise that would fill weak links, with the reasons."""

    org_id: int
    name: str
    province_code: str | None
    score: float
    fills: tuple[str, ...]
    reasons: tuple[str, ...]

    def why(self) -> Why:
        """The links it would fill, as a catalogue sentence."""
        return Why("fills", lists=(("links", tuple(self.fills[:5])),))


@dataclass(frozen=True)
class Why:
    """A reason as people read it: a sentence template of the i18n catalogue (`chains.why.<key>`) and its values;
    `reasons` keep the same fact as plain English text for the CLI and the API."""

    key: str
    params: tuple[tuple[str, str], ...] = ()
    terms: tuple[tuple[str, str], ...] = ()  # values that are catalogue keys themselves (a relation's name)
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()  # values that are lists (node names), joined in the language

    def say(self, lang: str) -> str:
        """The sentence in `lang` (lists joined as the language lists things: 天然气、燃气 or 天然气, 燃气)."""
        sep = translate("common.list_sep", lang)
        params = dict(self.params) | {name: sep.join(values) for name, values in self.lists}
        params |= {name: translate(key, lang) for name, key in self.terms}
        return translate(f"chains.why.{self.key}", lang, **params)


@dataclass(frozen=True)
class ConsortiumMember:
    """One member of a draft innovation consortium and why it is proposed."""

    role: str  # leader | institution | expert | upstream | downstream
    kind: str  # organization | expert
    ref_id: int
    name: str
    score: float
    reasons: tuple[str, ...]
    whys: tuple[Why, ...] = ()


@dataclass(frozen=True)
class Consortium:
    """A draft 创新联合体: the leader, the targeted links and the proposed members."""

    chain_id: str
    leader_id: int
    leader_name: str
    targets: tuple[str, ...]
    members: tuple[ConsortiumMember, ...]
    relevance_method: str
    missing_roles: tuple[str, ...] = ()
    """Research roles (institution, expert) for which no member was found anywhere in the registry: the draft says
    so rather than passing firms off as a consortium."""


@dataclass(frozen=True)
class Report:
    """Everything the chain report shows for one region."""

    chain: Chain
    region: str
    coverage: tuple[NodeCoverage, ...]
    weak_links: tuple[WeakLink, ...]
    leaders: tuple[Leader, ...]
    candidates: tuple[Candidate, ...]
    consortium: Consortium | None
    relevance_method: str
    summary: dict[str, int] = field(default_factory=dict)


def share_text(weight: float) -> str:
    """A revenue share in per cent: 15.8%, or <0.1% for a trace."""
    return "<0.1%" if 0 < weight < 0.001 else f"{weight:.1%}"


def relation_terms(relation: str) -> tuple[tuple[str, str], ...]:
    """The relation as a catalogue term (`chains.relation.<name>`) when the catalogue names it, else nothing (the
    sentence then shows the stored name, see `relation_params`)."""
    key = f"chains.relation.{relation}"
    return (("relation", key),) if key in load_catalog() else ()


def relation_params(relation: str) -> tuple[tuple[str, str], ...]:
    """The stored relation name as a plain value, for relations the catalogue does not name."""
    return () if relation_terms(relation) else (("relation", relation),)
