"""The chain graph one viewer may see: the cached whole graph minus the records they may not read (pure).

The process-wide graph (`service.graph_of`) holds every organization, achievement and expert; a request drops the
ids `build.hidden_records` names for its viewer. Links of a hidden organization go with it, so it is neither a
producer, a leader, an attraction candidate nor a consortium member, and a hidden achievement or expert is neither
relevant to a node nor anyone's reason. Restricted copies are kept for the last few (graph, hidden ids) pairs, so
anonymous visitors, who all share one hidden set, share one copy.
"""

from __future__ import annotations

from dataclasses import replace
from threading import Lock

from techbridge.chains.schemas import ChainGraph, Hidden, Link

KEPT_COPIES = 8

_COPIES: dict[tuple[int, Hidden], tuple[ChainGraph, ChainGraph]] = {}
_LOCK = Lock()


def restrict_graph(graph: ChainGraph, hidden: Hidden) -> ChainGraph:
    """`graph` without the hidden organizations (and their links), achievements and experts."""
    if not hidden:
        return graph
    key = (id(graph), hidden)
    with _LOCK:
        cached = _COPIES.get(key)
        if cached is not None and cached[0] is graph:
            return cached[1]
    copy = _restricted_copy(graph, hidden)
    with _LOCK:
        if len(_COPIES) >= KEPT_COPIES:
            _COPIES.clear()
        _COPIES[key] = (graph, copy)
    return copy


def _restricted_copy(graph: ChainGraph, hidden: Hidden) -> ChainGraph:
    return replace(
        graph,
        links_by_node=_links_without(graph, hidden.orgs),
        links_by_org={k: v for k, v in graph.links_by_org.items() if k not in hidden.orgs},
        orgs={k: v for k, v in graph.orgs.items() if k not in hidden.orgs},
        works=tuple(w for w in graph.works if w.id not in hidden.works),
        experts={k: v for k, v in graph.experts.items() if k not in hidden.experts},
    )


def _links_without(graph: ChainGraph, orgs: frozenset[int]) -> dict[int, tuple[Link, ...]]:
    """Links by node without those of `orgs`; only the nodes those organizations touch are rebuilt."""
    touched = {link.node_id for org in orgs for link in graph.links_by_org.get(org, ())}
    if not touched:
        return graph.links_by_node
    out = dict(graph.links_by_node)
    for node_id in touched:
        kept = tuple(link for link in out[node_id] if link.org_id not in orgs)
        if kept:
            out[node_id] = kept
        else:
            del out[node_id]
    return out
