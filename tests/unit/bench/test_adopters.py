"""Achievement → adopters: the sample, the holders both methods leave out, the runs and the section."""

from __future__ import annotations

from bench.adopters import (
    achievements_of,
    enterprise_corpus,
    local_share,
    owner_names,
    portal_run,
    render,
    sample,
)
from bench.portal_needs import Scores

from techbridge.config import Settings
from tests.unit.matching.seed import Seeded

RECYCLING = {"_id": "ad01", "kind": "technology", "title": "锂电池正极材料回收工艺"}


def test_the_sample_takes_public_patents_and_papers_only(settings: Settings, seeded: Seeded) -> None:
    # the seeded registry's one public patent; technology results, a variety and the owner-only record are left out
    assert sample(settings) == [{"_id": "ad01", "kind": "patent", "title": "C反应蛋白快速检测试剂盒"}]


def test_the_holder_is_no_adopter_of_its_own_achievement(settings: Settings, seeded: Seeded) -> None:
    found = achievements_of(settings, [RECYCLING])
    assert owner_names(settings, found) == {"ad01": {"深圳锂电科技有限公司"}}
    run, regions = portal_run(settings, found)
    assert "深圳锂电科技有限公司" not in run["ad01"]
    assert run["ad01"][0] == "沈阳新能源电池有限公司"
    assert regions["ad01"][0] == "2101"


def test_the_baseline_reads_the_public_enterprises_with_their_regions(settings: Settings, seeded: Seeded) -> None:
    corpus, regions = enterprise_corpus(settings)
    assert {d.doc_id for d in corpus.docs} == {"沈阳新能源电池有限公司", "深圳锂电科技有限公司", "大连芯片设计有限公司"}
    assert regions["深圳锂电科技有限公司"] == "4403"
    assert "锂离子电池正极材料" in next(d.text for d in corpus.docs if d.doc_id == "沈阳新能源电池有限公司")


def test_the_section_compares_the_portal_with_bm25_in_the_same_run() -> None:
    base = Scores({"a": 0.5, "b": 0.5}, 0.3, 0.1, 0)
    portal = Scores({"a": 1.0, "b": 0.5}, 0.4, 0.2, 2)
    text = render({"bm25-ref": base, "portal": portal}, {"bm25-ref": 0.0, "portal": 0.25}, 2, 3, (4, 9), "cmd")
    assert text.startswith("## Achievement → adopters\n")
    assert "Enterprises with passage vectors: 4 of 9." in text
    assert "| bm25-ref | 0.500 | 0.300 | 0.100 | — | — | 0 | 0.00 | 2 |" in text
    assert "| portal | 0.750 | 0.400 | 0.200 | +0.250 (" in text
    assert "| 1 / 0 | 2 | 0.25 | 2 |" in text
    assert "2 of the 3 sampled achievements" in text
    assert local_share({"a": ["2101", "4403"], "b": ["", "21"]}) == 0.5
