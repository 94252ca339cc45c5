"""ECharts option for the tier ladder: eligible enterprises per policy (tier) per city, as grouped bars."""

from __future__ import annotations

from typing import Any


def ladder_chart(ladder: dict[str, Any], titles: dict[str, str], title: str) -> dict[str, Any]:
    """Bars: x = cities, one series per policy in ladder order, y = eligible enterprises."""
    cities = ladder["cities"]
    series = [
        {
            "name": titles.get(policy_id, policy_id),
            "type": "bar",
            "data": [ladder["counts"][city["code"]].get(policy_id, 0) for city in cities],
        }
        for policy_id in titles
    ]
    return {
        "title": {"text": title, "left": "center"},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 28, "type": "scroll"},
        "grid": {"top": 70, "left": 40, "right": 20, "bottom": 40},
        "xAxis": {"type": "category", "data": [city["name"] for city in cities]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }
