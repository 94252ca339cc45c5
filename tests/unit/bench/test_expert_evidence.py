"""Demand → experts with and without the evidence floor: the lists on a registry and the figures."""

from __future__ import annotations

from bench.expert_evidence import Figures, figures, hidden_relevant, render, shown_experts
from bench.portal_needs import vector_share

from techbridge.config import Settings
from techbridge.matching.service import EXPERT_MIN_COVERAGE
from tests.unit.matching.seed import Seeded


class TestShownExperts:
    def test_the_floor_keeps_the_expert_whose_work_covers_the_need(self, settings: Settings, seeded: Seeded) -> None:
        needs = {"n1": "锂离子电池正极材料", "n2": "东北大学校园规划"}
        without = shown_experts(settings, needs, 0.0)
        floor = shown_experts(settings, needs, EXPERT_MIN_COVERAGE)
        assert [e for e, _ in without["n1"]] == ["张伟 教授 东北大学"]
        assert "正极材料" in without["n1"][0][1]
        assert [e for e, _ in without["n2"]] == ["张伟 教授 东北大学"]  # on the affiliation alone
        assert floor == {"n1": without["n1"], "n2": []}

    def test_the_vector_share_counts_the_embedded_experts(self, settings: Settings, seeded: Seeded) -> None:
        assert vector_share(settings, "expert") == (0, 1)


class TestFigures:
    def test_counts_shares_and_what_the_floor_hides(self) -> None:
        grades = {("q1", "A"): 2, ("q1", "B"): 0, ("q2", "C"): 1}
        without = {"q1": [("A", ""), ("B", "")], "q2": [("C", ""), ("D", "")], "q3": []}
        floor = {"q1": [("A", "")], "q2": [], "q3": []}
        assert figures(without, grades) == Figures(needs_with_experts=2, shown=4, relevant=2, unjudged=1)
        assert figures(floor, grades).precision == 1.0
        assert hidden_relevant(without, floor, grades) == 1  # C
        assert Figures(0, 0, 0, 0).precision == 0.0

    def test_the_section_has_both_floors_per_batch(self) -> None:
        off, on = Figures(3, 9, 1, 0), Figures(1, 2, 1, 0)
        text = render({"management": (3, off, on, 0)}, (2, 5), "cmd")
        assert "Experts with passage vectors: 2 of 5." in text
        assert f"| management | 3 | {EXPERT_MIN_COVERAGE} | 1 | 2 | 1 | 0.50 | 0 | 0 |" in text
        assert "| management | 3 | 0 | 3 | 9 | 1 | 0.11 | 0 | — |" in text
