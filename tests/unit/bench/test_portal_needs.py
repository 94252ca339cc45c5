"""The written needs through the portal's path: the registry corpus, the portal run, and the figures."""

from __future__ import annotations

import pytest
from bench.needs_set import corpus_id
from bench.portal_needs import Scores, portal_run, registry_corpus, render, score
from sqlalchemy.orm import Session

from techbridge.config import Settings
from techbridge.models import Achievement
from tests.unit.matching.seed import Seeded


def _key(session: Session, achievement_id: int) -> str:
    row = session.get(Achievement, achievement_id)
    assert row is not None
    return corpus_id(str(row.kind), row.title)


class TestRegistryPaths:
    def test_the_registry_corpus_holds_every_achievement_under_its_needs_corpus_id(
        self, session: Session, settings: Settings, seeded: Seeded
    ) -> None:
        docs = {d.doc_id: d for d in registry_corpus(settings).docs}
        battery = docs[_key(session, seeded.battery)]
        assert battery.title == "高镍三元锂电池正极材料低成本制备技术"
        assert "共沉淀法" in battery.text
        assert _key(session, seeded.hidden) in docs  # the reference baseline ranks every record

    def test_the_portal_run_answers_as_an_anonymous_visitor(
        self, session: Session, settings: Settings, seeded: Seeded
    ) -> None:
        run = portal_run(settings, {"n1": "锂电池正极材料", "n2": "FPGA图像处理"})
        assert run["n1"][0] == _key(session, seeded.battery)
        assert run["n2"][0] == _key(session, seeded.fpga)
        assert _key(session, seeded.hidden) not in {key for keys in run.values() for key in keys}


class TestFigures:
    def test_precision_at_10_counts_each_grade_threshold(self) -> None:
        qrels = {"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}
        s = score({"q1": ["a", "x", "b"], "q2": ["y"]}, qrels, {"q1": ["a", "b", "x"], "q2": ["c"]})
        assert s.precision == pytest.approx((2 / 10 + 0) / 2)
        assert s.precision_2 == pytest.approx((1 / 10 + 0) / 2)
        assert s.ndcg["q2"] == 0.0
        assert 0 < s.ndcg["q1"] < 1
        assert s.unjudged == 1  # y was never judged for q2

    def test_the_section_compares_the_portal_with_bm25_ref_query_by_query(self) -> None:
        base = Scores({"q1": 0.5, "q2": 0.5}, 0.2, 0.1, 0)
        portal = Scores({"q1": 0.9, "q2": 0.4}, 0.3, 0.1, 7)
        text = render({"written": {"bm25-ref": base, "portal": portal}}, (3, 4), "cmd")
        assert "Achievements with passage vectors: 3 of 4." in text
        assert "| written | portal | 0.650 | 0.300 | 0.100 | +0.150 (" in text
        assert "| 1 / 1 | 7 | 2 |" in text
