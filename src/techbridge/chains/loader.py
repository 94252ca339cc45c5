"""Curated chain definitions, industry bases, the cluster list and edge-relation semantics, read from data files.

Shipped files live in `techbridge/data/chains/` (`curated/<id>.yaml`, `bases.yaml`, `clusters.yaml`,
`relations.yaml`) and are validated when loaded; a malformed file raises InvalidDataError naming file and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from techbridge.errors import InvalidDataError

FLOWS = ("forward", "reverse", "child", "parent")
NODE_KINDS = ("product", "industry")


@dataclass(frozen=True, slots=True)
class RootDef:
    """A root of a curated chain: a node name and optionally its kind."""

    name: str
    kind: str | None


@dataclass(frozen=True, slots=True)
class ChainDef:
    """A curated chain: id, bilingual title, base, roots, hop radius (industries: `industry_hops`) and node cap."""

    id: str
    title_zh: str
    title_en: str
    base: str
    hops: int
    max_nodes: int
    roots: tuple[RootDef, ...]
    industry_hops: int = 1
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True, slots=True)
class Grouping:
    """A base or cluster: id, bilingual title, chain ids, and whether the membership is confirmed."""

    id: str
    title_zh: str
    title_en: str
    chains: tuple[str, ...]
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class RelationRules:
    """How stored relations map onto the graph: edge flow per relation, default weights of enterprise links."""

    flows: dict[str, str]
    link_weights: dict[str, float]
    min_weights: dict[tuple[str, str], float] = field(default_factory=dict)  # (relation, dataset) → least weight


@dataclass(frozen=True)
class WeakLinkFilter:
    """Which nodes the weak-link list leaves out (data/chains/weak_links.yaml)."""

    stoplist: frozenset[str] = frozenset()
    drop_unweighted_leaves: bool = False


def _folder() -> Any:
    return resources.files("techbridge") / "data" / "chains"


def _bilingual(raw: Any, where: tuple[str | int, ...]) -> tuple[str, str]:
    if not isinstance(raw, dict) or not isinstance(raw.get("zh"), str) or not isinstance(raw.get("en"), str):
        raise InvalidDataError("expected {zh: ..., en: ...}", location=where)
    return raw["zh"], raw["en"]


def _positive_int(raw: Any, where: tuple[str | int, ...]) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        raise InvalidDataError("expected a positive integer", location=where)
    return raw


def parse_root(raw: Any, where: tuple[str | int, ...]) -> RootDef:
    """One `{name, kind}` root entry."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise InvalidDataError("a root needs a name", location=where)
    kind = raw.get("kind")
    if kind is not None and kind not in NODE_KINDS:
        raise InvalidDataError(f"kind must be one of {NODE_KINDS}", location=(*where, "kind"))
    return RootDef(raw["name"], kind)


def parse_chain(raw: Any, source: str) -> ChainDef:
    """Validate one curated chain document."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise InvalidDataError("a chain needs an id", location=(source, "id"))
    title_zh, title_en = _bilingual(raw.get("title"), (source, "title"))
    desc_zh, desc_en = _bilingual(raw.get("description", {"zh": "", "en": ""}), (source, "description"))
    roots_raw = raw.get("roots")
    if not isinstance(roots_raw, list) or not roots_raw:
        raise InvalidDataError("a chain needs at least one root", location=(source, "roots"))
    roots = tuple(parse_root(item, (source, f"roots[{i}]")) for i, item in enumerate(roots_raw))
    return ChainDef(
        id=raw["id"],
        title_zh=title_zh,
        title_en=title_en,
        base=str(raw.get("base", "")),
        hops=_positive_int(raw.get("hops", 2), (source, "hops")),
        max_nodes=_positive_int(raw.get("max_nodes", 300), (source, "max_nodes")),
        roots=roots,
        industry_hops=_positive_int(raw.get("industry_hops", 1), (source, "industry_hops")),
        description_zh=desc_zh,
        description_en=desc_en,
    )


@lru_cache(maxsize=1)
def load_chains() -> tuple[ChainDef, ...]:
    """Every shipped curated chain, sorted by id."""
    return read_chain_folder(_folder() / "curated")


def read_chain_folder(folder: Any) -> tuple[ChainDef, ...]:
    """Every `<id>.yaml` of a folder (a Path or a package resource), sorted by id; the id must match the name."""
    chains: list[ChainDef] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            chain = parse_chain(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name)
            if f"{chain.id}.yaml" != entry.name:
                raise InvalidDataError("id must match the file name", location=(entry.name, "id"))
            chains.append(chain)
    return tuple(chains)


def parse_groupings(raw: Any, key: str, source: str) -> tuple[Grouping, ...]:
    """Bases (`bases:` with chain lists) or clusters (`clusters:` with one `chain` and `confirmed`)."""
    items = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(items, list):
        raise InvalidDataError(f"expected a list under {key}", location=(source, key))
    out: list[Grouping] = []
    for i, item in enumerate(items):
        where = (source, f"{key}[{i}]")
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise InvalidDataError("an entry needs an id", location=where)
        zh, en = _bilingual(item.get("title"), (*where, "title"))
        chains = item.get("chains", [item["chain"]] if "chain" in item else [])
        if not isinstance(chains, list) or not all(isinstance(c, str) for c in chains):
            raise InvalidDataError("chains must be a list of chain ids", location=(*where, "chains"))
        out.append(Grouping(item["id"], zh, en, tuple(chains), bool(item.get("confirmed", True))))
    return tuple(out)


@lru_cache(maxsize=1)
def load_bases() -> tuple[Grouping, ...]:
    """The four trillion-yuan industry bases and their chains."""
    text = (_folder() / "bases.yaml").read_text(encoding="utf-8")
    return parse_groupings(yaml.safe_load(text), "bases", "bases.yaml")


@lru_cache(maxsize=1)
def load_clusters() -> tuple[Grouping, ...]:
    """The key industry clusters known so far (each marked confirmed or not)."""
    text = (_folder() / "clusters.yaml").read_text(encoding="utf-8")
    return parse_groupings(yaml.safe_load(text), "clusters", "clusters.yaml")


def parse_relations(raw: Any, source: str = "relations.yaml") -> RelationRules:
    """Validate the relation semantics document."""
    edges = raw.get("edges") if isinstance(raw, dict) else None
    links = raw.get("links") if isinstance(raw, dict) else None
    if not isinstance(edges, dict) or not isinstance(links, dict):
        raise InvalidDataError("expected `edges` and `links` mappings", location=(source,))
    flows: dict[str, str] = {}
    mins: dict[tuple[str, str], float] = {}
    for name, spec in edges.items():
        flow = spec.get("flow") if isinstance(spec, dict) else None
        if flow not in FLOWS:
            raise InvalidDataError(f"flow must be one of {FLOWS}", location=(source, "edges", name))
        flows[str(name)] = str(flow)
        minimum = spec.get("min_weight", {})
        if not isinstance(minimum, dict) or not all(isinstance(v, int | float) for v in minimum.values()):
            raise InvalidDataError("min_weight maps a dataset to a number", location=(source, "edges", name))
        mins.update({(str(name), str(dataset)): float(value) for dataset, value in minimum.items()})
    weights: dict[str, float] = {}
    for name, spec in links.items():
        weight = spec.get("default_weight") if isinstance(spec, dict) else None
        if not isinstance(weight, int | float):
            raise InvalidDataError("default_weight must be a number", location=(source, "links", name))
        weights[str(name)] = float(weight)
    return RelationRules(flows, weights, mins)


@lru_cache(maxsize=1)
def load_relations() -> RelationRules:
    """The shipped relation semantics."""
    return parse_relations(yaml.safe_load((_folder() / "relations.yaml").read_text(encoding="utf-8")))


def find_chain(chain_id: str) -> ChainDef | None:
    """The curated chain with this id, if any."""
    return next((chain for chain in load_chains() if chain.id == chain_id), None)


def parse_weak_link_filter(raw: Any, source: str = "weak_links.yaml") -> WeakLinkFilter:
    """Validate the weak-link curation document: a list of names and a yes/no rule."""
    stoplist = raw.get("stoplist", []) if isinstance(raw, dict) else None
    if not isinstance(stoplist, list) or not all(isinstance(name, str) for name in stoplist):
        raise InvalidDataError("stoplist must be a list of node names", location=(source, "stoplist"))
    drop = raw.get("drop_unweighted_leaves", False)
    if not isinstance(drop, bool):
        raise InvalidDataError("must be true or false", location=(source, "drop_unweighted_leaves"))
    return WeakLinkFilter(frozenset(stoplist), drop)


@lru_cache(maxsize=1)
def load_weak_link_filter() -> WeakLinkFilter:
    """The shipped weak-link curation."""
    text = (_folder() / "weak_links.yaml").read_text(encoding="utf-8")
    return parse_weak_link_filter(yaml.safe_load(text))
