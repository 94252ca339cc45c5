"""Highlighting and the JSON form of hits."""

from __future__ import annotations

import pytest

from techbridge.matching.schemas import MatchFilters, MatchHit, Reason, Segment, highlight


class TestHighlight:
    def test_terms_are_marked_case_insensitively(self) -> None:
        assert highlight("基于FPGA的系统", ["fpga"]) == [
            Segment("基于", False),
            Segment("FPGA", True),
            Segment("的系统", False),
        ]

    def test_no_terms_or_text(self) -> None:
        assert highlight("", ["a"]) == []
        assert highlight("abc", []) == [Segment("abc", False)]

    def test_repeated_and_overlapping_terms(self) -> None:
        marked = "".join(s.text for s in highlight("电池与锂电池", ["锂电池", "电池"]) if s.hit)
        assert marked == "电池锂电池"


class TestMatchHit:
    def test_as_dict(self) -> None:
        hit = MatchHit(
            "achievement",
            1,
            "锂电池",
            "正极",
            1.23456,
            1.0,
            None,
            ["锂电池"],
            [Reason("local", {"region": "21"})],
            facts={"trl": 5},
        )
        data = hit.as_dict()
        assert data["score"] == 1.2346
        assert data["reasons"] == [{"code": "local", "params": {"region": "21"}, "text": "位于本省（21）"}]
        assert data["trl"] == 5
        assert hit.highlighted_title() == [Segment("锂电池", True)]
        assert hit.highlighted_snippet() == [Segment("正极", False)]

    def test_as_dict_says_each_reason_in_the_callers_language_with_the_region_named(self) -> None:
        hit = MatchHit("enterprise", 2, "x", "", 1.0, 1.0, None, [], [Reason("local", {"region": "2101"})])
        data = hit.as_dict("en", {"2101": "Shenyang (2101)"})
        assert data["reasons"] == [
            {"code": "local", "params": {"region": "2101"}, "text": "In the home region (Shenyang (2101))"}
        ]
        assert hit.regions() == {"2101"}


class TestReason:
    def test_shown_params_name_the_region_and_keep_the_rest(self) -> None:
        reason = Reason("local", {"region": "2101"})
        assert reason.shown_params({"2101": "Shenyang (2101)"}) == {"region": "Shenyang (2101)"}
        assert reason.shown_params({}) == {"region": "2101"}  # an unknown code is shown as it is
        assert reason.params == {"region": "2101"}  # the reason itself stays language-neutral

    @pytest.mark.parametrize(("lang", "text"), [("zh", "命中关键词：FPGA、SCR"), ("en", "Matched terms: FPGA, SCR")])
    def test_lists_are_joined_as_the_language_lists_things(self, lang: str, text: str) -> None:
        reason = Reason("terms", {"terms": ["FPGA", "SCR"]})
        assert reason.say(lang, {}) == text
        assert reason.params == {"terms": ["FPGA", "SCR"]}  # the API gets the list itself

    def test_a_reason_without_a_region_is_shown_as_stored(self) -> None:
        reason = Reason("trl", {"trl": 5})
        assert reason.region is None
        assert reason.shown_params({"2101": "Shenyang (2101)"}) == {"trl": 5}
        assert reason.say("en", {}) == "Readiness TRL 5"


class TestMatchFilters:
    def test_saved_keeps_only_what_is_set_and_reads_back_the_same(self) -> None:
        filters = MatchFilters(region="2102", field="新能源", trl_min=5, kind="patent", owner_type="university")
        assert filters.saved() == {
            "region": "2102",
            "field": "新能源",
            "trl_min": 5,
            "kind": "patent",
            "owner_type": "university",
        }
        assert MatchFilters.from_saved(filters.saved()) == filters

    def test_an_older_or_malformed_row_is_no_filter(self) -> None:
        assert MatchFilters.from_saved(None) == MatchFilters()
        assert MatchFilters.from_saved({}) == MatchFilters()
        assert MatchFilters.from_saved({"region": "21"}) == MatchFilters(region="21")
        odd = {"region": 21, "field": "", "trl_min": "5", "trl_max": True, "unknown": "x"}
        assert MatchFilters.from_saved(odd) == MatchFilters()

    def test_experts_are_filtered_by_region_and_field_only(self) -> None:
        filters = MatchFilters(region="21", field="新能源", trl_min=5, trl_max=7, kind="paper", owner_type="expert")
        assert filters.for_entity("expert") == MatchFilters(region="21", field="新能源")
        assert filters.for_entity("achievement") == filters
