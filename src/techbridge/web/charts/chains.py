"""ECharts option for the chain map: nodes coloured by regional coverage, sized by revenue weight."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from techbridge.chains.schemas import Chain, NodeCoverage

STATUS_COLOURS = {"covered": "#2e7d32", "innovation_gap": "#7b1fa2", "single": "#ef6c00", "gap": "#c62828"}
STATUSES = tuple(STATUS_COLOURS)
MIN_SIZE, MAX_SIZE = 8.0, 40.0
LABEL_ALL_UP_TO = 60  # chains up to this many nodes label every node; larger ones label roots, big and weak nodes
LABEL_WIDTH = 84  # px; longer names are cut with an ellipsis (the tooltip has the full name)
MARGINS = {"top": 48, "bottom": 24, "left": 24, "right": LABEL_WIDTH + 16}  # room for labels inside the panel


def node_size(weight: float, top: float) -> float:
    """Symbol size: log-scaled revenue weight between MIN_SIZE and MAX_SIZE (roots get at least the middle)."""
    if top <= 0:
        return MIN_SIZE
    return round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.log1p(weight) / math.log1p(top), 2)


def _labelled(node: NodeCoverage, size: float, label_all: bool) -> bool:
    """Whether a node shows its name: every node of a small chain, else roots, big nodes and weak links."""
    big = size > (MIN_SIZE + MAX_SIZE) / 2
    return label_all or node.position == "root" or big or node.status in ("single", "gap")


def chain_graph_option(
    chain: Chain, coverage: Sequence[NodeCoverage], labels: dict[str, str], label_all_up_to: int = LABEL_ALL_UP_TO
) -> dict[str, Any]:
    """A force-layout graph series; `labels` maps each status to its display name (legend); nodes keep their labels
    inside the panel (margins, truncation, overlap hiding)."""
    top = max((n.market_weight for n in coverage), default=0.0)
    data = []
    for node in coverage:
        size = node_size(node.market_weight, top)
        data.append(
            {
                "id": str(node.node_id),
                "name": node.name,
                "category": STATUSES.index(node.status),
                "symbolSize": max(size, (MIN_SIZE + MAX_SIZE) / 2) if node.position == "root" else size,
                "value": node.market_weight,
                "itemStyle": {"color": STATUS_COLOURS[node.status]},
                "label": {"show": _labelled(node, size, len(coverage) <= label_all_up_to)},
            }
        )
    links = [
        {"source": str(s), "target": str(d), "lineStyle": {"type": "solid" if kind == "flow" else "dashed"}}
        for s, d, kind in chain.edges
    ]
    return {
        "tooltip": {},
        "legend": [{"data": [labels[s] for s in STATUSES], "top": 0}],
        "series": [
            {
                "type": "graph",
                "layout": "force",
                "roam": True,
                "draggable": True,
                "force": {"repulsion": 120, "edgeLength": 60, "gravity": 0.15},
                **MARGINS,
                "label": {"position": "right", "width": LABEL_WIDTH, "overflow": "truncate", "fontSize": 11},
                "labelLayout": {"hideOverlap": True},
                "edgeSymbol": ["none", "arrow"],
                "categories": [{"name": labels[s], "itemStyle": {"color": STATUS_COLOURS[s]}} for s in STATUSES],
                "data": data,
                "links": links,
            }
        ],
    }
