"""ECharts option dicts for official statistics on the dashboard: a province's yearbook turnover and contracts,
its 输出 − 吸纳 balance and its rank among provinces. Published figures only, never registry-derived ones."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from techbridge.statistics.service import RegionYear


def _num(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), 2)


def flows_option(
    years: Sequence[RegionYear], *, labels: dict[str, str], units: tuple[str, str] = ("万元", "项")
) -> dict[str, Any]:
    """Turnover (bars, 万元) and contracts (lines, 项) by year, 输出 and 吸纳, the axes named by `units` in the page's
    language; a missing figure is a gap."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [labels[key] for key in ("outflow_value", "inflow_value", "outflow_count", "inflow_count")]},
        "xAxis": {"type": "category", "data": [str(item.year) for item in years]},
        "yAxis": [{"type": "value", "name": units[0]}, {"type": "value", "name": units[1]}],
        "series": [
            {"name": labels["outflow_value"], "type": "bar", "data": [_num(i.outflow_value_wan) for i in years]},
            {"name": labels["inflow_value"], "type": "bar", "data": [_num(i.inflow_value_wan) for i in years]},
            {
                "name": labels["outflow_count"],
                "type": "line",
                "yAxisIndex": 1,
                "data": [_num(i.outflow_contracts) for i in years],
            },
            {
                "name": labels["inflow_count"],
                "type": "line",
                "yAxisIndex": 1,
                "data": [_num(i.inflow_contracts) for i in years],
            },
        ],
    }


def balance_option(years: Sequence[RegionYear], *, label: str, unit: str = "万元") -> dict[str, Any]:
    """输出 − 吸纳 turnover by year (万元, named `unit`): green above zero (net seller of technology), red below."""
    data = []
    for item in years:
        value = _num(item.balance_wan)
        colour = "#2e7d32" if value is not None and value >= 0 else "#c62828"
        data.append({"value": value, "itemStyle": {"color": colour}})
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [str(item.year) for item in years]},
        "yAxis": {"type": "value", "name": unit},
        "series": [{"name": label, "type": "bar", "data": data}],
    }


def rank_option(years: Sequence[RegionYear], *, label: str) -> dict[str, Any]:
    """Rank among provinces by 输出 turnover per year (1 at the top of an inverted axis)."""
    most = max((item.provinces for item in years), default=31)
    return {
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [str(item.year) for item in years]},
        "yAxis": {"type": "value", "inverse": True, "min": 1, "max": most, "name": label},
        "series": [{"name": label, "type": "line", "data": [item.outflow_rank for item in years]}],
    }
