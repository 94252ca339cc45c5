"""ECharts options of the official-statistics charts (web/charts/official.py)."""

from __future__ import annotations

from decimal import Decimal

from techbridge.statistics.service import RegionYear
from techbridge.web.charts.official import balance_option, flows_option, rank_option

LABELS = {"outflow_value": "输出", "inflow_value": "吸纳", "outflow_count": "输出项", "inflow_count": "吸纳项"}


def year(y: int, out: str | None, inflow: str | None, rank: int | None = 3) -> RegionYear:
    return RegionYear(
        year=y,
        outflow_value_wan=None if out is None else Decimal(out),
        outflow_contracts=Decimal(100),
        inflow_value_wan=None if inflow is None else Decimal(inflow),
        inflow_contracts=None,
        outflow_rank=rank,
        provinces=31,
        source="年鉴：a.xlsx",
    )


class TestFlowsOption:
    def test_bars_in_wan_lines_in_contracts_and_gaps_stay_gaps(self) -> None:
        option = flows_option([year(2022, "9713459", "7469905"), year(2023, None, "1.5")], labels=LABELS)
        assert option["xAxis"]["data"] == ["2022", "2023"]
        assert [axis["name"] for axis in option["yAxis"]] == ["万元", "项"]
        assert option["series"][0]["data"] == [9713459.0, None]
        assert option["series"][3]["data"] == [None, None]
        assert option["series"][2]["yAxisIndex"] == 1


class TestBalanceOption:
    def test_net_seller_years_are_green_and_net_buyer_years_red(self) -> None:
        option = balance_option([year(2010, "1306811", "1840608"), year(2023, "12890739", "10904695")], label="差额")
        bars = option["series"][0]["data"]
        assert bars[0] == {"value": -533797.0, "itemStyle": {"color": "#c62828"}}
        assert bars[1]["value"] == 1986044.0
        assert bars[1]["itemStyle"]["color"] == "#2e7d32"


class TestRankOption:
    def test_rank_axis_is_inverted_from_one_to_the_number_of_provinces(self) -> None:
        option = rank_option([year(2023, "1", "1", rank=16)], label="名次")
        assert option["yAxis"]["inverse"] is True
        assert (option["yAxis"]["min"], option["yAxis"]["max"]) == (1, 31)
        assert option["series"][0]["data"] == [16]
