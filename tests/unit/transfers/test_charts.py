"""ECharts option builders of the dashboard and the pipeline (web/charts) on hand-made figures."""

from __future__ import annotations

from decimal import Decimal

from techbridge.models import Stage
from techbridge.transfers.analytics import StageStat
from techbridge.web.charts.dashboard import bar_option, city_map_option, pie_option, trend_option
from techbridge.web.charts.transfers import funnel_option, stage_days_option


class TestDashboardCharts:
    def test_trend_has_turnover_bars_and_rate_line_in_percent(self) -> None:
        rows = [{"key": "2024Q1", "rate": Decimal("0.5"), "contract_value": Decimal("12.345")}]
        option = trend_option(rows, rate_label="率", value_label="额")
        assert option["xAxis"]["data"] == ["2024Q1"]
        assert option["series"][0]["data"] == [12.35]
        assert option["series"][1]["data"] == [50.0]

    def test_map_names_cities_as_the_map_does_and_keeps_unknown_rates_empty(self) -> None:
        rows = [
            {"name": "沈阳市", "rate": Decimal("0.25"), "output_value": Decimal(10)},
            {"name": "大连市", "rate": None, "output_value": Decimal(0)},
        ]
        series = city_map_option(rows, title="t")["series"][0]
        assert series["map"] == "辽宁"
        assert series["data"][0] == {"name": "沈阳市", "value": 25.0, "output": 10.0}
        assert series["data"][1]["value"] is None

    def test_map_relabels_the_maps_areas_as_the_page_names_the_cities(self) -> None:
        rows = [
            {"name": "沈阳市", "label": "Shenyang", "rate": Decimal("0.25"), "output_value": Decimal(10)},
            {"name": "大连市", "label": "大连市", "rate": None, "output_value": Decimal(0)},
        ]
        series = city_map_option(rows, title="t")["series"][0]
        assert series["nameMap"] == {"沈阳市": "Shenyang"}  # the map's area keeps its key, shown in English
        assert [d["name"] for d in series["data"]] == ["Shenyang", "大连市"]

    def test_bars_are_sorted_by_value(self) -> None:
        option = bar_option([{"key": "b", "contract_value": 5}, {"key": "a", "contract_value": 1}], label="x")
        assert option["yAxis"]["data"] == ["a", "b"]

    def test_pie_uses_translated_type_names(self) -> None:
        option = pie_option([{"key": "license", "contract_value": Decimal(3)}], names={"license": "技术许可"})
        assert option["series"][0]["data"] == [{"name": "技术许可", "value": 3.0}]


class TestPipelineCharts:
    def test_funnel_and_days_follow_the_stages(self) -> None:
        stages = [StageStat(Stage.MATCHED, 10, 0.5, 3.0, 4.0, 1), StageStat(Stage.CONTACTED, 5, None, None, None, 0)]
        funnel = funnel_option(stages, names={"matched": "已匹配"})
        assert funnel["series"][0]["data"] == [{"name": "已匹配", "value": 10}, {"name": "contacted", "value": 5}]
        assert stage_days_option(stages, names={}, label="天")["series"][0]["data"] == [3.0, None]
