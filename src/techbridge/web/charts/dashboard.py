"""ECharts option dicts for the officer dashboard (驾驶舱): trend, Liaoning city map, field and type breakdowns."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

MAP_NAME = "辽宁"


WAN = "万元"
"""The amounts' unit as Chinese pages name it; pages in English pass `common.wan` (× 10,000 yuan)."""


def _num(value: Decimal | float | int | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _pct(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


def trend_option(
    rows: Sequence[dict[str, Any]], *, rate_label: str, value_label: str, unit: str = WAN
) -> dict[str, Any]:
    """Quarterly turnover (bars, in `unit`: 万元, written in the page's language) and local conversion rate (line,
    %)."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [value_label, rate_label]},
        "xAxis": {"type": "category", "data": [row["key"] for row in rows]},
        "yAxis": [{"type": "value", "name": unit}, {"type": "value", "name": "%", "max": 100}],
        "series": [
            {"name": value_label, "type": "bar", "data": [_num(row["contract_value"]) for row in rows]},
            {"name": rate_label, "type": "line", "yAxisIndex": 1, "data": [_pct(row["rate"]) for row in rows]},
        ],
    }


def city_map_option(rows: Sequence[dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Local conversion rate by city on the (illustrative) map of Liaoning. The map registers its areas by Chinese
    name (ending in 市, each row's `name`); `nameMap` relabels them as the page names them (each row's `label`:
    Dalian on English pages), and the data, labels and tooltips then use those labels."""
    label = {row["name"]: row.get("label") or row["name"] for row in rows}
    data = [
        {"name": label[row["name"]], "value": _pct(row["rate"]), "output": _num(row["output_value"])} for row in rows
    ]
    values = [item["value"] for item in data if item["value"] is not None]
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}%"},
        "visualMap": {
            "min": 0,
            "max": max([100.0, *values]) if values else 100,
            "left": "left",
            "text": ["%", ""],
            "calculable": True,
            "inRange": {"color": ["#e0ecf8", "#1d4e89"]},
        },
        "series": [
            {
                "type": "map",
                "map": MAP_NAME,
                "nameMap": {name: shown for name, shown in label.items() if name != shown},
                "roam": False,
                "label": {"show": True, "fontSize": 10},
                "data": data,
            }
        ],
    }


def bar_option(rows: Sequence[dict[str, Any]], *, label: str, unit: str = WAN) -> dict[str, Any]:
    """Horizontal bars of turnover (万元, named `unit`) per group."""
    ordered = sorted(rows, key=lambda row: float(row["contract_value"]))
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 100},
        "xAxis": {"type": "value", "name": unit},
        "yAxis": {"type": "category", "data": [row["key"] for row in ordered]},
        "series": [{"name": label, "type": "bar", "data": [_num(row["contract_value"]) for row in ordered]}],
    }


def pie_option(rows: Sequence[dict[str, Any]], *, names: dict[str, str], unit: str = WAN) -> dict[str, Any]:
    """Share of turnover (万元, named `unit`) per contract type."""
    return {
        "tooltip": {"trigger": "item", "formatter": f"{{b}}: {{c}} {unit} ({{d}}%)"},
        "series": [
            {
                "type": "pie",
                "radius": ["35%", "65%"],
                "data": [
                    {"name": names.get(row["key"], row["key"]), "value": _num(row["contract_value"])} for row in rows
                ],
            }
        ],
    }
