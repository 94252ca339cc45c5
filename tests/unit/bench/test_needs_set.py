"""The natural-needs set's written batches: pooling for grading, and the judged files it leaves behind."""

from __future__ import annotations

import json
from pathlib import Path

import bench.needs_set as needs_set
import pytest
from bench.retrieval import NEEDS, NEEDS_FILES

from techbridge.search.embed import HashingEmbedder
from techbridge.search.evaluate import read_qrels, read_queries

CORPUS = [
    {"_id": "a-1", "title": "罗茨鼓风机消声器", "text": "鼓风机低频噪声"},
    {"_id": "a-2", "title": "钢渣热闷装置", "text": "转炉钢渣处理"},
    {"_id": "a-3", "title": "粽叶清洗机", "text": "新型高效清洗"},
]


@pytest.fixture
def batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A written batch of two needs and a three-record corpus under a temporary bench/needs."""
    monkeypatch.setattr(needs_set, "HERE", tmp_path)
    needs = [{"_id": "t1", "text": "罗茨鼓风机噪声大"}, {"_id": "t2", "text": "钢渣处理装备"}]
    (tmp_path / "batch.jsonl").write_text("\n".join(json.dumps(n, ensure_ascii=False) for n in needs) + "\n")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in CORPUS) + "\n")
    return corpus


class TestPoolWritten:
    def test_first_pooling_returns_every_ranked_record_to_grade(self, batch: Path) -> None:
        new = needs_set.pool_written("batch", batch, HashingEmbedder())
        assert "a-1" in new["t1"]
        assert "a-2" in new["t2"]
        assert json.loads((batch.parent / "batch_pool.json").read_text()) == new

    def test_a_second_pooling_keeps_the_pool_and_returns_only_records_new_to_it(self, batch: Path) -> None:
        needs_set.pool_written("batch", batch, HashingEmbedder())
        pool_file = batch.parent / "batch_pool.json"
        pool = json.loads(pool_file.read_text())
        judged = pool["t1"].pop()  # as if the ranker had not put it in a top 10 before
        pool["t1"].insert(0, "a-graded-earlier")
        pool_file.write_text(json.dumps(pool))
        new = needs_set.pool_written("batch", batch, HashingEmbedder())
        assert new == {"t1": [judged]}
        assert "a-graded-earlier" in json.loads(pool_file.read_text())["t1"]

    def test_records_to_grade_are_printed_with_title_and_lead(
        self, batch: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        needs_set.print_to_grade("batch", {"t2": ["a-2"]}, batch)
        assert capsys.readouterr().out.splitlines() == ["## t2 钢渣处理装备", "a-2\t钢渣热闷装置\t转炉钢渣处理"]


class TestJudgedFiles:
    @pytest.mark.parametrize(("query_file", "qrels_file"), NEEDS_FILES[1:])
    def test_every_graded_record_of_a_written_batch_is_in_its_pool(self, query_file: str, qrels_file: str) -> None:
        pool = json.loads((NEEDS / query_file.replace(".jsonl", "_pool.json")).read_text(encoding="utf-8"))
        qrels = read_qrels(NEEDS / qrels_file)
        assert qrels
        assert all(doc in pool[q] for q, docs in qrels.items() for doc in docs)
        assert set(pool) == set(read_queries(NEEDS / query_file))

    @pytest.mark.parametrize(("query_file", "qrels_file"), NEEDS_FILES)
    def test_each_query_file_has_its_own_split_and_judges_only_its_queries(
        self, query_file: str, qrels_file: str
    ) -> None:
        rows = [json.loads(line) for line in (NEEDS / query_file).read_text(encoding="utf-8").splitlines()]
        assert set(read_qrels(NEEDS / qrels_file)) <= {r["_id"] for r in rows}
        splits = {r["metadata"]["split"] for r in rows}
        assert splits == ({"tune", "report"} if query_file == "queries.jsonl" else {query_file.removesuffix(".jsonl")})
