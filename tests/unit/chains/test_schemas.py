"""Reasons as people read them: a `Why` says its sentence in the reader's language, lists joined as it lists things."""

from __future__ import annotations

import pytest

from techbridge.chains.schemas import Candidate, Why


class TestWhy:
    @pytest.mark.parametrize(("lang", "text"), [("zh", "可补环节：天然气、燃气Ⅲ"), ("en", "would fill: 天然气, 燃气Ⅲ")])
    def test_a_candidates_links_are_listed_in_the_readers_language(self, lang: str, text: str) -> None:
        candidate = Candidate(1, "陕天然气", "61", 0.9, ("天然气", "燃气Ⅲ"), ())
        assert candidate.why().say(lang) == text

    def test_a_leaders_one_node_reads_as_the_node(self) -> None:
        why = Why("leads", lists=(("nodes", ("PTA",)),))
        assert why.say("en") == "produces PTA"
        assert why.say("zh") == "生产PTA"
