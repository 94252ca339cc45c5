"""ECharts option dicts for the pipeline: the funnel of cases per stage and the days spent per stage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from techbridge.transfers.analytics import StageStat


def funnel_option(stages: Sequence[StageStat], *, names: dict[str, str]) -> dict[str, Any]:
    """Cases that reached each stage, widest at the top."""
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                "left": "10%",
                "width": "80%",
                "label": {"show": True, "position": "inside"},
                "data": [{"name": names.get(str(s.stage), str(s.stage)), "value": s.reached} for s in stages],
            }
        ],
    }


def stage_days_option(stages: Sequence[StageStat], *, names: dict[str, str], label: str) -> dict[str, Any]:
    """Median days spent in each stage (the 堵点 show as the tallest bars)."""
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [names.get(str(s.stage), str(s.stage)) for s in stages]},
        "yAxis": {"type": "value", "name": label},
        "series": [{"type": "bar", "name": label, "data": [s.median_days for s in stages]}],
    }
